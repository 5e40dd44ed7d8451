"""The functions of the torch namespace that ``torch.nn.functional`` is built on
(``torch.conv2d``, ``torch.dropout``, ``torch.batch_norm``, ``torch.embedding`` ...).

PyTorch exposes its ATen operators in the torch namespace with the operators' own
signatures, which can differ from their ``torch.nn.functional`` wrappers; these functions
take the torch.xxx signatures and call the kernels of ``reftorch.nn``:

* no ``inplace`` argument (the in-place operators are the ``xxx_`` functions), positional
  ``p, train`` for the dropouts;
* the arguments in the operator's order: ``torch.batch_norm(input, weight, bias,
  running_mean, running_var, training, momentum, eps, cudnn_enabled)``,
  ``torch.embedding(weight, indices, ...)`` with the table first;
* ``reduction`` of the losses as an int (1 mean, 2 sum, any other none); PyTorch's Python
  binding gives its default as 0, so that a loss called without it is not reduced;
* ``stride=()`` (empty: the kernel size) for the pools, which return no indices, except the
  ``*_with_indices`` ones and ``adaptive_max_pool1d`` (always a pair); ``embedding_bag``
  returns the kernel's four outputs;
* no checks or warnings of the Python layer (``batch_norm`` on one value per channel, the
  range of ``eps``, the shapes of ``binary_cross_entropy_with_logits``, the dims of
  ``margin_ranking_loss``, ``kl_div``'s and ``affine_grid``'s warnings), and
  ``RuntimeError`` (not ``ValueError``) for a dropout probability outside [0, 1], as the
  operators do;
* ``cudnn_enabled`` / ``cudnn_enable`` accepted and ignored.
"""
from __future__ import annotations

from . import _autocast
from . import _dtype as D
from ._autocast import anywhere as _autocasting
from ._tensor import _C_TYPE, Tensor
from ._tensor_inplace import check_inplace
from ._ops._common import tensor_input
from .autograd._renamed import renamed
from .autograd.grad_mode import no_grad
from .nn import functional as F
from .nn._embedding_bag import bag_extras
from .nn._grid_sample import affine_grid_generator as _affine_grid_generator
from .nn._margin_losses import margin_ranking
from .nn._rrelu import rrelu_with_generator
from .nn.modules.rnn import _cell_step, _check_cell

# torch.xxx that are the nn.functional function itself (same parameters)
from .nn.functional import (  # noqa: F401
    adaptive_avg_pool1d, bilinear, channel_shuffle, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
    conv_transpose3d, cosine_similarity, hardshrink, pairwise_distance, pixel_shuffle, pixel_unshuffle, prelu,
    rms_norm, selu_, celu_, threshold_,
)

#: The int ``reduction`` of the loss operators (ATen's ``Reduction`` enum).
_REDUCTIONS = ("none", "mean", "sum")


def _reduction(reduction):
    """The name of an int ``reduction``: 1 mean, 2 sum, any other int none (ATen's rule)."""
    if isinstance(reduction, bool) or not isinstance(reduction, int):
        raise TypeError(f"argument 'reduction' must be int, not {type(reduction).__name__}")
    return _REDUCTIONS[reduction] if reduction in (1, 2) else "none"


# ----------------------------------------------------------------- activations
@tensor_input
def selu(input):
    """SELU without ``inplace``. Mirrors ``torch.selu`` (``EluBackward0``).

    Examples:
        >>> import reftorch as torch
        >>> torch.selu(torch.tensor([1.0, 0.0]))
        tensor([1.0507, 0.0000])
    """
    return F.selu(input)


@tensor_input
def celu(input, alpha=1.0):
    """CELU without ``inplace``. Mirrors ``torch.celu``."""
    return F.celu(input, alpha)


@tensor_input
def threshold(input, threshold, value):
    """``input`` where it is above ``threshold``, ``value`` elsewhere. Mirrors ``torch.threshold``."""
    return F.threshold(input, threshold, value)


@tensor_input
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """The randomized leaky ReLU, its slopes drawn from ``generator`` (default: the global
    one) in training. Mirrors ``torch.rrelu``."""
    return rrelu_with_generator(input, lower, upper, training, False, generator)


@tensor_input
def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place :func:`rrelu`. Mirrors ``torch.rrelu_``."""
    return rrelu_with_generator(input, lower, upper, training, True, generator)


# ----------------------------------------------------------------- dropout
def _check_p(p):
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p, train):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` when
    ``train`` (all arguments required). Mirrors ``torch.dropout``; the mask is PyTorch's
    after the same seed.

    Raises:
        RuntimeError: if ``p`` is not between 0 and 1.

    Examples:
        >>> import reftorch as torch
        >>> torch.dropout(torch.ones(3), 0.5, False)
        tensor([1., 1., 1.])
    """
    _check_p(p)
    return F.dropout(input, p, train)


def dropout_(input, p, train):
    """In-place :func:`dropout`. Mirrors ``torch.dropout_``."""
    _check_p(p)
    return F.dropout(input, p, train, inplace=True)


def feature_dropout(input, p, train):
    """Zero whole channels (one draw per ``(N, C)`` pair of an input of at least 2 dims).
    Mirrors ``torch.feature_dropout``."""
    _check_p(p)
    return F._feature_dropout(input, p, train, False)


def feature_dropout_(input, p, train):
    """In-place :func:`feature_dropout`. Mirrors ``torch.feature_dropout_``."""
    _check_p(p)
    return F._feature_dropout(input, p, train, True)


def alpha_dropout(input, p, train):
    """Alpha dropout (for SELU networks) when ``train``. Mirrors ``torch.alpha_dropout``."""
    _check_p(p)
    return F._alpha_dropout(input, p, train, False, feature=False)


def alpha_dropout_(input, p, train):
    """In-place :func:`alpha_dropout`. Mirrors ``torch.alpha_dropout_``."""
    _check_p(p)
    return F._alpha_dropout(input, p, train, True, feature=False)


def feature_alpha_dropout(input, p, train):
    """Alpha dropout of whole channels. Mirrors ``torch.feature_alpha_dropout``."""
    _check_p(p)
    return F._alpha_dropout(input, p, train, False, feature=True)


def feature_alpha_dropout_(input, p, train):
    """In-place :func:`feature_alpha_dropout`. Mirrors ``torch.feature_alpha_dropout_``."""
    _check_p(p)
    return F._alpha_dropout(input, p, train, True, feature=True)


# ----------------------------------------------------------------- normalization
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """Batch normalization with the operator's argument order (all required). Mirrors
    ``torch.batch_norm`` (``NativeBatchNormBackward0``): without the checks of
    ``torch.nn.functional.batch_norm`` (one value per channel, ``eps``).

    Examples:
        >>> import reftorch as torch
        >>> torch.batch_norm(torch.tensor([[1.], [3.]]), None, None, None, None, True, 0.1, 1e-5, False)
        tensor([[-1.0000],
                [ 1.0000]])
    """
    return F._batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    """Instance normalization with the operator's argument order (all required). Mirrors
    ``torch.instance_norm``."""
    return F._instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


@tensor_input
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """:func:`torch.nn.functional.layer_norm`; ``cudnn_enable`` is ignored. Mirrors
    ``torch.layer_norm``."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


@tensor_input
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """Group normalization without the Python layer's check of the values per group;
    ``cudnn_enabled`` is ignored. Mirrors ``torch.group_norm``."""
    input.size(1)  # (PyTorch's IndexError for an input under 2-D)
    return F._group_norm(input, num_groups, weight, bias, eps)


# ----------------------------------------------------------------- convolution, padding
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution behind ``conv1d`` ... ``conv_transpose3d``, picked by ``weight``'s
    dims (3, 4 or 5) and ``transposed`` (all arguments required). Mirrors
    ``torch.convolution`` (``ConvolutionBackward0``).

    Raises:
        RuntimeError: for a weight of other dims.
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast: PyTorch does not list convolution, but
        return _autocast.run("convolution", convolution, locals())  # conv2d... are: run them uncast
    nd = weight.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-D, 4-D or 5-D weight, but got {weight.dim()}-D")
    if transposed:
        conv = (conv_transpose1d, conv_transpose2d, conv_transpose3d)[nd - 1]
        return conv(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return (conv1d, conv2d, conv3d)[nd - 1](input, weight, bias, stride, padding, dilation, groups)


@tensor_input
def conv_tbc(input, weight, bias, pad=0):
    """A 1-D convolution over sequences laid out time-first: ``input`` ``(T, B, C_in)``,
    ``weight`` ``(kW, C_in, C_out)``, ``bias`` ``(C_out,)`` (required), ``pad`` zeros added
    on both ends of the time axis (a negative ``pad`` crops). Returns
    ``(T + 2*pad - kW + 1, B, C_out)``. Mirrors ``torch.conv_tbc`` (``ConvTbcBackward0``;
    computed as ``conv1d`` on permuted views).

    Raises:
        RuntimeError: inputs that are not 3-D (the bias 1-D), or channel sizes that do not match.

    Examples:
        >>> import reftorch as torch
        >>> torch.conv_tbc(torch.ones(3, 1, 1), torch.ones(2, 1, 1), torch.zeros(1)).flatten()
        tensor([2., 2.])
    """
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.size(2) != weight.size(1):
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.size(2) != bias.size(0):
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {D.scalar_name(input.dtype)} and "
                           f"{D.scalar_name(weight.dtype)}")
    t_out = input.size(0) + 2 * pad - weight.size(0) + 1
    if t_out < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {t_out}: "
                           f"[{t_out}, {input.size(1)}, {weight.size(2)}]")
    if t_out == 0:  # no window fits
        return renamed(input[:0] @ weight[0] + bias, "ConvTbcBackward0")
    if pad < 0:  # (crop the time axis)
        input, pad = input[-pad:input.size(0) + pad], 0
    out = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad).permute(2, 0, 1)
    return renamed(out, "ConvTbcBackward0")


def constant_pad_nd(input, pad, value=0):
    """Pad the last dims with ``value`` (``pad`` as in :func:`torch.nn.functional.pad`).
    Mirrors ``torch.constant_pad_nd`` (``ConstantPadNdBackward0``).

    Examples:
        >>> import reftorch as torch
        >>> torch.constant_pad_nd(torch.tensor([1, 2]), [1, 2], 9)
        tensor([9, 1, 2, 9, 9])
    """
    return F.pad(input, pad, "constant", value)


# ----------------------------------------------------------------- pooling
def _stride(stride):
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


@tensor_input
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last dim; an empty ``stride`` is the kernel size. Mirrors
    ``torch.max_pool1d``."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@tensor_input
def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last 2 dims. Mirrors ``torch.max_pool2d``."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """Max pooling over the last 3 dims. Mirrors ``torch.max_pool3d``."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


@tensor_input
def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """:func:`max_pool1d` and the indices of the maxima (a pair). Mirrors
    ``torch.max_pool1d_with_indices``."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, True)


@tensor_input
def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    """Average pooling over the last dim. Mirrors ``torch.avg_pool1d``."""
    return F.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


@tensor_input
def adaptive_max_pool1d(input, output_size):
    """Adaptive max pooling over the last dim: always the pair ``(values, indices)``.
    Mirrors ``torch.adaptive_max_pool1d``."""
    return tuple(F.adaptive_max_pool1d(input, output_size, True))


# ----------------------------------------------------------------- losses
@tensor_input
def kl_div(input, target, reduction=0, *, log_target=False):
    """The Kullback-Leibler divergence terms of :func:`torch.nn.functional.kl_div` with an
    int ``reduction`` (0 none, the default of PyTorch's binding; 1 mean, without the
    warning; 2 sum). Mirrors ``torch.kl_div``."""
    return F._kl_div(input, target, _reduction(reduction), log_target)


@tensor_input
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """:func:`torch.nn.functional.binary_cross_entropy_with_logits` with an int ``reduction``.
    Mirrors ``torch.binary_cross_entropy_with_logits``."""
    if tuple(input.shape) != tuple(target.shape):  # (the kernel writes into a copy of ``target``)
        shape = tuple(F._shape_broadcast(target.shape, input.shape))
        if tuple(target.shape) != shape:
            raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
        input = input.expand(shape)
    return F._bce_with_logits(input, target, weight, pos_weight, _reduction(reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """:func:`torch.nn.functional.poisson_nll_loss` with all arguments required and an int
    ``reduction``. Mirrors ``torch.poisson_nll_loss``."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """Mirrors ``torch.cosine_embedding_loss`` (an int ``reduction``)."""
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


@tensor_input
def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """Mirrors ``torch.hinge_embedding_loss`` (an int ``reduction``)."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


@tensor_input
def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """Mirrors ``torch.margin_ranking_loss`` (an int ``reduction``; no check of the dims)."""
    return margin_ranking(input1, input2, target, margin, _reduction(reduction))


@tensor_input
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-06, swap=False, reduction=0):
    """Mirrors ``torch.triplet_margin_loss`` (an int ``reduction``)."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=_reduction(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    """Mirrors ``torch.ctc_loss`` (an int ``reduction``; the lengths as lists or tensors)."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction), zero_infinity)


# ----------------------------------------------------------------- embedding, sampling
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """Look up the rows of ``weight`` at ``indices`` (the table first; a negative
    ``padding_idx``, the default -1, is no padding row). Mirrors ``torch.embedding``.

    Examples:
        >>> import reftorch as torch
        >>> torch.embedding(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([1, 1, 0]))
        tensor([[3., 4.],
                [3., 4.],
                [1., 2.]])
    """
    pad = padding_idx if padding_idx >= 0 else None
    return F.embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale, in place, the rows of ``input`` (an embedding table) looked up by
    ``indices`` whose ``norm_type``-norm exceeds ``max_norm``. Mirrors
    ``torch.embedding_renorm_``."""
    check_inplace(input)
    with no_grad():
        return F._embedding_renorm_(input, indices, max_norm, norm_type)


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """The bag reductions of :func:`torch.nn.functional.embedding_bag` (the table first;
    ``mode`` 0 sum, 1 mean, 2 max) and the other outputs of PyTorch's CPU kernel:
    ``(output, offset2bag, bag_size, max_indices)``, the last three in ``indices``' dtype
    (``offset2bag`` empty for a float32/float16 ``sum`` without ``padding_idx``; see
    ``reftorch.nn._embedding_bag.bag_extras``). Mirrors ``torch.embedding_bag``.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.tensor([[1., 10.], [2., 20.], [3., 30.]])
        >>> out, offset2bag, bag_size, max_indices = torch.embedding_bag(
        ...     w, torch.tensor([0, 2, 1]), torch.tensor([0, 1]), mode=1)
        >>> out
        tensor([[ 1.0000, 10.0000],
                [ 2.5000, 25.0000]])
        >>> offset2bag, bag_size
        (tensor([0, 1, 1]), tensor([1, 2]))
    """
    out = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq,
                          mode=("sum", "mean", "max")[mode], sparse=sparse, per_sample_weights=per_sample_weights,
                          include_last_offset=include_last_offset, padding_idx=padding_idx)
    pad = None if padding_idx is None else padding_idx % weight.shape[0]
    extras = bag_extras(weight, indices, offsets, mode, pad, include_last_offset, out.grad_fn is not None)
    return (out,) + tuple(Tensor._wrap(a, indices.device, indices._backend) for a in extras)


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """:func:`torch.nn.functional.grid_sample` with the modes as ints (interpolation 0
    bilinear, 1 nearest, 2 bicubic; padding 0 zeros, 1 border, 2 reflection) and all
    arguments required. Mirrors ``torch.grid_sampler``."""
    return F.grid_sample(input, grid, _INTERPOLATIONS[interpolation_mode], _PADDING_MODES[padding_mode],
                         align_corners)


def _grid_sampler_nd(nd):
    def grid_sampler_nd(input, grid, interpolation_mode, padding_mode, align_corners):
        if input.dim() != nd or grid.dim() != nd:
            raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, but "
                               f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
        return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)
    grid_sampler_nd.__name__ = grid_sampler_nd.__qualname__ = f"grid_sampler_{nd - 2}d"
    grid_sampler_nd.__doc__ = (f":func:`grid_sampler` of a {nd}-D input and grid only. Mirrors "
                               f"``torch.grid_sampler_{nd - 2}d``.")
    return grid_sampler_nd


grid_sampler_2d, grid_sampler_3d = _grid_sampler_nd(4), _grid_sampler_nd(5)


def affine_grid_generator(theta, size, align_corners):
    """:func:`torch.nn.functional.affine_grid` with ``align_corners`` required, without the
    checks and warnings of its Python layer. Mirrors ``torch.affine_grid_generator``."""
    return _affine_grid_generator(theta, size, align_corners)


# ----------------------------------------------------------------- recurrent cells
def _cell(mode, input, hx, cx, w_ih, w_hh, b_ih, b_hh):
    _check_cell(input, hx, cx, w_ih.size(1), w_hh.size(1), None)
    if input.dtype != w_ih.dtype:  # (the operator's linear words it so)
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_C_TYPE[input.dtype.name]} != "
                           f"{_C_TYPE[w_ih.dtype.name]}")
    weights = [w_ih, w_hh] if b_ih is None and b_hh is None else [
        w_ih, w_hh, b_ih if b_ih is not None else b_hh.new_zeros(b_hh.shape),
        b_hh if b_hh is not None else b_ih.new_zeros(b_ih.shape)]
    return _cell_step(mode, input, hx, cx, weights, w_hh.shape[1])


@tensor_input
def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN: ``tanh(input w_ih^T + b_ih + hx w_hh^T + b_hh)`` for a
    batch ``(B, F)``. Mirrors ``torch.rnn_tanh_cell`` (``TanhBackward0``)."""
    return _cell("RNN_TANH", input, hx, None, w_ih, w_hh, b_ih, b_hh)


@tensor_input
def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """:func:`rnn_tanh_cell` with ``relu``. Mirrors ``torch.rnn_relu_cell``."""
    return _cell("RNN_RELU", input, hx, None, w_ih, w_hh, b_ih, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step (gates ``i, f, g, o``) for a batch; ``hx`` is ``(h, c)``; returns
    ``(h', c')``. Mirrors ``torch.lstm_cell``."""
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    h, c = hx
    return _cell("LSTM", input, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (gates ``r, z, n``) for a batch. Mirrors ``torch.gru_cell``."""
    return _cell("GRU", input, hx, None, w_ih, w_hh, b_ih, b_hh)
