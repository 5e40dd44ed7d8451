"""Differential tests of tensor printing: reftorch's ``_str`` against real PyTorch's ``repr``.

Every expected string comes from ``repr(torch_tensor)``.  The reftorch side is either

* a small stub built from the torch tensor (only the duck-typed interface that
  :func:`reftorch._tensor_str._str` relies on), so the printing code is tested on its
  own; or
* a real reftorch tensor built from the same values (``reftorch.tensor``), once the
  Tensor class exists.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from reftorch import _dtype  # noqa: E402
from reftorch import _tensor_str  # noqa: E402
from reftorch._tensor_str import _str  # noqa: E402

pytestmark = pytest.mark.torch


# --------------------------------------------------------------------------- helpers


class _GradFn:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class Stub:
    """The duck-typed tensor interface used by ``_str``, filled from a torch tensor."""

    def __init__(self, t, grad_fn_name=None):
        self._t = t
        self.dtype = _dtype.BY_NAME[str(t.dtype).split(".")[1]]
        self.shape = t.shape
        self.device = t.device
        self.requires_grad = t.requires_grad
        self.is_leaf = t.is_leaf
        if grad_fn_name is None and t.grad_fn is not None:
            grad_fn_name = t.grad_fn.name()
        self.grad_fn = None if grad_fn_name is None else _GradFn(grad_fn_name)

    def dim(self):
        return self._t.dim()

    def numel(self):
        return self._t.numel()

    def _host(self):
        t = self._t.detach().resolve_conj().resolve_neg()
        if t.dtype == torch.bfloat16:  # NumPy has no bfloat16: hand over exact float32 values
            t = t.float()
        return t.numpy()


def check(t, **stub_kwargs):
    """Assert that reftorch's printing of ``t`` equals PyTorch's (and return it)."""
    expected = repr(t)
    got = _str(Stub(t, **stub_kwargs))
    assert got == expected, f"\n--- torch ---\n{expected}\n--- reftorch ---\n{got}"
    return expected


@pytest.fixture
def restore_printoptions():
    """Reset both libraries' print options after the test."""
    yield
    torch.set_printoptions(profile="default", sci_mode=None)
    _tensor_str.set_printoptions(profile="default", sci_mode=None)


def set_both(**kwargs):
    torch.set_printoptions(**kwargs)
    _tensor_str.set_printoptions(**kwargs)


DTYPES = [
    torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.float16, torch.float32, torch.float64, torch.complex64, torch.complex128,
]


# --------------------------------------------------------------------------- hand-picked cases

CASES = {
    # 0-dim
    "scalar_float": lambda: torch.tensor(1.5),
    "scalar_int_mode": lambda: torch.tensor(3.0),
    "scalar_int": lambda: torch.tensor(7),
    "scalar_neg_int": lambda: torch.tensor(-7),
    "scalar_bool": lambda: torch.tensor(True),
    "scalar_double": lambda: torch.tensor(0.1, dtype=torch.float64),
    "scalar_half": lambda: torch.tensor(0.1, dtype=torch.float16),
    "scalar_complex": lambda: torch.tensor(1 + 2j),
    "scalar_complex_neg_imag": lambda: torch.tensor(1.5 - 2.25j),
    "scalar_complex128": lambda: torch.tensor(1 - 0j, dtype=torch.complex128),
    "scalar_nan": lambda: torch.tensor(float("nan")),
    "scalar_inf": lambda: torch.tensor(float("-inf")),
    "scalar_neg_zero": lambda: torch.tensor(-0.0),
    "scalar_big": lambda: torch.tensor(1e10),
    "scalar_tiny": lambda: torch.tensor(1e-10),
    "scalar_int8": lambda: torch.tensor(-128, dtype=torch.int8),
    # 1-D
    "floats": lambda: torch.tensor([1.5, -2.25, 3.0]),
    "int_mode": lambda: torch.tensor([1.0, 2.0, -3.0]),
    "int_mode_big": lambda: torch.tensor([1.0, 2.0, 123456.0]),
    "ints": lambda: torch.tensor([1, -20, 300]),
    "bools": lambda: torch.tensor([True, False, True]),
    "uint8": lambda: torch.tensor([0, 255, 7], dtype=torch.uint8),
    "int16": lambda: torch.tensor([0, -32768, 7], dtype=torch.int16),
    "int32": lambda: torch.tensor([0, 2**31 - 1], dtype=torch.int32),
    "int64_big": lambda: torch.tensor([-(2**63), 2**63 - 1]),
    "float64": lambda: torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64),
    "float64_int_mode": lambda: torch.tensor([1.0, 2.0], dtype=torch.float64),
    "float16": lambda: torch.tensor([0.1, 1000.0, -3.5], dtype=torch.float16),
    "float16_extremes": lambda: torch.tensor([65504.0, 6e-8, -1.0], dtype=torch.float16),
    "sci_big": lambda: torch.tensor([1e9, 1.0]),
    "sci_small": lambda: torch.tensor([1e-5, 1.0]),
    "sci_ratio": lambda: torch.tensor([0.01, 100.0]),
    "no_sci_ratio_1000": lambda: torch.tensor([0.1, 100.0]),
    "sci_int_mode": lambda: torch.tensor([1.0, 1e10]),
    "nan_inf": lambda: torch.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nan_inf_int_mode": lambda: torch.tensor([float("nan"), float("inf"), -float("inf"), 2.0]),
    "only_nan_inf": lambda: torch.tensor([float("nan"), float("inf")]),
    "zeros": lambda: torch.zeros(4),
    "neg_zero": lambda: torch.tensor([-0.0, 0.0, 1.0]),
    "neg_zero_frac": lambda: torch.tensor([-0.0, 0.5]),
    "zeros_sci": lambda: torch.tensor([0.0, 1e-8, 1.0]),
    "float32_rounding": lambda: torch.tensor([0.1, 0.7, 1 / 3]),
    "rounding_half": lambda: torch.tensor([0.00005, 0.00015, 2.5]),
    "complex": lambda: torch.tensor([1 + 2j, -3.5 - 0.5j, 0j]),
    "complex_neg_zero": lambda: torch.complex(torch.tensor([1.0, -0.0]), torch.tensor([-0.0, 0.0])),
    "complex128": lambda: torch.tensor([1 + 2j, 1e10 + 1e-3j], dtype=torch.complex128),
    "complex_nan": lambda: torch.tensor([complex(float("nan"), 1), complex(1, float("inf"))]),
    "complex_int_mode_mixed": lambda: torch.tensor([1 + 0.5j, 2 + 3j]),
    "long_wrap": lambda: torch.arange(40, dtype=torch.float32) * 1.37,
    "long_wrap_ints": lambda: torch.arange(100),
    "long_wrap_complex": lambda: torch.arange(30, dtype=torch.float32) * (0.5 + 1.25j),
    # 2-D and more
    "matrix": lambda: torch.tensor([[1.0, 2.5], [-3.0, 4.0]]),
    "matrix_int": lambda: torch.arange(12).reshape(3, 4),
    "matrix_bool": lambda: torch.arange(6).reshape(2, 3) % 2 == 0,
    "matrix_wide": lambda: torch.linspace(-5, 5, 60).reshape(2, 30),
    "tensor3d": lambda: torch.arange(24, dtype=torch.float32).reshape(2, 3, 4) / 7,
    "tensor4d": lambda: torch.arange(48).reshape(2, 2, 3, 4),
    "tensor4d_float16": lambda: (torch.arange(16).reshape(2, 2, 2, 2) / 3).half(),
    "complex_matrix": lambda: torch.tensor([[1 + 1j, 2 - 2j], [3.5j, -4.0 + 0j]]),
    "one_element_2d": lambda: torch.tensor([[5.0]]),
    "size_one_dims": lambda: torch.ones(1, 1, 3, 1),
    # summarised
    "big_1d": lambda: torch.arange(2000, dtype=torch.float32),
    "big_1d_frac": lambda: torch.arange(2000, dtype=torch.float32) / 3,
    "big_1d_int": lambda: torch.arange(1001),
    "big_2d": lambda: torch.arange(10000, dtype=torch.float64).reshape(100, 100) / 7,
    "big_2d_narrow": lambda: torch.arange(3000).reshape(1000, 3),
    "big_2d_wide": lambda: torch.arange(3000).reshape(3, 1000),
    "big_3d": lambda: torch.arange(8000, dtype=torch.float32).reshape(20, 20, 20) - 4000,
    "big_4d": lambda: torch.arange(2 * 10 * 10 * 11).reshape(2, 10, 10, 11),
    "big_complex": lambda: torch.arange(1200, dtype=torch.float32).reshape(40, 30) * (1 - 2j),
    "big_bool": lambda: torch.arange(1500) % 3 == 0,
    "big_hidden_outliers": lambda: torch.cat([torch.tensor([1.5]), torch.full((1000,), 1e12), torch.tensor([2.5])]),
    "big_half": lambda: torch.linspace(0, 100, 1100).half(),
    # empty
    "empty_1d": lambda: torch.tensor([]),
    "empty_1d_int": lambda: torch.tensor([], dtype=torch.int64),
    "empty_1d_bool": lambda: torch.tensor([], dtype=torch.bool),
    "empty_1d_double": lambda: torch.zeros(0, dtype=torch.float64),
    "empty_1d_complex": lambda: torch.zeros(0, dtype=torch.complex64),
    "empty_0x3": lambda: torch.zeros(0, 3),
    "empty_3x0": lambda: torch.zeros(3, 0),
    "empty_2x0x4_int8": lambda: torch.zeros(2, 0, 4, dtype=torch.int8),
    "empty_0x0": lambda: torch.zeros(0, 0, dtype=torch.int32),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name]())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (0, 2), (2, 1, 3)], ids=str)
def test_every_dtype(dtype, shape):
    values = (torch.arange(math.prod(shape)).reshape(shape) * 37 % 11 - 3)
    check(values.to(dtype))


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64, torch.complex64], ids=str)
def test_every_float_dtype_fractions(dtype):
    check((torch.arange(7, dtype=torch.float64) / 3 - 1).to(dtype))


def test_bfloat16_from_float32_host_values():
    check(torch.tensor([0.1, 1.0, 300.5, -2.0], dtype=torch.bfloat16))
    check(torch.tensor([1.0, 2.0], dtype=torch.bfloat16))
    check(torch.tensor(1e-7, dtype=torch.bfloat16))
    check(torch.arange(2000).to(torch.bfloat16) / 3)


def test_requires_grad():
    check(torch.tensor([1.0, 2.0], requires_grad=True))
    check(torch.tensor(2.5, requires_grad=True))
    check(torch.zeros(0, 3, requires_grad=True))


def test_dtype_suffix_with_requires_grad():
    check(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))
    check(torch.tensor([1 + 1j], dtype=torch.complex128, requires_grad=True))


def test_grad_fn():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    check(torch.cat([a, a]))
    check(a * 2)
    check((a.double() * 2).sum())


def test_custom_grad_fn_name():
    t = torch.tensor([1.0, 2.0], requires_grad=True) * 2
    expected = repr(t).replace("MulBackward0", "MyFuncBackward")
    assert _str(Stub(t, grad_fn_name="MyFuncBackward")) == expected
    assert _str(Stub(t, grad_fn_name="torch::autograd::CopySlices")).endswith("grad_fn=<CopySlices>)")


def test_suffix_wraps_to_new_line():
    # The body ends near the line width: the dtype suffix goes on its own line.
    check(torch.arange(20, dtype=torch.int32).reshape(2, 10) * 1000)
    check(torch.arange(17, dtype=torch.float64) + 0.5)
    check(torch.arange(19, dtype=torch.float64) * 1.5)
    a = torch.arange(14, dtype=torch.float64, requires_grad=True) + 0.5
    check(a)


def test_device_suffix():
    class CudaStub(Stub):
        pass

    class Device:
        type = "cuda"

        def __str__(self):
            return "cuda:0"

    stub = CudaStub(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))
    stub.device = Device()
    assert _str(stub) == "tensor([1., 2.], device='cuda:0', dtype=torch.float64, requires_grad=True)"
    stub = CudaStub(torch.zeros(0, 2, dtype=torch.int64))
    stub.device = Device()
    assert _str(stub) == "tensor([], device='cuda:0', size=(0, 2), dtype=torch.int64)"


def test_default_dtype_float64():
    old = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        _dtype.set_default_dtype(_dtype.float64)
        for t in [torch.tensor([1.5, 2.0]), torch.tensor([1.5], dtype=torch.float32),
                  torch.tensor([1 + 1j], dtype=torch.complex128), torch.tensor([1 + 1j], dtype=torch.complex64),
                  torch.zeros(0), torch.zeros(0, dtype=torch.float32), torch.tensor([], dtype=torch.int64)]:
            check(t)
    finally:
        torch.set_default_dtype(old)
        _dtype.set_default_dtype(_dtype.BY_NAME[str(old).split(".")[1]])


# --------------------------------------------------------------------------- print options


def test_printoptions_api(restore_printoptions):
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    set_both(precision=2, threshold=5, edgeitems=1, linewidth=40, sci_mode=True)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    with _tensor_str.printoptions(precision=7), torch._tensor_str.printoptions(precision=7):
        assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
        check(torch.tensor([1 / 3]))
    assert _tensor_str.get_printoptions()["precision"] == 2
    for profile in ["short", "full", "default"]:
        set_both(profile=profile)
        assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("precision", [0, 1, 2, 6, 10])
def test_precision(restore_printoptions, precision):
    set_both(precision=precision)
    check(torch.tensor([1 / 3, 2.5, -7.125]))
    check(torch.tensor([1e-6, 1.0]))
    check(torch.tensor([1 + 1 / 3j]))
    check(torch.tensor([3.0, 4.0]))


@pytest.mark.parametrize("sci_mode", [True, False])
def test_sci_mode(restore_printoptions, sci_mode):
    set_both(sci_mode=sci_mode)
    check(torch.tensor([1e-6, 1.0]))
    check(torch.tensor([1.5, 2.5]))
    check(torch.tensor([1.0, 2.0]))
    check(torch.tensor([1e20, 1.0]))
    check(torch.tensor([0.0, float("nan")]))
    check(torch.tensor(123.25))
    check(torch.tensor([1 + 1e-7j]))


@pytest.mark.parametrize("threshold", [0, 5, 10, math.inf])
@pytest.mark.parametrize("edgeitems", [0, 1, 2, 4])
def test_threshold_edgeitems(restore_printoptions, threshold, edgeitems):
    set_both(threshold=threshold, edgeitems=edgeitems)
    check(torch.arange(12))
    check(torch.arange(12, dtype=torch.float32) / 4)
    check(torch.arange(60).reshape(3, 4, 5) * 1.5)
    check(torch.arange(3) + 0j)
    check(torch.tensor(5.0))
    check(torch.zeros(0, 3))


@pytest.mark.parametrize("linewidth", [1, 20, 50, 120])
def test_linewidth(restore_printoptions, linewidth):
    set_both(linewidth=linewidth)
    check(torch.arange(40))
    check(torch.arange(40, dtype=torch.float64) / 3)
    check(torch.arange(24).reshape(2, 3, 4) * (1 + 1j))
    check(torch.arange(30.0, requires_grad=True))


def test_profiles(restore_printoptions):
    for profile in ["short", "full"]:
        set_both(profile=profile)
        check(torch.arange(1500) / 7)
        check(torch.tensor([1 / 3]))


# --------------------------------------------------------------------------- property-based

_NP_DTYPES = {
    "bool": np.bool_, "uint8": np.uint8, "int8": np.int8, "int16": np.int16,
    "int32": np.int32, "int64": np.int64, "float16": np.float16, "float32": np.float32,
    "float64": np.float64, "complex64": np.complex64, "complex128": np.complex128,
}

# "Interesting" magnitudes, so that int mode, sci mode and widths all get exercised.
_NICE_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e8, 1.5e8, 1e9,
                1e-3, 1e-4, 9.9e-5, 1e-5, 1e-8, 0.1, 1 / 3, 123.456, -987.125, 65504.0,
                float("nan"), float("inf"), -float("inf"), 1e30, 1e-30]


def _float_elements(width):
    return st.one_of(
        st.sampled_from(_NICE_FLOATS),
        st.integers(-1000, 1000).map(float),
        st.floats(width=width, allow_nan=True, allow_infinity=True),
        st.floats(-1e4, 1e4, width=width),
    )


@st.composite
def arrays(draw):
    name = draw(st.sampled_from(sorted(_NP_DTYPES)))
    np_dtype = _NP_DTYPES[name]
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    if name == "bool":
        elements = st.booleans()
    elif name.startswith(("int", "uint")):
        info = np.iinfo(np_dtype)
        elements = st.one_of(st.integers(-10, 10).filter(lambda v: info.min <= v <= info.max),
                             st.integers(int(info.min), int(info.max)))
    elif name.startswith("float"):
        width = {"float16": 16, "float32": 32, "float64": 64}[name]
        elements = _float_elements(width)
    else:
        width = 32 if name == "complex64" else 64
        part = _float_elements(width)
        elements = st.builds(complex, part, part)
    # Cast through float64 so float16 can hold the rounded "nice" values.
    with np.errstate(over="ignore", invalid="ignore"):
        return draw(hnp.arrays(np_dtype, shape, elements=elements.map(lambda v: np.asarray(v).astype(np_dtype)[()])
                               if name.startswith("float") else elements))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays())
def test_random_arrays(array):
    check(torch.from_numpy(np.ascontiguousarray(array)))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(), st.integers(0, 8), st.sampled_from([0, 4, 20, 1000]), st.integers(0, 3),
       st.integers(10, 100), st.sampled_from([None, True, False]))
def test_random_arrays_with_options(array, precision, threshold, edgeitems, linewidth, sci_mode):
    try:
        set_both(precision=precision, threshold=threshold, edgeitems=edgeitems,
                 linewidth=linewidth, sci_mode=sci_mode)
        check(torch.from_numpy(np.ascontiguousarray(array)))
    finally:
        set_both(profile="default", sci_mode=None)


@st.composite
def big_arrays(draw):
    """Arrays above the default threshold (1000 elements), so that they are summarised."""
    name = draw(st.sampled_from(["int64", "float16", "float32", "float64", "complex64", "bool"]))
    shape = draw(st.sampled_from([(1001,), (3000,), (2, 600), (600, 2), (40, 30), (11, 10, 10),
                                  (7, 8, 9, 3), (1, 1001), (1001, 1)]))
    seed = draw(st.integers(0, 2**32 - 1))
    scale = draw(st.sampled_from([1.0, 1e-6, 1e9, 1000.0]))
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if name == "bool":
        values = rng.random(n) < 0.5
    elif name == "int64":
        values = rng.integers(-(10**draw(st.integers(0, 18))), 10**6, n)
    else:
        values = rng.standard_normal(n) * scale
        if draw(st.booleans()):
            values = np.round(values)
        if name == "complex64":
            values = values + 1j * rng.standard_normal(n)
        values[rng.integers(0, n, 5)] = draw(st.sampled_from([0.0, np.nan, np.inf, 1e20, 1e-20]))
    with np.errstate(over="ignore"):
        return values.astype(_NP_DTYPES[name]).reshape(shape)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_arrays())
def test_random_big_arrays(array):
    check(torch.from_numpy(array))


# --------------------------------------------------------------------------- real reftorch tensors


def _reftorch():
    """The reftorch package (a missing ``reftorch.tensor`` fails the test)."""
    import reftorch
    return reftorch


def to_reftorch(t):
    """A reftorch tensor with the values, dtype and requires_grad of torch tensor ``t``."""
    rt = _reftorch()
    dtype = getattr(rt, str(t.dtype).split(".")[1])
    if t.numel() == 0:
        out = rt.zeros(tuple(t.shape), dtype=dtype)
        return out.requires_grad_() if t.requires_grad else out
    return rt.tensor(t.detach().tolist(), dtype=dtype, requires_grad=t.requires_grad)


def check_real(t):
    """Assert that ``repr`` and ``str`` of the reftorch copy of ``t`` equal PyTorch's."""
    expected = repr(t)
    r = to_reftorch(t)
    assert repr(r) == expected, f"\n--- torch ---\n{expected}\n--- reftorch ---\n{repr(r)}"
    assert str(r) == str(t)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_real_tensor(name):
    check_real(CASES[name]())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_every_dtype_real_tensor(dtype):
    check_real((torch.arange(6).reshape(2, 3) * 37 % 11 - 3).to(dtype))
    check_real(torch.zeros(0, 2, dtype=dtype))
    check_real(torch.tensor(1, dtype=dtype))


def test_requires_grad_real_tensor():
    check_real(torch.tensor([1.0, 2.0], requires_grad=True))
    check_real(torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True))


def test_grad_fn_real_tensor():
    rt = _reftorch()
    a = torch.tensor([1.5, 2.0], requires_grad=True)
    ra = rt.tensor([1.5, 2.0], requires_grad=True)
    assert repr(rt.cat([ra, ra])) == repr(torch.cat([a, a]))
    assert repr(ra * 2) == repr(a * 2)


def test_printoptions_exported():
    rt = _reftorch()
    assert rt.set_printoptions is _tensor_str.set_printoptions
    try:
        rt.set_printoptions(precision=2)
        torch.set_printoptions(precision=2)
        check_real(torch.tensor([1 / 3, 2.0]))
    finally:
        set_both(profile="default", sci_mode=None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays())
def test_random_arrays_real_tensor(array):
    check_real(torch.from_numpy(np.ascontiguousarray(array)))


# The same expression evaluated with ``torch`` bound to PyTorch and to reftorch: printing of
# non-contiguous views and of autograd results of real reftorch ops.
SAME_CODE = [
    "torch.arange(12.).reshape(3, 4).t()",
    "torch.arange(24).reshape(2, 3, 4).permute(2, 0, 1)",
    "torch.arange(12)[::3]",
    "torch.arange(3.).expand(2, 3)",
    "torch.zeros(2, 3, dtype=torch.float16)",
    "torch.full((2, 2), 7, dtype=torch.int8)",
    "torch.tensor(2.5).neg()",
    "torch.ones(2, 3, requires_grad=True).sum()",
    "torch.ones(2, requires_grad=True) * 2 + 1",
    "torch.ones(2, requires_grad=True).reshape(2, 1)",
    "torch.ones(2, requires_grad=True)[0]",
    "torch.ones(2, requires_grad=True).exp()",
    "torch.ones(2, requires_grad=True).detach()",
    "torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True).mean()",
    "torch.tensor([1., 2.], requires_grad=True).to(torch.float64)",
    "torch.cat([torch.ones(2, requires_grad=True), torch.zeros(3)])",
    "torch.stack([torch.arange(3.), torch.arange(3.) / 3])",
    "torch.nn.Parameter(torch.ones(2))",
]


@pytest.mark.parametrize("code", SAME_CODE)
def test_same_code_real_tensor(code):
    rt = _reftorch()
    expected = repr(eval(code, {"torch": torch}))
    assert repr(eval(code, {"torch": rt})) == expected


@pytest.mark.parametrize("name", ["floats", "complex", "matrix_int", "tensor3d", "big_2d", "empty_0x3",
                                  "scalar_half", "bools"])
def test_strict_device_real_tensor(name):
    """Tensors on the ``strict`` stand-in accelerator print their host copy plus ``device=``."""
    cpu = to_reftorch(CASES[name]())
    if cpu.dtype.name == "float16":  # array_api_strict has no float16: a clear TypeError, not a skip
        with pytest.raises(TypeError, match="reftorch does not support torch.float16 on strict"):
            cpu.to("strict")
        return
    dev = cpu.to("strict")
    text = repr(dev)
    assert "device='strict'" in text
    # Short enough that the suffix does not move to a new line: removing it gives the CPU text.
    if "\n       device=" not in text:
        assert text.replace(", device='strict'", "") == repr(cpu)
