"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search. Mirrors
``torch.optim.lbfgs``.

Unlike the other optimizers, L-BFGS evaluates the loss several times per ``step``: it is
written with reftorch's tensor operations (not backend arrays), in PyTorch's order, so the
scalars it keeps (``ro``, ``H_diag``, ``t`` …) are 0-d tensors or numbers exactly where
PyTorch's are.
"""
from __future__ import annotations

from .._ops.join import cat
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from .optimizer import Optimizer, _check_lr, _closure_step_wrapper, _to_scalar

__all__ = ["LBFGS"]


def _flat(t):
    """``t`` as one flat real vector (a view): a complex tensor as its real and imaginary
    parts side by side, as PyTorch's ``view_as_real``."""
    flat = t.view(-1)
    return flat.view(t.dtype.to_real()) if t.is_complex() else flat


def _number(x):
    """A step length as ``add_``'s ``alpha``: PyTorch converts a 0-d tensor to its value."""
    return x.item() if isinstance(x, Tensor) else x


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped
    to ``bounds`` (default: the interval between x1 and x2); its midpoint if the cubic has
    no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt()
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A line search along ``d`` for a step ``t`` meeting the strong Wolfe conditions
    (sufficient decrease ``c1``, curvature ``c2``): first bracket such a step, then shrink
    the bracket by cubic interpolation. Returns ``(f_new, g_new, t, evaluations)``."""
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)

    # bracketing phase
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        # extrapolate between 1.01 t - 0.01 t_prev and 10 t
        t_next = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                    bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new.clone(), gtd_new
        t = t_next
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase
    insuf_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                               bracket_gtd[1])
        # a trial too close to an end twice (or outside) moves to 0.1 of the bracket from it
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            if insuf_progress or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # no sufficient decrease, or not below the low end: the trial becomes the high end
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.clone(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.clone(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


class LBFGS(Optimizer):
    r"""L-BFGS, a quasi-Newton method (after minFunc). Mirrors ``torch.optim.LBFGS``.

    ``step(closure)`` runs up to ``max_iter`` iterations, each calling ``closure`` (which must
    zero the gradients, compute the loss, call ``backward`` and return the loss) at least
    once. With all parameters flattened into one vector ``x`` with gradient ``g``, an
    iteration

    1. takes the direction ``d = -H g``, where ``H`` approximates the inverse Hessian from the
       last ``history_size`` pairs ``s = x_k+1 - x_k``, ``y = g_k+1 - g_k`` (the two-loop
       recursion; pairs with ``y.s <= 1e-10`` are not kept); on the optimizer's very first
       iteration ``d = -g``;
    2. moves ``x <- x + t d`` with ``t = lr`` (on the very first iteration
       ``min(1, 1 / sum|g|) * lr``), or with ``line_search_fn="strong_wolfe"`` a step ``t``
       found by a line search that meets the strong Wolfe conditions.

    It stops early when ``max|g| <= tolerance_grad``, when the directional derivative
    ``g.d > -tolerance_change``, when ``max|t d|`` or the change of the loss fall below
    ``tolerance_change``, or after ``max_eval`` evaluations. The whole state is kept under
    the first parameter: ``func_evals``, ``n_iter`` (ints), ``d``, ``t``, ``old_dirs``,
    ``old_stps``, ``ro``, ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``.

    Args:
        params: tensors or ``(name, tensor)`` pairs; a single parameter group only.
        lr: learning rate (default: 1).
        max_iter: iterations per ``step`` (default: 20).
        max_eval: closure evaluations per ``step`` (default: ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient entry is at most this (default: 1e-7).
        tolerance_change: stop on smaller changes of the loss or the parameters (default: 1e-9).
        history_size: the number of (s, y) pairs kept (default: 100).
        line_search_fn: ``None`` or ``"strong_wolfe"`` (default: None).

    Raises:
        ValueError: a negative ``lr``, a tensor ``lr`` with more than one element, or more
            than one parameter group.
        RuntimeError: from ``step``, a ``line_search_fn`` other than ``None`` or
            ``"strong_wolfe"``.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = torch.optim.LBFGS([x], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((x - torch.tensor([3.0, 1.0])) ** 2 * torch.tensor([1.0, 10.0])).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure)
        tensor(94., grad_fn=<SumBackward0>)
        >>> x
        Parameter containing:
        tensor([3.0000, 1.0000], requires_grad=True)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ flat views
    def _gather_flat_grad(self):
        return cat([_flat(p.new_zeros(p.numel())) if p.grad is None else _flat(p.grad) for p in self._params], 0)

    def _add_grad(self, step_size, update):
        """``x <- x + step_size * update`` with ``update`` a flat vector over all parameters."""
        offset = 0
        for p in self._params:
            x = _flat(p)
            numel = x.numel()
            x.add_(update[offset:offset + numel], alpha=_number(step_size))
            offset += numel

    def _directional_evaluate(self, closure, x, t, d):
        """The loss and flat gradient at ``x + t d``; the parameters are then reset to ``x``."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.copy_(saved)
        return loss, flat_grad

    @_closure_step_wrapper
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations.

        Args:
            closure: re-evaluates the model (zeroing the gradients, calling ``backward``) and
                returns the loss; called with gradient recording on.

        Returns:
            The loss of the first evaluation (before any update).
        """
        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr = _to_scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]  # the state is global; kept under the first parameter
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair (dropping the oldest beyond history_size)
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # the scale of the initial inverse Hessian
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                # the two-loop recursion, in one buffer: d = -H g
                q = flat_grad.neg()
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.add_(old_dirs[i], alpha=-_number(al[i]))
                d = r = q.mul(H_diag)
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i], alpha=_number(al[i] - be_i))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # the step length
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p.clone() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    loss = float(evaluate())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # the stopping tests
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss
