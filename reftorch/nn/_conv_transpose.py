"""``F.conv_transpose1d`` / ``2d`` / ``3d``: PyTorch's checks in front of
:class:`~reftorch.nn._conv.ConvolutionTranspose` (the input gradient of a convolution)."""
from __future__ import annotations

from .. import _dtype as _D
from .._memory_format import lay_out_like
from . import _conv as _Conv
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    name = f"conv_transpose{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(input.shape)}")
    if input.dim() == nd + 1:
        out = _conv_transpose(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                              dilation, nd)
        return out.squeeze(0)
    stride, padding, dilation = _ntuple(stride, nd), _ntuple(padding, nd), _ntuple(dilation, nd)
    output_padding = _ntuple(output_padding, nd)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("height", "width")[2 - nd:] if nd <= 2 else ("depth", "height", "width")
        parts = [f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
        parts += [f"stride_{n}: {v}" for n, v in zip(names, stride)]
        parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           + " ".join(parts))
    c = input.shape[1]
    if weight.shape[0] != c:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[0]} channels, but got {c} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    c_out = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != c_out):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {c_out} elements, but got bias of size {list(bias.shape)} instead")
    if bias is not None and bias.dtype is not input.dtype:  # PyTorch casts a transposed convolution's bias
        bias = bias.to(input.dtype)
    for t in (weight,) if bias is None else (weight, bias):
        if t.dtype is not input.dtype:
            raise RuntimeError(f"expected scalar type {_D.scalar_name(input.dtype)} but found "
                               f"{_D.scalar_name(t.dtype)}")
    kernel = tuple(weight.shape[2:])
    out = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1
                for n, s, p, d, k, op in zip(input.shape[2:], stride, padding, dilation, kernel, output_padding))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, input.shape[2:]))}). "
                           f"Calculated output size per channel: ({' x '.join(map(str, out))}). "
                           "Output size is too small")
    geom = _Conv._Geom((input.shape[0], c_out) + out, tuple(weight.shape), stride, tuple((p, p) for p in padding),
                       dilation, groups)
    has_bias = bias is not None
    out = _Conv.ConvolutionTranspose.apply(input, weight, bias if has_bias else _Conv._no_bias(input), geom=geom,
                                           has_bias=has_bias)
    return lay_out_like(out, input, weight) if nd > 1 else out  # (channels-last in, channels-last out)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """A 1-D transposed convolution (see :func:`conv_transpose2d`): ``(N, C_in, L)`` to
    ``(N, C_out, L_out)``, ``L_out = (L - 1) * stride - 2 * padding + dilation * (k - 1) +
    output_padding + 1``.

    Mirrors ``torch.nn.functional.conv_transpose1d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.conv_transpose1d(torch.tensor([[[1., 2.]]]), torch.tensor([[[1., 10.]]]), stride=2)
        tensor([[[ 1., 10.,  2., 20.]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv_transpose1d", conv_transpose1d, locals())
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """A 2-D transposed convolution ("deconvolution"): every input element scatters a copy of
    the kernel, scaled by it, into the output; overlapping copies add up. It is the gradient
    of ``conv2d`` with respect to its input, and inverts ``conv2d``'s shape change.

    Args:
        input: ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
        weight: ``(C_in, C_out / groups, kH, kW)``.
        bias: optional ``(C_out,)``.
        stride: step between the copies in the output (int or pair, default 1).
        padding: ``dilation * (k - 1) - padding`` zeros of implicit padding; crops
            ``padding`` from each side of the output (int or pair, default 0).
        output_padding: extra rows/columns added at the end of the output (smaller than
            ``stride`` or ``dilation``).
        groups: independent channel groups.
        dilation: spacing between kernel elements.

    Returns:
        ``(N, C_out, H_out, W_out)``, ``H_out = (H - 1) * stride - 2 * padding +
        dilation * (kH - 1) + output_padding + 1``. ``grad_fn``: ``ConvolutionBackward0``.

    Raises:
        RuntimeError: for a wrong input rank, channel count or bias size, a too large
            ``output_padding``, or dtypes that differ.

    Mirrors ``torch.nn.functional.conv_transpose2d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv_transpose2d", conv_transpose2d, locals())
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """A 3-D transposed convolution (see :func:`conv_transpose2d`): ``(N, C_in, D, H, W)``
    (or unbatched ``(C_in, D, H, W)``) with weight ``(C_in, C_out / groups, kD, kH, kW)``
    to ``(N, C_out, D_out, H_out, W_out)``, each size ``(n - 1) * stride - 2 * padding +
    dilation * (k - 1) + output_padding + 1``. ``grad_fn``: ``ConvolutionBackward0``.

    Mirrors ``torch.nn.functional.conv_transpose3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.conv_transpose3d(torch.ones(1, 1, 1, 1, 2), torch.ones(1, 1, 2, 1, 2), stride=2).flatten()
        tensor([1., 1., 1., 1., 1., 1., 1., 1.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv_transpose3d", conv_transpose3d, locals())
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)
