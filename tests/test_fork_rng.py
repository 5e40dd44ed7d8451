"""torch.random.fork_rng against PyTorch: the CPU generator's state is restored on exit
(also after an exception), draws inside are the forked stream's, ``enabled=False`` and
``device_type="meta"`` do nothing, GPU ``devices`` without a GPU raise PyTorch's error."""
from __future__ import annotations

import pytest

import reftorch
import torch
from tests._nn_compare import same

LIBS = (reftorch, torch)


def _run(T, **kw):
    T.manual_seed(7)
    before = T.rand(2)
    with T.random.fork_rng(**kw) as value:
        inside = T.rand(3), T.randn(2), T.randint(0, 10, (4,))
    after = T.rand(2), T.randperm(5)
    return value, before, inside, after


@pytest.mark.parametrize("kw", [dict(), dict(devices=[]), dict(enabled=False), dict(device_type="meta"),
                                dict(devices=[], device_type="cuda")], ids=str)
def test_draws_and_restored_stream_are_torchs(kw):
    r, t = _run(reftorch, **kw), _run(torch, **kw)
    same(r, t, exact=True)


def test_state_is_restored_and_nested():
    for T in LIBS:
        T.manual_seed(3)
        state = T.get_rng_state()
        with T.random.fork_rng(devices=[]):
            T.rand(10)
            with T.random.fork_rng(devices=[]):
                T.manual_seed(99)
            inner = T.get_rng_state()
        assert T.equal(T.get_rng_state(), state)
        assert not T.equal(inner, state)


def test_restored_after_an_exception():
    out = []
    for T in LIBS:
        T.manual_seed(5)
        with pytest.raises(ZeroDivisionError):
            with T.random.fork_rng():
                T.rand(4)
                1 / 0
        out.append(T.rand(3))
    same(out[0], out[1], exact=True)


def test_enabled_false_keeps_the_draws():
    for T in LIBS:
        T.manual_seed(1)
        with T.random.fork_rng(enabled=False):
            first = T.rand(2)
        T.manual_seed(1)
        assert T.equal(T.rand(2), first) and not T.equal(T.rand(2), first)


def test_gpu_devices_without_a_gpu():
    if reftorch.cuda.is_available():  # with a GPU, naming it is fine (its draws come from the CPU stream)
        with reftorch.random.fork_rng(devices=[0]):
            reftorch.rand(1, device="cuda")
        assert reftorch.cuda.device_count() >= 1
        return
    errors = []
    for T in LIBS:
        with pytest.raises(AssertionError) as info:
            with T.random.fork_rng(devices=[0]):
                pass
        errors.append(str(info.value))
    assert errors[0] == errors[1] == "Torch not compiled with CUDA enabled"


def test_in_public_namespace():
    assert "fork_rng" in reftorch.random.__all__ and "fork_rng" in torch.random.__all__
