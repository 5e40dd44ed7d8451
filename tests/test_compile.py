"""torch.compile / torch.compiler / torch._dynamo as users meet them: reftorch runs the
compiled model eagerly, everything observable without a clock matches PyTorch 2.13."""
from __future__ import annotations

import io
import pickle
import warnings

import pytest
import torch
import torch._dynamo  # noqa: F401

import reftorch
import reftorch._dynamo  # noqa: F401
from tests._compare import assert_same

LIBS = [reftorch, torch]
#: the fast backend for the torch side of value checks (same Python-visible behaviour as inductor)
EAGER = {"backend": "eager"}


def _linear(T):
    T.manual_seed(0)
    return T.nn.Linear(3, 2)


@pytest.mark.parametrize("T", LIBS)
def test_optimized_module_type_repr_and_keys(T):
    m = _linear(T)
    c = T.compile(m)
    prefix = T.__name__
    assert type(c).__module__ == f"{prefix}._dynamo.eval_frame"
    assert type(c).__qualname__ == "OptimizedModule"
    assert isinstance(c, T.nn.Module) and type(c).__mro__[1] is T.nn.Module
    assert repr(c) == "OptimizedModule(\n  (_orig_mod): Linear(in_features=3, out_features=2, bias=True)\n)"
    assert list(c.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
    assert [n for n, _ in c.named_parameters()] == ["_orig_mod.weight", "_orig_mod.bias"]
    assert [p is q for p, q in zip(c.parameters(), m.parameters())] == [True, True]
    assert c._orig_mod is m and c.weight is m.weight and c.in_features == 3


@pytest.mark.parametrize("T", LIBS)
def test_optimized_module_forwards_attributes_and_modes(T):
    m = _linear(T)
    c = T.compile(m, **EAGER)
    c.note = 3  # set on the original module
    assert m.note == 3 and "note" not in c.__dict__
    del c.note
    assert not hasattr(m, "note")
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nothing'"):
        c.nothing
    assert c.eval() is c and (c.training, m.training) == (False, False)
    c.train()
    assert (c.training, m.training) == (True, True)
    m.eval()
    assert c.training is False
    assert "in_features" in dir(c) and "_orig_mod" in dir(c)
    assert len(T.compile(T.nn.Sequential(T.nn.ReLU(), T.nn.ReLU()), **EAGER)) == 2
    with pytest.raises(TypeError, match="Linear does not support len()"):
        len(c)


def test_compiled_module_same_results_and_grads():
    ms = [_linear(T) for T in LIBS]
    cs = [T.compile(m, **EAGER) for T, m in zip(LIBS, ms)]
    xs = [T.tensor([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]]) for T in LIBS]
    outs = [c(x) for c, x in zip(cs, xs)]
    assert_same(outs[0], outs[1], check_grad_fn=False)  # PyTorch's is CompiledFunctionBackward
    for out in outs:
        out.sum().backward()
    assert_same(ms[0].weight.grad, ms[1].weight.grad)
    assert_same(ms[0].bias.grad, ms[1].bias.grad)


def test_compiled_module_state_dict_round_trip():
    # the pitfall: a compiled model's keys carry "_orig_mod."; the original's do not
    for T in LIBS:
        c = T.compile(_linear(T), **EAGER)
        fresh = T.nn.Linear(3, 2)
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "weight", "bias"'):
            fresh.load_state_dict(c.state_dict())
        fresh.load_state_dict(c._orig_mod.state_dict())
        assert T.equal(fresh.weight, c.weight)
        c.load_state_dict({"_orig_mod." + k: v * 0 for k, v in fresh.state_dict().items()})
        assert c._orig_mod.weight.abs().sum().item() == 0
        buf = io.BytesIO()
        T.save(c.state_dict(), buf)
        buf.seek(0)
        assert list(T.load(buf)) == ["_orig_mod.weight", "_orig_mod.bias"]


@pytest.mark.parametrize("T", LIBS)
def test_optimized_module_pickles(T):
    c = T.compile(_linear(T), **EAGER)
    back = pickle.loads(pickle.dumps(c))
    assert type(back) is type(c) and T.equal(back.weight, c.weight)


@pytest.mark.parametrize("T", LIBS)
def test_compiled_function_and_decorators(T):
    def f(x):
        """doc"""
        return 2 * x
    cf = T.compile(f, **EAGER)
    assert type(cf).__name__ == "function" and cf is not f and cf.__wrapped__ is f
    assert (cf.__name__, cf.__qualname__, cf.__doc__) == ("f", f.__qualname__, "doc")
    assert cf(T.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]

    @T.compile
    def g(x):
        return x + 1
    assert g.__name__ == "g" and g(T.tensor([1.0])).tolist() == [2.0]

    @T.compile(mode="reduce-overhead", **EAGER)
    def h(x):
        return x - 1
    assert h.__name__ == "h" and h(T.tensor([1.0])).tolist() == [0.0]

    deco = T.compile(**EAGER)
    assert deco.__qualname__ == "compile.<locals>.fn"
    with pytest.raises(RuntimeError, match="^Model can't be None$"):
        deco(None)


@pytest.mark.parametrize("T", LIBS)
def test_disable_returns_model_itself(T):
    def f(x):
        return x
    m = _linear(T)
    assert T.compile(m, disable=True) is m
    assert T.compile(f, disable=True) is f
    with pytest.raises(AssertionError):
        T.compile(3, disable=True)


@pytest.mark.parametrize("T", LIBS)
def test_bad_arguments(T):
    def f(x):
        return x
    with pytest.raises(RuntimeError, match="^Either mode or options can be specified, but both can't be "
                                           "specified at the same time.$"):
        T.compile(f, mode="max-autotune", options={})
    with pytest.raises(RuntimeError, match="^Unrecognized mode=foo, should be one of: default, lite, "
                                           "reduce-overhead, max-autotune-no-cudagraphs, max-autotune$"):
        T.compile(f, mode="foo")
    with pytest.raises(RuntimeError, match="^Unrecognized mode=foo"):
        T.compile(f, mode="foo", disable=True)
    with pytest.raises(T._dynamo.exc.InvalidBackend) as info:
        T.compile(T.nn.Linear(2, 2), backend="foo")
    assert str(info.value) == "Invalid backend: 'foo', see `torch._dynamo.list_backends()` for available backends."
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, T._dynamo.exc.TorchDynamoException)
    with pytest.raises(T._dynamo.exc.InvalidBackend):  # the backend is checked before the mode
        T.compile(f, mode="foo", backend="foo")
    with pytest.raises(AssertionError, match="^A callable function is expected, but <class 'int'> is provided.$"):
        T.compile(3)
    with pytest.raises(AssertionError, match="<class 'str'>"):
        T.compile("abc", **EAGER)
    with pytest.raises(AttributeError, match="'int' object has no attribute 'items'"):
        T.compile(f, options=3)
    with pytest.raises(TypeError):
        T.compile(f, "inductor")
    T.compile(f, backend="eager", mode="anything")  # other backends ignore the mode


@pytest.mark.parametrize("T", LIBS)
def test_is_compiling_and_disable(T):
    @T.compiler.disable
    def off(x):
        return T.compiler.is_compiling()

    def inner():
        return T.compiler.is_compiling(), T.compiler.is_dynamo_compiling(), T._dynamo.is_compiling()

    @T.compile(**EAGER)
    def f(x):
        return (x + 1,) + inner() + (off(x),)

    assert f(T.ones(1))[1:] == (True, True, True, False)
    assert (T.compiler.is_compiling(), T.compiler.is_dynamo_compiling()) == (False, False)
    assert off.__wrapped__ is T.compiler.disable(off.__wrapped__).__wrapped__
    assert off(T.ones(1)) is False
    decorator = T.compiler.disable()
    assert type(decorator).__name__ == "DisableContext"
    assert type(decorator).__module__ == f"{T.__name__}._dynamo.eval_frame"
    assert decorator(inner).__wrapped__ is inner
    shallow = T.compiler.disable(recursive=False)
    assert shallow.__qualname__ == "disable.<locals>.wrap"
    assert shallow(inner).__wrapped__ is inner and shallow(inner)() == (False, False, False)
    d = T.compiler.disable(_linear(T))
    assert type(d).__name__ == "OptimizedModule" and list(d.state_dict())[0] == "_orig_mod.weight"

    class M(T.nn.Module):
        def forward(self, x):
            return x, T.compiler.is_compiling()
    assert T.compile(M(), **EAGER)(T.ones(1))[1] is True
    assert d(T.ones(3)).shape == (2,)


@pytest.mark.parametrize("T", LIBS)
def test_reset_and_list_backends(T):
    assert T.compiler.reset() is None and T._dynamo.reset() is None
    assert T.compiler.list_backends() == ["cudagraphs", "inductor", "openxla", "tvm"]
    assert T.compiler.list_backends(exclude_tags=()) == torch.compiler.list_backends(exclude_tags=())
    assert T._dynamo.list_backends(exclude_tags=("experimental",)) == \
        torch._dynamo.list_backends(exclude_tags=("experimental",))


@pytest.mark.parametrize("T", LIBS)
def test_global_hook_warning(T):
    c = T.compile(_linear(T), **EAGER)
    handle = T.nn.modules.module.register_module_forward_hook(lambda mod, args, out: None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c(T.ones(3))
    finally:
        handle.remove()
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("Using `torch.compile(module)` when there are global hooks") for m in messages)
    assert caught[0].filename == __file__


def test_first_compile_turns_off_distribution_validation_for_the_process():
    # PyTorch's first torch.compile (not a disabled one) patches torch: from then on
    # torch.distributions skips its argument checks (a fresh process per library)
    import subprocess
    import sys
    script = (
        "import sys, {T}\n"
        "def checks():\n"
        "    try:\n"
        "        {T}.distributions.Normal(0.0, -1.0)\n"
        "        return False\n"
        "    except ValueError:\n"
        "        return True\n"
        "print(checks(), end=' ')\n"
        "{T}.compile(lambda x: x, disable=True)\n"
        "print(checks(), end=' ')\n"
        "{T}.compile({T}.nn.Linear(2, 2))\n"
        "print(checks(), {T}.distributions.Distribution._validate_args, end=' ')\n"
        "{T}.distributions.Distribution.set_default_validate_args(True)\n"
        "{T}.compile(lambda x: x)\n"
        "print(checks())\n")
    outputs = [subprocess.run([sys.executable, "-c", script.format(T=T)], capture_output=True, text=True,
                              timeout=300, cwd=str(__import__("pathlib").Path(__file__).parents[1])).stdout
               for T in ("torch", "reftorch")]
    assert outputs[0] == "True True False False True\n"
    assert outputs[1] == outputs[0]
