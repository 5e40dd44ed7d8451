"""Torch functions of a tensor (reductions, shape and index functions, ``*_like``, sorting,
``softmax``, ``mm``, the ``*_copy`` functions...) given a Python number, list or None where
the tensor goes: PyTorch's argument parser raises TypeError (``sum(): argument 'input'
(position 1) must be Tensor, not float``); so does reftorch, through the shared check
``reftorch._ops._common.tensor_input`` (the element-wise functions: test_unary_non_tensor.py).

Each function is called with valid remaining arguments (``REST``), so that only the first
one is wrong. Where PyTorch's parser has several overloads for the call it says "sum()
received an invalid combination of arguments - got (float, int), ..." instead: reftorch then
gives its one-overload text, and only the type is compared."""
from __future__ import annotations

import pytest
import torch

import reftorch

#: the arguments after the first, by function (``x`` a 2x2 float tensor, ``i`` a 2x2 int64
#: one of zeros, ``m`` a 2x2 bool one)
REST = {
    "": """sum mean max min argmax argmin count_nonzero amax amin aminmax prod std var std_mean var_mean
        nanmean nansum median mode nanmedian sort argsort msort flatten squeeze t view_as_complex fliplr
        flipud rot90 ravel unbind diag diagflat diagonal trace diag_embed tril triu empty_like zeros_like
        ones_like rand_like randn_like bernoulli poisson histc diff cov corrcoef nonzero argwhere pdist
        trapezoid trapz cumulative_trapezoid norm_except_dim gradient diagonal_copy slice_copy squeeze_copy
        t_copy unbind_copy view_as_complex_copy combinations vander selu celu rrelu rrelu_ celu_ selu_ hardshrink
        numel detach is_floating_point
        clone detach_copy zero_""",
    "x": """maximum minimum binomial mm inner cdist slice_scatter bmm dot ger outer kl_div
        binary_cross_entropy_with_logits hinge_embedding_loss cosine_similarity pairwise_distance conv1d mv cross
        eq ne not_equal lt le gt ge less less_equal greater greater_equal rsub searchsorted""",
    "0": """fill logsumexp cumsum cumprod cummax cummin logcumsumexp topk unsqueeze repeat_interleave full_like
        softmax log_softmax quantile nanquantile unsqueeze_copy""",
    "1": """kthvalue chunk unsafe_chunk unsafe_split tensor_split hsplit vsplit randint_like multinomial
        mvlgamma histogramdd split_copy
        dsplit histogram group_norm max_pool1d max_pool2d max_pool1d_with_indices avg_pool1d adaptive_max_pool1d
        adaptive_avg_pool1d channel_shuffle pixel_shuffle pixel_unshuffle roll""",
    "(4,)": "reshape tile view_copy",
    "0, 1": "transpose swapaxes swapdims movedim moveaxis select select_copy transpose_copy",
    "(2, 2)": "broadcast_to expand_copy layer_norm rms_norm",
    "[0, 1]": "permute flip permute_copy",
    "0, i": "gather",
    "0, T.tensor([0])": "index_select",
    "m, 1.0": "masked_fill",
    "0, 0, 1": "narrow narrow_copy unfold_copy",
    "0, i, x": "scatter scatter_add",
    "T.tensor([0, 1])": "take take_along_dim diagonal_scatter",
    "x, x": "addmm baddbmm margin_ranking_loss triplet_margin_loss",
    "(1,), (0,)": "as_strided",
    "0, T.tensor([0]), x": "index_add index_copy",
    "0, T.tensor([0]), 1.0": "index_fill",
    "m, x": "masked_scatter",
    "0, i, x, 'sum'": "scatter_reduce",
    "[2]": "split_with_sizes unsafe_split_with_sizes",
    "x, x, x": "rnn_relu_cell rnn_tanh_cell",
    "(i,), x": "index_put",
    "i, x": "put",
    "0, (1, 2)": "unflatten",
    "2, 0, 1": "renorm",
    "0, 0": "threshold",
}
CASES = [(name, rest) for rest, names in REST.items() for name in names.split()]


def _error(T, name, first, rest):
    x, i, m = T.ones(2, 2), T.zeros(2, 2, dtype=T.int64), T.ones(2, 2, dtype=T.bool)
    with pytest.raises(Exception) as info:
        eval(f"T.{name}(first, {rest})", {"T": T, "first": first, "x": x, "i": i, "m": m})
    return info.value


@pytest.mark.parametrize("first", [1.0, 2, [1.0], None], ids=["float", "int", "list", "None"])
@pytest.mark.parametrize("name,rest", CASES, ids=[n for n, _ in CASES])
def test_non_tensor_first_argument_raises_pytorchs_type_error(name, rest, first):
    et, er = _error(torch, name, first, rest), _error(reftorch, name, first, rest)
    assert type(er) is type(et) is TypeError, (et, er)
    # reftorch's text: PyTorch's one-overload text, naming the function an alias stands for
    # ("transpose(): ..." for torch.swapaxes)
    head, _, tail = str(er).partition("(): ")
    assert tail == f"argument '{tail.split(chr(39))[1]}' (position 1) must be Tensor, not {type(first).__name__}"
    if "(): argument" in str(et):
        assert str(et).partition("(): ")[2] == tail
        assert head in (name, getattr(reftorch, name).__name__)


def test_tensors_keywords_and_methods_still_work():
    x = reftorch.tensor([[3.0, 1.0], [2.0, 4.0]])
    assert reftorch.sum(input=x).item() == 10.0
    assert reftorch.permute(x, (1, 0)).tolist() == [[3.0, 2.0], [1.0, 4.0]]
    assert reftorch.permute_copy(x, (1, 0)).tolist() == [[3.0, 2.0], [1.0, 4.0]]
    assert x.sum(0).tolist() == [5.0, 5.0] and x.t().tolist() == [[3.0, 2.0], [1.0, 4.0]]
    for lib in (torch, reftorch):  # by keyword: no position in the message
        with pytest.raises(TypeError, match=r"^cumsum\(\): argument 'input' must be Tensor, not int$"):
            lib.cumsum(input=3, dim=0)


@pytest.mark.parametrize("name", sorted({n for n, _ in CASES if hasattr(reftorch.Tensor, n)}))
def test_methods_bind_the_unchecked_function(name):
    """``x.sum()``: ``self`` is a tensor, the method skips the check (see _tensor_methods)."""
    assert not hasattr(getattr(reftorch.Tensor, name), "unchecked")


#: functions of torch.fft, torch.linalg and torch.nn.functional, by their remaining arguments
SPACE_REST = {
    ("fft", ""): """fft fft2 fftn fftshift hfft hfft2 hfftn ifft ifft2 ifftn ifftshift ihfft ihfft2 ihfftn irfft
        irfft2 irfftn rfft rfft2 rfftn""",
    ("linalg", ""): "matrix_norm norm vector_norm",
    ("nn.functional", ""): """celu dropout elu elu_ gelu hardsigmoid hardswish hardtanh hardtanh_ leaky_relu
        leaky_relu_ logsigmoid mish relu6 rrelu rrelu_ selu silu softplus softshrink alpha_dropout
        feature_alpha_dropout""",
    ("nn.functional", "1"): """adaptive_max_pool1d adaptive_max_pool1d_with_indices avg_pool1d avg_pool2d max_pool1d
        max_pool1d_with_indices max_pool2d max_pool2d_with_indices unfold""",
    ("nn.functional", "x"): "linear poisson_nll_loss",
    ("nn.functional", "x, reduction='sum'"): "kl_div",
    ("nn.functional", "(2, 2)"): "layer_norm",
    ("nn.functional", "T.tensor([0, 1])"): "multi_margin_loss multilabel_margin_loss",
    ("nn.functional", "x, x"): "triplet_margin_loss",
}
#: PyTorch names these parameters ``input`` in its message, ``A`` / ``x`` in the signature
#: (the keyword reftorch's check reads): only the type is compared
PARAM_DIFFERS = {("linalg", "matrix_norm"), ("linalg", "norm"), ("linalg", "vector_norm")}
SPACE_CASES = [(space, name, rest) for (space, rest), names in SPACE_REST.items() for name in names.split()]


def _space_error(T, space, name, first, rest):
    fn = getattr(T, space.split(".")[0])
    for part in space.split(".")[1:]:
        fn = getattr(fn, part)
    x = T.ones(2, 2)
    with pytest.raises(Exception) as info:
        eval(f"fn(first, {rest})", {"T": T, "fn": getattr(fn, name), "first": first, "x": x})
    return info.value


@pytest.mark.parametrize("first", [1.0, [1.0], None], ids=["float", "list", "None"])
@pytest.mark.parametrize("space,name,rest", SPACE_CASES, ids=[f"{s}.{n}" for s, n, _ in SPACE_CASES])
def test_namespaced_function_raises_pytorchs_type_error(space, name, rest, first):
    et, er = _space_error(torch, space, name, first, rest), _space_error(reftorch, space, name, first, rest)
    assert type(er) is type(et) is TypeError, (et, er)
    if (space, name) not in PARAM_DIFFERS:  # "fft_rfft(): ...", "log_sigmoid(): ...", "im2col(): ..."
        assert str(er) == str(et)


@pytest.mark.parametrize("call", ["torch.norm(1.0)", "torch.norm(None)", "torch.nn.functional.tanh(1.0)",
                                  "torch.nn.functional.sigmoid([1.0])"])
def test_python_level_functions_keep_pytorchs_attribute_error(call):
    """PyTorch's torch.norm, F.tanh and F.sigmoid are Python code reading an attribute of
    the argument first: AttributeError, not the parser's TypeError."""
    for lib in (torch, reftorch):
        with pytest.raises(AttributeError):
            eval(call, {"torch": lib})
