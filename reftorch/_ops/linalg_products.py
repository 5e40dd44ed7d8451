"""More of ``torch.linalg``: ``matrix_power`` (and ``torch.matrix_power``), ``multi_dot``,
``vecdot``, ``solve_triangular``, ``pinv`` and ``matrix_rank``.

``matrix_power``, ``multi_dot`` and ``vecdot`` are composites of differentiable ops, in the
order PyTorch composes them (so their ``grad_fn`` names are PyTorch's too).
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, int_arg, tensor_arg
from ..autograd.function import OpFunction
from . import reduction, shape as S
from ._common import sum_to_shape
from .linalg import Matmul, c_type_name as _ctype, matmul, mm
from .linalg_decomp import hermitian_from
from .linalg_solve import check_floating, check_square, inverse, mT
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting


# ----------------------------------------------------------------------------- matrix_power
def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times (each matrix of ``A``, batched): ``n = 0``
    gives identities, a negative ``n`` the power of the inverse.

    Computed as PyTorch does: ``A @ A`` for 2, ``A @ A @ A`` for 3, otherwise by repeated
    squaring; a copy for 1, the inverse first for negative ``n``. Mirrors
    ``torch.linalg.matrix_power`` (and ``torch.matrix_power``, ``Tensor.matrix_power``); the
    ``grad_fn`` is that of the last product (``MmBackward0`` for a single matrix).

    Args:
        A: a tensor of shape ``(*, m, m)``; integer dtypes allowed for ``n >= 0``.
        n: the exponent, an int.

    Raises:
        RuntimeError: for non-square matrices, or an integer ``A`` with ``n < 0``.
        LinAlgError: for a singular ``A`` with ``n < 0``.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3)
        tensor([[1, 3],
                [0, 1]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.matrix_power(out=...) is not supported")
    tensor_arg(A, "linalg_matrix_power", "A", 1)
    n = int_arg(n, "linalg_matrix_power", "n", 2)
    check_square(A, "linalg.matrix_power")
    if n == 0:
        b = A._backend
        eye = b.xp.eye(A.shape[-1], dtype=b.dtype(A.dtype), **b._dev_kw())
        return S.clone(A).copy_(Tensor._wrap(eye, A.device, b).expand_as(A))
    if n < 0:
        A = inverse(A)
        n = -n
        if n == 1:
            return A
    if n == 1:
        return S.clone(A)
    if n == 2:
        return matmul(A, A)
    if n == 3:
        return matmul(matmul(A, A), A)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result


# ----------------------------------------------------------------------------- multi_dot
def _chain_order(dims):
    """The cheapest parenthesisation of the product of matrices of sizes ``dims[i] x
    dims[i + 1]`` (the classic dynamic programme): ``split[i][j]``."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s
    return split


def multi_dot(tensors, *, out=None):
    """The product of two or more matrices, multiplied in the order that needs the fewest
    scalar multiplications. The first tensor may be 1-D (a row vector) and the last 1-D
    (a column vector); the others must be 2-D.

    Mirrors ``torch.linalg.multi_dot`` (``mm`` products, then a ``view`` to the result
    shape: ``grad_fn=<ViewBackward0>``).

    Raises:
        RuntimeError: for fewer than 2 tensors, wrong dimensions, different dtypes or sizes
            that cannot be multiplied.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.multi_dot([torch.tensor([1., 2.]), torch.eye(2), torch.tensor([3., 4.])])
        tensor(11.)
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.multi_dot(out=...) is not supported")
    tensors = list(tensors)
    k = len(tensors)
    if k < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {k}")
    first, last = tensors[0], tensors[-1]
    if first.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.dim()}D")
    if last.dim() not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.dim()}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.dim() != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.dim()}D")
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not first.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                               f"{_ctype(first.dtype)} and tensor {i} "
                               f"{_ctype(t.dtype)}")
    out_shape = (() if first.dim() == 1 else (first.shape[0],)) + (() if last.dim() == 1 else (last.shape[1],))
    mats = list(tensors)
    if first.dim() == 1:
        mats[0] = S.unsqueeze(first, 0)
    if last.dim() == 1:
        mats[-1] = S.unsqueeze(last, -1)
    for i in range(k - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                               f"{list(tensors[i + 1].shape)} cannot be multiplied")
    dims = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    split = _chain_order(dims)

    def product(i, j):
        if i == j:
            return mats[i]
        s = split[i][j]
        return mm(product(i, s), product(s + 1, j))

    return product(0, k - 1).view(out_shape)


# ----------------------------------------------------------------------------- vecdot
def vecdot(x, y, *, dim=-1, out=None):
    """The dot products of the vectors of ``x`` and ``y`` along ``dim`` (the other
    dimensions broadcast): ``(x * y).sum(dim)`` for real tensors.

    Mirrors ``torch.linalg.vecdot`` (``grad_fn=<SumBackward1>``; two 1-D tensors:
    ``VdotBackward0``).

    Raises:
        RuntimeError: for different dtypes, an integer dtype, or shapes that do not
            broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.vecdot(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([1., 1.]))
        tensor([3., 7.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_vecdot", vecdot, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.vecdot(out=...) is not supported")
    tensor_arg(x, "linalg_vecdot", "x", 1)
    tensor_arg(y, "linalg_vecdot", "y", 2)
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{D.scalar_name(x.dtype)} and y of type {D.scalar_name(y.dtype)} instead")
    check_floating(x, "linalg.vecdot", low_precision=False)
    if x.dim() == 1 and y.dim() == 1 and dim in (0, -1):
        if x.shape[0] != y.shape[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
                               f"have the same number of elements, but got {x.shape[0]} and {y.shape[0]} elements "
                               "respectively")
        return Matmul.apply(x, y, _name="VdotBackward0")
    return reduction.sum(x * y, dim)


# ----------------------------------------------------------------------------- solve_triangular
def _substitute(xp, a, b, upper, unit):
    """``x`` with ``a x = b`` for triangular ``a`` (``(*, n, n)``, ``b`` ``(*, n, k)`` of the
    same batch shape), row by row as LAPACK's ``trsm`` does (a zero on the diagonal gives
    inf/nan, no error)."""
    n = a.shape[-1]
    rows = [None] * n
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        r = b[..., i, :]
        for j in (range(i + 1, n) if upper else range(i)):
            r = r - xp.expand_dims(a[..., i, j], axis=-1) * rows[j]
        rows[i] = r if unit else r / xp.expand_dims(a[..., i, i], axis=-1)
    return xp.stack(rows, axis=-2)


class SolveTriangular(OpFunction):
    """``X`` with ``A X = B`` (``left=False``: ``X A = B``) for triangular ``A``. Backward
    (PyTorch's): ``gB`` solves the transposed system, ``gA = -gB X^T`` (``left``) or
    ``-X^T gB``, restricted to ``A``'s triangle (without the diagonal when
    ``unitriangular``)."""

    name = "LinalgSolveTriangularBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, A, B, upper, left, unitriangular):
        xp = A._backend.xp
        a = xp.triu(A._data) if upper else xp.tril(A._data)
        rhs = B._data
        batch = broadcast_shape(tuple(rhs.shape[:-2]), tuple(a.shape[:-2]))
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        rhs = xp.broadcast_to(rhs, batch + rhs.shape[-2:])
        if left:
            x = _substitute(xp, a, rhs, upper, unitriangular)
        else:  # X A = B  <=>  A^T X^T = B^T
            x = mT(xp, _substitute(xp, mT(xp, a), mT(xp, rhs), not upper, unitriangular))
        if ctx.needs_input_grad:
            ctx.a, ctx.x = a, x
            ctx.args = (upper, left, unitriangular, A._data.shape, B._data.shape)
        return x

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        upper, left, unit, sa, sb = ctx.args
        a, x = ctx.a, ctx.x
        if left:
            gb = _substitute(xp, mT(xp, a), g, not upper, unit)
            ga = -xp.matmul(gb, mT(xp, x))
        else:
            gb = mT(xp, _substitute(xp, a, mT(xp, g), upper, unit))
            ga = -xp.matmul(mT(xp, x), gb)
        k = 1 if unit else 0
        ga = xp.triu(ga, k=k) if upper else xp.tril(ga, k=-k)
        ga = sum_to_shape(xp, ga, sa) if ctx.needs_input_grad[0] else None
        gb = sum_to_shape(xp, gb, sb) if ctx.needs_input_grad[1] else None
        return ga, gb


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution ``X`` of ``A X = B`` (``left=False``: ``X A = B``) for triangular
    matrices ``A``, by substitution. Only ``A``'s upper (``upper=True``) or lower triangle
    is read; with ``unitriangular`` its diagonal is taken to be ones. A zero on the
    diagonal gives inf/nan, not an error (as LAPACK's ``trsm``).

    Mirrors ``torch.linalg.solve_triangular``
    (``grad_fn=<LinalgSolveTriangularBackward0>``).

    Args:
        A: a float32/float64 tensor of shape ``(*, n, n)``.
        B: a tensor of shape ``(*, n, k)`` (``left=False``: ``(*, k, n)``), converted to
            ``A``'s dtype; the batch dimensions broadcast.
        upper: keyword-only and required: which triangle of ``A`` to use.

    Examples:
        >>> import reftorch as torch
        >>> L = torch.tensor([[2., 0.], [1., 4.]])
        >>> torch.linalg.solve_triangular(L, torch.tensor([[2.], [9.]]), upper=False)
        tensor([[1.],
                [2.]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.solve_triangular(out=...) is not supported")
    tensor_arg(A, "linalg_solve_triangular", "A", 1)
    tensor_arg(B, "linalg_solve_triangular", "B", 2)
    who = "linalg.solve_triangular"
    if not A.dtype.is_floating_point or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"triangular_solve_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")
    if B.dtype is not A.dtype:  # (PyTorch computes in A's dtype)
        B = B.to(A.dtype)
    check_square(A, who)
    if B.dim() < 2:
        raise RuntimeError(f"{who}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{who}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    return SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


# ----------------------------------------------------------------------------- pinv
_EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52}  # (machine epsilon)


def _cutoff(xp, s, atol, rtol, shape, eps):
    """PyTorch's threshold ``max(atol, rtol * largest singular value)``: ``rtol`` defaults to
    ``eps * max(m, n)`` when neither is given, to 0 when only ``atol`` is."""
    if rtol is None:
        rtol = eps * max(shape[-2], shape[-1]) if atol is None or atol <= 0 else 0.0
    atol = 0.0 if atol is None else atol
    smax = xp.max(xp.abs(s), axis=-1, keepdims=True) if s.shape[-1] else xp.zeros_like(s[..., :1])
    return xp.maximum(xp.full_like(smax, atol), rtol * smax)


def pinv_from_svd(xp, a, atol, rtol, eps):
    """``(pinv(a), singular values, rank)`` from the SVD of ``a``, the singular values not
    above :func:`_cutoff` taken as zero."""
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    keep = s > _cutoff(xp, s, atol, rtol, a.shape, eps)
    sinv = xp.where(keep, 1 / xp.where(keep, s, xp.ones_like(s)), xp.zeros_like(s))
    p = xp.matmul(mT(xp, vh) * xp.expand_dims(sinv, axis=-2), mT(xp, u))
    return p, s, xp.sum(xp.astype(keep, xp.int64), axis=-1)


class Pinv(OpFunction):
    """The Moore-Penrose pseudo-inverse, from the SVD (``hermitian``: the eigenvalue
    decomposition), singular values below the cutoff taken as 0. Backward: PyTorch's
    ``pinv_backward``."""

    name = "LinalgPinvBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        b = A._backend
        xp = b.xp
        a = A._data
        eps = _EPS[A.dtype.name]
        if hermitian:
            w, v = xp.linalg.eigh(hermitian_from(xp, a, False))
            keep = xp.abs(w) > _cutoff(xp, w, atol, rtol, a.shape, eps)
            winv = xp.where(keep, 1 / xp.where(keep, w, xp.ones_like(w)), xp.zeros_like(w))
            p = xp.matmul(v * xp.expand_dims(winv, axis=-2), mT(xp, v))
        else:
            p = pinv_from_svd(xp, a, atol, rtol, eps)[0]
        if ctx.needs_input_grad:
            ctx.a, ctx.p = a, p
        return p

    @staticmethod
    def backward(ctx, g):
        return pinv_backward(ctx.xp, ctx.a, ctx.p, g)


def pinv_backward(xp, a, p, g):
    """PyTorch's ``pinv_backward``: the gradient reaching ``a`` through ``p = pinv(a)``."""
    m, n = a.shape[-2], a.shape[-1]
    ph, gh = mT(xp, p), mT(xp, g)
    mul = xp.matmul
    if m <= n:
        k = mul(gh, p)
        kph = mul(k, ph)
        return -mT(xp, mul(p, k)) + kph - mul(mul(a, p), kph) + mul(mul(ph, p), gh - mul(k, a))
    k = mul(p, gh)
    phk = mul(ph, k)
    return -mT(xp, mul(k, p)) + phk - mul(mul(phk, p), a) + mul(mul(gh - mul(a, k), p), ph)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse of each matrix of ``A`` (``(*, m, n)`` ->
    ``(*, n, m)``), from its singular value decomposition: singular values not above
    ``max(atol, rtol * largest)`` count as zero (``rtol`` defaults to ``eps * max(m, n)``
    when neither is given). ``hermitian=True`` uses the eigenvalue decomposition of the
    lower triangle instead.

    Mirrors ``torch.linalg.pinv`` (``grad_fn=<LinalgPinvBackward0>``; ``atol``/``rtol`` as
    numbers only, not tensors).

    Raises:
        RuntimeError: for fewer than 2 dimensions or a non-floating dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.pinv(torch.tensor([[2., 0.], [0., 0.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    if out is not None:
        raise NotImplementedError("reftorch: linalg.pinv(out=...) is not supported")
    tensor_arg(A, "linalg_pinv", "A", 1)
    if A.dim() < 2 or A.dtype not in (D.float32, D.float64):  # (PyTorch also takes complex: not here yet)
        shape = ", ".join(map(str, A.shape))
        raise RuntimeError(f"linalg.pinv({D.scalar_name(A.dtype)}{{[{shape}]}}): expected a tensor with 2 or more "
                           "dimensions of float, double, cfloat or cdouble types")
    if hermitian:
        check_square(A, "linalg.pinv")
    return Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse of each matrix of ``input``: the older ``torch.pinverse`` (and
    ``Tensor.pinverse``), :func:`pinv` with ``rtol=rcond``.

    Examples:
        >>> import reftorch as torch
        >>> torch.pinverse(torch.tensor([[2., 0.], [0., 0.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("pinverse", pinverse, locals())
    tensor_arg(input, "pinverse", "input", 1)
    return pinv(input, rtol=float(rcond))


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """The numerical rank of each matrix of ``A``: how many singular values (``hermitian``:
    absolute eigenvalues) are above ``max(atol, rtol * largest)``; ``rtol`` defaults to
    ``eps * max(m, n)`` when neither is given. ``tol`` is the older spelling of ``atol`` (with
    ``rtol`` 0). Mirrors ``torch.linalg.matrix_rank``: an int64 tensor of shape ``(*)``.

    Raises:
        RuntimeError: for fewer than 2 dimensions or a non-floating dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.matrix_rank(torch.tensor([[1., 2.], [2., 4.]]))
        tensor(1)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_matrix_rank", matrix_rank, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.matrix_rank(out=...) is not supported")
    tensor_arg(A, "linalg_matrix_rank", "A", 1)
    if not A.dtype.is_floating_point or A.dtype in (D.float16, D.bfloat16):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    if tol is not None:
        atol, rtol = tol, 0.0
    b = A._backend
    xp = b.xp
    a = A._data
    if hermitian:
        check_square(A, "linalg.matrix_rank")
        s = xp.abs(xp.linalg.eigvalsh(hermitian_from(xp, a, False)))
    else:
        svdvals = getattr(xp.linalg, "svdvals", None)
        s = svdvals(a) if svdvals is not None else xp.linalg.svd(a, full_matrices=False)[1]
    cut = _cutoff(xp, s, atol, rtol, a.shape, _EPS[A.dtype.name])
    rank = xp.sum(xp.astype(s > cut, xp.int64), axis=-1)
    return Tensor._wrap(rank, A.device, b)


# ----------------------------------------------------------------------------- lstsq
linalg_lstsq_rt = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


class Lstsq(OpFunction):
    """``(solution, residuals)`` of the least-squares problems ``min ||A X - B||``: ``X =
    pinv(A) B`` (the minimum-norm solution), ``residuals`` the squared column norms of
    ``A X - B`` when ``residuals`` is asked for, else empty. Backward: ``pinv``'s for ``A``,
    ``pinv(A)^T grad`` for ``B``; the residuals' (at the optimum ``X``):
    ``2 (A X - B) grad X^T`` and ``-2 (A X - B) grad``."""

    name = "LinalgLstsqBackward0"
    arity = 2
    multi_output = True

    @staticmethod
    def forward(ctx, A, B, vector, rcond, residuals, eps):
        b = A._backend
        xp = b.xp
        a, rhs = A._data, B._data
        if vector:
            rhs = xp.expand_dims(rhs, axis=-1)
        batch = broadcast_shape(tuple(rhs.shape[:-2]), tuple(a.shape[:-2]))
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        rhs = xp.broadcast_to(rhs, batch + rhs.shape[-2:])
        p = pinv_from_svd(xp, a, None, rcond, eps)[0]
        x = xp.matmul(p, rhs)
        r = xp.matmul(a, x) - rhs
        res = xp.sum(r * r, axis=-2) if residuals else xp.zeros((0,), dtype=a.dtype, **b._dev_kw())
        if ctx.needs_input_grad:
            ctx.a, ctx.p, ctx.x, ctx.r, ctx.rhs = a, p, x, r, rhs
            ctx.args = (vector, A._data.shape, B._data.shape, residuals)
        return (x[..., 0] if vector else x), res

    @staticmethod
    def backward(ctx, g_x, g_res):
        xp = ctx.xp
        vector, sa, sb, residuals = ctx.args
        a, p, x, r, rhs = ctx.a, ctx.p, ctx.x, ctx.r, ctx.rhs
        ga = xp.zeros_like(a)
        gb = xp.zeros_like(rhs)
        if g_x is not None:
            if vector:
                g_x = xp.expand_dims(g_x, axis=-1)
            ga = ga + pinv_backward(xp, a, p, xp.matmul(g_x, mT(xp, rhs)))
            gb = gb + xp.matmul(mT(xp, p), g_x)
        if g_res is not None and residuals:
            gr = 2 * r * xp.expand_dims(g_res, axis=-2)
            ga = ga + xp.matmul(gr, mT(xp, x))
            gb = gb - gr
        if vector:
            gb = gb[..., 0]
        return sum_to_shape(xp, ga, sa), sum_to_shape(xp, gb, sb)


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solutions ``X`` minimising ``||A X - B||`` for each matrix of ``A``
    (``(*, m, n)``; ``B`` ``(*, m, k)``, or ``(*, m)`` when it has one dimension fewer than
    ``A``): ``torch.return_types.linalg_lstsq(solution, residuals, rank, singular_values)``.

    reftorch computes every driver's answer from the SVD (the minimum-norm solution, with
    singular values not above ``rcond * largest`` taken as zero; ``rcond`` defaults to
    ``eps * max(m, n)``) and fills the outputs as PyTorch's CPU drivers do: ``residuals``
    (the squared residual of each column) only when ``m > n``, every matrix has full rank
    and the driver is not ``"gelsy"`` (the default); ``rank`` except for ``"gels"``;
    ``singular_values`` for ``"gelsd"`` and ``"gelss"``. Mirrors ``torch.linalg.lstsq``
    (``grad_fn=<LinalgLstsqBackward0>``). Unlike PyTorch's ``"gelsy"`` and ``"gels"``,
    whose rank decisions come from a pivoted QR factorisation, the rank of a
    rank-deficient matrix is decided from its singular values, so the solutions of such
    problems may differ.

    Raises:
        RuntimeError: for fewer than 2 dimensions, different dtypes, a non-floating dtype,
            an unknown ``driver`` or a ``B`` with a different number of rows.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.tensor([[1., 0.], [0., 1.], [1., 1.]])
        >>> torch.linalg.lstsq(A, torch.tensor([[1.], [2.], [3.]])).solution.round(decimals=4)
        tensor([[1.],
                [2.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_lstsq", lstsq, locals())
    tensor_arg(A, "linalg_lstsq", "self", 1)
    tensor_arg(B, "linalg_lstsq", "b", 2)
    who = "torch.linalg.lstsq"
    if A.dtype is not B.dtype:
        raise RuntimeError(f"{who}: Expected input and other to have the same dtype, but got input's dtype "
                           f"{D.scalar_name(A.dtype)} and other's dtype {D.scalar_name(B.dtype)}")
    if A.dim() < 2:
        raise RuntimeError(f"{who}: input must have at least 2 dimensions.")
    if B.dim() < 1:
        raise RuntimeError(f"{who}: other must have at least 1 dimension.")
    if not 0 <= A.dim() - B.dim() <= 1:
        raise RuntimeError(f"{who}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{who}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if A.dtype not in (D.float32, D.float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    vector = B.dim() == A.dim() - 1
    broadcast_shape(tuple(A.shape[:-2]), tuple(B.shape[:-1] if vector else B.shape[:-2]))
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError(f"{who}: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2], A.shape[-1]
    eps = _EPS[A.dtype.name]
    if rcond is None:
        rcond = eps * max(m, n)
    b = A._backend
    xp = b.xp
    sv, rank = _lstsq_extras(b, A, B, vector, rcond, eps)
    residuals = m > n and driver != "gelsy" and bool(xp.all(rank == n))  # (full column rank only)
    solution, residuals = Lstsq.apply(A, B, vector, rcond, residuals, eps)
    if driver == "gels":
        rank = xp.zeros((0,), dtype=xp.int64, **b._dev_kw())
    if driver not in ("gelsd", "gelss"):
        sv = xp.zeros((0,), dtype=sv.dtype, **b._dev_kw())
    return linalg_lstsq_rt(solution, residuals, Tensor._wrap(rank, A.device, b), Tensor._wrap(sv, A.device, b))


def _lstsq_extras(b, A, B, vector, rcond, eps):
    """The singular values and ranks of ``A``'s matrices, broadcast to the problems' batch."""
    xp = b.xp
    rhs_batch = tuple(B.shape[:-1] if vector else B.shape[:-2])
    batch = broadcast_shape(rhs_batch, tuple(A.shape[:-2]))
    a = xp.broadcast_to(A._data, batch + tuple(A.shape[-2:]))
    _, s, rank = pinv_from_svd(xp, a, None, rcond, eps)
    return s, rank
