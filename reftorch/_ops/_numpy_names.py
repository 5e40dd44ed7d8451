"""NumPy's argument names that PyTorch also accepts: ``axis`` for ``dim``, ``keepdims`` for
``keepdim``.

PyTorch's argument parser maps them in every function implemented in C++
(``x.sum(axis=0, keepdims=True)``, ``torch.unsqueeze(x, axis=1)``), not in those written in
Python (``F.softmax``, ``Tensor.norm``, ``torch.split``). A reftorch function that mirrors one
of the former takes them as keyword-only arguments whose default is :data:`NOT_GIVEN`, and
starts with a cheap test of both::

    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("sum", dim, keepdim, axis, keepdims)

Giving both names of one argument is PyTorch's TypeError. A ``dim`` equal to its default
cannot be told from one not given, so there the NumPy name wins (PyTorch refuses
``x.sum(None, axis=0)``; reftorch sums over dim 0).
"""
from __future__ import annotations


class _NotGiven:
    """The default of ``axis`` and ``keepdims``, and of a ``dim`` that is required once
    ``axis`` may stand for it (``None`` is a value: ``x.sum(axis=None)``)."""

    def __repr__(self):
        return "<not given>"


NOT_GIVEN = _NotGiven()


def _unexpected(fn, name):
    return TypeError(f"{fn}() got an unexpected keyword argument '{name}'")


def missing_dim(fn):
    """PyTorch's error for a required ``dim`` given under neither name (its argument parser's
    words, not Python's ``missing 1 required positional argument``)."""
    return TypeError(f'{fn}() missing 1 required positional arguments: "dim"')


def dim_from_axis(fn, dim, axis, default=None):
    """The ``dim`` to use when ``axis`` was given: ``axis``, unless ``dim`` was given too.

    Raises:
        TypeError: if ``dim`` differs from its ``default`` (both names given).
    """
    if axis is NOT_GIVEN:
        return dim
    if dim is not default and not (dim.__class__ is default.__class__ and dim == default):
        raise _unexpected(fn, "axis")
    return axis


def numpy_names(fn, dim, keepdim, axis, keepdims, default=None):
    """``(dim, keepdim)`` of a reduction called with ``axis`` and/or ``keepdims``.

    Raises:
        TypeError: if both names of one argument were given.
    """
    dim = dim_from_axis(fn, dim, axis, default)
    if keepdims is not NOT_GIVEN:
        if keepdim is not False:
            raise _unexpected(fn, "keepdims")
        keepdim = keepdims
    return dim, keepdim


def required_dim(fn, dim, axis):
    """The ``dim`` of a function whose ``dim`` is required (its default :data:`NOT_GIVEN`),
    given as ``dim`` or as ``axis``.

    Raises:
        TypeError: if both or neither were given, or ``dim`` is None.
    """
    dim = dim_from_axis(fn, dim, axis, NOT_GIVEN)
    if dim is NOT_GIVEN:
        raise missing_dim(fn)
    if dim is None:
        raise TypeError(f"{fn}(): argument 'dim' must be int, not NoneType")
    return dim
