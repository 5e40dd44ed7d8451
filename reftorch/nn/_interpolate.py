"""``F.interpolate``: PyTorch's argument handling (``torch/nn/functional.py``) and its
kernels' checks, in front of the :class:`~reftorch.nn._upsample.Upsample` node."""
from __future__ import annotations

import operator
import warnings

from .. import _dtype as _D
from . import _upsample as _Up

_MODE_DIMS = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5),
              "linear": (3,), "bilinear": (4,), "trilinear": (5,)}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _is_integer(v):
    try:
        operator.index(v)
    except TypeError:
        return False
    return True


def _output_sizes(input, size, scale_factor, recompute_scale_factor, mode):
    """PyTorch's ``(output_size, scale_factors)`` from ``size`` / ``scale_factor``."""
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(v) for v in size]}")
            output_size = [operator.index(v) for v in size]
        else:
            if not _is_integer(size):
                raise TypeError(f"interpolate(): size must be an int or a tuple of ints, not {type(size).__name__}")
            output_size = [operator.index(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but "
                                 f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 "and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]
    if recompute_scale_factor:
        scale_factors = None
    return output_size, scale_factors or [None] * dim


def _check_kernel(input, sizes, mode):
    spatial = list(input.shape[2:])
    nsp = len(sizes)
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in sizes):
        names = "DHW"[3 - nsp:]
        ins = ", ".join(f"{c}: {n}" for c, n in zip(names, spatial))
        outs = ", ".join(f"{c}: {n}" for c, n in zip(names, sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins})"
                           f"{' and' if nsp == 1 else ''} output ({outs})")
    if any(n == 0 for n in input.shape[1:]):
        raise RuntimeError(f"Non-empty {input.dim()}D data tensor expected but got a tensor with sizes "
                           f"{list(input.shape)}")
    dt = input.dtype
    if not (dt.is_floating_point or (dt == _D.uint8 and mode.startswith("nearest"))):
        kernel = "compute_indices_weights_nearest" if mode.startswith("nearest") else "compute_indices_weights_linear"
        if dt == _D.uint8:  # PyTorch has a separate integer kernel for this
            raise NotImplementedError(f"interpolate: mode {mode!r} on uint8 tensors is not implemented in reftorch")
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_D.scalar_name(dt)}'")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of ``input`` (all dims after the first two).

    Args:
        input: a ``(N, C, W)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)`` tensor; floating
            point (``uint8`` too for the nearest modes).
        size: the output spatial size: an int (every spatial dim) or a tuple of ints.
        scale_factor: a float or a tuple of floats: output size ``floor(n * scale_factor)``.
            Give exactly one of ``size`` and ``scale_factor``.
        mode: ``'nearest'`` (default; source index ``floor(dst * scale)``),
            ``'nearest-exact'`` (``floor((dst + 0.5) * scale)``), ``'linear'`` (3D input),
            ``'bilinear'`` (4D), ``'trilinear'`` (5D) or ``'area'`` (adaptive average
            pooling).
        align_corners: linear modes only (default ``False``): ``True`` maps the corner
            elements of input and output onto each other; ``False`` maps the pixel
            edges, and uses the given ``scale_factor`` (``1 / scale_factor`` per step).
        recompute_scale_factor: ``True`` computes the output size from ``scale_factor``
            and then resamples as if that size had been given.
        antialias: only ``False`` is implemented.

    Returns:
        A tensor of ``input``'s dtype. ``grad_fn``: ``UpsampleNearest{1,2,3}DBackward0``,
        ``UpsampleNearestExact{1,2,3}DBackward0``, ``UpsampleLinear1DBackward0``,
        ``UpsampleBilinear2DBackward0`` or ``UpsampleTrilinear3DBackward0``.

    Raises:
        ValueError: for both or neither of ``size``/``scale_factor``, a size or scale
            tuple of the wrong length, ``align_corners`` with a nearest mode, or
            ``recompute_scale_factor`` with ``size``.
        NotImplementedError: for a mode that does not fit the input's rank, an unknown
            mode, ``'bicubic'``/``antialias`` (not implemented in reftorch) or an
            integer dtype.
        RuntimeError: for an empty input or an output size below 1.

    Mirrors ``torch.nn.functional.interpolate``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[[1., 2., 4.]]])
        >>> F.interpolate(x, scale_factor=2)
        tensor([[[1., 1., 2., 2., 4., 4.]]])
        >>> F.interpolate(x, size=5, mode="linear", align_corners=True)
        tensor([[[1.0000, 1.5000, 2.0000, 3.0000, 4.0000]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    sizes, scale_factors = _output_sizes(input, size, scale_factor, recompute_scale_factor, mode)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                         "a 4-D tensor as input")
    nd = input.dim()
    if mode not in _MODE_DIMS or nd not in _MODE_DIMS[mode] or antialias:
        if antialias or (mode == "bicubic" and nd == 4):
            raise NotImplementedError(f"interpolate: mode {mode!r}{' with antialias' if antialias else ''} "
                                      "is not implemented in reftorch")
        for m, need in (("bilinear", 4), ("trilinear", 5), ("linear", 3)):
            if mode == m and nd in (3, 4, 5):
                raise NotImplementedError(f"Got {nd}D input, but {m} mode needs {need}D input")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the "
                                  f"modes: {_ALL_MODES} (got {mode})")
    if mode == "area":
        from . import functional as F
        pool = F.adaptive_avg_pool1d if nd == 3 else F.adaptive_avg_pool2d if nd == 4 else None
        if pool is None:
            raise NotImplementedError("interpolate: mode 'area' on 5D input is not implemented in reftorch")
        return pool(input, sizes if nd == 4 else sizes[0])
    _check_kernel(input, sizes, mode)
    return _Up.Upsample.apply(input, mode=mode, sizes=tuple(sizes), scale_factors=tuple(scale_factors),
                              align_corners=bool(align_corners), _name=_Up.NAMES[mode].format(len(sizes)))


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", UserWarning,
                  stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated: :func:`interpolate` with a ``UserWarning``.

    Mirrors ``torch.nn.functional.upsample``.
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: :func:`interpolate` with ``mode='nearest'``, with a ``UserWarning``.

    Mirrors ``torch.nn.functional.upsample_nearest``.
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: :func:`interpolate` with ``mode='bilinear', align_corners=True``, with a
    ``UserWarning``.

    Mirrors ``torch.nn.functional.upsample_bilinear``.
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
