"""``torch.gradient``: the derivative of a sampled function by finite differences, along
one or more dimensions, as NumPy's ``gradient``: central differences inside, one-sided
ones of first or second order (``edge_order``) at the two ends, for unit, uniform or
coordinate spacing. Built from ``narrow``, arithmetic and ``cat``, so it is differentiable
(``grad_fn`` ``CatBackward0``, as in PyTorch)."""
from __future__ import annotations

import numbers

from .._tensor import Tensor, _wrap_dim
from ._common import tensor_input
from .indexing import narrow
from .join import cat


def _along(t, rest):
    """The 1-D coefficients ``t`` shaped to broadcast along a dimension followed by
    ``rest`` others: ``(len(t), 1, ..., 1)``."""
    return t.reshape((-1,) + (1,) * rest)


def _uniform(f, d, h, edge_order):
    n = f.shape[d]
    inner = (narrow(f, d, 2, n - 2) - narrow(f, d, 0, n - 2)) / (2 * h)
    if edge_order == 1:
        first = (narrow(f, d, 1, 1) - narrow(f, d, 0, 1)) / h
        last = (narrow(f, d, n - 1, 1) - narrow(f, d, n - 2, 1)) / h
    else:
        first = (-1.5 * narrow(f, d, 0, 1) + 2 * narrow(f, d, 1, 1) - 0.5 * narrow(f, d, 2, 1)) / h
        last = (0.5 * narrow(f, d, n - 3, 1) - 2 * narrow(f, d, n - 2, 1) + 1.5 * narrow(f, d, n - 1, 1)) / h
    return cat([first, inner, last], d)


def _coordinates(f, d, x, edge_order):
    """Differences for sample coordinates ``x`` (1-D, one per element along ``d``)."""
    n = f.shape[d]
    rest = f.dim() - 1 - d
    dx = x[1:] - x[:-1]
    h1, h2 = dx[:-1], dx[1:]  # (the steps before and after each inner point)
    a = _along(-h2 / (h1 * (h1 + h2)), rest)
    b = _along((h2 - h1) / (h1 * h2), rest)
    c = _along(h1 / (h2 * (h1 + h2)), rest)
    inner = a * narrow(f, d, 0, n - 2) + b * narrow(f, d, 1, n - 2) + c * narrow(f, d, 2, n - 2)
    if edge_order == 1:
        first = (narrow(f, d, 1, 1) - narrow(f, d, 0, 1)) / _along(dx[:1], rest)
        last = (narrow(f, d, n - 1, 1) - narrow(f, d, n - 2, 1)) / _along(dx[-1:], rest)
    else:
        s1, s2 = dx[0], dx[1]
        first = (-(2 * s1 + s2) / (s1 * (s1 + s2)) * narrow(f, d, 0, 1) + (s1 + s2) / (s1 * s2) * narrow(f, d, 1, 1)
                 - s1 / (s2 * (s1 + s2)) * narrow(f, d, 2, 1))
        s1, s2 = dx[-2], dx[-1]
        last = (s2 / (s1 * (s1 + s2)) * narrow(f, d, n - 3, 1) - (s2 + s1) / (s1 * s2) * narrow(f, d, n - 2, 1)
                + (2 * s2 + s1) / (s2 * (s1 + s2)) * narrow(f, d, n - 1, 1))
    return cat([first, inner, last], d)


def _spacings(spacing, dims, ndim, dim_given):
    """One spacing (a number or a 1-D coordinate tensor) per dimension of ``dims``."""
    if spacing is None or isinstance(spacing, numbers.Number):
        return [1 if spacing is None else spacing] * len(dims)
    if not isinstance(spacing, (list, tuple)):
        raise TypeError(f"gradient(): argument 'spacing' must be a Number or a tuple of Scalars or Tensors, not "
                        f"{type(spacing).__name__}")
    spacing = list(spacing)
    if len(spacing) != len(dims):
        if dim_given:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f"arguments to have the same length, but got a spacing argument of length "
                               f"{len(spacing)} and a dim argument of length {len(dims)}.")
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length equal "
                           f"to 'self.dim() = {ndim}', since dim argument was not given, but got a list of length "
                           f"{len(spacing)}")
    tensors = isinstance(spacing[0], Tensor) if spacing else False
    for i, s in enumerate(spacing):
        if isinstance(s, Tensor) != tensors:  # (PyTorch's overloads: all numbers or all tensors)
            raise TypeError(f"expected {'Tensor' if tensors else 'Number'} as element {i} in argument 1, but got "
                            f"{type(s).__name__}")
        if tensors and s.dim() != 1:
            raise RuntimeError(f"torch.gradient expected each element of spacing to have one dimension, but got an "
                               f"element with {s.dim()} dimensions!")
    return spacing


@tensor_input
def gradient(input, *, spacing=None, dim=None, edge_order=1):
    """Estimate the derivative of a function sampled in ``input`` along each of ``dim`` by
    finite differences: ``(f[i+1] - f[i-1]) / (2h)`` inside (its non-uniform form for
    coordinates), and one-sided differences of order ``edge_order`` at the ends. Mirrors
    ``torch.gradient`` (and NumPy's ``gradient``).

    Args:
        input: the samples (integers give the default float dtype; complex works).
        spacing: the distance between samples: a number for every dimension, a list of
            numbers (one per dimension of ``dim``), or a list of 1-D tensors giving the
            coordinates of the samples along each dimension. Default 1.
        dim: an int or a sequence of ints; default all dimensions.
        edge_order: 1 or 2, the order of the differences at the ends.

    Returns:
        A tuple with one tensor of ``input``'s shape per dimension in ``dim`` (empty for a
        0-d input).

    Raises:
        RuntimeError: for ``edge_order`` other than 1 or 2, a dimension with fewer than
            ``edge_order + 1`` samples, a ``spacing`` list of the wrong length, coordinates
            that are not 1-D, or a repeated dimension.
        IndexError: for a dimension out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.gradient(torch.tensor([1.0, 4.0, 9.0, 16.0, 25.0]))
        (tensor([3., 4., 6., 8., 9.]),)
        >>> torch.gradient(torch.tensor([1.0, 4.0, 9.0]), spacing=(torch.tensor([0.0, 1.0, 3.0]),))
        (tensor([3.0000, 2.8333, 2.5000]),)
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    ndim = input.dim()
    dim_given = dim is not None
    if dim is None:
        dims = list(range(ndim))
    else:
        dims = [_wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim)]
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    spacings = _spacings(spacing, dims, ndim, dim_given)
    if any(input.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    return tuple(_coordinates(input, d, s, edge_order) if isinstance(s, Tensor) else _uniform(input, d, s, edge_order)
                 for d, s in zip(dims, spacings))
