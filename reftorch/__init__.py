"""reftorch: a readable reference implementation of core PyTorch APIs on NumPy and CuPy.

``import reftorch as torch`` runs ordinary PyTorch code for every covered API with the same
results, shapes, dtypes, printed output and exception types as PyTorch 2.13.

Layout (mirrors the ``torch`` namespace), bottom-up: each layer imports only from those
below it (checked by ``tests/test_layering.py``):

1. ``_dtype``, ``_device``, ``_size``, ``_scalar``, ``_layout`` (shape and stride rules),
   ``_grad_state`` (the grad-mode flags), ``_tensor_str``, ``_rng``, and ``_backends/`` —
   NumPy (cpu), CuPy (cuda) and the array-API-strict test stand-in;
2. ``_tensor.py`` — the ``Tensor`` class; beside it ``random.py`` (PyTorch-exact CPU random
   streams) and ``cuda/``;
3. ``autograd/`` — the graph nodes, ``Function``, the backward engine and the grad-mode
   switches (no ops: ``create_graph`` receives them from this file, ``register_ops``);
4. ``_ops/`` — the operations, one ``Function`` per differentiable op;
5. ``_tensor_inplace.py`` — ``x[key] = value``;
6. ``_tensor_methods.py`` — binds the ops to ``Tensor`` as methods, and hands ``Tensor`` the
   few functions of the layers above that its own methods call (``backward`` …);
7. this namespace, ``nn/``, ``optim/``, ``linalg/``, ``utils/``, ``serialization.py``.
"""
__version__ = "0.1.0"

from ._dtype import (  # noqa: F401
    dtype, bool, uint8, int8, int16, short, int32, int, int64, long, float16, half, bfloat16,
    float32, float, float64, double, complex64, cfloat, complex128, cdouble,
    get_default_dtype, set_default_dtype, promote_types, result_type, can_cast,
)
from ._size import Size  # noqa: F401
from ._memory_format import memory_format, contiguous_format, channels_last, channels_last_3d, preserve_format  # noqa: F401
from ._type_info import finfo, iinfo  # noqa: F401
from ._device import device, set_default_device, get_default_device  # noqa: F401
from ._tensor import Tensor  # noqa: F401
from . import _tensor_methods  # noqa: F401  (binds methods to Tensor)
from ._tensor_str import set_printoptions  # noqa: F401
from ._parallel import get_num_threads, set_num_threads, get_num_interop_threads, set_num_interop_threads  # noqa: F401
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode  # noqa: F401
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: F401
from .autograd.anomaly_mode import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled  # noqa: F401
from . import autograd  # noqa: F401
from .random import Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator  # noqa: F401
from ._ops.creation import (  # noqa: F401
    tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, zeros_like, ones_like, empty_like,
    full_like, arange, linspace, logspace, eye,
)
from ._ops.gamma_sampling import _dirichlet_grad, _sample_dirichlet, _standard_gamma, _standard_gamma_grad  # noqa: F401
from ._ops.sampling import (  # noqa: F401
    rand, randn, randint, randperm, normal, rand_like, randn_like, randint_like, bernoulli, poisson, binomial,
)
from ._ops.shape import (  # noqa: F401
    reshape, flatten, unflatten, squeeze, unsqueeze, transpose, swapaxes, swapdims, t,
    movedim, clone,
)
from ._ops.shape import torch_permute as permute  # noqa: F401, E402 (dims as one tuple, as torch.permute)
from ._ops.join import cat, concat, concatenate, stack, hstack, vstack, row_stack  # noqa: F401
from ._ops.indexing import index_select, gather, masked_fill  # noqa: F401
from ._ops.pointwise import (  # noqa: F401
    add, sub, subtract, mul, multiply, div, divide, true_divide, pow, neg, negative, exp, log, sqrt, abs,
    tanh, sigmoid, relu, sin, cos, floor_divide, remainder, eq, ne, lt, le, gt, ge, greater, greater_equal,
    less, less_equal, not_equal, logical_and, logical_or, logical_xor, logical_not,
)
from ._ops.reduction import sum, mean, max, min, argmax, argmin, maximum, minimum, equal  # noqa: F401
from ._ops.pointwise import where, reciprocal, isclose, conj, rsub  # noqa: F401
from ._ops.reduction import all, any, allclose  # noqa: F401
from ._ops.indexing import unbind  # noqa: F401
from ._tensor import LEGACY_TYPES as _LEGACY_TYPES

globals().update(_LEGACY_TYPES)  # torch.FloatTensor, torch.LongTensor, … (legacy typed constructors)
from ._ops.linalg import matmul, mm, bmm, mv, dot  # noqa: F401
from ._ops.linalg_removed import solve, lstsq, eig, symeig, matrix_rank  # noqa: F401  (removed: raise)
from ._ops.legacy_range import range  # noqa: F401, A001  (deprecated, end inclusive)
from ._default_tensor_type import set_default_tensor_type  # noqa: F401  (deprecated)
from ._ops.creation import empty_permuted  # noqa: F401
from ._ops.frombuffer import frombuffer  # noqa: F401
from ._ops.nonzero import nonzero_static  # noqa: F401
from ._ops.norm import nuclear_norm, frobenius_norm  # noqa: F401  (deprecated: kept for JIT in PyTorch)
from ._tensor_methods import adjoint  # noqa: F401
from . import cuda  # noqa: F401
from ._ops.softmax import softmax, log_softmax  # noqa: F401
from ._ops.clamp import clamp, clip, clamp_, clip_, clamp_min, clamp_max  # noqa: F401
from ._ops.sorting import sort, argsort, msort, topk  # noqa: F401
from ._ops.splitting import split, chunk, split_with_sizes  # noqa: F401
from ._ops.splitting import unsafe_split, unsafe_chunk, unsafe_split_with_sizes  # noqa: F401
from ._tensor_methods import fill  # noqa: F401
is_signed, is_nonzero, is_same_size = Tensor.is_signed, Tensor.is_nonzero, Tensor.is_same_size  # (torch.is_signed(t) ...)
from ._ops.tensor_split import tensor_split, hsplit, vsplit, dsplit, ravel  # noqa: F401
from ._ops.triangular import tril, triu  # noqa: F401
from ._ops.einsum import einsum  # noqa: F401
from ._ops.scatter import scatter, scatter_add, scatter_reduce  # noqa: F401
from ._ops.nonzero import nonzero, argwhere  # noqa: F401
from ._ops.reduction import count_nonzero  # noqa: F401
from ._ops.norm import torch_norm as norm, amax, amin  # noqa: F401
from ._ops.multinomial import multinomial  # noqa: F401
from ._ops.cumulative import cumsum, cumprod, cummax, cummin, logcumsumexp  # noqa: F401
from ._ops.reorder import flip, roll, repeat_interleave  # noqa: F401
from ._ops.inplace_shape import zero_  # noqa: F401
from . import linalg, return_types, special  # noqa: F401
from ._ops.indexing import narrow  # noqa: F401
from ._ops.as_strided import as_strided, as_strided_scatter  # noqa: F401
from ._ops.matrix_exp import torch_matrix_exp as matrix_exp  # noqa: F401
from ._ops.shape import tile, broadcast_to, broadcast_shapes, broadcast_tensors, view_as_real, view_as_complex  # noqa: F401
from ._ops.pointwise import addcmul, addcdiv, lerp  # noqa: F401
from ._ops.pointwise import (  # noqa: F401
    bitwise_and, bitwise_or, bitwise_xor, bitwise_not, bitwise_left_shift, bitwise_right_shift,
)
from ._ops.indexing import index_fill, masked_scatter  # noqa: F401
from ._tensor_inplace import index_put, index_put_  # noqa: F401
from ._ops.creation import scalar_tensor, empty_strided  # noqa: F401
from ._ops.indexing import real, imag  # noqa: F401
# -- element-wise math: rounding, sign, classification (unary_math.py)
from ._ops.unary_math import (  # noqa: F401
    floor, ceil, round, trunc, fix, frac, sign, sgn, square, isnan, isinf, isfinite, nan_to_num)
from ._ops.unary_math import (  # noqa: F401
    rsqrt, log1p, expm1, log2, log10, exp2, tan, asin, acos, atan, arcsin, arccos, arctan, sinh, cosh, erf, erfc)
from ._ops.binary_math import atan2, arctan2, hypot, fmod, logaddexp, fmax, fmin, copysign  # noqa: F401
from ._ops.unary_math import signbit, deg2rad, rad2deg, logit  # noqa: F401
from ._ops.special_math import lgamma, digamma, polygamma, mvlgamma, erfinv, i0, sinc, xlogy  # noqa: F401
from ._ops.incomplete_gamma import igamma, igammac  # noqa: F401
from ._ops.float_math import (  # noqa: F401
    logaddexp2, float_power, heaviside, isposinf, isneginf, isreal, absolute, positive, gcd, lcm, ldexp, frexp,
    nextafter, acosh, asinh, atanh, arccosh, arcsinh, arctanh)
# reductions and statistics (helper `reduce`)
from ._ops.statistics import prod, var, std, var_mean, std_mean, logsumexp, nansum, nanmean  # noqa: F401
from ._ops.diagonal import select, diagonal, diag, trace  # noqa: F401
from ._ops.products import outer, ger, inner, addmm, addmv, baddbmm  # noqa: F401
from ._ops.order_stats import median, nanmedian, kthvalue, mode  # noqa: F401
from ._ops.quantile import quantile, nanquantile  # noqa: F401
from ._ops.aminmax import aminmax  # noqa: F401
from ._ops.correlation import cov, corrcoef  # noqa: F401
from ._ops.histogram import histc, histogram, histogramdd  # noqa: F401
from ._ops.trapezoid import trapezoid, trapz, cumulative_trapezoid  # noqa: F401
from ._ops.block_diag import block_diag  # noqa: F401
from ._ops.combinations import combinations  # noqa: F401
from ._ops.vander import vander  # noqa: F401
from ._ops.diagonal import diagflat  # noqa: F401
from ._ops.unravel_index import unravel_index  # noqa: F401
from ._ops.renorm import renorm  # noqa: F401
from ._ops.index_copy import index_copy  # noqa: F401
from ._ops.index_reduce import index_reduce  # noqa: F401
from ._ops.view_scatter import select_scatter, slice_scatter, diagonal_scatter  # noqa: F401
from ._ops.differences import diff, cross  # noqa: F401
from ._ops.masked_select import masked_select  # noqa: F401
from ._ops.unique import unique, unique_consecutive  # noqa: F401
from ._ops.bincount import bincount  # noqa: F401
from ._ops.index_add import index_add  # noqa: F401
from ._ops.take import take, take_along_dim, put  # noqa: F401
from ._ops.gradient import gradient  # noqa: F401
from ._ops.meshgrid import meshgrid  # noqa: F401
from ._ops.bucketization import searchsorted, bucketize  # noqa: F401
from ._ops.isin import isin  # noqa: F401
from ._ops.distance import cdist, pdist  # noqa: F401
from ._ops.shape import movedim as moveaxis  # noqa: F401, E402
from ._ops.flips import fliplr, flipud, rot90  # noqa: F401
from ._ops.atleast import atleast_1d, atleast_2d, atleast_3d, column_stack, dstack  # noqa: F401
from ._ops.tri_indices import tril_indices, triu_indices  # noqa: F401
from ._ops.tensor_products import kron, tensordot, cartesian_prod  # noqa: F401
from ._ops.diag_embed import diag_embed  # noqa: F401
from ._ops.linalg_solve import torch_det as det, logdet, torch_slogdet as slogdet, inverse  # noqa: F401
from ._ops.linalg_decomp import torch_cholesky as cholesky, torch_svd as svd, torch_qr as qr  # noqa: F401
from ._ops.linalg_products import pinverse  # noqa: F401
from ._ops.householder import orgqr  # noqa: F401
from ._ops.linalg_lu import lu_unpack, torch_lu as lu, torch_lu_solve as lu_solve  # noqa: F401
from ._ops.linalg_cholesky_solve import cholesky_inverse, cholesky_solve, triangular_solve  # noqa: F401
from ._ops.qr_reflectors import geqrf, ormqr  # noqa: F401
from ._ops.products_fused import addbmm, addr, chain_matmul, dist, vdot  # noqa: F401
from ._ops.linalg_products import matrix_power  # noqa: F401
from ._ops.weight_norm import norm_except_dim, _weight_norm  # noqa: F401
from ._ops.complex_ops import (  # noqa: F401
    complex, polar, angle, is_conj, is_neg, resolve_conj, resolve_neg, conj_physical, conj_physical_)
from ._ops.complex_ops import _need_tensor
from ._tensor import typename  # noqa: F401
from math import pi, e, inf, nan  # noqa: F401, E402  (torch.pi … are Python floats)

newaxis = None  #: ``x[:, torch.newaxis]`` adds a dimension, as ``None`` does

from ._ops.view_copies import (  # noqa: F401
    view_copy, permute_copy, t_copy, transpose_copy, squeeze_copy, unsqueeze_copy, expand_copy, select_copy,
    slice_copy, split_copy, split_with_sizes_copy, unbind_copy, diagonal_copy, narrow_copy, detach_copy, alias_copy,
    as_strided_copy, unfold_copy, view_as_real_copy, view_as_complex_copy)


#: ``torch.abs_(x)`` ...: the in-place functions of the torch namespace are the in-place Tensor methods.
_INPLACE_FUNCTIONS = """
    abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ atanh_ ceil_
    clamp_max_ clamp_min_ cos_ cosh_ deg2rad_ detach_ erf_ erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_
    i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ round_
    rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ resize_as_ as_strided_""".split()
globals().update({_name: getattr(Tensor, _name) for _name in _INPLACE_FUNCTIONS})


def is_tensor(obj) -> "bool":
    """True if ``obj`` is a reftorch tensor. Mirrors ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


from ._ops._common import tensor_input as _tensor_input  # noqa: E402


@_tensor_input
def numel(input) -> "int":
    """The number of elements of ``input``. Mirrors ``torch.numel``."""
    return input.numel()


@_tensor_input
def is_floating_point(input) -> "bool":
    """True for floating point tensors (float16, bfloat16, float32, float64; not complex ones).
    Mirrors ``torch.is_floating_point``."""
    return input.dtype.is_floating_point


def is_complex(input) -> "bool":
    """True for complex64/complex128 tensors. Mirrors ``torch.is_complex``.

    Raises:
        TypeError: when ``input`` is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> torch.is_complex(torch.tensor([1j])), torch.is_complex(torch.tensor([1.0]))
        (True, False)
    """
    _need_tensor("is_complex", "input", 1, input)
    return input.is_complex()


def is_inference(input) -> "bool":
    """Whether ``input`` is an inference tensor (made inside ``torch.inference_mode()``).
    Mirrors ``torch.is_inference``; see :meth:`Tensor.is_inference`.

    Examples:
        >>> import reftorch as torch
        >>> with torch.inference_mode():
        ...     x = torch.ones(1)
        >>> torch.is_inference(x), torch.is_inference(torch.ones(1))
        (True, False)
    """
    _need_tensor("is_inference", "input", 1, input)
    return input.is_inference()


def get_device(input) -> "int":
    """The index of the device ``input`` lives on: ``-1`` for the CPU. Mirrors
    ``torch.get_device`` / ``Tensor.get_device``.

    Examples:
        >>> import reftorch as torch
        >>> torch.get_device(torch.ones(1))
        -1
    """
    _need_tensor("get_device", "input", 1, input)
    return input.get_device()


@_tensor_input
def detach(input):
    return input.detach()


import importlib.util as _ilu  # noqa: E402

for _sub in ("nn", "utils"):  # sub-packages written alongside the core
    if _ilu.find_spec(f"{__name__}.{_sub}") is not None:
        __import__(f"{__name__}.{_sub}")
del _sub, _ilu
from ._torch_functional import (  # noqa: E402,F401  (torch.conv2d, torch.dropout ...: nn's kernels)
    adaptive_avg_pool1d, adaptive_max_pool1d, affine_grid_generator, alpha_dropout, alpha_dropout_, avg_pool1d,
    batch_norm, bilinear, binary_cross_entropy_with_logits, celu, celu_, channel_shuffle, constant_pad_nd,
    conv1d, conv2d, conv3d, conv_tbc, conv_transpose1d, conv_transpose2d, conv_transpose3d, convolution,
    cosine_embedding_loss, cosine_similarity, ctc_loss, dropout, dropout_, embedding, embedding_bag,
    embedding_renorm_, feature_alpha_dropout, feature_alpha_dropout_, feature_dropout, feature_dropout_,
    grid_sampler, grid_sampler_2d, grid_sampler_3d, group_norm, gru_cell, hardshrink, hinge_embedding_loss,
    instance_norm, kl_div, layer_norm, lstm_cell, margin_ranking_loss, max_pool1d, max_pool1d_with_indices,
    max_pool2d, max_pool3d, pairwise_distance, pixel_shuffle, pixel_unshuffle, poisson_nll_loss, prelu,
    rms_norm, rnn_relu_cell, rnn_tanh_cell, rrelu, rrelu_, selu, selu_, threshold, threshold_,
    triplet_margin_loss,
)

from ._torch_native import (  # noqa: E402,F401  (torch.native_layer_norm ...: nn's kernels, all outputs)
    native_batch_norm, native_channel_shuffle, native_dropout, native_layer_norm, native_norm)
from ._torch_rnn import gru, lstm, rnn_relu, rnn_tanh  # noqa: E402,F401  (the operators behind nn.LSTM ...)
from ._cond import cond  # noqa: E402,F401  (torch.cond, eager)
Tensor.hardshrink = hardshrink.unchecked  # (the method skips the argument check: see _tensor_methods)
Tensor.prelu = prelu
from . import optim  # noqa: E402,F401  (torch.optim)
__import__(f"{__name__}.utils.checkpoint")  # (torch.utils.checkpoint, over nn)
from . import fft  # noqa: E402,F401  (torch.fft)
from .fft._stft import stft, istft  # noqa: E402,F401  (torch.stft, torch.istft)
from ._ops.windows import (  # noqa: E402,F401
    bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window)

Tensor.stft = stft
Tensor.istft = istft
from . import distributions  # noqa: E402,F401  (torch.distributions)
from . import signal  # noqa: E402,F401  (torch.signal.windows)
from . import func  # noqa: E402,F401  (torch.func)
from .func import vmap  # noqa: E402,F401  (torch.vmap)
from .serialization import save, load  # noqa: E402,F401
from . import _dynamo, compiler  # noqa: E402,F401  (torch._dynamo, torch.compiler)
from ._compile import compile  # noqa: E402,F401
from . import amp  # noqa: E402,F401  (torch.amp)
from .amp import GradScaler, autocast  # noqa: E402,F401
from .cuda import amp as _cuda_amp  # noqa: E402,F401  (torch.cuda.amp: over amp, so not loaded by cuda itself)
del _cuda_amp
from ._autocast import (  # noqa: E402,F401
    is_autocast_enabled, set_autocast_enabled, get_autocast_dtype, set_autocast_dtype, is_autocast_cache_enabled,
    set_autocast_cache_enabled, clear_autocast_cache, autocast_increment_nesting, autocast_decrement_nesting,
    is_autocast_cpu_enabled, set_autocast_cpu_enabled, get_autocast_cpu_dtype, set_autocast_cpu_dtype,
    get_autocast_gpu_dtype, set_autocast_gpu_dtype)
from . import backends, cpu, testing  # noqa: E402,F401  (torch.backends, torch.cpu, torch.testing)
from . import storage  # noqa: E402  (torch.storage)
from .storage import UntypedStorage, TypedStorage, LEGACY_STORAGES as _LEGACY_STORAGES  # noqa: E402,F401

globals().update(_LEGACY_STORAGES)  # torch.FloatStorage, torch.LongStorage, … (legacy typed storages)
Tensor.untyped_storage = storage.untyped_storage
Tensor.storage = storage.storage
Tensor._typed_storage = storage._typed_storage
Tensor.storage_type = storage.storage_type
Tensor.is_shared = storage.is_shared
Tensor.share_memory_ = storage.share_memory_
Tensor.is_set_to = storage.is_set_to
Tensor.set_ = storage.set_
from ._flags import (  # noqa: E402,F401
    use_deterministic_algorithms, are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
    set_deterministic_debug_mode, get_deterministic_debug_mode, set_float32_matmul_precision,
    get_float32_matmul_precision, set_warn_always, is_warn_always_enabled, set_flush_denormal)

from .autograd import _graph as _autograd_graph  # noqa: E402

_autograd_graph.register_ops(__import__(__name__))  # create_graph's tensor namespace calls the finished ops
