"""Differential tests against PyTorch 2.13 for three small conformance differences:

* layer and group norm of rows whose moments overflow (PyTorch's ``RowwiseMoments``
  gives ``nan`` for a row of values beyond ``sqrt(max)``, an ``inf`` variance, so zeros,
  for a row whose squared deviations overflow);
* the signs of zero in ``nll_loss``'s gradient (``-weight * grad`` written into zeros);
* ``nll_loss``'s gradient as a differentiable op (``NllLossBackwardBackward0``).
"""
import numpy as np
import pytest
import torch

import reftorch as rt

F, TF = rt.nn.functional, torch.nn.functional


def _close(r, t):
    torch.testing.assert_close(torch.from_numpy(np.array(r.detach().numpy())), t.detach(), equal_nan=True,
                               rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------- layer and group norm
@pytest.mark.parametrize("dtype,big", [(np.float32, 3e37), (np.float32, 2e19), (np.float64, 1e155)])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 24, 100, 129, 300])
def test_layer_norm_constant_rows_of_large_values(dtype, big, n):
    # a constant row beyond sqrt(max): nan when the last, scalar merge of PyTorch's moments
    # has nothing on one side (fewer elements than a vector, or none after the last one)
    a = np.full((2, n), big, dtype)
    a[1] = -big
    r = F.layer_norm(rt.tensor(a), (n,))
    t = TF.layer_norm(torch.from_numpy(a), (n,))
    _close(r, t)


@pytest.mark.parametrize("scale", [1e17, 1e19, 3e19, 1e20, 1e25, 1e37, 3e38])
@pytest.mark.parametrize("n", [2, 4, 7, 8, 9, 16, 17, 33, 256, 257, 600])
def test_layer_and_group_norm_rows_of_large_values(scale, n):
    rng = np.random.default_rng(n)
    rows = [rng.standard_normal(n) * scale, (rng.random(n) + 1) * scale, rng.standard_normal(n)]
    rows[2][n // 2] = scale  # one large element in an ordinary row
    with np.errstate(over="ignore"):  # (3e38 * 1.9 is beyond float32: inf, an input like any other)
        a = np.stack(rows).astype(np.float32)
    w = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    r = F.layer_norm(rt.tensor(a), (n,), rt.tensor(w), rt.tensor(b))
    t = TF.layer_norm(torch.from_numpy(a), (n,), torch.from_numpy(w), torch.from_numpy(b))
    _close(r, t)
    if n % 2 == 0:
        r = F.group_norm(rt.tensor(a).reshape(3, 2, n // 2), 2)
        t = TF.group_norm(torch.from_numpy(a).reshape(3, 2, n // 2), 2)
        _close(r, t)


def test_group_norm_constant_groups_of_large_values():
    a = np.full((2, 4, 3), 3e37, np.float32)
    a[1, 2:] = 1.5  # an ordinary constant group
    r = F.group_norm(rt.tensor(a), 2)
    t = TF.group_norm(torch.from_numpy(a), 2)
    _close(r, t)
    assert bool(torch.isnan(t[0]).all()) and bool(rt.isnan(r[0]).all())


def test_overflow_rows_leave_ordinary_rows_bit_identical():
    rng = np.random.default_rng(0)
    ordinary = rng.standard_normal((5, 24)).astype(np.float32)
    mixed = ordinary.copy()
    mixed[2] = 3e37  # a rare row among ordinary ones
    alone = F.layer_norm(rt.tensor(ordinary), (24,)).numpy()
    together = F.layer_norm(rt.tensor(mixed), (24,)).numpy()
    keep = [0, 1, 3, 4]
    assert np.array_equal(alone[keep].view(np.uint32), together[keep].view(np.uint32))
    assert np.isnan(together[2]).all()
    _close(F.layer_norm(rt.tensor(mixed), (24,)), TF.layer_norm(torch.from_numpy(mixed), (24,)))


def test_layer_norm_overflow_rows_backward():
    a = np.array([[3e37] * 4, [1.0, -2.0, 3.0, 0.5], [1e30, -1e30, 1.0, 2.0]], np.float32)
    g = np.array([[1.0, 2.0, -1.0, 0.5]] * 3, np.float32)
    xr, xt = rt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    wr, wt = rt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True), torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    yr, yt = F.layer_norm(xr, (4,), wr), TF.layer_norm(xt, (4,), wt)
    _close(yr, yt)
    yr.backward(rt.tensor(g))
    yt.backward(torch.tensor(g))
    _close(xr.grad, xt.grad)
    _close(wr.grad, wt.grad)


def test_overflow_rows_on_the_strict_device():
    # the same kernel over the array API standard (the stand-in accelerator)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 300)).astype(np.float32)
    a[1] = 3e37
    a[2, 7] = 1e25
    a[3, :150] = 1e30
    t = TF.layer_norm(torch.from_numpy(a), (300,))
    r = F.layer_norm(rt.tensor(a, device="strict"), (300,)).to("cpu")
    _close(r, t)
    t = TF.group_norm(torch.from_numpy(a).reshape(2, 4, 150), 2)
    r = F.group_norm(rt.tensor(a, device="strict").reshape(2, 4, 150), 2).to("cpu")
    _close(r, t)


# ----------------------------------------------------------------- nll_loss's gradient
def _same(r, t):
    """Values (nan where nan) and the sign bit of every element, zeros included."""
    rt_ = torch.from_numpy(np.array(r.detach().numpy()))
    torch.testing.assert_close(rt_, t.detach(), equal_nan=True, rtol=1e-6, atol=0)
    assert torch.equal(torch.signbit(rt_), torch.signbit(t.detach())), (rt_, t)


_LOGITS = [[0.5, -1.0, 2.0], [1.0, 0.0, -2.0], [0.3, 0.2, 0.1]]


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weight", [None, [0.0, 1.0, 2.0], [-1.0, 1.0, 0.0], [0.7, 1.3, 0.1]])
@pytest.mark.parametrize("ignore_index", [-100, 1, 0])
@pytest.mark.parametrize("grad", [0.0, -0.0, 2.0, -3.0])
def test_nll_loss_gradient_signs(reduction, weight, ignore_index, grad):
    out = []
    for L in (rt, torch):
        x = L.tensor(_LOGITS, requires_grad=True)
        w = None if weight is None else L.tensor(weight)
        loss = L.nn.functional.nll_loss(x, L.tensor([2, 0, 1]), weight=w, ignore_index=ignore_index,
                                        reduction=reduction)
        go = L.tensor([grad, -grad, grad]) if reduction == "none" else L.tensor(grad)
        out.append(L.autograd.grad(loss, x, go)[0])
    _same(*out)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("grad", [0.0, -0.0, 2.0])
def test_nll_loss_gradient_signs_one_dim_and_four_dim(reduction, grad):
    out = []
    for L in (rt, torch):
        x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        loss = L.nn.functional.nll_loss(x, L.tensor(1), weight=L.tensor([1.0, -2.0, 3.0]), reduction=reduction)
        out.append(L.autograd.grad(loss, x, L.tensor(grad))[0])
    _same(*out)
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 2, 2) / 7
    tgt = np.array([[[0, 1], [2, 1]], [[1, 1], [0, 2]]])
    out = []
    for L in (rt, torch):
        x = L.tensor(a, requires_grad=True)
        loss = L.nn.functional.nll_loss(x, L.tensor(tgt), reduction=reduction, ignore_index=2)
        out.append(L.autograd.grad(loss, x, L.full(tuple(loss.shape), grad))[0])
    _same(*out)


def test_nll_loss_saves_its_input_as_pytorch_does():
    # PyTorch's NllLossBackward0 saves self: changing it in place is an error at backward
    for L in (rt, torch):
        x = L.tensor(_LOGITS, requires_grad=True)
        y = x * 1
        loss = L.nn.functional.nll_loss(y, L.tensor([2, 0, 1]))
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


# ----------------------------------------------------------------- double backward
def _grad_fn_name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weight", [None, [0.5, 1.0, 2.0]])
@pytest.mark.parametrize("shape,target", [((3, 3), [2, 0, 1]), ((3,), 1), ((2, 3, 2, 2), [[[0, 1], [2, 1]], [[1, 1], [0, 2]]])])
def test_nll_loss_double_backward(reduction, weight, shape, target):
    a = (np.arange(np.prod(shape), dtype=np.float32).reshape(shape) - 4) / 5
    res = {}
    for L in (rt, torch):
        x = L.tensor(a, requires_grad=True)
        w = None if weight is None else L.tensor(weight)
        loss = L.nn.functional.nll_loss(x, L.tensor(target), weight=w, reduction=reduction, ignore_index=1)
        go = L.tensor(np.linspace(-1.0, 2.0, max(loss.numel(), 1), dtype=np.float32).reshape(tuple(loss.shape)),
                      requires_grad=True)
        g, = L.autograd.grad(loss, x, go, create_graph=True)
        names = (_grad_fn_name(g), [None if f is None else f.name() for f, _ in g.grad_fn.next_functions])
        probe = L.tensor(np.linspace(0.5, -1.5, g.numel(), dtype=np.float32).reshape(tuple(g.shape)))
        gx, gg = L.autograd.grad((g * g * probe).sum(), (x, go), create_graph=True)
        # third order: the gradient with respect to grad_output is nll_loss again
        ggg, = L.autograd.grad((gg * gg).sum(), go, allow_unused=True)
        res[L] = (names, g, gx, gg, ggg, _grad_fn_name(gg))
    r, t = res[rt], res[torch]
    assert r[0] == t[0]
    for i in (1, 2, 3, 4):
        _close(r[i], t[i])
    assert r[5] == t[5]


def test_nll_loss_create_graph_with_implicit_grad_output():
    res = {}
    for L in (rt, torch):
        x = L.tensor(_LOGITS, requires_grad=True)
        g, = L.autograd.grad(L.nn.functional.nll_loss(x, L.tensor([2, 0, 1])), x, create_graph=True)
        assert g.requires_grad
        res[L] = (g.grad_fn.name(), g, L.autograd.grad(g.sum(), x)[0])
    assert res[rt][0] == res[torch][0] == "NllLossBackwardBackward0"
    _close(res[rt][1], res[torch][1])
    _close(res[rt][2], res[torch][2])  # zeros


@pytest.mark.parametrize("weight", [None, [0.5, 1.0, 2.0]])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_double_backward(weight, reduction):
    a = np.array(_LOGITS, np.float32)
    res = {}
    for L in (rt, torch):
        x = L.tensor(a, requires_grad=True)
        w = None if weight is None else L.tensor(weight)
        loss = L.nn.functional.cross_entropy(x, L.tensor([2, 0, 1]), weight=w, reduction=reduction)
        go = L.ones_like(loss)
        g, = L.autograd.grad(loss, x, go, create_graph=True)
        h, = L.autograd.grad((g * g).sum(), x, create_graph=True)
        hh, = L.autograd.grad(h.sum(), x)
        res[L] = (g.grad_fn.name(), g, h, hh)
    assert res[rt][0] == res[torch][0]
    for i in (1, 2, 3):
        _close(res[rt][i], res[torch][i])


@pytest.mark.parametrize("shape,tshape", [((2, 3, 4), (2, 4)), ((2, 3, 2, 1, 2), (2, 2, 1, 2)), ((2, 3, 2, 2), (2, 2, 2))])
@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("ce", [False, True])
def test_nll_loss_n_dims_graph_and_double_backward(shape, tshape, reduction, ce):
    # PyTorch views a 3-D or 5-D input as (N, C, 1, -1) for nll_loss2d: ViewBackward0 around
    # NllLoss2DBackward0, whose gradient is NllLoss2DBackwardBackward0
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape).astype(np.float32)
    tg = rng.integers(0, shape[1], tshape)
    res = {}
    for L in (rt, torch):
        x = L.tensor(a, requires_grad=True)
        fn = L.nn.functional.cross_entropy if ce else L.nn.functional.nll_loss
        loss = fn(x, L.tensor(tg), reduction=reduction, weight=L.tensor([0.5, 1.0, 2.0]))
        go = L.ones_like(loss).requires_grad_()
        g, = L.autograd.grad(loss, x, go, create_graph=True)
        names = (loss.grad_fn.name(), [f.name() if f else None for f, _ in loss.grad_fn.next_functions],
                 g.grad_fn.name(), [f.name() if f else None for f, _ in g.grad_fn.next_functions])
        hx, hgo = L.autograd.grad((g * g).sum(), (x, go))
        res[L] = (names, g, hx, hgo)
    assert res[rt][0] == res[torch][0]
    for i in (1, 2, 3):
        _close(res[rt][i], res[torch][i])


def test_nll_loss_signs_and_double_backward_on_the_strict_device():
    x = rt.tensor(_LOGITS, device="strict", requires_grad=True)
    t = rt.tensor([2, 0, 1], device="strict")
    loss = F.nll_loss(x, t, weight=rt.tensor([0.0, 1.0, 2.0], device="strict"), reduction="none")
    g, = rt.autograd.grad(loss, x, rt.tensor([0.0, -0.0, 1.0], device="strict"))
    xt = torch.tensor(_LOGITS, requires_grad=True)
    lt = TF.nll_loss(xt, torch.tensor([2, 0, 1]), weight=torch.tensor([0.0, 1.0, 2.0]), reduction="none")
    gt, = torch.autograd.grad(lt, xt, torch.tensor([0.0, -0.0, 1.0]))
    _same(g.to("cpu"), gt)
    go = rt.ones(3, device="strict", requires_grad=True)
    g, = rt.autograd.grad(F.nll_loss(x, t, reduction="none"), x, go, create_graph=True)
    assert g.grad_fn.name() == "NllLossBackwardBackward0"
    hx, hgo = rt.autograd.grad((g * g).sum(), (x, go))
    got = torch.ones(3, requires_grad=True)
    gt, = torch.autograd.grad(TF.nll_loss(xt, torch.tensor([2, 0, 1]), reduction="none"), xt, got,
                              create_graph=True)
    hxt, hgot = torch.autograd.grad((gt * gt).sum(), (xt, got))
    _close(hx.to("cpu"), hxt)  # zeros
    _close(hgo.to("cpu"), hgot)  # d/dgo of sum(go_i ** 2) at go = 1: twos


def test_layer_and_group_norm_overflow_rows_under_create_graph():
    a = np.array([[3e37] * 4, [1.0, -2.0, 3.0, 0.5]], np.float32)
    res = {}
    for L in (rt, torch):
        x = L.tensor(a, requires_grad=True)
        g, = L.autograd.grad(L.nn.functional.layer_norm(x, (4,)), x, L.tensor([[1.0, 2.0, 3.0, 4.0]] * 2),
                             create_graph=True)
        h, = L.autograd.grad((g * g).sum(), x)
        x3 = L.tensor(a.reshape(2, 2, 2), requires_grad=True)
        g3, = L.autograd.grad(L.nn.functional.group_norm(x3, 2), x3, L.tensor(a.reshape(2, 2, 2) / 1e37),
                              create_graph=True)
        h3, = L.autograd.grad((g3 * g3).sum(), x3)
        res[L] = (g, h, g3, h3)
    for r, t in zip(res[rt], res[torch]):
        _close(r, t)


def test_nll_loss_weight_requiring_grad_is_refused_as_in_pytorch():
    cases = [((3, 3), [0, 1, 2], None), ((2, 3, 2, 2), [[[0, 1], [2, 1]], [[1, 1], [0, 2]]], None),
             ((3, 3), [0, 1, 2], "ce"), ((3, 3), [0, 1, 2], "smooth")]
    for shape, target, kind in cases:
        msgs = []
        for L in (rt, torch):
            x = L.zeros(shape)
            w = L.ones(3, requires_grad=True)
            f = L.nn.functional
            with pytest.raises(RuntimeError) as err:
                if kind is None:
                    f.nll_loss(x, L.tensor(target), weight=w)
                else:
                    f.cross_entropy(x, L.tensor(target), weight=w, label_smoothing=0.1 if kind == "smooth" else 0.0)
            msgs.append(str(err.value))
            with L.no_grad():  # no graph, no check
                f.nll_loss(x, L.tensor(target), weight=w)
        assert msgs[0] == msgs[1]
