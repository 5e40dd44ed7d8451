"""Checking analytical gradients against finite differences. Mirrors ``torch.autograd.gradcheck``.

:func:`gradcheck` perturbs each element of each input that requires grad by ``±eps``,
takes the central difference of the outputs (the *numerical* Jacobian) and compares it
with the Jacobian built row by row from ``autograd.grad`` (the *analytical* one), as
PyTorch's slow mode does; ``fast_mode=True`` compares one random projection ``v^T J u``
of each instead (PyTorch's fast mode, with the same random vectors: reftorch's generator
draws PyTorch's numbers). :func:`gradgradcheck` runs :func:`gradcheck` on the function
that returns the gradients (``create_graph=True``), which checks second derivatives.

The checks, their order, the tolerances (``allclose(analytical, numerical, rtol, atol)``)
and the error messages are PyTorch's. What reftorch does not have is refused with
``NotImplementedError``: forward-mode AD (``check_forward_ad``, ``check_fwd_over_rev``),
batched gradients (``check_batched_grad``: vmap), complex and sparse inputs.
``check_undefined_grad``: reftorch's engine hands a backward zeros where an output has no
gradient, so its check is the zero-gradient check every run already makes (backward
must return zeros for zero output gradients).
"""
from __future__ import annotations

import warnings
from itertools import product

from .._dtype import float64
from .._tensor import Tensor
from ..random import Generator
from ._grad import grad as _grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` and :func:`gradgradcheck` when a check fails.

    Mirrors ``torch.autograd.gradcheck.GradcheckError`` (a ``RuntimeError``)."""


_NONDET_NOTE = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""

_FAST_FAIL_SLOW_OK = """Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`"""


# ----------------------------------------------------------------------------- helpers
def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    return tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _is_float(t):
    return isinstance(t, Tensor) and t.dtype.is_floating_point


def _diff_inputs(inputs):
    """``(position, tensor)`` of each input that requires grad."""
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _check_inputs(inputs):
    found = False
    for idx, inp in enumerate(inputs):
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        if inp.dtype.is_complex:
            raise NotImplementedError("gradcheck: complex inputs are not supported by reftorch")
        if inp.dtype is not float64:
            warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating point "
                          "or complex. ", stacklevel=4)
        if not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.size())):
            raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck only supports inputs that "
                               "are non-overlapping to be able to compute the numerical gradients correctly. You should "
                               "call .contiguous on the input before passing it to gradcheck.")
        found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def _allclose(a, b, rtol, atol):
    """``allclose`` after promoting both to one dtype (PyTorch's ``_allclose_with_type_promotion``)."""
    if a.dtype is not b.dtype:
        a, b = a.double(), b.double()
    return a.allclose(b, rtol, atol)


def _mismatch(analytical, numerical, output_idx, input_idx):
    return (f"Jacobian mismatch for output {output_idx:d} with respect to input {input_idx:d},\n"
            f"numerical:{numerical}\nanalytical:{analytical}\n")


# ------------------------------------------------------------------- finite differences
def _central_difference(func, inputs, entry, step, eps):
    """``(f(x + step) - f(x - step)) / (2 eps)`` for each output, flattened, where ``entry``
    (a view of an input's data) is the part perturbed by ``step`` (a number or a tensor)."""
    def outputs():
        return tuple(o.clone() for o in _as_tuple(func(*inputs)))

    orig = entry.clone()
    entry.copy_(orig - step)
    low = outputs()
    entry.copy_(orig + step)
    high = outputs()
    entry.copy_(orig)
    diffs = []
    for a, b in zip(low, high):
        if a.shape != b.shape:
            raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs are perturbed "
                                 f"by {eps}, but got: shapes {a.shape} and {b.shape}.")
        if a.dtype is not b.dtype:
            raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs are perturbed "
                                 f"by {eps}, but got: dtypes {a.dtype} and {b.dtype}.")
        diffs.append(((b - a) / (2 * eps)).detach().reshape(-1))
    return diffs


def _numerical_jacobians(func, inputs, func_out, eps):
    """``[input][output]``: the ``(input.numel(), output.numel())`` Jacobians of every
    floating output, one column per perturbed element of the input."""
    float_outputs = [o for o in func_out if _is_float(o)]
    jacobians = []
    for _, inp in _diff_inputs(inputs):
        per_output = [o.new_zeros((inp.numel(), o.numel())) for o in float_outputs]
        data = inp.data
        for k, idx in enumerate(product(*[range(n) for n in data.shape])):
            columns = _central_difference(func, inputs, data[idx], eps, eps)
            for jac, col in zip(per_output, columns):
                jac[k] = col
        jacobians.append(per_output)
    return jacobians


# ----------------------------------------------------------------- analytical Jacobians
def _vjps(output, diff_inputs, grad_output):
    return _grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _stack_rows(rows, diff_inputs, numel_output):
    """The rows ``rows[input][j]`` (gradients or None) as ``(input.numel(), numel_output)``
    Jacobians; and whether every gradient had its input's size."""
    jacobians, sizes_ok = [], True
    for inp, grads in zip(diff_inputs, rows):
        jac = inp.new_zeros((inp.numel(), numel_output))
        for j, g in enumerate(grads):
            if g is None:
                continue
            if g.size() != inp.size():
                sizes_ok = False
            jac[:, j] = g.reshape(-1)
        jacobians.append(jac)
    return jacobians, sizes_ok


def _analytical_jacobians(output, diff_inputs, nondet_tol, grad_outputs):
    """The Jacobians of ``output`` from the backward pass, one row per grad_output of
    ``grad_outputs`` (a function of the output), computed twice to check reentrancy."""
    results = []
    for _ in range(2):
        rows = [[] for _ in diff_inputs]
        for g_out in grad_outputs(output):
            for r, g in zip(rows, _vjps(output, diff_inputs, g_out)):
                r.append(None if g is None else g.clone())
        results.append(_stack_rows(rows, diff_inputs, len(rows[0]) if rows else 0))
    (first, sizes_ok), (second, _) = results
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(first, second):
        if a.numel() and (a - b).abs().max() > nondet_tol:
            raise GradcheckError("Backward is not reentrant, i.e., running backward with same input and grad_output "
                                 "multiple times gives different values, although analytical gradient matches "
                                 f"numerical gradient.The tolerance for nondeterminism was {nondet_tol}." + _NONDET_NOTE)
    return first


def _one_hot_rows(output):
    """The grad_outputs ``e_j`` for every element ``j`` of ``output`` (the rows of ``J``)."""
    base = output.new_zeros(output.shape)
    flat = base.view(-1)
    for j in range(flat.numel()):
        flat.zero_()
        flat[j] = 1.0
        yield base


# ------------------------------------------------------------------------------ modes
def _no_differentiable_outputs(func, inputs, func_out, eps):
    for per_output in _numerical_jacobians(func, inputs, func_out, eps):
        for jac in per_output:
            if (jac != 0).sum() > 0:
                raise GradcheckError("Numerical gradient for function expected to be zero")


def _slow_gradcheck(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol):
    if not outputs:
        return _no_differentiable_outputs(func, inputs, func_out, eps)
    numerical = _numerical_jacobians(func, inputs, func_out, eps)
    by_output = list(zip(*numerical)) if numerical else []
    by_output = [n for o, n in zip([o for o in func_out if _is_float(o)], by_output) if o.requires_grad]
    diff_inputs = [t for _, t in _diff_inputs(inputs)]
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobians(o, diff_inputs, nondet_tol, _one_hot_rows)
        for j, (a, n) in enumerate(zip(analytical, by_output[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch(a, n, i, j))


def _unit_vector(t, generator):
    """A random vector of ``t.numel()`` values in ``t``'s dtype with norm 1, drawn as
    PyTorch's fast mode draws it (``rand`` in float32, converted, divided by its norm)."""
    vec = Tensor._wrap(generator._engine.uniform(t.numel())).to(device=t.device, dtype=t.dtype)
    vec /= vec.norm()
    return vec


def _fast_gradcheck(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol):
    generator = Generator()  # a fresh one, as PyTorch's: the user's stream is not touched
    diff = _diff_inputs(inputs)
    all_u = [_unit_vector(t, generator) for _, t in diff]
    all_v = [_unit_vector(o, generator) for o in outputs]
    float_outputs = [k for k, o in enumerate(func_out) if _is_float(o)]
    numerical = []  # [input][output]: v^T (J u), J u by a central difference along u
    for (_, inp), u in zip(diff, all_u):
        ju = _central_difference(func, inputs, inp.data, u.reshape(inp.shape) * eps, eps)
        ju = [ju[k] for k in float_outputs]
        if not outputs:
            if any(d.numel() and d.abs().max() > nondet_tol for d in ju):
                raise GradcheckError("Numerical gradient for function expected to be zero")
            continue
        numerical.append([(v * d).sum() for v, d in zip(all_v, ju)])
    if not outputs:
        return
    diff_inputs = [t for _, t in diff]
    analytical = []  # [output][input]: (v^T J) u
    for o, v in zip(outputs, all_v):
        vj = _analytical_jacobians(o, diff_inputs, nondet_tol, lambda out, v=v: [v.reshape(out.shape)])
        analytical.append([row.T.squeeze(0).dot(u) for row, u in zip(vj, all_u)])
    for i, per_output in enumerate(numerical):
        for j, n in enumerate(per_output):
            a = analytical[j][i]
            scaled_atol = atol * float(all_u[i].sum()) * float(all_v[j].sum())
            if not _allclose(a, n, rtol, scaled_atol):
                raise GradcheckError(_mismatch(a, n, j, i) + _slow_mode_report(func, inputs, func_out, outputs,
                                                                              i, j, rtol, atol, eps))


def _slow_mode_report(func, inputs, func_out, outputs, input_idx, output_idx, rtol, atol, eps):
    """What PyTorch appends to a fast-mode failure: the full Jacobians of the pair."""
    numerical = _numerical_jacobians(func, inputs, func_out, eps)[input_idx][output_idx]
    diff_inputs = [t for _, t in _diff_inputs(inputs)]
    analytical = _analytical_jacobians(outputs[output_idx], diff_inputs, float("inf"), _one_hot_rows)[input_idx]
    max_diff = (numerical - analytical).abs().max()
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are computed \n"
           "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
           "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
           f"Numerical:\n {numerical}\nAnalytical:\n{analytical}\n\n"
           f"The max per-element difference (slow mode) is: {max_diff}.\n")
    return msg + _FAST_FAIL_SLOW_OK if analytical.allclose(numerical, rtol, atol) else msg


def _backward_mul_by_grad_output(outputs, inputs):
    """Zero output gradients must give zero input gradients of the inputs' dtype and size."""
    diff_inputs = [t for _, t in _diff_inputs(inputs)]
    grads = _grad(outputs, diff_inputs, [o.new_zeros(o.shape) for o in outputs], allow_unused=True)
    for g, x in zip(grads, diff_inputs):
        if g is None:
            continue
        if not (g == 0).all():
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.device != x.device:
            raise GradcheckError("grad is incorrect device")
        if g.size() != x.size():
            raise GradcheckError("grad is incorrect size")


# ------------------------------------------------------------------------------- API
def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked=None) -> bool:
    """Check the gradients of ``func`` against finite differences.

    Mirrors ``torch.autograd.gradcheck``. Every input tensor with ``requires_grad=True``
    is perturbed element by element by ``±eps``; the central differences of the outputs
    form the numerical Jacobian, which must satisfy
    ``allclose(analytical, numerical, rtol, atol)`` with the Jacobian that the backward
    pass gives (``autograd.grad`` with one-hot output gradients). Backward must also be
    reentrant (the same result twice, to ``nondet_tol``) and turn zero output gradients
    into zero input gradients. Use float64 inputs: in float32, ``eps = 1e-6`` is lost in
    rounding (PyTorch warns, and so does reftorch).

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments for ``func``.
        eps: the perturbation (default ``1e-6``).
        atol: absolute tolerance (default ``1e-5``).
        rtol: relative tolerance (default ``1e-3``).
        raise_exception: raise :class:`GradcheckError` on a failure (default) or return False.
        nondet_tol: tolerance between two identical backward passes (default ``0.0``).
        check_undefined_grad: accepted; see the module's notes.
        check_grad_dtypes: accepted (reftorch's engine returns gradients in the input's dtype).
        check_batched_grad: must be False (no vmap in reftorch).
        check_batched_forward_grad: must be False (no vmap in reftorch).
        check_forward_ad: must be False (no forward-mode AD in reftorch).
        check_backward_ad: must be True.
        fast_mode: compare ``v^T J u`` for PyTorch's random unit vectors ``u``, ``v``
            instead of the whole Jacobians (default False).
        masked: accepted (dense tensors only).

    Returns:
        bool: True when every check passes (False on a failure with ``raise_exception=False``).

    Raises:
        GradcheckError: a check failed (a ``RuntimeError``; messages as PyTorch's).
        ValueError: no input requires grad.
        RuntimeError: an input has a dimension of stride 0 (e.g. from ``expand``).
        NotImplementedError: forward-mode or batched checks, complex inputs.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradcheck(torch.sin, (x,))
        True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError("Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_batched_forward_grad and not check_forward_ad:
        raise AssertionError("Setting check_batched_forward_grad=True requires check_forward_ad to be True")
    if check_forward_ad or not check_backward_ad:
        raise NotImplementedError("gradcheck: reftorch has no forward-mode AD (check_forward_ad)")
    if check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError("gradcheck: reftorch has no vmap (check_batched_grad)")
    try:
        inputs = _as_tuple(inputs)
        _check_inputs(inputs)
        func_out = _as_tuple(func(*inputs))
        outputs = _differentiable_outputs(func_out)
        if any(o.dtype.is_complex for o in func_out if isinstance(o, Tensor)):
            raise NotImplementedError("gradcheck: complex outputs are not supported by reftorch")
        check = _fast_gradcheck if fast_mode else _slow_gradcheck
        check(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol)
        _backward_mul_by_grad_output(outputs, inputs)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: :func:`gradcheck` of the gradients of ``func``.

    Mirrors ``torch.autograd.gradgradcheck``. The function checked takes ``inputs`` and
    ``grad_outputs`` and returns ``autograd.grad(func(*inputs), inputs, grad_outputs,
    create_graph=True)``; so both the inputs and the output gradients are perturbed.
    Without ``grad_outputs``, random ones are drawn from the global generator as
    PyTorch draws them (``torch.testing.make_tensor(..., low=-1, high=1)``: uniform in
    ``[-1, 1)``, requiring grad; with ``gen_non_contig_grad_outputs`` every other
    element of a twice wider tensor).

    Args:
        func: a function of tensors returning a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of arguments for ``func``.
        grad_outputs: a tensor or a tuple of tensors, one per differentiable output
            (default: random, see above).
        eps: the perturbation (default ``1e-6``).
        atol: absolute tolerance (default ``1e-5``).
        rtol: relative tolerance (default ``1e-3``).
        gen_non_contig_grad_outputs: draw non-contiguous random ``grad_outputs``.
        raise_exception: raise :class:`GradcheckError` on a failure (default) or return False.
        nondet_tol: tolerance between two identical backward passes (default ``0.0``).
        check_undefined_grad: as for :func:`gradcheck`.
        check_grad_dtypes: as for :func:`gradcheck`.
        check_batched_grad: must be False (no vmap in reftorch).
        check_fwd_over_rev: must be False (no forward-mode AD in reftorch).
        check_rev_over_rev: must be True.
        fast_mode: as for :func:`gradcheck`.
        masked: accepted (dense tensors only).

    Returns:
        bool: True when every check passes (False on a failure with ``raise_exception=False``).

    Raises:
        GradcheckError: a check failed.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradgradcheck(lambda t: t ** 3, (x,))
        True
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be True")
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = tuple(_random_grad_output(o, gen_non_contig_grad_outputs)
                             for o in _differentiable_outputs(func(*inputs)))
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_positions = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}
    diff_grad_outputs = {i for i, g in enumerate(grad_outputs) if g.requires_grad}

    def gradients(*args):
        args_in = tuple(x.requires_grad_() if i in diff_positions else x for i, x in enumerate(args[:-n_out]))
        outs = _differentiable_outputs(func(*args_in))
        g_outs = tuple(g.requires_grad_() if i in diff_grad_outputs else g for i, g in enumerate(args[-n_out:]))
        diff_args = tuple(x for i, x in enumerate(args_in) if i in diff_positions)
        grads = _grad(outs, diff_args, g_outs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(gradients, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev, masked=masked)


def _random_grad_output(output, noncontiguous):
    """``torch.testing.make_tensor(output.shape, low=-1, high=1, requires_grad=True)`` for a
    floating output (float64 otherwise), drawn from the global generator."""
    dtype = output.dtype if output.dtype.is_floating_point else float64
    shape = tuple(output.shape)
    noncontiguous = noncontiguous and output.numel() > 1
    if noncontiguous:
        shape = shape[:-1] + (2 * shape[-1],)
    g = output.new_empty(shape, dtype=dtype).uniform_(-1, 1)
    if noncontiguous:
        g = g[..., 1::2]
    return g.requires_grad_()
