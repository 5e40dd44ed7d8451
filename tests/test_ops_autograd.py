"""Differential tests of autograd behaviour against PyTorch: requires_grad/is_leaf,
``.grad`` accumulation in place, grad_fn and next_functions names, backward(gradient=...),
retain_graph and the second-backward error, grad modes (also as decorators), detach,
requires_grad_, the non-leaf ``.grad`` warning, autograd.grad, in-place errors and the
version counter."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch  # noqa: E402
from _compare import assert_same, check_grads, random_array  # noqa: E402

pytestmark = pytest.mark.torch
LIBS = [torch, reftorch]


def arr(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


def on_both(fn):
    """Run ``fn(T)`` on both libraries; return (torch result, reftorch result) or the
    exceptions, and check exception types agree."""
    out = []
    for T in LIBS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(("ok", fn(T)))
        except Exception as e:  # noqa: BLE001
            out.append(("err", e))
    (kt, vt), (kr, vr) = out
    assert kt == kr, f"torch: {kt} {vt!r}; reftorch: {kr} {vr!r}"
    if kt == "err":
        assert type(vr).__name__ == type(vt).__name__, (vt, vr)
    return vt, vr


def same_errors(fn, msg=True):
    vt, vr = on_both(fn)
    assert isinstance(vt, Exception), f"torch did not raise: {vt!r}"
    if msg:
        assert str(vr).splitlines()[0] == str(vt).splitlines()[0], (str(vr), str(vt))


def names(fn):
    """The grad_fn name and the names of its next_functions."""
    if fn is None:
        return None
    return fn.name(), tuple(None if n is None else n.name() for n, _ in fn.next_functions)


# ------------------------------------------------------------------ flags
def test_leaf_flags():
    def fn(T):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([1.0, 2.0])
        c = a * 2
        with T.no_grad():
            d = a * 2
        return [(t.requires_grad, t.is_leaf, t.grad_fn is None) for t in (a, b, c, d, a.detach(), c.detach())]
    vt, vr = on_both(fn)
    assert vt == vr


def test_requires_grad_errors():
    same_errors(lambda T: T.tensor([1, 2]).requires_grad_())
    same_errors(lambda T: setattr(T.tensor([1, 2]), "requires_grad", True))
    same_errors(lambda T: setattr(T.tensor([1.0], requires_grad=True) * 2, "requires_grad", False))
    same_errors(lambda T: T.tensor([True], requires_grad=True))

    def ok(T):
        x = T.tensor([1.0])
        y = x.requires_grad_()
        z = (x * 2).requires_grad_(True)  # a non-leaf may switch it on (no-op)
        return y is x, x.requires_grad, z.requires_grad, x.requires_grad_(False).requires_grad
    vt, vr = on_both(ok)
    assert vt == vr


def test_nonleaf_grad_warning():
    for T in LIBS:
        x = T.tensor([1.0], requires_grad=True)
        y = x * 2
        with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
            assert y.grad is None
        y.retain_grad()
        y.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert y.grad.tolist() == [1.0]
            assert x.grad.tolist() == [2.0]


# ------------------------------------------------------------------ accumulation
def test_grad_accumulates_in_place():
    for T in LIBS:
        p = T.tensor([1.0, 2.0], requires_grad=True)
        unused = T.tensor([1.0], requires_grad=True)
        (p * p).sum().backward()
        g = p.grad
        (p * 3).sum().backward()
        assert g is p.grad
        assert p.grad.tolist() == [5.0, 7.0]
        assert unused.grad is None
        assert p.grad.requires_grad is False and p.grad.grad_fn is None
        p.grad = None
        (p * 1).sum().backward()
        assert p.grad.tolist() == [1.0, 1.0]


def test_grad_used_twice_and_diamond():
    def fn(T, x):
        y = x * 2
        return (y * y + y).sum() + x.sum()
    check_grads(fn, arr((3,)))

    def fn2(T, x):
        a = x.exp()
        return T.cat([a, a * x, x[:1]])
    check_grads(fn2, arr((3,)))


def test_backward_with_gradient():
    def fn(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(gradient=T.tensor([1.0, 0.5, -1.0]))
        return x.grad
    vt, vr = on_both(fn)
    assert_same(vr, vt)
    same_errors(lambda T: (T.tensor([1.0, 2.0], requires_grad=True) * 2).backward())
    same_errors(lambda T: (T.tensor([1.0, 2.0], requires_grad=True) * 2).backward(T.ones(3)))
    same_errors(lambda T: T.tensor([1.0, 2.0]).sum().backward())
    same_errors(lambda T: T.autograd.backward([T.tensor(1.0, requires_grad=True) * 2, T.tensor(1.0) * 2]))

    def scalar_like(T):
        x = T.tensor([[2.0]], requires_grad=True)
        (x * 3).backward()  # one element: implicit gradient of ones
        return x.grad
    vt, vr = on_both(scalar_like)
    assert_same(vr, vt)


def test_backward_on_leaf():
    def fn(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        x.backward(T.tensor([3.0, 4.0]))
        return x.grad
    vt, vr = on_both(fn)
    assert_same(vr, vt)


# ------------------------------------------------------------------ retain_graph
def test_second_backward_error_only_with_saved_tensors():
    def mul_graph(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_errors(mul_graph)

    def exp_graph(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp().sum()
        y.backward()
        y.backward()
    same_errors(exp_graph)

    def add_graph(T):  # nothing saved: a second backward works and accumulates
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    vt, vr = on_both(add_graph)
    assert_same(vr, vt)

    def retained(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    vt, vr = on_both(retained)
    assert_same(vr, vt)


# ------------------------------------------------------------------ grad modes
def test_grad_modes():
    def fn(T):
        x = T.tensor([1.0], requires_grad=True)
        out = []
        with T.no_grad():
            out.append((x * 2).requires_grad)
            out.append(T.is_grad_enabled())
            with T.enable_grad():
                out.append((x * 2).requires_grad)
            with T.set_grad_enabled(True):
                out.append((x * 2).requires_grad)
        with T.set_grad_enabled(False):
            out.append((x * 2).requires_grad)
        out.append(T.is_grad_enabled())
        T.set_grad_enabled(False)
        out.append((x * 2).requires_grad)
        T.set_grad_enabled(True)
        out.append((x * 2).requires_grad)

        @T.no_grad()
        def f(v):
            return v * 2

        @T.enable_grad()
        def g(v):
            return v * 2

        out.append(f(x).requires_grad)
        with T.no_grad():
            out.append(g(x).requires_grad)
        out.append(T.is_grad_enabled())

        @T.set_grad_enabled(False)
        def h(v):
            return v * 2
        out.append(h(x).requires_grad)
        out.append(T.is_grad_enabled())
        return out
    vt, vr = on_both(fn)
    assert vt == vr


def test_grad_mode_restored_after_exception():
    for T in LIBS:
        with pytest.raises(ValueError):
            with T.no_grad():
                raise ValueError
        assert T.is_grad_enabled()


# ------------------------------------------------------------------ detach
def test_detach_shares_memory():
    for T in LIBS:
        x = T.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        assert not d.requires_grad and d.is_leaf
        with T.no_grad():
            x[0] = 5.0
        assert d[0].item() == 5.0
        d[1] = 7.0
        assert x[1].item() == 7.0
        y = x * 2
        dy = y.detach()
        dy.zero_()
        assert y.tolist() == [0.0, 0.0]


# ------------------------------------------------------------------ autograd.grad
def test_autograd_grad():
    def fn(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        y = (x * w).sum()
        gx, gw = T.autograd.grad(y, [x, w])
        return gx, gw, x.grad is None, w.grad is None
    vt, vr = on_both(fn)
    assert_same(vr, vt)

    def single(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        return T.autograd.grad((x ** 2).sum(), x)
    vt, vr = on_both(single)
    assert_same(vr, vt)

    def nonleaf(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        return T.autograd.grad((h * h).sum(), h)
    vt, vr = on_both(nonleaf)
    assert_same(vr, vt)

    def unused(T):
        x = T.tensor([1.0], requires_grad=True)
        z = T.tensor([1.0], requires_grad=True)
        return T.autograd.grad((x * 2).sum(), [x, z])
    same_errors(unused)

    def allow_unused(T):
        x = T.tensor([1.0], requires_grad=True)
        z = T.tensor([1.0], requires_grad=True)
        return T.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    vt, vr = on_both(allow_unused)
    assert vr[1] is None and vt[1] is None
    assert_same(vr[0], vt[0])

    def with_grad_outputs(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        return T.autograd.grad(x * x, x, grad_outputs=T.tensor([1.0, -1.0]))
    vt, vr = on_both(with_grad_outputs)
    assert_same(vr, vt)
    same_errors(lambda T: T.autograd.grad((T.tensor([1.0], requires_grad=True) * 2).sum(), T.tensor([1.0])))


# ------------------------------------------------------------------ grad_fn names
NAMED = {
    "cat": lambda T, x: T.cat([x, x * 2]),
    "stack": lambda T, x: T.stack([x, x]),
    "view": lambda T, x: x.view(6),
    "reshape_nc": lambda T, x: x.t().reshape(6),
    "squeeze": lambda T, x: x.unsqueeze(0).squeeze(),
    "squeeze1": lambda T, x: x.unsqueeze(0).squeeze(0),
    "squeeze2": lambda T, x: x.unsqueeze(0).squeeze((0,)),
    "select": lambda T, x: x[0],
    "slice": lambda T, x: x[:1],
    "index": lambda T, x: x[[0, 1]],
    "index_select": lambda T, x: x.index_select(1, T.tensor([0, 2])),
    "gather": lambda T, x: x.gather(1, T.tensor([[0], [1]])),
    "masked_fill": lambda T, x: x.masked_fill(x > 0, 0.0),
    "sum": lambda T, x: x.sum(),
    "sum_dim": lambda T, x: x.sum(1),
    "mean": lambda T, x: x.mean(),
    "mean_dim": lambda T, x: x.mean(0),
    "max": lambda T, x: x.max(),
    "max_dim": lambda T, x: x.max(1).values,
    "min_dim": lambda T, x: x.min(0)[0],
    "exp_log": lambda T, x: (x.exp() + 1).log(),
    "neg": lambda T, x: -x,
    "sub_r": lambda T, x: 1 - x,
    "pow": lambda T, x: x ** 2,
    "rpow": lambda T, x: 2 ** x,
    "powt": lambda T, x: x ** x,
    "div": lambda T, x: x / (x * x + 1),
    "mm": lambda T, x: x @ x.t(),
    "mv": lambda T, x: x @ T.ones(3),
    "dot": lambda T, x: x[0] @ x[1],
    "bmm": lambda T, x: T.bmm(x.unsqueeze(0), x.t().unsqueeze(0)),
    "matmul3": lambda T, x: x.unsqueeze(0) @ x.t(),
    "expand": lambda T, x: x[:, :1].expand(2, 4),
    "permute": lambda T, x: x.permute(1, 0),
    "transpose": lambda T, x: x.transpose(0, 1),
    "t": lambda T, x: x.t(),
    "clone": lambda T, x: x.clone(),
    "contiguous": lambda T, x: x.t().contiguous(),
    "to": lambda T, x: x.double(),
    "flatten": lambda T, x: x.flatten(),
    "unsqueeze": lambda T, x: x.unsqueeze(-1),
    "alias": lambda T, x: x[...],
    "relu_sig_tanh": lambda T, x: T.relu(T.sigmoid(T.tanh(x))),
    "sqrt_abs": lambda T, x: T.sqrt(T.abs(x) + 1),
    "sin_cos": lambda T, x: T.sin(T.cos(x)),
    "repeat": lambda T, x: x.repeat(2, 1),
}


@pytest.mark.parametrize("key", sorted(NAMED))
def test_grad_fn_and_next_functions(key):
    fn = NAMED[key]

    def run(T):
        x = T.tensor(arr((2, 3)), requires_grad=True)
        y = fn(T, x)
        return names(y.grad_fn), (names(y.grad_fn.next_functions[0][0]) if y.grad_fn.next_functions
                                  and y.grad_fn.next_functions[0][0] is not None else None)
    vt, vr = on_both(run)
    if key in COMPOSITE:  # PyTorch builds these from several nodes; reftorch records one
        assert vr[0][0] == vt[0][0], f"grad_fn {vr[0][0]} != torch's {vt[0][0]}"
    else:
        assert vr == vt
    check_grads(lambda T, x: fn(T, x), arr((2, 3)))


COMPOSITE = {"matmul3"}


def test_next_functions_simple_chains():
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        c = T.tensor([1.0, 1.0])
        y = (x * w + c).sum()
        return names(y.grad_fn), names(y.grad_fn.next_functions[0][0]), \
            names(y.grad_fn.next_functions[0][0].next_functions[0][0])
    vt, vr = on_both(run)
    assert vt == vr


# ------------------------------------------------------------------ in-place rules
def test_inplace_on_leaf_errors():
    def leaf(T):
        w = T.ones(3, requires_grad=True)
        w.add_(1)
    same_errors(leaf)

    def view_of_leaf(T):
        w = T.ones(3, requires_grad=True)
        w[:2].mul_(2)
    same_errors(view_of_leaf)

    def ok_no_grad(T):
        w = T.ones(3, requires_grad=True)
        with T.no_grad():
            w.mul_(2)
            w[0].add_(1)
        return w
    vt, vr = on_both(ok_no_grad)
    assert_same(vr, vt)


def test_version_counter_error():
    def fn(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    same_errors(fn)

    def fine(T):  # add does not save its inputs: modifying one afterwards is fine
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a = x * 1
        y = a + 2
        a.add_(1)
        y.sum().backward()
        return x.grad
    vt, vr = on_both(fine)
    assert_same(vr, vt)

    def mv_does_not_save_matrix(T):
        w = T.ones(2, 3, requires_grad=True)
        v = T.ones(3)
        y = w @ v
        with T.no_grad():
            v2 = T.ones(3)
        w2 = w * 1
        y2 = w2 @ v2
        w2.add_(1)  # mv saves the vector only (w2 does not need saving: v2 has no grad)
        (y + y2).sum().backward()
        return w.grad
    vt, vr = on_both(mv_does_not_save_matrix)
    assert_same(vr, vt)

    def versions(T):
        def version(t):
            return t._version
        x = T.zeros(3)
        v0 = version(x)
        x.add_(1)
        x[0] = 2
        y = x[1:]
        y.mul_(2)
        return version(x) - v0, version(y) - v0, version(x.detach()) - v0
    vt, vr = on_both(versions)
    assert vt == vr


def test_inplace_on_nonleaf_records_graph():
    def fn(T, w):
        x = w * 2
        x.add_(1)
        x.mul_(w.detach())
        return x
    check_grads(fn, arr((3,)))

    def self_mul(T):  # mul_ saves its inputs before the write: both libraries fail
        w = T.tensor([1.0, 2.0], requires_grad=True)
        x = w * 2
        x.mul_(x)
        x.sum().backward()
    same_errors(self_mul)

    def detached_alias(T):
        w = T.tensor([1.0, 2.0], requires_grad=True)
        x = w * 2
        x.mul_(x.detach())
        x.sum().backward()
    same_errors(detached_alias)

    def fn2(T, w):
        x = w * 3
        x.masked_fill_(x > 1, 0.0)
        return x
    check_grads(fn2, arr((3,)))

    def exp_then_fill(T):  # exp saves its output: writing into it breaks the backward
        w = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x = w.exp()
        x.masked_fill_(x > 1, 0.0)
        x.sum().backward()
    same_errors(exp_then_fill)

    def exp_inplace(T):  # exp_ saves the tensor it wrote into, at its new version
        w = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x = w * 1
        x.exp_()
        x.sum().backward()
        return w.grad
    vt, vr = on_both(exp_inplace)
    assert_same(vr, vt)

    def exp_inplace_then_modified(T):
        w = T.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x = w * 1
        x.exp_()
        x.add_(1)
        x.sum().backward()
    same_errors(exp_inplace_then_modified)


def test_zero_grad_pattern():
    for T in LIBS:
        w = T.tensor([1.0, 2.0], requires_grad=True)
        for _ in range(3):
            w.grad = None
            (w * w).sum().backward()
        assert w.grad.tolist() == [2.0, 4.0]
        w.grad.zero_()
        assert w.grad.tolist() == [0.0, 0.0]


def test_grad_setter_checks():
    same_errors(lambda T: setattr(T.ones(2, requires_grad=True), "grad", T.ones(3)))
    same_errors(lambda T: setattr(T.ones(2, requires_grad=True), "grad", T.ones(2, dtype=T.float64)))


# ------------------------------------------------------------------ in place through views
VIEW_WRITES = {
    "iadd_row": lambda T, x, w: x[0].__iadd__(w[0]),
    "mul_col": lambda T, x, w: x[:, 1].mul_(w[1]),
    "aug_assign": lambda T, x, w: x.__setitem__(0, x[0] + w[0]),
    "transposed": lambda T, x, w: x.t()[1].sub_(w[:, 0]),
    "view_flat": lambda T, x, w: x.view(-1)[1:3].mul_(2),
    "masked_on_view": lambda T, x, w: x[1:].masked_fill_(x[1:] > 0, 0.0),
    "exp_on_view": lambda T, x, w: x[:, 0].exp_(),
    "setitem_on_view": lambda T, x, w: x[1].__setitem__(slice(0, 2), w[0, :2]),
}


@pytest.mark.parametrize("key", sorted(VIEW_WRITES))
def test_inplace_through_views(key):
    write = VIEW_WRITES[key]

    def fn(T, a, w):
        x = a * 1
        write(T, x, w)
        return x * w
    check_grads(fn, arr((3, 3)), arr((3, 3), seed=1))

    def plain_base(T, w):  # the base does not require grad, the written values do
        x = T.zeros(3, 3)
        write(T, x, w)
        return x
    check_grads(plain_base, arr((3, 3), seed=1))


def test_inplace_through_view_grad_fn_names():
    def run(T):
        w = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        x = w * 1
        x[0] += 1
        v = x[1]
        v.mul_(3)
        return names(x.grad_fn), names(v.grad_fn), repr(x)
    vt, vr = on_both(run)
    assert vt == vr

    def leaf_view(T):
        w = T.ones(2, 2, requires_grad=True)
        w[0].add_(1)
    same_errors(leaf_view)

    def leaf_view_setitem(T):
        w = T.ones(2, 2, requires_grad=True)
        w[0][1] = 3.0
    same_errors(leaf_view_setitem)


def test_detach_is_not_a_view():
    for T in LIBS:
        x = T.ones(3, requires_grad=True)
        assert x.detach()._base is None
        assert x[1:]._base is x
        assert x[1:][1:]._base is x


def test_setitem_grad_fn_names():
    def run(T):
        x = T.ones(3, requires_grad=True)
        out = []
        for key, val in ((0, 2.0), ([0, 1], 2.0), (T.tensor([True, False, True]), 0.0),
                         (T.tensor([0, 1]), T.tensor([5.0, 6.0], requires_grad=True)), (slice(1, None), 1.0)):
            u = x * 1
            u[key] = val
            out.append(names(u.grad_fn))
        v = (x * 1).view(3, 1)
        v[:, 0][T.tensor([True, False, True])] = 2.0
        out.append(names(v.grad_fn))
        return out
    vt, vr = on_both(run)
    assert vt == vr

    def fn(T, w, v):
        x = w * 1
        x[x > 0] = 0.0
        x[T.tensor([0, 2])] = v
        return x
    check_grads(fn, arr((3,)), arr((2,), seed=1))


def test_views_see_writes_through_other_views():
    def fn(T, a):
        u = a * 1
        v = u.view(2, 2)
        w = u[2:]
        v[0].mul_(10)  # changes v's memory; w shares the base but not the region
        return (w * w).sum() + (v * 3).sum() + (u * u).sum()
    check_grads(fn, arr((4,)))

    def names_after(T):
        x = T.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        u = x * 1
        v, w = u.view(2, 2), u[2:]
        u.add_(1)  # a write into the base itself
        return names(v.grad_fn), names(w.grad_fn), names(u.grad_fn)
    vt, vr = on_both(names_after)
    assert vt == vr


def test_backward_inputs():
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        y = (h * h).sum()
        y.backward(inputs=[w], retain_graph=True)
        first = (x.grad, w.grad.clone())
        y.backward(inputs=[x, h])
        return first, x.grad, w.grad, h.grad
    vt, vr = on_both(run)
    assert_same(vr, vt)
    same_errors(lambda T: (T.tensor([1.0], requires_grad=True) * 2).sum().backward(inputs=[]))


def _shares(a, b):
    return np.shares_memory(np.asarray(a.detach().numpy()), np.asarray(b.detach().numpy()))


def test_first_grad_steals_a_fresh_buffer():
    # A gradient array made by the last backward and referenced by nothing else becomes
    # .grad without a copy (PyTorch steals it); the values and later in-place accumulation
    # are as before.
    from reftorch.autograd.function import OpFunction as Function

    ptrs = []

    class Triple(Function):
        name = "TripleBackward"

        @staticmethod
        def forward(ctx, x):
            return x._data * 3

        @staticmethod
        def backward(ctx, g):
            out = g * 3
            ptrs.append(out.__array_interface__["data"][0])
            return out

    x = reftorch.tensor([1.0, 2.0], requires_grad=True)
    Triple.apply(x).backward(reftorch.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]
    assert x.grad.data_ptr() == ptrs[0]  # the backward's own buffer, not a copy
    g = x.grad
    Triple.apply(x).backward(reftorch.ones(2))
    assert g is x.grad and x.grad.tolist() == [6.0, 6.0]
    for T in LIBS:  # the same through ordinary ops, against torch's values
        p = T.tensor([1.0, 2.0], requires_grad=True)
        (p * 2).sum().backward()
        g = p.grad
        (p * p).sum().backward()
        assert g is p.grad and p.grad.tolist() == [4.0, 6.0]


def test_first_grad_is_copied_when_the_array_is_shared():
    for T in LIBS:
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0], requires_grad=True)
        gout = T.tensor([1.0, 10.0])
        (a + b).backward(gout)  # AddBackward passes the caller's gradient to both leaves
        assert not _shares(a.grad, b.grad) and not _shares(a.grad, gout) and not _shares(b.grad, gout)
        (a * 2 + b).backward(gout)
        assert a.grad.tolist() == [3.0, 30.0] and b.grad.tolist() == [2.0, 20.0]
        assert gout.tolist() == [1.0, 10.0]
        if T is reftorch:
            # An identity-like backward (a view) of the caller's gradient. PyTorch 2.13
            # steals the view here, so its .grad shares the caller's memory and the next
            # accumulation writes into the caller's tensor; reftorch copies instead.
            c = T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
            gv = T.ones(4)
            c.view(4).backward(gv)
            assert not _shares(c.grad, gv)
            c.view(4).backward(gv)
            assert gv.tolist() == [1.0] * 4 and c.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]
        # the same fresh gradient reaching two leaves through one node
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = T.tensor([5.0, 6.0], requires_grad=True)
        ((x + y) * 3).sum().backward()
        assert not _shares(x.grad, y.grad)
        (x * 1).sum().backward()
        assert x.grad.tolist() == [4.0, 4.0] and y.grad.tolist() == [3.0, 3.0]
        # a retained non-leaf gradient and the leaf's gradient stay separate
        z = T.tensor([1.0, 2.0], requires_grad=True)
        w = z * 2
        w.retain_grad()
        v = w.view(2)
        (v * 5).sum().backward()
        assert not _shares(w.grad, z.grad)
        z.grad.add_(1)
        assert w.grad.tolist() == [5.0, 5.0] and z.grad.tolist() == [11.0, 11.0]


@pytest.mark.parametrize("case", ["transposed", "transposed-mm", "channels-last", "sliced", "expanded",
                                  "size-1-stride", "size-1-stride-sum", "permuted-exp", "row-major"])
def test_leaf_grad_follows_the_layout_contract(case):
    """A leaf's first ``.grad`` has the leaf's strides when the leaf is non-overlapping and
    dense, else row-major strides (PyTorch's gradient layout contract), whatever layout the
    incoming gradient had."""
    def run(T):
        make, f = {
            "transposed": (lambda: T.ones(3, 2).t(), lambda x: (x * 2).sum()),
            "transposed-mm": (lambda: T.ones(3, 2).t(), lambda x: (x @ T.ones(3, 4)).sum()),
            "channels-last": (lambda: T.ones(2, 4, 5, 3).permute(0, 3, 1, 2), lambda x: x.sum()),
            "sliced": (lambda: T.ones(4, 3)[::2], lambda x: (x * 3).sum()),
            "expanded": (lambda: T.ones(3, 1).expand(3, 4), lambda x: x.sum()),
            "size-1-stride": (lambda: T.ones(3, 7)[:1, :3], lambda x: (x * x).sum()),
            "size-1-stride-sum": (lambda: T.ones(3, 7)[:1, :3], lambda x: x.sum()),
            "permuted-exp": (lambda: T.ones(2, 3, 4).permute(2, 0, 1), lambda x: x.exp().sum()),
            "row-major": (lambda: T.ones(2, 3), lambda x: (x.t() * 2).sum()),
        }[case]
        x = make().detach().requires_grad_()
        f(x).backward()
        first = x.grad.stride()
        f(x).backward()  # accumulated in place: the layout stays
        return first, x.grad.stride(), x.grad.tolist()
    got, expected = run(reftorch), run(torch)
    assert got[:2] == expected[:2]
    np.testing.assert_allclose(got[2], expected[2], rtol=1e-6)  # (exp may differ in the last bit)
