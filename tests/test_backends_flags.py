"""torch.backends (cudnn, cuda.matmul, mps, mkldnn, openmp), torch.cpu and the global
switches (deterministic algorithms, float32 matmul precision, warn_always, flush_denormal)
against PyTorch (CPU build, no GPU): answers, defaults, round trips, errors."""
from __future__ import annotations

import warnings

import pytest
import torch

import reftorch
from reftorch._warnings import warn_once
from tests._compare import both


@pytest.fixture(autouse=True)
def _restore():
    yield
    for T in (torch, reftorch):
        T.use_deterministic_algorithms(False)
        T.set_float32_matmul_precision("highest")
        T.set_warn_always(False)
        c = T.backends.cudnn
        c.deterministic, c.benchmark, c.enabled, c.allow_tf32 = False, False, True, True


@pytest.mark.parametrize("expr", [
    "T.backends.cudnn.deterministic", "T.backends.cudnn.benchmark", "T.backends.cudnn.enabled",
    "T.backends.cudnn.allow_tf32", "T.backends.cudnn.is_available()", "T.backends.cudnn.version()",
    "T.backends.cudnn.benchmark_limit", "T.backends.cudnn.is_acceptable(T.ones(1))",
    "T.backends.mps.is_available()", "T.backends.mps.is_built()", "T.backends.cuda.matmul.allow_tf32",
    "T.backends.cuda.matmul.allow_fp16_reduced_precision_reduction",
    "T.backends.cuda.matmul.allow_bf16_reduced_precision_reduction",
    "T.backends.mkldnn.is_available()", "T.backends.openmp.is_available()",
    "T.cpu.is_available()", "T.cpu.device_count()", "T.cpu.current_device()", "T.cpu.synchronize()",
    "T.are_deterministic_algorithms_enabled()", "T.is_deterministic_algorithms_warn_only_enabled()",
    "T.get_deterministic_debug_mode()", "T.get_float32_matmul_precision()", "T.is_warn_always_enabled()",
    "T.set_flush_denormal(True)", "T.set_flush_denormal(False)",
])
def test_defaults(expr):
    both(lambda T: eval(expr, {"T": T}))


@pytest.mark.parametrize("attr", ["deterministic", "benchmark", "enabled", "allow_tf32"])
def test_cudnn_flags_round_trip(attr):
    def go(T):
        c = T.backends.cudnn
        setattr(c, attr, not getattr(c, attr))
        return getattr(c, attr), T.are_deterministic_algorithms_enabled()
    both(go)


@pytest.mark.parametrize("stmt", [
    "T.backends.cudnn.deterministic = 1", "T.backends.cudnn.benchmark = 1", "T.backends.cudnn.enabled = 0",
    "T.backends.cudnn.allow_tf32 = 1", "T.backends.cuda.matmul.allow_tf32 = 1", "T.backends.cuda.matmul.foo",
    "T.backends.cuda.matmul.foo = 1", "T.use_deterministic_algorithms(1)",
    "T.use_deterministic_algorithms(True, warn_only=1)", "T.set_deterministic_debug_mode('x')",
    "T.set_deterministic_debug_mode(3)", "T.set_deterministic_debug_mode(1.0)", "T.set_warn_always(1)",
    "T.set_flush_denormal(1)", "T.set_float32_matmul_precision(1)",
])
def test_errors(stmt):
    both(lambda T: exec(stmt, {"T": T}), msg=True)


def test_cudnn_flags_context():
    def go(T):
        c = T.backends.cudnn
        with c.flags(enabled=False, benchmark=True):
            inside = (c.enabled, c.benchmark, c.deterministic, c.allow_tf32)
        return inside, (c.enabled, c.benchmark, c.deterministic, c.allow_tf32)
    both(go)


@pytest.mark.parametrize("mode", ["default", "warn", "error", 0, 1, 2])
def test_debug_mode(mode):
    def go(T):
        T.set_deterministic_debug_mode(mode)
        return (T.get_deterministic_debug_mode(), T.are_deterministic_algorithms_enabled(),
                T.is_deterministic_algorithms_warn_only_enabled())
    both(go)


@pytest.mark.parametrize("args", [(True,), (True, True), (False, True), (False,)])
def test_use_deterministic_algorithms(args):
    def go(T):
        mode, *rest = args
        r = T.use_deterministic_algorithms(mode, warn_only=rest[0]) if rest else T.use_deterministic_algorithms(mode)
        return (r, T.are_deterministic_algorithms_enabled(), T.is_deterministic_algorithms_warn_only_enabled(),
                T.get_deterministic_debug_mode())
    both(go)


@pytest.mark.parametrize("precision", ["high", "medium", "highest"])
def test_matmul_precision(precision):
    def go(T):
        T.set_float32_matmul_precision(precision)
        return T.get_float32_matmul_precision(), T.backends.cuda.matmul.allow_tf32
    both(go)


def test_unknown_matmul_precision_warns_and_keeps():
    for T in (torch, reftorch):
        T.set_float32_matmul_precision("high")
        with pytest.warns(UserWarning, match="low is not one of 'highest', 'high', or 'medium'"):
            T.set_float32_matmul_precision("low")
        assert T.get_float32_matmul_precision() == "high"


def test_matmul_allow_tf32_sets_precision():
    # (PyTorch 2.13 refuses get_float32_matmul_precision after a mix of both APIs: only
    # the flag is compared)
    for T in (torch, reftorch):
        T.backends.cuda.matmul.allow_tf32 = True
        assert T.backends.cuda.matmul.allow_tf32 is True
        T.backends.cuda.matmul.allow_tf32 = False
        assert T.backends.cuda.matmul.allow_tf32 is False
    reftorch.backends.cuda.matmul.allow_tf32 = True
    assert reftorch.get_float32_matmul_precision() == "high"


def test_warn_always_repeats_once_per_process_warnings():
    reftorch.set_warn_always(True)
    assert reftorch.is_warn_always_enabled() is True
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        for _ in range(2):
            warn_once("a reftorch test warning (warn_always)")
    assert len(got) == 2
    reftorch.set_warn_always(False)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        warn_once("a reftorch test warning (warn_always)")
    assert got == []


def test_modules():
    import types
    for name in ("cudnn", "mps", "mkldnn", "openmp", "cuda"):
        assert isinstance(getattr(reftorch.backends, name), types.ModuleType)
    assert isinstance(reftorch.cpu, types.ModuleType)
    assert type(reftorch.backends.cuda.matmul).__name__ == type(torch.backends.cuda.matmul).__name__
