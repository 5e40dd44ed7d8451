"""``Muon``: momentum followed by a Newton–Schulz orthogonalization of each 2-D update.
Mirrors ``torch.optim._muon`` (PyTorch has only the single-tensor path).

PyTorch runs the Newton–Schulz iteration in bfloat16 tensors. :func:`_zeropower_via_newtonschulz`
keeps float32 arrays instead (BLAS products, no bfloat16 copies) and rounds every
intermediate result to the nearest bfloat16 value (round half to even, as PyTorch's
conversion), which is what PyTorch's CPU kernels do: each bfloat16 op (norm, division,
``addmm``) computes in float32 and rounds its result once. The values agree bit for bit
with PyTorch's while the float32 sums of the matrix products do (small matrices); on larger
ones a different summation order in the BLAS rounds an occasional element (about 1 in 10**4
per product) to the neighbouring bfloat16 value, and the later iterations spread it: on
Gaussian gradients of 128x64 to 512x384, the orthogonalized update then differs by up to 2
bfloat16 ulps in its largest elements (about 1-2% of its largest element).
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from .._fma import fma
from .optimizer import Optimizer, _bump, _step_wrapper, _to_scalar

__all__ = ["Muon"]

# Keller Jordan's constants (https://kellerjordan.github.io/posts/muon/), as PyTorch.
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5

_ADJUST_LR_FNS = ("original", "match_rms_adamw")


def _round_to_bfloat16(backend, x):
    """The float32 array ``x`` rounded to the nearest bfloat16 values (ties to even), kept as
    float32: the upper 16 bits of each float after adding half an ulp of bfloat16."""
    bits = backend.view_dtype(x, backend.dtype(D.int32))
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & -65536  # int32 wraps around, as uint32 would
    return backend.view_dtype(rounded, x.dtype)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """``ns_steps`` quintic Newton–Schulz iterations ``X <- a X + (b G + c G @ G) @ X`` with
    ``G = X @ X.T``, from ``X = grad / ||grad||`` (the wide orientation: a tall matrix is
    transposed there and back). Computed as PyTorch's bfloat16 CPU kernels compute it (see
    the module docstring); returns a float32 tensor of bfloat16 values.

    Raises:
        ValueError: ``ns_steps >= 100``, ``grad`` not 2-D, or not 3 coefficients.
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    backend = grad._backend
    xp = backend.xp
    f32 = backend.dtype(D.float32)

    def bf16(x):
        return _round_to_bfloat16(backend, x)

    def scalar(v):  # a Python float as PyTorch's float32 ``opmath`` scalar
        return xp.asarray(v, dtype=f32, device=grad._data.device)

    a, b, c = (scalar(v) for v in ns_coefficients)
    tall = grad.shape[0] > grad.shape[1]
    x = bf16(backend.astype(grad._data, f32))
    if tall:
        x = backend.permute(x, (1, 0))
    norm = bf16(backend.as_array(xp.sqrt(xp.sum(x * x))))
    x = bf16(x / xp.maximum(norm, bf16(scalar(eps))))
    for _ in range(ns_steps):
        gram = bf16(backend.mm(x, backend.permute(x, (1, 0))))
        gram_update = bf16(b * gram + c * backend.mm(gram, gram))
        x = bf16(a * x + backend.mm(gram_update, x))
    if tall:
        x = backend.permute(x, (1, 0))
    return Tensor._wrap(backend.ascontiguousarray(x), grad.device, backend)


def _add_scaled_(param, update, alpha):
    """``param.add_(update, alpha=alpha)`` as PyTorch's vectorized CPU kernel computes it for
    float32 and float64: one fused multiply-add ``param + alpha * update``, rounded once."""
    if param.dtype not in (D.float32, D.float64):
        param.add_(update, alpha=alpha)
        return
    backend = param._backend
    xp = backend.xp
    x = param._data
    u = backend.astype(update._data, x.dtype)
    backend.setitem(x, Ellipsis, fma(xp, u, xp.asarray(alpha, dtype=x.dtype, device=x.device), x))
    _bump(param)


def _adjust_lr(lr, adjust_lr_fn, param_shape):
    """The learning rate scaled for a parameter of shape ``(A, B)``: by
    ``sqrt(max(1, A / B))`` (``"original"`` or ``None``, Keller Jordan's) or by
    ``0.2 * sqrt(max(A, B))`` (``"match_rms_adamw"``, Moonshot's)."""
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    r"""Muon: SGD with momentum whose update is orthogonalized. Mirrors ``torch.optim.Muon``.

    Muon is meant for the 2-D weights of hidden layers; optimize biases, embeddings and
    other parameters with a standard optimizer such as :class:`AdamW`. For each matrix
    parameter :math:`\theta` of shape ``(A, B)`` with gradient :math:`g`::

        b <- lerp(b, g, 1 - momentum)                  (b starts at zeros)
        u <- lerp(g, b, momentum)  if nesterov else  b
        O <- NS(u)        (ns_steps Newton-Schulz iterations with ns_coefficients, eps)
        theta <- theta * (1 - lr * weight_decay)
        theta <- theta - adjust(lr, A, B) * O

    where ``NS`` approximately replaces the singular values of ``u`` by values near 1, and
    ``adjust`` multiplies ``lr`` by ``sqrt(max(1, A / B))`` (``adjust_lr_fn=None`` or
    ``"original"``) or by ``0.2 * sqrt(max(A, B))`` (``"match_rms_adamw"``, to reuse the
    learning rate and weight decay tuned for AdamW). The state of each parameter is its
    ``momentum_buffer``.

    PyTorch computes ``NS`` in bfloat16; reftorch computes it in float32 rounded to
    bfloat16 after each operation, the same arithmetic as PyTorch's CPU kernels (identical
    results for small matrices; on large ones, up to a few bfloat16 rounding steps apart).

    Args:
        params: tensors, ``(name, tensor)`` pairs or parameter-group dicts; all 2-D.
        lr: learning rate (default: 1e-3); a float or a 1-element tensor.
        weight_decay: decoupled weight decay (default: 0.1).
        momentum: momentum factor (default: 0.95).
        nesterov: use Nesterov momentum (default: True).
        ns_coefficients: the coefficients ``(a, b, c)`` of the Newton-Schulz polynomial
            (default: ``(3.4445, -4.775, 2.0315)``).
        eps: lower bound of the norm the update is divided by first (default: 1e-7).
        ns_steps: number of Newton-Schulz iterations, below 100 (default: 5).
        adjust_lr_fn: ``None`` (default), ``"original"`` or ``"match_rms_adamw"``.

    Raises:
        ValueError: a negative ``lr``, ``momentum`` or ``weight_decay``, a tensor ``lr`` of
            several elements, an unknown ``adjust_lr_fn`` or a parameter that is not 2-D;
            at ``step``, ``ns_steps >= 100`` or not 3 ``ns_coefficients``.
        RuntimeError: ``step`` on a complex parameter.

    Examples:
        >>> import reftorch as torch
        >>> w = torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> opt = torch.optim.Muon([w], lr=0.1)
        >>> w.grad = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
        >>> opt.step()
        >>> w
        Parameter containing:
        tensor([[0.8783, 1.9800],
                [2.9700, 3.8909]], requires_grad=True)
        >>> list(opt.state[w])
        ['momentum_buffer']
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in _ADJUST_LR_FNS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    @_step_wrapper
    def step(self):
        """Perform one optimization step (``closure`` optional; its loss is returned)."""
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            for p in params:
                if p.is_complex():
                    raise RuntimeError("Muon does not support complex parameters")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.new_zeros(p.grad.shape)
            muon(params, [p.grad for p in params], [self.state[p]["momentum_buffer"] for p in params],
                 lr=group["lr"], weight_decay=group["weight_decay"], momentum=group["momentum"],
                 nesterov=group["nesterov"], ns_coefficients=group["ns_coefficients"], ns_steps=group["ns_steps"],
                 eps=group["eps"], adjust_lr_fn=group["adjust_lr_fn"], has_complex=False)


def muon(params, grads, muon_momentum_bufs, *, foreach=None, lr, weight_decay, momentum, nesterov, ns_coefficients,
         ns_steps, eps, adjust_lr_fn, has_complex):
    """The Muon update of each tensor of ``params`` in place (tensor operations, as PyTorch's
    ``_single_tensor_muon``). Mirrors ``torch.optim._muon.muon``.

    Raises:
        RuntimeError: ``foreach=True`` (PyTorch has no multi-tensor Muon).
        ValueError: ``has_complex``, or a gradient that is not 2-D.
    """
    if foreach:
        raise RuntimeError("Foreach is not supported for Muon yet")
    lr = _to_scalar(lr)
    if has_complex:
        raise ValueError("Complex parameters are not supported")
    for param, grad, buf in zip(params, grads, muon_momentum_bufs):
        if grad.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")
        buf.lerp_(grad, 1 - momentum)
        update = grad.lerp(buf, momentum) if nesterov else buf
        update = _zeropower_via_newtonschulz(update, ns_coefficients, ns_steps, eps)
        adjusted_lr = _adjust_lr(lr, adjust_lr_fn, param.shape)
        param.mul_(1 - lr * weight_decay)
        _add_scaled_(param, update, -adjusted_lr)
