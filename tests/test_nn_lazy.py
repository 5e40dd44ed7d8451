"""Lazy modules (LazyLinear, LazyConv*, LazyBatchNorm*, LazyInstanceNorm*) and the
uninitialized parameters and buffers, compared with PyTorch: the parameters drawn at
the first call equal PyTorch's after the same seed, and the module becomes its non-lazy
class."""
from __future__ import annotations

import copy
import pickle
import warnings

import pytest

import reftorch
import torch

from _nn_compare import LIBS, raises_same, same


def _first_call(T, make, shape, seed=0):
    T.manual_seed(seed)
    m = make(T)
    before = (repr(m), list(m.state_dict()), type(m).__name__)
    out = m(T.randn(*shape))
    after = (repr(m), type(m).__name__, type(m).__mro__[1].__name__)
    return before, after, out, dict(m.named_parameters()), dict(m.named_buffers())


CASES = [
    (lambda T: T.nn.LazyLinear(3), (2, 4)),
    (lambda T: T.nn.LazyLinear(2, bias=False), (5, 3, 6)),
    (lambda T: T.nn.LazyConv1d(4, 3, padding=1), (2, 3, 7)),
    (lambda T: T.nn.LazyConv1d(2, 2), (3, 5)),  # unbatched: in_channels from dim 0
    (lambda T: T.nn.LazyConv2d(4, 3, groups=2, stride=2), (2, 6, 5, 5)),
    (lambda T: T.nn.LazyConv2d(2, 3, padding_mode="reflect", padding=1), (1, 2, 4, 4)),
    (lambda T: T.nn.LazyConv3d(2, 2, bias=False), (1, 3, 4, 4, 4)),
    (lambda T: T.nn.LazyConvTranspose1d(2, 3), (1, 3, 4)),
    (lambda T: T.nn.LazyConvTranspose2d(4, 2, groups=2, stride=2), (2, 4, 3, 3)),
    (lambda T: T.nn.LazyConvTranspose3d(4, 2), (1, 2, 3, 3, 3)),
    (lambda T: T.nn.LazyBatchNorm1d(), (4, 3)),
    (lambda T: T.nn.LazyBatchNorm1d(momentum=None), (4, 3, 2)),
    (lambda T: T.nn.LazyBatchNorm2d(affine=False), (2, 3, 2, 2)),
    (lambda T: T.nn.LazyBatchNorm3d(track_running_stats=False), (2, 3, 2, 2, 2)),
    (lambda T: T.nn.LazyInstanceNorm1d(), (2, 3, 5)),
    (lambda T: T.nn.LazyInstanceNorm2d(affine=False), (2, 3, 4, 4)),
    (lambda T: T.nn.LazyInstanceNorm3d(bias=False), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("make,shape", CASES)
def test_first_call_materializes_like_pytorch(make, shape):
    r, t = (_first_call(T, make, shape) for T in LIBS)
    assert r[0] == t[0] and r[1] == t[1]
    same(r[2], t[2], rtol=1e-4, atol=1e-5)
    same(r[3], t[3], exact=True)  # the drawn parameters, bit for bit
    same(r[4], t[4])  # the running statistics


def test_uninitialized_module_state():
    for T in LIBS:
        m = T.nn.LazyLinear(3)
        assert m.has_uninitialized_params()
        assert repr(m.weight) == "<UninitializedParameter>"
        assert [repr(v) for v in m.state_dict().values()] == ["<UninitializedParameter>"] * 2
        assert type(m.weight) is T.nn.parameter.UninitializedParameter
        assert isinstance(m.weight, T.nn.Parameter) and m.weight.requires_grad
        assert T.nn.parameter.is_lazy(m.weight) and not T.nn.parameter.is_lazy(T.nn.Linear(1, 1).weight)
        assert len(list(m.parameters())) == 2
        assert str(m.weight.dtype) == "torch.float32" and m.weight.size() == (0,)
        bn = T.nn.LazyBatchNorm1d()
        assert repr(bn.running_mean) == "<UninitializedBuffer>"
        assert isinstance(bn.running_mean, T.nn.Buffer) and not bn.running_mean.requires_grad
        assert int(bn.num_batches_tracked) == 0
        m(T.zeros(2, 5))
        assert not T.nn.parameter.is_lazy(m.weight) and type(m) is T.nn.Linear
        assert not hasattr(m, "has_uninitialized_params")
        assert len(m._forward_pre_hooks) == 0 and not hasattr(m, "_initialize_hook")


def test_no_warning_on_construction():
    for T in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            T.nn.LazyLinear(2)
            T.nn.LazyBatchNorm2d()


def test_errors_before_initialisation():
    raises_same(lambda T: T.nn.LazyLinear(3).weight.shape)
    raises_same(lambda T: T.nn.LazyLinear(3).weight + 1, match_message=False)
    raises_same(lambda T: T.nn.LazyLinear(3).weight.sum(), match_message=False)
    raises_same(lambda T: T.nn.LazyBatchNorm1d().running_mean.dim(), match_message=False)
    raises_same(lambda T: T.nn.parameter.UninitializedBuffer().share_memory_())
    raises_same(lambda T: T.nn.modules.lazy.LazyModuleMixin.initialize_parameters(T.nn.Linear(1, 1)))
    raises_same(lambda T: T.nn.LazyConv2d(3, 2)(T.zeros(3, 3)))
    raises_same(lambda T: T.nn.LazyConv2d(4, 2, groups=2)(T.zeros(1, 3, 4, 4)))
    raises_same(lambda T: T.nn.LazyBatchNorm2d()(T.zeros(2, 3)))
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        reftorch.nn.LazyLinear(3).weight * 2


def test_optimizer_built_before_the_first_call():
    def run(T):
        T.manual_seed(0)
        m = T.nn.LazyLinear(2)
        opt = T.optim.SGD(m.parameters(), lr=0.1)
        x = T.randn(3, 4)
        m(x).sum().backward()
        opt.step()
        return m.weight, m.bias
    same(run(reftorch), run(torch), exact=False)


def test_sequential_of_lazy_layers():
    def run(T):
        T.manual_seed(3)
        net = T.nn.Sequential(T.nn.LazyLinear(4), T.nn.ReLU(), T.nn.LazyLinear(1))
        return repr(net), net(T.ones(2, 5))
    r, t = run(reftorch), run(torch)
    assert r[0] == t[0]
    same(r[1], t[1])


def test_dtype_conversion_before_the_first_call():
    def run(T):
        m = T.nn.LazyLinear(2).double()
        bn = T.nn.LazyBatchNorm1d().double()
        dtypes = (str(m.weight.dtype), repr(m.weight), repr(bn.running_mean))
        bn(T.randn(3, 2, dtype=T.float64))
        return dtypes, m(T.zeros(1, 3, dtype=T.float64)), bn.running_mean
    r, t = run(reftorch), run(torch)
    assert r[0] == t[0]
    same(r[1:], t[1:])


def test_load_state_dict_materializes():
    def run(T):
        T.manual_seed(0)
        src = T.nn.Linear(4, 2)
        m = T.nn.LazyLinear(2)
        m.load_state_dict(src.state_dict())
        info = (type(m).__name__, m.in_features, tuple(m.weight.shape))
        y = m(T.ones(1, 4))
        return info, (type(m).__name__, m.in_features), y
    r, t = run(reftorch), run(torch)
    assert r[:2] == t[:2]
    same(r[2], t[2])
    # loading placeholders into an initialized module: the shape access fails
    raises_same(lambda T: T.nn.Linear(4, 2).load_state_dict(T.nn.LazyLinear(2).state_dict()))


def test_deepcopy_and_pickle():
    for T in LIBS:
        m = copy.deepcopy(T.nn.LazyLinear(2))
        assert repr(m.weight) == "<UninitializedParameter>"
        m(T.ones(1, 3))
        assert repr(m) == "Linear(in_features=3, out_features=2, bias=True)"
        p = pickle.loads(pickle.dumps(T.nn.parameter.UninitializedParameter(requires_grad=False)))
        assert repr(p) == "<UninitializedParameter>" and not p.requires_grad


def test_materialize():
    for T in LIBS:
        p = T.nn.parameter.UninitializedParameter(dtype=T.float64)
        p.materialize((2, 3))
        assert type(p) is T.nn.Parameter and tuple(p.shape) == (2, 3)
        assert str(p.dtype) == "torch.float64" and p.requires_grad
        b = T.nn.parameter.UninitializedBuffer()
        b.materialize(4, dtype=T.float16)
        assert type(b) is T.Tensor and tuple(b.shape) == (4,) and str(b.dtype) == "torch.float16"


def test_copy_keeps_its_own_hook():
    # the copy's pre-hook handle points at the copy's hooks: it is removed at the copy's first call
    for T in LIBS:
        m = copy.deepcopy(T.nn.LazyLinear(2))
        m(T.ones(1, 3))
        assert len(m._forward_pre_hooks) == 0
        assert tuple(m(T.ones(1, 3)).shape) == (1, 2)
    raises_same(lambda T: copy.deepcopy(T.nn.LazyBatchNorm2d()), match_message=False)  # (PyTorch cannot either)


def test_save_and_load_an_uninitialized_module(tmp_path):
    net = reftorch.nn.Sequential(reftorch.nn.LazyLinear(2), reftorch.nn.LazyBatchNorm1d())
    reftorch.save(net, tmp_path / "net.pt")
    for T in LIBS:  # PyTorch reads reftorch's file
        loaded = T.load(tmp_path / "net.pt", weights_only=False)
        assert repr(loaded[0].weight) == "<UninitializedParameter>" and loaded[0].weight.requires_grad
        assert repr(loaded[1].running_mean) == "<UninitializedBuffer>"
    loaded = reftorch.load(tmp_path / "net.pt", weights_only=False)
    assert tuple(loaded(reftorch.ones(3, 4)).shape) == (3, 2) and type(loaded[0]) is reftorch.nn.Linear
