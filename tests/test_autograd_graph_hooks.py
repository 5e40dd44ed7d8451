"""torch.autograd.graph against PyTorch: saved-tensor hooks (pack/unpack calls, values,
errors, save_on_cpu, disable_saved_tensors_hooks), register_multi_grad_hook ("all" and
"any"), GradientEdge / get_gradient_edge, increment_version and Node.metadata."""
from __future__ import annotations

import importlib

import pytest

from _nn_compare import LIBS, raises_same, same


def _graph(T):
    return importlib.import_module(T.__name__ + ".autograd.graph")


def _recording(T):
    """Hooks that log their calls (the grad_fn name of what is packed) and pass tensors on."""
    log = []

    def pack(t):
        log.append(("pack", tuple(t.shape), t.requires_grad, type(t.grad_fn).__name__))
        return t

    def unpack(t):
        log.append(("unpack",))
        return t
    return log, _graph(T).saved_tensors_hooks(pack, unpack)


def _both(fn):
    r, t = fn(LIBS[0]), fn(LIBS[1])
    same(r, t)
    return r


def test_pack_in_forward_unpack_in_backward():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        log, hooks = _recording(T)
        with hooks:
            y = a.exp()                 # saves its result
            z = (a * a).sum()           # saves both operands
            with T.no_grad():
                a.exp()                 # records nothing, saves nothing
        forward = list(log)
        (y.sum() + z).backward()
        return forward, log[len(forward):], a.grad
    _both(fn)


def test_unpack_result_is_what_backward_uses():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        with _graph(T).saved_tensors_hooks(lambda t: t * 1, lambda t: t * 2):
            y = (a * a).sum()
        y.backward()
        return a.grad
    _both(fn)


def test_no_version_check_with_hooks_and_unpack_per_backward():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        log, hooks = _recording(T)
        with hooks:
            y = a.exp()
        y.add_(1)  # PyTorch checks no version of a packed tensor
        s = y.sum()
        s.backward(retain_graph=True)
        s.backward()
        return log, a.grad
    _both(fn)


def test_innermost_hooks_apply():
    def fn(T):
        G = _graph(T)
        a = T.tensor([1., 2.], requires_grad=True)
        seen = []
        with G.saved_tensors_hooks(lambda t: seen.append("outer") or t, lambda t: t):
            a.sin()
            with G.saved_tensors_hooks(lambda t: seen.append("inner") or t, lambda t: t):
                a.cos()
            a.tan()
        return seen
    _both(fn)


def test_custom_function_unpacks_on_each_access():
    def fn(T):
        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                (x,) = ctx.saved_tensors
                return g * x
        a = T.tensor([1., 3.], requires_grad=True)
        log, hooks = _recording(T)
        with hooks:
            y = Twice.apply(a).sum()
        forward = list(log)
        y.backward()
        return forward, log[len(forward):], a.grad
    _both(fn)


def test_inplace_ops_under_hooks_give_pytorchs_gradients():
    def fn(T):
        a = T.tensor([0.5, 2.], requires_grad=True)
        with _graph(T).saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            x = a * 1
            x.mul_(x.detach() + 1)  # mul_ saves the original self
            w = a * 1
            w.exp_()  # exp_ saves the result
        (x.sum() + w.sum()).backward()
        return a.grad
    _both(fn)


def test_create_graph_under_hooks():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        with _graph(T).saved_tensors_hooks(lambda t: t, lambda t: t):
            (g,) = T.autograd.grad((a ** 3).sum(), a, create_graph=True)
        g.sum().backward()
        return g, a.grad
    _both(fn)


def test_unpack_must_return_a_tensor():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        with _graph(T).saved_tensors_hooks(lambda t: t, lambda t: 3):
            y = (a * a).sum()
        y.backward()
    raises_same(fn)


def test_save_on_cpu():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        with _graph(T).save_on_cpu(pin_memory=False):
            y = (a.sin() * a).sum()
        y.backward()
        return a.grad
    _both(fn)


def test_disable_saved_tensors_hooks():
    def enter_hooks_inside(T):
        G = _graph(T)
        with G.disable_saved_tensors_hooks("outer"):
            with G.disable_saved_tensors_hooks("inner"):
                pass
            with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    raises_same(enter_hooks_inside)

    def disable_inside_hooks(T):
        G = _graph(T)
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            with G.disable_saved_tensors_hooks("no hooks here"):
                pass
    raises_same(disable_inside_hooks)

    def after(T):  # the contexts are undone on leaving
        G = _graph(T)
        with G.disable_saved_tensors_hooks("x"):
            pass
        with pytest.raises(RuntimeError):
            with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                with G.disable_saved_tensors_hooks("y"):
                    pass
        log, hooks = _recording(T)
        with hooks:
            T.ones(2, requires_grad=True).exp()
        return log
    _both(after)


def _show(out):
    return lambda gs: out.append([None if g is None else g.tolist() for g in gs])


def test_multi_grad_hook_all():
    def fn(T):
        G = _graph(T)
        a = T.tensor([1., 2.], requires_grad=True)
        b = T.tensor([3.], requires_grad=True)
        c = T.tensor([5.], requires_grad=True)
        x, y = a * 2, b * 3
        out = []
        h = G.register_multi_grad_hook((x, y, c), _show(out))
        (x.sum() + y.sum() + c.sum()).backward(retain_graph=True)
        (x.sum() * 2).backward(retain_graph=True)
        T.autograd.grad(y.sum() + c.sum(), [b], retain_graph=True)  # c's node does not run
        (x.sum() + c.sum()).backward(retain_graph=True)
        h.remove()
        (x.sum() + y.sum() + c.sum()).backward()
        return out, type(h).__name__
    _both(fn)


def test_multi_grad_hook_any():
    def fn(T):
        G = _graph(T)
        a = T.tensor([1., 2.], requires_grad=True)
        b = T.tensor([3.], requires_grad=True)
        n = T.ones(1)  # no grad: skipped in "any" mode
        out = []
        h = G.register_multi_grad_hook((a, b, n), lambda g: out.append(g.tolist()), mode="any")
        (b.sum() * 4).backward()
        (a.sum() * 2).backward()
        h.remove()
        (b.sum() * 4).backward()
        return out
    _both(fn)


def test_multi_grad_hook_mode_error():
    raises_same(lambda T: _graph(T).register_multi_grad_hook((T.ones(1, requires_grad=True),), print, mode="some"))


def test_gradient_edge():
    def fn(T):
        G = _graph(T)
        a = T.tensor([1., 2.], requires_grad=True)
        x = a * 2
        p, q = x.unbind(0)
        edges = [G.get_gradient_edge(t) for t in (x, a, q)]
        assert edges[1].node is G.get_gradient_edge(a).node  # one AccumulateGrad per leaf
        assert edges[0].node is x.grad_fn
        return ([(e.node.name(), e.output_nr, e.ownership_token) for e in edges], G.GradientEdge._fields,
                repr(G.GradientEdge(None, 0)))
    _both(fn)
    raises_same(lambda T: _graph(T).get_gradient_edge(T.ones(2)))


def test_increment_version():
    def fn(T):
        G = _graph(T)
        t = T.ones(2)
        v0 = t._version
        G.increment_version(t)
        G.increment_version([t, t])
        a = T.tensor([1., 2.], requires_grad=True)
        y = a.exp()
        G.increment_version(y)  # the saved result is now stale
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        return t._version - v0
    _both(fn)


def test_node_metadata():
    for T in LIBS:
        a = T.tensor([1., 2.], requires_grad=True)
        y = a * 2
        assert y.grad_fn.metadata == {}
        y.grad_fn.metadata["tag"] = 1
        assert y.grad_fn.metadata == {"tag": 1}
        acc = y.grad_fn.next_functions[0][0]
        acc.metadata["leaf"] = True
        assert acc.metadata == {"leaf": True}


def _lists(gs):
    return [None if g is None else g.tolist() for g in gs]


def test_node_hooks():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        b = T.tensor([3., 4.], requires_grad=True)
        y = a * b
        z = y.sum()
        log = []

        def pre(go):
            log.append(("pre", _lists(go)))
            return (go[0] * 10,)

        def post(gi, go):
            log.append(("post", _lists(gi), _lists(go)))
            return (gi[0], gi[1] * 0)
        handles = [y.grad_fn.register_prehook(pre), y.grad_fn.register_hook(post)]
        acc = y.grad_fn.next_functions[0][0]
        handles.append(acc.register_hook(lambda gi, go: log.append(("accpost", len(gi), _lists(go)))))
        handles.append(acc.register_prehook(lambda go: log.append(("accpre", _lists(go)))))
        y.register_hook(lambda g: log.append(("tensor", g.tolist())))  # tensor hooks run first
        z.backward(retain_graph=True)
        first = (list(log), a.grad.clone(), b.grad.clone())
        log.clear()
        for h in handles:
            h.remove()
        z.backward()
        return first, log, a.grad, b.grad, type(handles[0]).__name__
    _both(fn)


def test_accumulate_grad_node_hooks_in_each_kind_of_backward():
    """A leaf's AccumulateGrad hooks run around its accumulation into .grad (post-hooks after
    the post-accumulate-grad hooks), also with backward(inputs=), not in autograd.grad
    (which accumulates nothing); a pre-hook's tuple replaces the gradient. (Not with
    create_graph here: PyTorch's reference-cycle warning, once per process, belongs to
    test_autograd_higher_order.)"""
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        b = T.tensor([3., 4.], requires_grad=True)
        y = a * b
        log = []
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(("pre", _lists(go))))
        acc.register_hook(lambda gi, go: log.append(("post", gi, _lists(go))))
        a.register_post_accumulate_grad_hook(lambda t: log.append(("accumulated", t.grad.tolist())))
        y.sum().backward(retain_graph=True)
        log.append(("grad", T.autograd.grad(y.sum(), a, retain_graph=True)[0].tolist()))
        y.sum().backward(inputs=[a], retain_graph=True)
        acc.register_prehook(lambda go: (go[0] * 10,))
        a.grad = None
        y.sum().backward()
        return log, a.grad, b.grad
    _both(fn)


def test_node_hooks_multi_output_and_custom_function():
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        log = []
        p, q = (a * 1).unbind(0)
        p.grad_fn.register_prehook(lambda go: log.append(("pre", _lists(go))))
        p.grad_fn.register_hook(lambda gi, go: log.append(("post", _lists(gi), _lists(go))))
        (q * 2).backward()

        class Double(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        y = Double.apply(a)
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1,))
        y.sum().backward()
        return log, a.grad
    _both(fn)


@pytest.mark.parametrize("kind", ["pre", "post"])
def test_node_hook_errors(kind):
    def fn(T):
        a = T.tensor([1., 2.], requires_grad=True)
        w = a * a.detach().requires_grad_()
        if kind == "pre":
            w.grad_fn.register_prehook(lambda go: 3)
        else:
            w.grad_fn.register_hook(lambda gi, go: (gi[0],))
        w.sum().backward()
    raises_same(fn)


def test_save_on_cpu_from_stand_in_accelerator():
    """save_on_cpu keeps the saved tensors on the CPU and moves them back for backward."""
    R = LIBS[0]
    devices = []

    def pack(t):
        devices.append(t.device.type)
        return t.cpu()

    def unpack(t):
        devices.append(t.device.type)
        return t.to("strict")
    grads = []
    for device, hooks in (("cpu", R.autograd.graph.save_on_cpu()), ("strict", R.autograd.graph.save_on_cpu()),
                          ("strict", R.autograd.graph.saved_tensors_hooks(pack, unpack))):
        a = R.tensor([0.5, 1.5], device=device, requires_grad=True)
        with hooks:
            y = (a.sin() * a).sum()
        y.backward()
        assert a.grad.device.type == device
        grads.append(a.grad.cpu().tolist())
    assert grads[0] == grads[1] == grads[2]
    assert devices[:2] == ["strict", "strict"] and set(devices[2:]) == {"strict", "cpu"}


def test_unpacked_tensors_keep_their_graph():
    """Hooks that detach (or copy) what they pack: the unpacked tensor is attached to the
    packed one's node again (PyTorch's SavedVariable), so create_graph differentiates
    through it, and a custom Function's saved input requires grad."""
    def fn(T):
        x = T.tensor([0.5, 1.5], requires_grad=True)
        seen = []

        class Square(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                seen.append((a.requires_grad, a.is_leaf))
                return 2 * a * g
        with _graph(T).saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            y = (x.sin() * x).exp() + Square.apply(x * 3)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        return g, T.autograd.grad(g.sum(), x), seen
    _both(fn)
