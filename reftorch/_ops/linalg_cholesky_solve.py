"""Solves with triangular factors: ``torch.cholesky_solve``, ``torch.cholesky_inverse`` and the
deprecated ``torch.triangular_solve``.

The solves are substitutions over the backend's array namespace (``_substitute``, as
LAPACK's ``trsm``: only the named triangle is read; a zero on the diagonal gives inf/nan).
The backward formulas are PyTorch's (``cholesky_solve_backward``,
``cholesky_inverse_backward``, ``triangular_solve_backward``).
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import tensor_arg
from .._warnings import warn_once
from ..autograd.function import OpFunction
from ._common import sum_to_shape
from .householder import _conj, _mH
from .linalg_products import _substitute
from .linalg_solve import check_square, mT, raise_singular
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

triangular_solve_rt = _return_type("triangular_solve", ("solution", "cloned_coefficient"))


def _triangle(xp, a, upper):
    return xp.triu(a) if upper else xp.tril(a)


def cholesky_solve_arrays(xp, rhs, factor, upper):
    """``X`` with ``(L L^H) X = rhs`` (``upper``: ``(U^H U) X = rhs``), batches broadcast."""
    batch = broadcast_shape(tuple(rhs.shape[:-2]), tuple(factor.shape[:-2]))
    rhs = xp.broadcast_to(rhs, batch + tuple(rhs.shape[-2:]))
    f = xp.broadcast_to(_triangle(xp, factor, upper), batch + tuple(factor.shape[-2:]))
    if f.shape[-1] == 0:
        return rhs * 1
    lower = _mH(xp, f) if upper else f  # A = lower @ lower^H
    y = _substitute(xp, lower, rhs, False, False)
    return _substitute(xp, _mH(xp, lower), y, True, False)


class CholeskySolve(OpFunction):
    """``X`` of ``cholesky_solve``. Backward (PyTorch's): ``gB = cholesky_solve(grad)``,
    ``C = gB X^H + X gB^H``, ``gL = -C L`` (``upper``: ``-U C``)."""

    name = "CholeskySolveBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, B, L, upper):
        xp = B._backend.xp
        x = cholesky_solve_arrays(xp, B._data, L._data, upper)
        if ctx.needs_input_grad:
            ctx.x, ctx.l, ctx.upper = x, L._data, upper
            ctx.shapes = (B._data.shape, L._data.shape)
        return x

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        gb = cholesky_solve_arrays(xp, g, ctx.l, ctx.upper)
        gl = None
        if ctx.needs_input_grad[1]:
            c = xp.matmul(gb, _mH(xp, ctx.x))
            c = c + _mH(xp, c)
            gl = -xp.matmul(ctx.l, c) if ctx.upper else -xp.matmul(c, ctx.l)
            gl = sum_to_shape(xp, gl, ctx.shapes[1])
        return sum_to_shape(xp, gb, ctx.shapes[0]) if ctx.needs_input_grad[0] else None, gl


class CholeskyInverse(OpFunction):
    """``(L L^H)^{-1}`` (``upper``: ``(U^H U)^{-1}``). Backward (PyTorch's):
    ``C = X (grad + grad^H) X``, ``gL = -C L`` (``upper``: ``-U C``)."""

    name = "CholeskyInverseBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, L, upper):
        b = L._backend
        xp = b.xp
        n = L._data.shape[-1]
        eye = xp.broadcast_to(xp.eye(n, dtype=L._data.dtype, **b._dev_kw()), L._data.shape)
        x = cholesky_solve_arrays(xp, eye, L._data, upper)
        if ctx.needs_input_grad:
            ctx.x, ctx.l, ctx.upper = x, L._data, upper
        return x

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        c = xp.matmul(ctx.x, xp.matmul(g + _mH(xp, g), ctx.x))
        return -xp.matmul(ctx.l, c) if ctx.upper else -xp.matmul(c, ctx.l)


class TriangularSolve(OpFunction):
    """``(solution, cloned_coefficient)`` of ``triangular_solve``: ``X`` with ``op(A) X = b``
    (``op``: the transpose when ``transpose``) and ``A`` itself (broadcast). Backward
    (PyTorch's): ``gb`` solves the transposed system; ``gA`` is ``-gb X^H`` (``transpose``:
    ``-X gb^T``) on ``A``'s triangle, plus the coefficient's own gradient."""

    name = "TriangularSolveBackward0"
    arity = 2
    multi_output = True

    @staticmethod
    def forward(ctx, b_, A, upper, transpose, unitriangular):
        xp = A._backend.xp
        batch = broadcast_shape(tuple(b_._data.shape[:-2]), tuple(A._data.shape[:-2]))
        rhs = xp.broadcast_to(b_._data, batch + tuple(b_._data.shape[-2:]))
        a = xp.broadcast_to(A._data, batch + tuple(A._data.shape[-2:]))
        x = _tri_solve(xp, a, rhs, upper, transpose, unitriangular)
        if ctx.needs_input_grad:
            ctx.a, ctx.x = a, x
            ctx.args = (upper, transpose, unitriangular, b_._data.shape, A._data.shape)
        return x, a * 1

    @staticmethod
    def backward(ctx, gx, gm):
        xp = ctx.xp
        upper, transpose, unit, sb, sa = ctx.args
        gb = ga = None
        if gx is not None:
            gb = _tri_solve(xp, _conj(xp, ctx.a), gx, upper, not transpose, unit)
            if ctx.needs_input_grad[1]:
                ga = -xp.matmul(_conj(xp, ctx.x), mT(xp, gb)) if transpose else -xp.matmul(gb, _mH(xp, ctx.x))
                ga = xp.triu(ga, k=int(unit)) if upper else xp.tril(ga, k=-int(unit))
        if ga is None:
            ga = xp.zeros_like(ctx.a)
        if gb is None:
            gb = xp.zeros(tuple(ctx.x.shape[:-2]) + tuple(sb[-2:]), dtype=ctx.x.dtype, **ctx.backend._dev_kw())
        if gm is not None:
            ga = ga + gm
        return sum_to_shape(xp, gb, sb), sum_to_shape(xp, ga, sa)


def _tri_solve(xp, a, rhs, upper, transpose, unit):
    """``X`` with ``op(a) X = rhs`` for the ``upper`` (or lower) triangle of ``a``."""
    if a.shape[-1] == 0:
        return rhs * 1
    if transpose:
        return _substitute(xp, mT(xp, a), rhs, not upper, unit)
    return _substitute(xp, a, rhs, upper, unit)


def _zero_diagonal_info(b, a):
    """LAPACK ``trtri``'s info for the matrices ``a``: 0, or the 1-based position of the first
    zero on the diagonal (int32, the batch shape)."""
    xp = b.xp
    n = a.shape[-1]
    info = xp.zeros(tuple(a.shape[:-2]), dtype=xp.int32, **b._dev_kw())
    for k in reversed(range(n)):  # (the first zero wins)
        info = xp.where(a[..., k, k] == 0, xp.full_like(info, k + 1), info)
    return info


# ----------------------------------------------------------------------------- checks
def _solve_checks(b_, A, name):
    """PyTorch's ``linearSolveCheckInputs`` and its batch broadcasting."""
    if b_.dtype is not A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {D.scalar_name(b_.dtype)} "
                           f"and A of type {D.scalar_name(A.dtype)} instead.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} "
                           "matrices")
    if A.shape[-1] != b_.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {A.shape[-1]} by {A.shape[-1]} "
                           f"but each b matrix is {b_.shape[-2]} by {b_.shape[-1]}")
    broadcast_shape(tuple(b_.shape[:-2]), tuple(A.shape[:-2]))


def _kernel_dtype(A, kernel):
    if not (A.dtype.is_floating_point or A.dtype.is_complex) or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(A.dtype)}'")


# ----------------------------------------------------------------------------- public
def cholesky_solve(input, input2, upper=False, *, out=None):
    """The solution ``X`` of ``A X = B`` for ``A = L @ L^H`` given its Cholesky factor ``L``
    (``upper=True``: ``A = U^H @ U``): ``torch.cholesky_solve(B, L)``. Only the named
    triangle of ``L`` is read; the batch dimensions broadcast.

    Mirrors ``torch.cholesky_solve`` (and ``Tensor.cholesky_solve``;
    ``grad_fn=<CholeskySolveBackward0>``, gradients for ``B`` and ``L``). A zero on the
    diagonal of the factor gives inf/nan, not an error.

    Args:
        input: ``B``, of shape ``(*, n, k)``.
        input2: the factor, of shape ``(*, n, n)`` and ``B``'s dtype (float32/float64).
        upper: ``input2`` is the upper factor ``U`` (default ``False``).

    Raises:
        RuntimeError: for fewer than 2 dimensions, different dtypes, a non-square factor,
            incompatible sizes or batches that do not broadcast.
        NotImplementedError: for integer or half dtypes.

    Examples:
        >>> import reftorch as torch
        >>> L = torch.tensor([[2., 0.], [1., 1.]])
        >>> torch.cholesky_solve(torch.tensor([[6.], [4.]]), L)
        tensor([[1.],
                [1.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cholesky_solve", cholesky_solve, locals())
    if out is not None:
        raise NotImplementedError("reftorch: cholesky_solve(out=...) is not supported")
    tensor_arg(input, "cholesky_solve", "input", 1)
    tensor_arg(input2, "cholesky_solve", "input2", 2)
    if input.dim() < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input.dim()} dimensions instead")
    if input2.dim() < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {input2.dim()} dimensions instead")
    _solve_checks(input, input2, "cholesky_solve")
    _kernel_dtype(input2, "cholesky_solve_cpu")
    return CholeskySolve.apply(input, input2, bool(upper))


def cholesky_inverse(input, upper=False, *, out=None):
    """The inverse of ``A = L @ L^H`` given its Cholesky factor ``L`` (``upper=True``:
    ``A = U^H @ U``). Only the named triangle of ``input`` is read.

    Mirrors ``torch.cholesky_inverse`` (and ``Tensor.cholesky_inverse``;
    ``grad_fn=<CholeskyInverseBackward0>``). The inverse is computed by substitution, so
    where PyTorch's LAPACK gives ``-0.`` reftorch may give ``0.``; for a complex factor the
    diagonal is used as given (LAPACK's ``lauum`` reads only its real part: the results
    differ unless the diagonal is real, as a Cholesky factor's is).

    Args:
        input: the factor, a float32/float64 tensor of shape ``(*, n, n)``.
        upper: ``input`` is the upper factor ``U`` (default ``False``).

    Raises:
        RuntimeError: for fewer than 2 dimensions or non-square matrices.
        NotImplementedError: for integer or half dtypes.
        LinAlgError: for a zero on the factor's diagonal ("cholesky_inverse: The diagonal
            element 2 is zero, ...").

    Examples:
        >>> import reftorch as torch
        >>> torch.cholesky_inverse(torch.tensor([[1., 0.], [1., 1.]]))
        tensor([[ 2., -1.],
                [-1.,  1.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cholesky_inverse", cholesky_inverse, locals())
    if out is not None:
        raise NotImplementedError("reftorch: cholesky_inverse(out=...) is not supported")
    tensor_arg(input, "cholesky_inverse", "input", 1)
    check_square(input, "cholesky_inverse")
    _kernel_dtype(input, "cholesky_inverse_out_cpu")
    b = input._backend
    raise_singular(b, _zero_diagonal_info(b, input._data), "cholesky_inverse",
                   lambda k: f"The diagonal element {k} is zero, the inversion could not be completed because the "
                             "input matrix is singular.")
    return CholeskyInverse.apply(input, bool(upper))


_TRIANGULAR_SOLVE_DEPRECATED = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be removed in a future "
    "PyTorch release.\ntorch.linalg.solve_triangular has its arguments reversed and does not return a copy of one of "
    "the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
    "torch.linalg.solve_triangular(A, B). (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2273.)")


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """The solution ``X`` of ``A X = b`` (``transpose``: ``A^T X = b``) for triangular ``A``,
    and a copy of ``A``: ``torch.return_types.triangular_solve(solution,
    cloned_coefficient)``. Only ``A``'s upper (default) or lower triangle is read; with
    ``unitriangular`` its diagonal is taken to be ones. The batch dimensions broadcast (the
    copy of ``A`` too). A zero on the diagonal gives inf/nan, not an error.

    Mirrors the deprecated ``torch.triangular_solve`` (and ``Tensor.triangular_solve``; both
    results share one ``TriangularSolveBackward0`` node), with PyTorch's deprecation warning
    (once); :func:`reftorch.linalg.solve_triangular` is its replacement.

    Args:
        input: ``b``, of shape ``(*, m, k)``.
        A: of shape ``(*, m, m)`` and ``b``'s dtype (float32/float64).

    Raises:
        RuntimeError: for fewer than 2 dimensions, different dtypes, non-square ``A``,
            incompatible sizes or batches that do not broadcast.
        NotImplementedError: for integer or half dtypes.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[2., 1.], [0., 4.]])
        >>> torch.triangular_solve(torch.tensor([[4.], [8.]]), A).solution
        tensor([[1.],
                [2.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("triangular_solve", triangular_solve, locals())
    if out is not None:
        raise NotImplementedError("reftorch: triangular_solve(out=...) is not supported")
    tensor_arg(input, "triangular_solve", "input", 1)
    tensor_arg(A, "triangular_solve", "A", 2)
    if input.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has "
                           f"{input.dim()} dimensions instead")
    if A.dim() < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has {A.dim()} "
                           "dimensions instead")
    _solve_checks(input, A, "triangular_solve")
    _kernel_dtype(A, "triangular_solve_cpu")
    warn_once(_TRIANGULAR_SOLVE_DEPRECATED, stacklevel=0)
    return triangular_solve_rt(*TriangularSolve.apply(input, A, bool(upper), bool(transpose), bool(unitriangular)))
