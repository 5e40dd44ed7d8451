"""The ``torch.native_*`` operators: the ATen kernels under ``torch.nn.functional`` with
their own signatures and all their outputs (``native_layer_norm`` also returns the mean
and ``1 / std`` it normalised with). A learner meets them in tracebacks, profiles and
``torch.ops.aten`` listings; they call the kernels of ``reftorch.nn``.
"""
from __future__ import annotations

from . import _dtype as D
from ._ops import creation
from ._ops._common import tensor_input
from ._tensor import Tensor
from ._ops._numpy_names import NOT_GIVEN
from .autograd.function import OpFunction
from .autograd.grad_mode import no_grad
from .nn import functional as F
from .nn import _normalization as _norm
from .nn._pixel_shuffle import _channel_shuffle, check_channel_shuffle


@tensor_input
def native_layer_norm(input, normalized_shape, weight, bias, eps=NOT_GIVEN):
    """Layer norm over the trailing dims ``normalized_shape`` (all arguments required;
    ``weight``/``bias`` may be None). Mirrors ``torch.native_layer_norm``.

    Returns:
        ``(output, mean, rstd)``: the output (``grad_fn`` ``NativeLayerNormBackward0``), and
        the mean and ``1 / sqrt(var + eps)`` of each normalised row, of shape
        ``input.shape[:-k] + (1,) * k`` for ``k = len(normalized_shape)`` (not
        differentiable).

    Raises:
        RuntimeError: when the trailing dims of ``input`` (or ``weight``'s, ``bias``'s shape)
            are not ``normalized_shape``.

    Examples:
        >>> import reftorch as torch
        >>> out, mean, rstd = torch.native_layer_norm(torch.tensor([[1., 3.]]), (2,), None, None, 1e-5)
        >>> out, mean, rstd.shape
        (tensor([[-1.0000,  1.0000]]), tensor([[2.]]), torch.Size([1, 1]))
    """
    if eps is NOT_GIVEN:
        raise TypeError('native_layer_norm() missing 1 required positional arguments: "eps"')
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError("native_layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    out = F.layer_norm(input, normalized_shape, weight, bias, eps)
    return (out,) + _norm.layer_norm_stats(input, len(normalized_shape), eps)


@tensor_input
def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps=NOT_GIVEN):
    """Batch norm of ``input (N, C, *)`` (all arguments required; ``weight``, ``bias`` and
    the running statistics may be None; in training these are updated in place). Mirrors
    ``torch.native_batch_norm``.

    Returns:
        ``(output, save_mean, save_invstd)``: the output (``grad_fn``
        ``NativeBatchNormBackward0``); in training the batch mean and
        ``1 / sqrt(var + eps)`` per channel, ``(C,)``; in evaluation two empty ``(0,)``
        tensors (not differentiable).

    Raises:
        RuntimeError: in evaluation without running statistics (PyTorch crashes), or when a
            per-channel tensor does not have ``C`` elements (PyTorch does not check).

    Examples:
        >>> import reftorch as torch
        >>> out, mean, invstd = torch.native_batch_norm(torch.tensor([[1.], [3.]]), None, None, None, None,
        ...                                             True, 0.1, 1e-5)
        >>> out.flatten(), mean, invstd.shape
        (tensor([-1.0000,  1.0000]), tensor([2.]), torch.Size([1]))
    """
    if eps is NOT_GIVEN:
        raise TypeError('native_batch_norm() missing 1 required positional arguments: "eps"')
    out = F._batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)
    if training:
        return (out,) + _norm.batch_norm_stats(input, eps)
    empty = creation.empty(0, dtype=input.dtype, device=input.device)
    return out, empty, creation.empty(0, dtype=input.dtype, device=input.device)


class NativeDropout(OpFunction):
    """``input * mask * scale`` with a given mask (``NativeDropoutBackward0``)."""

    name = "NativeDropoutBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, values, mask, scale):
        ctx.mask, ctx.scale = mask, scale
        return values._data

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: PyTorch's ``grad * (mask.type_as(grad) * scale)``
            return g * (ctx.mask.to(g.dtype) * ctx.scale)
        return g * ctx.xp.astype(ctx.mask._data, g.dtype) * ctx.scale


@tensor_input
def native_dropout(input, p, train=NOT_GIVEN):
    """Dropout returning its mask: with ``train`` True or None, each element is zeroed with
    probability ``p`` and the rest scaled by ``1 / (1 - p)``, the mask drawn from the
    global generator as by ``torch.nn.functional.dropout`` (the same values after the
    same seed); with ``train`` False, a copy of ``input`` and an all-True mask. Mirrors
    ``torch.native_dropout``, including its gradient for ``train=None``: not scaled by
    ``1 / (1 - p)``, as PyTorch's derivative formula does.

    Returns:
        ``(output, mask)``: the output (``grad_fn`` ``NativeDropoutBackward0``) and a bool
        mask of ``input``'s shape (True: kept).

    Raises:
        RuntimeError: for ``p`` outside ``[0, 1]`` (PyTorch's ``bernoulli_`` message), or
            an integer input when training.

    Examples:
        >>> import reftorch as torch
        >>> out, mask = torch.native_dropout(torch.ones(3), 0.5, False)
        >>> out, mask
        (tensor([1., 1., 1.]), tensor([True, True, True]))
    """
    if train is NOT_GIVEN:
        raise TypeError('native_dropout() missing 1 required positional arguments: "train"')
    if input.numel() == 0:  # (a float "mask")
        mask = creation.empty_like(input)
        return NativeDropout.apply(input, input, mask, 1.0), mask
    if not 0 <= 1 - p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1 - p}")
    with no_grad():
        if train is None or train:
            if not input.dtype.is_floating_point and not input.dtype.is_complex:  # (the scaling, in place)
                raise RuntimeError(f"result type Float can't be cast to the desired output type {_ctype(input)}")
            mask = creation.empty_like(input)  # the draws of F.dropout: one bernoulli_(1 - p) in memory order
            mask.bernoulli_(1 - p)
            scale = 0.0 if p == 1 else 1.0 / (1 - p)
            out = input * mask * scale  # (PyTorch's order: the mask, then the scale, a float)
            mask = mask.bool()
            if train is None:  # PyTorch's derivative scales by 1 unless train is True
                scale = 1.0
        else:
            mask, scale = creation.ones_like(input, dtype=_bool()), 1.0
            out = input.clone()
    return NativeDropout.apply(input, out, mask, scale), mask


def _bool():
    return D.bool


def _ctype(t):
    return D.scalar_name(t.dtype)


def native_norm(input, *args, **kwargs):
    """Not available on strided tensors, as in PyTorch (its CPU kernel is for sparse
    tensors): use ``torch.linalg.vector_norm``. Mirrors ``torch.native_norm``.

    Raises:
        NotImplementedError: always.
    """
    overload = "aten::native_norm" if not args[1:] and not kwargs else "aten::native_norm.ScalarOpt_dim_dtype"
    raise NotImplementedError(
        f"Could not run '{overload}' with arguments from the 'CPU' backend. This could be because the operator "
        "doesn't exist for this backend, or was omitted during the selective/custom build process (if using "
        "custom build). If you are a Facebook employee using PyTorch on mobile, please visit "
        "https://fburl.com/ptmfixes for possible resolutions.")


class NativeChannelShuffle(OpFunction):
    """``native_channel_shuffle``: PyTorch records a node that refuses the backward pass."""

    name = "torch::autograd::NotImplemented"
    arity = 1

    @staticmethod
    def forward(ctx, x, groups):
        return _channel_shuffle(x._backend, x._data, groups)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::native_channel_shuffle is not implemented")


@tensor_input
def native_channel_shuffle(input, groups):
    """:func:`torch.nn.functional.channel_shuffle` without a derivative: the ``grad_fn`` is
    PyTorch's ``NotImplemented`` node, whose backward raises. Mirrors
    ``torch.native_channel_shuffle``.

    Raises:
        RuntimeError: for fewer than 3 dims, ``groups`` not positive, ``C`` not divisible by
            ``groups``, or a backward pass through the result.

    Examples:
        >>> import reftorch as torch
        >>> torch.native_channel_shuffle(torch.arange(4.).view(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    check_channel_shuffle(input, groups)
    return NativeChannelShuffle.apply(input, groups)
