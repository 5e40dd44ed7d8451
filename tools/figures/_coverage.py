"""The coverage tables of guide/coverage.md, computed from the engine at build time.

For each covered PyTorch namespace, a curated list of the public names learners use (not
every name in ``torch.__all__``: internals, dtypes and rarely used functions are left
out).  A name counts as implemented when reftorch has it in the same place; the page
linked for it is the first page (in the site's order) that shows it in code.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

NAMESPACES = {
    "torch": ("reftorch", """
        tensor as_tensor asarray from_numpy zeros ones empty full zeros_like ones_like empty_like
        full_like arange linspace logspace eye rand randn randint randperm normal rand_like randn_like
        randint_like bernoulli multinomial poisson binomial manual_seed seed initial_seed get_rng_state set_rng_state
        reshape flatten unflatten squeeze unsqueeze permute transpose t movedim cat concat
        stack hstack vstack split chunk tensor_split hsplit vsplit dsplit ravel unbind narrow index_select gather scatter masked_fill where
        take flip roll tril triu add sub mul div pow neg exp log sqrt abs tanh sigmoid relu sin cos
        clamp floor ceil round sign eq ne lt le gt ge logical_and logical_or logical_not sum mean
        prod std var max min argmax argmin maximum minimum all any topk sort argsort cumsum cummax cummin norm
        equal allclose isclose matmul mm bmm mv dot einsum outer softmax log_softmax is_tensor
        numel no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled save load
        set_printoptions get_default_dtype set_default_dtype promote_types finfo iinfo device Generator
        UntypedStorage
        tile broadcast_to broadcast_tensors broadcast_shapes index_fill masked_scatter index_put
        addcmul addcdiv lerp scalar_tensor real imag view_as_real view_as_complex
        trunc frac sgn square isnan isinf isfinite nan_to_num
        rsqrt log1p expm1 log2 log10 exp2 tan asin acos atan sinh cosh erf erfc logit deg2rad rad2deg
        lgamma digamma polygamma mvlgamma erfinv i0 sinc xlogy igamma igammac
        logaddexp2 float_power heaviside isposinf isneginf isreal absolute positive gcd lcm ldexp frexp
        nextafter acosh asinh atanh
        atan2 hypot fmod logaddexp fmax fmin signbit
        logsumexp nansum nanmean var_mean std_mean
        select diagonal diag trace ger inner addmm addmv baddbmm median kthvalue mode cross diff
        nanmedian quantile nanquantile aminmax cov corrcoef histc histogram logcumsumexp trapezoid trapz
        cumulative_trapezoid
        masked_select unique unique_consecutive bincount index_add take_along_dim meshgrid searchsorted
        bucketize isin cdist pdist moveaxis fliplr flipud rot90 atleast_1d atleast_2d atleast_3d column_stack dstack
        kron tensordot diag_embed cartesian_prod tril_indices triu_indices
        det logdet slogdet inverse cholesky svd matrix_power
        block_diag combinations vander diagflat unravel_index renorm index_copy index_reduce select_scatter
        slice_scatter diagonal_scatter as_strided as_strided_scatter matrix_exp qr pinverse orgqr lu lu_unpack lu_solve cholesky_solve cholesky_inverse triangular_solve geqrf ormqr addr addbmm vdot dist chain_matmul
        stft istft hann_window hamming_window blackman_window bartlett_window kaiser_window
        complex polar angle copysign conj_physical is_complex is_conj resolve_conj typename
        use_deterministic_algorithms are_deterministic_algorithms_enabled set_float32_matmul_precision
        put empty_strided gradient histogramdd vmap channels_last
    """),
    "torch.Tensor": ("reftorch.Tensor", """
        shape size dim ndim numel dtype device requires_grad grad grad_fn is_leaf item tolist numpy
        to cpu cuda float double long int bool half bfloat16 type view view_as reshape reshape_as flatten
        squeeze unsqueeze permute transpose t contiguous is_contiguous stride expand expand_as repeat
        clone detach detach_ requires_grad_ backward retain_grad zero_ fill_ copy_ add_ mul_ sub_
        div_ masked_fill masked_fill_ index_select gather scatter_ sum mean max min argmax std var
        abs exp log sqrt pow sigmoid tanh relu softmax matmul mm bmm chunk split unbind new_zeros
        new_ones new_full new_tensor new_empty data_ptr element_size is_cuda pin_memory is_pinned
        narrow tile broadcast_to type_as index_fill index_fill_ masked_scatter masked_scatter_
        index_put_ addcmul addcmul_ addcdiv lerp lerp_ real imag
        floor ceil round trunc sign isnan isinf isfinite nan_to_num floor_ round_
        prod logsumexp nansum nanmean
        select diagonal diag trace outer inner addmm addmv baddbmm median kthvalue cross diff
        nanmedian quantile nanquantile aminmax cov corrcoef histc histogram logcumsumexp
        masked_select unique unique_consecutive bincount index_add index_add_ take take_along_dim
        moveaxis fliplr flipud rot90 kron diag_embed
        det logdet slogdet inverse cholesky svd matrix_power
        lgamma digamma polygamma erfinv i0 sinc xlogy lgamma_ erfinv_ igamma igammac igamma_ igammac_ frexp ldexp gcd nextafter
        diagflat renorm renorm_ index_copy index_copy_ index_reduce index_reduce_ select_scatter slice_scatter
        diagonal_scatter as_strided storage_offset as_strided_scatter matrix_exp qr pinverse orgqr stft istft lu lu_solve cholesky_solve cholesky_inverse triangular_solve geqrf ormqr addr addr_ addbmm addbmm_ addmm_ addmv_ baddbmm_ vdot dist
        untyped_storage storage set_ is_set_to share_memory_ is_shared
    """),
    "torch.linalg": ("reftorch.linalg", """
        det slogdet inv inv_ex solve solve_ex cholesky cholesky_ex qr eigh eigvalsh svd svdvals pinv
        matrix_power matrix_rank multi_dot vecdot solve_triangular lstsq norm vector_norm matrix_norm
        cross matmul LinAlgError matrix_exp eig eigvals householder_product lu lu_factor lu_factor_ex lu_solve cond vander diagonal tensorinv tensorsolve ldl_factor ldl_factor_ex ldl_solve
    """),
    "torch.special": ("reftorch.special", """
        expit logit erf erfc erfinv exp2 expm1 log1p gammaln digamma psi polygamma multigammaln
        i0 i0e i1 i1e ndtr ndtri log_ndtr sinc round softmax log_softmax logsumexp xlogy xlog1py entr
        zeta spherical_bessel_j0 bessel_j0 bessel_j1 bessel_y0 bessel_y1 modified_bessel_i0 modified_bessel_i1
        modified_bessel_k0 modified_bessel_k1 scaled_modified_bessel_k0 scaled_modified_bessel_k1 airy_ai
        gammainc gammaincc erfcx chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v
        chebyshev_polynomial_w shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u
        shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w hermite_polynomial_h hermite_polynomial_he
        laguerre_polynomial_l legendre_polynomial_p
    """),
    "torch.fft": ("reftorch.fft", """
        fft ifft rfft irfft hfft ihfft fft2 ifft2 rfft2 irfft2 hfft2 ihfft2 fftn ifftn rfftn irfftn hfftn ihfftn
        fftfreq rfftfreq fftshift ifftshift
    """),
    "torch.nn": ("reftorch.nn", """
        Module Sequential ModuleList ModuleDict ParameterList ParameterDict Parameter Identity
        Linear Bilinear Flatten Unflatten Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell
        GRUCell Dropout ReLU LeakyReLU ELU GELU Sigmoid Tanh Softmax LogSoftmax Softplus MSELoss
        L1Loss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss SmoothL1Loss HuberLoss KLDivLoss
        MarginRankingLoss HingeEmbeddingLoss SoftMarginLoss CosineEmbeddingLoss TripletMarginLoss
        MultiLabelSoftMarginLoss PoissonNLLLoss GaussianNLLLoss
        MultiMarginLoss MultiLabelMarginLoss TripletMarginWithDistanceLoss
        Conv1d Conv2d MaxPool1d MaxPool2d AvgPool2d AdaptiveAvgPool2d BatchNorm1d BatchNorm2d
        Conv3d BatchNorm3d MaxPool3d AvgPool3d AdaptiveAvgPool3d AdaptiveMaxPool3d
        Fold Unfold ConvTranspose3d Dropout3d MaxUnpool1d MaxUnpool2d MaxUnpool3d LPPool1d LPPool2d
        LPPool3d LocalResponseNorm ChannelShuffle Softmax2d FractionalMaxPool2d FractionalMaxPool3d
        CrossMapLRN2d SyncBatchNorm Container NLLLoss2d DataParallel
        LayerNorm RMSNorm InstanceNorm1d InstanceNorm2d Transformer TransformerEncoder TransformerEncoderLayer TransformerDecoder
        TransformerDecoderLayer MultiheadAttention
        CosineSimilarity PairwiseDistance
        SiLU ReLU6 Hardtanh Mish
        ZeroPad1d ZeroPad2d ConstantPad1d ConstantPad2d ReflectionPad1d ReflectionPad2d
        ReplicationPad1d ReplicationPad2d CircularPad1d
        Upsample UpsamplingNearest2d UpsamplingBilinear2d
        ConvTranspose1d ConvTranspose2d
        PReLU SELU CELU Hardswish Hardsigmoid Softmin LogSigmoid Softsign Threshold GLU
        Hardshrink Softshrink Tanhshrink PixelShuffle PixelUnshuffle
        LazyLinear LazyConv1d LazyConv2d LazyConvTranspose2d LazyBatchNorm1d LazyBatchNorm2d
        RReLU AlphaDropout FeatureAlphaDropout
        AdaptiveLogSoftmaxWithLoss CTCLoss
    """),
    "torch.nn.functional": ("reftorch.nn.functional", """
        linear relu leaky_relu elu gelu sigmoid tanh softmax log_softmax softplus dropout embedding
        one_hot pad mse_loss l1_loss cross_entropy nll_loss binary_cross_entropy
        binary_cross_entropy_with_logits smooth_l1_loss conv1d conv2d max_pool2d avg_pool2d
        conv3d max_pool3d avg_pool3d adaptive_avg_pool3d adaptive_max_pool3d max_pool1d_with_indices
        max_pool2d_with_indices max_pool3d_with_indices adaptive_max_pool1d_with_indices
        adaptive_max_pool2d_with_indices adaptive_max_pool3d_with_indices
        fold unfold conv_transpose3d dropout3d max_unpool1d max_unpool2d max_unpool3d lp_pool1d lp_pool2d
        lp_pool3d local_response_norm channel_shuffle fractional_max_pool2d fractional_max_pool3d
        fractional_max_pool2d_with_indices fractional_max_pool3d_with_indices
        layer_norm rms_norm instance_norm normalize scaled_dot_product_attention multi_head_attention_forward
        embedding_bag bilinear hardshrink softshrink tanhshrink
        huber_loss kl_div cosine_similarity pairwise_distance
        multi_margin_loss multilabel_margin_loss triplet_margin_with_distance_loss
        rrelu alpha_dropout feature_alpha_dropout
        silu relu6 hardtanh mish
        conv_transpose1d conv_transpose2d
        affine_grid grid_sample gumbel_softmax pdist ctc_loss
        interpolate upsample upsample_nearest upsample_bilinear selu celu hardswish hardsigmoid softmin logsigmoid softsign threshold glu prelu
    """),
    "torch.nn.utils": ("reftorch.nn.utils", """
        clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters
        weight_norm remove_weight_norm spectral_norm remove_spectral_norm skip_init fuse_conv_bn_eval
        fuse_conv_bn_weights fuse_linear_bn_eval fuse_linear_bn_weights convert_conv2d_weight_memory_format
    """),
    "torch.nn.utils.parametrize": ("reftorch.nn.utils.parametrize", """
        register_parametrization remove_parametrizations is_parametrized cached
        type_before_parametrizations transfer_parametrizations_and_params
    """),
    "torch.nn.utils.parametrizations": ("reftorch.nn.utils.parametrizations", """
        weight_norm spectral_norm orthogonal
    """),
    "torch.nn.utils.prune": ("reftorch.nn.utils.prune", """
        identity random_unstructured l1_unstructured random_structured ln_structured
        global_unstructured custom_from_mask remove is_pruned BasePruningMethod PruningContainer
    """),
    "torch.nn.utils.rnn": ("reftorch.nn.utils.rnn", """
        pad_sequence pack_padded_sequence pad_packed_sequence pack_sequence unpad_sequence
        PackedSequence
    """),
    "torch.utils.data": ("reftorch.utils.data", """
        Dataset IterableDataset TensorDataset ConcatDataset Subset random_split DataLoader Sampler
        SequentialSampler RandomSampler BatchSampler SubsetRandomSampler WeightedRandomSampler
        default_collate default_convert get_worker_info
    """),
    "torch.autograd": ("reftorch.autograd", """
        grad backward Function no_grad enable_grad set_grad_enabled gradcheck gradgradcheck detect_anomaly
        set_detect_anomaly
    """),
    "torch.func": ("reftorch.func", """
        functional_call grad grad_and_value vmap vjp jvp jacrev jacfwd hessian linearize stack_module_state
    """),
    "torch.autograd.graph": ("reftorch.autograd.graph", """
        saved_tensors_hooks save_on_cpu disable_saved_tensors_hooks register_multi_grad_hook
        get_gradient_edge GradientEdge increment_version Node
    """),
    "torch.nn.init": ("reftorch.nn.init", """
        uniform_ normal_ constant_ ones_ zeros_ xavier_uniform_ xavier_normal_ kaiming_uniform_
        kaiming_normal_ orthogonal_ trunc_normal_ dirac_ sparse_
    """),
    "torch.optim": ("reftorch.optim", """
        SGD Adam AdamW RMSprop Adagrad Optimizer Adadelta Adamax NAdam RAdam Rprop ASGD LBFGS Adafactor
        SparseAdam Muon
    """),
    "torch.optim.lr_scheduler": ("reftorch.optim.lr_scheduler", """
        StepLR MultiStepLR ExponentialLR LambdaLR MultiplicativeLR LinearLR ConstantLR
        CosineAnnealingLR CosineAnnealingWarmRestarts OneCycleLR CyclicLR PolynomialLR
        SequentialLR ChainedScheduler ReduceLROnPlateau
    """),
    "torch.optim.swa_utils": ("reftorch.optim.swa_utils", """
        AveragedModel SWALR update_bn get_ema_multi_avg_fn get_swa_multi_avg_fn get_ema_avg_fn get_swa_avg_fn
    """),
    "torch.utils.checkpoint": ("reftorch.utils.checkpoint", """
        checkpoint checkpoint_sequential set_checkpoint_early_stop set_checkpoint_debug_enabled CheckpointError
    """),
    "torch.cuda": ("reftorch.cuda", """
        is_available device_count current_device set_device manual_seed synchronize Event
    """),
    "torch.distributions": ("reftorch.distributions", """
        Distribution Normal Uniform Bernoulli Categorical OneHotCategorical Exponential Laplace
        Poisson Binomial Geometric Independent kl_divergence register_kl MultivariateNormal Beta Gamma
        Dirichlet TransformedDistribution LogNormal Transform ComposeTransform ExpTransform AffineTransform
        SigmoidTransform AbsTransform Chi2 StudentT Cauchy HalfNormal Gumbel
        PowerTransform SoftplusTransform TanhTransform SoftmaxTransform StickBreakingTransform
        LowerCholeskyTransform PositiveDefiniteTransform CorrCholeskyTransform IndependentTransform
        ReshapeTransform CatTransform StackTransform CumulativeDistributionTransform
        Weibull Pareto HalfCauchy Kumaraswamy InverseGamma GeneralizedPareto LogisticNormal
        RelaxedBernoulli RelaxedOneHotCategorical LKJCholesky
        Multinomial NegativeBinomial FisherSnedecor ContinuousBernoulli VonMises
        LowRankMultivariateNormal MixtureSameFamily Wishart
    """),
}

#: Where the API reference documents a namespace's objects (``::: <prefix>...<name>``).
API_PREFIX = {
    "torch": r"reftorch\.",
    "torch.Tensor": None,
    "torch.special": r"reftorch\.special\.",
    "torch.linalg": r"reftorch\.linalg\.",
    "torch.fft": r"reftorch\.fft\.",
    "torch.nn": r"reftorch\.nn\.(?:modules\.[\w.]+\.|parameter\.)?",
    "torch.nn.functional": r"reftorch\.nn\.functional\.",
    "torch.nn.utils": r"reftorch\.nn\.utils\.(?:[\w.]+\.)?",
    "torch.nn.utils.prune": r"reftorch\.nn\.utils\.prune\.",
    "torch.nn.utils.rnn": r"reftorch\.nn\.utils\.rnn\.",
    "torch.nn.utils.parametrize": r"reftorch\.nn\.utils\.parametrize\.",
    "torch.nn.utils.parametrizations": r"reftorch\.nn\.utils\.parametrizations\.",
    "torch.utils.data": r"reftorch\.utils\.data\.[\w.]+\.",
    "torch.autograd": r"reftorch\.autograd\.(?:[\w.]+\.)?",
    "torch.func": r"reftorch\.func\.",
    "torch.autograd.graph": r"reftorch\.autograd\.graph\.",
    "torch.nn.init": r"reftorch\.nn\.init\.",
    "torch.optim": r"reftorch\.optim\.(?:[\w.]+\.)?",
    "torch.optim.lr_scheduler": r"reftorch\.optim\.lr_scheduler\.",
    "torch.optim.swa_utils": r"reftorch\.optim\.swa_utils\.",
    "torch.utils.checkpoint": r"reftorch\.utils\.checkpoint\.",
    "torch.cuda": r"reftorch\.cuda\.",
    "torch.distributions": r"reftorch\.distributions\.",
}


def _resolve(path: str):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj
    return None


def _pages(docs: Path, nav_pages: list[str]):
    return [(p, (docs / p).read_text(encoding="utf-8")) for p in nav_pages if (docs / p).exists()]


def _page_for(name: str, namespace: str, pages) -> str | None:
    """The first page whose Python examples use ``name`` from ``namespace``."""
    n = re.escape(name)
    spellings = {namespace, namespace.replace("torch.", "", 1), namespace.split(".")[-1]}
    if namespace == "torch.nn.functional":
        spellings.add("F")
    patterns = [rf"(?<![\w.]){re.escape(s)}\.{n}\b" for s in spellings if s != "Tensor"]
    if namespace in ("torch", "torch.Tensor"):
        patterns.append(rf"\.{n}\b")            # the method form, x.name(...)
    if namespace.startswith(("torch.utils", "torch.nn.utils", "torch.distributions")):
        patterns.append(rf"(?<![\w.]){n}\(")     # imported by name
    for page, text in pages:
        if page.startswith(("api/", "pitfalls/", "guide/coverage")):
            continue
        code = "\n".join(re.findall(r"```python[^\n]*\n(.*?)```", text, flags=re.S))
        if any(re.search(p, code) for p in patterns):
            return page
        if namespace == "torch.func" and "from torch.func import" in code and re.search(rf"(?<![\w.]){n}\(", code):
            return page  # (the transforms are usually imported by name)
    return None


def _api_page_for(name: str, namespace: str, pages) -> str | None:
    prefix = API_PREFIX.get(namespace)
    if prefix is None:
        return None
    directive = re.compile(rf"^:::\s+{prefix}{re.escape(name)}\s*$", re.M)
    for page, text in pages:
        if page.startswith("api/") and directive.search(text):
            return page
    return None


def coverage(docs: Path, nav_pages: list[str]) -> dict:
    """namespace -> list of (name, implemented, example page or None, API page or None)."""
    pages = _pages(docs, nav_pages)
    table = {}
    for namespace, (module, names) in NAMESPACES.items():
        target = _resolve(module)
        rows = []
        for name in names.split():
            implemented = target is not None and hasattr(target, name)
            example = _page_for(name, namespace, pages) if implemented else None
            api = _api_page_for(name, namespace, pages) if implemented else None
            rows.append((name, implemented, example, api))
        table[namespace] = rows
    return table


WORDS = {
    "en": {"missing": "not implemented yet", "name": "name", "page": "example",
           "api": "API reference", "count": "{n} of {m} names implemented.",
           "all": "All {m} names implemented."},
    "zh": {"missing": "尚未实现", "name": "名称", "page": "示例", "api": "API 参考",
           "count": "{m} 个名称中已实现 {n} 个。", "all": "{m} 个名称全部已实现。"},
}


def _link(page, page_dir: str) -> str:
    if not page:
        return "—"
    target = page[len(page_dir) + 1:] if page.startswith(page_dir + "/") else f"../{page}"
    return f"[{page.removesuffix('.md')}]({target})"


def markdown(docs: Path, nav_pages: list[str], lang: str, page_dir: str = "guide") -> str:
    """The generated tables, with links relative to a page in ``page_dir``."""
    w = WORDS[lang]
    out = []
    for namespace, rows in coverage(docs, nav_pages).items():
        done = [r for r in rows if r[1]]
        out.append(f"### `{namespace}` {{#{namespace.replace('.', '-').replace('_', '-').lower()}}}\n")
        out.append((w["all"] if len(done) == len(rows) else w["count"]).format(n=len(done), m=len(rows)))
        out.append("")
        if done:
            out.append(f"| {w['name']} | {w['page']} | {w['api']} |\n| --- | --- | --- |")
            for name, _, page, api in done:
                out.append(f"| `{name}` | {_link(page, page_dir)} | {_link(api, page_dir)} |")
            out.append("")
        missing = [f"`{name}`" for name, ok, _, _ in rows if not ok]
        if missing:
            out.append(f"**{w['missing']}:** " + ", ".join(missing) if lang == "en"
                       else f"**{w['missing']}：**" + "、".join(missing))
            out.append("")
    return "\n".join(out)
