"""torch.nn.utils.prune against PyTorch: the same masks (the random methods too, after
the same seed), parameters, buffers, hooks, state_dict keys, gradients and errors."""
from __future__ import annotations

import array_api_strict  # noqa: F401 (the stand-in device's test dependency: its absence must fail loudly)
import numpy as np
import pytest

import importlib

from _nn_compare import LIBS, raises_same, same, tonp


def _prune(T):
    """``T.nn.utils.prune`` (a submodule PyTorch does not import with ``torch.nn.utils``)."""
    return importlib.import_module(T.__name__ + ".nn.utils.prune")


def _linear(T, w, bias=True):
    """A Linear whose weight is ``w`` (a NumPy array, out x in)."""
    m = T.nn.Linear(w.shape[1], w.shape[0], bias=bias)
    with T.no_grad():
        m.weight.copy_(T.tensor(w))
    return m


W = np.array([[0.3, -1.2, 0.0, 2.0, 0.7],
              [-0.1, 0.4, 1.5, -0.9, 0.2],
              [1.1, -0.6, 0.05, 0.8, -2.5],
              [0.0, 0.9, -0.3, 0.1, 1.3]], dtype=np.float32)


def _both(fn):
    """``fn(torch-like module)`` on both libraries; the results compared exactly."""
    same(fn(LIBS[0]), fn(LIBS[1]), exact=True)


def test_identity_reparametrizes():
    def fn(T):
        m = _prune(T).identity(_linear(T, W), "weight")
        assert list(m.state_dict()) == ["bias", "weight_orig", "weight_mask"]
        assert [n for n, _ in m.named_parameters()] == ["bias", "weight_orig"]
        assert [n for n, _ in m.named_buffers()] == ["weight_mask"]
        assert "weight" not in m._parameters
        assert _prune(T).is_pruned(m)
        return m.weight_mask, m.weight
    _both(fn)


@pytest.mark.parametrize("amount", [0, 3, 0.25, 1.0, 20])
def test_l1_unstructured(amount):
    _both(lambda T: _prune(T).l1_unstructured(_linear(T, W), "weight", amount=amount).weight_mask)


def test_l1_unstructured_ties_and_iteration():
    w = np.array([[1., 0., -1., 1., 0.], [2., -2., 1., 0., 1.]], dtype=np.float32)

    def fn(T):
        P = _prune(T)
        m = P.l1_unstructured(_linear(T, w), "weight", amount=3)
        first = m.weight_mask.clone()
        P.l1_unstructured(m, "weight", amount=0.5)  # on the 7 entries left: round(3.5) = 4
        hooks = list(m._forward_pre_hooks.values())
        assert len(hooks) == 1 and type(hooks[0]).__name__ == "PruningContainer"
        assert [type(h).__name__ for h in hooks[0]] == ["L1Unstructured", "L1Unstructured"]
        assert len(hooks[0]) == 2 and hooks[0][1].amount == 0.5
        return first, m.weight_mask, m.weight
    _both(fn)


def test_importance_scores():
    scores = np.arange(20, dtype=np.float32).reshape(4, 5)[::-1].copy()

    def fn(T):
        P = _prune(T)
        m = P.l1_unstructured(_linear(T, W), "weight", amount=6, importance_scores=T.tensor(scores))
        P.ln_structured(m, "weight", amount=1, n=1, dim=1, importance_scores=T.tensor(W))
        return m.weight_mask
    _both(fn)


@pytest.mark.parametrize("seed", [0, 3])
def test_random_methods_follow_the_seed(seed):
    def fn(T):
        P = _prune(T)
        T.manual_seed(seed)
        m = _linear(T, W)
        P.random_unstructured(m, "weight", amount=0.3)
        a = m.weight_mask.clone()
        P.random_structured(m, "weight", amount=1, dim=0)
        b = m.weight_mask.clone()
        P.random_unstructured(m, "weight", amount=2)
        return a, b, m.weight_mask, T.rand(2)  # the generator is left in the same state
    _both(fn)


def test_random_structured_conv():
    def fn(T):
        P = _prune(T)
        T.manual_seed(1)
        c = T.nn.Conv2d(3, 4, 2)
        P.random_structured(c, "weight", amount=0.5, dim=1)
        P.random_structured(c, "weight", amount=1, dim=-1)
        return c.weight_mask, c.weight
    _both(fn)


@pytest.mark.parametrize("n", [1, 2, float("inf"), -float("inf"), "fro"])
def test_ln_structured(n):
    def fn(T):
        m = _prune(T).ln_structured(_linear(T, W), "weight", amount=0.5, n=n, dim=0)
        return m.weight_mask
    _both(fn)


def test_ln_structured_iterative_keeps_pruned_channels():
    def fn(T):
        P = _prune(T)
        m = P.ln_structured(_linear(T, W), "weight", amount=2, n=2, dim=1)
        P.ln_structured(m, "weight", amount=1, n=2, dim=0)
        P.l1_unstructured(m, "weight", amount=2)
        return m.weight_mask
    _both(fn)


def test_custom_from_mask_and_global():
    def fn(T):
        P = _prune(T)
        a, b = _linear(T, W), _linear(T, W[:2, :3].copy() * 3)
        P.custom_from_mask(a, "bias", T.tensor([1, 0, 1, 0]))
        P.global_unstructured([(a, "weight"), (b, "weight"), (a, "bias")],
                              pruning_method=P.L1Unstructured, amount=9)
        P.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=P.L1Unstructured,
                              importance_scores={(b, "weight"): T.zeros(2, 3)}, amount=0.2)
        return a.weight_mask, b.weight_mask, a.bias_mask, b.weight
    _both(fn)


def test_forward_and_gradient_reach_orig():
    x = np.linspace(-1, 1, 10, dtype=np.float32).reshape(2, 5)

    def fn(T):
        P = _prune(T)
        m = P.l1_unstructured(_linear(T, W), "weight", amount=8)
        with T.no_grad():
            m.weight_orig.mul_(2)  # the pre-hook recomputes weight before the call
        y = m(T.tensor(x))
        y.sum().backward()
        return y, m.weight, m.weight_orig.grad
    _both(fn)
    names = [_prune(T).identity(T.nn.Linear(2, 2), "weight").weight.grad_fn.name() for T in LIBS]
    assert names == ["MulBackward0", "MulBackward0"]


def test_remove_makes_pruning_permanent():
    def fn(T):
        P = _prune(T)
        m = _linear(T, W)
        orig = m.weight
        P.l1_unstructured(m, "weight", amount=5)
        P.remove(m, "weight")
        assert m.weight is orig  # the same Parameter, now holding the pruned values
        assert list(m.state_dict()) == ["bias", "weight"] and not P.is_pruned(m)
        assert not m._forward_pre_hooks and "weight_orig" not in m._parameters
        return m.weight
    _both(fn)


def test_prune_method_and_container_indexing():
    def fn(T):
        P = _prune(T)
        t = T.tensor(W)
        a = P.L1Unstructured(amount=4).prune(t)
        b = P.RandomStructured(amount=0, dim=0).prune(t, default_mask=(t > 0).float())
        c = P.LnStructured(amount=1, n=1, dim=0).prune(t, importance_scores=-t)
        return a, b, c
    _both(fn)


def test_state_dict_round_trip():
    def fn(T):
        P = _prune(T)
        m = P.l1_unstructured(_linear(T, W), "weight", amount=4)
        n = P.identity(_linear(T, np.zeros_like(W)), "weight")
        n.load_state_dict(m.state_dict())
        return n(T.ones(1, 5)), n.weight
    same(fn(LIBS[0]), fn(LIBS[1]))


@pytest.mark.parametrize("make", [
    lambda P: P.L1Unstructured(amount=-1),
    lambda P: P.RandomUnstructured(amount=1.5),
    lambda P: P.RandomStructured(amount="a"),
    lambda P: P.LnStructured(amount=-0.1, n=2),
])
def test_amount_validation(make):
    raises_same(lambda T: make(_prune(T)))


@pytest.mark.parametrize("fn", [
    lambda T, P: P.l1_unstructured(T.nn.Linear(2, 3), "weight", amount=7),
    lambda T, P: P.random_structured(T.nn.Linear(2, 3), "bias", amount=1, dim=0),
    lambda T, P: P.ln_structured(T.nn.Linear(2, 3), "weight", amount=1, n=2, dim=2),
    lambda T, P: P.ln_structured(T.nn.Linear(2, 3), "weight", amount=4, n=2, dim=0),
    lambda T, P: P.l1_unstructured(T.nn.Linear(2, 3), "weight", amount=1, importance_scores=T.ones(3)),
    lambda T, P: P.custom_from_mask(T.nn.Linear(2, 3), "bias", T.ones(2)),
    lambda T, P: P.remove(T.nn.Linear(2, 3), "weight"),
    lambda T, P: P.global_unstructured(3, P.L1Unstructured, amount=1),
    lambda T, P: P.global_unstructured([], P.L1Unstructured, importance_scores=[], amount=1),
    lambda T, P: P.L1Unstructured(1).prune(T.ones(3), importance_scores=T.ones(2)),
])
def test_errors(fn):
    raises_same(lambda T: fn(T, _prune(T)))


def test_failed_pruning_restores_the_parameter():
    def fn(T):
        P = _prune(T)
        m = T.nn.Linear(2, 3)
        with pytest.raises(ValueError):
            P.l1_unstructured(m, "weight", amount=7)
        assert list(m.state_dict()) == ["bias", "weight"] and not m._forward_pre_hooks
        return m.weight.shape
    assert fn(LIBS[0]) == fn(LIBS[1])


def test_type_errors_with_class_names():
    for T in LIBS:
        P = _prune(T)
        with pytest.raises(AttributeError):  # a method not applied yet has no _tensor_name
            P.PruningContainer(P.Identity())
        first = P.Identity()
        first._tensor_name = "weight"
        c = P.PruningContainer(first)
        assert len(c) == 1 and c[0] is first and list(c) == [first]
        with pytest.raises(TypeError, match="is not a BasePruningMethod subclass"):
            c.add_pruning_method(3)
        other = P.Identity()
        other._tensor_name = "bias"
        with pytest.raises(ValueError, match="Can only add pruning methods acting on the parameter named 'weight'"):
            c.add_pruning_method(other)
        with pytest.raises(TypeError, match='Only "unstructured" PRUNING_TYPE supported'):
            P.global_unstructured([(T.nn.Linear(2, 2), "weight")], P.RandomStructured, amount=1)
        with pytest.raises(TypeError):
            P.BasePruningMethod()  # abstract


def test_structured_without_dim_and_unknown_type():
    for T in LIBS:
        P = _prune(T)

        class NoDim(P.BasePruningMethod):
            PRUNING_TYPE = "structured"

            def compute_mask(self, t, default_mask):
                return default_mask

        class Odd(NoDim):
            PRUNING_TYPE = "odd"

        m = P.identity(T.nn.Linear(2, 2), "weight")
        with pytest.raises(AttributeError, match="need to have the attribute `dim` defined"):
            NoDim.apply(m, "weight")
        m = P.identity(T.nn.Linear(2, 2), "weight")
        with pytest.raises(ValueError, match="Unrecognized PRUNING_TYPE odd"):
            Odd.apply(m, "weight")


def test_float_masks_follow_parameter_dtype():
    def fn(T):
        m = _linear(T, W).double()
        _prune(T).custom_from_mask(m, "weight", T.tensor(W > 0))
        return m.weight_mask, m.weight
    _both(fn)
    assert tonp(fn(LIBS[0])[0]).dtype == np.float64


def test_on_stand_in_accelerator():
    """The same masks and forward on the array-API stand-in device (``"strict"``) as on the CPU."""
    R = LIBS[0]
    P = _prune(R)

    def run(device):
        R.manual_seed(0)
        a, b = _linear(R, W).to(device), R.nn.Conv2d(2, 3, 2).to(device)
        P.l1_unstructured(a, "weight", amount=3)
        P.ln_structured(a, "weight", amount=1, n=2, dim=0)
        P.random_structured(b, "weight", amount=1, dim=1)
        P.random_unstructured(b, "bias", amount=1)
        P.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=P.L1Unstructured, amount=0.3)
        P.custom_from_mask(a, "bias", R.tensor([1., 0., 1., 1.]).to(device))
        out = a(R.ones(2, 5).to(device))
        assert out.device.type == R.device(device).type
        P.remove(a, "weight")
        return [tonp(t) for t in (a.weight, a.bias_mask, b.weight_mask, b.bias_mask, out)]
    for x, y in zip(run("cpu"), run("strict")):
        np.testing.assert_allclose(x, y, rtol=1e-6)
