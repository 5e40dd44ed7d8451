"""``Tensor.register_hook`` against PyTorch: hooks on leaves and non-leaves, replacement
gradients, order, removal, interplay with ``retain_grad`` and ``autograd.grad``, errors."""
from __future__ import annotations

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

LIBS = [reftorch, torch]


def _v(x):
    return None if x is None else x.detach().numpy().tolist()


def _both(body):
    r, t = (body(T) for T in LIBS)
    assert r == t
    return r


def test_leaf_hook_sees_and_replaces_the_gradient():
    def body(T):
        seen = []
        a = T.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(lambda g: seen.append(_v(g)))
        a.register_hook(lambda g: g * 10)
        (a * a).sum().backward()
        return seen, _v(a.grad)

    assert _both(body) == ([[2.0, 4.0]], [20.0, 40.0])


def test_non_leaf_hook_changes_what_flows_back():
    def body(T):
        seen = []
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = a * 3
        b.register_hook(lambda g: seen.append(_v(g)))
        b.register_hook(lambda g: g + 1)
        c = b ** 2
        c.sum().backward()
        return seen, _v(a.grad)

    _both(body)


def test_hooks_run_in_registration_order_each_on_the_previous_result():
    def body(T):
        order = []
        a = T.tensor([1.0], requires_grad=True)
        b = a * 2

        def first(g):
            order.append(("first", _v(g)))
            return g * 2

        def second(g):
            order.append(("second", _v(g)))
            return g + 1

        b.register_hook(first)
        b.register_hook(second)
        b.sum().backward()
        return order, _v(a.grad)

    _both(body)


def test_remove_and_context_manager():
    def body(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        h = a.register_hook(lambda g: g * 10)
        (a * 2).sum().backward()
        first = _v(a.grad)
        h.remove()
        h.remove()  # twice is fine
        a.grad = None
        (a * 2).sum().backward()
        second = _v(a.grad)
        a.grad = None
        with a.register_hook(lambda g: g * 0):
            pass
        (a * 2).sum().backward()
        return first, second, _v(a.grad), type(h).__name__, hasattr(h, "id")

    _both(body)


def test_retain_grad_sees_the_hooked_gradient():
    def body(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        c = a * 2
        c.retain_grad()
        c.register_hook(lambda g: g * 3)
        c.sum().backward()
        return _v(c.grad), _v(a.grad)

    assert _both(body) == ([3.0, 3.0], [6.0, 6.0])


def test_hook_runs_once_on_the_summed_gradient():
    def body(T):
        calls = []
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        b.register_hook(lambda g: calls.append(_v(g)))
        (b * 2 + b * 3).sum().backward()
        return calls, _v(a.grad)

    assert _both(body)[0] == [[5.0, 5.0]]


def test_hooks_apply_in_autograd_grad():
    def body(T):
        x = T.tensor([1.0], requires_grad=True)
        x.register_hook(lambda g: g * 2)
        y = x * 3
        y.register_hook(lambda g: g + 1)
        return [_v(g) for g in T.autograd.grad((y * 5).sum(), [x, y], retain_graph=True)], _v(x.grad)

    _both(body)


def test_hook_on_a_module_parameter_and_accumulation_over_two_backwards():
    def body(T):
        T.manual_seed(0)
        lin = T.nn.Linear(2, 1)
        lin.weight.register_hook(lambda g: g.clamp(-0.1, 0.1) if hasattr(g, "clamp") else g * 0)
        lin.bias.register_hook(lambda g: g * 0.5)
        x = T.tensor([[1.0, -2.0], [3.0, 0.5]])
        lin(x).sum().backward()
        lin(x).sum().backward()
        return _v(lin.bias.grad)

    r = _both(body)
    assert r == [2.0]


def test_register_on_a_tensor_without_grad():
    def body(T):
        with pytest.raises(RuntimeError) as e:
            T.ones(2).register_hook(lambda g: g)
        return str(e.value)

    _both(body)


@pytest.mark.parametrize("bad", ["size", "dtype", "type"])
def test_bad_hook_results(bad):
    def body(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2

        def hook(g):
            return {"size": lambda: g[:1], "dtype": lambda: g.double(), "type": lambda: 5}[bad]()

        b.register_hook(hook)
        with pytest.raises((RuntimeError, TypeError)) as e:
            b.sum().backward()
        return type(e.value).__name__, str(e.value)

    _both(body)


def test_hook_on_custom_function_outputs():
    def body(T):
        class Two(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                return ga * 2 + gb * 3

        x = T.tensor([1.0, 2.0], requires_grad=True)
        a, b = Two.apply(x)
        b.register_hook(lambda g: g * 100)
        (a + b).sum().backward()
        return _v(x.grad)

    assert _both(body) == [302.0, 302.0]


def test_hooks_do_not_keep_the_graph_alive():
    import gc
    import weakref

    from reftorch.autograd._hooks import TENSOR_HOOKS
    a = reftorch.tensor([1.0], requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g)
    node = weakref.ref(b.grad_fn)
    del b
    gc.collect()
    assert node() is None
    assert all(k is not None for k in TENSOR_HOOKS.keys())
    np.testing.assert_equal(a.detach().numpy(), [1.0])


def test_backward_grad_variables_is_the_deprecated_name_of_grad_tensors():
    import warnings
    results = []
    for T in (torch, reftorch):
        x = T.ones(2, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            T.autograd.backward((x * 2).sum(), grad_variables=T.tensor(3.0))
        with pytest.raises(RuntimeError) as info:
            T.autograd.backward((x * 2).sum(), grad_tensors=T.tensor(1.0), grad_variables=T.tensor(1.0))
        results.append((x.grad.tolist(), [(w.category, str(w.message)) for w in caught], str(info.value)))
    assert results[0] == results[1]
