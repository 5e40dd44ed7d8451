"""The QR decomposition as LAPACK stores it: ``torch.geqrf`` (Householder reflectors and their
scalars) and ``torch.ormqr`` (a matrix multiplied by the ``Q`` they make).

``geqrf`` runs LAPACK's ``geqr2`` over the backend's array namespace, one column at a time:
``dlarfg`` makes the reflector that zeroes the column below the diagonal (``beta =
-sign(alpha) * ||(alpha, x)||``, ``tau = (beta - alpha) / beta``, ``v = x / (alpha -
beta)``; ``tau = 0`` when ``x`` is zero), ``dlarf`` applies it to the columns on the right.
``ormqr`` applies the reflections one at a time (:func:`~reftorch._ops.householder.reflect`).
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import tensor_arg
from ..autograd.function import OpFunction
from .householder import _mH, reflect, reflect_backward
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

geqrf_rt = _return_type("geqrf", ("a", "tau"))


def geqrf_kernel(b, a):
    """``(a, tau)`` of LAPACK's ``geqrf`` for the matrices ``a`` (``(*, m, n)``, real or
    complex: ``zlarfg``'s ``beta = -sign(re(alpha)) * ||(alpha, x)||``, ``tau = (beta -
    alpha) / beta``, and ``H^H`` applied to the columns on the right)."""
    xp = b.xp
    m, n = a.shape[-2], a.shape[-1]
    complex_ = xp.isdtype(a.dtype, "complex floating")
    rows = xp.arange(m, **b._dev_kw())
    taus = []
    u = a
    for i in range(min(m, n)):
        alpha = u[..., i, i]
        x = u[..., i + 1:, i]
        re, im = (xp.real(alpha), xp.imag(alpha)) if complex_ else (alpha, xp.zeros_like(alpha))
        xnorm = xp.sqrt(xp.sum(xp.real(x * xp.conj(x)) if complex_ else x * x, axis=-1))
        zero = (xnorm == 0) & (im == 0)
        beta = -xp.copysign(xp.sqrt(re * re + im * im + xnorm * xnorm), re)
        one = xp.ones_like(beta)
        safe_beta = xp.where(zero, one, beta)
        tau = (safe_beta - alpha) / xp.astype(safe_beta, alpha.dtype) if complex_ else (safe_beta - alpha) / safe_beta
        tau = xp.where(zero, xp.zeros_like(tau), tau)
        denom = alpha - xp.astype(safe_beta, alpha.dtype)
        scale = 1 / xp.where(zero, xp.ones_like(denom), denom)
        below = u[..., :, i] * xp.expand_dims(scale, axis=-1)
        v = xp.where(rows > i, below, xp.where(rows == i, xp.ones_like(below), xp.zeros_like(below)))
        v = xp.expand_dims(v, axis=-1)  # (*, m, 1)
        top = xp.where(zero, alpha, xp.astype(beta, alpha.dtype))
        col = xp.where(rows == i, xp.expand_dims(top, axis=-1), xp.where(rows > i, v[..., 0], u[..., :, i]))
        right = u[..., :, i + 1:]
        tau_h = xp.conj(tau) if complex_ else tau  # (H^H is applied)
        right = right - xp.reshape(tau_h, tau.shape + (1, 1)) * xp.matmul(v, xp.matmul(_mH(xp, v), right))
        u = xp.concat([u[..., :, :i], xp.expand_dims(col, axis=-1), right], axis=-1)
        taus.append(tau)
    tau = xp.stack(taus, axis=-1) if taus else xp.zeros(tuple(a.shape[:-2]) + (0,), dtype=a.dtype, **b._dev_kw())
    return u, tau


class Geqrf(OpFunction):
    """``(a, tau)`` of ``geqrf``; PyTorch has no derivative for it."""

    name = "GeqrfBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A):
        return geqrf_kernel(A._backend, A._data)

    @staticmethod
    def backward(ctx, ga, gtau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


class Ormqr(OpFunction):
    """``Q @ C`` (``transpose``: ``Q^H @ C``; ``left=False``: ``C @ Q``, ``C @ Q^H``).
    The right products are the adjoints of left ones: ``C Q = (Q^H C^H)^H``. Backward:
    :func:`~reftorch._ops.householder.reflect_backward`."""

    name = "OrmqrBackward0"
    arity = 3

    @staticmethod
    def forward(ctx, A, tau, C, left, transpose):
        b = A._backend
        xp = b.xp
        adjoint = transpose if left else not transpose
        y, steps = reflect(b, A._data, tau._data, C._data if left else _mH(xp, C._data), adjoint)
        if ctx.needs_input_grad:
            ctx.a, ctx.t, ctx.steps, ctx.args = A._data, tau._data, steps, (left, adjoint)
        return y if left else _mH(xp, y)

    @staticmethod
    def backward(ctx, g):
        b = ctx.backend
        xp = b.xp
        left, adjoint = ctx.args
        g = g if left else _mH(xp, g)
        if ctx.t.shape[-1] == 0:
            ga, gt = xp.zeros_like(ctx.a), xp.zeros_like(ctx.t)
        else:
            ga, gt, g = reflect_backward(b, ctx.a, ctx.t, ctx.steps, g, adjoint)
        return ga, gt, (g if left else _mH(xp, g))


def geqrf(input, *, out=None):
    """The QR decomposition of each matrix of ``input`` as LAPACK's ``geqrf`` stores it:
    ``torch.return_types.geqrf(a, tau)``. ``a`` holds ``R`` on and above the diagonal and
    the Householder vectors below it; ``tau`` (``(*, min(m, n))``) their scalars.
    ``torch.linalg.householder_product(a, tau)`` gives ``Q``, :func:`ormqr` multiplies by it.

    Mirrors ``torch.geqrf`` (and ``Tensor.geqrf``; ``grad_fn=<GeqrfBackward0>``, whose
    backward raises NotImplementedError as in PyTorch). The reflections are LAPACK's
    (``R``'s diagonal has the opposite sign of the column's leading entry); values agree with
    LAPACK's blocked kernel to float rounding.

    Args:
        input: a float32/float64 or complex tensor of shape ``(*, m, n)``.

    Raises:
        RuntimeError: for fewer than 2 dimensions.
        NotImplementedError: for integer or half dtypes.

    Examples:
        >>> import reftorch as torch
        >>> torch.geqrf(torch.tensor([[-3., 1.], [4., 0.]]))
        torch.return_types.geqrf(
        a=tensor([[ 5.0000, -0.6000],
                [-0.5000,  0.8000]]),
        tau=tensor([1.6000, 0.0000]))
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("geqrf", geqrf, locals())
    if out is not None:
        raise NotImplementedError("reftorch: geqrf(out=...) is not supported")
    tensor_arg(input, "geqrf", "input", 1)
    if input.dim() < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if not (input.dtype.is_floating_point or input.dtype.is_complex) or input.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{D.scalar_name(input.dtype)}'")
    return geqrf_rt(*Geqrf.apply(input))


def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """``input3`` multiplied by the ``Q`` of the Householder reflectors ``input`` (``(*, m,
    n)``) and scalars ``input2`` (``tau``, ``(*, k)``) from :func:`geqrf`: ``Q @ C``
    (``transpose``: ``Q^H @ C``; ``left=False``: ``C @ Q``, ``C @ Q^H``), with ``Q`` the
    full ``m x m`` product ``H_1 ... H_k``.

    Mirrors ``torch.ormqr`` (and ``Tensor.ormqr``; ``grad_fn=<OrmqrBackward0>``, with
    gradients for all three inputs).

    Args:
        input: the reflectors, of shape ``(*, m, n)``.
        input2: ``tau``, of shape ``(*, min(m_c, n))`` and ``input``'s dtype, where ``m_c``
            is ``C``'s size on the multiplied side.
        input3: ``C``, of shape ``(*, m, p)`` (``left=False``: ``(*, p, m)``).
        left: multiply from the left (default ``True``).
        transpose: use ``Q^H`` (default ``False``).

    Raises:
        RuntimeError: for fewer than 2 dimensions, mismatched shapes, batch dimensions or
            dtypes (PyTorch's messages).
        NotImplementedError: for integer or half dtypes.

    Examples:
        >>> import reftorch as torch
        >>> a, tau = torch.geqrf(torch.tensor([[-3., 1.], [4., 0.]]))
        >>> torch.ormqr(a, tau, torch.eye(2))
        tensor([[-0.6000,  0.8000],
                [ 0.8000,  0.6000]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("ormqr", ormqr, locals())
    if out is not None:
        raise NotImplementedError("reftorch: ormqr(out=...) is not supported")
    tensor_arg(input, "ormqr", "input", 1)
    tensor_arg(input2, "ormqr", "input2", 2)
    tensor_arg(input3, "ormqr", "input3", 3)
    _ormqr_checks(input, input2, input3, left)
    return Ormqr.apply(input, input2, input3, bool(left), bool(transpose))


def _ormqr_checks(A, tau, C, left):
    who = "torch.ormqr"
    if A.dim() < 2:
        raise RuntimeError(f"{who}: input must have at least 2 dimensions.")
    if C.dim() < 2:
        raise RuntimeError(f"{who}: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if C.shape[side] != A.shape[-2]:
        raise RuntimeError(f"{who}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.dim() == 0 or tau.shape[-1] != min(C.shape[side], A.shape[-1]):
        raise RuntimeError(f"{who}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])")
    if A.dim() - tau.dim() != 1:
        raise RuntimeError(f"{who}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
                           f"{tau.dim()} and input.ndim is equal to {A.dim()}")
    if A.dim() != C.dim():
        raise RuntimeError(f"{who}: Expected other to have the same number of dimensions as input, but got "
                           f"other.ndim equal to {C.dim()} and input.ndim is equal to {A.dim()}")
    if A.dim() > 2:
        if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
            raise RuntimeError(f"{who}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                               f"{list(tau.shape[:-1])}")
        if tuple(C.shape[:-2]) != tuple(A.shape[:-2]):
            raise RuntimeError(f"{who}: Expected batch dimensions of other to be equal to input.shape[:-2], but got "
                               f"{list(C.shape[:-2])}")
    for name, t in (("tau", tau), ("other", C)):
        if t.dtype is not A.dtype:
            raise RuntimeError(f"{who}: Expected input and {name} to have the same dtype, but input has dtype"
                               f"{D.scalar_name(A.dtype)} and {name} has dtype {D.scalar_name(t.dtype)}")
    if not (A.dtype.is_floating_point or A.dtype.is_complex) or A.dtype in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"ormqr_cpu\" not implemented for '{D.scalar_name(A.dtype)}'")
