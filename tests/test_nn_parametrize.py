"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm) and the
older hook-based nn.utils.weight_norm / spectral_norm, against PyTorch: values, gradients
through the parametrized weight, state_dict keys and values, printed forms, the seeded
power-iteration vectors of spectral norm, errors."""
import copy
import pickle
import warnings

import pytest

import reftorch
import torch
from _nn_compare import comparers, raises_same

same, both = comparers()


def _parts(T):
    """Small parametrizations written against library ``T``."""
    nn = T.nn

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).T

        def right_inverse(self, A):
            return A.triu()

    class Double(nn.Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, X):
            return X / 2

    class RankOne(nn.Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0].clone(), Z[0].clone()

    class NoInverse(nn.Module):
        def forward(self, X):
            return X * 3

    class FirstRow(nn.Module):
        def forward(self, X):
            return X[0]

    return Symmetric, Double, RankOne, NoInverse, FirstRow


def _P(T):
    return T.nn.utils.parametrize


def _linear(T, n_in=3, n_out=3, seed=0):
    T.manual_seed(seed)
    return T.nn.Linear(n_in, n_out)


def test_register_moves_the_tensor_and_renames_the_class():
    for T in (reftorch, torch):
        Symmetric = _parts(T)[0]
        m = _linear(T)
        w0 = m.weight
        assert _P(T).register_parametrization(m, "weight", Symmetric()) is m
        assert m.parametrizations.weight.original is w0
        assert type(m).__name__ == "ParametrizedLinear"
        assert _P(T).type_before_parametrizations(m) is T.nn.Linear
        assert isinstance(m.parametrizations.weight, _P(T).ParametrizationList)
    both(lambda T: repr(_P(T).register_parametrization(_linear(T), "weight", _parts(T)[0]())))


def _chain(T):
    Symmetric, Double = _parts(T)[:2]
    m = _linear(T)
    _P(T).register_parametrization(m, "weight", Symmetric())
    _P(T).register_parametrization(m, "weight", Double())
    return m


def test_state_dict_parameters_and_repr_of_a_chain():
    both(lambda T: list(_chain(T).state_dict()))
    both(lambda T: [name for name, _ in _chain(T).named_parameters()])
    both(lambda T: dict(_chain(T).state_dict()))
    both(lambda T: repr(_chain(T)))
    both(lambda T: _chain(T).weight)  # MulBackward0 over AddBackward0
    both(lambda T: (_P(T).is_parametrized(_chain(T)), _P(T).is_parametrized(_chain(T), "bias"),
                    _P(T).is_parametrized(T.nn.Linear(2, 2))))


def test_gradients_reach_the_original():
    def grads(T):
        m = _chain(T)
        x = T.arange(6.0).reshape(2, 3)
        (m(x) ** 2).sum().backward()
        return m.parametrizations.weight.original.grad, m.bias.grad

    both(grads)


def test_assignment_runs_right_inverse_in_reverse_order():
    def assign(T):
        m = _chain(T)
        A = T.arange(9.0).reshape(3, 3)
        m.weight = A + A.T
        return m.parametrizations.weight.original, m.weight

    both(assign)


def test_several_originals():
    def rank_one(T):
        m = _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[2]())
        return (list(m.state_dict()), m.weight, m.parametrizations.weight.original0,
                m.parametrizations.weight.original1)

    both(rank_one)

    def removed(T):
        m = _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[2]())
        _P(T).remove_parametrizations(m, "weight")
        return type(m).__name__, m.weight, list(m.state_dict())

    both(removed)
    raises_same(lambda T: _P(T).remove_parametrizations(
        _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[2]()), "weight",
        leave_parametrized=False))


def test_remove_leave_parametrized_or_not():
    def remove(T, leave):
        m = _chain(T)
        w0 = m.parametrizations.weight.original
        _P(T).remove_parametrizations(m, "weight", leave_parametrized=leave)
        assert m.weight is w0 and type(m) is T.nn.Linear
        assert not hasattr(m, "parametrizations")
        return repr(m), m.weight, list(m.state_dict())

    both(lambda T: remove(T, True))
    both(lambda T: remove(T, False))


def test_buffer_parametrization_and_training_mode():
    def buffer(T):
        b = T.nn.BatchNorm1d(3)
        b.running_mean.fill_(1.5)
        _P(T).register_parametrization(b, "running_mean", _parts(T)[1]())
        return repr(b), list(b.state_dict()), b.running_mean, dict(b.state_dict())

    both(buffer)

    def mode(T):
        m = _linear(T).eval()
        d = _parts(T)[1]()
        _P(T).register_parametrization(m, "weight", d)
        return d.training

    both(mode)


def test_cached():
    for T in (reftorch, torch):
        m = _chain(T)
        with _P(T).cached():
            assert m.weight is m.weight
            with _P(T).cached():
                w = m.weight
            assert m.weight is w  # the inner exit keeps the outer cache
        assert m.weight is not m.weight


def test_unsafe_changes_shape():
    both(lambda T: _P(T).register_parametrization(_linear(T, 2, 3), "weight", _parts(T)[2](),
                                                  unsafe=True).weight)


def test_transfer_and_copies():
    for T in (reftorch, torch):
        src = _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[3]())
        dst = _P(T).transfer_parametrizations_and_params(src, T.nn.Linear(2, 2))
        assert dst.parametrizations.weight.original is src.parametrizations.weight.original
        assert T.equal(dst.weight, src.weight)
        c = copy.deepcopy(src)
        assert type(c).__name__ == "ParametrizedLinear" and T.equal(c.weight, src.weight)
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
            pickle.dumps(src)


def test_errors():
    raises_same(lambda T: _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[4]()))
    raises_same(lambda T: _P(T).register_parametrization(_linear(T, 2, 2), "nope", _parts(T)[1]()))
    raises_same(lambda T: _P(T).register_parametrization(_chain(T), "weight", _parts(T)[4]()))
    raises_same(lambda T: _P(T).remove_parametrizations(T.nn.Linear(2, 2), "weight"))
    raises_same(lambda T: _P(T).ParametrizationList([], T.zeros(2)))

    def no_inverse(T):
        m = _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[3]())
        m.weight = T.zeros(2, 2)

    raises_same(no_inverse)


# ---------------------------------------------------------------- weight_norm, spectral_norm
def _PZ(T):
    return T.nn.utils.parametrizations


@pytest.mark.parametrize("shape,dim", [((4, 3), 0), ((4, 3), 1), ((4, 3), -1), ((2, 3, 4), 0),
                                       ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), -2)])
def test_norm_except_dim_and_weight_norm_op(shape, dim):
    def run(T):
        T.manual_seed(0)
        v = T.randn(*shape, requires_grad=True)
        g = (T.rand(T.norm_except_dim(v, 2, dim).shape) + 0.5).requires_grad_()
        n = T.norm_except_dim(v, 2, dim)
        w = T._weight_norm(v, g, dim)  # fused (first/last dim) or composite, as PyTorch
        (w * T.arange(float(w.numel())).reshape(w.shape)).sum().backward()
        return w, v.grad, g.grad, n.shape, n  # (n: ViewBackward0, TransposeBackward0 or NormBackward0)

    both(run)
    raises_same(lambda T: T._weight_norm(T.ones(2, 3), T.ones(2, 1), 5))


@pytest.mark.parametrize("dim", [0, 1])
def test_weight_norm_op_second_order_is_exact(dim):
    """reftorch's fused op differentiates twice like the composite formula; PyTorch's fused
    CPU op does not (its gradgradcheck fails), so the oracle is PyTorch's composite."""
    def run(T):
        T.manual_seed(0)
        v = T.randn(3, 4, dtype=T.float64, requires_grad=True)
        g = (T.rand(3, 1, dtype=T.float64) if dim == 0 else T.rand(1, 4, dtype=T.float64)) + 0.5
        g.requires_grad_()
        if T is torch:
            w = v * (g / T.norm_except_dim(v, 2, dim))
        else:
            w = T._weight_norm(v, g, dim)
            assert w.grad_fn.name() == "WeightNormInterfaceBackward0"
        gv, gg = T.autograd.grad((w * w.detach().cos()).sum(), (v, g), create_graph=True)
        (gv.sin().sum() + (gg ** 2).sum()).backward()
        return v.grad, g.grad

    same(run(reftorch), run(torch), rtol=1e-10, atol=1e-12)


def _weight_normed(T, module, **kw):
    T.manual_seed(0)
    return _PZ(T).weight_norm(module(T), **kw)


@pytest.mark.parametrize("module,kw", [
    (lambda T: T.nn.Linear(3, 2), {}),
    (lambda T: T.nn.Linear(3, 2), {"dim": 1}),
    (lambda T: T.nn.Linear(3, 2), {"dim": None}),
    (lambda T: T.nn.Conv1d(2, 3, 2), {}),
    (lambda T: T.nn.Conv1d(2, 3, 2), {"dim": 1}),
    (lambda T: T.nn.Conv1d(2, 3, 2), {"dim": None}),
])
def test_weight_norm_parametrization(module, kw):
    both(lambda T: repr(_weight_normed(T, module, **kw)))
    both(lambda T: dict(_weight_normed(T, module, **kw).state_dict()))
    both(lambda T: _weight_normed(T, module, **kw).weight)

    def grads(T):
        m = _weight_normed(T, module, **kw)
        x = T.arange(12.0).reshape(2, -1)[:, :3] if isinstance(m, T.nn.Linear) else T.ones(1, 2, 4)
        (m(x) ** 2).sum().backward()
        return m.parametrizations.weight.original0.grad, m.parametrizations.weight.original1.grad, m.bias.grad

    both(grads, atol=1e-5)  # (float32 cancellation in v's gradient)


def test_weight_norm_reads_old_weight_g_weight_v_checkpoints_and_removes():
    def load(T):
        m = _weight_normed(T, lambda T: T.nn.Linear(3, 2))
        sd = {"weight_g": T.ones(2, 1) * 2, "weight_v": T.arange(6.0).reshape(2, 3), "bias": T.zeros(2)}
        result = repr(m.load_state_dict(sd))
        weight = m.weight
        _P(T).remove_parametrizations(m, "weight")
        return result, sorted(sd), weight, repr(m), m.weight

    both(load)


def _spectral(T, module=lambda T: T.nn.Linear(4, 3), seed=0, **kw):
    T.manual_seed(seed)
    return _PZ(T).spectral_norm(module(T), **kw)


@pytest.mark.parametrize("module,kw", [
    (lambda T: T.nn.Linear(4, 3), {}),
    (lambda T: T.nn.Linear(4, 3), {"n_power_iterations": 3, "eps": 1e-6}),
    (lambda T: T.nn.Linear(20, 20), {}),
    (lambda T: T.nn.Conv2d(2, 3, 2), {}),
    (lambda T: T.nn.Conv2d(2, 3, 2), {"dim": -1}),
    (lambda T: T.nn.ConvTranspose2d(2, 3, 2), {}),
    (lambda T: T.nn.Embedding(5, 3), {"name": "weight"}),
    (lambda T: T.nn.Linear(3, 2), {"name": "bias"}),
])
def test_spectral_norm_seeded_vectors_values_and_state_dict(module, kw):
    both(lambda T: repr(_spectral(T, module, **kw)))
    both(lambda T: dict(_spectral(T, module, **kw).state_dict()))

    def reads(T):
        m = _spectral(T, module, **kw)
        name = kw.get("name", "weight")
        first, second = getattr(m, name), getattr(m, name)  # each read in training mode iterates
        m.eval()
        third = getattr(m, name)
        return first, second, third, dict(m.state_dict()), T.randn(3)  # the stream after init

    both(reads)


def test_spectral_norm_gradients_and_eval_mode():
    def grads(T):
        m = _spectral(T, lambda T: T.nn.Linear(20, 20), seed=3)
        x = T.arange(40.0).reshape(2, 20) / 40
        for _ in range(2):
            m.zero_grad()
            (m(x) ** 2).sum().backward()
        sn = m.parametrizations.weight[0]
        return m.parametrizations.weight.original.grad, sn._u, sn._v

    both(grads)

    def frozen(T):
        m = _spectral(T, lambda T: T.nn.Linear(20, 20), seed=3).eval()
        sn = m.parametrizations.weight[0]
        u = sn._u.clone()
        m.weight
        m.weight
        return T.equal(u, sn._u), sn.training

    both(frozen)


def test_spectral_norm_removal_iterates_in_training_mode_only():
    def remove(T, train):
        m = _spectral(T, lambda T: T.nn.Linear(20, 20), seed=4).train(train)
        _P(T).remove_parametrizations(m, "weight")
        return m.weight, list(m.state_dict())

    both(lambda T: remove(T, True))
    both(lambda T: remove(T, False))


def test_spectral_norm_errors():
    raises_same(lambda T: _spectral(T, n_power_iterations=0))
    raises_same(lambda T: _spectral(T, dim=2))
    raises_same(lambda T: _spectral(T, name="nope"))


# ---------------------------------------------------------------- hook-based weight_norm, spectral_norm
def _old_weight_norm(T, module=lambda T: T.nn.Linear(3, 2), **kw):
    T.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return T.nn.utils.weight_norm(module(T), **kw)


def test_old_weight_norm_warns_like_pytorch():
    for T in (reftorch, torch):
        with pytest.warns(FutureWarning, match=r"^`torch.nn.utils.weight_norm` is deprecated in favor of "
                                               r"`torch.nn.utils.parametrizations.weight_norm`.$"):
            T.nn.utils.weight_norm(T.nn.Linear(2, 2))


@pytest.mark.parametrize("module,kw", [
    (lambda T: T.nn.Linear(3, 2), {}),
    (lambda T: T.nn.Linear(3, 2), {"dim": None}),
    (lambda T: T.nn.Conv1d(2, 3, 2), {"dim": 1}),
])
def test_old_weight_norm(module, kw):
    def run(T):
        m = _old_weight_norm(T, module, **kw)
        x = T.arange(6.0).reshape(2, 3) if isinstance(m, T.nn.Linear) else T.ones(1, 2, 4)
        (m(x) ** 2).sum().backward()
        return (repr(m), dict(m.state_dict()), [n for n, _ in m.named_parameters()], m.weight,
                m.weight_g.grad, m.weight_v.grad)

    both(run, atol=1e-5)

    def removed(T):
        m = _old_weight_norm(T, module, **kw)
        T.nn.utils.remove_weight_norm(m)
        return repr(m), dict(m.state_dict()), m.weight

    both(removed)


def test_old_weight_norm_errors():
    raises_same(lambda T: _old_weight_norm(T, lambda T: _old_weight_norm(T)))
    raises_same(lambda T: T.nn.utils.remove_weight_norm(T.nn.Linear(2, 2)))


def _old_spectral(T, module=lambda T: T.nn.Linear(4, 3), seed=0, **kw):
    T.manual_seed(seed)
    return T.nn.utils.spectral_norm(module(T), **kw)


@pytest.mark.parametrize("module,kw", [
    (lambda T: T.nn.Linear(4, 3), {}),
    (lambda T: T.nn.Linear(20, 20), {"n_power_iterations": 2, "eps": 1e-6}),
    (lambda T: T.nn.ConvTranspose1d(2, 3, 2), {}),
    (lambda T: T.nn.Conv2d(2, 3, 2), {"dim": 1}),
])
def test_old_spectral_norm(module, kw):
    def run(T):
        m = _old_spectral(T, module, **kw)
        before = (dict(m.state_dict()), m.weight)  # the raw weight until the first call
        x = T.ones((2, 4) if isinstance(m, T.nn.Linear) and m.in_features == 4 else
                   (2, 20) if isinstance(m, T.nn.Linear) else (1, 2, 4) if m.weight.dim() == 3 else (1, 2, 3, 3))
        (m(x) ** 2).sum().backward()
        trained = (m.weight, m.weight_orig.grad, m.weight_u.clone(), m.weight_v.clone())
        m.eval()
        m(x)
        return repr(m), before, trained, m.weight_u, m.weight, T.randn(2)

    both(run)


def test_old_spectral_norm_state_dict_metadata_load_and_remove():
    def run(T):
        m = _old_spectral(T)
        m(T.ones(1, 4))
        sd = m.state_dict()
        other = _old_spectral(T, seed=7)
        result = repr(other.load_state_dict(sd))
        T.nn.utils.remove_spectral_norm(m)
        # PyTorch leaves the load pre-hook behind (it is stored wrapped), so the plain
        # module then asks for weight_orig and weight_u: copied
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(m.state_dict())
        return (dict(sd._metadata[""]), result, dict(other.state_dict()), repr(m), dict(m.state_dict()),
                len(m._state_dict_hooks), str(info.value))

    both(run)


def test_old_spectral_norm_errors():
    raises_same(lambda T: _old_spectral(T, n_power_iterations=0))
    raises_same(lambda T: T.nn.utils.spectral_norm(_old_spectral(T)))
    raises_same(lambda T: T.nn.utils.spectral_norm(T.nn.Linear(3, 2, bias=False), name="bias"))
    raises_same(lambda T: T.nn.utils.remove_spectral_norm(T.nn.Linear(2, 2)))


@pytest.mark.parametrize("make", [
    lambda T: _PZ(T).weight_norm(T.nn.Linear(4, 3)),
    lambda T: _PZ(T).spectral_norm(T.nn.Linear(4, 3)),
    lambda T: _old_weight_norm(T, lambda T: T.nn.Linear(4, 3)),
    lambda T: T.nn.utils.spectral_norm(T.nn.Linear(4, 3)),
])
def test_a_few_sgd_steps(make):
    def train(T):
        T.manual_seed(0)
        m = make(T)
        opt = T.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        x, y = T.randn(5, 4), T.randn(5, 3)
        for _ in range(4):
            opt.zero_grad()
            T.nn.functional.mse_loss(m(x), y).backward()
            opt.step()
        return dict(m.state_dict()), m(x)

    both(train, atol=1e-5)


def test_transfer_several_originals_to_a_bare_module():
    def transfer(T):
        src = _P(T).register_parametrization(_linear(T, 2, 2), "weight", _parts(T)[2]())
        dst = _P(T).transfer_parametrizations_and_params(src, T.nn.Module())
        assert dst.parametrizations.weight.original0 is src.parametrizations.weight.original0
        only = _P(T).transfer_parametrizations_and_params(src, T.nn.Linear(2, 2), "weight")
        plain = _P(T).transfer_parametrizations_and_params(T.nn.Linear(2, 2), T.nn.Linear(2, 2))
        return repr(dst), list(dst.state_dict()), dst.weight, list(only.state_dict()), repr(plain)

    both(transfer)
