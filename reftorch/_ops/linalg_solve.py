"""Determinants, inverses and linear systems: ``linalg.det``/``slogdet``/``inv``/``inv_ex``/
``solve``/``solve_ex`` and the older ``torch.det``/``logdet``/``slogdet``/``inverse``.

The kernels are the backend's ``xp.linalg`` (NumPy's, CuPy's, the array API's), batched over
the leading dimensions. A matrix is *singular* here when its LU factorisation with partial
pivoting meets an exactly zero pivot, as LAPACK's ``getrf`` (PyTorch's kernel) decides:
``xp.linalg.det`` is then exactly 0, and :func:`zero_pivot_info` finds which pivot.
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, tensor_arg
from ..autograd.function import OpFunction
from . import pointwise
from ._common import sum_to_shape, with_out
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

linalg_slogdet_rt = _return_type("linalg_slogdet", ("sign", "logabsdet"))
slogdet_rt = _return_type("slogdet", ("sign", "logabsdet"))
linalg_inv_ex_rt = _return_type("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex_rt = _return_type("linalg_solve_ex", ("result", "info"))


class LinAlgError(RuntimeError):
    """Raised when a linear algebra function fails on its input (a singular matrix for
    ``inv`` and ``solve``). Mirrors ``torch.linalg.LinAlgError`` (PyTorch's
    ``torch._C._LinAlgError``, a ``RuntimeError``)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torch._C"  # (printed in tracebacks as PyTorch's)


# ----------------------------------------------------------------------------- checks
def check_square(A, who, arg="A"):
    """PyTorch's ``squareCheckInputs``: at least 2 dimensions, square matrices."""
    if A.dim() < 2:
        raise RuntimeError(f"{who}: The input tensor {arg} must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{who}: {arg} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def check_floating(A, who, low_precision=True):
    """PyTorch's ``checkFloatingOrComplex`` (``low_precision``: half and bfloat16 refused too,
    as most LAPACK-backed functions do)."""
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError(f"{who}: Expected a floating point or complex tensor as input. Got "
                           f"{D.scalar_name(A.dtype)}")
    if low_precision and A.dtype in (D.float16, D.bfloat16):
        raise RuntimeError(f"{who}: Low precision dtypes not supported. Got {D.scalar_name(A.dtype)}")


def check_lu_dtype(A):
    """The LU kernel's own dtype check (``det``, ``solve``): no half-precision kernel."""
    if A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")


# ----------------------------------------------------------------------------- kernels
def mT(xp, a):
    """The matrices of ``a`` transposed (a view)."""
    return xp.matrix_transpose(a)


def eye_like(b, a):
    """Identity matrices of ``a``'s shape and dtype."""
    xp = b.xp
    n = a.shape[-1]
    return xp.broadcast_to(xp.eye(n, dtype=a.dtype, **b._dev_kw()), a.shape)


def lu_factor_kernel(b, a):
    """LAPACK ``getrf``: the LU factorisation with partial pivoting of the matrices of ``a``
    (``(*, m, n)``), one column at a time over all matrices at once. Returns ``(lu, pivots,
    info)``: ``lu`` holds ``U`` and, below the diagonal, the multipliers of the unit lower
    triangular ``L``; ``pivots`` (int32, ``(*, min(m, n))``, 1-based) the row swapped with
    each row in turn; ``info`` (int32, ``(*)``) 0, or the 1-based position of the first zero
    pivot.

    Each step picks the largest magnitude of the column (the first of equal ones; a nan
    first entry stays, as BLAS's ``idamax`` does; ``|re| + |im|`` for complex numbers) and
    scales the column by the reciprocal of the pivot (by the pivot itself below the smallest
    normal number), as ``getrf2`` does. A zero pivot leaves its column as it is."""
    xp = b.xp
    dev = b._dev_kw()
    m, n = a.shape[-2], a.shape[-1]
    batch = tuple(a.shape[:-2])
    info = xp.zeros(batch, dtype=xp.int32, **dev)
    rows = xp.arange(m, dtype=xp.int64, **dev)
    cols = xp.arange(n, dtype=xp.int64, **dev)
    complex_ = xp.isdtype(a.dtype, "complex floating")
    tiny = xp.finfo(a.dtype).smallest_normal
    pivots = []
    u = a
    for k in range(min(m, n)):
        col = u[..., k:, k]
        mag = xp.abs(xp.real(col)) + xp.abs(xp.imag(col)) if complex_ else xp.abs(col)
        p = xp.argmax(xp.where(xp.isnan(mag), xp.full_like(mag, -1), mag), axis=-1)
        p = xp.astype(xp.where(xp.isnan(mag[..., 0]), xp.zeros_like(p), p), xp.int64) + k
        pivots.append(p)
        p = xp.expand_dims(p, axis=-1)
        perm = xp.where(rows == k, p, xp.where(rows == p, xp.full_like(p, k), rows))  # swap rows k and p
        u = b.take_along_axis(u, xp.broadcast_to(xp.expand_dims(perm, axis=-1), u.shape), u.ndim - 2)
        piv = u[..., k, k]
        zero = piv == 0
        info = xp.where(zero & (info == 0), xp.full_like(info, k + 1), info)
        safe = xp.expand_dims(xp.where(zero, xp.ones_like(piv), piv), axis=-1)
        below = u[..., k + 1:, k]
        f = xp.where(xp.abs(safe) >= tiny, below * (1 / safe), below / safe)
        f = xp.where(xp.expand_dims(zero, axis=-1), below, f)
        rest = u[..., k + 1:, :]
        lower = xp.where(cols > k, rest - xp.expand_dims(f, axis=-1) * u[..., k:k + 1, :],
                         xp.where(cols == k, xp.expand_dims(f, axis=-1), rest))  # (the multipliers stay)
        u = xp.concat([u[..., :k + 1, :], lower], axis=-2)
    if pivots:
        piv = xp.astype(xp.stack(pivots, axis=-1) + 1, xp.int32)
    else:
        piv = xp.zeros(batch + (0,), dtype=xp.int32, **dev)
    return u, piv, info


def zero_pivot_info(b, a):
    """LAPACK ``getrf``'s ``info`` for each matrix of ``a`` (``(*, n, n)``): 0 when its LU
    factorisation with partial pivoting has no zero pivot, else the (1-based) position of
    the first zero pivot; an int32 array of shape ``(*)`` (see :func:`lu_factor_kernel`)."""
    return lu_factor_kernel(b, a)[2]


def singular_mask(b, a):
    """True for the matrices of ``a`` (``(*, n, n)``) with a zero pivot (shape ``(*)``)."""
    return b.xp.linalg.det(a) == 0


def lu_info(b, a, singular):
    """``getrf``'s info (int32, shape ``(*)``) for the matrices of ``a``, given their
    :func:`singular_mask`: a singular matrix whose zero pivot our elimination's rounding
    missed gets ``n``."""
    xp = b.xp
    if not bool(xp.any(singular)):
        return xp.zeros(a.shape[:-2], dtype=xp.int32, **b._dev_kw())
    info = zero_pivot_info(b, a)
    return xp.where(singular & (info == 0), xp.full_like(info, a.shape[-1]), info)


def without_singular(b, a, singular):
    """``a`` with its singular matrices replaced by identities (so that ``xp.linalg.inv`` and
    ``solve`` never fail; the caller overwrites their results)."""
    xp = b.xp
    return xp.where(singular[..., None, None], eye_like(b, a), a)


def nan_where(b, x, singular):
    """``x`` (``(*, m, k)``) with nan in the matrices of the singular systems."""
    xp = b.xp
    return xp.where(singular[..., None, None], xp.full_like(x, float("nan")), x)


def raise_singular(b, info, who, message, error=None):
    """Raise :class:`LinAlgError` (or ``error``) ("``who``: ...") for the first matrix whose
    ``info`` is nonzero; ``message`` formats the info value. Batched inputs name the
    (flattened) batch element."""
    xp = b.xp
    flat = xp.reshape(info, (-1,))
    bad = xp.nonzero(flat != 0)[0]
    if bad.shape[0] == 0:
        return
    i = int(bad[0])
    prefix = f"(Batch element {i}): " if info.ndim else ""
    raise (error or LinAlgError)(f"{who}: {prefix}{message(int(flat[i]))}")


# ----------------------------------------------------------------------------- det, slogdet
def scaled_inv_t(ctx, a, s, singular, nan_singular):
    """``s[..., None, None] * A^{-T}`` (``a``: the matrices ``A``), as PyTorch computes it:
    ``solve(A^T, s * I)``. Singular matrices (``singular``) give nan (``nan_singular``) or
    ``s * I``; on tensors (``create_graph``) they are refused."""
    xp, b = ctx.xp, ctx.backend
    n = a.shape[-1]
    rhs = xp.expand_dims(xp.expand_dims(s, axis=-1), axis=-1) * ctx.eye
    a_t = mT(xp, a)
    if not bool(xp.any(singular)):
        return xp.linalg.solve(xp.broadcast_to(a_t, rhs.shape[:-2] + (n, n)), rhs)
    if isinstance(a, Tensor):
        raise NotImplementedError("reftorch: create_graph=True through a singular matrix is not supported")
    out = xp.linalg.solve(without_singular(b, a_t, singular), rhs)
    return nan_where(b, out, singular) if nan_singular else out


def _keep_for_grad(ctx, A, singular):
    """What :func:`scaled_inv_t` needs: ``A`` (saved), the singular mask and an identity."""
    b = A._backend
    ctx.save_for_backward(A)
    ctx.singular = singular
    ctx.eye = b.xp.eye(A.shape[-1], dtype=A._data.dtype, **b._dev_kw())


class Det(OpFunction):
    """The determinants of the last two dimensions. Backward (PyTorch's
    ``linalg_det_backward``): ``solve(A^T, grad * det * I)``, 0 for a zero determinant."""

    name = "LinalgDetBackward0"
    arity = 1
    create_graph = True

    @staticmethod
    def forward(ctx, A):
        xp = A._backend.xp
        det = xp.linalg.det(A._data)
        if ctx.needs_input_grad:
            _keep_for_grad(ctx, A, det == 0)
            ctx.save_output()
        return det

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        A, det = ctx.saved_tensors
        d = det._data
        return scaled_inv_t(ctx, A._data, xp.where(d == 0, xp.zeros_like(d), g * d), ctx.singular, False)


class Slogdet(OpFunction):
    """``(sign, log|det|)`` of the last two dimensions, one node. Only ``logabsdet`` has a
    gradient (the sign of a real determinant is piecewise constant): ``grad * A^{-T}``."""

    name = "LinalgSlogdetBackward0"
    arity = 1
    multi_output = True
    create_graph = True

    @staticmethod
    def forward(ctx, A):
        xp = A._backend.xp
        sign, logabsdet = xp.linalg.slogdet(A._data)
        if ctx.needs_input_grad:
            _keep_for_grad(ctx, A, sign == 0)
        return sign, logabsdet

    @staticmethod
    def backward(ctx, g_sign, g_logabsdet):
        if g_logabsdet is None:
            return None
        (A,) = ctx.saved_tensors
        return scaled_inv_t(ctx, A._data, g_logabsdet, ctx.singular, True)


def _checked(A, who, fn, lu=False, arg="A"):
    """``A`` checked as PyTorch's LAPACK-backed functions check it, in its order (``fn`` and
    ``arg``: the function and argument names of a TypeError)."""
    tensor_arg(A, fn, arg, 1)
    check_square(A, who)
    check_floating(A, who, low_precision=not lu)
    if lu:
        check_lu_dtype(A)
    return A


def det(A, *, out=None):
    """The determinant of each square matrix in the last two dimensions of ``A``.

    Mirrors ``torch.linalg.det`` (``grad_fn=<LinalgDetBackward0>``; where the determinant is
    exactly 0 the gradient is 0, as in PyTorch).

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        out: a tensor to write the result into (default ``None``).

    Returns:
        Tensor: of shape ``(*)`` and ``A``'s dtype.

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices or an integer dtype.
        NotImplementedError: for float16/bfloat16 (PyTorch has no such LU kernel).

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.det(torch.tensor([[2., 1.], [1., 3.]]))
        tensor(5.)
    """
    if out is not None:
        return with_out("linalg_det", out, det, A)
    _checked(A, "linalg.det", "linalg_det", lu=True)
    return Det.apply(A)


def torch_det(input):
    """The determinant of each square matrix of ``input``: :func:`reftorch.linalg.det` under
    its older name. Mirrors ``torch.det`` and ``Tensor.det``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([[2., 1.], [1., 3.]]).det()
        tensor(5.)
    """
    tensor_arg(input, "det", "input", 1)
    return det(input)


def _slogdet(A, rt, who, fn, arg):
    _checked(A, who, fn, arg=arg)
    return rt(*Slogdet.apply(A))


def slogdet(A, *, out=None):
    """The sign and the natural logarithm of the absolute value of the determinant of each
    square matrix of ``A``: ``torch.return_types.linalg_slogdet(sign, logabsdet)``.

    ``sign`` is -1, 0 or 1; for a singular matrix ``(0, -inf)``. The logarithm stays finite
    where ``det`` itself would under- or overflow. Mirrors ``torch.linalg.slogdet``
    (both results share one ``LinalgSlogdetBackward0`` node; only ``logabsdet`` passes a
    gradient back).

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype or
            float16/bfloat16.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.slogdet(torch.tensor([[0., 2.], [3., 0.]]))
        torch.return_types.linalg_slogdet(
        sign=tensor(-1.),
        logabsdet=tensor(1.7918))
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.slogdet(out=...) is not supported")
    return _slogdet(A, linalg_slogdet_rt, "linalg.slogdet", "linalg_slogdet", "A")


def torch_slogdet(input):
    """The sign and the log of the absolute value of the determinant:
    :func:`reftorch.linalg.slogdet` under its older name, returning
    ``torch.return_types.slogdet(sign, logabsdet)``. Mirrors ``torch.slogdet`` and
    ``Tensor.slogdet``."""
    return _slogdet(input, slogdet_rt, "linalg.slogdet", "slogdet", "input")


def logdet(input):
    """The natural logarithm of the determinant of each square matrix of ``input``: nan for a
    negative determinant, ``-inf`` for a zero one.

    Mirrors ``torch.logdet`` (and ``Tensor.logdet``), which is ``slogdet`` followed by
    ``where(sign == -1, nan, logabsdet)``: its ``grad_fn`` is ``WhereBackward0``.

    Args:
        input: a float32/float64 tensor of shape ``(*, n, n)``.

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype or
            float16/bfloat16.

    Examples:
        >>> import reftorch as torch
        >>> torch.logdet(torch.tensor([[2., 0.], [0., 3.]]))
        tensor(1.7918)
    """
    _checked(input, "logdet", "logdet", arg="input")
    sign, logabsdet = Slogdet.apply(input)
    return pointwise.where(sign == -1, float("nan"), logabsdet)


# ----------------------------------------------------------------------------- inverse
class Inv(OpFunction):
    """The inverses of the last two dimensions. Backward: ``-A^{-H} @ grad @ A^{-H}``."""

    name = "LinalgInvExBackward0"
    arity = 1
    create_graph = True

    @staticmethod
    def forward(ctx, A, singular):
        b = A._backend
        if ctx.needs_input_grad:
            ctx.save_output()
        return nan_where(b, b.xp.linalg.inv(without_singular(b, A._data, singular)), singular)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        (out,) = ctx.saved_tensors
        inv_t = mT(xp, out._data)
        if out.is_complex():
            inv_t = xp.conj(inv_t)
        return -xp.matmul(inv_t, xp.matmul(g, inv_t))


def _inverse(A, check_errors, who):
    b = A._backend
    singular = singular_mask(b, A._data)
    info = lu_info(b, A._data, singular)
    if check_errors:
        raise_singular(b, info, who, lambda k: f"The diagonal element {k} is zero, the inversion could not be "
                                               "completed because the input matrix is singular.")
    return Inv.apply(A, singular), Tensor._wrap(info, A.device, b)


def inv_ex(A, *, check_errors=False, out=None):
    """The inverses of the square matrices of ``A`` with LAPACK's ``info`` for each:
    ``torch.return_types.linalg_inv_ex(inverse, info)``.

    ``info`` (int32, shape ``(*)``) is 0 for an invertible matrix, else the 1-based position
    of the first zero pivot of its LU factorisation. Mirrors ``torch.linalg.inv_ex``.

    Unlike PyTorch, whose inverse of a singular matrix holds whatever LAPACK's partial
    factorisation left (nan and inf), reftorch gives nan everywhere in it.

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        check_errors: raise :class:`LinAlgError` for a singular matrix (default ``False``).

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype or
            float16/bfloat16.
        LinAlgError: with ``check_errors=True``, for a singular matrix.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.inv_ex(torch.tensor([[2., 0.], [0., 0.]])).info
        tensor(2, dtype=torch.int32)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_inv_ex", inv_ex, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.inv_ex(out=...) is not supported")
    _checked(A, "linalg.inv", "linalg_inv_ex")
    return linalg_inv_ex_rt(*_inverse(A, check_errors, "linalg.inv_ex"))


def inv(A, *, out=None):
    """The inverse of each square matrix in the last two dimensions of ``A``.

    Mirrors ``torch.linalg.inv`` (``grad_fn=<LinalgInvExBackward0>``). To solve ``A x = b``,
    :func:`solve` is faster and more accurate than ``inv(A) @ b``.

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        out: a tensor to write the result into (default ``None``).

    Returns:
        Tensor: of ``A``'s shape and dtype.

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype or
            float16/bfloat16.
        LinAlgError: for a singular matrix ("linalg.inv: The diagonal element 2 is zero,
            ..."; batched inputs name the batch element).

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.inv(torch.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_inv", inv, locals())
    if out is not None:
        return with_out("linalg_inv", out, inv, A)
    _checked(A, "linalg.inv", "linalg_inv")
    return _inverse(A, True, "linalg.inv")[0]


def inverse(input, *, out=None):
    """The inverse of each square matrix of ``input``: :func:`reftorch.linalg.inv` under its
    older name (the same checks, ``LinAlgError`` and ``grad_fn=<LinalgInvExBackward0>``).
    Mirrors ``torch.inverse`` and ``Tensor.inverse``."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("inverse", inverse, locals())
    if out is not None:
        return with_out("inverse", out, inverse, input)
    _checked(input, "linalg.inv", "inverse", arg="input")
    return _inverse(input, True, "linalg.inv")[0]


# ----------------------------------------------------------------------------- solve
class Solve(OpFunction):
    """``X`` with ``A X = B`` (``left``) or ``X A = B``; ``vector``: ``B`` is a (batch of)
    vectors. The systems are solved as ``a x = b`` with ``a = A`` (``A^T`` for ``left=False``)
    and the batch dimensions broadcast. Backward (PyTorch's): ``gb = a^{-T} grad``,
    ``ga = -gb x^T``, transposed back for ``left=False`` and summed to the input shapes."""

    name = "LinalgSolveExBackward0"
    arity = 2
    create_graph = True

    @staticmethod
    def forward(ctx, A, B, left, vector, singular):
        b = A._backend
        xp = b.xp
        a, rhs = _as_systems(xp, A._data, B._data, left, vector, singular.shape)
        x = nan_where(b, xp.linalg.solve(without_singular(b, a, singular), rhs), singular)
        if ctx.needs_input_grad:
            ctx.save_for_backward(A)
            ctx.save_output()
            ctx.singular = singular
            ctx.args = (left, vector, A._data.shape, B._data.shape)
        return _from_system(xp, x, left, vector)

    @staticmethod
    def backward(ctx, g):
        xp, b = ctx.xp, ctx.backend
        left, vector, sa, sb = ctx.args
        A, out = ctx.saved_tensors
        singular = ctx.singular
        a_t = mT(xp, _as_systems(xp, A._data, None, left, vector, singular.shape)[0])
        x = _as_systems(xp, out._data, None, True, vector, singular.shape, rhs_only=True)
        g = _as_systems(xp, g, None, True, vector, singular.shape, rhs_only=True)
        if not left:
            x, g = mT(xp, x), mT(xp, g)
        if bool(xp.any(singular)):
            if isinstance(g, Tensor):
                raise NotImplementedError("reftorch: create_graph=True through a singular matrix is not supported")
            gb = nan_where(b, xp.linalg.solve(without_singular(b, a_t, singular), g), singular)
        else:
            gb = xp.linalg.solve(a_t, g)
        ga = gB = None
        if ctx.needs_input_grad[0]:
            ga = -xp.matmul(gb, mT(xp, x))
            ga = sum_to_shape(xp, ga if left else mT(xp, ga), sa)
        if ctx.needs_input_grad[1]:
            gB = _from_system(xp, gb, left, vector)
            gB = sum_to_shape(xp, gB, sb)
        return ga, gB


def _as_systems(xp, a, rhs, left, vector, batch, rhs_only=False):
    """``A`` and ``B`` as the matrices ``a`` (``(*batch, n, n)``, ``A^T`` for ``left=False``)
    and right-hand sides ``rhs`` (``(*batch, n, k)``) of ``a x = rhs`` (``rhs_only``: ``a``
    is a right-hand side: ``X``, or the gradient)."""
    if rhs_only:
        a, rhs = None, a
    if rhs is not None:
        if vector:
            rhs = xp.expand_dims(rhs, axis=-1)
        if not left:
            rhs = mT(xp, rhs)
        rhs = xp.broadcast_to(rhs, tuple(batch) + tuple(rhs.shape[-2:]))
        if rhs_only:
            return rhs
    if not left:
        a = mT(xp, a)
    return xp.broadcast_to(a, tuple(batch) + tuple(a.shape[-2:])), rhs


def _from_system(xp, x, left, vector):
    """The solution ``x`` of ``a x = rhs`` in ``B``'s layout (transposed back, vectors)."""
    out = x if left else mT(xp, x)
    return out[..., 0] if vector else out


def _solve(A, B, left, check_errors, who, fn):
    tensor_arg(A, fn, "A", 1)
    tensor_arg(B, fn, "B", 2)
    name = "linalg.solve"
    check_floating(A, name, low_precision=False)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{name}: Expected A and B to have the same dtype, but found A of type "
                           f"{D.scalar_name(A.dtype)} and B of type {D.scalar_name(B.dtype)} instead")
    check_square(A, name)
    if B.dim() == 0:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    vector = B.dim() == 1 or (B.dim() == A.dim() - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows, cols = (B.shape[0], 1) if B.dim() == 1 else (
        (B.shape[-1], 1) if vector else (B.shape[-2], B.shape[-1]))
    n = A.shape[-1]
    if (rows if left else cols) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{cols})")
    b_batch = tuple(B.shape[:-1]) if vector else tuple(B.shape[:-2])
    batch = broadcast_shape(b_batch, tuple(A.shape[:-2]))
    check_lu_dtype(A)
    be = A._backend
    xp = be.xp
    a = xp.broadcast_to(A._data if left else mT(xp, A._data), batch + (n, n))
    singular = singular_mask(be, a)
    info = lu_info(be, a, singular)
    if check_errors:
        raise_singular(be, info, f"torch.{who}", lambda k: "The solver failed because the input matrix is singular.")
    return Solve.apply(A, B, left, vector, singular), Tensor._wrap(info, A.device, be)


def solve(A, B, *, left=True, out=None):
    """The solution ``X`` of the linear system ``A X = B`` (``left=False``: ``X A = B``) for
    each square matrix of ``A``.

    ``B`` is a batch of vectors when it is 1-D or has the shape ``A.shape[:-1]``; otherwise a
    batch of matrices. The batch dimensions broadcast. Mirrors ``torch.linalg.solve``
    (``grad_fn=<LinalgSolveExBackward0>``). Faster and more accurate than ``inv(A) @ B``.

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        B: a tensor of ``A``'s dtype, of shape ``(*, n)``, ``(*, n, k)`` (``left=False``:
            ``(*, k, n)``).
        left: solve ``A X = B`` (default ``True``) or ``X A = B``.
        out: a tensor to write the result into (default ``None``).

    Returns:
        Tensor: ``X``, of ``B``'s shape with the broadcast batch dimensions.

    Raises:
        RuntimeError: for non-square ``A``, different dtypes, an integer dtype, incompatible
            shapes ("Incompatible shapes of A and B for the equation AX = B (2x2 and 3x1)")
            or batch dimensions that do not broadcast.
        LinAlgError: for a singular matrix.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[3., 1.], [1., 2.]])
        >>> torch.linalg.solve(A, torch.tensor([9., 8.]))
        tensor([2., 3.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_solve", solve, locals())
    if out is not None:
        return with_out("linalg_solve", out, solve, A, B, left=left)
    return _solve(A, B, left, True, "linalg.solve", "linalg_solve")[0]


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """:func:`solve` with LAPACK's ``info`` for each system:
    ``torch.return_types.linalg_solve_ex(result, info)`` (``info`` int32 of the batch shape,
    nonzero for a singular matrix). Mirrors ``torch.linalg.solve_ex``; unlike PyTorch, the
    result of a singular system is all nan.

    Raises:
        LinAlgError: with ``check_errors=True``, for a singular matrix.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.solve_ex(torch.eye(2), torch.tensor([1., 2.])).info
        tensor(0, dtype=torch.int32)
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.solve_ex(out=...) is not supported")
    return linalg_solve_ex_rt(*_solve(A, B, left, check_errors, "linalg.solve_ex", "linalg_solve_ex"))
