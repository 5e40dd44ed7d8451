"""Matrix decompositions: ``linalg.cholesky``/``cholesky_ex`` (and ``torch.cholesky``),
``linalg.qr``, ``linalg.eigh``/``eigvalsh``, ``linalg.svd`` (and ``torch.svd``).

The kernels are the backend's ``xp.linalg``. Decompositions are unique only up to signs
(the columns of ``Q``, the eigenvectors, the singular vectors may be negated): reftorch's
signs are those of its array library, which may differ from PyTorch's. The backward
formulas are PyTorch's (``torch/csrc/autograd/FunctionsManual.cpp``), so the gradient of
anything that does not depend on those signs is the same.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, tensor_arg
from .._warnings import warn_once
from ..autograd.function import OpFunction
from .linalg_solve import check_floating, check_square, mT, raise_singular
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

linalg_cholesky_ex_rt = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_qr_rt = _return_type("linalg_qr", ("Q", "R"))
linalg_eigh_rt = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd_rt = _return_type("linalg_svd", ("U", "S", "Vh"))
svd_rt = _return_type("svd", ("U", "S", "V"))


def _no_half(A, kernel):
    """A LAPACK kernel's dtype dispatch: float, double and complex only (half precision, and
    the ints and bool of the functions without a floating point check first, refused)."""
    if A.dtype in (D.float16, D.bfloat16) or not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{D.scalar_name(A.dtype)}'")


def hermitian_from(xp, a, upper):
    """The symmetric matrices whose lower (``upper``: upper) triangle is ``a``'s: LAPACK's
    symmetric routines read one triangle only."""
    if upper:
        return xp.triu(a) + mT(xp, xp.triu(a, k=1))
    return xp.tril(a) + mT(xp, xp.tril(a, k=-1))


def _mH(xp, a):
    """The conjugate transposes of the matrices of ``a`` (their transposes when real)."""
    return xp.conj(mT(xp, a)) if xp.isdtype(a.dtype, "complex floating") else mT(xp, a)


def solve_right(xp, g, r):
    """``g @ inv(r)`` for invertible matrices ``r``."""
    return mT(xp, xp.linalg.solve(mT(xp, r), mT(xp, g)))


# ----------------------------------------------------------------------------- cholesky
def cholesky_factor(b, a):
    """``(L, info)``: the lower Cholesky factors of the Hermitian matrices whose lower
    triangles ``a`` holds (the rest is not read; nan for a matrix that is not
    positive-definite) and LAPACK ``potrf``'s info (int32, the batch shape: 0, or the order
    of the first leading minor that is not positive-definite).

    LAPACK's unblocked left-looking algorithm (``potf2``), one step per column for all
    matrices at once: the column minus the products of the rows so far, divided by the
    square root of its (real) diagonal element, which must be positive. Factor and info
    come from one computation, so they always agree. PyTorch calls MKL's ``potrf``, whose
    blocking and SIMD accumulation round differently (and are not published): the factors
    agree to a few ulps, and a matrix whose smallest eigenvalue is within rounding of zero
    (about ``eps * norm``) may be factored by one and refused by the other."""
    xp = b.xp
    n = a.shape[-1]
    complex_ = xp.isdtype(a.dtype, "complex floating")
    info = xp.zeros(a.shape[:-2], dtype=xp.int32, **b._dev_kw())
    rows = xp.arange(n, **b._dev_kw())
    cols = []
    for k in range(n):
        col = a[..., :, k]
        if cols:
            done = xp.stack(cols, axis=-1)  # (*, n, k): the columns so far
            row_k = done[..., k:k + 1, :]
            col = col - xp.sum(done * (xp.conj(row_k) if complex_ else row_k), axis=-1)
        d = xp.real(col[..., k]) if complex_ else col[..., k]
        bad = ~(d > 0)  # (nan too)
        info = xp.where(bad & (info == 0), xp.full_like(info, k + 1), info)
        root = xp.expand_dims(xp.sqrt(xp.where(bad, xp.ones_like(d), d)), axis=-1)
        below = col / (xp.astype(root, col.dtype) if complex_ else root)
        cols.append(xp.where(rows > k, below, xp.where(rows == k, xp.astype(root, col.dtype), xp.zeros_like(col))))
    L = xp.stack(cols, axis=-1) if cols else xp.zeros_like(a)
    failed = xp.expand_dims(xp.expand_dims(info != 0, axis=-1), axis=-1)
    return xp.where(failed, xp.full_like(L, float("nan")), L), info


class Cholesky(OpFunction):
    """The lower Cholesky factor ``L`` (``upper``: ``L^H``) of the Hermitian matrices whose
    lower (upper) triangle ``A`` holds, computed beforehand with its info by
    :func:`cholesky_factor`. Backward (PyTorch's ``cholesky_backward``):
    ``phi = tril(L^H gL)`` with its diagonal halved, made Hermitian, then
    ``L^{-H} phi L^{-1}``."""

    name = "LinalgCholeskyExBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, A, upper, L):
        xp = A._backend.xp
        if ctx.needs_input_grad:
            ctx.L, ctx.upper = L, upper
        return _mH(xp, L) if upper else L

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        L = ctx.L
        if ctx.upper:
            g = _mH(xp, g)
        phi = xp.tril(xp.matmul(_mH(xp, L), g))
        phi = 0.5 * (phi + _mH(xp, xp.tril(phi, k=-1)))
        ga = xp.linalg.solve(_mH(xp, L), phi)  # L^{-H} phi
        return solve_right(xp, ga, L)  # ... L^{-1}


def _cholesky(A, upper, check_errors, fn, grad_name="LinalgCholeskyExBackward0"):
    tensor_arg(A, fn, "A" if fn.startswith("linalg") else "input", 1)
    who = "cholesky" if fn == "cholesky" else "linalg.cholesky"
    check_square(A, who)
    if fn != "cholesky":  # (torch.cholesky goes straight to the kernel: NotImplementedError)
        check_floating(A, who, low_precision=False)
    _no_half(A, "cholesky_cpu")
    b = A._backend
    xp = b.xp
    lower = _mH(xp, A._data) if upper else A._data  # (only the lower triangle is read)
    L, info = cholesky_factor(b, lower)
    if check_errors:
        raise_singular(b, info, "linalg.cholesky_ex" if fn == "linalg_cholesky_ex" else who, lambda k: "The factorization could not be completed because the input is not "
                                               f"positive-definite (the leading minor of order {k} is not "
                                               "positive-definite).")
    return Cholesky.apply(A, upper, L, _name=grad_name), Tensor._wrap(info, A.device, b)


def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor ``L`` (lower triangular, ``A = L @ L.mT``) of each symmetric
    positive-definite matrix of ``A``; with ``upper=True`` the upper factor ``U = L.mT``.

    Only the lower triangle of ``A`` is read (``upper=True``: the upper one), as LAPACK
    does. Mirrors ``torch.linalg.cholesky`` (``grad_fn=<LinalgCholeskyExBackward0>``).

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        upper: return the upper factor (default ``False``).

    Raises:
        RuntimeError: for non-square matrices or an integer dtype.
        LinAlgError: for a matrix that is not positive-definite ("... (the leading minor
            of order 2 is not positive-definite).").

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.cholesky(torch.tensor([[4., 2.], [2., 5.]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_cholesky", cholesky, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.cholesky(out=...) is not supported")
    return _cholesky(A, upper, True, "linalg_cholesky")[0]


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """:func:`cholesky` with LAPACK's ``info`` for each matrix:
    ``torch.return_types.linalg_cholesky_ex(L, info)`` (``info`` int32: 0, or the order of
    the first leading minor that is not positive-definite). Mirrors
    ``torch.linalg.cholesky_ex``; unlike PyTorch (which leaves LAPACK's partial factor), the
    ``L`` of a failed matrix is all nan. The factor and ``info`` come from LAPACK's
    unblocked algorithm written over the backend's arrays; PyTorch calls MKL's ``potrf``,
    which rounds differently, so a matrix whose smallest eigenvalue is within rounding of
    zero (rank-deficient, in float32 especially) may be factored by one and refused by the
    other.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.cholesky_ex(torch.tensor([[1., 2.], [2., 1.]])).info
        tensor(2, dtype=torch.int32)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_cholesky_ex", cholesky_ex, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.cholesky_ex(out=...) is not supported")
    return linalg_cholesky_ex_rt(*_cholesky(A, upper, check_errors, "linalg_cholesky_ex"))


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future PyTorch "
    "release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\nand\nU = "
    "torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will "
    "produce equivalent results for all valid (symmetric positive definite) inputs. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:1765.)")


def torch_cholesky(input, upper=False, *, out=None):
    """The deprecated ``torch.cholesky`` (and ``Tensor.cholesky``): :func:`cholesky`, with
    PyTorch's deprecation warning (once) and ``grad_fn=<CholeskyBackward0>``."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cholesky", torch_cholesky, locals())
    if out is not None:
        raise NotImplementedError("reftorch: cholesky(out=...) is not supported")
    warn_once(_CHOLESKY_DEPRECATED, stacklevel=0)
    return _cholesky(input, upper, True, "cholesky", "CholeskyBackward0")[0]


# ----------------------------------------------------------------------------- qr
class Qr(OpFunction):
    """``(Q, R)`` of the QR decomposition (``mode`` ``"reduced"``, ``"complete"`` or
    ``"r"``: ``Q`` empty). Backward (PyTorch's ``linalg_qr_backward``) for ``m >= n``:
    ``gA = (gQ + Q sym(triu(gR R^T - Q^T gQ))) R^{-T}``; for ``m < n`` the first ``m``
    columns as a square QR, the others as ``Q @ R2``."""

    name = "LinalgQrBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A, mode):
        b = A._backend
        xp = b.xp
        q, r = xp.linalg.qr(A._data, mode="complete" if mode == "complete" else "reduced")
        if ctx.needs_input_grad:
            ctx.q, ctx.r, ctx.mode, ctx.a = q, r, mode, A._data
        if mode == "r":
            q = xp.zeros((0,), dtype=r.dtype, **b._dev_kw())
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        xp = ctx.xp
        q, r, a = ctx.q, ctx.r, ctx.a
        m, n = a.shape[-2], a.shape[-1]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        gq = xp.zeros_like(q) if gq is None else gq
        gr = xp.zeros_like(r) if gr is None else gr
        if m >= n:
            return _qr_square_backward(xp, q, r, gq, gr)
        y = a[..., m:]
        gr1, gr2 = gr[..., :m], gr[..., m:]
        gx = _qr_square_backward(xp, q, r[..., :m], gq + xp.matmul(y, mT(xp, gr2)), gr1)
        return xp.concat([gx, xp.matmul(q, gr2)], axis=-1)


def _qr_square_backward(xp, q, r, gq, gr):
    m = xp.matmul(gr, mT(xp, r)) - xp.matmul(mT(xp, q), gq)
    t = xp.triu(m)
    sym = t + mT(xp, xp.triu(t, k=1))
    return solve_right(xp, xp.matmul(q, sym) + gq, mT(xp, r))


def qr(A, mode="reduced", *, out=None):
    """The QR decomposition ``A = Q @ R`` of each matrix of ``A``: ``Q`` with orthonormal
    columns, ``R`` upper triangular. ``torch.return_types.linalg_qr(Q, R)``.

    ``mode``: ``"reduced"`` (``Q`` of shape ``(*, m, k)``, ``R`` ``(*, k, n)``, ``k =
    min(m, n)``), ``"complete"`` (``Q`` ``(*, m, m)``, ``R`` ``(*, m, n)``) or ``"r"`` (``R``
    only; ``Q`` is an empty tensor). Mirrors ``torch.linalg.qr``
    (``grad_fn=<LinalgQrBackward0>``). The signs of ``Q``'s columns and ``R``'s rows are
    those of the backend's LAPACK (``Q @ R`` is unique).

    Raises:
        RuntimeError: for fewer than 2 dimensions, an integer dtype, or an unknown ``mode``;
            in backward, for ``mode="r"`` and for ``mode="complete"`` with ``m > n``.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[3., 1.], [4., 2.]])
        >>> Q, R = torch.linalg.qr(A)
        >>> torch.allclose(Q @ R, A)
        True
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_qr", qr, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.qr(out=...) is not supported")
    tensor_arg(A, "linalg_qr", "A", 1)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    if A.dim() < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    check_floating(A, "linalg.qr", low_precision=False)
    _no_half(A, "geqrf_cpu")
    return linalg_qr_rt(*Qr.apply(A, mode))


qr_rt = _return_type("qr", ("Q", "R"))

_QR_DEPRECATED = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch release.\nThe "
    "boolean parameter 'some' has been replaced with a string parameter 'mode'.\nQ, R = torch.qr(A, some)\n"
    "should be replaced with\nQ, R = torch.linalg.qr(A, 'reduced' if some else 'complete') (Triggered internally "
    "at /__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2505.)")


def torch_qr(input, some=True, *, out=None):
    """The deprecated ``torch.qr`` (and ``Tensor.qr``): :func:`qr` with mode ``"reduced"``
    (``some=True``) or ``"complete"``, as ``torch.return_types.qr(Q, R)``, with PyTorch's
    deprecation warning (once).

    Examples:
        >>> import reftorch as torch
        >>> torch.qr(torch.tensor([[3., 1.], [4., 2.], [0., 1.]])).R.shape
        torch.Size([2, 2])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("qr", torch_qr, locals())
    if out is not None:
        raise NotImplementedError("reftorch: qr(out=...) is not supported")
    tensor_arg(input, "qr", "input", 1)
    if not isinstance(some, bool):
        raise TypeError(f"qr(): argument 'some' must be bool, not {type(some).__name__}")
    warn_once(_QR_DEPRECATED, stacklevel=0)
    return qr_rt(*qr(input, "reduced" if some else "complete"))


# ----------------------------------------------------------------------------- eigh
class Eigh(OpFunction):
    """``(eigenvalues, eigenvectors)`` of the symmetric matrices whose ``UPLO`` triangle
    ``A`` holds, eigenvalues ascending. Backward (PyTorch's ``linalg_eig_backward`` for
    Hermitian input): ``V (skew(V^T gV) / E + diag(gL)) V^T`` with
    ``E_ij = L_j - L_i`` and ``skew(X) = (X - X^T) / 2``."""

    name = "LinalgEighBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A, upper):
        xp = A._backend.xp
        w, v = xp.linalg.eigh(hermitian_from(xp, A._data, upper))
        if ctx.needs_input_grad:
            ctx.w, ctx.v = w, v
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        xp = ctx.xp
        w, v = ctx.w, ctx.v
        n = w.shape[-1]
        eye = xp.eye(n, dtype=w.dtype, **ctx.backend._dev_kw())
        if gv is None:
            inner = xp.zeros(v.shape, dtype=v.dtype, **ctx.backend._dev_kw())
        else:
            x = xp.matmul(mT(xp, v), gv)
            e = xp.expand_dims(w, axis=-2) - xp.expand_dims(w, axis=-1)
            e = xp.where(eye == 1, xp.ones_like(e), e)
            inner = 0.5 * (x - mT(xp, x)) / e
            inner = inner * (1 - eye)
        if gw is not None:
            inner = inner + eye * xp.expand_dims(gw, axis=-1)
        return xp.matmul(v, xp.matmul(inner, mT(xp, v)))


def _eigh_args(A, UPLO, who, fn):
    tensor_arg(A, fn, "A", 1)
    check_square(A, who)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if not A.dtype.is_floating_point or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")
    return UPLO == "U"


def eigh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) and orthonormal eigenvectors (the columns) of each
    symmetric matrix of ``A``: ``torch.return_types.linalg_eigh(eigenvalues, eigenvectors)``,
    with ``A = V @ diag(L) @ V.mT``.

    Only the lower triangle (``UPLO="U"``: the upper) is read. Mirrors
    ``torch.linalg.eigh`` (``grad_fn=<LinalgEighBackward0>``). Each eigenvector is unique
    only up to its sign (for distinct eigenvalues): reftorch's signs are its backend's.

    Raises:
        RuntimeError: for non-square matrices or a ``UPLO`` other than ``"L"``/``"U"``.
        NotImplementedError: for integer or half dtypes (PyTorch's message).

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.eigh(torch.tensor([[2., 1.], [1., 2.]])).eigenvalues
        tensor([1., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_eigh", eigh, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.eigh(out=...) is not supported")
    return linalg_eigh_rt(*Eigh.apply(A, _eigh_args(A, UPLO, "linalg.eigh", "linalg_eigh")))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) of each symmetric matrix of ``A`` (its ``UPLO``
    triangle). Mirrors ``torch.linalg.eigvalsh`` (``grad_fn=<LinalgEighBackward0>``:
    the gradient is ``V diag(grad) V^T``).

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.eigvalsh(torch.tensor([[2., 1.], [1., 2.]]))
        tensor([1., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_eigvalsh", eigvalsh, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.eigvalsh(out=...) is not supported")
    return Eigh.apply(A, _eigh_args(A, UPLO, "linalg.eigvalsh", "linalg_eigvalsh"))[0]


# ----------------------------------------------------------------------------- svd
class Svd(OpFunction):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending. Backward
    (PyTorch's ``svd_backward``, on the first ``k = min(m, n)`` columns of ``U`` and rows
    of ``Vh`` when ``full_matrices``)."""

    name = "LinalgSvdBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A, full_matrices):
        xp = A._backend.xp
        u, s, vh = xp.linalg.svd(A._data, full_matrices=full_matrices)
        if ctx.needs_input_grad:
            k = s.shape[-1]
            ctx.u, ctx.s, ctx.vh = u[..., :k], s, vh[..., :k, :]
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        xp = ctx.xp
        u, s, vh = ctx.u, ctx.s, ctx.vh
        k = s.shape[-1]
        m, n = u.shape[-2], vh.shape[-1]
        if gu is not None:
            gu = gu[..., :k]
        if gvh is not None:
            gvh = gvh[..., :k, :]
        if gu is None and gvh is None:
            return xp.matmul(u * xp.expand_dims(gs, axis=-2), vh)
        v = mT(xp, vh)
        eye = xp.eye(k, dtype=s.dtype, **ctx.backend._dev_kw())
        s2 = s * s
        e = xp.expand_dims(s2, axis=-2) - xp.expand_dims(s2, axis=-1)
        e = xp.where(eye == 1, xp.ones_like(e), e)
        ga = xp.zeros(s.shape[:-1] + (k, k), dtype=s.dtype, **ctx.backend._dev_kw())
        if gu is not None:
            x = xp.matmul(mT(xp, u), gu)
            ga = ga + (x - mT(xp, x)) * xp.expand_dims(s, axis=-2)
        if gvh is not None:
            gv = mT(xp, gvh)
            x = xp.matmul(mT(xp, v), gv)
            ga = ga + xp.expand_dims(s, axis=-1) * (x - mT(xp, x))
        ga = ga / e
        if gs is not None:
            ga = ga + eye * xp.expand_dims(gs, axis=-1)
        if m > n and gu is not None:
            ga = xp.matmul(u, ga)
            gu_sinv = gu / xp.expand_dims(s, axis=-2)
            ga = ga + gu_sinv - xp.matmul(u, xp.matmul(mT(xp, u), gu_sinv))
            return xp.matmul(ga, vh)
        if m < n and gvh is not None:
            ga = xp.matmul(ga, vh)
            gv_sinv = mT(xp, gvh) / xp.expand_dims(s, axis=-2)
            ga = ga + mT(xp, gv_sinv) - xp.matmul(xp.matmul(mT(xp, gv_sinv), v), vh)
            return xp.matmul(u, ga)
        return xp.matmul(u, xp.matmul(ga, vh))


def svd_checks(A, fn):
    tensor_arg(A, fn, "A" if fn.startswith("linalg") else "input", 1)
    if A.dim() < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    check_floating(A, "linalg.svd", low_precision=False)
    _no_half(A, "linalg_svd_cpu")


def svd(A, full_matrices=True, *, driver=None, out=None):
    """The singular value decomposition ``A = U @ diag(S) @ Vh`` of each matrix of ``A``:
    ``torch.return_types.linalg_svd(U, S, Vh)``, ``S`` descending.

    With ``full_matrices=True`` (the default) ``U`` is ``(*, m, m)`` and ``Vh``
    ``(*, n, n)``; with ``False``, ``(*, m, k)`` and ``(*, k, n)``, ``k = min(m, n)``.
    Mirrors ``torch.linalg.svd`` (``grad_fn=<LinalgSvdBackward0>``; ``driver`` is for CUDA
    and ignored). The singular vectors are unique only up to sign (for distinct singular
    values): reftorch's signs are its backend's.

    Raises:
        RuntimeError: for fewer than 2 dimensions or an integer dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.svd(torch.tensor([[3., 0.], [0., -4.]])).S
        tensor([4., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_svd", svd, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.svd(out=...) is not supported")
    svd_checks(A, "linalg_svd")
    return linalg_svd_rt(*Svd.apply(A, bool(full_matrices)))


def torch_svd(input, some=True, compute_uv=True, *, out=None):
    """The older ``torch.svd`` (and ``Tensor.svd``): ``torch.return_types.svd(U, S, V)``
    with ``V`` (not ``Vh``): ``input = U @ diag(S) @ V.mT``. ``some=True`` gives the reduced
    factors; ``compute_uv=False`` gives zero matrices of shapes ``(*, m, m)`` and ``(*, n, n)``
    for ``U`` and ``V``. Mirrors ``torch.svd``.

    Examples:
        >>> import reftorch as torch
        >>> torch.svd(torch.tensor([[3., 0.], [0., -4.]])).S
        tensor([4., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("svd", torch_svd, locals())
    if out is not None:
        raise NotImplementedError("reftorch: svd(out=...) is not supported")
    svd_checks(input, "svd")
    if not compute_uv:
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        b = input._backend
        zeros_u = Tensor._wrap(b.zeros(batch + (m, m), input.dtype), input.device, b)
        zeros_v = Tensor._wrap(b.zeros(batch + (n, n), input.dtype), input.device, b)
        return svd_rt(zeros_u, Svd.apply(input, False)[1], zeros_v)
    u, s, vh = Svd.apply(input, not some)
    return svd_rt(u, s, vh.mT)
