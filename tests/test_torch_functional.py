"""The torch.xxx forms of the nn.functional operators (``torch.conv2d``, ``torch.dropout``,
``torch.batch_norm``, ``torch.embedding`` ...), with PyTorch's own signatures, against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import reftorch

from _compare import both, check_grads, raises_like

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


X = r(2, 3, 5)
X4 = r(2, 4, 5, 5)
TARGET = np.array([1.0, -1.0], np.float32)

NAMES = """adaptive_avg_pool1d adaptive_max_pool1d affine_grid_generator alpha_dropout alpha_dropout_ avg_pool1d
    batch_norm bilinear binary_cross_entropy_with_logits celu celu_ channel_shuffle constant_pad_nd conv1d conv2d
    conv3d conv_transpose1d conv_transpose2d conv_transpose3d convolution cosine_embedding_loss cosine_similarity
    ctc_loss dropout dropout_ embedding embedding_bag embedding_renorm_ feature_alpha_dropout feature_alpha_dropout_
    feature_dropout feature_dropout_ grid_sampler grid_sampler_2d grid_sampler_3d group_norm gru_cell hardshrink hinge_embedding_loss
    instance_norm kl_div layer_norm lstm_cell margin_ranking_loss max_pool1d max_pool1d_with_indices max_pool2d
    max_pool3d pairwise_distance pixel_shuffle pixel_unshuffle poisson_nll_loss prelu rms_norm rnn_relu_cell
    rnn_tanh_cell rrelu rrelu_ selu selu_ threshold threshold_ triplet_margin_loss""".split()


def test_names_exist_in_both():
    for name in NAMES:
        assert callable(getattr(torch, name)) and callable(getattr(reftorch, name)), name
    assert not [n for n in dir(torch) if n.endswith("_") and not n.startswith("_") and not hasattr(reftorch, n)
                and n not in ("as_strided_", "conj_physical_", "resize_as_", "resize_as_sparse_")]


GRAD_CASES = [
    # activations
    "T.selu(x)", "T.celu(x)", "T.celu(x, 0.5)", "T.threshold(x, 0.1, -2.0)", "T.hardshrink(x)",
    "T.hardshrink(x, lambd=1.0)", "x.hardshrink(0.3)", "T.prelu(x, T.tensor([0.25, 0.5, 1.5]))",
    "x.prelu(T.tensor([0.25]))", "T.rrelu(x)", "T.rrelu(x, 0.1, 0.2)",
    # normalization
    "T.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)",
    "T.batch_norm(x, T.ones(3), T.zeros(3) + 0.5, T.zeros(3), T.ones(3), False, 0.1, 1e-5, True)",
    "T.batch_norm(x[:1, :, :1], None, None, None, None, True, 0.1, 1e-5, True)",  # one value per channel: no check
    "T.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False)",
    "T.instance_norm(x, T.ones(3) * 2, None, T.zeros(3), T.ones(3), False, 0.1, 1e-5, False)",
    "T.layer_norm(x, [5])", "T.layer_norm(x, (3, 5), None, None, 1e-3, False)",
    "T.group_norm(x, 3)", "T.group_norm(x, 1, T.ones(3), T.ones(3), 1e-5, False)", "T.rms_norm(x, [5])",
    # convolution
    "T.conv1d(x, w3)", "T.conv1d(x, w3, None, 2, 1)", "T.conv1d(x, w3, padding='same')",
    "T.conv2d(x4, w4, T.ones(2), stride=1, padding=1, dilation=1, groups=1)",
    "T.conv3d(x4.unsqueeze(2), w4.unsqueeze(2))",
    "T.conv_transpose1d(x, w3.transpose(0, 1))", "T.conv_transpose2d(x4, w4.transpose(0, 1), None, 2, 1, 1)",
    "T.conv_transpose3d(x4.unsqueeze(2), w4.transpose(0, 1).unsqueeze(2))",
    "T.convolution(x, w3, None, [1], [0], [1], False, [0], 1)",
    "T.convolution(x4, w4, T.ones(2), [2, 1], [1, 0], [1, 1], False, [0, 0], 1)",
    "T.convolution(x4, w4.transpose(0, 1), None, [2, 2], [1, 1], [1, 1], True, [1, 0], 1)",
    "T.constant_pad_nd(x, [1, 2])", "T.constant_pad_nd(x, [1, -1, 2, 0], 3.5)",
    # pooling
    "T.max_pool1d(x, 2)", "T.max_pool1d(x, 3, 1, 1, 1, True)", "T.max_pool1d(x, 2, [])",
    "T.max_pool2d(x4, 2)", "T.max_pool2d(x4, (2, 3), (1, 2), 1)", "T.max_pool3d(x4, 2)",
    "T.max_pool1d_with_indices(x, 2)", "T.max_pool1d_with_indices(x, 2, 1, ceil_mode=True)",
    "T.avg_pool1d(x, 2)", "T.avg_pool1d(x, 3, 2, 1, True, False)",
    "T.adaptive_avg_pool1d(x, 2)", "T.adaptive_max_pool1d(x, 2)",
    # shuffles, distances, bilinear
    "T.pixel_shuffle(x4, 2)", "T.pixel_unshuffle(x4[..., :4, :4], 2)", "T.channel_shuffle(x4, 2)",
    "T.cosine_similarity(x, x * 2 + 1)", "T.cosine_similarity(x, x.flip(0), 2, 1e-3)",
    "T.pairwise_distance(x, x.flip(0))", "T.pairwise_distance(x, x.flip(0), 1.0, 1e-6, True)",
    "T.bilinear(x, x.flip(0), T.ones(2, 5, 5))",
    # losses (int reduction; PyTorch's binding defaults to 0: not reduced)
    "T.kl_div(x, x.exp())", "T.kl_div(x, x.exp(), 1)", "T.kl_div(x, x, 2, log_target=True)",
    "T.binary_cross_entropy_with_logits(x, T.sigmoid(x.detach().flip(0)))",
    "T.binary_cross_entropy_with_logits(x, T.sigmoid(x.detach()), None, T.ones(5) * 2, 1)",
    "T.poisson_nll_loss(x, x.detach().abs(), True, False, 1e-8, 1)",
    "T.poisson_nll_loss(x.abs(), x.detach().abs(), False, True, 1e-8, 0)",
    "T.cosine_embedding_loss(x[:, 0], x[:, 1], t)", "T.cosine_embedding_loss(x[:, 0], x[:, 1], t, 0.5, 2)",
    "T.hinge_embedding_loss(x, x.detach().sign())", "T.hinge_embedding_loss(x, x.detach().sign(), 0.5, 1)",
    "T.margin_ranking_loss(x, x.flip(0), x.detach().sign())", "T.margin_ranking_loss(x, x.flip(0), x.detach().sign(), 0.2, 2)",
    "T.triplet_margin_loss(x, x.flip(0), x * 2)", "T.triplet_margin_loss(x, x.flip(0), x * 2, 0.5, 1.0, 1e-6, True, 1)",
    # embedding, sampling
    "T.embedding(x[0], T.tensor([0, 2, 2]))", "T.embedding(x[0], T.tensor([[0, 2], [1, 2]]), 2)",
    "T.embedding(x[0], T.tensor([0, 2, 1]), -2)", "T.embedding(x[0], T.tensor([0, 2, 2]), scale_grad_by_freq=True)",
    "T.grid_sampler(x4, T.tanh(x4[:, :3, :4, :2].detach()), 0, 0, False)",
    "T.grid_sampler(x4, T.tanh(x4[:, :3, :4, :2].detach()), 1, 1, True)",
    "T.grid_sampler(x4, T.tanh(x4[:, :3, :4, :2].detach()), 2, 2, False)",
    "T.grid_sampler_2d(x4, T.tanh(x4[:, :3, :4, :2].detach()), 0, 1, True)",
    "T.grid_sampler_3d(x4.unsqueeze(2), T.tanh(x4[:, :1, :2, :3].detach()).unsqueeze(1), 0, 0, False)",
    "T.grid_sampler_3d(x4.unsqueeze(2), T.tanh(x4[:, :1, :2, :3].detach()).unsqueeze(1), 1, 2, True)",
    "T.affine_grid_generator(x[:, :2, :3], [2, 1, 4, 3], False)",
    "T.affine_grid_generator(x[:, :2, :3], [2, 1, 4, 3], True)",
]


@pytest.mark.parametrize("expr", GRAD_CASES)
def test_values_and_grads(expr):
    def go(T, x, x4, w3, w4, t):
        return eval(expr)
    check_grads(go, X, X4, r(2, 3, 3), r(2, 4, 3, 3), TARGET)


def test_ctc_loss():
    lp = np.log(np.abs(r(6, 2, 4)) + 0.1).astype(np.float32)
    targets = np.array([[1, 2], [3, 3]])
    for reduction in ((), (0, 0), (0, 1), (0, 2)):
        check_grads(lambda T, lp, t: T.ctc_loss(lp.log_softmax(2), t, [6, 5], [2, 2], *reduction), lp, targets)
        check_grads(lambda T, lp, t: T.ctc_loss(lp.log_softmax(2), t, T.tensor([6, 5]), T.tensor([2, 1]),
                                                *reduction), lp, targets)
    check_grads(lambda T, lp, t: T.ctc_loss(lp.log_softmax(2), t, [6, 5], [2, 2], 0, 1, True), lp, targets)


@pytest.mark.parametrize("mode", ["rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells(mode, bias):
    chunks = {"rnn_tanh_cell": 1, "rnn_relu_cell": 1, "gru_cell": 3, "lstm_cell": 4}[mode]

    def go(T, x, h, c, w_ih, w_hh, b_ih, b_hh):
        hx = [h, c] if mode == "lstm_cell" else h
        return getattr(T, mode)(x, hx, w_ih, w_hh, *((b_ih, b_hh) if bias else ()))
    check_grads(go, r(3, 5), r(3, 4), r(3, 4), r(4 * chunks, 5), r(4 * chunks, 4), r(4 * chunks), r(4 * chunks))


@pytest.mark.parametrize("name,args", [
    ("dropout", (0.4, True)), ("dropout", (0.4, False)), ("dropout", (1.0, True)), ("dropout", (0.0, True)),
    ("feature_dropout", (0.5, True)), ("alpha_dropout", (0.3, True)), ("alpha_dropout", (0.3, False)),
    ("feature_alpha_dropout", (0.5, True)), ("feature_alpha_dropout", (1.0, True)),
])
def test_dropouts_draw_pytorchs_masks(name, args):
    def go(T, x):
        T.manual_seed(3)
        out = getattr(T, name)(x, *args)
        T.manual_seed(3)
        y = x.detach().clone()
        inplace = getattr(T, name + "_")(y, *args)
        return out, inplace is y, y
    both(go, X, requires_grad=True)
    check_grads(lambda T, x: (T.manual_seed(3), getattr(T, name)(x, *args))[1], X)


def test_rrelu_training_and_generator():
    def go(T, x):
        T.manual_seed(5)
        a = T.rrelu(x, 0.1, 0.3, True)
        g = T.Generator().manual_seed(7)
        b = T.rrelu(x, 0.1, 0.3, True, g)
        y = x.detach().clone()
        c = T.rrelu_(y, 0.1, 0.3, True, T.Generator().manual_seed(7))
        return a, b, c is y, y
    both(go, X, requires_grad=True)


@pytest.mark.parametrize("name,args", [("selu_", ()), ("celu_", (0.5,)), ("threshold_", (0.2, -1.0))])
def test_inplace_activations(name, args):
    def go(T, x):
        y = x * 1
        out = getattr(T, name)(y, *args)
        return out is y, y
    both(go, X, requires_grad=True)
    check_grads(lambda T, x: getattr(T, name)(x * 1, *args), X)


def test_embedding_renorm_():
    def go(T, w, i):
        out = T.embedding_renorm_(w, i, 1.0, 2.0)
        return out is w, w
    both(go, r(4, 3) * 3, np.array([0, 2, 2]))
    raises_like(lambda T, w, i: T.embedding_renorm_(w.requires_grad_(), i, 1.0, 2.0), r(4, 3), np.array([0]))


@pytest.mark.parametrize("expr", [
    "T.dropout(x, 1.5, True)", "T.dropout(x, -0.1, False)", "T.alpha_dropout(x, 2.0, True)",
    "T.feature_dropout(x, 1.5, True)", "T.feature_alpha_dropout(x, -1.0, True)", "T.dropout_(x, 1.5, True)",
    "T.feature_dropout(x[0, 0], 0.5, True)", "T.feature_alpha_dropout(x[0, 0], 0.5, True)",
    "T.dropout(x, 0.5)", "T.kl_div(x, x, 'mean')", "T.hinge_embedding_loss(x, x, 1.0, 'sum')",
    "T.batch_norm(x, None, None, None, None, False, 0.1, 1e-5, True)",
    "T.group_norm(x, 2)", "T.group_norm(x[0, 0], 1)", "T.layer_norm(x, [4])",
    "T.max_pool2d(x, 2, return_indices=True)", "T.selu(x, inplace=True)", "T.embedding(x[0], T.tensor([0.5]))",
    "T.embedding(x[0], T.tensor([7]))", "T.grid_sampler_2d(x.unsqueeze(0), x.unsqueeze(0), 0, 0, False)",
    "T.grid_sampler_3d(x, x, 0, 0, False)", "T.convolution(x, x[0], None, [1], [0], [1], False, [0], 1)",
])
def test_errors(expr):
    raises_like(lambda T, x: eval(expr), X)


W = r(5, 2)
I5 = np.array([0, 1, 2, 3, 3])


@pytest.mark.parametrize("args,kwargs", [
    ((np.array([0, 2, 2]),), {}), ((np.array([0, 2, 2]),), {"mode": 1}), ((np.array([0, 2, 2]),), {"mode": 2}),
    ((np.array([0, 2, 2]), False, 2, False, None, False, 3), {}),
    ((np.array([0, 2, 2]), False, 2, False, None, False, 0), {}),
    ((np.array([0, 2, 2]), False, 1, False, None, False, 3), {}),
    ((np.array([0, 2, 2]), False, 0, False, None, False, 3), {}),
    ((np.array([0, 2, 5]),), {"include_last_offset": True}), ((np.array([0, 2, 5]),), {"include_last_offset": True, "mode": 1}),
    ((np.array([0, 2, 5]),), {"include_last_offset": True, "mode": 2}),
    ((np.array([0, 3]),), {"scale_grad_by_freq": True}), ((np.array([0, 3]), False, 1, False, None, False, -2), {}),
    ((np.array([0, 1]),), {"per_sample_weights": "psw"}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_embedding_bag(args, kwargs, dtype):
    def go(T, w, i, offsets, *rest, **kw):
        if kw.get("per_sample_weights") == "psw":
            kw["per_sample_weights"] = T.linspace(0.5, 1.5, 5, dtype=w.dtype)
        return T.embedding_bag(w, i, offsets, *rest, **kw)
    check_grads(lambda T, w, i, o: go(T, w, i, o, *args[1:], **kwargs), W.astype(dtype), I5, args[0])
    both(lambda T, w, i, o: go(T, w, i.int(), o.int(), *args[1:], **kwargs), W.astype(dtype), I5, args[0])


def test_embedding_bag_empty_input():
    for mode in (0, 1, 2):
        both(lambda T, w: T.embedding_bag(w, T.tensor([], dtype=T.int64), T.tensor([0, 0]), False, mode), W)


@pytest.mark.parametrize("expr", [
    "T.rnn_tanh_cell(x, h, w_ih, w_hh)", "T.rnn_tanh_cell(x[None], h[None], w_ih[:, :2], w_hh)",
    "T.rnn_relu_cell(x[None], h[None, :3], w_ih, w_hh)", "T.gru_cell(x[None], T.cat([h, h])[None, :], w_ih, w_hh)",
    "T.gru_cell(T.stack([x, x]), h[None], w_ih.repeat(3, 1), w_hh.repeat(3, 1))",
    "T.lstm_cell(x[None], [h[None]], w_ih.repeat(4, 1), w_hh.repeat(4, 1))",
    "T.lstm_cell(x[None].double(), [h[None], h[None]], w_ih.repeat(4, 1), w_hh.repeat(4, 1))",
])
def test_cell_errors(expr):
    raises_like(lambda T, x, h, w_ih, w_hh: eval(expr), r(3), r(4), r(4, 3), r(4, 4), msg=True)


def test_cell_one_bias():
    check_grads(lambda T, x, h, w_ih, w_hh, b: T.rnn_tanh_cell(x, h, w_ih, w_hh, None, b), r(2, 3), r(2, 4),
                r(4, 3), r(4, 4), r(4))
    check_grads(lambda T, x, h, w_ih, w_hh, b: T.gru_cell(x, h, w_ih, w_hh, b), r(2, 3), r(2, 4),
                r(12, 3), r(12, 4), r(12))


def test_bce_with_logits_broadcasts_the_input():
    # forward only: PyTorch 2.13's backward fails there ("output with shape [1, 4] doesn't
    # match the broadcast shape [3, 4]"); reftorch sums the gradient back to the input's shape
    for expr in ("T.binary_cross_entropy_with_logits(a[:1], b)", "T.binary_cross_entropy_with_logits(a[0], b, None, None, 1)"):
        both(lambda T, a, b: eval(expr), r(3, 4), np.abs(r(3, 4)) / 4)
        both(lambda T, a, b: eval(expr), r(3, 4), np.abs(r(3, 4)) / 4, requires_grad=True)


@pytest.mark.parametrize("expr", [
    "T.binary_cross_entropy_with_logits(a, b, None, None, 3)", "T.hinge_embedding_loss(a, b.sign(), 1.0, -1)",
    "T.margin_ranking_loss(a[0], b[0], T.ones(()))", "T.kl_div(a, b, 5)",
    "T.affine_grid_generator(a[None, :2, :3].expand(2, 2, 3), [2, 1, 1, 3], True)",  # (no warning)
])
def test_operator_layer_only(expr):
    """No checks of the Python layer: broadcasting inputs, any int reduction (not 1 or 2: none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_grads(lambda T, a, b: eval(expr), r(3, 4), np.abs(r(3, 4)) / 4)


@pytest.mark.parametrize("expr", [
    "T.binary_cross_entropy_with_logits(a, b[:1])", "T.binary_cross_entropy_with_logits(a, b[:2])",
])
def test_operator_layer_errors(expr):
    raises_like(lambda T, a, b: eval(expr), r(3, 4), np.abs(r(3, 4)), msg=True)
