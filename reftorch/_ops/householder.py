"""``torch.linalg.householder_product`` (and ``torch.orgqr``, ``Tensor.orgqr``): the first
``n`` columns of a product of Householder reflections, LAPACK's ``orgqr``.

Reflection ``i`` is ``H_i = I - tau_i v_i v_i^H`` with ``v_i`` zero above row ``i``, one at
row ``i`` and column ``i`` of ``A`` below it. The product ``H_1 ... H_k`` applied to the
first ``n`` columns of the identity is built from the right, one reflection at a time
(``Y <- Y - tau v (v^H Y)``); the backward runs the same steps in reverse.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import tensor_arg
from ..autograd.function import OpFunction
from .. import _autocast
from .._autocast import anywhere as _autocasting

_WHO = "torch.linalg.householder_product"


def _reflector(b, a, i):
    """``v_i`` of the columns of ``a`` (``(*, m, n)``), as ``(*, m, 1)``."""
    xp = b.xp
    m = a.shape[-2]
    rows = xp.reshape(xp.arange(m, **b._dev_kw()), (m, 1))
    col = a[..., i:i + 1]
    one = xp.ones((), dtype=a.dtype, **b._dev_kw())
    return xp.where(rows > i, col, xp.where(rows == i, one, xp.zeros_like(one)))


def _conj(xp, a):
    return xp.conj(a) if xp.isdtype(a.dtype, "complex floating") else a


def _mH(xp, a):
    return _conj(xp, xp.matrix_transpose(a))


def reflect(b, a, t, y, adjoint=False):
    """``Q @ y`` (``adjoint``: ``Q^H @ y``) for ``Q = H_1 ... H_k`` given by the reflectors
    ``a`` (``(*, m, n)``) and ``t`` (``(*, k)``), one reflection at a time; also the matrix
    each reflection ``i`` acted on (``steps[i]``), for :func:`reflect_backward`."""
    xp = b.xp
    k = t.shape[-1]
    steps = [None] * k
    for i in (range(k) if adjoint else reversed(range(k))):
        v = _reflector(b, a, i)
        ti = xp.reshape(t[..., i], t.shape[:-1] + (1, 1))
        if adjoint:
            ti = _conj(xp, ti)
        steps[i] = y
        y = y - ti * xp.matmul(v, xp.matmul(_mH(xp, v), y))
    return y, steps


def reflect_backward(b, a, t, steps, g, adjoint=False):
    """The gradients of :func:`reflect`'s result ``g`` carried back: ``(ga, gtau, gy)``;
    ``ga`` has ``a``'s shape (zero outside the reflectors' columns below the diagonal)."""
    xp = b.xp
    m, n, k = a.shape[-2], a.shape[-1], t.shape[-1]
    rows = xp.reshape(xp.arange(m, **b._dev_kw()), (m, 1))
    cols, gtau = [None] * k, [None] * k
    for i in (reversed(range(k)) if adjoint else range(k)):
        v = _reflector(b, a, i)
        vh = _mH(xp, v)
        ti = xp.reshape(t[..., i], t.shape[:-1] + (1, 1))
        if adjoint:
            ti = _conj(xp, ti)
        y = steps[i]
        w = xp.matmul(vh, y)  # (*, 1, n)
        gt = -xp.sum(_conj(xp, v * w) * g, axis=(-2, -1))
        gtau[i] = _conj(xp, gt) if adjoint else gt
        gv = -_conj(xp, ti) * xp.matmul(g, _mH(xp, w)) - ti * xp.matmul(y, xp.matmul(_mH(xp, g), v))
        cols[i] = xp.where(rows > i, gv, xp.zeros_like(gv))[..., 0]
        g = g - _conj(xp, ti) * xp.matmul(v, xp.matmul(vh, g))
    zero = xp.zeros(a.shape[:-1], dtype=a.dtype, **b._dev_kw())
    return xp.stack(cols + [zero] * (n - k), axis=-1), xp.stack(gtau, axis=-1), g


class HouseholderProduct(OpFunction):
    """``Q[..., :n]`` of the reflections given by ``A`` and ``tau``: :func:`reflect` applied
    to the first ``n`` columns of the identity."""

    name = "LinalgHouseholderProductBackward0"
    arity = 2

    @staticmethod
    def forward(ctx, A, tau):
        b = A._backend
        xp = b.xp
        a, t = A._data, tau._data
        m, n = a.shape[-2], a.shape[-1]
        y, steps = reflect(b, a, t, xp.broadcast_to(xp.eye(m, n, dtype=a.dtype, **b._dev_kw()), a.shape))
        if ctx.needs_input_grad:
            ctx.a, ctx.t, ctx.steps = a, t, steps
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.t.shape[-1] == 0:  # no reflection: PyTorch gives no gradient at all
            return None, None
        return reflect_backward(ctx.backend, ctx.a, ctx.t, ctx.steps, g)[:2]


def householder_product(A, tau, *, out=None):
    """The first ``n`` columns of the product ``H_1 @ ... @ H_k`` of the Householder
    reflections ``H_i = I - tau_i v_i v_i^H``, where ``v_i`` has zeros above row ``i``, a one
    at row ``i`` and ``A[i+1:, i]`` below (LAPACK's ``orgqr``: the ``Q`` of a QR
    decomposition stored as reflectors).

    Mirrors ``torch.linalg.householder_product`` (also ``torch.orgqr``, ``Tensor.orgqr``;
    ``grad_fn=<LinalgHouseholderProductBackward0>``). The product is built one reflection at
    a time, so values agree with LAPACK's blocked kernel to float rounding.

    Args:
        A: a tensor of shape ``(*, m, n)`` with ``m >= n``.
        tau: a tensor of shape ``(*, k)`` with ``k <= n``, of ``A``'s dtype.

    Returns:
        Tensor: of shape ``(*, m, n)``.

    Raises:
        RuntimeError: for fewer than 2 dimensions, ``m < n``, ``k > n``, mismatched batch
            dimensions or dtypes.
        NotImplementedError: for integer dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.householder_product(torch.tensor([[1.], [1.]]), torch.tensor([1.]))
        tensor([[ 0.],
                [-1.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_householder_product", householder_product, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.householder_product(out=...) is not supported")
    return _checked(A, tau, "linalg_householder_product")


def orgqr(input, tau):
    """``torch.orgqr``: the same as :func:`householder_product`.

    Examples:
        >>> import reftorch as torch
        >>> torch.orgqr(torch.tensor([[1.], [0.]]), torch.tensor([0.]))
        tensor([[1.],
                [0.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("orgqr", orgqr, locals())
    return _checked(input, tau, "orgqr")


def _checked(A, tau, fn):
    tensor_arg(A, fn, "input", 1)
    tensor_arg(tau, fn, "tau", 2)
    if A.dim() < 2:
        raise RuntimeError(f"{_WHO}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{_WHO}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if A.shape[-1] < tau.shape[-1] if tau.dim() else False:
        raise RuntimeError(f"{_WHO}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.dim() != A.dim() - 1:
        raise RuntimeError(f"{_WHO}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.dim()} and input.ndim is equal to {A.dim()}")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{_WHO}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"[{', '.join(map(str, tau.shape[:-1]))}]")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{_WHO}: tau dtype {D.scalar_name(tau.dtype)} does not match input dtype "
                           f"{D.scalar_name(A.dtype)}")
    if not (A.dtype.is_floating_point or A.dtype.is_complex) or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")
    if tau.device != A.device:
        tau = tau.to(A.device)
    return HouseholderProduct.apply(A, tau)
