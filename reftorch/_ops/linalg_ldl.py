"""The LDL decomposition of symmetric matrices: ``linalg.ldl_factor``/``ldl_factor_ex`` and
``linalg.ldl_solve``.

The factorisation is LAPACK's ``sytf2`` with ``uplo="L"`` (Bunch-Kaufman pivoting: 1x1 or
2x2 diagonal blocks) and the solve is ``sytrs``, both run one matrix at a time (the
pivoting decides the steps) over the backend's array namespace. PyTorch's ``sytrf`` is the
blocked form of the same algorithm: the same pivots, values equal to float rounding (for
matrices larger than LAPACK's block size, near-ties between pivot candidates might be
decided differently; the solution of ``ldl_solve`` is the same either way).

Pivots (int32, 1-based, as LAPACK's): ``pivots[k] > 0`` is a 1x1 block after swapping rows
and columns ``k`` and ``pivots[k]``; ``pivots[k] = pivots[k+1] = -p < 0`` is a 2x2 block
after swapping ``k+1`` and ``p``. PyTorch has no derivative for these functions.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, tensor_arg
from ..autograd.function import OpFunction
from .linalg_decomp import hermitian_from
from .linalg_solve import check_floating, check_square, mT
from .reduction import _return_type

linalg_ldl_factor_rt = _return_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex_rt = _return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))

_ALPHA = (1 + math.sqrt(17)) / 8  # Bunch-Kaufman's threshold


class _NotDifferentiable(OpFunction):
    """The ``NotImplemented`` node PyTorch records for an op without a derivative: its
    backward raises."""

    name = "torch::autograd::NotImplemented"
    arity = 1

    @staticmethod
    def forward(ctx, t, out, op):
        ctx.op = op
        return out

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


def _swap(b, s, i, j, k):
    """Swap rows and columns ``i`` and ``j`` of the trailing matrix ``s[k:, k:]`` in place
    (the columns of ``L`` already made stay: ``sytrs`` applies the swaps in turn)."""
    if i == j:
        return
    ri, rj = b.copy(s[i, k:]), b.copy(s[j, k:])
    b.setitem(s, (i, slice(k, None)), rj)
    b.setitem(s, (j, slice(k, None)), ri)
    ci, cj = b.copy(s[k:, i]), b.copy(s[k:, j])
    b.setitem(s, (slice(k, None), i), cj)
    b.setitem(s, (slice(k, None), j), ci)


def _lower_mirrored(b, s):
    """``s`` made symmetric from its lower triangle (only the lower triangle is LAPACK's)."""
    xp = b.xp
    return xp.tril(s) + mT(xp, xp.tril(s, k=-1))


def _first_max(b, v):
    """``(index, value)`` of the first largest magnitude of the vector ``v`` (``idamax``)."""
    xp = b.xp
    i = int(xp.argmax(xp.abs(v)))
    return i, abs(float(v[i]))


def sytf2(b, a):
    """``(ld, pivots, info)`` of LAPACK's ``sytf2`` (lower) for one symmetric matrix ``a``
    (``(n, n)``, its lower triangle read)."""
    xp = b.xp
    n = a.shape[-1]
    s = b.copy(hermitian_from(xp, a, False))
    piv = [0] * n
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(float(s[k, k]))
        imax, colmax = k, 0.0
        if k < n - 1:
            imax, colmax = _first_max(b, s[k + 1:, k])
            imax += k + 1
        kp = k
        if max(absakk, colmax) == 0:
            info = info or k + 1
        else:
            if not absakk >= _ALPHA * colmax:  # (a nan pivot goes on to the other tests, as in PyTorch's LAPACK)
                rowmax = _first_max(b, s[imax, k:imax])[1]
                if imax < n - 1:
                    rowmax = max(rowmax, _first_max(b, s[imax + 1:, imax])[1])
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(float(s[imax, imax])) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            _swap(b, s, kk, kp, k)
            s = _lower_mirrored(b, s)
            _eliminate(b, s, k, kstep)
            s = _lower_mirrored(b, s)
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return xp.tril(s), piv, info


def _eliminate(b, s, k, kstep):
    """``sytf2``'s update of the trailing matrix after the block at ``k`` (in place)."""
    xp = b.xp
    n = s.shape[-1]
    if kstep == 1:
        if k < n - 1:
            x = b.copy(s[k + 1:, k])
            d11 = 1 / s[k, k]
            trail = s[k + 1:, k + 1:] + xp.expand_dims(x, axis=-1) * xp.expand_dims(-d11 * x, axis=0)  # (dsyr)
            b.setitem(s, (slice(k + 1, None), slice(k + 1, None)), trail)
            b.setitem(s, (slice(k + 1, None), k), x * d11)
        return
    if k < n - 2:
        d21 = s[k + 1, k]
        d11 = s[k + 1, k + 1] / d21
        d22 = s[k, k] / d21
        t = 1 / (d11 * d22 - 1)
        d21 = t / d21
        c0, c1 = b.copy(s[k + 2:, k]), b.copy(s[k + 2:, k + 1])
        wk = d21 * (d11 * c0 - c1)
        wkp1 = d21 * (d22 * c1 - c0)
        upd = xp.expand_dims(c0, axis=-1) * xp.expand_dims(wk, axis=0) + \
            xp.expand_dims(c1, axis=-1) * xp.expand_dims(wkp1, axis=0)
        b.setitem(s, (slice(k + 2, None), slice(k + 2, None)), s[k + 2:, k + 2:] - upd)
        b.setitem(s, (slice(k + 2, None), k), wk)
        b.setitem(s, (slice(k + 2, None), k + 1), wkp1)


def sytrs(b, ld, piv, rhs):
    """``X`` of LAPACK's ``sytrs`` (lower) for one factorisation ``ld``, ``piv`` (a list of
    1-based pivots) and right-hand sides ``rhs`` (``(n, k)``)."""
    n = ld.shape[-1]
    x = b.copy(rhs)

    def swap_rows(i, j):
        if i != j:
            ri, rj = b.copy(x[i, :]), b.copy(x[j, :])
            b.setitem(x, (i, slice(None)), rj)
            b.setitem(x, (j, slice(None)), ri)

    def sub(rows, col, row):  # x[rows] -= ld[rows, col] (outer) x[row]   (dger)
        b.setitem(x, (rows, slice(None)), x[rows, :] - b.xp.expand_dims(ld[rows, col], axis=-1) * x[row, :])

    k = 0
    while k < n:  # L D Y = B
        if piv[k] > 0:
            swap_rows(k, piv[k] - 1)
            sub(slice(k + 1, None), k, k)
            b.setitem(x, (k, slice(None)), x[k, :] * (1 / ld[k, k]))
            k += 1
        else:
            swap_rows(k + 1, -piv[k] - 1)
            sub(slice(k + 2, None), k, k)
            sub(slice(k + 2, None), k + 1, k + 1)
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = x[k, :] / akm1k, x[k + 1, :] / akm1k
            b.setitem(x, (k, slice(None)), (ak * bkm1 - bk) / denom)
            b.setitem(x, (k + 1, slice(None)), (akm1 * bk - bkm1) / denom)
            k += 2
    xp = b.xp
    k = n - 1
    while k >= 0:  # L^T X = Y
        blk = 1 if piv[k] > 0 else 2
        for r in range(k, k - blk, -1):
            if k < n - 1:
                b.setitem(x, (r, slice(None)), x[r, :] - xp.sum(xp.expand_dims(ld[k + 1:, r], axis=-1) * x[k + 1:, :],
                                                                axis=0))
        swap_rows(k, (piv[k] if blk == 1 else -piv[k]) - 1)
        k -= blk
    return x


# ----------------------------------------------------------------------------- public
def _ldl_checks(A, fn):
    tensor_arg(A, fn, "A", 1)
    who = "torch.linalg.ldl_factor_ex"
    check_square(A, who)
    check_floating(A, who, low_precision=False)
    if A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"ldl_factor_kernel_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")
    if A.dtype.is_complex:
        raise NotImplementedError("reftorch: linalg.ldl_factor of complex matrices is not supported")


def _factor(A, check_errors, who):
    b = A._backend
    xp = b.xp
    n = A.shape[-1]
    batch = tuple(A.shape[:-2])
    flat = xp.reshape(A._data, (-1, n, n))
    lds, pivs, infos = [], [], []
    for i in range(flat.shape[0]):
        ld, piv, info = sytf2(b, flat[i, ...])
        lds.append(ld)
        pivs.append(piv)
        infos.append(info)
    for info in infos:
        if check_errors and info:
            raise RuntimeError(f"false INTERNAL ASSERT FAILED at \"/__w/pytorch/pytorch/aten/src/ATen/native/"
                               f"BatchLinearAlgebra.cpp\":1642, please report a bug to PyTorch. {who}: Unknown error "
                               f"code: {info}.")
    dev = b._dev_kw()
    ld = xp.reshape(xp.stack(lds), batch + (n, n)) if lds else xp.zeros(batch + (n, n), dtype=A._data.dtype, **dev)
    piv = xp.reshape(xp.asarray(pivs, dtype=xp.int32, **dev), batch + (n,))
    info = xp.reshape(xp.asarray(infos, dtype=xp.int32, **dev), batch)
    LD = Tensor._wrap(ld, A.device, b)
    if A.requires_grad:
        LD = _NotDifferentiable.apply(A, ld, "linalg_ldl_factor_ex")
    return LD, Tensor._wrap(piv, A.device, b), Tensor._wrap(info, A.device, b)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """The LDL factorisation ``A = P L D L^T P^T`` of each symmetric matrix of ``A`` (its
    lower triangle read) with Bunch-Kaufman pivoting, in LAPACK's compact form, with
    LAPACK's ``info``: ``torch.return_types.linalg_ldl_factor_ex(LD, pivots, info)``.

    ``LD`` holds the unit lower triangular ``L`` below the diagonal and the 1x1 and 2x2
    blocks of ``D`` on it (the upper triangle is zero); ``pivots`` (int32, ``(*, n)``) as
    described in this module; ``info`` 0, or the 1-based position of the first zero
    column (a singular ``D``). Mirrors ``torch.linalg.ldl_factor_ex`` for real matrices
    (``hermitian`` makes no difference there); like PyTorch, no gradient (backward raises).

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        hermitian: for complex matrices (not supported); ignored for real ones.
        check_errors: raise for a nonzero ``info`` (default ``False``), with PyTorch 2.13's
            message (an internal assertion naming the error code).

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices or an integer dtype.
        NotImplementedError: for half or complex dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.ldl_factor_ex(torch.tensor([[1., 7.], [7., 1.]]))
        torch.return_types.linalg_ldl_factor_ex(
        LD=tensor([[1., 0.],
                [7., 1.]]),
        pivots=tensor([-2, -2], dtype=torch.int32),
        info=tensor(0, dtype=torch.int32))
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.ldl_factor_ex(out=...) is not supported")
    _ldl_checks(A, "linalg_ldl_factor_ex")
    return linalg_ldl_factor_ex_rt(*_factor(A, check_errors, "torch.linalg.ldl_factor_ex"))


def ldl_factor(A, *, hermitian=False, out=None):
    """The LDL factorisation with Bunch-Kaufman pivoting of each symmetric matrix of ``A``:
    ``torch.return_types.linalg_ldl_factor(LD, pivots)`` (see :func:`ldl_factor_ex`), the
    input of :func:`ldl_solve`. Mirrors ``torch.linalg.ldl_factor`` for real matrices.

    Raises:
        RuntimeError: as :func:`ldl_factor_ex`, and for a singular ``D`` (PyTorch 2.13's
            internal-assertion message, "torch.linalg.ldl_factor: Unknown error code: 1.").
        NotImplementedError: for half or complex dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.ldl_factor(torch.tensor([[4., 2.], [2., 3.]])).LD
        tensor([[4.0000, 0.0000],
                [0.5000, 2.0000]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.ldl_factor(out=...) is not supported")
    _ldl_checks(A, "linalg_ldl_factor")
    return linalg_ldl_factor_rt(*_factor(A, True, "torch.linalg.ldl_factor")[:2])


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """The solution ``X`` of ``A X = B`` for each symmetric matrix ``A`` given by its LDL
    factorisation (``LD``, ``pivots`` from :func:`ldl_factor`); the batch dimensions of
    ``B`` broadcast with ``LD``'s. Mirrors ``torch.linalg.ldl_solve`` for real matrices
    (LAPACK's ``sytrs``); like PyTorch, no gradient (backward raises).

    Args:
        LD: a float32/float64 tensor of shape ``(*, n, n)``.
        pivots: an integer tensor of shape ``LD.shape[:-1]``.
        B: a tensor of ``LD``'s dtype, of shape ``(*, n, k)``.
        hermitian: for complex matrices (not supported); ignored for real ones.

    Raises:
        RuntimeError: for non-square ``LD``, different dtypes, pivots of the wrong shape or
            incompatible sizes.

    Examples:
        >>> import reftorch as torch
        >>> LD, pivots = torch.linalg.ldl_factor(torch.tensor([[4., 2.], [2., 3.]]))
        >>> torch.linalg.ldl_solve(LD, pivots, torch.tensor([[6.], [5.]]))
        tensor([[1.],
                [1.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.ldl_solve(out=...) is not supported")
    tensor_arg(LD, "linalg_ldl_solve", "LD", 1)
    tensor_arg(pivots, "linalg_ldl_solve", "pivots", 2)
    tensor_arg(B, "linalg_ldl_solve", "B", 3)
    who = "torch.linalg.ldl_solve"
    check_square(LD, who)
    check_floating(LD, who, low_precision=False)
    if B.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(B.dim(), 1)}, "
                         f"{max(B.dim(), 1) - 1}], but got -2)")
    if B.dtype is not LD.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {D.scalar_name(B.dtype)} "
                           f"and A of type {D.scalar_name(LD.dtype)} instead.")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {who}: each A matrix is {n} by {n} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{who}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if LD.dtype.is_complex:
        raise NotImplementedError("reftorch: linalg.ldl_solve of complex matrices is not supported")
    b = LD._backend
    xp = b.xp
    batch = broadcast_shape(tuple(LD.shape[:-2]), tuple(B.shape[:-2]))
    ld = xp.reshape(xp.broadcast_to(LD._data, batch + (n, n)), (-1, n, n))
    piv = xp.reshape(xp.broadcast_to(pivots._data, batch + (n,)), (-1, n))
    rhs = xp.reshape(xp.broadcast_to(B._data, batch + tuple(B.shape[-2:])), (-1,) + tuple(B.shape[-2:]))
    xs = [sytrs(b, ld[i, ...], [int(piv[i, j]) for j in range(n)], rhs[i, ...]) for i in range(rhs.shape[0])]
    x = xp.reshape(xp.stack(xs), batch + tuple(B.shape[-2:])) if xs else \
        xp.zeros(batch + tuple(B.shape[-2:]), dtype=B._data.dtype, **b._dev_kw())
    if B.requires_grad or LD.requires_grad:
        return _NotDifferentiable.apply(B if B.requires_grad else LD, x, "linalg_ldl_solve")
    return Tensor._wrap(x, B.device, b)
