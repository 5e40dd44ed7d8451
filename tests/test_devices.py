"""The same kernels on every backend: NumPy (cpu), the strict stand-in accelerator, and CuPy.

The ``strict`` device is ``array_api_strict`` on its ``device1``: a namespace that is not
NumPy, refuses NumPy-only functions, refuses silent host copies (``np.asarray`` raises)
and refuses mixing devices. Every op below runs there and on CUDA (when a GPU and CuPy are
present), and its values and gradients must equal the CPU results. A kernel that calls
NumPy directly, or creates an array without the input's device, fails here on CPU-only CI.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch as torch
from reftorch._backends.cupy_backend import cupy_available
from reftorch.nn.attention import SDPBackend, sdpa_kernel

DEVICES = [
    "strict",
    pytest.param("cuda", marks=[pytest.mark.gpu,
                                pytest.mark.skipif(not cupy_available(), reason="needs CuPy and a CUDA GPU")]),
]

A = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]


def _x(device, data=A, dtype=torch.float32):
    return torch.tensor(data, dtype=dtype, device=device, requires_grad=True)


def _idx(device, data):
    return torch.tensor(data, device=device)


def _write_through_view(x, d):
    y = x * 1
    y[:, 1:].mul_(3)  # CopySlices on y, AsStridedBackward0 on the view
    return y


def _setitem_mixed(x, d):
    y = x * 1
    y[_idx(d, [1, 0]), 1:] = x[0, :2] * 2  # an index array with a slice: IndexPutBackward0
    return y


def _index_reduce(x, d):
    with warnings.catch_warnings():  # (PyTorch's once-per-process beta warning)
        warnings.simplefilter("ignore")
        return torch.ones(3, 3, device=d).index_reduce(0, _idx(d, [2, 2]), x, "amax", include_self=False)


def _sdpa_flash_only(x, d):
    """Flash attention the only backend allowed: a 4-D input it takes (its checks read the
    device tensors' shapes and strides)."""
    y = x.reshape(1, 1, 2, 3)
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        return torch.nn.functional.scaled_dot_product_attention(y, y, y)


def _unsqueeze_expand(x, d):
    return x.t().unsqueeze(1).expand(3, 2, 2) * 1


# Each case: name -> function(x, device) returning a float tensor built from x.
def _native_and_legacy_forms(x, d):
    """The torch.native_* operators and the legacy/low-level forms of the misc landing."""
    with warnings.catch_warnings():  # (frobenius_norm's once-per-process deprecation warning)
        warnings.simplefilter("ignore")
        fro = torch.frobenius_norm(x, (1,), True)
    y = (x * 1).adjoint().adjoint().as_strided_((2, 3), (3, 1))
    kept = torch.nonzero_static(x > 0, size=4, fill_value=0).sum(1).float()[:2, None]
    return (sum(torch.native_layer_norm(x, (3,), None, None, 1e-5))
            + torch.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5)[0]
            + torch.native_dropout(x, 0.5, False)[0] + fro + y + kept
            + torch.signal.windows.hann(3, device=d) + torch.empty_permuted((2, 3), (1, 0), device=d).zero_())


CASES = {
    "index_rows_slice": lambda x, d: x[_idx(d, [1, 0, 1]), 1:],
    "index_mask_cols": lambda x, d: x[:, _idx(d, [True, False, True])],
    "index_two_arrays": lambda x, d: x[_idx(d, [1, 1]), _idx(d, [2, 0])],
    "write_through_view": _write_through_view,
    "setitem_mixed": _setitem_mixed,
    "unsqueeze_expand": _unsqueeze_expand,
    "clone_transposed": lambda x, d: x.t().clone(),
    "channels_last": lambda x, d: torch.nn.functional.pad(torch.nn.functional.interpolate(
        x.reshape(1, 2, 1, 3).contiguous(memory_format=torch.channels_last), scale_factor=2), (1, 1)).double(
        memory_format=torch.channels_last) * torch.full_like(x.reshape(1, 2, 1, 3).double(), 3, memory_format=
        torch.channels_last).repeat(1, 1, 2, 3)[..., :8],
    "embedding": lambda x, d: torch.nn.functional.embedding(_idx(d, [[1, 0], [1, 1]]), x),
    "scatter_add": lambda x, d: torch.zeros(2, 4, device=d).scatter_add(1, _idx(d, [[0, 1, 1], [3, 3, 0]]), x),
    "scatter_reduce": lambda x, d: x.scatter_reduce(1, _idx(d, [[0, 0, 2], [1, 1, 1]]), x * 2, "amax"),
    "sort": lambda x, d: x.sort(1).values,
    "topk": lambda x, d: x.topk(2, dim=1).values,
    "cumsum": lambda x, d: x.cumsum(1),
    "cumprod": lambda x, d: x.cumprod(0),
    "softmax": lambda x, d: x.softmax(1),
    "log_softmax": lambda x, d: torch.nn.functional.log_softmax(x, 0),
    "clamp": lambda x, d: x.clamp(-1.5, 4.5),
    "norm": lambda x, d: x.norm(dim=1),
    "einsum": lambda x, d: torch.einsum("ij,kj->ik", x, x),
    "tril": lambda x, d: x.tril(),
    "flip_roll": lambda x, d: x.flip((0,)).roll(1, 1),
    "split": lambda x, d: torch.cat(x.split(1, dim=1)[::-1], 1),
    "where_scalar": lambda x, d: torch.where(x > 0, x, 0.0),
    "linear": lambda x, d: torch.nn.functional.linear(x, x.t() @ x),
    "cross_entropy": lambda x, d: torch.nn.functional.cross_entropy(x, _idx(d, [2, 0])),
    "layer_norm": lambda x, d: torch.nn.functional.layer_norm(x, (3,)),
    "rms_norm": lambda x, d: torch.nn.functional.rms_norm(x, (3,), x[0] + 1),
    "sdpa_causal": lambda x, d: torch.nn.functional.scaled_dot_product_attention(x, x, x, is_causal=True),
    "sdpa_flash_only": _sdpa_flash_only,
    "sdpa_bool_mask": lambda x, d: torch.nn.functional.scaled_dot_product_attention(
        x, x, x, attn_mask=_idx(d, [[True, False], [False, False]])),
    "bilinear": lambda x, d: torch.nn.functional.bilinear(x, x * 2, (x.t() @ x).unsqueeze(0).expand(2, 3, 3) * 1),
    "logspace_times": lambda x, d: x * torch.logspace(0, 1, 3, base=2.0, device=d),
    "sum_axis_keepdims": lambda x, d: x.sum(axis=1, keepdims=True),
    "pixel_shuffle": lambda x, d: torch.nn.functional.pixel_shuffle(torch.cat([x, x * 2]).reshape(1, 4, 3, 1), 2),
    "pixel_unshuffle": lambda x, d: torch.nn.functional.pixel_unshuffle(torch.cat([x, x * 2]).reshape(1, 1, 4, 3)[..., :2], 2),
    "softshrink": lambda x, d: torch.nn.functional.softshrink(x - 0.4, 0.3),
    "cummax": lambda x, d: torch.cummax(torch.cat([x, x.flip(1)], 1), 1).values,
    "cummin": lambda x, d: torch.cummin(x.t(), 0).values,
    "mode": lambda x, d: torch.mode(torch.cat([x, x.round()], 1), 1).values,
    "quantile": lambda x, d: torch.quantile(x, torch.tensor([0.3, 0.5], device=d), 1),
    "nanquantile": lambda x, d: torch.nanquantile(x.masked_fill(x > 4, float("nan")), 0.4, 0, interpolation="midpoint"),
    "nanmedian": lambda x, d: torch.nanmedian(x.masked_fill(x > 4, float("nan")), 1).values,
    "nanmedian_all": lambda x, d: torch.nanmedian(x.masked_fill(x > 4, float("nan"))),
    "aminmax": lambda x, d: torch.stack(torch.aminmax(x, dim=0)),
    "cov": lambda x, d: torch.cov(x, fweights=torch.tensor([1, 2, 1], device=d), aweights=x[0].detach().abs()),
    "corrcoef": lambda x, d: torch.corrcoef(torch.cat([x, x.flip(1) ** 2])),
    "histc": lambda x, d: torch.cat([x.flatten(), torch.histc(x.detach(), 4), torch.histc(x.detach(), 3, -2, 2)]),
    "logcumsumexp": lambda x, d: torch.logcumsumexp(x * 100, 1),
    "trapezoid": lambda x, d: torch.trapezoid(x, torch.tensor([0., 1., 3.], device=d)),
    "cumulative_trapezoid": lambda x, d: torch.cumulative_trapezoid(x, dx=0.5, dim=0),
    "block_diag": lambda x, d: torch.block_diag(x, x[0], x[1, 1]),
    "combinations": lambda x, d: torch.combinations(x.flatten(), 3, with_replacement=True),
    "vander": lambda x, d: x * torch.vander(x[0].detach(), 3)[:2],
    "diagflat": lambda x, d: torch.diagflat(x, -1),
    "unravel_index": lambda x, d: x * torch.unravel_index(torch.tensor([5, 4, 1], device=d), (2, 3))[1],
    "renorm": lambda x, d: torch.renorm(x, 2, 1, 3.0),
    "index_copy": lambda x, d: torch.zeros(3, 3, device=d).index_copy(0, torch.tensor([2, 0], device=d), x),
    "index_reduce": lambda x, d: _index_reduce(x, d),
    "select_scatter": lambda x, d: torch.select_scatter(x * 2, x[0] ** 2, 0, 1),
    "slice_scatter": lambda x, d: torch.slice_scatter(x * 2, x[:, :2] ** 2, 1, 1),
    "diagonal_scatter": lambda x, d: torch.diagonal_scatter(x * 2, x[:, 0] ** 2, 1),
    "histogram": lambda x, d: torch.cat([x.flatten(), *torch.histogram(x.detach(), 3, weight=x.detach() ** 2),
                                         torch.histogram(x.detach(), torch.tensor([-3., 0., 5.], device=d)).hist]),
    "cat": lambda x, d: torch.cat([x, x * 2], 1),
    "cat_neg": lambda x, d: torch.cat([x, x], -2),
    "stack": lambda x, d: torch.stack([x, x * 3]),
    "stack_last": lambda x, d: torch.stack([x, x], dim=-1),
    "view": lambda x, d: x.view(3, 2) * 1,
    "reshape_copy": lambda x, d: x.t().reshape(6),
    "flatten": lambda x, d: x.unsqueeze(0).flatten(),
    "squeeze": lambda x, d: x.unsqueeze(1).squeeze(1),
    "permute": lambda x, d: x.unsqueeze(0).permute(2, 0, 1),
    "transpose": lambda x, d: x.transpose(0, 1),
    "expand": lambda x, d: x[:1].expand(3, 3),
    "select": lambda x, d: x[1],
    "slice": lambda x, d: x[:, 1:],
    "index_none": lambda x, d: x[None, ..., 0],
    "bool_mask": lambda x, d: x[x > 0],
    "index_select": lambda x, d: x.index_select(1, _idx(d, [2, 0, 2])),
    "gather": lambda x, d: x.gather(1, _idx(d, [[2, 0], [1, 1]])),
    "masked_fill": lambda x, d: x.masked_fill(x > 2, 0.5),
    "add_scalar": lambda x, d: x + 1.5,
    "radd_broadcast": lambda x, d: x + x[0],
    "sub": lambda x, d: 2 - x,
    "mul": lambda x, d: x * x,
    "div": lambda x, d: x / (x * x + 1),
    "pow_scalar": lambda x, d: x ** 2,
    "pow_tensor": lambda x, d: (x * x + 1) ** (x / 4),
    "neg": lambda x, d: -x,
    "exp": lambda x, d: (x / 4).exp(),
    "log": lambda x, d: (x * x + 1).log(),
    "tanh": lambda x, d: x.tanh(),
    "sigmoid": lambda x, d: x.sigmoid(),
    "relu": lambda x, d: x.relu(),
    "matmul": lambda x, d: x @ x.t(),
    "mv": lambda x, d: x @ x[0],
    "bmm": lambda x, d: torch.bmm(x.unsqueeze(0), x.t().unsqueeze(0)),
    "sum_dim": lambda x, d: x.sum(-1),
    "sum_all": lambda x, d: x.sum(),
    "mean_keepdim": lambda x, d: x.mean(0, keepdim=True),
    "max_all": lambda x, d: x.max(),
    "max_dim": lambda x, d: x.max(1).values,
    "contiguous": lambda x, d: x.t().contiguous(),
    "to_double": lambda x, d: x.double(),
    "narrow": lambda x, d: x.narrow(1, 1, 2) * 1,
    "tile": lambda x, d: x.tile((2,)),
    "pad_constant": lambda x, d: torch.nn.functional.pad(x, (2, -1, 1, 0), value=1.5),
    "pad_reflect": lambda x, d: torch.nn.functional.pad(x, (2, 1), mode="reflect"),
    "pad_replicate": lambda x, d: torch.nn.functional.pad(x, (1, 3), mode="replicate"),
    "pad_circular": lambda x, d: torch.nn.functional.pad(x, (-1, 2), mode="circular"),
    "selu": lambda x, d: torch.nn.functional.selu(x),
    "celu": lambda x, d: torch.nn.functional.celu(x, 0.5),
    "hardswish": lambda x, d: torch.nn.functional.hardswish(x),
    "hardsigmoid": lambda x, d: torch.nn.functional.hardsigmoid(x),
    "logsigmoid": lambda x, d: torch.nn.functional.logsigmoid(x),
    "threshold": lambda x, d: torch.nn.functional.threshold(x, 0.5, -2.0),
    "glu": lambda x, d: torch.nn.functional.glu(x, 0),
    "prelu": lambda x, d: torch.nn.functional.prelu(x, x[0].detach() * 0 + 0.2),
    "conv_transpose2d": lambda x, d: torch.nn.functional.conv_transpose2d(x.view(1, 1, 2, 3), x.view(1, 1, 2, 3),
                                                                        stride=2),
    "interpolate_nearest": lambda x, d: torch.nn.functional.interpolate(x.view(1, 2, 3), scale_factor=1.7),
    "interpolate_linear": lambda x, d: torch.nn.functional.interpolate(x.view(1, 2, 3), size=5, mode="linear"),
    "interpolate_bilinear": lambda x, d: torch.nn.functional.interpolate(x.view(1, 1, 2, 3), scale_factor=2.5,
                                                                        mode="bilinear", align_corners=True),
    "broadcast_to": lambda x, d: torch.broadcast_to(x[:1], (3, 3)) * 1,
    "broadcast_tensors": lambda x, d: torch.cat(torch.broadcast_tensors(x[:, :1], x[0]), 0),
    "type_as": lambda x, d: x.type_as(torch.zeros(1, dtype=torch.float64, device=d)),
    "addcmul": lambda x, d: torch.addcmul(x, x[0], x[:, :1], value=0.5),
    "addcdiv": lambda x, d: x.addcdiv(x, x * x + 1, value=2),
    "lerp": lambda x, d: torch.lerp(x, x * x, 0.7),
    "lerp_tensor": lambda x, d: torch.lerp(x, x[0] * 3, (x / 8).sigmoid()),
    "index_fill": lambda x, d: x.index_fill(1, _idx(d, [0, 2, 2]), -1.0),
    "index_fill_tensor": lambda x, d: x.index_fill(0, _idx(d, [1]), x[0, 0] * 2),
    "masked_scatter": lambda x, d: x.masked_scatter(_idx(d, [True, False, True]), x.t() * 3),
    "index_put": lambda x, d: x.index_put((_idx(d, [1, 0, 1]), _idx(d, [2, 2, 2])), x[0] * 2),
    "index_put_accumulate": lambda x, d: x.index_put((_idx(d, [1, 0, 1]),), x[0] * 2, accumulate=True),
    "real_imag": lambda x, d: x * torch.tensor([[1 + 2j, 2 - 1j, 3j]], device=d).real
                              + x * torch.tensor([[1 + 2j, 2 - 1j, 3j]], device=d).imag,
    "scalar_tensor": lambda x, d: x * torch.scalar_tensor(3, device=d),
    "masked_select": lambda x, d: x.masked_select(x > 0),
    "masked_select_broadcast": lambda x, d: torch.masked_select(x[0], _idx(d, [[True, False, True], [True, True, False]])),
    "index_add": lambda x, d: x.index_add(1, _idx(d, [2, 0, 2]), x * x, alpha=0.5),
    "index_add_": lambda x, d: (x * 1).index_add_(0, _idx(d, [1]), x[:1] * 3),
    "take": lambda x, d: x.take(_idx(d, [[5, -1], [0, 0]])),
    "put": lambda x, d: x.put(_idx(d, [5, -1, 0]), x[0] * 2),
    "gradient": lambda x, d: (torch.gradient(x, spacing=[torch.tensor([0.0, 2.0], device=d),
                                                         torch.tensor([0.0, 1.0, 3.0], device=d)])[1]
                              + torch.gradient(x * x, dim=1, edge_order=2)[0]),
    "histogramdd": lambda x, d: x + torch.histogramdd(x.detach().t().contiguous(), bins=[3, 2]).hist.sum(),
    "put_accumulate": lambda x, d: torch.put(x, _idx(d, [1, 1]), x[1, :2], accumulate=True),
    "angle_copysign": lambda x, d: torch.copysign(x, x[1] - 1) + torch.angle(x - 1),
    "complex_polar": lambda x, d: torch.complex(x, x * 2).abs() + torch.polar(x, x).real,
    "take_along_dim": lambda x, d: torch.take_along_dim(x, _idx(d, [[2, -1, 0, 4]]), dim=1),
    "take_along_dim_flat": lambda x, d: x.take_along_dim(_idx(d, [4, 1, 1])),
    "meshgrid": lambda x, d: torch.cat(torch.meshgrid(x[0], x[1, :2], indexing="xy"), 1),
    "cdist": lambda x, d: torch.cdist(x, x.flip((0,)) * 0.5),
    "cdist_p1_inf": lambda x, d: torch.cdist(x.unsqueeze(0), x[:1], p=1) + torch.cdist(x, x, p=float("inf")),
    "cdist_p3": lambda x, d: torch.cdist(x, x[1:] * 0.1 + 1, p=3),
    "pdist": lambda x, d: torch.cat([torch.pdist(x), torch.pdist(x.t(), p=1), torch.pdist(x, p=float("inf"))]),
    "rot90": lambda x, d: torch.rot90(x, 1) * 1 + torch.rot90(x, 3, (1, 0)) + x.fliplr().rot90(2).t(),
    "flipud_moveaxis": lambda x, d: torch.moveaxis(x.flipud().unsqueeze(0), 0, 2),
    "kron": lambda x, d: torch.kron(x, x[:, :2]),
    "tensordot": lambda x, d: torch.tensordot(x, x, dims=([1], [1])) + torch.tensordot(x[:, :1], x, ([1], [0]))[:, :2],
    "diag_embed": lambda x, d: torch.diag_embed(x, 1, 0, 2),
    "cartesian_prod": lambda x, d: torch.cartesian_prod(x[0], x[1, :2]),
    "column_dstack": lambda x, d: torch.column_stack([x[0], x[1]]).t() + torch.dstack([x, x])[..., 1],
    "atleast": lambda x, d: torch.atleast_3d(x[0, 0]) * torch.atleast_2d(x[0]).sum(),
    "as_strided": lambda x, d: (torch.as_strided(x * 2, (2, 3), (1, 1), 1) + x[:, 1:].as_strided((2, 3), (0, 1))
                                + torch.as_strided_scatter(x * 1, x[0, :2] * 3, (2,), (2,), 1).reshape(2, 3)),
    "unfold_windows": lambda x, d: x.unfold(1, 2, 1) * x.unfold(0, 1, 1).sum() + x.unfold(1, 1, 2).sum(),
    "inplace_views": lambda x, d: (x * 1).unsqueeze_(1).transpose_(0, 2).squeeze_(1).relu_(),
    "lgamma_digamma": lambda x, d: torch.lgamma(x * 0.7) + torch.digamma(x + 0.5),
    "polygamma": lambda x, d: torch.polygamma(1, x * 0.3) + torch.polygamma(3, x.abs() + 0.5),
    "mvlgamma": lambda x, d: torch.mvlgamma(x.abs() + 2, 3),
    "erfinv_i0_sinc": lambda x, d: torch.erfinv(x / 7) + torch.i0(x) + torch.sinc(x * 0.3),
    "xlogy": lambda x, d: torch.xlogy(x, x.abs()) + torch.xlogy(2, x.abs()) + torch.xlogy(x, 3.0),
    "special_bessel": lambda x, d: torch.special.i0e(x) + torch.special.i1(x) + torch.special.i1e(x * 3),
    "special_normal": lambda x, d: (torch.special.ndtr(x) + torch.special.ndtri(torch.sigmoid(x))
                                    + torch.special.log_ndtr(x * 5)),
    "special_zeta_j0": lambda x, d: (torch.special.zeta(x.detach().abs() + 1.5, x * x + 0.5)
                                     + torch.special.zeta(x.detach().abs() + 2, 0.5) + torch.special.zeta(2.5, x * x + 1)
                                     + torch.special.spherical_bessel_j0(x * 3)),
    "special_bessel_jy": lambda x, d: (x * torch.special.bessel_j0(x * 4) + torch.special.bessel_j1(x - 2)
                                       + torch.special.bessel_y0(x.abs() * 3) + torch.special.bessel_y1(x.abs() + 0.5)),
    "special_modified_bessel": lambda x, d: (x * torch.special.modified_bessel_i0(x * 3) + torch.special.modified_bessel_i1(x)
                                             + torch.special.modified_bessel_k0(x.abs() * 2 + 0.1)
                                             + torch.special.modified_bessel_k1(x.abs() + 0.5)
                                             + torch.special.scaled_modified_bessel_k0(x.abs() * 3 + 0.2)
                                             + torch.special.scaled_modified_bessel_k1(x.abs() + 1)
                                             + torch.special.airy_ai(x * 2)),
    "special_orthogonal": lambda x, d: (x + torch.special.chebyshev_polynomial_t(x, 3) + torch.special.chebyshev_polynomial_u(x / 9, 11)
                                        + torch.special.shifted_chebyshev_polynomial_w(x.abs(), 6)
                                        + torch.special.hermite_polynomial_h(x / 3, x.abs() * 3)
                                        + torch.special.laguerre_polynomial_l(x, 4) + torch.special.legendre_polynomial_p(0.3, x.abs() * 5)),
    "special_erfcx": lambda x, d: torch.special.erfcx(x * 3) + torch.special.erfcx(x * 30 - 40),
    "special_igamma": lambda x, d: (torch.special.gammainc(x.detach().abs() * 10 + 0.5, x * x * 10)
                                    + torch.igammac(x.detach().abs() + 0.1, x.abs() * 3)
                                    + torch.igamma(x.detach().abs() * 100 + 30, x.abs() * 100 + 30)),
    "special_entr_xlog1py": lambda x, d: torch.special.entr(x.abs()) + torch.special.xlog1py(x, x.abs()),
    "linalg_det_inv": lambda x, d: torch.linalg.inv(x[:, :2]) * torch.linalg.det(x[:, 1:])
                                   + torch.linalg.slogdet(x[:, :2]).logabsdet + torch.logdet(x[:, :2]),
    "linalg_solve": lambda x, d: torch.linalg.solve(x[:, :2], x) + torch.linalg.solve(x[:, 1:], x[:, 0]).unsqueeze(1)
                                 + torch.linalg.solve(x[:, :2], x[:, 1:].t(), left=False).sum(1, True),
    "linalg_cholesky_eigh": lambda x, d: torch.linalg.cholesky(x @ x.t()) + torch.linalg.eigvalsh(x @ x.t())
                                         + torch.linalg.eigh(x @ x.t()).eigenvectors.abs(),
    "linalg_qr_svd": lambda x, d: torch.linalg.qr(x.t()).R.abs() + torch.linalg.svd(x, full_matrices=False).S
                                  + torch.linalg.svd(x.t(), full_matrices=False).U.abs()[:2] + torch.linalg.pinv(x)[:2],
    "linalg_products": lambda x, d: torch.linalg.matrix_power(x[:, :2], -3) + torch.linalg.multi_dot([x, x.t(), x[:, :2]])
                                    + torch.linalg.vecdot(x[:, :2], x[:, 1:]) + torch.linalg.solve_triangular(
                                        x[:, :2], x[:, 1:], upper=False, left=False)
                                    + torch.linalg.matrix_rank(x).to(x.dtype),
    "linalg_matrix_exp": lambda x, d: (torch.linalg.matrix_exp(x[:, :2] / 4) + torch.matrix_exp(x[:, 1:] * 2)
                                       + torch.linalg.matrix_exp(torch.stack([x[:, :2], x[:, 1:] / 9])).sum(0)),
    "linalg_eig": lambda x, d: (torch.linalg.eigvals(x[:, :2]).abs() + torch.linalg.eig(x[:, 1:]).eigenvalues.real
                                + torch.linalg.eig(x[:, :2]).eigenvectors.abs().sum(0)),
    "householder_product": lambda x, d: (torch.linalg.householder_product(x.t(), x[0, :2] / 3)
                                         + torch.orgqr(x.t(), x[1, :1])).t(),
    "linalg_lu": lambda x, d: (torch.linalg.lu_solve(*torch.linalg.lu_factor(x[:, :2]), x)
                               + torch.linalg.lu_solve(*torch.linalg.lu_factor(x[:, 1:]), x, adjoint=True)
                               + torch.linalg.lu(x).U + torch.lu_unpack(*torch.linalg.lu_factor(x.t())).L.t()),
    "linalg_cholesky_solve_cond": lambda x, d: (
        torch.cholesky_solve(x, torch.linalg.cholesky(x[:, :2] @ x[:, :2].t() + torch.eye(2, device=d)))
        + torch.cholesky_inverse(x[:, 1:].tril() + 3 * torch.eye(2, device=d)).sum(1, True)
        + torch.triangular_solve(x, x[:, :2] + 3 * torch.eye(2, device=d)).solution
        + torch.linalg.cond(x) + torch.linalg.cond(x[:, 1:], "nuc") + torch.linalg.vander(x[:, 0], N=3)
        + torch.linalg.diagonal(x[:, :2]).unsqueeze(1) + torch.linalg.tensorinv(x[:, 1:] + 2 * torch.eye(2, device=d), ind=1)[0, 0]
        + torch.linalg.tensorsolve(x[:, :2] + 2 * torch.eye(2, device=d), x[:, 2]).unsqueeze(1)),
    "geqrf_ormqr": lambda x, d: (torch.geqrf(x.detach().t() * 1).a.t() * x
                                 + torch.ormqr(x.t(), x[0, :2] / 3, x.t() * 2, transpose=True).t()
                                 + torch.ormqr(x.t(), x[1, :2] / 4, x[:, :1].expand(2, 3), left=False)),
    "addr_addbmm_vdot_dist": lambda x, d: (torch.addr(x, x[:, 0], x[0], beta=0.5) + torch.addbmm(x[0], x.unsqueeze(1).mT,
                                                                                        x.unsqueeze(1)[:, :, :3])[:2]
                                           + torch.vdot(x[0], x[1]) + torch.dist(x, x[0] * 2, 3) + (x * 1).addmm_(x[:, :2], x)),
    "linalg_ldl": lambda x, d: (x + torch.linalg.ldl_factor(x.detach().t() @ x.detach() - torch.eye(3, device=d)).LD[:2]
                                + torch.linalg.ldl_solve(*torch.linalg.ldl_factor(x.detach().t() @ x.detach()
                                                                                   + torch.eye(3, device=d)),
                                                         x.detach().t()).t()),
    "linalg_lstsq": lambda x, d: torch.linalg.lstsq(x.t(), x.t()[:, :1] * 2 + 1, driver="gelsd").solution
                                 + torch.linalg.lstsq(x.t(), x[0], driver="gelsd").residuals,
    "logaddexp2_float_power": lambda x, d: torch.logaddexp2(x, x * 2) + torch.float_power(x.abs(), 2).float(),
    "ldexp_frexp": lambda x, d: torch.ldexp(x, _idx(d, [1, -2, 3])) + torch.frexp(x * 3).mantissa,
    "nextafter": lambda x, d: torch.nextafter(x, x.flip(1)),
    "inverse_hyperbolic": lambda x, d: torch.asinh(x) + torch.acosh(x.abs() + 1) + torch.atanh(x / 7),
    "fft_ifft_rfft": lambda x, d: (torch.fft.fft(x).real + torch.fft.ifft(x, n=3, norm="ortho").imag
                                   + torch.fft.fft(x * (1 - 2j), dim=0).imag + torch.fft.rfft(x, n=4)[:, :3].real),
    "irfft_hfft_ihfft": lambda x, d: (torch.fft.irfft(torch.fft.rfft(x, dim=0), n=2, dim=0)
                                      + torch.fft.hfft(x * (1 + 1j), n=3) + torch.fft.ihfft(x).imag[:, :1]),
    "fftn_rfftn_irfftn": lambda x, d: (torch.fft.fftn(x, s=(3, 4)).real[:2, :3] + torch.fft.ifft2(x * 1j).imag
                                       + torch.fft.irfftn(torch.fft.rfft2(x, norm="forward"), s=(2, 3))),
    "hfftn_ihfftn": lambda x, d: torch.fft.hfftn(x * (1 - 1j), s=(2, 3)) + torch.fft.ihfft2(x, norm="ortho").real[:, :1],
    "fftshift_fftfreq": lambda x, d: (torch.fft.fftshift(x) + torch.fft.ifftshift(x, dim=1)
                                      + torch.fft.fftfreq(3, device=d) + torch.fft.rfftfreq(4, 0.5, device=d)),
    "stft_istft_windows": lambda x, d: (
        torch.istft(torch.stft(x, 2, 1, window=torch.hamming_window(2, device=d), return_complex=True), 2, 1,
                    window=torch.hamming_window(2, device=d)) * torch.hann_window(3, device=d)
        + torch.blackman_window(3, False, device=d) + torch.bartlett_window(3, device=d) + torch.kaiser_window(3, device=d)
        + torch.stft(x, 3, 1, window=torch.kaiser_window(3, device=d), return_complex=True, center=False).abs()),
    "inplace_comparisons_fill": lambda x, d: ((x * 1).gt_(0.5) + (x * 1).eq_(x.flip(0)) + torch.fill(x, 2.0)
                                             + torch.fill(x * 1, x[0, 0]) + torch.sqrt_(x.abs() + 1)),
    "view_copies": lambda x, d: (torch.transpose_copy(x, 0, 1).t() + torch.slice_copy(x, 1, 0, 3)
                                 + torch.split_copy(x, 1)[1] + torch.narrow_copy(x, 0, 0, 1)
                                 + torch.unsafe_chunk(x * 1, 2)[0]),
    "torch_embedding_bag": lambda x, d: sum(
        (lambda r: r[0] + r[1][:2, None] + r[2][:, None] + r[3])(
            torch.embedding_bag(x.t() * 1, _idx(d, [0, 2, 1]), _idx(d, [0, 1]), mode=m)) for m in (1, 2)),
    "native_and_legacy_forms": _native_and_legacy_forms,
    "torch_functional_forms": lambda x, d: (torch.dropout(x, 0.5, False) + torch.selu(x)
                                            + torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
                                            + torch.kl_div(x, x.exp(), 0) + torch.constant_pad_nd(x, [1, -1])
                                            + torch.embedding(x, _idx(d, [1, 0])).sum(1, keepdim=True)),
    "func_vmap": lambda x, d: torch.vmap(lambda r, w: r.outer(w).sum(0), in_dims=(1, None))(x, x[0]),
    "func_jacrev_hessian": lambda x, d: (torch.func.jacrev(lambda r: (r * r).sin())(x[0])
                                         + torch.func.hessian(lambda r: (r ** 3).sum())(x[1])),
    "func_jvp": lambda x, d: torch.func.jvp(torch.tanh, (x,), (x * 0 + 1,))[1],
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_forward_and_backward_match_cpu(device, case):
    fn = CASES[case]
    x_cpu = _x("cpu")
    y_cpu = fn(x_cpu, "cpu")
    y_cpu.sum().backward()

    x_dev = _x(device)
    y_dev = fn(x_dev, device)
    assert y_dev.device.type == torch.device(device).type
    assert y_dev.shape == y_cpu.shape
    assert y_dev.dtype == y_cpu.dtype
    assert (y_dev.grad_fn is None) == (y_cpu.grad_fn is None)
    if y_cpu.grad_fn is not None:
        assert y_dev.grad_fn.name() == y_cpu.grad_fn.name()
    assert y_dev.stride() == y_cpu.stride()  # every backend lays memory out as PyTorch does
    np.testing.assert_allclose(y_dev._host(), y_cpu._host(), rtol=1e-6, atol=1e-6)
    y_dev.sum().backward()
    assert x_dev.grad.device.type == torch.device(device).type
    np.testing.assert_allclose(x_dev.grad._host(), x_cpu.grad._host(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_creation_on_device(device):
    for make in (lambda: torch.zeros(2, 3, device=device), lambda: torch.ones(2, device=device),
                 lambda: torch.full((2,), 7, device=device), lambda: torch.arange(5, device=device),
                 lambda: torch.eye(3, device=device), lambda: torch.linspace(0, 1, 5, device=device)):
        t = make()
        assert t.device.type == torch.device(device).type
    t = torch.empty(1, 2, 3, 4, device=device, memory_format=torch.channels_last)
    assert t.stride() == (24, 1, 8, 2) and torch.zeros_like(t).stride() == (24, 1, 8, 2)
    assert t.contiguous().stride() == (24, 12, 4, 1) and t.to(memory_format=torch.contiguous_format).is_contiguous()
    torch.manual_seed(0)
    a = torch.rand(4)
    torch.manual_seed(0)
    b = torch.rand(4, device=device)
    np.testing.assert_array_equal(a.numpy(), b._host())  # drawn on the host, bit-exact


@pytest.mark.parametrize("device", DEVICES)
def test_errors_are_the_same_on_device(device):
    x = _x(device)
    with pytest.raises(IndexError, match="index out of range in self"):
        x.index_select(0, _idx(device, [5]))
    with pytest.raises(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 3"):
        x.gather(1, _idx(device, [[3]]))
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        torch.cat([x, x.t()])
    with pytest.raises(torch.linalg.LinAlgError, match=r"\(Batch element 1\): The diagonal element 2 is zero"):
        torch.linalg.inv(torch.stack([x[:, :2], x[:1, :2].expand(2, 2)]))
    assert torch.linalg.solve_ex(x[:1, :2].expand(2, 2), x[0, :2]).info.item() == 2


@pytest.mark.parametrize("device", DEVICES)
def test_setitem_and_inplace_on_device(device):
    t = torch.zeros(2, 3, device=device)
    t[0, 1] = 5.0
    t.add_(1)
    np.testing.assert_array_equal(t._host(), [[1, 6, 1], [1, 1, 1]])


def test_max_min_along_a_dim_of_bool_tensors_on_every_backend():
    # (the array API's argmax/argmin refuse bool: the backend reads it as uint8)
    for device in ("cpu", "strict"):
        x = torch.tensor([[True, False, True], [False, False, True]], device=device)
        low, high = x.min(1), x.max(0)
        assert low.values.tolist() == [False, False] and low.indices.tolist() == [1, 0]
        assert high.values.tolist() == [True, False, True] and high.indices.tolist() == [0, 0, 0]


def test_bool_extremes_on_every_backend():
    # (the array API's max, min, maximum, minimum and argsort refuse bool: the backend takes
    # any/all, logical_or/logical_and and a uint8 view); expected values by hand
    for device in ("cpu", "strict"):
        x = torch.tensor([[True, False, True], [False, False, True]], device=device)
        y = torch.tensor([False, True, False], device=device)
        assert x.amax().item() is True and x.amin().item() is False
        assert x.max().item() is True and x.min().item() is False
        assert x.amax(1).tolist() == [True, True] and x.amin(0, keepdim=True).tolist() == [[False, False, True]]
        assert [t.tolist() for t in torch.aminmax(x, dim=1)] == [[False, False], [True, True]]
        assert torch.maximum(x, y).tolist() == [[True, True, True], [False, True, True]]
        assert torch.minimum(x, y).tolist() == [[False, False, False], [False, False, False]]
        assert torch.max(x, y).dtype == torch.bool and torch.fmin(x, y).tolist() == torch.minimum(x, y).tolist()
        mode = torch.mode(x, 1)
        assert mode.values.tolist() == [True, False] and mode.indices.tolist() == [2, 1]
        assert torch.sort(x, 1, descending=True).indices.tolist() == [[0, 2, 1], [2, 0, 1]]
        assert x.amax().device.type == device


def test_device_round_trip_through_strict():
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    y = x.to("strict") * 3
    assert y.device.type == "strict"
    z = y.to("cpu").sum()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3.0, 3.0]])


def test_strict_refuses_host_conversion():
    t = torch.ones(2, device="strict")
    with pytest.raises(TypeError, match="can't convert strict device type tensor to numpy"):
        t.numpy()


def test_cuda_without_gpu_raises_like_pytorch():
    if cupy_available():
        pytest.skip("a GPU is present")
    try:
        import cupy  # noqa: F401
        expected = RuntimeError  # a CUDA build without a usable GPU
    except ImportError:
        expected = AssertionError  # "Torch not compiled with CUDA enabled", as PyTorch's CPU build
    with pytest.raises(expected):
        torch.zeros(2, device="cuda")
    with pytest.raises(expected):
        torch.ones(2).cuda()
    assert torch.cuda.is_available() is False


@pytest.fixture
def default_device():
    yield torch.set_default_device
    torch.set_default_device(None)


@pytest.mark.parametrize("device", DEVICES)
def test_set_default_device_moves_factories_only(device, default_device):
    assert torch.get_default_device() == torch.device("cpu")
    default_device(device)
    want = torch.device(device) if device != "cuda" else torch.device("cuda", 0)
    assert torch.get_default_device() == want
    made = [torch.zeros(2), torch.ones(2, 3), torch.tensor([1, 2]), torch.arange(3), torch.randn(2),
            torch.full((2,), 3.0), torch.eye(2), torch.as_tensor([1.0]), torch.nn.Linear(2, 3).weight,
            torch.Tensor(2)]
    assert all(t.device == want for t in made)
    assert torch.from_numpy(np.ones(2)).device.type == "cpu"  # shares NumPy memory: stays on the CPU
    assert torch.zeros_like(torch.zeros(2, device="cpu")).device.type == "cpu"  # *_like follow the input
    assert torch.zeros(2, device="cpu").device.type == "cpu"
    default_device(None)
    assert torch.zeros(2).device.type == "cpu"


def test_default_device_cuda_without_gpu_raises_like_pytorch(default_device):
    if cupy_available():
        pytest.skip("a GPU is present")
    default_device("cuda")  # accepted, as in PyTorch's CPU build; using it raises
    with pytest.raises((AssertionError, RuntimeError)):
        torch.get_default_device()
    with pytest.raises((AssertionError, RuntimeError)):
        torch.zeros(2)


def _data_dependent_results(d):
    """unique / unique_consecutive / bincount (not differentiable): every result tensor."""
    v = torch.tensor([3, 1, 2, 3, 1, 5, 2, 2], device=d)
    f = torch.tensor([2.0, float("nan"), 1.0, float("nan"), 2.0, 1.0], device=d)
    rows = torch.tensor([[1, 2], [3, 4], [1, 2], [0, 9]], device=d)
    out = []
    out += torch.unique(v, return_inverse=True, return_counts=True)
    out += torch.unique(f, return_inverse=True, return_counts=True)
    out += torch.unique(rows, dim=0, return_inverse=True, return_counts=True)
    out += torch.unique(rows > 1, dim=1, return_inverse=True, return_counts=True)
    out += torch.unique_consecutive(v, return_inverse=True, return_counts=True)
    out += torch.unique_consecutive(rows, dim=0, return_inverse=True, return_counts=True)
    out += [torch.bincount(v), torch.bincount(v, minlength=9), torch.bincount(v, torch.arange(8, device=d) * 0.5),
            torch.bincount(v, v.to(torch.int32))]
    seq = torch.tensor([[1.0, 3.0, 3.0, 5.0, float("nan")], [0.0, 2.0, 4.0, 6.0, 8.0]], device=d)
    out += [torch.searchsorted(seq, f.reshape(2, 3)), torch.searchsorted(seq[1], v, right=True),
            torch.searchsorted(seq[0], f, side="right", out_int32=True), torch.bucketize(v, seq[1]),
            torch.searchsorted(seq[1], 4.5)]
    out += [torch.isin(f, seq), torch.isin(v, torch.tensor([2, 5, 7], device=d), invert=True), torch.isin(v, 3)]
    out += [torch.tril_indices(3, 4, device=d), torch.triu_indices(4, 3, -1, device=d, dtype=torch.int32)]
    def pair():  # (the values resized, with PyTorch's warning)
        return torch.zeros(3, device=d), torch.empty(0, dtype=torch.long, device=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out += list(torch.sort(seq, 1, descending=True, out=pair()))
        out += list(torch.topk(seq, 2, 0, False, out=pair()))
    return out


@pytest.mark.parametrize("device", DEVICES)
def test_data_dependent_ops_on_device(device):
    for r_dev, r_cpu in zip(_data_dependent_results(device), _data_dependent_results("cpu"), strict=True):
        assert r_dev.device.type == torch.device(device).type
        assert (r_dev.dtype, r_dev.shape, r_dev.stride()) == (r_cpu.dtype, r_cpu.shape, r_cpu.stride())
        np.testing.assert_array_equal(r_dev._host(), r_cpu._host())


def test_index_fill_with_a_0d_index_on_every_backend():
    # (a 0-d index was reshaped with NumPy's method, which the array API has not)
    for device in ("cpu", "strict"):
        x = torch.zeros(2, 3, device=device)
        i = torch.tensor(1, device=device)
        assert x.index_fill(1, i, 5.0).tolist() == [[0.0, 5.0, 0.0], [0.0, 5.0, 0.0]]
        y = torch.zeros(3, device=device).expand(2, 3)
        with pytest.warns(UserWarning, match="index_fill_ on expanded tensors"):
            y.index_fill_(1, i, 2.0)
        assert y.tolist() == [[0.0, 2.0, 0.0], [0.0, 2.0, 0.0]]
