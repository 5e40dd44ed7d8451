"""The nn layers on the array-API stand-in accelerator (``device("strict")``).

The strict backend refuses what CuPy would also refuse or treat differently (NumPy-only
functions, item assignment with index arrays, arrays from two devices, host copies). Each
case runs on the CPU and on the stand-in and must give the same values and gradients, so
a NumPy-only kernel in reftorch/nn fails here before it fails on a GPU.
"""
from __future__ import annotations

import numpy as np
import pytest

import reftorch as T

import array_api_strict  # noqa: F401,E402 (a test dependency: its absence must fail loudly)


def tonp(t):
    return np.asarray(t.detach().cpu().numpy())


def run(device, case):
    T.manual_seed(0)
    model, inputs, loss_fn = case()
    model.to(device)
    inputs = [x.to(device) for x in inputs]
    out = model(*inputs[:-1])
    loss = loss_fn(out, inputs[-1])
    loss.backward()
    assert out.device.type == T.device(device).type
    return [out, loss] + [p.grad for p in model.parameters() if p.grad is not None] + list(model.parameters())


CASES = {
    "rrelu_alpha_dropout": lambda: (
        T.nn.Sequential(T.nn.Linear(3, 4), T.nn.RReLU(), T.nn.AlphaDropout(0.3), T.nn.Unflatten(1, (2, 2)),
                        T.nn.FeatureAlphaDropout(0.4), T.nn.Flatten()),
        [T.arange(6.0).reshape(2, 3) / 3 - 0.5, T.ones(2, 4)],
        lambda o, y: T.nn.functional.mse_loss(T.nn.functional.rrelu_(o.clone(), training=True), y)),
    "lazy_layers_multi_margin": lambda: (
        T.nn.Sequential(T.nn.LazyLinear(4), T.nn.LazyBatchNorm1d()),  # materialized on the device at the first call
        [T.arange(6.0).reshape(2, 3) / 3, T.tensor([3, 1])],
        lambda o, y: T.nn.functional.multi_margin_loss(o, y, p=2, weight=T.tensor([1.0, 2.0, 0.5, 1.0]).to(o.device))
        + T.nn.functional.multilabel_margin_loss(o, T.tensor([[2, 0, -1, 1], [3, -1, 0, 0]]).to(o.device))),
    "embedding_linear_ce": lambda: (
        T.nn.Sequential(T.nn.Embedding(7, 4, padding_idx=0, scale_grad_by_freq=True), T.nn.Flatten(),
                        T.nn.Linear(12, 3), T.nn.Softplus()),
        [T.tensor([[1, 0, 3], [3, 3, 6]]), T.tensor([2, 0])],
        lambda o, y: T.nn.functional.cross_entropy(o, y, label_smoothing=0.1)),
    "embedding_max_norm": lambda: (
        T.nn.Embedding(6, 3, max_norm=0.7),
        [T.tensor([1, 2, 2, 5]), T.zeros(4, 3)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "mlp_bce_logits": lambda: (
        T.nn.Sequential(T.nn.Linear(3, 4), T.nn.LeakyReLU(0.1), T.nn.Linear(4, 2)),
        [T.arange(6.0).reshape(2, 3) / 3, T.tensor([[1.0, 0.0], [0.0, 1.0]])],
        lambda o, y: T.nn.functional.binary_cross_entropy_with_logits(o, y, pos_weight=T.tensor([2.0, 0.5]).to(o.device))),
    "mlp_bce_nll": lambda: (
        T.nn.Sequential(T.nn.Linear(3, 2), T.nn.Sigmoid()),
        [T.arange(6.0).reshape(2, 3) / 3, T.tensor([[1.0, 0.0], [0.0, 1.0]])],
        lambda o, y: T.nn.functional.binary_cross_entropy(o, y) + T.nn.functional.nll_loss(
            T.nn.functional.log_softmax(o, 1), T.tensor([1, 0]).to(o.device), ignore_index=0)),
    "weight_norm_spectral_norm": lambda: (
        T.nn.Sequential(T.nn.utils.parametrizations.weight_norm(T.nn.Linear(3, 4)),
                        T.nn.utils.parametrizations.weight_norm(T.nn.Linear(4, 4), dim=1),
                        T.nn.utils.parametrizations.spectral_norm(T.nn.Linear(4, 3)),
                        T.nn.utils.spectral_norm(T.nn.Linear(3, 2))),
        [T.arange(6.0).reshape(2, 3) / 3, T.ones(2, 2)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "softmax_l1": lambda: (
        T.nn.Sequential(T.nn.Linear(3, 3), T.nn.Softmax(dim=1), T.nn.Tanh()),
        [T.arange(6.0).reshape(2, 3), T.ones(2, 3)],
        lambda o, y: T.nn.functional.l1_loss(o, y)),
    "transformer_encoder_rms_norm": lambda: (
        _Padded(T.nn.TransformerEncoder(T.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), 2,
                                        norm=T.nn.RMSNorm(8))),
        [T.arange(48.0).reshape(2, 3, 8) / 40, T.tensor([[False, False, True], [False, False, False]]),
         T.ones(2, 3, 8)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "multihead_attention_weights": lambda: (
        _FirstOutput(T.nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True)),
        [T.arange(24.0).reshape(3, 2, 4) / 20, T.ones(6, 2, 3) / 2, T.arange(60.0).reshape(6, 2, 5) / 60,
         T.zeros(3, 2, 4)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "embedding_bag_max_weighted_sum": lambda: (
        _Bags(),
        [T.tensor([1, 2, 4, 5, 4, 3, 2, 9]), T.tensor([0, 3, 3]), T.linspace(0.5, 2.0, 8), T.zeros(3, 6)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "instance_norm_tracked": lambda: (
        T.nn.InstanceNorm2d(2, affine=True, track_running_stats=True),
        [T.arange(36.0).reshape(2, 2, 3, 3) / 10, T.zeros(2, 2, 3, 3)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "conv3d_batchnorm3d": lambda: (
        T.nn.Sequential(T.nn.Conv3d(2, 3, (2, 3, 3), stride=(1, 2, 1), padding=1, padding_mode="replicate"),
                        T.nn.BatchNorm3d(3), T.nn.Conv3d(3, 2, 1, groups=1, bias=False)),
        [T.arange(120.0).reshape(1, 2, 3, 4, 5) / 50, T.zeros(1, 2, 4, 2, 5)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "pooling3d": lambda: (
        _Pool3d(),
        [T.arange(240.0).reshape(2, 2, 3, 4, 5).cos(), T.zeros(2, 2, 8)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "unfold_fold_conv_transpose3d": lambda: (
        _UnfoldFold(),
        [T.arange(120.0).reshape(2, 3, 4, 5).sin(), T.zeros(2, 2, 1, 9, 5)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "unpool_lp_lrn_shuffle": lambda: (
        _UnpoolEtc(),
        [T.arange(96.0).reshape(2, 3, 4, 4).sin(), T.zeros(2, 6, 4, 4)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "bilinear_sdpa": lambda: (
        _BilinearAttention(),
        [T.arange(12.0).reshape(2, 2, 3) / 10, T.arange(16.0).reshape(2, 2, 4) / 10, T.zeros(2, 2, 2)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "ctc_loss_gumbel": lambda: (
        T.nn.Sequential(T.nn.Linear(3, 5), T.nn.LogSoftmax(2)),
        [T.arange(36.0).reshape(6, 2, 3).sin(), T.tensor([[1, 2, 2], [3, 4, 0]])],
        lambda o, y: T.nn.CTCLoss(zero_infinity=True)(o, y, T.tensor([6, 5]), T.tensor([3, 2]))
        + T.nn.functional.ctc_loss(o, y, [1, 5], [3, 2], reduction="sum", zero_infinity=True)
        + (T.nn.functional.gumbel_softmax(o, hard=True) * o).sum()),
    "fractional_max_pool": lambda: (
        _Fractional(),
        [T.arange(150.0).reshape(2, 3, 5, 5).sin(), T.zeros(2, 3, 5, 5)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
    "sequence_operators_conv_tbc_nn_grad": lambda: (
        _SequenceOps(),
        [T.arange(30.0).reshape(5, 2, 3).sin(), T.tensor([0, 4, 1, 2, 3, 3, 0, 1, 2, 4])],
        lambda o, y: T.nn.functional.linear_cross_entropy(o.reshape(10, 5), T.eye(5, device=o.device) + 0.5, y,
                                                          label_smoothing=0.1)
        + T.cond(o.sum() > 0, lambda a: a.abs().mean(), lambda a: a.square().mean(), (o,))),
    "spatial_transformer_grid_sample": lambda: (
        _SpatialTransformer(),
        [T.arange(96.0).reshape(2, 3, 4, 4).sin(), T.zeros(2, 3, 3, 5)],
        lambda o, y: T.nn.functional.mse_loss(o, y)),
}


class _SequenceOps(T.nn.Module):
    """``torch.lstm`` / ``torch.gru`` on the weights of their modules, ``torch.conv_tbc`` and
    a weight gradient from ``torch.nn.grad`` (the loss adds ``linear_cross_entropy`` and
    ``torch.cond``)."""

    def __init__(self):
        super().__init__()
        self.lstm = T.nn.LSTM(3, 4, bidirectional=True)
        self.gru = T.nn.GRU(3, 4)
        self.w = T.nn.Parameter(T.arange(80.0).reshape(2, 8, 5).cos() / 4)
        self.b = T.nn.Parameter(T.zeros(5))

    def forward(self, x):
        h = T.zeros(2, 2, 4, device=x.device)
        out, _, _ = T.lstm(x, (h, h), list(self.lstm.parameters()), True, 1, 0.0, True, True, False)
        g, _ = T.gru(x, h[:1], list(self.gru.parameters()), True, 1, 0.0, True, False, False)
        y = T.conv_tbc(out, self.w, self.b, 1)[:5]  # (5, 2, 5)
        gw = T.nn.grad.conv1d_weight(out.permute(1, 2, 0), (5, 8, 1), y.permute(1, 2, 0))
        return y + g.sum(-1, keepdim=True) + gw.sum() / 100


class _FirstOutput(T.nn.Module):
    """A module returning only the first output of ``inner`` (attention's output, not its
    weights), so that the cases can treat it as any layer."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, *inputs):
        out, weights = self.inner(*inputs)
        return out + weights.sum() * 0


class _Padded(T.nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, src, padding):
        return self.encoder(src, src_key_padding_mask=padding)


class _Bags(T.nn.Module):
    def __init__(self):
        super().__init__()
        self.mx = T.nn.EmbeddingBag(10, 3, mode="max", padding_idx=4)
        self.sm = T.nn.EmbeddingBag(10, 3, mode="sum", scale_grad_by_freq=True)

    def forward(self, words, offsets, weights):
        return T.cat([self.mx(words, offsets), self.sm(words, offsets, per_sample_weights=weights)], 1)


class _Pool3d(T.nn.Module):
    """The 3-d poolings side by side (windows reaching into the padding, ceil_mode), each
    reduced to 2 values per channel, after a Conv3d so that there are parameters."""

    def __init__(self):
        super().__init__()
        self.conv = T.nn.Conv3d(2, 2, 1)
        self.max = T.nn.MaxPool3d(3, stride=2, padding=1, dilation=(1, 2, 1), ceil_mode=True)
        self.avg = T.nn.AvgPool3d(2, stride=(1, 2, 2), padding=1, count_include_pad=False)

    def forward(self, x):
        x = self.conv(x)
        parts = [T.nn.functional.adaptive_max_pool3d(self.max(x), (2, 1, 1)),
                 T.nn.functional.adaptive_avg_pool3d(self.avg(x), (1, 2, 1)),
                 T.nn.AdaptiveAvgPool3d((2, 1, 1))(x), T.nn.functional.adaptive_max_pool3d(x, (1, 1, 2))]
        return T.cat([p.flatten(2) for p in parts], 2)


class _UnfoldFold(T.nn.Module):
    """Unfold, a linear map of the columns, fold (a convolution written out), then a
    ConvTranspose3d."""

    def __init__(self):
        super().__init__()
        self.mix = T.nn.Linear(12, 8)
        self.up = T.nn.ConvTranspose3d(2, 2, (1, 3, 3), stride=(1, 2, 1), padding=(0, 0, 1))

    def forward(self, x):
        cols = T.nn.Unfold(2, padding=1, stride=(1, 2))(x)  # (2, 12, 5 * 3)
        y = T.nn.Fold((4, 5), 2, padding=1, stride=(1, 2))(self.mix(cols.transpose(1, 2)).transpose(1, 2))
        return self.up(y.unsqueeze(2))


class _UnpoolEtc(T.nn.Module):
    """Max pooling undone by MaxUnpool2d, an LPPool2d, local response norm, a channel
    shuffle and Softmax2d, after a convolution (the parameters)."""

    def __init__(self):
        super().__init__()
        self.conv = T.nn.Conv2d(3, 3, 1)

    def forward(self, x):
        x = self.conv(x)
        v, i = T.nn.functional.max_pool2d(x, 2, return_indices=True)
        a = T.nn.MaxUnpool2d(2)(v, i) + T.nn.functional.interpolate(T.nn.LPPool2d(2, 2)(x.abs() + 0.1), scale_factor=2)
        b = T.nn.LocalResponseNorm(2, alpha=0.5)(x)
        return T.nn.Softmax2d()(T.nn.ChannelShuffle(2)(T.cat([a, b], 1)))


class _Fractional(T.nn.Module):
    """Fractional max pooling, 2-d (samples drawn on the device) undone by MaxUnpool2d, and
    3-d (fixed samples), and CrossMapLRN2d, after a convolution (the parameters)."""

    def __init__(self):
        super().__init__()
        self.conv = T.nn.Conv2d(3, 3, 1)
        self.pool = T.nn.FractionalMaxPool2d(2, output_size=3, return_indices=True)
        self.pool3 = T.nn.FractionalMaxPool3d((1, 2, 2), output_ratio=(0.5, 0.6, 0.6),
                                              _random_samples=T.tensor([[[0.2, 0.5, 0.9]]]))

    def forward(self, x):
        x = self.conv(x)
        v, i = self.pool(x)
        b = self.pool3(x[:1]).sum()
        return T.nn.MaxUnpool2d(2)(v, i, output_size=(5, 5)) + b + T.nn.CrossMapLRN2d(3, alpha=0.5)(x)


class _BilinearAttention(T.nn.Module):
    def __init__(self):
        super().__init__()
        self.bil = T.nn.Bilinear(3, 4, 2)

    def forward(self, a, b):
        y = self.bil(a, b)
        mask = T.ones(2, 2, dtype=T.bool, device=y.device).tril()
        return T.nn.functional.scaled_dot_product_attention(y, y, y, attn_mask=mask) + T.nn.init.orthogonal_(
            T.empty(2, 2, device=y.device)).sum() * 0


class _SpatialTransformer(T.nn.Module):
    """affine_grid from a learned theta, then grid_sample in every mode (2-D and 3-D)."""

    def __init__(self):
        super().__init__()
        self.loc = T.nn.Linear(48, 6)
        self.loc3 = T.nn.Linear(48, 12)

    def forward(self, x):
        F = T.nn.functional
        flat = x.flatten(1)
        theta = self.loc(flat).view(-1, 2, 3) * 0.5 + T.eye(2, 3, device=x.device)
        grid = F.affine_grid(theta, (2, 3, 3, 5), align_corners=False) * 1.4
        a = F.grid_sample(x, grid, padding_mode="reflection", align_corners=False)
        b = F.grid_sample(x, grid, mode="bicubic", padding_mode="border", align_corners=True)
        c = F.grid_sample(x, grid, mode="nearest", align_corners=False)
        theta3 = self.loc3(flat).view(-1, 3, 4) * 0.5 + T.eye(3, 4, device=x.device)
        grid3 = F.affine_grid(theta3, (2, 3, 2, 3, 5), align_corners=True)
        d = F.grid_sample(x[:, :, None], grid3, align_corners=True)[:, :, 1]
        return a + b + c + d


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_on_stand_in_accelerator(name):
    cpu = run("cpu", CASES[name])
    dev = run("strict", CASES[name])
    for a, b in zip(cpu, dev):
        np.testing.assert_allclose(tonp(a), tonp(b), rtol=1e-5, atol=1e-6)


def test_clip_grad_on_stand_in():
    for dev in ("cpu", "strict"):
        w = T.tensor([3.0, 4.0], device=dev, requires_grad=True)
        (w * w).sum().backward()
        total = T.nn.utils.clip_grad_norm_([w], 1.0)
        assert abs(float(total) - 10.0) < 1e-5
        np.testing.assert_allclose(tonp(w.grad), [0.6, 0.8], rtol=1e-5)
        T.nn.utils.clip_grad_value_([w], 0.7)
        np.testing.assert_allclose(tonp(w.grad), [0.6, 0.7], rtol=1e-5)


def test_init_fusion_functional_call_and_hooks_on_stand_in():
    results = {}
    for dev in ("cpu", "strict"):
        T.manual_seed(0)
        w = T.nn.init.dirac_(T.empty(4, 2, 3, 3, device=dev), groups=2)
        s = T.nn.init.sparse_(T.empty(5, 3, device=dev), 0.4)
        conv, bn = T.nn.Conv2d(2, 3, 3).to(dev).eval(), T.nn.BatchNorm2d(3).to(dev).eval()
        bn.running_mean.fill_(0.5)
        x = T.arange(32.0, device=dev).reshape(1, 2, 4, 4) / 10
        fused = T.nn.utils.fuse_conv_bn_eval(conv, bn)(x)
        lin = T.nn.Linear(3, 1).to(dev)
        called = T.func.functional_call(lin, {"weight": T.ones(1, 3, device=dev)}, (T.ones(2, 3, device=dev),))
        seen = []
        lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi[0].device.type, go[0].device.type)))
        lin(T.ones(2, 3, device=dev, requires_grad=True)).sum().backward()
        assert seen == [(T.device(dev).type,) * 2]
        results[dev] = [w, (s == 0).sum(0), fused, bn(conv(x)), called]
    for a, b in zip(results["cpu"], results["strict"]):
        np.testing.assert_allclose(tonp(a), tonp(b), rtol=1e-5, atol=1e-6)
