"""Differential tests of nn.Module, nn.Parameter and the containers against PyTorch.

Each test runs the same code with ``T`` bound to reftorch and to torch and compares what
comes out (values, names, reprs, error types and messages). Expected values come from
torch.
"""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import reftorch
from _nn_compare import LIBS, comparers, raises_same, tonp  # noqa: F401

import torch  # the oracle: the test command installs it, so its absence must fail loudly

same, both = comparers()


def make_model(T, seed=0):
    nn = T.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.act = nn.ReLU()
            self.register_buffer("steps", T.zeros(1))
            self.register_buffer("cache", T.ones(2), persistent=False)

        def forward(self, x):
            return self.act(self.fc(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 3, padding_idx=0)
            self.block = Block()
            self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2), nn.Tanh()])
            self.seq = nn.Sequential(nn.Linear(2, 2, bias=False), nn.Dropout(0.1), nn.Flatten())
            self.scale = nn.Parameter(T.ones(1))
            self.table = nn.ModuleDict({"b": nn.Sigmoid(), "a": nn.Softmax(dim=1)})

        def forward(self, ids):
            h = self.block(self.emb(ids).sum(1))
            h = self.heads[0](h) + self.heads[1](h)
            return self.seq(h) * self.scale

    T.manual_seed(seed)
    return Net()


def test_repr_matches_torch():
    assert repr(make_model(reftorch)) == repr(make_model(torch))


def test_parameters_names_order_and_values():
    m, t = make_model(reftorch), make_model(torch)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    for (n, p), (_, q) in zip(m.named_parameters(), t.named_parameters()):
        assert type(p).__name__ == "Parameter"
        np.testing.assert_array_equal(tonp(p), tonp(q))  # same seed -> same initial values
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(c).__name__ for c in m.modules()] == [type(c).__name__ for c in t.modules()]
    assert len(list(m.parameters(recurse=False))) == len(list(t.parameters(recurse=False))) == 1


def test_state_dict_keys_metadata_and_detached():
    sd_r, sd_t = make_model(reftorch).state_dict(), make_model(torch).state_dict()
    assert list(sd_r) == list(sd_t)
    assert type(sd_r).__name__ == "OrderedDict"
    assert dict(sd_r._metadata) == dict(sd_t._metadata)
    for k in sd_t:
        assert sd_r[k].requires_grad is False
        np.testing.assert_array_equal(tonp(sd_r[k]), tonp(sd_t[k]))
    m = make_model(reftorch)
    kv = m.state_dict(keep_vars=True)
    assert kv["scale"] is m.scale
    # shares memory with the module
    m.state_dict()["scale"].fill_(7.0)
    assert m.scale.item() == 7.0


def test_torch_state_dict_loads_and_gives_same_outputs():
    t = make_model(torch, seed=1).eval()
    m = make_model(reftorch, seed=5).eval()
    sd = {k: reftorch.tensor(v.numpy()) for k, v in t.state_dict().items()}
    assert repr(m.load_state_dict(sd)) == "<All keys matched successfully>"
    ids = [[1, 2, 0], [4, 5, 6]]
    same(m(reftorch.tensor(ids)), t(torch.tensor(ids)))


@pytest.mark.parametrize("case", [
    lambda T, m: m.load_state_dict({k: v for k, v in m.state_dict().items() if k != "scale"}),
    lambda T, m: m.load_state_dict({**m.state_dict(), "extra": T.zeros(1), "block.zz": T.zeros(1)}),
    lambda T, m: m.load_state_dict({**m.state_dict(), "block.fc.weight": T.zeros(2, 2)}),
    lambda T, m: m.load_state_dict({"block.fc.weight": T.zeros(2, 2)}, strict=False),
    lambda T, m: m.load_state_dict([1, 2]),
])
def test_load_state_dict_errors(case):
    raises_same(lambda T: case(T, make_model(T)))


def test_load_state_dict_non_strict_result():
    res = []
    for T in LIBS:
        m = make_model(T)
        sd = {k: v for k, v in m.state_dict().items() if not k.startswith("heads")}
        sd["foo.bar"] = T.zeros(1)
        sd["heads.9.weight"] = T.zeros(1)
        res.append(m.load_state_dict(sd, strict=False))
    assert repr(res[0]) == repr(res[1])
    assert res[0].missing_keys == res[1].missing_keys


def test_load_state_dict_copies_in_place():
    m = reftorch.nn.Linear(2, 2)
    w = m.weight
    m.load_state_dict({"weight": reftorch.ones(2, 2), "bias": reftorch.zeros(2)})
    assert m.weight is w
    assert w.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert w.requires_grad


def test_load_state_dict_assign():
    m = reftorch.nn.Linear(2, 2)
    new = reftorch.ones(2, 2)
    m.load_state_dict({"weight": new, "bias": reftorch.zeros(2)}, assign=True)
    assert type(m.weight).__name__ == "Parameter" and m.weight.requires_grad


REGISTRATION_ERRORS = [
    lambda T: setattr(T.nn.Linear(2, 3), "weight", T.zeros(3, 2)),
    lambda T: T.nn.Linear(2, 3).register_parameter("a.b", None),
    lambda T: T.nn.Linear(2, 3).register_parameter("", None),
    lambda T: T.nn.Linear(2, 3).register_parameter("training", None),
    lambda T: T.nn.Linear(2, 3).register_parameter("x", T.zeros(2)),
    lambda T: T.nn.Linear(2, 3).register_parameter(1, None),
    lambda T: T.nn.Linear(2, 3).register_parameter("y", T.nn.Parameter(T.zeros(2)) * 2),
    lambda T: T.nn.Linear(2, 3).register_buffer("weight", T.zeros(1)),
    lambda T: T.nn.Linear(2, 3).register_buffer("x", 3),
    lambda T: T.nn.Linear(2, 3).register_buffer("", None),
    lambda T: T.nn.Linear(2, 3).add_module("a.b", None),
    lambda T: T.nn.Linear(2, 3).add_module("x", 3),
    lambda T: T.nn.Linear(2, 3).add_module("", None),
    lambda T: T.nn.Linear(2, 3).add_module("weight", None),
    lambda T: T.nn.Linear(2, 3).foo,
    lambda T: T.nn.Linear(2, 3).train(1),
    lambda T: T.nn.Module()(1),
    lambda T: T.nn.Linear(2, 3).get_submodule("foo"),
    lambda T: T.nn.Linear(2, 3).get_parameter("foo"),
    lambda T: T.nn.Linear(2, 3).get_parameter("in_features"),
    lambda T: T.nn.Sequential(T.nn.ReLU())[1],
    lambda T: T.nn.Sequential(T.nn.ReLU())[-2],
    lambda T: T.nn.ModuleList([T.nn.ReLU()])[3],
    lambda T: T.nn.ModuleList(3),
    lambda T: T.nn.ModuleList()(T.zeros(1)),
    lambda T: T.nn.ModuleDict()["x"],
    lambda T: T.nn.Parameter(T.tensor([1, 2])),
    lambda T: T.nn.Linear(2, 3).to(T.int64),
    lambda T: setattr(T.nn.Sequential(T.nn.ReLU()), "0", 5),
    lambda T: T.nn.Sequential() + 3,
]


@pytest.mark.parametrize("i", range(len(REGISTRATION_ERRORS)))
def test_registration_errors(i):
    raises_same(REGISTRATION_ERRORS[i])


def test_assign_before_init_errors():
    for what in ("module", "param"):
        def fn(T, what=what):
            class M(T.nn.Module):
                def __init__(self):
                    if what == "module":
                        self.x = T.nn.Linear(1, 1)
                    else:
                        self.x = T.nn.Parameter(T.zeros(1))
            return M()
        raises_same(fn)


def test_parameter_basics():
    for T in LIBS:
        data = T.tensor([1.0, 2.0])
        p = T.nn.Parameter(data)
        assert p.requires_grad and p.is_leaf and p.grad_fn is None
        p2 = T.nn.Parameter(data, requires_grad=False)
        assert not p2.requires_grad
        assert isinstance(p, T.Tensor)
        e = T.nn.Parameter()
        assert tuple(e.shape) == (0,)
    assert repr(reftorch.nn.Parameter(reftorch.tensor([1.0, 2.0]))) == \
        repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    assert repr(reftorch.nn.Parameter(reftorch.tensor([1.0]), requires_grad=False)) == \
        repr(torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False))
    # shares memory with its data and detaches a computed tensor
    x = reftorch.tensor([1.0, 2.0])
    p = reftorch.nn.Parameter(x)
    x[0] = 5.0
    assert p[0].item() == 5.0
    y = reftorch.tensor([1.0], requires_grad=True) * 2
    assert reftorch.nn.Parameter(y).is_leaf


def test_parameter_deepcopy_and_pickle():
    p = reftorch.nn.Parameter(reftorch.tensor([1.0, 2.0]))
    q = copy.deepcopy(p)
    assert type(q).__name__ == "Parameter" and q.requires_grad and q is not p
    r = pickle.loads(pickle.dumps(p))
    assert type(r).__name__ == "Parameter" and r.tolist() == [1.0, 2.0]


def test_module_deepcopy_independent():
    m = make_model(reftorch)
    m2 = copy.deepcopy(m)
    assert repr(m2) == repr(m)
    with reftorch.no_grad():
        m2.scale.fill_(3.0)
    assert m.scale.item() == 1.0
    assert [n for n, _ in m2.named_parameters()] == [n for n, _ in m.named_parameters()]


def test_train_eval_propagates_and_returns_self():
    for T in LIBS:
        m = make_model(T)
        assert m.eval() is m
        assert all(not x.training for x in m.modules())
        assert m.train() is m
        assert all(x.training for x in m.modules())
        m.block.train(False)
        assert m.training and not m.block.fc.training


def test_zero_grad_and_requires_grad_():
    for T in LIBS:
        m = make_model(T)
        out = m(T.tensor([[1, 2, 3]])).sum()
        out.backward()
        assert m.block.fc.weight.grad is not None
        m.zero_grad(set_to_none=False)
        assert float(m.block.fc.weight.grad.abs().sum()) == 0.0
        m.zero_grad()
        assert m.block.fc.weight.grad is None
        assert m.requires_grad_(False) is m
        assert not any(p.requires_grad for p in m.parameters())


def test_freeze_part_of_model_grads_match():
    res = []
    for T in LIBS:
        m = make_model(T)
        for p in m.emb.parameters():
            p.requires_grad = False
        m(T.tensor([[1, 2, 3], [0, 0, 4]])).pow(2).sum().backward()
        res.append({n: p.grad for n, p in m.named_parameters()})
    assert res[0]["emb.weight"] is None and res[1]["emb.weight"] is None
    for k in res[1]:
        if res[1][k] is not None:
            np.testing.assert_allclose(tonp(res[0][k]), tonp(res[1][k]), rtol=1e-5, atol=1e-6)


def test_to_double_keeps_parameter_objects():
    for T in LIBS:
        m = make_model(T)
        w = m.block.fc.weight
        assert m.to(T.float64) is m
        assert m.block.fc.weight is w and w.dtype == T.float64
        assert type(w).__name__ == "Parameter"
        assert m.block.steps.dtype == T.float64
        m.float()
        assert w.dtype == T.float32
        assert m.cpu() is m
        m.to("cpu", T.float64)
        assert w.dtype == T.float64
        m.to(T.zeros(1, dtype=T.float32))
        assert w.dtype == T.float32


def test_apply_order_and_hooks():
    order = {}
    for T in LIBS:
        m = make_model(T)
        seen = []
        m.apply(lambda mod: seen.append(type(mod).__name__))
        order[T.__name__] = seen
        calls = []
        h = m.block.register_forward_hook(lambda mod, inp, out: calls.append(tuple(out.shape)))
        pre = m.block.register_forward_pre_hook(lambda mod, inp: calls.append("pre"))
        m(T.tensor([[1, 2]]))
        h.remove()
        pre.remove()
        m(T.tensor([[1, 2]]))
        assert calls == ["pre", (1, 4)]
    assert order["reftorch"] == order["torch"]


def test_apply_init_reproducible():
    def fn(T):
        m = make_model(T)
        T.manual_seed(3)

        def init(mod):
            if isinstance(mod, T.nn.Linear):
                T.nn.init.xavier_uniform_(mod.weight)
                if mod.bias is not None:
                    T.nn.init.zeros_(mod.bias)
        m.apply(init)
        return [p for p in m.parameters()]
    r, t = fn(reftorch), fn(torch)
    for a, b in zip(r, t):
        np.testing.assert_array_equal(tonp(a), tonp(b))


def test_extra_repr_and_nested_indentation():
    def fn(T):
        class Custom(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = T.nn.Sequential(T.nn.Linear(1, 2), T.nn.Sequential(T.nn.ReLU()))
                self.empty = T.nn.Sequential()
                self.none = None
                self.register_module("slot", None)

            def extra_repr(self):
                return "alpha=1,\nbeta=2"
        return repr(Custom())
    assert fn(reftorch) == fn(torch)


def test_setattr_moves_between_registries():
    for T in LIBS:
        m = T.nn.Module()
        m.x = T.nn.Parameter(T.zeros(1))
        assert "x" in dict(m.named_parameters())
        with pytest.raises(TypeError):
            m.x = T.nn.Linear(1, 1)  # a parameter slot takes only a Parameter or None
        m.x = None
        m.y = T.nn.Linear(1, 1)
        m.y = T.nn.Parameter(T.zeros(1))  # a Parameter replaces a child module
        assert "y" in m._parameters and "y" not in m._modules
        m.register_buffer("b", T.zeros(1))
        m.b = T.ones(1)  # stays a buffer
        assert "b" in dict(m.named_buffers())
        m.b = None
        assert list(m.named_buffers()) == []
        del m.x
        assert not hasattr(m, "x")
        assert "x" not in dict(m.named_parameters())
        m.plain = T.zeros(1)  # plain tensor attribute: not registered
        assert list(m.state_dict()) == ["y"]


def test_shared_parameter_yielded_once():
    for T in LIBS:
        a = T.nn.Linear(2, 2)
        m = T.nn.Sequential(a, a)
        assert len(list(m.parameters())) == 2
        assert len(list(m.named_parameters(remove_duplicate=False))) == 4
        assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_sequential_ops():
    def fn(T):
        nn = T.nn
        s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh(), nn.Sigmoid())
        out = [repr(s[1:3]), type(s[-1]).__name__, len(s)]
        del s[1]
        out.append(repr(s))
        s.append(nn.ReLU())
        s.insert(0, nn.Identity())
        out.append(repr(s))
        out.append(repr(s.pop(0)))
        s[0] = nn.Linear(2, 3)
        out.append(repr(s + nn.Sequential(nn.ReLU())))
        named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
        out.append(repr(named))
        out.append(list(named.state_dict()))
        return out
    assert fn(reftorch) == fn(torch)


def test_sequential_forward_matches():
    def fn(T):
        T.manual_seed(0)
        nn = T.nn
        s = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.LogSoftmax(dim=1))
        x = T.arange(8.0).reshape(2, 4)
        y = s(x)
        y.sum().backward()
        return [y] + [p.grad for p in s.parameters()]
    both(fn)


def test_modulelist_and_moduledict():
    def fn(T):
        nn = T.nn
        ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)])
        out = [repr(ml), repr(nn.ModuleList()), repr(ml[1:]), len(ml)]
        ml.append(nn.ReLU())
        ml.extend([nn.ReLU(), nn.Tanh()])
        ml.insert(1, nn.Sigmoid())
        out.append(repr(ml))
        del ml[0]
        ml += [nn.Identity()]
        out.append(repr(ml))
        out.append(list(ml.state_dict()))
        md = nn.ModuleDict({"z": nn.ReLU(), "a": nn.Linear(1, 1)})
        md["m"] = nn.Tanh()
        md.update([("q", nn.Sigmoid())])
        out += [repr(md), list(md.keys()), "a" in md, len(md), list(md)]
        md.pop("z")
        out.append(repr(md))
        return out
    assert fn(reftorch) == fn(torch)


def test_call_forward_with_kwargs_and_missing_forward():
    for T in LIBS:
        class K(T.nn.Module):
            def forward(self, x, *, scale=1.0):
                return x * scale
        assert K()(T.ones(1), scale=3.0).item() == 3.0


def test_dir_contains_registered_names():
    m = make_model(reftorch)
    d = dir(m)
    assert "emb" in d and "scale" in d and "forward" in d


def test_buffer_marker():
    for T in LIBS:
        m = T.nn.Module()
        m.b = T.nn.Buffer(T.ones(2))
        m.c = T.nn.Buffer(T.ones(1), persistent=False)
        assert list(m.state_dict()) == ["b"]
        assert [n for n, _ in m.named_buffers()] == ["b", "c"]
