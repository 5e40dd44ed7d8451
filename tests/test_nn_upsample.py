"""``F.interpolate`` and ``nn.Upsample`` against PyTorch: output sizes, values (nearest and
1D linear bit for bit; bilinear/trilinear within 2 float32 ulps, see reftorch/nn/_upsample.py),
gradients, grad_fn names (first and second order), reprs and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import torch

from _nn_compare import LIBS, raises_same, same, tonp


def _data(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(T, shape, mode, dtype="float32", **kw):
    x = T.tensor(_data(shape), dtype=getattr(T, dtype), requires_grad=True)
    y = T.nn.functional.interpolate(x, mode=mode, **kw)
    w = T.tensor(_data(tuple(y.shape), 1), dtype=getattr(T, dtype))
    (y * w).sum().backward()
    return y, x.grad


SHAPES = {"nearest": [(2, 3, 7), (1, 2, 5, 6), (1, 1, 3, 4, 5)], "nearest-exact": [(2, 3, 7), (1, 2, 5, 6)],
          "linear": [(2, 3, 7)], "bilinear": [(1, 2, 5, 6)], "trilinear": [(1, 1, 3, 4, 5)]}
CASES = [(m, s) for m, shapes in SHAPES.items() for s in shapes]
FACTORS = [0.3, 0.5, 0.7, 1.0, 1.1, 1.2, 1.3, 2.0, 2.5, 3.7, 1 / 3]


@pytest.mark.parametrize("mode,shape", CASES)
@pytest.mark.parametrize("sf", FACTORS)
@pytest.mark.parametrize("recompute", [None, True])
def test_scale_factor(mode, shape, sf, recompute):
    for ac in ([None] if mode.startswith("nearest") else [False, True]):
        kw = dict(scale_factor=sf, recompute_scale_factor=recompute)
        if ac is not None:
            kw["align_corners"] = ac
        try:
            _run(torch, shape, mode, **kw)
        except RuntimeError:  # an output size of 0
            raises_same(lambda T: _run(T, shape, mode, **kw))
            continue
        (ry, rg), (ty, tg) = (_run(T, shape, mode, **kw) for T in LIBS)
        exact = mode in ("nearest", "nearest-exact", "linear")
        same(ry, ty, rtol=0 if exact else 3e-7, atol=0 if exact else 3e-7, exact=exact)
        same(rg, tg, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode,shape", CASES)
@pytest.mark.parametrize("size", [1, 2, 4, 9, 16])
def test_size(mode, shape, size):
    for ac in ([None] if mode.startswith("nearest") else [False, True]):
        (ry, rg), (ty, tg) = (_run(T, shape, mode, size=size, align_corners=ac) for T in LIBS)
        same(ry, ty, rtol=3e-7, atol=3e-7)
        same(rg, tg, rtol=1e-5, atol=1e-5)


def test_size_tuple_and_float64():
    (ry, rg), (ty, tg) = (_run(T, (1, 2, 5, 6), "bilinear", "float64", size=(3, 11)) for T in LIBS)
    same(ry, ty, rtol=1e-14, atol=1e-14)
    same(rg, tg, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode,shape", [("linear", (2, 3, 4)), ("linear", (1, 2, 9)), ("trilinear", (1, 2, 3, 4, 5)),
                                        ("bilinear", (2, 2, 5, 4))])
@pytest.mark.parametrize("kw", [dict(size=12), dict(size=15), dict(size=7), dict(scale_factor=3.0),
                                dict(scale_factor=2.3), dict(scale_factor=0.7), dict(size=12, align_corners=True),
                                dict(scale_factor=1.7, align_corners=True)], ids=str)
def test_float64_fused_steps(mode, shape, kw):
    """float64: the fused index and interpolation steps (exact :func:`reftorch._fma.fma`) and
    ATen's float32 ``floorf`` of the source index (a size 4 -> 12 puts ``4.5 / 3 - 0.5`` a
    hair below 1: floorf makes it 1) give PyTorch's values bit for bit in 1-D and 3-D;
    2-D within two ulps (its kernel rounds in another order)."""
    x = np.random.default_rng(4).standard_normal(shape)
    r, t = (T.nn.functional.interpolate(T.tensor(x), mode=mode, **kw).numpy() for T in LIBS)
    if mode == "bilinear":
        np.testing.assert_allclose(r, t, rtol=0, atol=4 * np.finfo(np.float64).eps * np.abs(x).max())
    else:
        assert np.array_equal(r, t)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_double_backward(mode):
    out = []
    for T in LIBS:
        x = T.tensor(_data((1, 2, 3, 4)), requires_grad=True)
        y = T.nn.functional.interpolate(x, scale_factor=1.5, mode=mode)
        g0 = T.tensor(_data(tuple(y.shape), 2), requires_grad=True)
        (g,) = T.autograd.grad(y, x, g0, create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), g0)
        out.append((g.grad_fn.name(), g, gg))
    same(out[0], out[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "uint8", "float64"])
def test_nearest_dtypes(dtype):
    r, t = (T.nn.functional.interpolate(T.tensor(_data((1, 2, 5)) * 9).abs().to(getattr(T, dtype)), size=8)
            for T in LIBS)
    same(r, t, exact=True)


def test_area_mode():
    r, t = (T.nn.functional.interpolate(T.tensor(_data((1, 2, 6, 6)), requires_grad=True), size=(4, 3),
                                        mode="area") for T in LIBS)
    same(r, t)


ERRORS = [
    dict(shape=(1, 2, 4), size=3, scale_factor=2),
    dict(shape=(1, 2, 4)),
    dict(shape=(1, 2, 4), size=(2, 2)),
    dict(shape=(1, 2, 4), size=(2.0,)),
    dict(shape=(1, 2, 4, 4), scale_factor=(2, 2, 2)),
    dict(shape=(1, 2, 4), size=3, recompute_scale_factor=True),
    dict(shape=(1, 2, 4), size=3, align_corners=True),
    dict(shape=(1, 2, 4), size=3, mode="area", align_corners=False),
    dict(shape=(1, 2, 4), size=3, mode="bilinear"),
    dict(shape=(1, 2, 4, 4), size=3, mode="linear"),
    dict(shape=(1, 2, 4, 4), size=3, mode="trilinear"),
    dict(shape=(1, 2, 4, 4, 4), size=3, mode="bilinear"),
    dict(shape=(1, 2, 4), size=3, mode="foo"),
    dict(shape=(4, 4), size=3),
    dict(shape=(1, 2, 4), size=3, antialias=True),
    dict(shape=(1, 2, 4), size=0),
    dict(shape=(1, 2, 4), scale_factor=0.1, mode="linear"),
    dict(shape=(1, 2, 3, 4), size=(0, 8)),
    dict(shape=(1, 2, 2, 3, 4), size=(1, 0, 8)),
    dict(shape=(1, 0, 3, 4), size=(2, 8)),
    dict(shape=(2, 2, 0), size=3, mode="linear"),
    dict(shape=(1, 2, 4), scale_factor=-1.0),
]


@pytest.mark.parametrize("case", ERRORS)
def test_errors(case):
    case = dict(case)
    shape = case.pop("shape")
    raises_same(lambda T: T.nn.functional.interpolate(T.zeros(shape), **case))


@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_dtype_errors(dtype):
    raises_same(lambda T: T.nn.functional.interpolate(T.zeros(1, 2, 4, dtype=getattr(T, dtype)), size=8))


MODULES = [("Upsample", dict(scale_factor=2)), ("Upsample", dict(size=4)),
           ("Upsample", dict(size=(4, 5), mode="bilinear")),
           ("Upsample", dict(scale_factor=(2, 3.5), mode="bilinear", align_corners=True)),
           ("Upsample", dict(scale_factor=2, recompute_scale_factor=True)),
           ("UpsamplingNearest2d", dict(scale_factor=2)), ("UpsamplingBilinear2d", dict(size=3)),
           ("UpsamplingBilinear2d", dict(scale_factor=1.5))]


@pytest.mark.parametrize("name,kw", MODULES)
def test_modules(name, kw):
    r, t = (getattr(T.nn, name)(**kw) for T in LIBS)
    assert repr(r) == repr(t)
    assert list(r.state_dict()) == list(t.state_dict()) == []
    for attr in ("name", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"):
        assert getattr(r, attr) == getattr(t, attr), attr
    ry, ty = (m(T.tensor(_data((1, 2, 3, 4)), requires_grad=True)) for m, T in ((r, reftorch), (t, torch)))
    same(ry, ty, rtol=3e-7, atol=3e-7)


def test_module_without_size_errors():
    assert repr(reftorch.nn.Upsample()) == repr(torch.nn.Upsample())
    raises_same(lambda T: T.nn.Upsample()(T.zeros(1, 2, 3)))


def test_nearest_index_rule():
    # 5 -> 7 elements: source index floor(dst * 5/7) (not round-half), as PyTorch
    r, t = (T.nn.functional.interpolate(T.arange(5.).view(1, 1, 5), size=7) for T in LIBS)
    assert tonp(r).tolist() == tonp(t).tolist() == [[[0.0, 0.0, 1.0, 2.0, 2.0, 3.0, 4.0]]]


@pytest.mark.parametrize("name,kw", [("upsample", dict(scale_factor=2, mode="bilinear")),
                                     ("upsample_nearest", dict(size=(3, 7))),
                                     ("upsample_bilinear", dict(scale_factor=1.5))])
def test_deprecated_upsample_functions(name, kw):
    out = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = getattr(T.nn.functional, name)(T.tensor(_data((1, 2, 3, 4))), **kw)
        out.append((y, [(m.category, str(m.message), m.filename) for m in w]))
    same(out[0][0], out[1][0], rtol=3e-7, atol=3e-7)
    assert out[0][1] == out[1][1]
