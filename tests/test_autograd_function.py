"""The public ``torch.autograd.Function`` API, ``Variable`` and ``autograd.grad``'s errors,
run the same way on reftorch and on PyTorch (each test body gets the library as ``T``)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch

import torch  # the oracle: the test command installs it, so its absence must fail loudly

LIBS = [reftorch, torch]


def _functions(T):
    """The same custom functions, subclassing each library's ``autograd.Function``."""

    class MyExp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, k=2.0):
            y = x.exp() * k
            ctx.save_for_backward(y)
            ctx.k = k
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y, None

    class SplitMax(T.autograd.Function):
        """Two differentiable outputs and an index marked non-differentiable."""

        @staticmethod
        def forward(ctx, x, w):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, w)
            return x * w, x + w, idx

        @staticmethod
        def backward(ctx, ga, gb, gidx):
            x, w = ctx.saved_tensors
            return ga * w + gb, ga * x + gb

    class Mul(T.autograd.Function):
        """The setup_context style."""

        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x, y)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    class Clamp(T.autograd.Function):
        """Gradient that only broadcasts to the input (summed down) and a once_differentiable
        backward."""

        @staticmethod
        def forward(ctx, x, bias):
            return (x + bias).relu()

        @staticmethod
        @T.autograd.function.once_differentiable
        def backward(ctx, g):
            return g, g  # bias has shape (3,), g (2, 3): summed over dim 0

    class Ident(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    return dict(MyExp=MyExp, SplitMax=SplitMax, Mul=Mul, Clamp=Clamp, Ident=Ident)


def _run_both(body):
    """Run ``body(T)`` for both libraries and return the two results."""
    return [body(T) for T in LIBS]


def _vals(x):
    if x is None:
        return None
    return np.asarray(x.detach().numpy() if hasattr(x, "detach") else x).tolist()


def test_forward_backward_values_and_grad_fn_name():
    def body(T):
        F = _functions(T)
        x = T.tensor([0.0, 1.0, -0.5], requires_grad=True)
        y = F["MyExp"].apply(x, 3.0)
        y.sum().backward()
        return (_vals(y), y.grad_fn.name(), type(y.grad_fn).__name__, repr(y).split("grad_fn=")[1], _vals(x.grad),
                y.requires_grad, y.is_leaf, len(y.grad_fn.next_functions),
                type(y.grad_fn.next_functions[0][0]).__name__)

    r, t = _run_both(body)
    assert r[1:4] == t[1:4] and r[5:] == t[5:]
    np.testing.assert_allclose(r[0], t[0], rtol=1e-6)
    np.testing.assert_allclose(r[4], t[4], rtol=1e-6)


def test_needs_input_grad_and_no_grad():
    def body(T):
        seen = []

        class Probe(T.autograd.Function):
            @staticmethod
            def forward(ctx, a, b, c):
                seen.append((ctx.needs_input_grad, T.is_grad_enabled()))
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g, None, None

        a = T.ones(2, requires_grad=True)
        out1 = Probe.apply(a, T.ones(2), 5)
        with T.no_grad():
            out2 = Probe.apply(a, T.ones(2), 5)
        out3 = Probe.apply(T.ones(2), a, 5)
        return seen, out1.grad_fn is not None, out2.requires_grad, out2.grad_fn, out3.requires_grad

    r, t = _run_both(body)
    assert r == t


def test_multiple_outputs_and_non_differentiable():
    def body(T):
        F = _functions(T)
        x = T.tensor([1.0, 3.0, 2.0], requires_grad=True)
        w = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
        a, b, idx = F["SplitMax"].apply(x, w)
        (a.sum() * 2 + (b ** 2).sum()).backward()
        return (_vals(a), _vals(b), _vals(idx), idx.requires_grad, idx.grad_fn, a.grad_fn.name(),
                b.grad_fn.name(), _vals(x.grad), _vals(w.grad))

    r, t = _run_both(body)
    assert r == t


def test_only_one_output_used():
    def body(T):
        F = _functions(T)
        x = T.tensor([1.0, 3.0], requires_grad=True)
        w = T.tensor([0.5, -1.0], requires_grad=True)
        a, b, _ = F["SplitMax"].apply(x, w)
        b.sum().backward()  # ga materialized as zeros
        return _vals(x.grad), _vals(w.grad)

    r, t = _run_both(body)
    assert r == t


def test_set_materialize_grads_false_gives_none():
    def body(T):
        got = []

        class Two(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                got.append((ga is None, gb is None))
                return (ga if ga is not None else 0) + (gb if gb is not None else 0)

        x = T.ones(2, requires_grad=True)
        a, b = Two.apply(x)
        a.sum().backward()
        return got, _vals(x.grad)

    r, t = _run_both(body)
    assert r == t


def test_setup_context_style():
    def body(T):
        F = _functions(T)
        p = T.tensor([2.0, -1.0], requires_grad=True)
        q = T.tensor([3.0, 4.0], requires_grad=True)
        r = F["Mul"].apply(p, q)
        r.sum().backward()
        return _vals(r), r.grad_fn.name(), _vals(p.grad), _vals(q.grad)

    r, t = _run_both(body)
    assert r == t


def test_broadcast_gradient_is_summed_and_once_differentiable():
    def body(T):
        F = _functions(T)
        x = T.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], requires_grad=True)
        bias = T.tensor([0.1, 0.2, 0.3], requires_grad=True)
        F["Clamp"].apply(x, bias).sum().backward()
        return _vals(x.grad), _vals(bias.grad)

    r, t = _run_both(body)
    np.testing.assert_allclose(r[1], t[1])
    assert r[0] == t[0]


def test_input_returned_as_is_gets_a_new_tensor():
    def body(T):
        F = _functions(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = F["Ident"].apply(x)
        y.sum().backward()
        return y is x, y.grad_fn.name(), _vals(x.grad), y.data_ptr() == x.data_ptr()

    r, t = _run_both(body)
    assert r == t


def test_gradients_through_a_larger_graph_and_autograd_grad():
    def body(T):
        F = _functions(T)
        T.manual_seed(0)
        lin = T.nn.Linear(3, 2)
        x = T.tensor([[0.1, 0.2, 0.3], [-0.3, 0.5, 0.1]], requires_grad=True)
        h = F["MyExp"].apply(lin(x), 1.0)
        loss = F["Mul"].apply(h, h).mean()
        gx, gw = T.autograd.grad(loss, [x, lin.weight])
        return _vals(gx), _vals(gw)

    r, t = _run_both(body)
    for a, b in zip(r, t):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_saved_tensor_modified_in_place_is_detected():
    def body(T):
        F = _functions(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 1
        y = F["Mul"].apply(h, h)
        h.add_(1)
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        return "modified by an inplace operation" in str(e.value)

    assert _run_both(body) == [True, True]


def test_second_backward_after_free():
    def body(T):
        F = _functions(T)
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = F["MyExp"].apply(x).sum()
        y.backward(retain_graph=True)
        y.backward()
        with pytest.raises(RuntimeError) as e:
            y.backward()
        return "a second time" in str(e.value), _vals(x.grad)

    r, t = _run_both(body)
    assert r[0] == t[0] is True
    np.testing.assert_allclose(r[1], t[1], rtol=1e-6)


@pytest.mark.parametrize("case", ["count", "shape"])
def test_bad_backward_results_raise_like_torch(case):
    def body(T):
        class Bad(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return (g, g) if case == "count" else g[:1]

        with pytest.raises(RuntimeError) as e:
            Bad.apply(T.ones(2, requires_grad=True)).sum().backward()
        return str(e.value)

    r, t = _run_both(body)
    assert r == t


def test_extra_none_gradients_are_accepted():
    def body(T):
        class Extra(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2, None

        x = T.ones(2, requires_grad=True)
        Extra.apply(x).sum().backward()
        return _vals(x.grad)

    r, t = _run_both(body)
    assert r == t


def test_save_for_backward_refuses_non_tensors():
    for T in LIBS:
        class Saver(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        with pytest.raises(TypeError, match="save_for_backward can only save variables"):
            Saver.apply(T.ones(1, requires_grad=True))


def test_instantiating_and_calling_like_legacy_functions():
    def body(T):
        F = _functions(T)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            inst = F["MyExp"]()
        with pytest.raises(RuntimeError) as e:
            inst(T.ones(1))
        return [x.category.__name__ for x in w], str(e.value)

    r, t = _run_both(body)
    assert r == t


def test_public_function_is_importable_where_torch_has_it():
    import reftorch.autograd.function as fmod
    assert reftorch.autograd.Function is fmod.Function
    assert fmod.once_differentiable is reftorch.autograd.function.once_differentiable
    F = _functions(reftorch)
    y = F["MyExp"].apply(reftorch.ones(1, requires_grad=True))
    assert repr(y.grad_fn).startswith("<torch.autograd.function.MyExpBackward object at 0x")
    assert str(y) == str(F["MyExp"].apply(reftorch.ones(1, requires_grad=True)))


def test_custom_function_on_the_strict_device():
    F = _functions(reftorch)
    x = reftorch.tensor([0.0, 1.0], device="strict", requires_grad=True)
    a, b, idx = F["SplitMax"].apply(x, reftorch.tensor([2.0, 3.0], device="strict"))
    (a + b).sum().backward()
    assert x.grad.device.type == "strict"
    assert x.grad.cpu().tolist() == [3.0, 4.0]


# ------------------------------------------------------------------ Variable
def test_variable():
    def body(T):
        V = T.autograd.Variable
        t = T.ones(2)
        v = V(t)
        w = V(t, requires_grad=True)
        y = w * 2
        z = V(y)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            vol = V(t, volatile=True)
        with pytest.raises(TypeError) as e:
            V([1.0])
        return (repr(v), v is t, v.data_ptr() == t.data_ptr(), repr(w), t.requires_grad, w.is_leaf,
                z.grad_fn, z.requires_grad, isinstance(t, V), repr(V()), str(V), str(e.value),
                [str(r.message) for r in rec], repr(vol), type(v).__name__)

    r, t = _run_both(body)
    assert r == t


# ------------------------------------------------------------------ autograd.grad errors
def test_grad_of_outputs_that_do_not_require_grad():
    def body(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        out = []
        for outputs, inputs in [(T.ones(2).sum(), x), ((x * 2).sum(), T.ones(2)),
                                ([(x * 2).sum(), T.ones(1).sum()], x)]:
            with pytest.raises(RuntimeError) as e:
                T.autograd.grad(outputs, inputs)
            out.append(str(e.value))
        with pytest.raises(RuntimeError) as e:
            T.autograd.grad((x * 2).sum(), [x, T.ones(1, requires_grad=True)])
        out.append(str(e.value))
        return out

    r, t = _run_both(body)
    assert r == t
