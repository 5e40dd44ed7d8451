"""Differential fuzzing of the covered ops against torch (hypothesis): random dtypes,
shapes (including empty and 0-d), memory layouts (contiguous, transposed, strided,
expanded), and arguments. For each call the result must match torch's -- values, dtype,
shape, strides, ``requires_grad``, the ``grad_fn`` class -- or raise the same exception
type; for float inputs the gradients of a random upstream gradient must match too.

Documented, deliberate differences are excluded where noted (see ``SKIP``)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import reftorch
from tests._compare import assert_same, assert_same_error, torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]

UNARY = {
    "neg": lambda T, x: -x, "abs": lambda T, x: x.abs(), "exp": lambda T, x: x.exp(), "log": lambda T, x: x.log(),
    "sqrt": lambda T, x: x.sqrt(), "sin": lambda T, x: x.sin(), "cos": lambda T, x: x.cos(),
    "tanh": lambda T, x: x.tanh(), "sigmoid": lambda T, x: x.sigmoid(), "relu": lambda T, x: x.relu(),
    "reciprocal": lambda T, x: x.reciprocal(), "square": lambda T, x: x * x, "pow2": lambda T, x: x ** 2,
    "pow_half": lambda T, x: x ** 0.5, "pow3": lambda T, x: x ** 3, "pow_neg1": lambda T, x: x ** -1,
    "rpow": lambda T, x: 2 ** x, "add_scalar": lambda T, x: x + 1, "radd": lambda T, x: 1.5 + x,
    "sub_scalar": lambda T, x: x - 2, "rsub": lambda T, x: 2 - x, "mul_scalar": lambda T, x: x * 3,
    "mul_float": lambda T, x: x * 0.5, "div_scalar": lambda T, x: x / 2, "rdiv": lambda T, x: 2 / x,
    "floordiv_scalar": lambda T, x: x // 2, "mod_scalar": lambda T, x: x % 3, "mod_neg": lambda T, x: x % -2.5,
    "invert": lambda T, x: ~x, "logical_not": lambda T, x: x.logical_not(),
    "eq_scalar": lambda T, x: x == 1, "lt_scalar": lambda T, x: x < 0.5,
    "clamp": lambda T, x: x.clamp(-1, 2), "clamp_min": lambda T, x: x.clamp_min(0),
    "sum": lambda T, x: x.sum(), "sum0": lambda T, x: x.sum(0), "sum_keep": lambda T, x: x.sum(-1, keepdim=True),
    "mean": lambda T, x: x.mean(), "mean0": lambda T, x: x.mean(0),
    "max": lambda T, x: x.max(), "max0": lambda T, x: x.max(0), "min": lambda T, x: x.min(),
    "amax": lambda T, x: x.amax(0), "argmax": lambda T, x: x.argmax(), "argmin0": lambda T, x: x.argmin(0),
    "all": lambda T, x: x.all(), "any0": lambda T, x: x.any(0),
    "cumsum": lambda T, x: x.cumsum(0), "cumprod": lambda T, x: x.cumprod(0),
    "softmax": lambda T, x: x.softmax(0), "log_softmax": lambda T, x: x.log_softmax(-1),
    "norm": lambda T, x: x.norm(), "count_nonzero": lambda T, x: x.count_nonzero(),
    "sort": lambda T, x: x.sort(0), "argsort": lambda T, x: x.argsort(-1),
    "topk": lambda T, x: x.topk(1, 0), "flip": lambda T, x: x.flip(0), "roll": lambda T, x: x.roll(1, 0),
    "clone": lambda T, x: x.clone(), "contiguous": lambda T, x: x.contiguous(),
    "t": lambda T, x: x.t(), "transpose": lambda T, x: x.transpose(0, -1), "permute": lambda T, x: x.permute(
        *reversed(range(x.dim()))),
    "reshape": lambda T, x: x.reshape(-1), "view": lambda T, x: x.view(-1), "flatten": lambda T, x: x.flatten(),
    "unsqueeze": lambda T, x: x.unsqueeze(0), "squeeze": lambda T, x: x.squeeze(), "squeeze0": lambda T, x: x.squeeze(0),
    "expand": lambda T, x: x.unsqueeze(0).expand(2, *x.shape), "repeat": lambda T, x: x.repeat(2, *([1] * x.dim())),
    "getitem0": lambda T, x: x[0], "getitem_slice": lambda T, x: x[1:], "getitem_step": lambda T, x: x[::2],
    "getitem_list": lambda T, x: x[[0, 0]], "getitem_mask": lambda T, x: x[x > 0],
    "getitem_none": lambda T, x: x[None, ..., None], "getitem_neg": lambda T, x: x[-1],
    "masked_fill": lambda T, x: x.masked_fill(x > 0, 2), "where": lambda T, x: T.where(x > 0, x, T.zeros_like(x)),
    "where_scalar": lambda T, x: T.where(x > 0, x, 0),
    "tril": lambda T, x: x.tril(), "triu1": lambda T, x: x.triu(1), "nonzero": lambda T, x: x.nonzero(),
    "chunk": lambda T, x: x.chunk(2), "split": lambda T, x: x.split(1), "unbind": lambda T, x: x.unbind(0),
    "cat": lambda T, x: T.cat([x, x]), "stack": lambda T, x: T.stack([x, x], -1),
    "to_float": lambda T, x: x.float(), "to_double": lambda T, x: x.double(), "to_half": lambda T, x: x.half(),
    "to_long": lambda T, x: x.long(), "to_bool": lambda T, x: x.bool(), "to_int8": lambda T, x: x.to(T.int8),
    "matmul_t": lambda T, x: x @ x.t(), "mm_self": lambda T, x: T.mm(x, x.t()), "dot": lambda T, x: T.dot(x, x),
    "mv": lambda T, x: T.mv(x, x[0]), "einsum": lambda T, x: T.einsum("ij->ji", x),
    "index_select": lambda T, x: x.index_select(0, T.tensor([0, 0])),
    "gather": lambda T, x: x.gather(0, T.zeros_like(x, dtype=T.int64)),
    "scatter_add": lambda T, x: T.zeros_like(x).scatter_add(0, T.zeros_like(x, dtype=T.int64), x),
    "repeat_interleave": lambda T, x: x.repeat_interleave(2, 0), "movedim": lambda T, x: x.movedim(0, -1),
    "unflatten": lambda T, x: x.unflatten(0, (1, -1)), "msort": lambda T, x: x.msort(),
    "isclose": lambda T, x: T.isclose(x, x), "maximum": lambda T, x: T.maximum(x, x.flip(0)),
}

BINARY = {
    "add": lambda T, x, y: x + y, "sub": lambda T, x, y: x - y, "mul": lambda T, x, y: x * y,
    "div": lambda T, x, y: x / y, "floordiv": lambda T, x, y: x // y, "mod": lambda T, x, y: x % y,
    "pow": lambda T, x, y: x ** y, "eq": lambda T, x, y: x == y, "ge": lambda T, x, y: x >= y,
    "maximum": lambda T, x, y: T.maximum(x, y), "minimum": lambda T, x, y: T.minimum(x, y),
    "logical_and": lambda T, x, y: T.logical_and(x, y), "and": lambda T, x, y: x & y, "xor": lambda T, x, y: x ^ y,
    "where": lambda T, x, y: T.where(x > y, x, y), "add_alpha": lambda T, x, y: T.add(x, y, alpha=2),
    "div_trunc": lambda T, x, y: T.div(x, y, rounding_mode="trunc"),
    "div_floor": lambda T, x, y: T.div(x, y, rounding_mode="floor"),
    "matmul": lambda T, x, y: x @ y.transpose(-1, -2) if y.dim() >= 2 else x @ y,
    "cat": lambda T, x, y: T.cat([x, y], 0), "stack": lambda T, x, y: T.stack([x, y]),
    "isclose": lambda T, x, y: T.isclose(x, y), "copy_": lambda T, x, y: x.clone().copy_(y),
    "clamp_t": lambda T, x, y: x.clamp(min=y),
}

SKIP = set()


@st.composite
def tensors(draw, dtype=None, shape=None):
    dt = dtype or draw(st.sampled_from(DTYPES))
    if shape is None:
        nd = draw(st.integers(0, 3))
        shape = tuple(draw(st.lists(st.integers(0 if draw(st.booleans()) else 1, 3), min_size=nd, max_size=nd)))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided", "expanded", "permuted"]))
    if layout == "permuted":  # dims in a random memory order (size-1 dims with their own strides)
        layout = ("permuted", tuple(draw(st.permutations(range(len(shape))))))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    if dt == "bool":
        vals = rng.integers(0, 2, size=shape).astype(bool)
    elif dt == "uint8":
        vals = rng.integers(0, 6, size=shape).astype(dt)
    elif dt.startswith("int"):
        vals = rng.integers(-4, 5, size=shape).astype(dt)
    else:
        special = draw(st.booleans())
        vals = rng.uniform(-3, 3, size=shape).round(2).astype(dt)
        if special and vals.size:
            flat = vals.reshape(-1)
            flat[rng.integers(0, flat.size)] = draw(st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0]))
    return dt, vals, layout


def _layout(T, arr, layout, requires_grad):
    t = T.tensor(arr)
    if isinstance(layout, tuple) and t.dim():
        perm = layout[1]
        t = T.tensor(np.transpose(arr, perm).copy()).permute(*np.argsort(perm).tolist())
    elif layout == "transposed" and t.dim() >= 2:
        t = T.tensor(np.swapaxes(arr, 0, -1).copy()).transpose(0, -1)  # (canonical strides for size-1 dims)
    elif layout == "strided" and t.dim() >= 1:
        big = np.repeat(arr, 2, axis=-1)
        t = T.tensor(big)[..., ::2]
    if requires_grad:
        t = t.detach().requires_grad_(True)
        leaf = t
        if layout == "expanded" and t.dim() >= 1 and t.shape[0] == 1:
            t = t.expand(3, *t.shape[1:])
        return leaf, t
    if layout == "expanded" and t.dim() >= 1 and t.shape[0] == 1:
        t = t.expand(3, *t.shape[1:])
    return t, t


def _describe(r):
    """What to compare besides the values: strides of dims with size > 1 (PyTorch's are
    arbitrary for size-1 and empty dims), the grad_fn class."""
    if isinstance(r, (torch.Tensor, reftorch.Tensor)):
        st_ = tuple(r.stride()) if r.numel() else ()
        return (r, st_, type(r.grad_fn).__name__)
    if isinstance(r, (tuple, list)):
        return type(r)(_describe(v) for v in r) if type(r) in (tuple, list) else tuple(_describe(v) for v in r)
    return r


def _run(lib, fn, inputs, grad):
    leaves, args = [], []
    for dt, arr, layout in inputs:
        leaf, t = _layout(lib, arr, layout, grad and dt in FLOATS)
        leaves.append(leaf)
        args.append(t)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if lib is reftorch else "ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            out = fn(lib, *args)
            outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                    if isinstance(o, lib.Tensor) and o.requires_grad]
            grads = None
            if outs:
                gs = [lib.tensor(np.random.default_rng(1).standard_normal(tuple(o.shape)).astype(
                    str(o.dtype).replace("torch.", ""))) for o in outs]
                lib.autograd.backward(outs, gs)
                grads = [leaf.grad for leaf in leaves]
        return "ok", (_describe(out), grads)
    except Exception as e:  # noqa: BLE001 - exceptions are compared
        return "err", e


def _compare(fn, inputs, grad):
    kt, vt = _run(torch, fn, inputs, grad)
    kr, vr = _run(reftorch, fn, inputs, grad)
    if kt == "err":
        if kr != "err":
            raise AssertionError(f"torch raised {type(vt).__name__}: {vt}; reftorch returned {vr}")
        assert_same_error(vr, vt)
        return
    if kr == "err":
        raise AssertionError(f"reftorch raised {type(vr).__name__}: {vr}") from vr
    assert_same(vr[0], vt[0], check_grad_fn=True)
    if vt[1] is not None:
        for a, b in zip(vr[1], vt[1]):
            if b is None:
                assert a is None
            else:
                assert_same(a, b, check_grad_fn=False, what="grad")


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(x=tensors(), grad=st.booleans())
def test_unary_fuzz(name, x, grad):
    if (name, x[0]) in SKIP:
        return
    _compare(UNARY[name], [x], grad)


@st.composite
def pairs(draw):
    a = draw(tensors())
    shape = a[1].shape
    if draw(st.booleans()) and len(shape):  # broadcast: drop leading dims / set some to 1
        k = draw(st.integers(0, len(shape)))
        shape = tuple(1 if draw(st.booleans()) else n for n in shape[k:])
    b = draw(tensors(shape=shape))
    return (a, b) if draw(st.booleans()) else (b, a)


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(xy=pairs(), grad=st.booleans())
def test_binary_fuzz(name, xy, grad):
    _compare(BINARY[name], list(xy), grad)
