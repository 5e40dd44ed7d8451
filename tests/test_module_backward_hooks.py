"""nn.Module backward hooks (full, pre, legacy) and graph-node hooks, against PyTorch.

Each scenario runs on torch and reftorch (``T``) and returns a log of what the hooks saw
(shapes and values of the gradients, errors, warnings); the logs must be equal.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import reftorch


def _desc(grads):
    return tuple(None if g is None else (tuple(g.shape), [float(f"{v:.4g}") for v in g.detach().reshape(-1).tolist()])
                 for g in grads)


def _log(T, scenario):
    log = []
    T.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            scenario(T, log)
        except Exception as e:  # the error is part of the behaviour compared
            log.append(("raised", type(e).__name__, str(e)))
    log.extend(("warned", w.category.__name__, str(w.message)) for w in caught)
    return log


def _same(scenario):
    expected = _log(torch, scenario)
    assert _log(reftorch, scenario) == expected
    return expected


def _record(log, tag):
    def hook(module, *grads):
        log.append((tag, type(module).__name__) + tuple(_desc(g) for g in grads))
    return hook


def _linear(T, log):
    lin = T.nn.Linear(3, 2)
    lin.register_full_backward_pre_hook(_record(log, "pre"))
    lin.register_full_backward_hook(_record(log, "full"))
    x = T.arange(12.0).reshape(4, 3).requires_grad_()
    y = lin(x)
    log.append(y.grad_fn.name())
    (y * y).sum().backward()
    log.append(_desc([x.grad, lin.weight.grad]))


class _TwoInputs:
    """A module with two tensor inputs, a keyword, and two outputs."""

    @staticmethod
    def make(T):
        class TwoInputs(T.nn.Module):
            def forward(self, a, b, scale=1.0):
                return a * b * scale, a + b
        return TwoInputs()


def _multi_input(T, log):
    m = _TwoInputs.make(T)
    m.register_full_backward_pre_hook(_record(log, "pre"))
    m.register_full_backward_hook(_record(log, "full"))
    a = T.tensor([1.0, 2.0], requires_grad=True)
    b = T.tensor([3.0, 4.0])
    p, q = m(a, b, scale=2.0)
    log.append((p.grad_fn.name(), p.grad_fn is q.grad_fn))
    p.sum().backward()  # q gets no gradient: None in grad_output
    p, q = m(a, 3.0)  # a number as the second input: None in grad_input
    (p.sum() + 2 * q.sum()).backward()
    log.append(_desc([a.grad]))


def _replace_grads(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
    x = T.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    log.append(_desc([x.grad, lin.weight.grad, lin.bias.grad]))


def _prepend_and_remove(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: log.append("first"))
    h = lin.register_full_backward_hook(lambda m, gi, go: log.append("prepended"), prepend=True)
    lin.register_full_backward_pre_hook(lambda m, go: log.append("pre"))
    lin.register_full_backward_pre_hook(lambda m, go: log.append("pre prepended"), prepend=True)
    x = T.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    h.remove()
    lin(x).sum().backward()


def _no_input_requires_grad(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_full_backward_hook(_record(log, "full"))
    lin(T.ones(1, 2)).sum().backward()
    lin2 = T.nn.Linear(2, 2)
    lin2.register_full_backward_hook(lambda m, gi, go: (go[0],))
    lin2(T.ones(1, 2)).sum().backward()


def _wrong_lengths(T, log):
    for register, hook in (("register_full_backward_hook", lambda m, gi, go: (gi[0], gi[0])),
                           ("register_full_backward_pre_hook", lambda m, go: (go[0], go[0]))):
        lin = T.nn.Linear(2, 2)
        getattr(lin, register)(hook)
        try:
            lin(T.ones(1, 2, requires_grad=True)).sum().backward()
        except RuntimeError as e:
            log.append(str(e))


def _inplace_input(T, log):
    relu = T.nn.ReLU(inplace=True)
    relu.register_full_backward_hook(_record(log, "full"))
    relu(T.tensor([1.0, -1.0], requires_grad=True) * 1)


def _mixing_kinds(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_backward_hook(lambda *a: None)
    lin.register_full_backward_hook(lambda *a: None)


def _mixing_kinds_other_way(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda *a: None)
    lin.register_backward_hook(lambda *a: None)


def _legacy_linear(T, log):
    lin = T.nn.Linear(3, 2)
    lin.register_backward_hook(_record(log, "legacy"))
    x = T.ones(4, 3, requires_grad=True)
    y = lin(x)
    log.append(y.grad_fn.name())
    y.sum().backward()
    lin2 = T.nn.Linear(3, 2)
    lin2.register_backward_hook(lambda m, gi, go: (gi[0], gi[1] * 0, gi[2]))
    lin2(x).sum().backward()
    log.append(_desc([x.grad]))


def _legacy_single_op(T, log):
    relu = T.nn.ReLU()
    relu.register_backward_hook(_record(log, "legacy"))
    x = T.tensor([1.0, -1.0, 2.0], requires_grad=True)
    relu(x * 1).sum().backward()  # one op whose input is the module's: no warning


def _legacy_tuple(T, log):
    m = _TwoInputs.make(T)
    m.register_backward_hook(_record(log, "legacy"))
    a = T.tensor([1.0, 2.0], requires_grad=True)
    p, q = m(a, T.tensor([3.0, 4.0]))
    p.sum().backward()


def _no_grad_call(T, log):
    lin = T.nn.Linear(2, 2)
    lin.register_full_backward_hook(_record(log, "full"))
    with T.no_grad():
        log.append(lin(T.ones(1, 2, requires_grad=True)).grad_fn)


def _nested(T, log):
    seq = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.Tanh(), T.nn.Linear(3, 1))
    for name, m in seq.named_children():
        m.register_full_backward_hook(lambda m, gi, go, name=name: log.append(("full", name) + _desc(gi)))
        m.register_full_backward_pre_hook(lambda m, go, name=name: log.append(("pre", name) + _desc(go)))
    seq(T.ones(2, 2, requires_grad=True)).sum().backward()


SCENARIOS = [_linear, _multi_input, _replace_grads, _prepend_and_remove, _no_input_requires_grad, _wrong_lengths,
             _inplace_input, _mixing_kinds, _mixing_kinds_other_way, _legacy_linear, _legacy_single_op, _legacy_tuple,
             _no_grad_call, _nested]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.strip("_"))
def test_backward_hooks_like_torch(scenario):
    assert _same(scenario)


def test_inplace_modified_input_is_refused():
    log = _same(_inplace_input)
    assert log[0][:2] == ("raised", "RuntimeError") and "BackwardHookFunction" in log[0][2]


def test_no_input_requiring_grad_warns():
    log = _same(_no_input_requires_grad)
    assert ("warned", "UserWarning") in [entry[:2] for entry in log]


def test_legacy_hooks_warn_when_forward_is_several_nodes():
    assert ("warned", "FutureWarning") in [entry[:2] for entry in _same(_legacy_linear)]
    assert ("warned", "FutureWarning") not in [entry[:2] for entry in _same(_legacy_single_op)]


def _node_hooks(T, log):
    a = T.tensor([1.0, 2.0], requires_grad=True)
    b = T.tensor([3.0, 4.0], requires_grad=True)
    z = a * b
    z.grad_fn.register_prehook(lambda go: log.append(("pre",) + _desc(go)))
    z.grad_fn.register_hook(lambda gi, go: log.append(("post",) + _desc(gi) + _desc(go)))
    h = z.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
    z.sum().backward(retain_graph=True)
    log.append(_desc([a.grad, b.grad]))
    h.remove()
    z.grad_fn.register_prehook(lambda go: (go[0] * 2,))
    z.sum().backward()
    log.append(_desc([a.grad, b.grad]))


def _node_hook_errors(T, log):
    a = T.tensor([1.0, 2.0], requires_grad=True)
    for register, hook in (("register_hook", lambda gi, go: (gi[0],)), ("register_prehook", lambda go: (go[0], go[0])),
                           ("register_hook", lambda gi, go: 5), ("register_prehook", lambda go: (go[0].sum(),))):
        z = a * a
        getattr(z.grad_fn, register)(hook)
        try:
            z.sum().backward()
        except (RuntimeError, TypeError) as e:
            log.append((type(e).__name__, str(e)))


def _custom_function_node_hooks(T, log):
    class Pair(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 1, b * 1

        @staticmethod
        def backward(ctx, ga, gb):
            return ga, gb

    a, b = T.ones(2, requires_grad=True), T.ones(2)
    p, q = Pair.apply(a, b)
    p.grad_fn.register_prehook(lambda go: log.append(("pre",) + _desc(go)))
    p.grad_fn.register_hook(lambda gi, go: log.append(("post",) + _desc(gi) + _desc(go)))
    (p * 2).sum().backward()


@pytest.mark.parametrize("scenario", [_node_hooks, _node_hook_errors, _custom_function_node_hooks],
                         ids=lambda f: f.__name__.strip("_"))
def test_node_hooks_like_torch(scenario):
    assert _same(scenario)


def _returned_as_is(T, log):
    class Ident(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, g):
            return g

    class Both(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            return ga, gb

    a = T.ones(2, requires_grad=True)
    for out in (Ident.apply(a), Ident.apply(a)[:1], Both.apply(a, T.ones(2))[0]):
        try:
            out.mul_(2)
        except RuntimeError as e:
            log.append(str(e))


def test_custom_function_input_returned_as_is_refuses_inplace():
    assert len(_same(_returned_as_is)) == 3
