"""F.affine_grid and F.grid_sample against PyTorch: values, grad_fn names, gradients of
input, grid and theta, every mode / padding mode / align_corners, errors and warnings."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch

from _compare import both, check_grads, raises_like

RNG = np.random.default_rng(0)


def _grid(shape, spread=1.3, dtype="float32"):
    """Points mostly inside [-1, 1], some outside (padding), some exactly on the corners."""
    g = RNG.uniform(-spread, spread, shape).astype(dtype)
    g.reshape(-1)[:3] = [-1.0, 1.0, 0.0][:g.size]
    return g


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_2d_values_and_grads(mode, padding, align):
    x = RNG.standard_normal((2, 3, 5, 6)).astype(np.float32)
    g = _grid((2, 4, 7, 2), spread=2.5 if padding == "reflection" else 1.3)
    if mode == "bicubic":  # float32 grid gradients of bicubic cancel (16 taps): to 1e-4 relative only
        both(lambda T, x, g: T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding,
                                                         align_corners=align), x, g)
        x, g = x.astype(np.float64), g.astype(np.float64)
    check_grads(lambda T, x, g: T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding,
                                                            align_corners=align), x, g)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sample_3d_values_and_grads(mode, padding, align):
    x = RNG.standard_normal((2, 2, 3, 4, 5)).astype(np.float32)
    g = _grid((2, 3, 2, 4, 3), spread=2.5 if padding == "reflection" else 1.3)
    check_grads(lambda T, x, g: T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=padding,
                                                            align_corners=align), x, g)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_float64_and_unit_sizes(padding):
    x = RNG.standard_normal((1, 2, 1, 4)).astype(np.float64)
    g = _grid((1, 3, 3, 2), spread=2.0, dtype="float64")
    for align in (False, True):
        check_grads(lambda T, x, g: T.nn.functional.grid_sample(x, g, padding_mode=padding,
                                                                align_corners=align), x, g)


def test_grid_sample_only_one_side_requires_grad():
    x = RNG.standard_normal((1, 2, 3, 3)).astype(np.float32)
    g = _grid((1, 2, 2, 2))
    both(lambda T, x, g: T.nn.functional.grid_sample(x.requires_grad_(), g, align_corners=False), x, g)
    both(lambda T, x, g: T.nn.functional.grid_sample(x, g.requires_grad_(), align_corners=True), x, g)
    both(lambda T, x, g: T.nn.functional.grid_sample(x, g, align_corners=True), x, g)


def test_grid_sample_half_and_empty():
    x = RNG.standard_normal((1, 2, 3, 3)).astype(np.float16)
    g = _grid((1, 2, 2, 2), dtype="float16")
    both(lambda T, x, g: T.nn.functional.grid_sample(x, g, align_corners=False), x, g)
    for xs, gs in (((0, 2, 3, 3), (0, 2, 2, 2)), ((1, 2, 3, 3), (1, 0, 2, 2)), ((1, 0, 3, 3), (1, 2, 2, 2))):
        both(lambda T, x, g: T.nn.functional.grid_sample(x, g, align_corners=False),
             np.zeros(xs, np.float32), np.zeros(gs, np.float32))


def test_grid_sample_errors():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    g = _grid((2, 3, 3, 2))
    cases = [
        (lambda T, x, g: T.nn.functional.grid_sample(x, g.double(), align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x.double(), g, align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, g[:1], align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, T.cat([g, g[..., :1]], -1), align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x[0], g[0], align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, g[..., None, :], align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x[:, :, :0], g, align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x[..., None], T.zeros(2, 1, 1, 1, 3), mode="bicubic",
                                                     align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, g, mode="area", align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, g, padding_mode="x", align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x.long(), g.long(), align_corners=False), x, g),
        (lambda T, x, g: T.nn.functional.grid_sample(x, [1], align_corners=False), x, g),
    ]
    for fn, *args in cases:
        raises_like(fn, *args, msg=True)


def test_default_align_corners_warns():
    x = reftorch.zeros(1, 1, 2, 2)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        reftorch.nn.functional.grid_sample(x, reftorch.zeros(1, 1, 1, 2))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        reftorch.nn.functional.affine_grid(reftorch.zeros(1, 2, 3), (1, 1, 2, 2))


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 1, 4, 5), (2, 3, 1, 3), (2, 1, 3, 4, 5), (2, 1, 2, 1, 3)])
def test_affine_grid(size, align):
    nd = len(size) - 2
    theta = RNG.standard_normal((2, nd, nd + 1)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(lambda T, th: T.nn.functional.affine_grid(th, size, align_corners=align), theta)
        check_grads(lambda T, th: T.nn.functional.affine_grid(th, T.Size(size), align_corners=align),
                    theta.astype(np.float64))


def test_affine_grid_then_grid_sample():
    theta = np.array([[[0.8, -0.3, 0.1], [0.2, 1.1, -0.2]]], np.float32)
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    check_grads(lambda T, th, x: T.nn.functional.grid_sample(
        x, T.nn.functional.affine_grid(th, (1, 2, 3, 4), align_corners=False), align_corners=False), theta, x)


def test_affine_grid_errors_and_unit_warning():
    th = RNG.standard_normal((2, 2, 3)).astype(np.float32)
    for size in [(2, 1, 3, 4, 5), (2, 1, 4), (2, 1, 0, 5), (3, 1, 4, 5)]:
        raises_like(lambda T, t: T.nn.functional.affine_grid(t, size, False), th, msg=True)
    raises_like(lambda T, t: T.nn.functional.affine_grid(t.long(), (2, 1, 4, 5), False), th, msg=True)
    with pytest.warns(UserWarning, match="unit-size grids"):
        reftorch.nn.functional.affine_grid(reftorch.zeros(2, 2, 3), (2, 1, 1, 5), True)
