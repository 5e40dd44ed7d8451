"""torch.utils.checkpoint.checkpoint(use_reentrant=False) against PyTorch: the forward pass
keeps no activation (saved-tensor hooks), the first unpack of a backward pass calls the
function again (with the forward pass's random state when preserve_rng_state), and the
calls, gradients, nesting, autograd.grad, early stop, context_fn and the errors are
PyTorch's."""
from __future__ import annotations

import contextlib
import gc
import weakref

import numpy as np
import pytest

import reftorch
import torch
from tests._nn_compare import raises_same, same

LIBS = (reftorch, torch)
X = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)


@pytest.fixture(autouse=True, scope="module")
def _no_addr2line():
    """PyTorch's checkpoint ``debug=True`` symbolizes C++ stack traces with ``addr2line``
    helper processes that stay alive (and fail the DataLoader tests' check that no child
    process is left): use ``dladdr`` instead, which starts none."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TORCH_SYMBOLIZE_MODE", "dladdr")
        yield


def _ckpt(T, fn, *args, **kw):
    return T.utils.checkpoint.checkpoint(fn, *args, use_reentrant=False, **kw)


def _both(go):
    """``go(T, log)`` on both libraries; the results and the logs must agree."""
    runs = []
    for T in LIBS:
        log = []
        runs.append((go(T, log), log))
    assert runs[0][1] == runs[1][1], (runs[0][1], runs[1][1])
    same(runs[0][0], runs[1][0])


def test_function_runs_again_in_each_backward():
    def go(T, log):
        x = T.tensor(X, requires_grad=True)

        def f(a):
            log.append("call")
            return (a.sin() * a).exp()
        y = _ckpt(T, f, x)
        log.append("forward done")
        y.sum().backward(retain_graph=True)
        log.append("backward 1")
        y.sum().backward()
        log.append("backward 2")
        return y, x.grad
    _both(go)


def test_activations_are_not_kept():
    """An intermediate tensor dies with the function's frame; an outer pack hook sees only
    the checkpoint's tensor arguments (the checkpoint packs everything inside)."""
    for T in LIBS:
        refs, packed = [], []
        x = T.tensor(X, requires_grad=True)
        w = T.tensor(X.T.copy(), requires_grad=True)

        def f(a, b):
            h = a.sin()
            refs.append(weakref.ref(h))
            return (h @ b).cos()
        with T.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t.shape) or t, lambda t: t):
            y = _ckpt(T, f, x, w)
        gc.collect()
        assert refs[0]() is None
        assert packed == [T.Size([2, 3]), T.Size([3, 2])]
        y.sum().backward()
        plain = T.tensor(X, requires_grad=True)
        (plain.sin() @ w.detach()).cos().sum().backward()
        assert T.allclose(x.grad, plain.grad)


@pytest.mark.parametrize("preserve", [True, False])
def test_dropout_and_the_random_stream(preserve):
    def go(T, log):
        T.manual_seed(3)
        x = T.tensor(X, requires_grad=True)
        y = _ckpt(T, lambda a: T.nn.functional.dropout(a.exp(), 0.5) * a, x, preserve_rng_state=preserve)
        y.sum().backward()
        return y, x.grad, T.rand(4)
    _both(go)


def test_nested_checkpoints():
    def go(T, log):
        x = T.tensor(X, requires_grad=True)

        def inner(b):
            log.append("inner")
            return b.sin().exp()

        def outer(a):
            log.append("outer")
            return _ckpt(T, inner, a * 2).cos() * a
        y = _ckpt(T, outer, x)
        y.sum().backward()
        return y, x.grad
    _both(go)


def test_autograd_grad_and_backward_inputs():
    def go(T, log):
        x = T.tensor(X, requires_grad=True)
        w = T.tensor(X * 2, requires_grad=True)
        y = _ckpt(T, lambda a, b: (a * b).tanh() * b, x, w)
        gx, = T.autograd.grad(y.sum(), x, retain_graph=True)
        y.sum().backward(inputs=[w])
        return gx, w.grad, x.grad
    _both(go)


def test_early_stop_and_set_checkpoint_early_stop():
    """The recomputation stops once the last saved tensor is recomputed (unless early stop is
    off, by the argument or the context manager)."""
    for early_stop, ctx in [(True, False), (False, False), (True, True)]:
        def go(T, log):
            x = T.tensor(X, requires_grad=True)

            def f(a):
                log.append("start")
                y = a.sin()
                log.append("end")
                return y * 2
            with T.utils.checkpoint.set_checkpoint_early_stop(False) if ctx else contextlib.nullcontext():
                y = _ckpt(T, f, x, early_stop=early_stop)
            y.sum().backward()
            return x.grad
        _both(go)


def test_context_fn():
    def go(T, log):
        @contextlib.contextmanager
        def ctx(name):
            log.append(name + " in")
            yield
            log.append(name + " out")
        x = T.tensor(X, requires_grad=True)
        y = _ckpt(T, lambda a: a.exp(), x, context_fn=lambda: (ctx("forward"), ctx("recompute")))
        y.sum().backward()
        return x.grad
    _both(go)


def test_no_grad_runs_the_function_only():
    def go(T, log):
        x = T.tensor(X, requires_grad=True)
        with T.no_grad():
            y = _ckpt(T, lambda a: log.append("call") or a.exp(), x)
        return y
    _both(go)


def _different_count(T):
    calls = []

    def f(a):
        calls.append(1)
        return a.sin() if len(calls) == 1 else a * 2
    return _ckpt(T, f, T.ones(2, requires_grad=True)).sum().backward()


def _different_dtype(T, check="default"):
    calls = []

    def f(a):
        calls.append(1)
        return a.exp() if len(calls) == 1 else a.double().exp()
    return _ckpt(T, f, T.ones(2, requires_grad=True), determinism_check=check).sum().backward()


class _TwiceSaved:
    @staticmethod
    def make(T):
        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * 2

            @staticmethod
            def backward(ctx, g):
                ctx.saved_tensors
                return g * ctx.saved_tensors[0]
        return Twice


@pytest.mark.parametrize("make", [
    _different_count,
    _different_dtype,
    lambda T: _ckpt(T, lambda a: _TwiceSaved.make(T).apply(a.sin()), T.ones(2, requires_grad=True)).sum().backward(),
    lambda T: _ckpt(T, T.sin, T.ones(2), debug=True, context_fn=T.utils.checkpoint.noop_context_fn.__call__),
    lambda T: _ckpt(T, lambda a: 1 / 0, T.ones(2), context_fn=lambda: (contextlib.suppress(ZeroDivisionError),
                                                                      contextlib.nullcontext())),
])
def test_errors_match_torch(make):
    raises_same(make)


def _debug_context_fn(T):
    with T.utils.checkpoint.set_checkpoint_debug_enabled(True):
        _ckpt(T, T.sin, T.ones(2), context_fn=T.utils.checkpoint.noop_context_fn.__call__)


def test_debug():
    """The global switch refuses a context_fn as the argument does; with debug on, the
    recomputation mismatch is still a CheckpointError (PyTorch adds operator logs to its
    message, reftorch does not)."""
    raises_same(_debug_context_fn)
    for T in LIBS:
        calls = []

        def f(a):
            calls.append(1)
            return a.sin() if len(calls) == 1 else a * 2
        y = _ckpt(T, f, T.ones(2, requires_grad=True), debug=True)
        with pytest.raises(T.utils.checkpoint.CheckpointError):
            y.sum().backward()


def test_determinism_check_none_and_inplace_changed_input():
    for T in LIBS:
        _different_dtype(T, "none")  # no check: no error
    def changed(T):
        h = T.ones(2, requires_grad=True) * 1
        y = _ckpt(T, T.sin, h)
        h.add_(1)
        y.sum().backward()
    raises_same(changed)


def test_error_types_and_public_names():
    assert issubclass(reftorch.utils.checkpoint.CheckpointError, RuntimeError)
    assert set(reftorch.utils.checkpoint.__all__) <= set(torch.utils.checkpoint.__all__)


def test_double_backward_and_backward_inside_the_function():
    def go(T, log):
        x = T.tensor(X, requires_grad=True)
        y = _ckpt(T, lambda a: (a.sin() * a).exp(), x)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        gg, = T.autograd.grad(g.sum(), x)
        inner = []
        for early_stop in (True, False):
            z = T.tensor(X, requires_grad=True)

            def f(a):
                c = a.sin().cos()
                ga, = T.autograd.grad(c.sum(), a, retain_graph=True)
                return a.cos() * ga
            _ckpt(T, f, z, early_stop=early_stop).sum().backward()
            inner.append(z.grad)
        return g, gg, inner
    _both(go)
