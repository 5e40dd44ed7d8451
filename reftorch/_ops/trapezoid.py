"""The trapezoid rule: ``trapezoid`` (and its alias ``trapz``) and ``cumulative_trapezoid``.

PyTorch's compositions (``aten/src/ATen/native/Integration.cpp``), written with the public
ops so that values, dtypes, gradients and ``grad_fn`` names are theirs: with sample points
``x`` the integral is ``sum((y[:-1] + y[1:]) * diff(x)) / 2``; with a constant spacing
``dx`` it is ``(sum(y) - (y[0] + y[-1]) * 0.5) * dx`` (the running form:
``cumsum(dx / 2 * (y[:-1] + y[1:]))``).
"""
from __future__ import annotations

import numbers

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ._common import tensor_input
from .creation import zeros
from .cumulative import cumsum
from .diagonal import select
from .indexing import narrow
from .pointwise import add, mul, scalar_div, scalar_mul, sub
from .reduction import sum as sum_
from .shape import reshape


def _dim(y, dim):
    if y.dim() == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, y.dim())


def _pairs(y, d):
    """``y[:-1] + y[1:]`` along ``d``."""
    n = y.shape[d]
    return add(narrow(y, d, 0, max(n - 1, 0)), narrow(y, d, min(n, 1), max(n - 1, 0)))


def _spacing(y, x, d, who):
    """``diff(x)`` along ``d``, shaped to broadcast against the pairs of ``y``."""
    if x.dim() == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{who}: There must be one `x` value for each sample point")
        x = reshape(x, tuple(x.shape[0] if i == d else 1 for i in range(y.dim())))
    elif x.dim() < y.dim():
        x = reshape(x, (1,) * (y.dim() - x.dim()) + tuple(x.shape))
    n = x.shape[d]
    return sub(narrow(x, d, min(n, 1), max(n - 1, 0)), narrow(x, d, 0, max(n - 1, 0)))


def _args(who, y, x, dx):
    if x is not None and dx is not None:
        raise TypeError(f"{who}() received an invalid combination of arguments - got both x and dx")
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{who}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(x).__name__}), but expected one of:")
    if y.dtype is D.bool or (x is not None and x.dtype is D.bool):
        raise RuntimeError(f"{who}: received a bool input for `x` or `y`, but bool is not supported"
                           if x is not None else f"{who}: received a bool input for `y`, but bool is not supported")
    if x is None:
        dx = 1 if dx is None else dx
        if isinstance(dx, Tensor):
            dx = dx.item()
        if isinstance(dx, (bool, complex)) or not isinstance(dx, numbers.Real):
            raise RuntimeError(f"{who}: Currently, we only support dx as a real number.")
        return float(dx)
    return None


@tensor_input
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The integral of ``y`` along ``dim`` by the trapezoid rule, with sample points ``x`` or a
    constant spacing ``dx`` (default 1).

    ``x`` is 1-D (one point per sample) or broadcasts against ``y``. An empty ``dim`` gives
    zeros. Integer inputs give floats. Mirrors ``torch.trapezoid`` (``grad_fn``
    ``MulBackward1`` with ``dx``, ``DivBackward1`` with ``x``).

    Args:
        y: the values (not bool).
        x: the sample points (a tensor).
        dx: the spacing (a real number), when ``x`` is not given.
        dim: the dimension to integrate along.

    Returns:
        ``y`` without ``dim``.

    Raises:
        RuntimeError: for bool inputs, an ``x`` of the wrong length or a ``dx`` that is not
            a real number.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.trapezoid(torch.tensor([1., 2., 3.]))
        tensor(4.)
        >>> torch.trapezoid(torch.tensor([1., 2., 3.]), torch.tensor([0., 1., 3.]))
        tensor(6.5000)
    """
    d = _dim(y, dim)
    dx = _args("trapezoid", y, x, dx)
    if y.shape[d] == 0:  # (NumPy's answer: 0)
        return zeros(tuple(s for i, s in enumerate(y.shape) if i != d), dtype=y.dtype, device=y.device)
    if x is None:
        ends = scalar_mul(add(select(y, d, 0), select(y, d, -1)), 0.5)
        return scalar_mul(sub(sum_(y, d), ends), dx)
    return scalar_div(sum_(mul(_pairs(y, d), _spacing(y, x, d, "trapezoid")), d), 2.0)


@tensor_input
def trapz(y, x=None, *, dx=None, dim=-1):
    """An alias of :func:`trapezoid`. Mirrors ``torch.trapz``.

    Examples:
        >>> import reftorch as torch
        >>> torch.trapz(torch.tensor([1., 2., 3.]), dx=2)
        tensor(8.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


@tensor_input
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running integral of ``y`` along ``dim`` by the trapezoid rule (one value fewer than
    ``y`` along ``dim``), with sample points ``x`` or a constant spacing ``dx`` (default 1).
    Mirrors ``torch.cumulative_trapezoid`` (``grad_fn`` ``CumsumBackward0`` with ``dx``,
    ``DivBackward1`` with ``x``).

    Raises:
        RuntimeError: as :func:`trapezoid`.
        IndexError: if ``dim`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.cumulative_trapezoid(torch.tensor([1., 2., 3.]))
        tensor([1.5000, 4.0000])
    """
    d = _dim(y, dim)
    dx = _args("cumulative_trapezoid", y, x, dx)
    if x is None:
        return cumsum(scalar_mul(_pairs(y, d), dx / 2.0), d)
    return scalar_div(cumsum(mul(_pairs(y, d), _spacing(y, x, d, "cumulative_trapezoid")), d), 2.0)
