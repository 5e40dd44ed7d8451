"""Differential fuzzing of the covered ops against torch (hypothesis): random dtypes,
shapes (including empty and 0-d), memory layouts (contiguous, transposed, strided,
expanded), and arguments. For each call the result must match torch's -- values, dtype,
shape, strides, ``requires_grad``, the ``grad_fn`` class -- or raise the same exception
type; for float inputs the gradients of a random upstream gradient must match too.

Documented, deliberate differences are excluded where noted (``FLOAT_ONLY``, ``NOT_YET``,
the float16 gradient tolerance in ``_compare``)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

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

# The rest of the public ops (torch.*, Tensor methods, torch.nn.functional), fuzzed with fewer
# examples each. In-place ops write into a clone; random ops seed both generators first.
def _seeded(fn):
    def run(T, *a):
        T.manual_seed(0)
        return fn(T, *a)
    return run


def _img(x):
    """``x`` as an (N, C, H, W) batch: 4-D inputs for the 2-D layers."""
    return x.reshape(1, 1, *x.shape[-2:]) if x.dim() >= 2 else x.reshape(1, 1, 1, -1)


def _seq(x):
    """``x`` as an (N, C, L) batch: 3-D inputs for the 1-D layers."""
    return x.reshape(1, 1, -1) if x.dim() < 3 else x


def _idx(T, x):
    """int64 indices into ``x``'s first dim, of ``x``'s shape (zeros where it has none)."""
    n = x.shape[0] if x.dim() else 1
    return (T.arange(x.numel()).reshape(x.shape) % max(n, 1)) if x.numel() else T.zeros_like(x, dtype=T.int64)


F_ = lambda T: T.nn.functional  # noqa: E731

MORE_UNARY = {
    # reductions, comparisons, arithmetic spellings
    "amin": lambda T, x: x.amin(-1), "amin_all": lambda T, x: T.amin(x), "argwhere": lambda T, x: T.argwhere(x),
    "clamp_max": lambda T, x: x.clamp_max(1), "clip": lambda T, x: T.clip(x, -1, 1), "conj": lambda T, x: x.conj(),
    "gt": lambda T, x: x.gt(0), "le": lambda T, x: T.le(x, 1), "lt_t": lambda T, x: x.lt(x.flip(0)),
    "ne": lambda T, x: x.ne(1), "greater": lambda T, x: T.greater(x, 0), "less_equal": lambda T, x: T.less_equal(x, 0),
    "not_equal": lambda T, x: T.not_equal(x, x), "logical_or": lambda T, x: T.logical_or(x, x > 1),
    "logical_xor": lambda T, x: x.logical_xor(x < 1), "remainder": lambda T, x: x.remainder(2),
    "remainder_t": lambda T, x: T.remainder(x, x.flip(0)), "floor_divide": lambda T, x: x.floor_divide(2),
    "true_divide": lambda T, x: x.true_divide(2), "divide": lambda T, x: T.divide(x, 3),
    "multiply": lambda T, x: T.multiply(x, x), "subtract": lambda T, x: T.subtract(x, 1, alpha=2),
    "negative": lambda T, x: T.negative(x), "equal": lambda T, x: T.equal(x, x.clone()),
    "allclose": lambda T, x: T.allclose(x, x + 1e-9), "item": lambda T, x: x.sum().item(),
    # shapes and joins
    "expand_as": lambda T, x: x[:1].expand_as(x) if x.dim() else x.expand_as(x),
    "reshape_as": lambda T, x: x.flatten().reshape_as(x), "view_as": lambda T, x: x.view_as(x),
    "swapdims": lambda T, x: x.swapdims(0, -1), "hstack": lambda T, x: T.hstack([x, x]),
    "vstack": lambda T, x: T.vstack([x, x]), "concat": lambda T, x: T.concat([x, x], -1),
    "concatenate": lambda T, x: T.concatenate([x, x]),
    # dtype conversions and queries
    "byte": lambda T, x: x.byte(), "char": lambda T, x: x.char(), "short": lambda T, x: x.short(),
    "queries": lambda T, x: (x.is_floating_point(), x.is_complex(), x.ndimension(), x.nelement(),
                             x.element_size(), x.is_contiguous(), T.is_tensor(x), T.is_floating_point(x)),
    # creation from an input
    "new_zeros": lambda T, x: x.new_zeros(x.shape), "new_ones": lambda T, x: x.new_ones(2, 1),
    "new_full": lambda T, x: x.new_full(x.shape, 3), "new_tensor": lambda T, x: x.new_tensor([1, 2]),
    "zeros_shape": lambda T, x: T.zeros(x.shape, dtype=x.dtype), "ones_like": lambda T, x: T.ones_like(x),
    "full_like": lambda T, x: T.full_like(x, 2), "full": lambda T, x: T.full(x.shape, 1.5),
    "eye": lambda T, x: T.eye(*x.shape[:2]) if x.dim() else T.eye(2), "arange": lambda T, x: T.arange(x.numel()),
    "linspace": lambda T, x: T.linspace(0, 1, x.numel()), "as_tensor": lambda T, x: T.as_tensor(x, dtype=T.float64),
    "asarray": lambda T, x: T.asarray(x),
    # scatter family (src larger than index included)
    "scatter_value": lambda T, x: x.scatter(0, _idx(T, x), 2) if x.dim() else x.scatter(0, _idx(T, x), 2),
    "scatter_src": lambda T, x: T.zeros_like(x).scatter(0, _idx(T, x), x),
    "scatter_big_src": lambda T, x: T.zeros_like(x).scatter_add(0, _idx(T, x)[:1], x),
    "scatter_reduce_amax": lambda T, x: T.zeros_like(x).scatter_reduce(0, _idx(T, x), x, "amax"),
    "scatter_reduce_prod": lambda T, x: x.scatter_reduce(0, _idx(T, x), x, "prod", include_self=False),
    "scatter_reduce_mean": lambda T, x: T.scatter_reduce(x, 0, _idx(T, x), x, "mean"),
    "scatter_reduce_big": lambda T, x: x.scatter_reduce(0, _idx(T, x)[:1], x, "sum"),
    "bmm": lambda T, x: T.bmm(x, x.transpose(-1, -2)) if x.dim() == 3 else T.bmm(x, x),
    # in-place ops (on a clone: the graph records the write)
    "add_": lambda T, x: x.clone().add_(1), "mul_": lambda T, x: x.clone().mul_(x), "sub_": lambda T, x: x.clone().sub_(x),
    "div_": lambda T, x: x.clone().div_(2), "neg_": lambda T, x: x.clone().neg_(), "exp_": lambda T, x: x.clone().exp_(),
    "pow_": lambda T, x: x.clone().pow_(2), "clamp_": lambda T, x: x.clone().clamp_(-1, 1),
    "clip_": lambda T, x: T.clip_(x.clone(), 0, 1), "masked_fill_": lambda T, x: x.clone().masked_fill_(x > 0, 1),
    "fill_": lambda T, x: x.clone().fill_(2), "zero_": lambda T, x: x.clone().zero_(),
    "tril_": lambda T, x: x.clone().tril_(), "triu_": lambda T, x: x.clone().triu_(-1), "t_": lambda T, x: x.clone().t_(),
    "scatter_": lambda T, x: x.clone().scatter_(0, _idx(T, x), x),
    "scatter_add_": lambda T, x: x.clone().scatter_add_(0, _idx(T, x), x),
    "scatter_reduce_": lambda T, x: x.clone().scatter_reduce_(0, _idx(T, x), x, "amin"),
    "setitem_mixed": lambda T, x: _setitem(x.clone(), (0, Ellipsis, x[0] > 0) if x.dim() else (x > 0), 7),
    "setitem_tensor": lambda T, x: _setitem(x.clone(), (slice(None), [0]) if x.dim() >= 2 else [0], x.flatten()[:1]),
    # random ops (seeded)
    "bernoulli": _seeded(lambda T, x: T.bernoulli(x.clamp(0, 1))), "rand_like": _seeded(lambda T, x: T.rand_like(x)),
    "randn_like": _seeded(lambda T, x: T.randn_like(x)), "randint_like": _seeded(lambda T, x: T.randint_like(x, 5)),
    "normal_": _seeded(lambda T, x: x.clone().normal_()), "uniform_": _seeded(lambda T, x: x.clone().uniform_()),
    "random_": _seeded(lambda T, x: x.clone().random_(0, 4)), "bernoulli_": _seeded(lambda T, x: x.clone().bernoulli_(0.5)),
    "multinomial": _seeded(lambda T, x: T.multinomial(x.abs() + 1, 2)), "randperm": _seeded(lambda T, x: T.randperm(x.numel())),
    "dropout": _seeded(lambda T, x: F_(T).dropout(x, 0.5)), "dropout1d": _seeded(lambda T, x: F_(T).dropout1d(_seq(x), 0.5)),
    "dropout2d": _seeded(lambda T, x: F_(T).dropout2d(_img(x), 0.5)),
    # torch.nn.functional
    "relu_": lambda T, x: F_(T).relu_(x.clone()), "leaky_relu": lambda T, x: F_(T).leaky_relu(x, 0.1),
    "softplus": lambda T, x: F_(T).softplus(x, beta=2), "linear": lambda T, x: F_(T).linear(x, x) if x.dim() == 2 else
    F_(T).linear(x, T.ones(2, x.shape[-1] if x.dim() else 1, dtype=x.dtype)),
    "one_hot": lambda T, x: F_(T).one_hot(x.long().abs()), "mse_loss": lambda T, x: F_(T).mse_loss(x, x.flip(0)),
    "l1_loss": lambda T, x: F_(T).l1_loss(x, T.zeros_like(x), reduction="sum"),
    "bce": lambda T, x: F_(T).binary_cross_entropy(x.sigmoid(), T.ones_like(x) / 2),
    "bce_logits": lambda T, x: F_(T).binary_cross_entropy_with_logits(x, T.ones_like(x) / 3),
    "cross_entropy": lambda T, x: F_(T).cross_entropy(x, T.zeros(x.shape[:1] if x.dim() > 1 else (), dtype=T.int64)),
    "nll_loss": lambda T, x: F_(T).nll_loss(x, T.zeros(x.shape[:1] if x.dim() > 1 else (), dtype=T.int64)),
    "embedding": lambda T, x: F_(T).embedding(T.tensor([[0, 1]]), x),
    "layer_norm": lambda T, x: F_(T).layer_norm(x, x.shape[-1:]),
    "group_norm": lambda T, x: F_(T).group_norm(_seq(x), 1),
    "batch_norm": lambda T, x: F_(T).batch_norm(_seq(x), None, None, training=True),
    "conv1d": lambda T, x: F_(T).conv1d(_seq(x), T.ones(2, _seq(x).shape[1], 1, dtype=x.dtype)),
    "conv2d": lambda T, x: F_(T).conv2d(_img(x), T.ones(1, 1, 1, 2, dtype=x.dtype), padding=1),
    "avg_pool1d": lambda T, x: F_(T).avg_pool1d(_seq(x), 2), "max_pool1d": lambda T, x: F_(T).max_pool1d(_seq(x), 2),
    "avg_pool2d": lambda T, x: F_(T).avg_pool2d(_img(x), 1), "max_pool2d": lambda T, x: F_(T).max_pool2d(_img(x), 2, 1),
    "adaptive_avg_pool1d": lambda T, x: F_(T).adaptive_avg_pool1d(_seq(x), 2),
    "adaptive_max_pool1d": lambda T, x: F_(T).adaptive_max_pool1d(_seq(x), 1),
    "adaptive_avg_pool2d": lambda T, x: F_(T).adaptive_avg_pool2d(_img(x), (1, 2)),
    "adaptive_max_pool2d": lambda T, x: F_(T).adaptive_max_pool2d(_img(x), 1),
}


def _setitem(t, key, value):
    t[key] = value
    return t


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
    # A float16 op with a one-element operand of a wider dtype: PyTorch's CPU kernels compute
    # with that operand's unrounded value (reftorch rounds it to float16 first, a documented
    # difference), so gradients reaching a wider leaf through float16 math agree to a few
    # float16 ulps only.
    half = any(dt == "float16" for dt, _, _ in inputs)
    if vt[1] is not None:
        for a, b in zip(vr[1], vt[1]):
            if b is None:
                assert a is None
            elif half and str(b.dtype) != "torch.float16":
                assert (str(a.dtype), tuple(a.shape)) == (str(b.dtype), tuple(b.shape)), "grad"
                np.testing.assert_allclose(np.asarray(a._host(), dtype=np.float64), b.double().numpy(),
                                           rtol=4e-3, atol=1e-3, equal_nan=True, err_msg="grad")
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


#: Fuzzed with floating inputs only: PyTorch's kernels for these refuse most integer and
#: bool dtypes, each with a message of its own (a documented difference: reftorch computes).
FLOAT_ONLY = {"adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
              "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d", "batch_norm", "group_norm", "layer_norm",
              "conv1d", "conv2d", "linear", "bce", "bce_logits", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
              "embedding", "scatter_reduce_mean", "bernoulli", "bernoulli_", "randn_like", "normal_", "random_",
              "uniform_", "rand_like", "dropout", "dropout1d", "dropout2d", "softplus", "leaky_relu", "relu_"}


#: Differences this fuzzing found and that are not fixed yet (listed among the known
#: differences in docs/*/guide/library.md); these entries are left out until fixed.
NOT_YET = {}


def _group_size(name, shape):
    """Elements per normalised group of the norm entries (see ``MORE_UNARY``), else None."""
    nd = len(shape)
    if name == "layer_norm":
        return shape[-1] if nd else 1
    seq = shape if nd >= 3 else (1, 1, int(np.prod(shape)))  # what _seq makes of it
    if name == "group_norm":  # one group: all of a sample
        return int(np.prod(seq[1:]))
    if name == "batch_norm":  # per channel: the batch and the length
        return seq[0] * int(np.prod(seq[2:]))
    return None


@pytest.mark.parametrize("name", sorted(set(MORE_UNARY) - set(NOT_YET)))
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), grad=st.booleans())
def test_more_fuzz(name, data, grad):
    x = data.draw(tensors(dtype=data.draw(st.sampled_from(FLOATS)) if name in FLOAT_ONLY else None))
    # A normalisation over one or two elements has an input gradient that is zero up to
    # rounding (the normalised values are 0 or +-1): PyTorch's and reftorch's rounding noise
    # differ there (a documented difference), so that case is not compared.
    assume(not (grad and _group_size(name, x[1].shape) in (1, 2)))
    _compare(MORE_UNARY[name], [x], grad)
