"""Differential tests of higher-order gradients (``create_graph=True``) against PyTorch:
double backward of each covered op (values, and ``grad_fn`` names where reftorch records
PyTorch's), Hessian-vector products, a gradient-penalty training step, ``.grad`` under
``backward(create_graph=True)``, the interplay with ``retain_graph``, hypothesis over
shapes, and the errors for what cannot be differentiated."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import torch  # the oracle: the test command installs it, so its absence must fail loudly

import reftorch
from _compare import assert_close_or_none, forget_warning

pytestmark = pytest.mark.torch


def _t(T, a, grad=True):
    return T.tensor(a, requires_grad=grad)


def _close(r, t, tol=1e-10):
    assert_close_or_none(r, t, tol)


RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
W = RNG.standard_normal((4, 2))
V = RNG.standard_normal((3, 4))

# name -> f(T, x, w): a tensor built from x (3, 4) and w (4, 2); float64 throughout.
CASES = {
    "mul": lambda T, x, w: x * x,
    "mul_broadcast": lambda T, x, w: x * x[0],
    "add_sub_neg": lambda T, x, w: (x + 2 * x - x[:, :1]) * (-x),
    "div": lambda T, x, w: x / (x * x + 1),
    "div_scalar": lambda T, x, w: 1 / (x * x + 1),
    "pow_scalar": lambda T, x, w: x ** 3,
    "pow_tensor": lambda T, x, w: (x * x + 1) ** x,
    "tanh": lambda T, x, w: x.tanh(),
    "sigmoid": lambda T, x, w: T.sigmoid(x),
    "exp": lambda T, x, w: x.exp(),
    "log": lambda T, x, w: (x * x + 1).log(),
    "sqrt": lambda T, x, w: (x * x + 1).sqrt(),
    "sin_cos": lambda T, x, w: x.sin() * x.cos(),
    "abs_relu": lambda T, x, w: x.abs() * T.relu(x) * x,
    "where": lambda T, x, w: T.where(x > 0, x * x, x.exp()),
    "matmul": lambda T, x, w: (x @ w) ** 2,
    "matmul_vec": lambda T, x, w: (x @ w[:, 0]) ** 2,
    "sum": lambda T, x, w: x.sum(0) ** 2,
    "sum_keepdim": lambda T, x, w: x.sum(1, keepdim=True) * x,
    "mean": lambda T, x, w: x.mean() ** 2 + x.mean(0) ** 3,
    "view": lambda T, x, w: x.view(12) ** 2,
    "reshape_t": lambda T, x, w: x.t().reshape(2, 6) ** 3,
    "expand": lambda T, x, w: x[:, :1].expand(3, 5) ** 2,
    "slice": lambda T, x, w: x[1:, ::2] ** 2,
    "index": lambda T, x, w: x[[0, 0, 2]] ** 2,
    "index_bool": lambda T, x, w: x[x > 0] ** 3,
    "cat_stack": lambda T, x, w: T.cat([x, x * 2]) ** 2 + T.stack([x, x]).sum(0).repeat(2, 1) ** 2,
    "permute_unsqueeze": lambda T, x, w: x.permute(1, 0).unsqueeze(0).squeeze(0) ** 3,
    "linear": lambda T, x, w: T.nn.functional.linear(x, w.t(), w[0]).tanh(),
    "mse": lambda T, x, w: T.nn.functional.mse_loss(x * x, x.detach() + 1),
    "cross_entropy": lambda T, x, w: T.nn.functional.cross_entropy(x @ w, T.tensor([0, 1, 1])),
    "softmax": lambda T, x, w: T.softmax(x, 1) ** 2,
    "log_softmax": lambda T, x, w: T.log_softmax(x, 0) ** 2,
}


def _hvp(T, name):
    x, w = _t(T, X), _t(T, W)
    y = CASES[name](T, x, w)
    gx, gw = T.autograd.grad(y.sum(), (x, w), create_graph=True, allow_unused=True)
    v = T.tensor(V)
    out = T.autograd.grad((gx * v).sum() + (0 if gw is None else (gw * gw).sum()), (x, w),
                          allow_unused=True)
    return gx, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_double_backward_matches_torch(name):
    gt, (ht, hwt) = _hvp(torch, name)
    gr, (hr, hwr) = _hvp(reftorch, name)
    _close(gr, gt)
    assert gr.requires_grad == gt.requires_grad
    _close(hr, ht, 1e-9)
    _close(hwr, hwt, 1e-9)


# grad_fn of the first gradient that reftorch spells as PyTorch does
SAME_NAME = ["mul", "exp", "log", "matmul", "sum", "view", "index", "linear"]


@pytest.mark.parametrize("name", SAME_NAME)
def test_grad_fn_names_of_the_gradient(name):
    names = []
    for T in (torch, reftorch):
        x, w = _t(T, X), _t(T, W)
        g, = T.autograd.grad(CASES[name](T, x, w).sum(), x, create_graph=True)
        names.append(g.grad_fn.name())
    assert names[0] == names[1]


def test_hessian_vector_product_of_a_quadratic_form():
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    res = []
    for T in (torch, reftorch):
        A = T.tensor(a)
        x = T.tensor([1.0, -1.0, 0.5], dtype=T.float64, requires_grad=True)
        f = 0.5 * (x @ (A @ x)) + (x ** 4).sum()
        g, = T.autograd.grad(f, x, create_graph=True)
        hv, = T.autograd.grad(g, x, T.tensor([1.0, 0.0, 2.0], dtype=T.float64))
        res.append(hv)
    _close(res[1], res[0])
    # by hand: H = A + diag(12 x^2), H @ v with v = (1, 0, 2)
    np.testing.assert_allclose(res[1].tolist(), (a + np.diag([12.0, 12.0, 3.0])) @ [1.0, 0.0, 2.0])


def _penalty_step(T):
    T.manual_seed(0)
    net = T.nn.Sequential(T.nn.Linear(3, 5), T.nn.Tanh(), T.nn.Linear(5, 1))
    opt = T.optim.SGD(net.parameters(), lr=0.1)
    T.manual_seed(1)
    x = T.randn(4, 3, requires_grad=True)
    for _ in range(3):
        opt.zero_grad()
        out = net(x)
        g, = T.autograd.grad(out.sum(), x, create_graph=True)
        loss = T.nn.functional.mse_loss(out, T.zeros(4, 1)) + ((g.norm(2, dim=1) - 1) ** 2).mean()
        loss.backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()] + [loss.detach()]


def test_gradient_penalty_training_step():
    for r, t in zip(_penalty_step(reftorch), _penalty_step(torch)):
        _close(r, t, 1e-5)


def test_backward_create_graph_leaf_grad_and_warning():
    out = []
    for T in (torch, reftorch):
        forget_warning("Using backward() with create_graph=True")
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            (x ** 3).sum().backward(create_graph=True)
        msgs = [str(w.message) for w in rec if issubclass(w.category, UserWarning)]
        first = x.grad
        assert first.requires_grad and first.grad_fn.name() == "torch::autograd::CopyBackwards"
        (x ** 3).sum().backward(create_graph=True)  # accumulates out of place, with a graph
        assert x.grad.grad_fn.name() == "AddBackward0"
        g = x.grad
        x.grad = None
        g.sum().backward()
        out.append((first.detach(), g.detach(), x.grad, msgs))
    for r, t in zip(out[1][:3], out[0][:3]):
        _close(r, t)
    assert any(m.startswith("Using backward() with create_graph=True will create a reference cycle")
               for m in out[1][3])
    assert any(m.startswith(out[1][3][0]) for m in out[0][3])


def test_constant_gradient_has_no_graph():
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        g, = T.autograd.grad((x * 2).sum(), x, create_graph=True)
        assert not g.requires_grad and g.grad_fn is None
        with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
            T.autograd.grad(g.sum(), x)


def test_grad_outputs_requiring_grad_join_the_graph():
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        v = T.tensor([0.5, -1.0], requires_grad=True)
        g, = T.autograd.grad(x * x, x, v, create_graph=True)
        res.append(T.autograd.grad(g.sum(), (x, v)))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


def test_retain_graph_defaults_to_create_graph():
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        z = x.exp().sum()
        g1, = T.autograd.grad(z, x, create_graph=True)
        g2, = T.autograd.grad(z, x)  # the graph was kept
        _close(g1, g2)
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            T.autograd.grad(z, x)


def test_retain_graph_false_frees_what_the_gradient_needs():
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        g, = T.autograd.grad(x.exp().sum(), x, create_graph=True, retain_graph=False)
        # g = grad * exp(x) reuses exp's saved output, freed with the first graph
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            T.autograd.grad(g.sum(), x)


def test_third_order():
    res = []
    for T in (torch, reftorch):
        x = T.tensor([0.3, -1.2], dtype=T.float64, requires_grad=True)
        g1, = T.autograd.grad(x.tanh().sum(), x, create_graph=True)
        g2, = T.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = T.autograd.grad(g2.sum(), x)
        res.append((g1, g2, g3))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


def test_hooks_see_tensors_with_graph():
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: g * x)  # the hook's own op joins the graph
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        res.append((g, T.autograd.grad(g.sum(), x)[0]))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


def test_uncovered_op_raises_naming_it():
    x = reftorch.tensor([[1.0, 3.0], [2.0, 0.5]], requires_grad=True)
    y = (reftorch.linalg.svdvals(x) * x[0]).sum()
    with pytest.raises(NotImplementedError, match="LinalgSvdBackward0"):
        reftorch.autograd.grad(y, x, create_graph=True)
    # without create_graph the same graph differentiates as before (as torch does)
    g, = reftorch.autograd.grad(y, x)
    xt = torch.tensor([[1.0, 3.0], [2.0, 0.5]], requires_grad=True)
    _close(g, torch.autograd.grad((torch.linalg.svdvals(xt) * xt[0]).sum(), xt)[0], 1e-6)


def test_first_order_only_op_on_a_gradient():
    # svdvals applied to a gradient: a plain backward through it works; asking for its
    # graph again names the op
    res = []
    for T in (torch, reftorch):
        x = T.tensor([[0.5, -1.0], [2.0, 1.5]], dtype=T.float64, requires_grad=True)
        g, = T.autograd.grad((x ** 3).sum(), x, create_graph=True)
        res.append(T.autograd.grad(T.linalg.svdvals(g).sum(), x, retain_graph=True)[0])
        if T is reftorch:
            with pytest.raises(NotImplementedError, match="LinalgSvdBackward0"):
                T.autograd.grad(T.linalg.svdvals(g).sum(), x, create_graph=True)
    _close(res[1], res[0], 1e-9)


def _custom_functions(T):
    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * g * a * a

    class SplitScale(T.autograd.Function):  # two outputs; a gradient that needs summing
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b

        @staticmethod
        def backward(ctx, g1, g2):
            a, b = ctx.saved_tensors
            return g1 * b + g2, (g1 * a + g2).expand(2, 3)

    return Cube, SplitScale


def test_custom_function_double_backward():
    res = []
    for T in (torch, reftorch):
        Cube, SplitScale = _custom_functions(T)
        x = T.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=T.float64, requires_grad=True)
        b = T.tensor([0.3, -0.7, 1.1], dtype=T.float64, requires_grad=True)
        p, q = SplitScale.apply(Cube.apply(x), b)
        gx, gb = T.autograd.grad((p * q).sum(), (x, b), create_graph=True)
        res.append((gx, gb) + T.autograd.grad((gx ** 2).sum() + gb.sum(), (x, b)))
    for r, t in zip(res[1], res[0]):
        _close(r, t)


def test_once_differentiable_gradient_has_no_graph():
    for T in (torch, reftorch):
        class Twice(T.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            @T.autograd.function.once_differentiable
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return 2 * g * a

        x = T.tensor([1.0, 2.0], requires_grad=True)
        g, = T.autograd.grad(Twice.apply(x).sum(), x, create_graph=True)
        assert g.tolist() == [2.0, 4.0]
        with pytest.raises(RuntimeError):
            T.autograd.grad(g.sum(), x)


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       bshape=st.integers(0, 2), seed=st.integers(0, 2 ** 16))
def test_hvp_over_shapes(shape, bshape, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    b = rng.standard_normal(shape[len(shape) - min(bshape, len(shape)):])
    v = rng.standard_normal(shape)
    res = []
    for T in (torch, reftorch):
        x, y = T.tensor(a, requires_grad=True), T.tensor(b, requires_grad=True)
        f = ((x * y).tanh() + (x / (1 + y * y)).exp() ** 2).mean() + (x.sum(-1) ** 2).sum()
        gx, gy = T.autograd.grad(f, (x, y), create_graph=True)
        res.append(T.autograd.grad((gx * T.tensor(v)).sum() + gy.sum(), (x, y)))
    for r, t in zip(res[1], res[0]):
        _close(r, t, 1e-9)


P = 1 / (1 + np.exp(-X))  # probabilities in (0, 1)
T01 = (RNG.random((3, 4)) > 0.5).astype(float)
# more ops whose backward is create_graph-capable: f(T, x, t) with t a fixed target
MORE = {
    "leaky_relu": lambda T, x, t: T.nn.functional.leaky_relu(x, 0.1) * x,
    "softplus": lambda T, x, t: T.nn.functional.softplus(x * 2, beta=1.5),
    "max_all": lambda T, x, t: (x * x).max() * x,
    "max_dim": lambda T, x, t: (x * x).max(1).values ** 2,
    "min_dim_keepdim": lambda T, x, t: (x.exp()).min(0, keepdim=True).values * x,
    "maximum": lambda T, x, t: T.maximum(x * x, x.exp() - 1) ** 2,
    "clamp": lambda T, x, t: (x * x).clamp(0.1, 1.0) * x,
    "clamp_tensor": lambda T, x, t: T.clamp(x * x, min=t * 0.5, max=t + 0.7) * x,
    "masked_fill": lambda T, x, t: (x * x).masked_fill(t > 0, 2.0) * x,
    "norm": lambda T, x, t: x.norm() * x + x.norm(dim=1, keepdim=True) ** 3,
    "norm_p3_inf": lambda T, x, t: T.linalg.vector_norm(x, 3, dim=0) * T.linalg.vector_norm(x, float("inf")),
    "split_chunk": lambda T, x, t: x.split([1, 3], 1)[1] ** 3 + x.chunk(2, 1)[0].sum() * x[:, 1:],
    "to_float32_and_back": lambda T, x, t: (x.to(T.float32) ** 3).to(T.float64),
    "index_select": lambda T, x, t: T.index_select(x, 1, T.tensor([3, 0, 3])) ** 3 * x[:, :1],
    "embedding": lambda T, x, t: T.nn.functional.embedding(T.tensor([[2, 0], [2, 1]]), x) ** 3,
    "embedding_padding": lambda T, x, t: T.nn.functional.embedding(T.tensor([2, 0, 2, 1]), x, padding_idx=0).tanh(),
    "cumsum": lambda T, x, t: (x * x).cumsum(1) * x.cumsum(0),
    "bce": lambda T, x, t: T.nn.functional.binary_cross_entropy(T.sigmoid(x), t),
    "bce_logits": lambda T, x, t: T.nn.functional.binary_cross_entropy_with_logits(
        x * x, t, pos_weight=T.tensor([1.0, 2.0, 0.5, 3.0], dtype=T.float64)),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_double_backward_more_ops(name):
    res = []
    for T in (torch, reftorch):
        x, t = _t(T, X), T.tensor(T01)
        g, = T.autograd.grad(MORE[name](T, x, t).sum(), x, create_graph=True)
        res.append((g, T.autograd.grad((g * T.tensor(V)).sum(), x)[0]))
    for r, t in zip(res[1], res[0]):
        _close(r, t, 1e-5 if "float32" in name else 1e-9)


def _mixed(T, dev):
    x = T.tensor([[0.5, -1.0], [2.0, 0.3]], dtype=T.float64, device=dev, requires_grad=True)
    w = T.tensor([[1.0, -2.0, 0.5], [0.1, 0.2, 0.3]], dtype=T.float64, device=dev, requires_grad=True)
    y = (T.nn.functional.cross_entropy(T.tanh(x @ w), T.tensor([0, 2], device=dev))
         + (x[[0, 0, 1]] ** 3).sum() + T.cat([x, x]).exp().mean()
         + (x[1:, :1].expand(2, 3) * x[:, :1]).sum() + T.softmax(x * w[:, :2], 1).max())
    gx, gw = T.autograd.grad(y, (x, w), create_graph=True)
    return (gx, gw) + T.autograd.grad(gx.sum() + (gw * gw).sum(), (x, w))


def test_on_the_array_api_stand_in_device():
    # the same kernels on the array-api-strict device (what CuPy runs) as on the CPU
    for r, t in zip(_mixed(reftorch, "strict"), _mixed(torch, "cpu")):
        assert r.device.type == "strict"
        _close(r.cpu(), t)


def test_device_copy_in_the_graph_double_backward():
    # a move to the stand-in device and back: the gradient's graph crosses devices too
    x = reftorch.tensor([1.0, 2.0], requires_grad=True)
    g, = reftorch.autograd.grad(((x.to("strict") ** 3).cpu() * x).sum(), x, create_graph=True)
    h, = reftorch.autograd.grad((g * g).sum(), x)
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    gt, = torch.autograd.grad(((xt ** 3) * xt).sum(), xt, create_graph=True)
    _close(g, gt)
    _close(h, torch.autograd.grad((gt * gt).sum(), xt)[0])


def test_embedding_scale_grad_by_freq_is_first_order_only():
    # PyTorch's double backward ignores scale_grad_by_freq; reftorch refuses rather than differ
    w = reftorch.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    y = reftorch.nn.functional.embedding(reftorch.tensor([1, 1, 0]), w, scale_grad_by_freq=True).tanh().sum()
    with pytest.raises(NotImplementedError, match="EmbeddingBackward0"):
        reftorch.autograd.grad(y, w, create_graph=True)


S = RNG.standard_normal((3, 5))
_I3 = [[0, 2, 0], [1, 1, 3], [3, 0, 3]]
# gather / scatter family: f(T, x, s) with x (3, 4) and a source s (3, 5), both differentiated
GATHER_SCATTER = {
    "gather": lambda T, x, s: T.gather(x * x, 1, T.tensor(_I3)) ** 3 + T.gather(s, 0, T.tensor([[2, 0]])).sum(),
    "gather_dim0": lambda T, x, s: T.gather(x.exp(), 0, T.tensor([[2, 0, 2, 1], [0, 0, 1, 2]])) * s[:2, :4],
    "scatter": lambda T, x, s: (x * x).scatter(1, T.tensor([[0, 2], [1, 1], [3, 0]]), s[:, :2] ** 3) ** 2,
    "scatter_value": lambda T, x, s: (x * x).scatter(1, T.tensor([[0], [1], [3]]), 1.5) * x + s.sum(),
    "scatter_add": lambda T, x, s: x.exp().scatter_add(1, T.tensor(_I3), (s[:, :3] * x[:, :1]) ** 2) ** 2,
    "scatter_add_dim0": lambda T, x, s: (x * x).scatter_add(0, T.tensor([[0, 2], [1, 1]]), s[:2, :2] ** 3) ** 2,
    "scatter_reduce_mean": lambda T, x, s: (x * x).scatter_reduce(1, T.tensor(_I3), s[:, :3] ** 2, "mean") ** 2,
}


def _hvp_two(T, f):
    x, s = _t(T, X), _t(T, S)
    gx, gs = T.autograd.grad(f(T, x, s).sum(), (x, s), create_graph=True)
    return (gx, gs) + T.autograd.grad((gx * T.tensor(V)).sum() + (gs * gs * gs).sum(), (x, s), allow_unused=True)


@pytest.mark.parametrize("name", sorted(GATHER_SCATTER))
def test_double_backward_gather_scatter(name):
    for r, t in zip(_hvp_two(reftorch, GATHER_SCATTER[name]), _hvp_two(torch, GATHER_SCATTER[name])):
        _close(r, t)


def test_scatter_add_src_larger_than_index_double_backward():
    # PyTorch's gradient of a src larger than index has the index's shape, which its engine
    # rejects (first order already); reftorch raises the same error
    def f(T, x, s):
        return (x * x).scatter_add(0, T.tensor([[0, 2], [1, 1]]), s ** 3) ** 2
    messages = []
    for T in (reftorch, torch):
        with pytest.raises(RuntimeError, match="invalid gradient at index 1") as err:
            _hvp_two(T, f)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


X4 = RNG.standard_normal((2, 4, 3))
V4 = RNG.standard_normal((2, 4, 3))
W4 = RNG.standard_normal(4)
B4 = RNG.standard_normal(4)
# normalisation layers: f(T, x, w, b) with x (2, 4, 3), w and b (4,); x, w, b all differentiated
NORMS = {
    "layer_norm": lambda T, x, w, b: T.nn.functional.layer_norm(x.transpose(1, 2), (4,), w, b) ** 2,
    "layer_norm_2d_no_affine": lambda T, x, w, b: T.nn.functional.layer_norm(x * x, (4, 3)).tanh() * w.sum() + b.sum(),
    "group_norm": lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b, eps=1e-3) ** 3,
    "group_norm_no_affine": lambda T, x, w, b: T.nn.functional.group_norm(x.exp(), 4).tanh() * w.sum() + b.sum(),
    "batch_norm_train": lambda T, x, w, b: T.nn.functional.batch_norm(
        x, T.zeros(4, dtype=T.float64), T.ones(4, dtype=T.float64), w, b, training=True) ** 3,
    "batch_norm_train_2d_no_affine": lambda T, x, w, b: T.nn.functional.batch_norm(
        x[:, :, 0] * x[:, :, 1], None, None, training=True, eps=1e-2).tanh() * w.sum() + b.sum(),
    "batch_norm_eval": lambda T, x, w, b: T.nn.functional.batch_norm(
        x * x, T.tensor([0.5, -1.0, 0.0, 2.0], dtype=T.float64), T.tensor([1.0, 2.0, 0.5, 3.0], dtype=T.float64),
        w, b) ** 3,
}


def _hvp_norm(T, f):
    x, w, b = _t(T, X4), _t(T, W4), _t(T, B4)
    gx, gw, gb = T.autograd.grad(f(T, x, w, b).sum(), (x, w, b), create_graph=True)
    loss = (gx * T.tensor(V4)).sum() + (gw * gw).sum() + (gb ** 3).sum()
    return (gx, gw, gb) + T.autograd.grad(loss, (x, w, b), allow_unused=True)


@pytest.mark.parametrize("name", sorted(NORMS))
def test_double_backward_normalization(name):
    for r, t in zip(_hvp_norm(reftorch, NORMS[name]), _hvp_norm(torch, NORMS[name])):
        _close(r, t, 1e-8)


NORM_LAYERS = {"LayerNorm": lambda T: T.nn.LayerNorm(6), "GroupNorm": lambda T: T.nn.GroupNorm(2, 6),
               "BatchNorm1d": lambda T: T.nn.BatchNorm1d(6)}


def _norm_penalty(T, layer):
    T.manual_seed(0)
    net = T.nn.Sequential(T.nn.Linear(3, 6), NORM_LAYERS[layer](T), T.nn.Tanh(), T.nn.Linear(6, 1))
    opt = T.optim.SGD(net.parameters(), lr=0.1)
    T.manual_seed(1)
    x = T.randn(5, 3, requires_grad=True)
    for _ in range(3):
        opt.zero_grad()
        out = net(x)
        g, = T.autograd.grad(out.sum(), x, create_graph=True)
        loss = out.pow(2).mean() + ((g.norm(2, dim=1) - 1) ** 2).mean()
        loss.backward()
        opt.step()
    return [p.detach().clone() for p in net.parameters()] + [loss.detach()]


@pytest.mark.parametrize("layer", sorted(NORM_LAYERS))
def test_gradient_penalty_through_a_norm_layer(layer):
    for r, t in zip(_norm_penalty(reftorch, layer), _norm_penalty(torch, layer)):
        _close(r, t, 1e-5)


def _norms_and_scatter(T, dev):
    rng = np.random.default_rng(1)
    x = T.tensor(rng.standard_normal((2, 4, 3)), device=dev, requires_grad=True)
    w = T.tensor(rng.standard_normal(4), device=dev, requires_grad=True)
    F = T.nn.functional
    idx = T.tensor([[0, 5], [3, 3]], device=dev)
    src = (w[:2] * w[1:3]).expand(2, 2).contiguous()
    y = ((F.layer_norm(x.transpose(1, 2), (4,), w) ** 2).sum() + (F.group_norm(x, 2, w) ** 3).sum()
         + (F.batch_norm(x, None, None, w, training=True) ** 3).sum()
         + (T.gather(x * x, 1, T.tensor([[[0, 1, 3]], [[2, 2, 0]]], device=dev)) ** 3).sum()
         + ((x * x).reshape(2, 12).scatter_add(1, idx, src) ** 2).sum()
         + ((x * x).reshape(2, 12).scatter(1, idx, src) ** 2).sum())
    gx, gw = T.autograd.grad(y, (x, w), create_graph=True)
    return (gx, gw) + T.autograd.grad((gx ** 2).sum() + (gw ** 2).sum(), (x, w))


def test_norms_gather_scatter_on_the_array_api_stand_in_device():
    for r, t in zip(_norms_and_scatter(reftorch, "strict"), _norms_and_scatter(torch, "cpu")):
        assert r.device.type == "strict"
        _close(r.cpu(), t, 1e-9)
