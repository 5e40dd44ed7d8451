"""Ops with several differentiable outputs (split, chunk, unbind) record ONE graph node, as
in PyTorch: the outputs share ``grad_fn`` and tell themselves apart by ``output_nr``; the
engine hands the node one gradient per output. Every test runs the same scenario on
reftorch and on real PyTorch and compares what comes out."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch


def _x(T, shape=(6, 4), seed=0, requires_grad=True):
    arr = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return T.tensor(arr, requires_grad=requires_grad)


def _plain(v):
    """What a scenario returned, in plain Python / NumPy (the same for both libraries)."""
    if isinstance(v, (torch.Tensor, reftorch.Tensor)):
        return np.array(v.detach().tolist(), dtype=np.float64)
    if isinstance(v, (list, tuple)):
        return [_plain(e) for e in v]
    if isinstance(v, dict):
        return {k: _plain(e) for k, e in v.items()}
    return v


def _same(a, b, where="result"):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert a.shape == b.shape, where
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=where)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, float):
        assert isinstance(b, float) and abs(a - b) <= 1e-6 * max(1.0, abs(b)), where
    else:
        assert a == b, where


def both(scenario):
    """Run ``scenario(T)`` with reftorch and torch; their results must match."""
    got = _plain(scenario(reftorch))
    want = _plain(scenario(torch))
    _same(got, want)
    return got


def _error(fn):
    """``(type name, message)`` of what ``fn()`` raises (``None`` if nothing)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 (the type is what is compared)
        return type(e).__name__, str(e)
    return None


# The ways to cut a (6, 4) tensor (or the transposed (4, 6) one) into pieces.
CUTS = {
    "split": lambda x: x.split(2),
    "split_uneven": lambda x: x.split(4),
    "split_sizes": lambda x: x.split([1, 3, 2]),
    "torch_split_dim1": lambda x: x.split(3, dim=1),
    "chunk": lambda x: x.chunk(3),
    "chunk_uneven": lambda x: x[:5].chunk(3),
    "chunk_dim_neg": lambda x: x.chunk(2, -1),
    "unbind": lambda x: x.unbind(0),
    "unbind_dim1": lambda x: x.unbind(1),
    "unbind_neg": lambda x: x.unbind(-1),
    "split_noncontiguous": lambda x: x.t().split(2),
    "unbind_noncontiguous": lambda x: x.t().unbind(0),
    "iter": lambda x: tuple(x),
}


@pytest.mark.parametrize("cut", sorted(CUTS))
def test_pieces_share_one_node(cut):
    def scenario(T):
        x = _x(T) * 1
        pieces = CUTS[cut](x)
        fn = pieces[0].grad_fn
        y = T.cat([pieces[0], pieces[-1]], 0 if pieces[0].shape[1:] == pieces[-1].shape[1:] else -1)
        return {
            "name": fn.name(),
            "same_node": all(p.grad_fn is fn for p in pieces),
            "output_nr": [p.output_nr for p in pieces],
            "consumer": [(f is fn, nr) for f, nr in y.grad_fn.next_functions],
            "node_inputs": [type(f).__name__ for f, _ in fn.next_functions],
            "shapes": [list(p.shape) for p in pieces],
            "is_view": [p._base is x for p in pieces],
        }
    both(scenario)


def test_output_nr_of_ordinary_tensors():
    def scenario(T):
        x = _x(T)
        y = x * 2
        a, b = y.split(3)
        c = a + 1
        return [x.output_nr, y.output_nr, c.output_nr, b.output_nr, T.zeros(2).output_nr]
    both(scenario)


@pytest.mark.parametrize("cut", sorted(CUTS))
def test_gradients_some_pieces_unused_some_twice(cut):
    def scenario(T):
        x = _x(T)
        pieces = CUTS[cut](x)
        w = T.arange(1.0, 1.0 + pieces[0].numel()).reshape(pieces[0].shape)
        # the first piece twice, the last once, the ones between not at all
        loss = (pieces[0] * w).sum() + (pieces[0] ** 2).sum() + pieces[-1].exp().sum()
        loss.backward()
        return x.grad
    both(scenario)


def test_every_piece_used_and_summed():
    def scenario(T):
        x = _x(T, (10, 3, 5))
        (sum(p.sum() * (i + 1) for i, p in enumerate(x.unbind(0)))
         + sum((p ** 2).sum() for p in x.split(3, dim=2))).backward()
        return x.grad
    both(scenario)


def test_retain_graph_second_backward():
    def scenario(T):
        x = _x(T)
        a, b, c = (x * 3).split(2)
        y = (a * b).sum() + c.sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        return [first, x.grad]
    both(scenario)


def test_second_backward_without_retain_graph_fails():
    def scenario(T):
        x = _x(T)
        a, b, c = (x.exp()).split(2)
        y = (a * b).sum()
        y.backward()
        return _error(y.backward)[0]
    both(scenario)


@pytest.mark.parametrize("cut", ["split", "split_sizes", "chunk_uneven", "unbind", "unbind_dim1", "split_noncontiguous"])
def test_create_graph_double_backward(cut):
    def scenario(T):
        x = _x(T)
        pieces = CUTS[cut](x)
        y = (pieces[0] ** 3).sum() + (pieces[-1] ** 2 * pieces[-1].sin()).sum()
        g, = T.autograd.grad(y, x, create_graph=True)
        h, = T.autograd.grad((g * g).sum(), x)
        return [g, h, g.requires_grad]
    both(scenario)


def test_create_graph_through_pieces_of_an_intermediate():
    def scenario(T):
        x = _x(T)
        a, b, c = (x * x).split(2)
        g, = T.autograd.grad((a * b).sum() + c.sum(), x, create_graph=True)
        g.sum().backward()
        return [g, x.grad]
    both(scenario)


def test_hooks_on_pieces():
    def scenario(T):
        x = _x(T)
        a, b, c = x.split(2)
        seen = []
        a.register_hook(lambda g: g * 10)
        b.register_hook(lambda g: seen.append(g.clone()))
        handle = c.register_hook(lambda g: g * 100)
        handle.remove()
        (a.sum() + (b * 2).sum() + (c * 3).sum()).backward()
        return [x.grad, seen]
    both(scenario)


def test_hook_on_an_unused_piece_sees_none():
    def scenario(T):
        x = _x(T)
        a, b, c = x.split(2)
        calls = []
        b.register_hook(lambda g: calls.append(g))
        a.sum().backward(retain_graph=True)
        c.register_hook(lambda g: T.ones(2, 4) if g is None else None)  # a gradient from nothing
        return [x.grad, calls, _error(lambda: a.sum().backward())]
    both(scenario)


def test_retain_grad_on_pieces():
    def scenario(T):
        x = _x(T)
        a, b, c = x.unbind(1)[:3]
        b.retain_grad()
        c.retain_grad()
        a.register_hook(lambda g: g * 2)
        ((a * 2).sum() + (b * 5).sum()).backward()
        return [x.grad, b.grad, c.grad is None, b.retains_grad, a.retains_grad]
    both(scenario)


def test_autograd_grad_with_pieces_as_inputs():
    def scenario(T):
        x = _x(T)
        a, b, c = x.split(2)
        y = (a * 2).sum() + (b ** 2).sum()
        ga, gb, gc = T.autograd.grad(y, [a, b, c], allow_unused=True, retain_graph=True)
        gx, ga2 = T.autograd.grad(y, [x, a])
        return [ga, gb, gc is None, gx, ga2]
    both(scenario)


def test_backward_from_pieces():
    def scenario(T):
        x = _x(T)
        a, b, c = (x * 2).split(2)
        a.backward(T.ones(2, 4), retain_graph=True)
        first = x.grad.clone()
        T.autograd.backward([b, c, b], [T.full((2, 4), 2.0), T.full((2, 4), 3.0), T.ones(2, 4)])
        return [first, x.grad]
    both(scenario)


def test_nested_splits_and_stack_back():
    def scenario(T):
        x = _x(T, (8, 6))
        halves = x.split(4)
        quarters = [q for h in halves for q in h.split(2)]
        rows = quarters[1].unbind(0)
        y = T.stack([rows[1], quarters[2][0]]).sum() + T.cat(quarters[::3]).pow(2).sum()
        y.backward()
        return [x.grad, [type(f).__name__ for f, _ in quarters[1].grad_fn.next_functions],
                [nr for _, nr in quarters[1].grad_fn.next_functions]]
    both(scenario)


def test_float64_and_pieces_of_a_parameter_like_leaf():
    def scenario(T):
        x = T.tensor(np.linspace(-1, 1, 24).reshape(4, 6), dtype=T.float64, requires_grad=True)
        p = x.chunk(3, 1)
        (p[0] * p[2]).sum().backward()
        return [x.grad, str(x.grad.dtype).replace("torch.", "")]
    both(scenario)


@pytest.mark.parametrize("write", [
    lambda p: p[0].add_(1),
    lambda p: p[1].mul_(2),
    lambda p: p[-1].zero_(),
    lambda p: p[0].copy_(p[0] * 3),
    lambda p: p[0][0].add_(1),
    lambda p: p[0].view(-1).fill_(2.0),
    lambda p: p[0].__setitem__(0, 5.0),
    lambda p: p[0].__setitem__(slice(0, 1), 5.0),
    lambda p: p[0].__setitem__((Ellipsis, 1), 5.0),
])
@pytest.mark.parametrize("cut", ["split", "split_sizes", "chunk", "unbind", "unbind_dim1"])
@pytest.mark.parametrize("base", ["intermediate", "leaf"])
def test_inplace_on_a_piece_is_refused(write, cut, base):
    def scenario(T):
        x = _x(T)
        if base == "intermediate":
            x = x * 1
        pieces = CUTS[cut](x)
        return _error(lambda: write(pieces))
    got = both(scenario)
    assert got is not None and got[0] == "RuntimeError"


def test_inplace_on_a_piece_allowed_without_graph():
    def scenario(T):
        x = _x(T, requires_grad=False)
        a, b = x.split(3)
        a.add_(1)
        y = _x(T) * 1
        c, d = y.split(3)
        with T.no_grad():
            c.mul_(0)
            d.detach().zero_()
        (y * 2).sum().backward()
        return [x, y]
    both(scenario)


def test_inplace_on_a_piece_of_a_constant_with_a_value_that_requires_grad():
    def scenario(T):
        x = _x(T, requires_grad=False)
        a, b = x.split(3)
        w = _x(T, (3, 4), seed=1)
        return _error(lambda: a.add_(w))
    got = both(scenario)
    assert got[0] == "RuntimeError"


def test_piece_after_its_base_was_written_in_place():
    def scenario(T):
        x = _x(T) * 1
        a, b = x.split(3)
        x.mul_(2)
        return [repr(a).split("grad_fn=")[1], _error(lambda: a.grad_fn), _error(lambda: b * 2),
                a.requires_grad]
    both(scenario)


def test_empty_chunks_and_single_piece():
    def scenario(T):
        e = T.zeros(0, 3, requires_grad=True)
        pieces = e.chunk(2)
        x = _x(T)
        (one,) = x.split(10)
        one.sum().backward()
        return [pieces[0].grad_fn.name(), pieces[1].output_nr, pieces[0].grad_fn is pieces[1].grad_fn,
                one.grad_fn.name(), x.grad]
    both(scenario)


def test_no_graph_when_nothing_requires_grad():
    def scenario(T):
        x = _x(T, requires_grad=False)
        pieces = x.unbind(0)
        with T.no_grad():
            q = _x(T).split(2)
        return [[p.grad_fn is None for p in pieces], [p.grad_fn is None for p in q], [p.output_nr for p in q]]
    both(scenario)


@pytest.mark.parametrize("cut", ["split_sizes", "chunk_uneven", "unbind_dim1", "split_noncontiguous"])
def test_on_the_strict_device(cut):
    """The backward (zeros for unused pieces, one concat/stack) runs on the array-API stand-in
    device, first and second order, with torch's values."""
    def scenario(T):
        arr = np.random.default_rng(3).standard_normal((6, 4)).astype(np.float32)
        x = T.tensor(arr, requires_grad=True, **({"device": "strict"} if T is reftorch else {}))
        pieces = CUTS[cut](x)
        g, = T.autograd.grad((pieces[0] ** 3).sum() + pieces[-1].sin().sum(), x, create_graph=True)
        (g * g).sum().backward()
        return [g, x.grad]
    both(scenario)


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
@pytest.mark.parametrize("use", ["both", "first", "second"])
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True, "correction": 0}])
def test_var_mean_one_node_two_outputs(fn, use, kw):
    def scenario(T):
        x = _x(T)
        v, m = getattr(T, fn)(x, **kw)
        loss = {"both": lambda: (v * 2).sum() + (m * m).sum(), "first": lambda: v.sum(),
                "second": lambda: m.exp().sum()}[use]()
        loss.backward()
        return [v.grad_fn.name(), v.grad_fn is m.grad_fn, v.output_nr, m.output_nr,
                [type(f).__name__ for f, _ in v.grad_fn.next_functions], v, m, x.grad]
    both(scenario)


def test_var_mean_outputs_are_not_views():
    def scenario(T):
        x = _x(T)
        v, m = T.var_mean(x * 1, 0)
        v.add_(1)  # allowed: the outputs are new tensors, not views
        (v.sum() + m.sum()).backward()
        return [v.grad_fn.name(), x.grad]
    both(scenario)


def test_var_mean_create_graph_through_the_mean():
    def scenario(T):
        x = _x(T)
        v, m = T.std_mean(x, 1)
        g, = T.autograd.grad((m ** 3).sum(), x, create_graph=True)
        h, = T.autograd.grad(g.sum(), x)
        return [g, h]
    both(scenario)


def _two_outputs(T):
    """A custom autograd.Function with two outputs; its backward logs what it receives."""

    class Two(T.autograd.Function):
        log = []

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x.sin()

        @staticmethod
        def backward(ctx, ga, gb):
            x, = ctx.saved_tensors
            Two.log.append((ga.tolist(), gb.tolist()))
            return ga * 2 + gb * x.cos()

    return Two


def test_custom_function_outputs_share_one_node():
    def scenario(T):
        Two = _two_outputs(T)
        x = T.tensor([0.5, 1.0], requires_grad=True)
        a, b = Two.apply(x)
        y = a * b
        a.sum().backward(retain_graph=True)  # b's gradient: zeros (materialized)
        first = x.grad.clone()
        seen = []
        b.register_hook(lambda g: seen.append(g))
        a.retain_grad()
        (a.sum() * 3).backward(retain_graph=True)
        return [a.grad_fn is b.grad_fn, a.output_nr, b.output_nr, type(a.grad_fn).__name__,
                [(f is a.grad_fn, nr) for f, nr in y.grad_fn.next_functions], first, x.grad, a.grad, seen, Two.log]
    both(scenario)


def test_custom_function_two_outputs_create_graph():
    def scenario(T):
        Two = _two_outputs(T)
        x = T.tensor([0.5, 1.0], requires_grad=True)
        a, b = Two.apply(x)
        g, = T.autograd.grad((a * b).sum(), x, create_graph=True)
        return [g, g.requires_grad, Two.log]
    both(scenario)


def test_autograd_grad_runs_only_the_nodes_it_needs():
    """A node leading to no input does not run: its hooks stay silent and its saved tensors
    are kept (a later backward through it still works)."""
    def scenario(T):
        Two = _two_outputs(T)
        x = T.tensor([0.5, 1.0], requires_grad=True)
        w = T.ones(2, requires_grad=True)
        calls = []
        x.register_hook(lambda g: calls.append("x"))
        a, b = Two.apply(x * w)
        b.register_hook(lambda g: calls.append(("b", g.tolist())))
        got = T.autograd.grad(b.sum(), [a, b], allow_unused=True)
        gw, = T.autograd.grad((a * b).sum(), [w], retain_graph=True)
        (a + b).sum().backward()  # the saved tensors of Two were not freed by the first grad
        return [got[0] is None, got[1], gw, x.grad is None, w.grad, calls, Two.log]
    both(scenario)


@pytest.mark.parametrize("make", ["split", "var_mean"])
def test_saved_output_written_in_place_without_grad(make):
    def scenario(T):
        x = _x(T, (4, 2))
        if make == "split":
            _, out = (x * 1).split(2)
        else:
            _, out = T.var_mean(x, 0)
        y = (out * out).sum()
        with T.no_grad():
            out.mul_(2)
        return _error(y.backward)
    got = both(scenario)
    assert got[0] == "RuntimeError"


def test_a_node_name_can_serve_one_output_and_several():
    # PyTorch's torch::autograd::NotImplemented is the grad_fn of one-output ops (heaviside)
    # and of several-output ops (histogram): the order they are first met must not matter.
    import reftorch
    x = reftorch.tensor([1.0, 2.0, 1.0, 2.5], requires_grad=True)
    single = reftorch.heaviside(x, reftorch.tensor(0.5))
    hist, edges = reftorch.histogram(x, 3)
    assert single.grad_fn.name() == hist.grad_fn.name() == "torch::autograd::NotImplemented"
    assert hist.grad_fn is edges.grad_fn and hist.grad_fn.n_outputs == 2
    assert type(single.grad_fn).__name__ == type(hist.grad_fn).__name__ == "NotImplemented"
