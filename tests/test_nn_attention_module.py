"""``torch.nn.attention`` against PyTorch: ``SDPBackend``'s members, ``sdpa_kernel``'s
arguments, state and restoring, and what a restriction does to
``F.scaled_dot_product_attention`` on the CPU (values, warnings, errors)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch  # the oracle: the test command installs it, so its absence must fail loudly
import torch.nn.attention as tattn

import reftorch
import reftorch.nn.attention as rattn
from tests._compare import assert_same_error, both, make, run

LIBS = [(torch, tattn), (reftorch, rattn)]
RNG = np.random.default_rng(5)


def _a(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def test_namespace_and_flag():
    assert rattn.__all__ == ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]
    assert set(rattn.__all__) <= set(tattn.__all__)
    assert rattn.WARN_FOR_UNFUSED_KERNELS is tattn.WARN_FOR_UNFUSED_KERNELS is False
    assert reftorch.nn.attention is rattn


def test_sdpbackend_members():
    names = list(tattn.SDPBackend.__members__)
    assert list(rattn.SDPBackend.__members__) == names
    for name in names:
        t, r = getattr(tattn.SDPBackend, name), getattr(rattn.SDPBackend, name)
        assert (r.name, r.value, int(r), str(r), repr(r)) == (t.name, t.value, int(t), str(t), repr(t))
        assert (r == r.value) == (t == t.value) is False
        assert hash(r) == hash(t)
    assert rattn.SDPBackend.__name__ == tattn.SDPBackend.__name__
    assert rattn.SDPBackend.__module__ == "ref" + tattn.SDPBackend.__module__


def _kernels(mod):
    """The backends allowed now, in the module's order (PyTorch's private query)."""
    return [b.name for b in mod._cur_sdpa_kernel_backends()] if mod is tattn else \
        [b.name for b in mod._enabled_backends()]


def test_sdpa_kernel_sets_and_restores_the_backends():
    for T, A in LIBS:
        before = _kernels(A)
        with A.sdpa_kernel([A.SDPBackend.MATH, A.SDPBackend.FLASH_ATTENTION, A.SDPBackend.MATH]) as ctx:
            assert ctx == {}
            inside = _kernels(A)
            with A.sdpa_kernel(A.SDPBackend.CUDNN_ATTENTION):
                nested = _kernels(A)
            after_nested = _kernels(A)
        with A.sdpa_kernel([]):
            empty = _kernels(A)
        try:
            with A.sdpa_kernel(A.SDPBackend.MATH):
                raise KeyError
        except KeyError:
            pass
        if T is torch:
            expected = (before, inside, nested, after_nested, empty, _kernels(A))
        else:
            assert (before, inside, nested, after_nested, empty, _kernels(A)) == expected


@pytest.mark.parametrize("backends", [(), "math", None, 0])
def test_sdpa_kernel_refuses_other_arguments(backends):
    def fn(T):
        with (tattn if T is torch else rattn).sdpa_kernel(backends):
            pass
    kt, et = run(torch, fn, ())
    kr, er = run(reftorch, fn, ())
    assert kt == kr == "err"
    assert_same_error(er, et, msg=True)


def _with(backends, **kw):
    """scaled_dot_product_attention within ``sdpa_kernel(backends)``: its value, or the error."""
    def fn(T, q, k, v, *mask):
        A = tattn if T is torch else rattn
        extra = dict(kw, **({"attn_mask": mask[0]} if mask else {}))
        with A.sdpa_kernel([getattr(A.SDPBackend, b) for b in backends]):
            return T.nn.functional.scaled_dot_product_attention(q, k, v, **extra)
    return fn


@pytest.mark.parametrize("backends", [["MATH"], ["FLASH_ATTENTION"], ["MATH", "EFFICIENT_ATTENTION"],
                                      ["FLASH_ATTENTION", "CUDNN_ATTENTION"]])
def test_allowed_backends_give_the_attention(backends):
    q, k, v = _a(1, 2, 3, 4), _a(1, 2, 5, 4), _a(1, 2, 5, 4)
    # (PyTorch's flash kernel differs from the math path in the last bits and grad_fn)
    both(_with(backends), q, k, v, check_grad_fn=backends == ["MATH"])


@pytest.mark.parametrize("backends", [[], ["EFFICIENT_ATTENTION"], ["CUDNN_ATTENTION", "OVERRIDEABLE"], ["ERROR"]])
def test_neither_flash_nor_math_raises(backends):
    both(_with(backends), _a(1, 2, 3, 4), _a(1, 2, 3, 4), _a(1, 2, 3, 4), msg=True)


FLASH_REFUSALS = {
    "dropout": ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {"dropout_p": 0.5}, None),
    "3-D": ((2, 3, 4), (2, 5, 4), (2, 5, 4), {}, None),
    "2-D": ((3, 4), (5, 4), (5, 4), {}, None),
    "batch": ((1, 2, 3, 4), (2, 2, 3, 4), (2, 2, 3, 4), {}, None),
    "heads": ((1, 4, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {}, None),
    "3-D mask": ((1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4), {}, (2, 3, 3)),
    "value dim": ((1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6), {}, None),
}


def _warned(fn, T, *args):
    """``fn(T, *args)``'s outcome ("ok" or "err", the value or exception) and the messages,
    categories and files (the caller's: here) of the warnings it gave."""
    args = [make(T, a) for a in args]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            kind, value = "ok", fn(T, *args)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            kind, value = "err", e
    return kind, value, [str(x.message) for x in w], [(x.category, x.filename) for x in w]


@pytest.mark.parametrize("case", FLASH_REFUSALS)
def test_flash_only_with_inputs_it_refuses(case):
    qs, ks, vs, kw, mask = FLASH_REFUSALS[case]
    args = [_a(*qs), _a(*ks), _a(*vs)] + ([np.ones(mask, bool)] if mask else [])
    kt, et, mt, ct = _warned(_with(["FLASH_ATTENTION"], **kw), torch, *args)
    kr, er, mr, cr = _warned(_with(["FLASH_ATTENTION"], **kw), reftorch, *args)
    assert kt == kr == "err"
    assert_same_error(er, et, msg=True)
    assert mr == mt and cr == ct and len(mt) == 2
    # math allowed as well: no warning, the attention
    both(_with(["FLASH_ATTENTION", "MATH"], **({} if case == "dropout" else kw)), *args, check_grad_fn=False)


def test_flash_only_with_strided_inputs():
    def fn(T, a):
        A = tattn if T is torch else rattn
        q = a.transpose(-1, -2)
        with A.sdpa_kernel(A.SDPBackend.FLASH_ATTENTION):
            return T.nn.functional.scaled_dot_product_attention(q, q, q)
    a = _a(1, 2, 4, 3)
    kt, et, mt, _ = _warned(fn, torch, a)
    kr, er, mr, _ = _warned(fn, reftorch, a)
    assert kt == kr == "err" and mr == mt and len(mt) == 2


@pytest.mark.parametrize("kw", [{"enable_gqa": True}, {"is_causal": True}, {"scale": 0.5}])
def test_flash_only_with_inputs_it_takes(kw):
    q, k = _a(1, 4, 3, 4), _a(1, 2 if kw.get("enable_gqa") else 4, 5, 4)
    for T in (torch, reftorch):
        kind, _, messages, _ = _warned(_with(["FLASH_ATTENTION"], **kw), T, q, k, k)
        assert kind == "ok" and messages == []
    both(_with(["FLASH_ATTENTION"], **kw), q, k, k, check_grad_fn=False)


def test_argument_errors_come_before_the_choice():
    """Mismatched dtypes are refused before any backend is chosen; an integer dtype only
    after (PyTorch's flash check refuses the 2-D input first)."""
    i = np.ones((2, 2), np.int64)
    both(_with([]), _a(2, 2), _a(2, 2).astype(np.float64), _a(2, 2), msg=True)
    kt, et, mt, _ = _warned(_with(["FLASH_ATTENTION"]), torch, i, i, i)
    kr, er, mr, _ = _warned(_with(["FLASH_ATTENTION"]), reftorch, i, i, i)
    assert kt == kr == "err" and mr == mt and len(mt) == 2
    assert_same_error(er, et, msg=True)
