"""``F.pad``: PyTorch's argument checks in front of the two padding kernels of ``_conv.py``
(:class:`~reftorch.nn._conv.ConstantPad` and :class:`~reftorch.nn._conv.ModePad`).

The checks and their order are those of PyTorch 2.13 (``_pad_enum`` and the reflection,
replication and circular kernels): mode, pad length, then the value, then the input rank
the mode supports, then per-dim sizes.
"""
from __future__ import annotations

import operator

from .. import _dtype as _D
from .._scalar import check_fill_value
from .._tensor import Tensor
from . import _conv as _Conv
from .. import _autocast
from .._autocast import anywhere as _autocasting

_MODES = ("constant", "reflect", "replicate", "circular")

_RANK_MSG = ("Padding size {n} is not supported for {d}D input tensor.\n"
             "Supported combinations for non-constant padding:\n"
             "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
             "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
             "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")

_KERNEL = {"reflect": "reflection_pad{}d", "replicate": "replication_pad{}d"}


def _pad_ints(pad):
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    out = []
    for i, p in enumerate(pad):
        if isinstance(p, Tensor) and p.dim() == 0 and not p.dtype.is_floating_point:
            p = p.item()
        try:
            out.append(operator.index(p))
        except TypeError:
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but found element "
                            f"of type {type(p).__name__} at pos {i}") from None
    return out


def _pairs(pad):
    """PyTorch's flat ``(left, right, top, bottom, ...)`` as ``(lo, hi)`` pairs, outer dim first."""
    return tuple((pad[2 * k], pad[2 * k + 1]) for k in reversed(range(len(pad) // 2)))


def _fill_value(value, dtype):
    """``value`` as stored into ``dtype`` (truncated for integers, as PyTorch's C++ cast)."""
    if value is None:
        return 0
    if dtype == _D.bool:
        return bool(value)
    if not (dtype.is_floating_point or dtype.is_complex):
        check_fill_value(float(value), dtype)
        return int(value)
    return float(value)


def _check_sizes(mode, shape, pairs):
    """The per-dim checks of the reflection and replication kernels (``pairs`` outer first)."""
    k = len(pairs)
    sizes = shape[len(shape) - k:]
    nd = len(shape)
    batch = nd == k + 2
    rest = shape[1:] if batch else shape
    if any(n == 0 for n in rest):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
                           f"other non-zero dimensions for input, but got: {list(shape)}")
    if mode == "reflect":
        for j in range(k):  # innermost first: Argument #4 is the width
            lo, hi = pairs[k - 1 - j]
            n, dim = sizes[k - 1 - j], nd - 1 - j
            if lo >= n or hi >= n:
                raise RuntimeError(f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding "
                                   f"input dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                                   f"{list(shape)}")
    outs = [n + lo + hi for n, (lo, hi) in zip(sizes, pairs)]
    if all(o < 1 for o in outs):
        names = "DHW"[3 - k:]
        ins = {c: n for c, n in zip(names, sizes)}
        got = " ".join(f"{c}: {o}" for c, o in zip(names, outs))
        if k == 1:
            head = f"W: {ins['W']}"
        elif k == 2:
            head = f"H: {ins['H']}, W: {ins['W']}" + (" " if mode == "replicate" else "")
        else:
            head = f"D: {ins['D']} H: {ins['H']}, W: {ins['W']}"
        raise RuntimeError(f"input ({head}) is too small. Calculated output {got}")


def _check_circular(shape, pairs):
    sizes = shape[len(shape) - len(pairs):]
    for n, (lo, hi) in zip(sizes, pairs):
        if lo > n or hi > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        kept = n - max(0, -lo) - max(0, -hi)
        if lo > kept or hi > kept:  # PyTorch copies from the output into itself then
            raise RuntimeError("unsupported operation: some elements of the input tensor and the written-to "
                               "tensor refer to a single memory location. Please clone() the tensor before "
                               "performing the operation.")


def _check_crop(shape, pairs):
    """``constant_pad_nd`` narrows by the negative pads first (``narrow``'s error)."""
    for n, (lo, hi) in zip(shape[len(shape) - len(pairs):], pairs):
        if lo < 0:
            n += lo
            if n < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        if hi < 0 and n + hi < 0:
            raise RuntimeError("narrow(): length must be non-negative.")


def pad(input, pad, mode="constant", value=None):
    """Pad (or, with negative amounts, crop) the last dimensions of ``input``.

    ``pad`` lists the amounts last dimension first: ``(left, right)`` pads the last
    dimension, ``(left, right, top, bottom)`` the last two, and so on.

    Args:
        input: tensor of any dtype. For ``'constant'`` any rank; the other modes pad the
            last 1, 2 or 3 dims of a tensor of ``len(pad) // 2 + 1`` (unbatched) or
            ``len(pad) // 2 + 2`` (batched) dims.
        pad: a tuple of ints of even length, at most ``2 * input.dim()``.
        mode: ``'constant'`` (default: fill with ``value``), ``'reflect'`` (mirror without
            repeating the edge), ``'replicate'`` (repeat the edge) or ``'circular'`` (wrap
            around).
        value: the fill value of ``'constant'`` mode (default ``None``, meaning 0); cast to
            the input's dtype (truncated for integer dtypes).

    Returns:
        A new tensor of ``input``'s dtype whose padded dims have size ``n + left + right``.
        ``grad_fn``: ``ConstantPadNdBackward0``, ``ReflectionPad{1,2,3}DBackward0``,
        ``ReplicationPad{1,2,3}DBackward0``, or ``CopySlices`` for ``'circular'``.

    Raises:
        NotImplementedError: for an unknown mode, or a non-constant mode with a pad length
            the input's rank does not support.
        RuntimeError: for an odd pad length, more than ``2 * input.dim()`` pads, a
            non-zero ``value`` with a non-constant mode, a reflection pad not smaller than
            its dim, a circular pad larger than its dim, or a crop beyond the size.
        TypeError: when ``pad`` is not a tuple of ints.

    Mirrors ``torch.nn.functional.pad``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[1., 2., 3.]])
        >>> F.pad(x, (1, 2), value=-1.)
        tensor([[-1.,  1.,  2.,  3., -1., -1.]])
        >>> F.pad(x, (2, 1), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if value is not None and (isinstance(value, complex) or not isinstance(value, (int, float))):
        raise TypeError(f"pad(): argument 'value' (position 4) must be float, not {type(value).__name__}")
    pad = _pad_ints(pad)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) > 2 * nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension "
                           f"but got padding length {len(pad)} and input of dimension {nd}")
    pairs = _pairs(pad)
    if mode == "constant":
        _check_crop(tuple(input.shape), pairs)
        return _Conv.ConstantPad.apply(input, pads=pairs, value=_fill_value(value, input.dtype))
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(_RANK_MSG.format(n=len(pad), d=nd))
    shape = tuple(input.shape)
    if mode == "circular":
        _check_circular(shape, pairs)
    else:
        _check_sizes(mode, shape, pairs)
        if input.dtype == _D.bool:
            raise NotImplementedError(f"\"{_KERNEL[mode].format(k)}\" not implemented for 'Bool'")
    return _mode_pad(input, pairs, mode, k)


def _mode_pad(input, pairs, mode, k):
    """The reflection, replication or circular kernel (``k`` padded dims), checked."""
    if _autocasting.threads and _autocast.here.cpu and _KERNEL.get(mode, "").format(k) in _autocast.CPU_POLICY:
        return _autocast.run(_KERNEL[mode].format(k), _mode_pad, locals())
    return _Conv.ModePad.apply(input, pads=pairs, mode=mode, _name=_Conv.PAD_NAMES[mode].format(k))
