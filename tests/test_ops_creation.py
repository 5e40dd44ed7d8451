"""Differential tests of tensor creation and dtypes against PyTorch: tensor/as_tensor
inference, zeros/ones/empty/full/arange/linspace/eye and the *_like functions, dtype
objects and aliases, default dtype, conversions (to/float/long/...), Size and device."""
from __future__ import annotations

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import ALL_DTYPES, both, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


DATA = [
    1, 1.5, True, -3, [1, 2], [1.0, 2], [True, False], [[1, 2], [3, 4]], [], [[]], [[], []],
    (1, 2.5), [True, 2], [1, 2.0, True], np.array([1, 2], np.int32), np.array([1.5], np.float64),
    np.array(3, np.int16), np.array([[1, 2]], np.uint8), np.array([True]), np.float32(2.5), np.int64(7),
    [np.float32(1.5), np.float32(2)], 2 ** 40, [0.1, 1e-8, 1e20],
]


@pytest.mark.parametrize("k", range(len(DATA)))
def test_tensor_inference(k):
    d = DATA[k]
    both(lambda T: T.tensor(d))
    both(lambda T: T.as_tensor(d))
    both(lambda T: (T.tensor(d).dtype, T.tensor(d).shape, T.tensor(d).dim()))


@pytest.mark.parametrize("dt", ALL_DTYPES)
def test_tensor_explicit_dtype(dt):
    both(lambda T: T.tensor([1, 0, 2], dtype=getattr(T, dt)))
    both(lambda T: T.tensor([[1.7, -0.2]], dtype=getattr(T, dt)) if dt != "uint8" else T.tensor([1]))
    both(lambda T: T.zeros(2, 3, dtype=getattr(T, dt)))
    both(lambda T: T.ones((2,), dtype=getattr(T, dt)))
    both(lambda T: T.full((2, 2), 1, dtype=getattr(T, dt)))
    both(lambda T: T.empty(0, 3, dtype=getattr(T, dt)).shape)
    both(lambda T: T.eye(2, 3, dtype=getattr(T, dt)))
    both(lambda T: T.arange(4, dtype=getattr(T, dt)))


MIXED = [  # (T, np) -> data: tensors, NumPy values and Python numbers in one list
    lambda T: [T.tensor(1.), 2.], lambda T: [T.tensor(1., dtype=T.float64), 2.],
    lambda T: [T.tensor(1, dtype=T.int8), 2], lambda T: [T.tensor(1, dtype=T.int8), True],
    lambda T: [T.tensor(1., dtype=T.float16), 2.], lambda T: [T.tensor(1), 2.5], lambda T: [T.tensor(True), 1],
    lambda T: [T.tensor(1.), np.float64(2.)], lambda T: [T.tensor(1.), 1j],
    lambda T: [[T.tensor(1.), 2.], [3., 4.]], lambda T: [2., T.tensor(1., dtype=T.float16)],
    lambda T: [T.tensor(1, dtype=T.int32), T.tensor(2, dtype=T.int32)], lambda T: [T.tensor(1, dtype=T.uint8), 5],
    lambda T: [np.float64(1.), 2.], lambda T: [np.float32(1), 2.], lambda T: [np.int32(1), 2],
    lambda T: [[np.float16(1)], [2]],
]


@pytest.mark.parametrize("k", range(len(MIXED)))
def test_tensor_dtype_of_mixed_elements(k):
    # PyTorch promotes the elements' own dtypes (a tensor's, a NumPy value's, the default
    # one of a Python number's kind) with promote_types, unlike NumPy's promotion
    both(lambda T: T.tensor(MIXED[k](T)))
    both(lambda T: T.tensor(MIXED[k](T)).dtype)


def test_tensor_of_tensors_and_errors():
    both(lambda T: T.tensor([T.tensor(1.5), T.tensor(2.0)]))
    both(lambda T: T.tensor([T.tensor([1, 2]), T.tensor([3, 4])]))
    raises_like(lambda T: T.tensor([[1, 2], [3]]))
    raises_like(lambda T: T.tensor("abc"))
    raises_like(lambda T: T.tensor([1, 2], dtype="float32"))
    raises_like(lambda T: T.tensor([1, 2], requires_grad=True), msg=True)
    raises_like(lambda T: T.zeros(2, dtype=T.int64, requires_grad=True), msg=True)
    raises_like(lambda T: T.zeros(-1), msg=True)
    raises_like(lambda T: T.ones(2, -1), msg=True)
    raises_like(lambda T: T.empty(-2), msg=True)
    raises_like(lambda T: T.full((-1,), 2), msg=True)
    raises_like(lambda T: T.zeros(), msg=True)
    raises_like(lambda T: T.ones(), msg=True)
    raises_like(lambda T: T.empty(), msg=True)
    both(lambda T: T.tensor([1.5], requires_grad=True))


@SET
@given(shape=st.lists(st.integers(0, 4), max_size=3).map(tuple))
def test_filled(shape):
    both(lambda T: (T.zeros(shape), T.zeros(*shape), T.ones(shape), T.full(shape, 2.5), T.full(shape, 3),
                    T.full(shape, True), T.empty(shape).shape, T.empty(*shape).dtype))
    both(lambda T: (T.zeros(shape).stride(), T.ones(*shape).is_contiguous()))
    a = random_array(np.random.default_rng(0), shape, "float64")
    both(lambda T, x: (T.zeros_like(x), T.ones_like(x), T.full_like(x, 7), T.empty_like(x).shape,
                       T.zeros_like(x, dtype=T.int32), T.ones_like(x).stride() if x.numel() else None), a)


@SET
@given(start=st.integers(-5, 5), end=st.integers(-5, 10), step=st.integers(-3, 3),
       fl=st.sampled_from([None, "start", "end", "step"]))
def test_arange(start, end, step, fl):
    args = [start, end, step]
    if fl:
        i = ["start", "end", "step"].index(fl)
        args[i] = args[i] + 0.5
    both(lambda T: T.arange(*args), msg=True)
    both(lambda T: T.arange(end), msg=True)
    both(lambda T: T.arange(start, end), msg=True)


def test_arange_float_steps():
    both(lambda T: T.arange(0, 1, 0.1))
    both(lambda T: T.arange(1, 2.5, 0.5))
    both(lambda T: T.arange(0, 1, 0.3, dtype=T.float64))
    both(lambda T: T.arange(-1.0, 1.0, 0.25))
    both(lambda T: T.arange(10, dtype=T.float32))
    both(lambda T: T.arange(T.tensor(3)))


@SET
@given(start=st.floats(-10, 10, allow_nan=False, width=32), end=st.floats(-10, 10, allow_nan=False, width=32),
       steps=st.integers(0, 20), dt=st.sampled_from(["float32", "float64"]))
def test_linspace(start, end, steps, dt):
    both(lambda T: T.linspace(start, end, steps, dtype=getattr(T, dt)), msg=True)
    both(lambda T: T.linspace(int(start), int(end), steps), msg=True)


def test_linspace_int_and_errors():
    both(lambda T: T.linspace(0, 10, 5, dtype=T.int64))
    both(lambda T: T.linspace(-3, 3, 4, dtype=T.int32))
    raises_like(lambda T: T.linspace(0, 1, -1), msg=True)


def test_eye():
    both(lambda T: (T.eye(3), T.eye(2, 4), T.eye(0), T.eye(3, 1, dtype=T.int64)))


# ------------------------------------------------------------------ dtypes
def test_dtype_objects():
    for name in ALL_DTYPES + ["complex64", "complex128", "bfloat16"]:
        r, t = getattr(reftorch, name), getattr(torch, name)
        assert repr(r) == repr(t) and str(r) == str(t)
        assert r.is_floating_point == t.is_floating_point
        assert r.is_complex == t.is_complex
        assert r.is_signed == t.is_signed
        assert r.itemsize == t.itemsize
    for alias in ["float", "double", "half", "long", "int", "short", "cfloat", "cdouble"]:
        assert repr(getattr(reftorch, alias)) == repr(getattr(torch, alias))
    assert reftorch.float is reftorch.float32


def test_default_dtype():
    assert repr(reftorch.get_default_dtype()) == repr(torch.get_default_dtype())
    try:
        reftorch.set_default_dtype(reftorch.float64)
        torch.set_default_dtype(torch.float64)
        both(lambda T: (T.tensor([1.5]), T.zeros(2), T.arange(0.0, 1.0, 0.5), T.tensor([1]) / 2,
                        T.tensor([1, 2]) + 1.5, T.linspace(0, 1, 3), T.get_default_dtype()))
    finally:
        reftorch.set_default_dtype(reftorch.float32)
        torch.set_default_dtype(torch.float32)
    raises_like(lambda T: T.set_default_dtype(T.int64))


@pytest.mark.parametrize("src", ALL_DTYPES)
@pytest.mark.parametrize("dst", ALL_DTYPES)
def test_conversions(src, dst):
    a = random_array(np.random.default_rng(0), (5,), src, -3, 3)
    both(lambda T, x: x.to(getattr(T, dst)), a)
    both(lambda T, x: x.type(getattr(T, dst)), a)
    both(lambda T, x: T.can_cast(x.dtype, getattr(T, dst)), a)


def test_conversion_methods_and_grad():
    a = random_array(np.random.default_rng(0), (2, 3), "float32")
    both(lambda T, x: (x.float(), x.double(), x.half(), x.int(), x.long(), x.short(), x.bool(), x.byte(),
                       x.char(), x.type()), a)
    both(lambda T, x: x.to(x).dtype, a)
    both(lambda T, x: x.to(x) is x, a)
    both(lambda T, x: x.to("cpu") is x, a)
    both(lambda T, x: x.to(T.float32, copy=True) is x, a)
    both(lambda T, x: x.requires_grad_().double(), a)
    both(lambda T, x: x.requires_grad_().long(), a)
    both(lambda T, x: x.long().float().requires_grad, a)


def test_size_and_device():
    both(lambda T: (T.Size([2, 3]), T.Size([2, 3]).numel(), T.Size(()).numel(), T.zeros(2, 3).shape[1:],
                    T.zeros(2, 3).size(), T.zeros(2, 3).size(-1)))
    assert repr(reftorch.Size([2, 3])) == repr(torch.Size([2, 3]))
    assert reftorch.Size([2, 3]) == (2, 3)
    assert repr(reftorch.device("cpu")) == repr(torch.device("cpu"))
    assert repr(reftorch.device("cuda", 1)) == repr(torch.device("cuda", 1))
    assert repr(reftorch.device("cuda:0")) == repr(torch.device("cuda:0"))
    assert reftorch.zeros(1).device == reftorch.device("cpu")
    assert str(reftorch.zeros(1).device) == "cpu"
    with pytest.raises(RuntimeError):
        reftorch.device("gpu")
    with pytest.raises(RuntimeError):
        torch.device("gpu")


def test_tensor_metadata_methods():
    a = random_array(np.random.default_rng(0), (2, 3), "float64")
    both(lambda T, x: (x.element_size(), x.nelement(), x.ndimension(), x.is_floating_point(),
                       T.is_floating_point(x), T.is_tensor(x), T.numel(x), x.is_leaf, x.requires_grad,
                       len(x), x.itemsize, x.nbytes, x.layout == T.strided if hasattr(T, "strided") else True), a)
    both(lambda T, x: [y for y in x], a)


# ------------------------------------------------------------------ legacy types, out=, argument types
def _legacy(T, name):
    if T is torch or hasattr(T, name):
        return getattr(T, name)
    from reftorch._tensor import LEGACY_TYPES  # until reftorch/__init__.py exports them
    return LEGACY_TYPES[name]


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor",
                                  "ByteTensor", "HalfTensor", "ShortTensor", "CharTensor"])
def test_legacy_tensor_types(name):
    both(lambda T: _legacy(T, name)([1, 0, 2]))
    both(lambda T: _legacy(T, name)(2, 3).shape)
    both(lambda T: (_legacy(T, name)(2).dtype, repr(_legacy(T, name))))
    both(lambda T: T.zeros(2).type(_legacy(T, name)))
    both(lambda T: [isinstance(T.zeros(2, dtype=d), _legacy(T, name)) for d in (T.float32, T.int64, T.bool)])


def test_out_argument():
    import warnings
    x = np.array([[1, 2], [3, 4]])
    both(lambda T, a: (lambda r: (T.add(a, a, out=r) is r, r))(T.empty(2, 2)), x)
    both(lambda T, a: (lambda r: (T.mul(a, 2, out=r), r.shape))(T.empty(0)), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(lambda T, a: (lambda r: (T.sub(a, 1, out=r), r.shape))(T.empty(3)), x)
    both(lambda T, a: T.add(a, 1.5, out=T.empty(2, 2, dtype=T.int64)), x, msg=True)
    both(lambda T, a: T.add(a, a, out=T.empty(2, 2, requires_grad=True)), x, msg=True)
    both(lambda T, a: T.mul(a.float().requires_grad_(), 2, out=T.empty(2, 2)), x, msg=True)
    both(lambda T, a: (lambda r: (T.matmul(a, a, out=r), r))(T.empty(2, 2, dtype=T.int64)), x)
    both(lambda T, a: (lambda r: (T.cat([a, a], 1, out=r), r))(T.empty(0, dtype=T.int64)), x)
    both(lambda T, a: (lambda r: (T.stack([a, a], out=r), r))(T.empty(0, dtype=T.int64)), x)
    both(lambda T, a: (lambda r: (T.index_select(a, 0, T.tensor([1]), out=r), r))(T.empty(0, dtype=T.int64)), x)
    both(lambda T, a: (lambda r: (T.gather(a, 0, T.tensor([[1]]), out=r), r))(T.empty(0, dtype=T.int64)), x)
    both(lambda T, a: (lambda r: (T.div(a, 2, out=r), r))(T.empty(2, 2)), x)


def test_int_argument_types():
    a = random_array(np.random.default_rng(0), (2, 3), "float32")
    raises_like(lambda T, x: x.unsqueeze((0, 1)), a, msg=True)
    raises_like(lambda T, x: x.unsqueeze(1.0), a, msg=True)
    raises_like(lambda T, x: x.unsqueeze(True), a, msg=True)
    raises_like(lambda T, x: x.transpose(0, 1.0), a, msg=True)
    raises_like(lambda T, x: x.transpose((0,), 1), a, msg=True)
    raises_like(lambda T, x: x.flatten(0.0), a, msg=True)
    raises_like(lambda T, x: x.flatten(0, 1.0), a, msg=True)
    raises_like(lambda T, x: T.cat([x], 1.0), a, msg=True)
    raises_like(lambda T, x: T.stack([x], 1.0), a, msg=True)
    raises_like(lambda T, x: x.index_select(1.0, T.tensor([0])), a, msg=True)
    raises_like(lambda T, x: x.gather(1.0, T.tensor([[0]])), a, msg=True)
    raises_like(lambda T, x: x.size(1.0), a, msg=True)
    both(lambda T, x: (x.unsqueeze(T.tensor(1)).shape, x.size(T.tensor(-1)), x.transpose(T.tensor(0), 1).shape), a)


def test_equal():
    def eq(T):
        f = T.equal if hasattr(T, "equal") else __import__("reftorch._ops.reduction", fromlist=["equal"]).equal
        return [f(T.tensor([1, 2]), T.tensor([1.0, 2.0])), f(T.tensor([1, 2]), T.tensor([[1, 2]])),
                f(T.zeros(0), T.zeros(0)), f(T.tensor([1.0, float("nan")]), T.tensor([1.0, float("nan")])),
                f(T.tensor([True]), T.tensor([1]))]
    both(eq)


def test_like_functions_keep_layout():
    a = random_array(np.random.default_rng(0), (3, 4), "float32")
    for lay in (lambda x: x.t(), lambda x: x[:, ::2], lambda x: x.t()[::2], lambda x: x.unsqueeze(1).expand(3, 2, 4),
                lambda x: x.reshape(3, 2, 2).permute(1, 2, 0), lambda x: x):
        both(lambda T, x: [(y.shape, y.stride(), y.dtype) for y in (
            T.zeros_like(lay(x)), T.ones_like(lay(x)), T.empty_like(lay(x)), T.full_like(lay(x), 2),
            T.zeros_like(lay(x), dtype=T.int64))], a)
        both(lambda T, x: (T.ones_like(lay(x)), T.full_like(lay(x), 7.5)), a)


def test_creation_out_argument():
    import warnings

    def run(T):
        T.manual_seed(0)
        a, b = T.empty(0, dtype=T.int64), T.empty(2, 2)
        c, d, e, f = T.empty(3, dtype=T.float64), T.empty(5, dtype=T.int64), T.empty(2), T.empty(4, dtype=T.int32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [T.zeros(2, 3, out=a) is a, a, T.ones(2, 2, out=b), T.arange(3, out=c), T.randperm(5, out=d),
                    T.rand(2, out=e), T.full((2,), 7, out=f), f.shape, T.linspace(0, 1, 3, out=c), T.eye(2, out=b),
                    T.randn(3, out=e), e.shape, T.randint(0, 5, (2,), out=d), d.shape]
    both(run)
    both(lambda T: T.zeros(2, out=T.empty(2, requires_grad=True)), msg=True)


def test_pin_memory_without_gpu_is_pytorch_cpu_behaviour():
    if reftorch.cuda.is_available():
        pytest.skip("CPU-build behaviour: needs a machine without a usable GPU")
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    raises_like(lambda T, x: x.pin_memory(), a, msg=True)
    both(lambda T, x: (x.is_pinned(), x[0].is_pinned()), a)


def test_is_pinned_follows_views_of_pinned_memory(monkeypatch):
    # CuPy's pinned arrays are NumPy arrays over a PinnedMemoryPointer; a stand-in module
    # checks that the backend recognises them (and views of them) without a GPU.
    import sys
    import types

    class PinnedMemoryPointer(bytearray):
        pass

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(PinnedMemoryPointer=PinnedMemoryPointer)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    arr = np.ndarray((2, 3), dtype=np.float32, buffer=PinnedMemoryPointer(24))
    t = reftorch.from_numpy(arr)
    assert t.is_pinned() and t[1].is_pinned() and t.t().is_pinned()
    assert not reftorch.ones(2, 3).is_pinned() and not (t + 1).is_pinned()


@pytest.mark.gpu
@pytest.mark.skipif(not reftorch.cuda.is_available(), reason="needs CuPy and a CUDA GPU")
def test_pin_memory_on_gpu_machine():
    x = reftorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert not x.is_pinned()
    p = x.pin_memory()
    assert p.device.type == "cpu" and p.is_pinned() and p.tolist() == x.tolist()
    assert p.dtype == x.dtype and p.grad_fn.name() == "PinMemoryBackward0"
    assert not np.shares_memory(p.detach().numpy(), x.detach().numpy())
    assert p.pin_memory() is p and p[0].is_pinned()
    (p * p).sum().backward()
    assert x.grad.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    c = reftorch.ones(2, device="cuda")
    assert not c.is_pinned()
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        c.pin_memory()
    assert (p.to("cuda") * 2).cpu().tolist() == [[2.0, 4.0], [6.0, 8.0]]
