"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm`` and ``torch.norm``,
plus ``amax``/``amin`` (which the matrix norms reduce with)."""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import _wrap_dim
from .._warnings import warn_once
from ..autograd.function import OpFunction
from . import reduction, shape as S
from ._common import row_major, tensor_input, with_out
from .linalg_decomp import Svd, svd_checks
from .linalg_solve import check_floating
from .pointwise import abs as _abs
from ._numpy_names import NOT_GIVEN, numpy_names
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _cname(d):
    return D.scalar_name(d)


def _axes(input, dim):
    nd = input.dim()
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    if nd == 0:
        return None
    w = tuple(_wrap_dim(d, nd) for d in dim)
    for d in w:
        if w.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(w)) if w else None


_restore = reduction._keep_dims


class VectorNorm(OpFunction):
    name = "LinalgVectorNormBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        b = x._backend
        out = norm_of(b, x._data, x._dtype, ord, axes, keepdim)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        ctx.save_for_backward(x)
        ctx.save_output()
        return row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return norm_grad(x._backend, ctx.xp, x._data, out._data, g, ctx.ord, ctx.axes, ctx.keepdim)


def norm_of(b, a, dtype, ord, axes, keepdim):
    """The vector ``ord``-norm of array ``a`` (of reftorch dtype ``dtype``) over ``axes``."""
    xp = b.xp
    # |x| (no pass needed for a real 2-norm: x * x is |x| * |x| exactly)
    a = a if ord == 2 and not dtype.is_complex else xp.abs(a)
    half = dtype in D.REDUCED_FLOATS
    if half:  # PyTorch computes a float16/bfloat16 norm in float32, then rounds once
        a = xp.astype(a, b.dtype(D.float32))
    if ord == math.inf:
        out = b.amax(a, axes, keepdim)
    elif ord == -math.inf:
        out = b.amin(a, axes, keepdim)
    elif ord == 0:
        out = xp.sum(xp.astype(a != 0, a.dtype), axis=axes, keepdims=keepdim)
    elif ord == 1:
        out = xp.sum(a, axis=axes, keepdims=keepdim)
    elif ord == 2:
        out = xp.sqrt(xp.sum(a * a, axis=axes, keepdims=keepdim))
    else:
        with b.quiet_overflow():
            out = xp.sum(a ** ord, axis=axes, keepdims=keepdim) ** (1.0 / ord)
    return xp.astype(out, b.dtype(dtype)) if half else out


def norm_grad(b, xp, a, norm, g, p, axes, keepdim):
    """The gradient reaching ``a`` through its ``p``-norm ``norm`` over ``axes`` (PyTorch's
    ``norm_backward``), ``g`` the norm's gradient (both reduced as ``keepdim`` says)."""
    shape = a.shape
    n = _restore(xp, norm, shape, axes, keepdim)
    gg = _restore(xp, g, shape, axes, keepdim)
    zero = xp.zeros((), dtype=a.dtype, **b._dev_kw())
    sign = xp.sign(a)
    if p == 0:
        return None  # PyTorch leaves no gradient at all for the 0-"norm"
    if p == 1:
        return sign * gg
    if p in (math.inf, -math.inf):
        hit = xp.astype(xp.abs(a) == n, a.dtype)
        count = _restore(xp, xp.sum(hit, axis=axes, keepdims=keepdim), shape, axes, keepdim)
        return sign * hit * gg / count
    if p == 2:  # (the zero of the norm's dtype: real for a complex x)
        zn = xp.zeros((), dtype=n.dtype, **b._dev_kw())
        return a * xp.where(n == 0, zn, gg / xp.where(n == 0, xp.ones_like(n), n))  # PyTorch's order
    with b.quiet_overflow():
        safe = xp.where(n == 0, xp.ones_like(n), n)
        res = sign * xp.abs(a) ** (p - 1) / safe ** (p - 1) * gg
    return xp.where(n == 0, zero, res)


@tensor_input(name="linalg_vector_norm")
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements when ``None``).

    ``sum(|x|**ord) ** (1/ord)``; ``inf``/``-inf`` give the largest/smallest ``|x|``,
    ``0`` the number of nonzero elements. Mirrors ``torch.linalg.vector_norm``
    (``grad_fn`` ``LinalgVectorNormBackward0``).

    Args:
        x: a floating point or complex tensor, of any shape.
        ord: the order of the norm, a number (default 2).
        dim: an int or tuple of ints: the dimensions to reduce (default ``None``: all).
        keepdim: keep the reduced dimensions as size 1 (default ``False``).
        dtype: convert ``x`` to this dtype before computing (it must not narrow
            ``x``'s dtype; default ``None``).
        out: a tensor to write the result into (default ``None``).

    Returns:
        Tensor: ``x``'s shape without the reduced dimensions (size 1 with ``keepdim``);
            a real dtype (``float32`` for ``complex64`` input).

    Raises:
        RuntimeError: for integer or bool input, a narrowing ``dtype``, or the ``inf``
            norm of an empty tensor.
        TypeError: for a string ``ord``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[3., -4.], [1., 2.]])
        >>> torch.linalg.vector_norm(x, dim=1)
        tensor([5.0000, 2.2361])
        >>> torch.linalg.vector_norm(x, ord=float("inf"))
        tensor(4.)
    """
    if out is not None:
        return with_out("linalg_vector_norm", out, vector_norm, x, ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_cname(x.dtype)}")
    if dtype is not None:
        if D.promote_types(x.dtype, dtype) is not dtype:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({_cname(x.dtype)}) should be "
                               f"convertible without narrowing to the specified dtype ({_cname(dtype)})")
        x = x.to(dtype)
    axes = _axes(x, dim)
    if ord in (math.inf, -math.inf) and x.numel() == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'-' if ord < 0 else ''}inf norm on an empty "
                           "tensor because the operation does not have an identity")
    return VectorNorm.apply(x, ord=float(ord) if not isinstance(ord, int) else ord, axes=axes,
                            keepdim=bool(keepdim))


class Amax(OpFunction):
    """``amax``/``amin``: the gradient is shared evenly between equal extremes."""

    name = "AmaxBackward0"
    create_graph = True  # the masks and counts are constants; g enters linearly
    arity = 1

    @staticmethod
    def forward(ctx, x, axes, keepdim, largest):
        if ctx.needs_input_grad:  # (no attribute set at all when no graph is recorded)
            ctx.axes, ctx.keepdim = axes, keepdim
            ctx.save_for_backward(x)
            ctx.save_output()
        b = x._backend
        out = (b.amax if largest else b.amin)(x._data, axes, keepdim)
        return row_major(b, out)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return Amax.share(ctx.xp, x._data, out._data, g, ctx.axes, ctx.keepdim)

    @staticmethod
    def share(xp, a, out, g, axes, keepdim):
        """The gradient ``g`` of the extremes ``out`` of ``a`` over ``axes``, shared evenly
        among the elements equal to them."""
        shape = a.shape
        hit = xp.astype(a == _restore(xp, out, shape, axes, keepdim), g.dtype)
        count = _restore(xp, xp.sum(hit, axis=axes, keepdims=keepdim), shape, axes, keepdim)
        return _restore(xp, g, shape, axes, keepdim) / count * hit  # PyTorch's order


@tensor_input
def amax(input, dim=(), keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The largest values over ``dim`` (all dimensions when empty); ties share the
    gradient evenly. Mirrors ``torch.amax``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1, 5], [7, 2]]).amax(dim=1)
        tensor([5, 7])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("amax", dim, keepdim, axis, keepdims, ())
    return Amax.apply(input, axes=_extreme_axes(input, dim, "amax"), keepdim=bool(keepdim), largest=True)


@tensor_input
def amin(input, dim=(), keepdim=False, *, axis=NOT_GIVEN, keepdims=NOT_GIVEN):
    """The smallest values over ``dim`` (all dimensions when empty); ties share the
    gradient evenly. Mirrors ``torch.amin``.

    Unlike :func:`~reftorch.min`, ``dim`` may be a tuple and no indices are returned.

    Raises:
        IndexError: if a dim is out of range, or of size 0.
        RuntimeError: for an empty tensor without ``dim``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[1, 5], [7, 2]]).amin(dim=1)
        tensor([1, 2])
    """
    if axis is not NOT_GIVEN or keepdims is not NOT_GIVEN:
        dim, keepdim = numpy_names("amin", dim, keepdim, axis, keepdims, ())
    return Amax.apply(input, axes=_extreme_axes(input, dim, "amin"), keepdim=bool(keepdim), largest=False,
                      _name="AminBackward0")


def _extreme_axes(input, dim, who):
    """The axes ``amax``/``amin`` reduce; PyTorch refuses to reduce an empty dimension (the
    maximum of nothing has no identity)."""
    dims = () if dim is None or dim == () or dim == [] else (dim,) if isinstance(dim, int) else tuple(dim)
    axes = _axes(input, dims) if dims else None
    if input.numel() == 0:
        if not dims:
            raise RuntimeError(f"{who}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        for d in dims:
            if input.dim() and input.shape[_wrap_dim(d, input.dim())] == 0:
                raise IndexError(f"{who}(): Expected reduction dim {d} to have non-zero size.")
    return axes


def svdvals(A, *, driver=None, out=None):
    """The singular values of each matrix of ``A`` (``(*, m, n)`` -> ``(*, min(m, n))``),
    largest first: the ``S`` of :func:`reftorch.linalg.svd`, whose ``LinalgSvdBackward0``
    node it shares. Unlike the singular vectors, they are unique. Mirrors
    ``torch.linalg.svdvals`` (``driver`` is for CUDA and ignored).

    Raises:
        RuntimeError: for fewer than 2 dimensions or an integer dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.svdvals(torch.tensor([[3., 0.], [0., -4.]]))
        tensor([4., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_svdvals", svdvals, locals())
    if out is not None:
        return with_out("linalg_svdvals", out, svdvals, A)
    svd_checks(A, "linalg_svdvals")
    return Svd.apply(A, False)[1]


_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


@tensor_input(name="linalg_matrix_norm")
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm of the last two dimensions (or ``dim``), batched over the others.

    ``"fro"``: square root of the sum of squares; ``"nuc"``: sum of singular values;
    ``2``/``-2``: largest/smallest singular value; ``1``/``-1``: largest/smallest column
    sum of ``|A|``; ``inf``/``-inf``: largest/smallest row sum of ``|A|``. Mirrors
    ``torch.linalg.matrix_norm``.

    Args:
        A: a floating point or complex tensor of shape ``(*, m, n)``.
        ord: ``"fro"`` (the default), ``"nuc"``, ``2``, ``-2``, ``1``, ``-1``, ``inf``
            or ``-inf``.
        dim: the two dimensions holding the matrices (default ``(-2, -1)``).
        keepdim: keep the two reduced dimensions as size 1 (default ``False``).
        dtype: convert ``A`` to this dtype before computing (default ``None``).
        out: a tensor to write the result into (default ``None``).

    Returns:
        Tensor: of shape ``(*)``, a real dtype.

    Raises:
        RuntimeError: for fewer than 2 dimensions, integer input, an unsupported ``ord``,
            or a ``dim`` that is not a 2-tuple.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[1., -2.], [3., 4.]])
        >>> torch.linalg.matrix_norm(A)
        tensor(5.4772)
        >>> torch.linalg.matrix_norm(A, 1)
        tensor(6.)
    """
    if out is not None:
        return with_out("linalg_matrix_norm", out, matrix_norm, A, ord, dim, keepdim, dtype=dtype)
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(dtype)
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_cname(A.dtype)}")
    d0, d1 = (_wrap_dim(d, A.dim()) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        check_floating(A, "linalg.matrix_norm")  # (no half precision singular values)
        m = S.movedim(A, (d0, d1), (-2, -1))
        s = svdvals(m)
        if not keepdim:
            return reduction.sum(s, -1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
        r = reduction.sum(s, -1, keepdim=True) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1, True)
        return S.movedim(S.unsqueeze(r, -1), (-2, -1), (d0, d1))  # back where the matrix dims were
    rows = ord in (math.inf, -math.inf)  # inf: row sums; 1: column sums
    over, keep = (d1, d0) if rows else (d0, d1)
    sums = reduction.sum(_abs(A), dim=over, keepdim=keepdim)
    if not keepdim and keep > over:
        keep -= 1
    return (amax if ord > 0 else amin)(sums, keep, keepdim=keepdim)


@tensor_input(name="linalg_norm")
def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.norm``: a vector norm for 1 ``dim`` (or 1-D input with ``dim`` None),
    a matrix norm for 2 (or 2-D input); with ``ord`` and ``dim`` both None, the 2-norm of
    the flattened input.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.norm(torch.tensor([3., 4.]))
        tensor(5.)
    """
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.dim() == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if A.dim() == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                       f"Got {A.dim()}D.")


def torch_norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm`` (and ``Tensor.norm``): the older front end of the linalg norms.

    ``p`` is a number (vector norm over ``dim``, all elements when ``None``), ``"fro"``
    (the 2-norm over ``dim``) or ``"nuc"`` (nuclear norm of a matrix). Mirrors
    ``torch.norm``; the gradient is ``LinalgVectorNormBackward0`` as in PyTorch.

    Args:
        input: a floating point tensor.
        p: the order (default ``"fro"``).
        dim: an int or a tuple of dims to reduce (default: all).
        keepdim: keep the reduced dims with size 1 (default ``False``).
        out: a tensor to write the result into.
        dtype: the dtype to compute in and return.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[3., -4.], [1., 2.]])
        >>> x.norm(), x.norm(p=1, dim=1)
        (tensor(5.4772), tensor([7., 3.]))
    """
    # (the unchecked linalg norms: PyTorch's torch.norm, Python code, reads ``input.layout``
    # first, so a number is an AttributeError there, not the linalg functions' TypeError)
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm.unchecked(input, 2, dim, keepdim, dtype=dtype, out=out)
        if p == "fro":
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        if p == "nuc":
            return matrix_norm.unchecked(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return vector_norm.unchecked(input, 2 if p is None else p, dim, keepdim, dtype=dtype, out=out)




_DEPRECATED_NORM = ("at::{} is deprecated and it is just left for JIT compatibility. It will be removed in a future "
                    "PyTorch release. Please use `{}` instead (Triggered internally at "
                    "/__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:{}.)")


def nuclear_norm(input, dim=NOT_GIVEN, keepdim=False, *, out=None):
    """The nuclear norm (sum of singular values) of the matrices in the dims ``dim``
    (default: the last two): ``torch.linalg.matrix_norm(input, "nuc", dim, keepdim)``,
    kept with PyTorch's once-per-process deprecation warning. Mirrors
    ``torch.nuclear_norm``.

    Raises:
        RuntimeError: for fewer than 2 dimensions, or an integer input.
    """
    if isinstance(dim, bool):  # nuclear_norm(x, True): the keepdim overload
        dim, keepdim = NOT_GIVEN, dim
    line = (3229 if out is None else 3217 if dim is NOT_GIVEN else 3241)
    warn_once(_DEPRECATED_NORM.format("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)", line), 0)
    dim = (-2, -1) if dim is NOT_GIVEN else (dim, dim) if isinstance(dim, int) else dim
    return matrix_norm(input, "nuc", dim, keepdim, out=out)


def frobenius_norm(input, dim=NOT_GIVEN, keepdim=False, *, out=None):
    """The 2-norm of the elements over ``dim`` (at most two dims; ``()``: all): PyTorch's
    ``at::norm(input, 2, dim, keepdim)`` (``grad_fn`` ``NormBackward1``), kept with a
    once-per-process deprecation warning; prefer ``torch.linalg.vector_norm``. Mirrors
    ``torch.frobenius_norm``.

    Raises:
        RuntimeError: for more than two dims, a repeated dim, or an integer input.
    """
    if dim is NOT_GIVEN:
        raise TypeError('frobenius_norm() missing 1 required positional arguments: "dim"')
    warn_once(_DEPRECATED_NORM.format("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)",
                                      3175 if out is None else 3195), 0)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead.")
    if out is not None:
        return with_out("frobenius_norm", out, _norm2, input, dims, keepdim)
    return _norm2(input, dims, keepdim)


def _norm2(input, dims, keepdim):
    """ATen's ``norm(input, 2, dims, keepdim)``."""
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_cname(input.dtype)} instead.")
    return VectorNorm.apply(input, ord=2, axes=_axes(input, dims), keepdim=bool(keepdim), _name="NormBackward1")
