"""The LU decomposition: ``linalg.lu_factor``/``lu_factor_ex``/``lu``/``lu_solve``,
``torch.lu_unpack`` and the older ``torch.lu``/``torch.lu_solve``.

The factorisation is LAPACK's ``getrf`` (partial pivoting) run over the backend's array
namespace (:func:`~reftorch._ops.linalg_solve.lu_factor_kernel`); the pivots are 1-based
int32 row swaps as in LAPACK and PyTorch: row ``i`` was swapped with row ``pivots[i]``, in
turn, and ``A = P @ L @ U``. The solves are triangular substitutions as LAPACK's ``getrs``.
The backward formulas are PyTorch's (``linalg_lu_backward``, and for ``lu_solve`` the
gradient of ``A = P L U`` carried to ``L`` and ``U``).
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, tensor_arg
from .._warnings import warn_once
from ..autograd.function import OpFunction
from ._common import sum_to_shape
from .householder import _mH
from .linalg_products import _substitute
from .linalg_solve import check_floating, check_square, lu_factor_kernel, raise_singular
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

linalg_lu_factor_rt = _return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex_rt = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu_rt = _return_type("linalg_lu", ("P", "L", "U"))
lu_unpack_rt = _return_type("lu_unpack", ("P", "L", "U"))
lu_with_info_rt = _return_type("_lu_with_info", ("LU", "pivots", "info"))


# ----------------------------------------------------------------------------- kernels
def permutation(b, piv, m):
    """The row order ``perm`` (int64, ``(*, m)``) the pivots ``piv`` (1-based, ``(*, k)``)
    make: row ``i`` of ``P^T A`` is row ``perm[i]`` of ``A``."""
    xp = b.xp
    rows = xp.arange(m, dtype=xp.int64, **b._dev_kw())
    perm = xp.broadcast_to(rows, tuple(piv.shape[:-1]) + (m,))
    for i in range(piv.shape[-1]):
        p = xp.astype(piv[..., i:i + 1], xp.int64) - 1
        at_i, at_p = perm[..., i:i + 1], b.take_along_axis(perm, p, perm.ndim - 1)
        perm = xp.where(rows == i, at_p, xp.where(rows == p, at_i, perm))
    return perm


def permutation_matrix(b, perm, dtype):
    """``P`` (``(*, m, m)``, of ``dtype``) with ``P[perm[i], i] = 1``."""
    xp = b.xp
    m = perm.shape[-1]
    rows = xp.reshape(xp.arange(m, dtype=xp.int64, **b._dev_kw()), (m, 1))
    return xp.astype(rows == xp.expand_dims(perm, axis=-2), dtype)


def permute_rows(b, x, perm):
    """The rows of ``x`` (``(*, m, k)``) in the order ``perm`` (``(*, m)``): ``P^T x``."""
    xp = b.xp
    return b.take_along_axis(x, xp.broadcast_to(xp.expand_dims(perm, axis=-1), x.shape), x.ndim - 2)


def unpack(b, lu):
    """``L`` (unit lower triangular, ``(*, m, k)``) and ``U`` (``(*, k, n)``) held in ``lu``."""
    xp = b.xp
    m, n = lu.shape[-2], lu.shape[-1]
    k = min(m, n)
    eye = xp.eye(m, k, dtype=lu.dtype, **b._dev_kw())
    return xp.tril(lu[..., :, :k], k=-1) + eye, xp.triu(lu[..., :k, :])


def solve_unit_lower(xp, L, x):
    """``L^{-1} x`` for unit lower triangular ``L``."""
    return _substitute(xp, L, x, False, True)


def _right_solve(xp, x, a, upper):
    """``x a^{-1}`` for triangular ``a`` (``upper``: its triangle)."""
    return _mH(xp, _substitute(xp, _mH(xp, a), _mH(xp, x), not upper, False))


def lu_solve_arrays(b, lu, piv, rhs, left, adjoint):
    """``X`` with ``A X = B`` (``adjoint``: ``A^H X = B``; ``left=False``: ``X A = B`` or
    ``X A^H = B``), ``A = P L U`` given by ``lu`` and ``piv``; the batches broadcast."""
    xp = b.xp
    if not left:  # X A = B  <=>  A^H X^H = B^H;  X A^H = B  <=>  A X^H = B^H
        return _mH(xp, lu_solve_arrays(b, lu, piv, _mH(xp, rhs), True, not adjoint))
    n = lu.shape[-1]
    batch = broadcast_shape(tuple(lu.shape[:-2]), tuple(rhs.shape[:-2]))
    rhs = xp.broadcast_to(rhs, batch + tuple(rhs.shape[-2:]))
    if n == 0:
        return xp.zeros(rhs.shape, dtype=rhs.dtype, **b._dev_kw())
    lu = xp.broadcast_to(lu, batch + (n, n))
    perm = xp.broadcast_to(permutation(b, piv, n), batch + (n,))
    if not adjoint:  # X = U^{-1} L^{-1} P^T B
        y = solve_unit_lower(xp, lu, permute_rows(b, rhs, perm))
        return _substitute(xp, lu, y, True, False)
    lu_h = _mH(xp, lu)  # X = P L^{-H} U^{-H} B
    y = _substitute(xp, lu_h, rhs, False, False)
    y = _substitute(xp, lu_h, y, True, True)
    return permute_rows(b, y, xp.argsort(perm, axis=-1))


def lu_backward(b, gL, gU, P, L, U):
    """PyTorch's ``linalg_lu_backward``: the gradient of ``A = P L U`` from those of ``L``
    (``(*, m, k)``) and ``U`` (``(*, k, n)``), either ``None``; square, wide (``m < n``)
    and tall (``m > n``) cases."""
    xp = b.xp
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    Lh, Uh = _mH(xp, L), _mH(xp, U)
    if m == n:
        g = None if gL is None else xp.tril(xp.matmul(Lh, gL), k=-1)
        if gU is not None:
            t = xp.triu(xp.matmul(gU, Uh))
            g = t if g is None else g + t
        g = _right_solve(xp, g, Uh, False)
        g = _substitute(xp, Lh, g, True, True)
    elif m < n:
        g = None if gL is None else xp.matmul(Lh, gL)
        if gU is not None:
            t = xp.matmul(xp.triu(gU), Uh)
            g = -t if g is None else g - t
        g = _right_solve(xp, xp.tril(g, k=-1), _mH(xp, U[..., :k]), False)
        if gU is not None:
            g = xp.concat([g + xp.triu(gU[..., :k]), gU[..., k:]], axis=-1)
        g = _substitute(xp, Lh, g, True, True)
        if gU is None:
            g = xp.concat([g, xp.zeros_like(U[..., k:])], axis=-1)
    else:
        g = None if gU is None else xp.matmul(gU, Uh)
        if gL is not None:
            t = xp.matmul(Lh, xp.tril(gL, k=-1))
            g = -t if g is None else g - t
        g = _substitute(xp, _mH(xp, L[..., :k, :]), xp.triu(g), True, True)
        if gL is not None:
            g = xp.concat([g + xp.tril(gL[..., :k, :], k=-1), gL[..., k:, :]], axis=-2)
        g = _right_solve(xp, g, Uh, False)
        if gL is None:
            g = xp.concat([g, xp.zeros_like(L[..., k:, :])], axis=-2)
    return xp.matmul(P, g)


def _unpacked(b, lu, piv):
    """``(P, L, U)`` arrays of the factorisation ``lu``, ``piv``."""
    L, U = unpack(b, lu)
    return permutation_matrix(b, permutation(b, piv, lu.shape[-2]), lu.dtype), L, U


# ----------------------------------------------------------------------------- ops
class LuFactor(OpFunction):
    """``LU`` of ``linalg.lu_factor`` (computed before, passed in). Backward: PyTorch's
    ``lu_factor_ex_backward``, :func:`lu_backward` with ``gL = grad[..., :k]`` and
    ``gU = grad[..., :k, :]``."""

    name = "LinalgLuFactorExBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, A, lu, piv):
        if ctx.needs_input_grad:
            ctx.lu, ctx.piv = lu, piv
        return lu

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        m, n = ctx.lu.shape[-2], ctx.lu.shape[-1]
        k = min(m, n)
        P, L, U = _unpacked(b, ctx.lu, ctx.piv)
        return lu_backward(b, g[..., :, :k], g[..., :k, :], P, L, U)


class Lu(OpFunction):
    """``(L, U)`` of ``linalg.lu`` (``P`` has no gradient). Backward: :func:`lu_backward`."""

    name = "LinalgLuBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A, P, L, U):
        if ctx.needs_input_grad:
            ctx.plu = (P, L, U)
        return L, U

    @staticmethod
    def backward(ctx, gL, gU):
        return lu_backward(ctx.backend, gL, gU, *ctx.plu)


class LuUnpack(OpFunction):
    """``(L, U)`` read out of ``LU``: the gradient puts ``gL``'s strictly lower and ``gU``'s
    upper triangle back in their places."""

    name = "LuUnpackBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, LU):
        L, U = unpack(LU._backend, LU._data)
        if ctx.needs_input_grad:
            ctx.shape = LU._data.shape
        return L, U

    @staticmethod
    def backward(ctx, gL, gU):
        xp = ctx.xp
        m, n = ctx.shape[-2], ctx.shape[-1]
        k = min(m, n)
        g = xp.zeros(tuple(ctx.shape), dtype=(gL if gL is not None else gU).dtype, **ctx.backend._dev_kw())
        if gL is not None:
            g = g + xp.concat([xp.tril(gL, k=-1), xp.zeros_like(g[..., :, k:])], axis=-1)
        if gU is not None:
            g = g + xp.concat([xp.triu(gU), xp.zeros_like(g[..., k:, :])], axis=-2)
        return g


class LuSolve(OpFunction):
    """``X`` of ``linalg.lu_solve``. Backward: ``gB`` solves the adjoint system; ``gA``
    (the gradient of ``A = P L U``: ``-gB X^H`` for ``A X = B``, ``-X gB^H`` for
    ``A^H X = B``, ``-X^H gB`` for ``X A = B``, ``-gB^H X`` for ``X A^H = B``) is carried to
    the factors: ``gL = tril(P^T gA U^H, -1)``, ``gU = triu(L^H P^T gA)``."""

    name = "LinalgLuSolveBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, LU, B, piv, left, adjoint):
        b = LU._backend
        x = lu_solve_arrays(b, LU._data, piv, B._data, left, adjoint)
        if ctx.needs_input_grad:
            ctx.lu, ctx.piv, ctx.x = LU._data, piv, x
            ctx.args = (left, adjoint, LU._data.shape, B._data.shape)
        return x

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        left, adjoint, s_lu, s_b = ctx.args
        gB = lu_solve_arrays(b, ctx.lu, ctx.piv, g, left, not adjoint)
        gLU = None
        if ctx.needs_input_grad[0]:
            x = ctx.x
            if left:
                gA = -(xp.matmul(x, _mH(xp, gB)) if adjoint else xp.matmul(gB, _mH(xp, x)))
            else:
                gA = -(xp.matmul(_mH(xp, gB), x) if adjoint else xp.matmul(_mH(xp, x), gB))
            n = s_lu[-1]
            lu = xp.broadcast_to(ctx.lu, tuple(gA.shape[:-2]) + (n, n))
            L, U = unpack(b, lu)
            pg = permute_rows(b, gA, xp.broadcast_to(permutation(b, ctx.piv, n), tuple(gA.shape[:-1])))
            gLU = xp.tril(xp.matmul(pg, _mH(xp, U)), k=-1) + xp.triu(xp.matmul(_mH(xp, L), pg))
            gLU = sum_to_shape(xp, gLU, s_lu)
        return gLU, (sum_to_shape(xp, gB, s_b) if ctx.needs_input_grad[1] else None)


# ----------------------------------------------------------------------------- checks
def _check_lu_input(A, who, fn, arg="A"):
    """``lu_factor``'s checks, in PyTorch's order."""
    tensor_arg(A, fn, arg, 1)
    if A.dim() < 2:
        raise RuntimeError(f"{who}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead")
    if not (A.dtype.is_floating_point or A.dtype.is_complex) or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")


def _check_pivot(pivot):
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _factor(A, check_errors, who):
    """``(LU, pivots, info)`` tensors of ``A`` (checked)."""
    b = A._backend
    lu, piv, info = lu_factor_kernel(b, A._data)
    if check_errors:
        raise_singular(b, info, who, lambda k: f"U[{k},{k}] is zero and using it on lu_solve would result in a "
                                               "division by zero. If you still want to perform the factorization, "
                                               "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)",
                       RuntimeError)
    wrap = lambda a: Tensor._wrap(a, A.device, b)  # noqa: E731
    return LuFactor.apply(A, lu, piv), wrap(piv), wrap(info)


# ----------------------------------------------------------------------------- public
def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """The LU factorisation with partial pivoting of each matrix of ``A`` in LAPACK's
    compact form, with LAPACK's ``info``:
    ``torch.return_types.linalg_lu_factor_ex(LU, pivots, info)``.

    ``LU`` (``A``'s shape) holds ``U`` on and above the diagonal and the multipliers of the
    unit lower triangular ``L`` below it; ``pivots`` (int32, ``(*, min(m, n))``) the 1-based
    row swapped with each row in turn; ``info`` (int32, ``(*)``) is 0, or the 1-based
    position of the first zero pivot (the factorisation still completes). Mirrors
    ``torch.linalg.lu_factor_ex`` (``grad_fn=<LinalgLuFactorExBackward0>``).

    Args:
        A: a float32/float64 tensor of shape ``(*, m, n)``.
        pivot: must be ``True`` (PyTorch has no LU without pivoting on the CPU).
        check_errors: raise for a zero pivot (default ``False``).

    Raises:
        RuntimeError: for fewer than 2 dimensions or ``pivot=False``.
        NotImplementedError: for integer or half dtypes (PyTorch's ``"lu_cpu"`` message).
        RuntimeError: with ``check_errors=True``, for a zero pivot (a plain
            ``RuntimeError``, as in PyTorch, not a ``LinAlgError``).

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.lu_factor_ex(torch.tensor([[1., 2.], [3., 4.]]))
        torch.return_types.linalg_lu_factor_ex(
        LU=tensor([[3.0000, 4.0000],
                [0.3333, 0.6667]]),
        pivots=tensor([2, 2], dtype=torch.int32),
        info=tensor(0, dtype=torch.int32))
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.lu_factor_ex(out=...) is not supported")
    _check_lu_input(A, "torch.lu_factor", "linalg_lu_factor_ex")
    _check_pivot(pivot)
    return linalg_lu_factor_ex_rt(*_factor(A, check_errors, "torch.linalg.lu_factor_ex"))


def lu_factor(A, *, pivot=True, out=None):
    """The LU factorisation with partial pivoting of each matrix of ``A``, compactly:
    ``torch.return_types.linalg_lu_factor(LU, pivots)`` (see :func:`lu_factor_ex`), the
    input of :func:`lu_solve` and :func:`reftorch.lu_unpack`.

    Mirrors ``torch.linalg.lu_factor`` (``grad_fn=<LinalgLuFactorExBackward0>``). The
    factorisation is LAPACK's, one column at a time: the pivots are LAPACK's except where
    two candidates differ only by rounding.

    Args:
        A: a float32/float64 tensor of shape ``(*, m, n)``.
        pivot: must be ``True`` (PyTorch has no LU without pivoting on the CPU).

    Raises:
        RuntimeError: for fewer than 2 dimensions or ``pivot=False``.
        NotImplementedError: for integer or half dtypes.
        RuntimeError: for a zero pivot ("torch.linalg.lu_factor: U[2,2] is zero and using it
            on lu_solve would result in a division by zero. ...").

    Examples:
        >>> import reftorch as torch
        >>> LU, pivots = torch.linalg.lu_factor(torch.tensor([[1., 2.], [3., 4.]]))
        >>> pivots
        tensor([2, 2], dtype=torch.int32)
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.lu_factor(out=...) is not supported")
    _check_lu_input(A, "torch.lu_factor", "linalg_lu_factor")
    _check_pivot(pivot)
    return linalg_lu_factor_rt(*_factor(A, True, "torch.linalg.lu_factor")[:2])


def lu(A, *, pivot=True, out=None):
    """The LU decomposition ``A = P @ L @ U`` with partial pivoting of each matrix of ``A``:
    ``torch.return_types.linalg_lu(P, L, U)``.

    ``P`` is a permutation matrix (``(*, m, m)``), ``L`` unit lower triangular
    (``(*, m, k)``), ``U`` upper triangular (``(*, k, n)``), ``k = min(m, n)``. A zero pivot
    raises nothing. Mirrors ``torch.linalg.lu`` (``L`` and ``U`` share one
    ``LinalgLuBackward0`` node; ``P`` has no gradient).

    Args:
        A: a float32/float64 tensor of shape ``(*, m, n)``.
        pivot: must be ``True`` (PyTorch has no LU without pivoting on the CPU).

    Raises:
        RuntimeError: for fewer than 2 dimensions or ``pivot=False``.
        NotImplementedError: for integer or half dtypes.

    Examples:
        >>> import reftorch as torch
        >>> P, L, U = torch.linalg.lu(torch.tensor([[1., 2.], [3., 4.]]))
        >>> U
        tensor([[3.0000, 4.0000],
                [0.0000, 0.6667]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.lu(out=...) is not supported")
    _check_lu_input(A, "linalg.lu", "linalg_lu")
    _check_pivot(pivot)
    b = A._backend
    lu_, piv, _ = lu_factor_kernel(b, A._data)
    P, L, U = _unpacked(b, lu_, piv)
    L, U = Lu.apply(A, P, L, U)
    return linalg_lu_rt(Tensor._wrap(P, A.device, b), L, U)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` with ``A = P @ L @ U`` from the compact factorisation of
    :func:`reftorch.linalg.lu_factor`: ``torch.return_types.lu_unpack(P, L, U)``.

    ``unpack_data=False`` gives empty ``L`` and ``U``, ``unpack_pivots=False`` an empty
    ``P``. Mirrors ``torch.lu_unpack`` (``L`` and ``U`` share one
    ``LuUnpackBackward0`` node; ``P`` has no gradient).

    Args:
        LU_data: a tensor of shape ``(*, m, n)``.
        LU_pivots: an int32 tensor of shape ``(*, min(m, n))`` with values in ``[1, m]``.

    Raises:
        RuntimeError: for fewer than 2 dimensions, pivots that are not int32 or out of
            range.

    Examples:
        >>> import reftorch as torch
        >>> LU, pivots = torch.linalg.lu_factor(torch.tensor([[1., 2.], [3., 4.]]))
        >>> torch.lu_unpack(LU, pivots).P
        tensor([[0., 1.],
                [1., 0.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: lu_unpack(out=...) is not supported")
    tensor_arg(LU_data, "lu_unpack", "LU_data", 1)
    tensor_arg(LU_pivots, "lu_unpack", "LU_pivots", 2)
    if LU_data.dim() < 2:
        raise RuntimeError(f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(LU_data.shape)} instead")
    if LU_pivots.dtype is not D.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
                           "Note: this function is intended to be used with the output produced by "
                           "torch.linalg.lu_factor")
    b = LU_data._backend
    xp = b.xp
    m = LU_data.shape[-2]
    piv = LU_pivots._data
    if unpack_pivots and piv.size and not bool(xp.all((piv >= 1) & (piv <= m))):
        raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you properly "
                           "pass the result of lu_factor?")
    empty = lambda: Tensor._wrap(xp.zeros((0,), dtype=LU_data._data.dtype, **b._dev_kw()), LU_data.device, b)  # noqa: E731
    if unpack_data:
        L, U = LuUnpack.apply(LU_data)
    else:
        L, U = empty(), empty()
    if not unpack_pivots:
        return lu_unpack_rt(empty(), L, U)
    P = permutation_matrix(b, permutation(b, piv, m), LU_data._data.dtype)
    return lu_unpack_rt(Tensor._wrap(P, LU_data.device, b), L, U)


def _lu_solve(LU, pivots, B, left, adjoint, fn, names):
    tensor_arg(LU, fn, names[0], 1)
    tensor_arg(pivots, fn, names[1], 2)
    tensor_arg(B, fn, names[2], 3)
    check_square(LU, "torch.linalg.lu_solve")
    check_floating(LU, "torch.linalg.lu_solve", low_precision=False)
    who = "linalg.lu_solve"
    if LU.dtype is not B.dtype:
        raise RuntimeError(f"{who}: Expected LU and B to have the same dtype, but found LU of type "
                           f"{D.scalar_name(LU.dtype)} and B of type {D.scalar_name(B.dtype)} instead")
    if pivots.dtype is not D.int32:
        raise RuntimeError(f"{who}: pivots should be a Tensor of scalar type torch.int32")
    if B.dim() < 2:
        raise RuntimeError(f"{who}: The input tensor B must have at least 2 dimensions.")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{who}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if pivots.dim() >= 1 and pivots.shape[-1] != n:
        raise RuntimeError(f"{who}: Number of pivots per batch should be same as the dimension of the matrix")
    if tuple(LU.shape[:-1]) != tuple(pivots.shape):
        raise RuntimeError(f"{who}: Expected LU.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if LU.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"linalg.lu_solve_cpu\" not implemented for '{D.scalar_name(LU.dtype)}'")
    broadcast_shape(tuple(LU.shape[:-2]), tuple(B.shape[:-2]))  # (raises for batches that do not broadcast)
    return LuSolve.apply(LU, B, pivots._data, bool(left), bool(adjoint))


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """The solution ``X`` of ``A X = B`` for each matrix ``A`` given by its LU factorisation
    (``LU``, ``pivots`` from :func:`lu_factor`); ``adjoint=True`` solves ``A^H X = B``,
    ``left=False`` ``X A = B`` (``X A^H = B``). The batch dimensions of ``LU`` and ``B``
    broadcast.

    Mirrors ``torch.linalg.lu_solve`` (``grad_fn=<LinalgLuSolveBackward0>``, with gradients
    for both ``LU`` and ``B``). A zero on ``U``'s diagonal gives inf/nan, not an error.

    Args:
        LU: a float32/float64 tensor of shape ``(*, n, n)``.
        pivots: an int32 tensor of shape ``LU.shape[:-1]``.
        B: a tensor of ``LU``'s dtype, of shape ``(*, n, k)`` (``left=False``:
            ``(*, k, n)``).
        left: solve ``A X = B`` (default ``True``) or ``X A = B``.
        adjoint: use the (conjugate) transpose of ``A`` (default ``False``).

    Raises:
        RuntimeError: for non-square ``LU``, different dtypes, pivots that are not int32 or
            of the wrong shape, or incompatible shapes ("Incompatible shapes of A and B for
            the equation AX = B (3x3 and 2x1)").

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[3., 1.], [1., 2.]])
        >>> LU, pivots = torch.linalg.lu_factor(A)
        >>> torch.linalg.lu_solve(LU, pivots, torch.tensor([[9.], [8.]]))
        tensor([[2.],
                [3.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.lu_solve(out=...) is not supported")
    return _lu_solve(LU, pivots, B, left, adjoint, "linalg_lu_solve", ("LU", "pivots", "B"))


_LU_DEPRECATED = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be removed in a "
    "future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\nLU, pivots = "
    "torch.linalg.lu_factor(A, compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
    "should be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots) (Triggered internally "
    "at /__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2073.)")

_LU_SOLVE_DEPRECATED = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future PyTorch release.\n"
    "Note that torch.linalg.lu_solve has its arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be "
    "replaced with\nX = torch.linalg.lu_solve(LU, pivots, B) (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2230.)")


def torch_lu(A, pivot=True, get_infos=False, out=None):
    """The deprecated ``torch.lu`` (and ``Tensor.lu``): :func:`reftorch.linalg.lu_factor`
    as a plain tuple ``(LU, pivots)``, or with ``get_infos=True``
    ``torch.return_types._lu_with_info(LU, pivots, info)``; with PyTorch's deprecation
    warning (once). As in PyTorch, a zero pivot raises nothing.

    Examples:
        >>> import reftorch as torch
        >>> torch.lu(torch.tensor([[1., 2.], [3., 4.]]))[1]
        tensor([2, 2], dtype=torch.int32)
    """
    if out is not None:
        raise NotImplementedError("reftorch: lu(out=...) is not supported")
    _check_lu_input(A, "torch.lu_factor", "_lu_with_info")
    _check_pivot(pivot)
    warn_once(_LU_DEPRECATED, stacklevel=0)
    LU, piv, info = _factor(A, False, "torch.lu")
    return lu_with_info_rt(LU, piv, info) if get_infos else (LU, piv)


def tensor_lu(self, pivot=True, get_infos=False):
    """``Tensor.lu``: :func:`torch_lu` as a plain tuple (also with ``get_infos=True``, as
    in PyTorch)."""
    return tuple(torch_lu(self, pivot, get_infos))


def torch_lu_solve(input, LU_data, LU_pivots, *, out=None):
    """The deprecated ``torch.lu_solve(b, LU_data, LU_pivots)`` (and ``Tensor.lu_solve``):
    :func:`reftorch.linalg.lu_solve` with its arguments reversed, with PyTorch's deprecation
    warning (once).

    Examples:
        >>> import reftorch as torch
        >>> LU, pivots = torch.linalg.lu_factor(torch.tensor([[2., 0.], [0., 4.]]))
        >>> torch.lu_solve(torch.tensor([[2.], [4.]]), LU, pivots)
        tensor([[1.],
                [1.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("lu_solve", torch_lu_solve, locals())
    if out is not None:
        raise NotImplementedError("reftorch: lu_solve(out=...) is not supported")
    tensor_arg(input, "lu_solve", "input", 1)
    tensor_arg(LU_data, "lu_solve", "LU_data", 2)
    tensor_arg(LU_pivots, "lu_solve", "LU_pivots", 3)
    warn_once(_LU_SOLVE_DEPRECATED, stacklevel=0)
    return _lu_solve(LU_data, LU_pivots, input, True, False, "lu_solve", ("LU_data", "LU_pivots", "input"))
