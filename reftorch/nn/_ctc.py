"""``F.ctc_loss``: the Connectionist Temporal Classification loss (Graves et al., 2006).

The kernel follows ATen's CPU one (``LossCTC.cpp``) in log space: the targets extended
with blanks ``l' = (blank, l1, blank, l2, ..., blank)``, the forward variables ``alpha``
(time steps in a Python loop, batch and positions of ``l'`` at once), the loss
``-log(alpha[T-1, 2L] + alpha[T-1, 2L-1])``, and in the backward the ``beta`` variables
with ATen's gradient ``exp(lp) - exp(log(sum alpha*beta over l'=c) + nll - lp)`` (the
form of a gradient through ``log_softmax``, as PyTorch gives it). Each three-term
``logsumexp`` subtracts its maximum as ATen does. One node ``CtcLossBackward0``; then
``zero_infinity`` (``WhereBackward0``) and the reduction, recorded op by op as PyTorch's
composite ``ctc_loss`` records them.
"""
from __future__ import annotations

from .. import _dtype as _D
from .._ops import creation as _creation
from .._tensor import Tensor
from ..autograd.function import OpFunction
from .. import _autocast
from .._autocast import anywhere as _autocasting

_REDUCTIONS = ("none", "mean", "sum")


def _lse(xp, terms):
    """``log(sum(exp(terms)))`` with the largest term subtracted (0 when all are -inf)."""
    m = terms[0]
    for t in terms[1:]:
        m = xp.where(t > m, t, m)
    m = xp.where(m == -xp.inf, xp.zeros_like(m), m)
    total = xp.exp(terms[0] - m)
    for t in terms[1:]:
        total = total + xp.exp(t - m)
    return xp.log(total) + m


def _shift(xp, a, k, fill):
    """``a`` moved ``k`` places right (``k > 0``) or left along its last axis, ``fill`` in
    the places freed."""
    pad = xp.full_like(a[..., :abs(k)], fill)
    if k > 0:
        return xp.concat([pad, a[..., :-k]], axis=-1)
    return xp.concat([a[..., -k:], pad], axis=-1)


class CtcLoss(OpFunction):
    """The per-sample negative log-likelihoods ``(N,)`` of ``(T, N, C)`` log-probabilities,
    for padded ``(N, S)`` targets ``ext`` already extended with blanks (``(N, 2S+1)``)."""

    name = "CtcLossBackward0"
    arity = 1

    @staticmethod
    def forward(ctx, log_probs, ext, input_lengths, target_lengths, blank, zero_infinity):
        backend = log_probs._backend
        xp = backend.xp
        kw = backend._dev_kw()
        lp = log_probs._data
        t_max, n, _ = lp.shape
        width = ext.shape[1]
        ninf = xp.asarray(-xp.inf, dtype=lp.dtype, **kw)
        pos = xp.reshape(xp.arange(width, dtype=xp.int64, **kw), (1, width))
        tl = xp.reshape(target_lengths, (n, 1))
        il = input_lengths
        # lp at each position of l', every time step: (T, N, 2S+1)
        lpx = backend.take_along_axis(lp, xp.broadcast_to(xp.expand_dims(ext, axis=0), (t_max, n, width)), 2) \
            if t_max else xp.zeros((0, n, width), dtype=lp.dtype, **kw)
        skip = (pos > 1) & (ext != _shift(xp, ext, 2, -1))  # l'[s-2] != l'[s]: a skip is allowed
        alphas = []
        for t in range(t_max):
            if t == 0:
                a = xp.where((pos == 0) | ((pos == 1) & (tl > 0)), lpx[0, ...], ninf)
            else:
                prev = alphas[-1]
                a = _lse(xp, [prev, _shift(xp, prev, 1, -xp.inf),
                              xp.where(skip, _shift(xp, prev, 2, -xp.inf), ninf)]) + lpx[t, ...]
            alphas.append(a)
        nll = xp.full((n,), xp.inf, dtype=lp.dtype, **kw)
        if t_max:
            la = xp.stack(alphas, axis=1)  # (N, T, 2S+1)
            last_t = xp.reshape(xp.clip(il - 1, 0, None), (n, 1, 1))
            last = backend.take_along_axis(la, xp.broadcast_to(last_t, (n, 1, width)), 1)[:, 0, :]
            end = xp.reshape(2 * target_lengths, (n, 1))
            l1 = backend.take_along_axis(last, end, 1)[:, 0]
            l2 = backend.take_along_axis(last, xp.clip(end - 1, 0, None), 1)[:, 0]
            ll = xp.where(target_lengths == 0, l1, _lse(xp, [l1, l2]))
            nll = xp.where(il > 0, -ll, nll)
        if ctx.needs_input_grad:
            ctx.state = (lp, alphas, lpx, ext, skip, pos, nll, il, target_lengths, zero_infinity)
        return nll

    @staticmethod
    def backward(ctx, g):
        lp, alphas, lpx, ext, skip, pos, nll, il, tlen, zero_infinity = ctx.state
        backend = ctx.backend
        xp = backend.xp
        lp_shape = lp.shape
        t_max, n, c = lp_shape
        ninf = xp.asarray(-xp.inf, dtype=lp.dtype, **backend._dev_kw())
        tl = xp.reshape(tlen, (n, 1))
        ilc = xp.reshape(il, (n, 1))
        in_target = pos <= 2 * tl
        skip_next = _shift(xp, skip, -2, False)  # from s + 2 to s: l'[s+2] != l'[s]
        labels = xp.reshape(xp.arange(c, dtype=ext.dtype, **backend._dev_kw()), (1, c, 1))
        onehot = xp.expand_dims(ext, axis=1) == labels  # (N, C, 2S+1)
        grads = [None] * t_max
        beta = None
        for t in range(t_max - 1, -1, -1):
            start = (pos == 2 * tl) | ((pos == 2 * tl - 1) & (tl > 0))
            first = xp.where(start, lpx[t, ...], ninf)
            if beta is None:
                beta = xp.where(ilc - 1 == t, first, ninf)
            else:
                step = _lse(xp, [beta, _shift(xp, beta, -1, -xp.inf),
                                 xp.where(skip_next, _shift(xp, beta, -2, -xp.inf), ninf)]) + lpx[t, ...]
                step = xp.where(in_target, step, ninf)
                beta = xp.where(ilc - 1 == t, first, xp.where(ilc - 1 > t, step, ninf))
            ab = xp.expand_dims(alphas[t] + beta, axis=1)  # (N, 1, 2S+1)
            per_label = xp.where(onehot, ab, ninf)
            lcab = _lse_axis(xp, per_label)  # (N, C)
            lpt = lp[t, ...]
            gr = xp.reshape(g, (n, 1))
            grad = (xp.exp(lpt) - xp.exp(lcab + xp.reshape(nll, (n, 1)) - lpt)) * gr
            keep = ilc > t
            if zero_infinity:
                keep = keep & xp.reshape(nll != xp.inf, (n, 1))
            grads[t] = xp.where(keep, grad, xp.zeros_like(grad))
        if not t_max:
            return xp.zeros(lp_shape, dtype=lp.dtype, **backend._dev_kw())
        return xp.stack(grads, axis=0)


def _lse_axis(xp, a):
    """``logsumexp`` over the last axis (0-safe: all ``-inf`` gives ``-inf``)."""
    m = xp.max(a, axis=-1, keepdims=True)
    m = xp.where(m == -xp.inf, xp.zeros_like(m), m)
    return xp.log(xp.sum(xp.exp(a - m), axis=-1)) + m[..., 0]


def _lengths(name, v, n):
    """Lengths given as a tensor or a sequence of ints -> a list of Python ints."""
    if isinstance(v, Tensor):
        if v.dtype.is_floating_point or v.dtype.is_complex:
            raise RuntimeError(f"{name} must be integral")
        vals = [int(x) for x in v.reshape(-1).tolist()]
    else:
        vals = [int(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
    if len(vals) != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return vals


def _check_args(what, v, *, at_least=None, at_most=None):
    for x in v:
        if at_least is not None and x < at_least:
            raise RuntimeError(f"Expected {what} to have value at least {at_least}, but got value {x} (while checking "
                               "arguments for ctc_loss_allocate_outputs)")
        if at_most is not None and x > at_most:
            raise RuntimeError(f"Expected {what} to have value at most {at_most}, but got value {x} (while checking "
                               "arguments for ctc_loss_allocate_outputs)")


def _size_error(expected, dim, got, exact):
    kind = "size" if exact else "size at least"
    return RuntimeError(f"Expected tensor to have {kind} {expected} at dimension {dim}, but got size {got} for "
                        "argument #2 'targets' (while checking arguments for ctc_loss_allocate_outputs)")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The Connectionist Temporal Classification loss: ``-log`` of the probability of each
    target sequence, summed over all its alignments to the input steps.

    Args:
        log_probs: ``(T, N, C)`` log-probabilities (``log_softmax`` over ``C``), or
            ``(T, C)`` for one unbatched sequence; float32 or float64.
        targets: ``(N, S)`` padded class indices, or all target sequences concatenated
            into one 1-D tensor of ``sum(target_lengths)`` entries; never ``blank``.
        input_lengths: ``(N,)`` lengths of the inputs (a tensor or ints), each ``<= T``.
        target_lengths: ``(N,)`` lengths of the targets.
        blank: the blank class (default 0).
        reduction: ``"mean"`` (default: each loss divided by its target length, then
            averaged over the batch), ``"sum"`` or ``"none"`` (``(N,)``).
        zero_infinity: replace infinite losses (targets that no alignment fits) and their
            gradients by zero.

    The gradient with respect to ``log_probs`` is PyTorch's: the one through an implied
    ``log_softmax`` (``exp(lp) - posterior / p``), ``CtcLossBackward0``. Mirrors
    ``torch.nn.functional.ctc_loss`` (its CPU kernel; no cuDNN path).

    Raises:
        RuntimeError: for lengths of the wrong count or range, targets too short, or a
            ``blank`` outside the classes.
        ValueError: for an unknown ``reduction``.
        NotImplementedError: for float16 and bfloat16 inputs.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> lp = torch.tensor([[[0.5, 0.5]], [[0.5, 0.5]]]).log()   # T=2, N=1, C=2 (blank 0)
        >>> F.ctc_loss(lp, torch.tensor([[1]]), [2], [1], reduction="none")   # 3 paths of 1/4
        tensor([0.2877])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("ctc_loss", ctc_loss, locals())
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    t_max, n, c = lp.shape
    il = _lengths("input_lengths", input_lengths, n)
    tls = _lengths("target_lengths", target_lengths, n)
    if lp.dtype in (_D.float16, _D.bfloat16):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_D.scalar_name(lp.dtype)}'")
    if blank < 0 or blank >= c:
        raise RuntimeError("blank must be in label range")
    _check_args("input_lengths", il, at_least=0, at_most=t_max)
    _check_args("target_lengths", tls, at_least=0)
    s_max = max(tls, default=0)
    tg = targets.to(_D.int64)
    if targets.dim() == 1 and batched:  # concatenated
        if tg.shape[0] != sum(tls):
            raise _size_error(sum(tls), 0, tg.shape[0], True)
        rows, at = [], 0
        for k in tls:
            rows.append(tg[at:at + k].tolist() + [0] * (s_max - k))
            at += k
    else:
        tg2 = tg if batched else tg.unsqueeze(0)
        if tg2.shape[0] != n:
            raise _size_error(n, 0, tg2.shape[0], True)
        if tg2.shape[1] < s_max:
            raise _size_error(s_max, 1, tg2.shape[1], False)
        rows = [r[:k] + [0] * (s_max - k) for r, k in zip(tg2.tolist(), tls)]
    backend = lp._backend
    xp = backend.xp
    kw = backend._dev_kw()
    ext = [[blank] * (2 * s_max + 1) for _ in range(n)]
    for b, (r, k) in enumerate(zip(rows, tls)):
        for i, v in enumerate(r[:k]):  # past the target's length: blanks (never read)
            ext[b][2 * i + 1] = v
    ext_a = xp.reshape(xp.asarray(ext, dtype=xp.int64, **kw), (n, 2 * s_max + 1))
    res = CtcLoss.apply(lp, ext=ext_a, input_lengths=xp.asarray(il, dtype=xp.int64, **kw),
                        target_lengths=xp.asarray(tls, dtype=xp.int64, **kw), blank=blank,
                        zero_infinity=bool(zero_infinity))
    if zero_infinity:
        res = res.where(res != float("inf"), _creation.zeros((), dtype=res.dtype, device=res.device))
    if reduction == "mean":
        lengths = _creation.tensor(tls, dtype=res.dtype, device=res.device).clamp_min(1)
        return (res / lengths).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)
