"""reftorch.distributions.transforms (the transforms beyond the elementwise basics),
constraint_registry (biject_to, transform_to), the constraints they need and the
triangular helpers of distributions.utils, against torch.distributions: values, inverses,
log-Jacobians, gradients, attributes, reprs, equality, caching, shapes and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch
from tests._compare import both, check_grads, raises_like

F32 = np.float32
F64 = np.float64


def same_text(fn):
    assert str(fn(reftorch)) == str(fn(torch))


def _tr(T):
    return T.distributions.transforms


def _c(T):
    return T.distributions.constraints


X = np.array([[0.3, -1.0, 2.0], [0.0, 1.5, -0.25]], F32)
POS = np.array([[0.3, 1.0, 2.0], [0.1, 1.5, 0.25]], F32)
SIMPLEX = np.array([[0.2, 0.3, 0.1, 0.4], [0.7, 0.1, 0.1, 0.1]], F32)
MATS = np.array([[[0.5, 2.0, -1.0], [0.3, -0.2, 4.0], [1.0, -1.5, 0.1]],
                 [[-0.4, 0.0, 0.0], [2.0, 0.7, 1.0], [0.6, 0.2, -1.0]]], F64)

# (make the transform, an input in its domain, an output in its codomain)
CASES = {
    "power": (lambda T: _tr(T).PowerTransform(2.5), POS, POS),
    "power_tensor": (lambda T: _tr(T).PowerTransform(T.tensor([2.0, -0.5, 3.0])), POS, POS),
    "softplus": (lambda T: _tr(T).SoftplusTransform(), X, POS),
    "tanh": (lambda T: _tr(T).TanhTransform(), X, np.tanh(X)),
    "softmax": (lambda T: _tr(T).SoftmaxTransform(), X, SIMPLEX),
    "stick_breaking": (lambda T: _tr(T).StickBreakingTransform(), X, SIMPLEX),
    "lower_cholesky": (lambda T: _tr(T).LowerCholeskyTransform(), MATS, np.tril(np.abs(MATS)) + np.eye(3)),
    "positive_definite": (lambda T: _tr(T).PositiveDefiniteTransform(), MATS,
                          MATS @ MATS.transpose(0, 2, 1) + np.eye(3)),
    "corr_cholesky": (lambda T: _tr(T).CorrCholeskyTransform(), X, None),
    "independent": (lambda T: _tr(T).IndependentTransform(_tr(T).ExpTransform(), 1), X, POS),
    "reshape": (lambda T: _tr(T).ReshapeTransform((3,), (3, 1)), X, POS.reshape(2, 3, 1)),
    "cat": (lambda T: _tr(T).CatTransform([_tr(T).ExpTransform(), _tr(T).identity_transform], 1, [1, 2]), X, POS),
    "cat_event": (lambda T: _tr(T).CatTransform([_tr(T).ExpTransform(), _tr(T).AffineTransform(1.0, -2.0, 1)],
                                                0, [1, 1]), X, POS),
    "stack": (lambda T: _tr(T).StackTransform([_tr(T).ExpTransform(), _tr(T).TanhTransform(),
                                               _tr(T).identity_transform], 1), X, np.tanh(POS)),
    "cdf": (lambda T: _tr(T).CumulativeDistributionTransform(T.distributions.Normal(0.5, 2.0)), X, POS / 3),
}


@pytest.mark.parametrize("name", CASES)
def test_transform_values(name):
    make, x, y = CASES[name]
    both(lambda T, x: make(T)(x), x)
    if y is None:  # the codomain of the Cholesky factors of correlation matrices
        both(lambda T, x: make(T).inv(make(T)(x)), x)
    else:
        both(lambda T, y: make(T).inv(y), y)
    if name not in ("softmax", "lower_cholesky", "positive_definite"):  # no log-Jacobian
        both(lambda T, x: make(T).log_abs_det_jacobian(x, make(T)(x)), x)
        check_grads(lambda T, x: make(T).log_abs_det_jacobian(x, make(T)(x)), x)
    check_grads(lambda T, x: make(T)(x), x)
    for attr in ("bijective", "domain", "codomain"):
        same_text(lambda T: getattr(make(T), attr))
    same_text(lambda T: make(T))
    same_text(lambda T: make(T).inv)
    same_text(lambda T: make(T).forward_shape(x.shape))


@pytest.mark.parametrize("name", ["power", "softplus", "tanh", "softmax", "stick_breaking", "lower_cholesky",
                                  "positive_definite", "corr_cholesky", "independent", "reshape", "cat_event",
                                  "stack", "cdf"])
def test_transform_event_dims_and_signs(name):
    make = CASES[name][0]
    same_text(lambda T: (make(T).domain.event_dim, make(T).codomain.event_dim))
    if name in ("power", "softplus", "tanh", "independent", "cdf"):
        same_text(lambda T: make(T).sign)
    else:
        raises_like(lambda T: make(T).sign)


def test_inverse_round_trips():
    both(lambda T, x: _tr(T).StickBreakingTransform().inv(_tr(T).StickBreakingTransform()(x)), X)
    both(lambda T, x: _tr(T).PositiveDefiniteTransform().inv(_tr(T).PositiveDefiniteTransform()(x)), MATS)
    both(lambda T, x: _tr(T).SoftplusTransform().inv(_tr(T).SoftplusTransform()(x)), X)
    both(lambda T, x: _tr(T).CorrCholeskyTransform()(x), np.array([[0.1, -2.0, 0.7, 1.2, 0.0, -0.3]], F64))
    # a correlation Cholesky factor: unit rows
    both(lambda T, x: _c(T).corr_cholesky.check(_tr(T).CorrCholeskyTransform()(x)), X)


def test_power_transform_sign_and_shapes():
    both(lambda T: _tr(T).PowerTransform(T.tensor([2.0, -1.0])).sign)
    both(lambda T: _tr(T).PowerTransform(3.0).exponent)
    same_text(lambda T: _tr(T).PowerTransform(T.tensor([[2.0], [1.0]])).forward_shape((3,)))
    same_text(lambda T: _tr(T).PowerTransform(T.tensor([[2.0], [1.0]])).inverse_shape((3,)))


def test_shape_functions_and_errors():
    tr = _tr
    same_text(lambda T: tr(T).StickBreakingTransform().inverse_shape((5, 4)))
    same_text(lambda T: tr(T).CorrCholeskyTransform().forward_shape((2, 6)))
    same_text(lambda T: tr(T).CorrCholeskyTransform().inverse_shape((2, 4, 4)))
    same_text(lambda T: tr(T).ReshapeTransform((6,), (2, 3)).forward_shape((5, 6)))
    same_text(lambda T: tr(T).ReshapeTransform((6,), (2, 3)).inverse_shape((5, 2, 3)))
    same_text(lambda T: tr(T).ReshapeTransform([6], [2, 3]).in_shape)
    same_text(lambda T: tr(T).ReshapeTransform((6,), (2, 3)).inv.forward_shape((5, 2, 3)))
    same_text(lambda T: tr(T).IndependentTransform(tr(T).StickBreakingTransform(), 1).forward_shape((5, 2)))
    same_text(lambda T: tr(T).SoftmaxTransform().forward_shape((5, 2)))
    same_text(lambda T: tr(T).TanhTransform().forward_shape((5, 2)))
    for bad in (lambda T: tr(T).StickBreakingTransform().forward_shape(()),
                lambda T: tr(T).StickBreakingTransform().inverse_shape(()),
                lambda T: tr(T).SoftmaxTransform().forward_shape(()),
                lambda T: tr(T).SoftmaxTransform().inverse_shape(()),
                lambda T: tr(T).CorrCholeskyTransform().forward_shape((4,)),
                lambda T: tr(T).CorrCholeskyTransform().forward_shape(()),
                lambda T: tr(T).CorrCholeskyTransform().inverse_shape((3, 4)),
                lambda T: tr(T).CorrCholeskyTransform().inverse_shape((3,)),
                lambda T: tr(T).ReshapeTransform((6,), (4,)),
                lambda T: tr(T).ReshapeTransform((6,), (2, 3)).forward_shape((5, 4)),
                lambda T: tr(T).ReshapeTransform((6,), (2, 3)).forward_shape(()),
                lambda T: tr(T).ReshapeTransform((6,), (2, 3)).inverse_shape((3,)),
                lambda T: tr(T).IndependentTransform(tr(T).ExpTransform(), 2)(T.ones(3)),
                lambda T: tr(T).IndependentTransform(tr(T).ExpTransform(), 2).inv(T.ones(3)),
                lambda T: tr(T).CatTransform([tr(T).ExpTransform()], 0, [1, 2]),
                lambda T: tr(T).CatTransform([tr(T).ExpTransform(), 3]),
                lambda T: tr(T).CatTransform([tr(T).ExpTransform()], 0, [2])(T.ones(3)),
                lambda T: tr(T).CatTransform([tr(T).ExpTransform()], 2, [3])(T.ones(3)),
                lambda T: tr(T).CatTransform([tr(T).ExpTransform()], 0, [2]).inv(T.ones(3)),
                lambda T: tr(T).StackTransform([tr(T).ExpTransform(), "exp"]),
                lambda T: tr(T).StackTransform([tr(T).ExpTransform()], 0)(T.ones(3)),
                lambda T: tr(T).StackTransform([tr(T).ExpTransform()], 1)(T.ones(1)),
                lambda T: tr(T).StackTransform([tr(T).ExpTransform()], 0).inv(T.ones(3))):
        raises_like(bad, msg=True)


def test_equality_caching_and_with_cache():
    for T in (torch, reftorch):
        tr = _tr(T)
        assert tr.PowerTransform(2.0) == tr.PowerTransform(T.tensor(2.0)) != tr.PowerTransform(3.0)
        assert tr.PowerTransform(2.0) != tr.ExpTransform()
        for cls in (tr.SoftplusTransform, tr.TanhTransform, tr.SoftmaxTransform, tr.StickBreakingTransform,
                    tr.LowerCholeskyTransform, tr.PositiveDefiniteTransform):
            assert cls() == cls() and cls() != tr.ExpTransform() and cls().inv == cls().inv
        # no __eq__ of their own: equal only to themselves
        for t in (tr.CorrCholeskyTransform(), tr.IndependentTransform(tr.ExpTransform(), 1),
                  tr.ReshapeTransform((2,), (2,)), tr.CatTransform([tr.ExpTransform()]),
                  tr.StackTransform([tr.ExpTransform()]),
                  tr.CumulativeDistributionTransform(T.distributions.Normal(0.0, 1.0))):
            assert t == t and t != type(t).__new__(type(t))
            cached = t.with_cache(1)
            assert type(cached) is type(t) and cached._cache_size == 1 and t.with_cache(0) is t
        for t in (tr.PowerTransform(2.0), tr.SoftplusTransform(), tr.TanhTransform(), tr.StickBreakingTransform(),
                  tr.CorrCholeskyTransform(), tr.IndependentTransform(tr.ExpTransform(), 1),
                  tr.ReshapeTransform((3,), (3, 1)), tr.CatTransform([tr.ExpTransform()] * 3, 1),
                  tr.StackTransform([tr.ExpTransform()] * 3, 1)):
            cached = t.with_cache(1)
            x = T.ones(2, 3) / 2
            y = cached(x)
            assert cached(x) is y and cached.inv(y) is x
        ind = tr.IndependentTransform(tr.ExpTransform(), 1, cache_size=1)
        assert ind.base_transform._cache_size == 1
        assert tr.CatTransform([tr.ExpTransform()], cache_size=1).transforms[0]._cache_size == 1
        assert tr.StackTransform([tr.ExpTransform()], cache_size=1).transforms[0]._cache_size == 1
        cat = tr.CatTransform([tr.ExpTransform(), tr.identity_transform], lengths=[1, 2])
        assert cat.length == 3 and cat.lengths == [1, 2] and cat.event_dim == 0 and cat.dim == 0
        # tanh's inverse is not clamped; with the cache the saturated output gives x back
        x = T.tensor([30.0])
        assert T.isinf(tr.TanhTransform().inv(tr.TanhTransform()(x))).all()
        cached = tr.TanhTransform(cache_size=1)
        assert cached.inv(cached(x)) is x


def test_cat_and_stack_log_jacobians_and_attributes():
    tr = _tr

    def cat_batch(T):  # pieces along a batch dimension: the terms are joined
        return tr(T).CatTransform([tr(T).ExpTransform(), tr(T).AffineTransform(1.0, -2.0)], 0, [1, 1])

    def cat_event(T):  # pieces along the event dimension: the terms are summed
        return tr(T).CatTransform([tr(T).ExpTransform(), tr(T).AffineTransform(1.0, 3.0, event_dim=1)], -1, [1, 2])

    def stack(T):
        return tr(T).StackTransform([tr(T).ExpTransform(), tr(T).SigmoidTransform()], -2)

    for make in (cat_batch, cat_event, stack):
        both(lambda T, x: make(T)(x), X)
        both(lambda T, x: make(T).inv(make(T)(x)), X)
        both(lambda T, x: make(T).log_abs_det_jacobian(x, make(T)(x)), X)
        same_text(lambda T: (make(T).bijective, make(T).domain.event_dim, make(T).codomain.event_dim))
        # (constraints of mixed event_dims along an event dimension do not join: an error in both)
        both(lambda T, v: make(T).domain.check(v), X, msg=True)
        both(lambda T, v: make(T).codomain.check(v), X, msg=True)
    same_text(lambda T: cat_event(T).event_dim)
    same_text(lambda T: tr(T).CatTransform([tr(T).ExpTransform(), tr(T).AbsTransform()]).bijective)
    same_text(lambda T: tr(T).StackTransform([tr(T).ExpTransform(), tr(T).AbsTransform()]).bijective)


def test_cumulative_distribution_transform():
    def cdf(T):
        return _tr(T).CumulativeDistributionTransform(T.distributions.Normal(T.tensor([0.0, 1.0, 2.0]), 2.0))

    both(lambda T, x: cdf(T)(x), X)
    both(lambda T, x: cdf(T).log_abs_det_jacobian(x, cdf(T)(x)), X)
    both(lambda T, y: cdf(T).inv(y), POS / 3)
    same_text(lambda T: (cdf(T).domain, cdf(T).codomain, cdf(T).sign, cdf(T).bijective))
    # a Gaussian copula
    both(lambda T, x: T.distributions.TransformedDistribution(
        T.distributions.Normal(T.zeros(3), 1.0), [_tr(T).CumulativeDistributionTransform(
            T.distributions.Normal(0.0, 1.0))]).log_prob(x), POS / 3)


def test_transformed_distributions_over_the_new_transforms():
    D = lambda T: T.distributions  # noqa: E731

    def logistic_normal(T):
        return D(T).TransformedDistribution(D(T).Normal(T.zeros(2, 3), 1.0), _tr(T).StickBreakingTransform())

    both(lambda T: (logistic_normal(T).batch_shape, logistic_normal(T).event_shape))
    both(lambda T, y: logistic_normal(T).log_prob(y), SIMPLEX)
    same_text(lambda T: logistic_normal(T).support)

    def lkj_like(T):
        return D(T).TransformedDistribution(D(T).Normal(T.zeros(6), 1.0), _tr(T).CorrCholeskyTransform())

    both(lambda T: (lkj_like(T).batch_shape, lkj_like(T).event_shape))

    def reshaped(T):
        return D(T).TransformedDistribution(D(T).Normal(T.zeros(5, 6), 1.0), _tr(T).ReshapeTransform((6,), (2, 3)))

    both(lambda T: (reshaped(T).batch_shape, reshaped(T).event_shape))
    both(lambda T, x: reshaped(T).log_prob(x), np.arange(30, dtype=F32).reshape(5, 2, 3) / 10)


# ----------------------------------------------------------------------------- constraints
def test_new_constraints():
    same_text(lambda T: (_c(T).corr_cholesky, _c(T).corr_cholesky.event_dim, _c(T).cat([_c(T).real]),
                         _c(T).stack([_c(T).real])))
    both(lambda T, m: _c(T).corr_cholesky.check(m), np.array([[[1.0, 0.0], [0.6, 0.8]], [[1.0, 0.0], [0.6, 0.7]],
                                                              [[1.0, 0.1], [0.6, 0.8]]], F32))
    both(lambda T, v: _c(T).cat([_c(T).positive, _c(T).simplex], -1, [1, 2]).check(v), SIMPLEX[:, :3])
    both(lambda T, v: _c(T).stack([_c(T).positive, _c(T).real], 0).check(v), X)
    same_text(lambda T: [(c.event_dim, c.is_discrete) for c in (
        _c(T).cat([_c(T).real, _c(T).simplex]), _c(T).cat([_c(T).boolean, _c(T).real]),
        _c(T).stack([_c(T).real, _c(T).positive], -1), _c(T).stack([_c(T).simplex], -1),
        _c(T).stack([_c(T).simplex], -2))])
    # positive_semidefinite: eigenvalues >= 0 (a singular matrix passes, unlike positive_definite)
    psd = np.array([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]],
                    [[0.0, 0.0], [0.0, 0.0]]], F32)
    for name in ("positive_semidefinite", "positive_definite"):
        same_text(lambda T: (getattr(_c(T), name), getattr(_c(T), name).event_dim, getattr(_c(T), name).is_discrete))
        both(lambda T, m: getattr(_c(T), name).check(m), psd)
        both(lambda T, m: getattr(_c(T), name).check(m), psd.astype(np.float64))
        # not symmetric: the symmetry check is returned (so True for the symmetric ones)
        both(lambda T, m: getattr(_c(T), name).check(m), np.concatenate([psd, [[[1.0, 0.5], [0.0, 1.0]]]]))
        both(lambda T, m: getattr(_c(T), name).check(m), np.ones((2, 3), F32))
    assert isinstance(reftorch.distributions.constraints.positive_semidefinite,
                      type(reftorch.distributions.constraints.symmetric))
    for bad in (lambda T: _c(T).cat([_c(T).real], 0, [1, 2]), lambda T: _c(T).cat([1]),
                lambda T: _c(T).stack([1]), lambda T: _c(T).cat([_c(T).real], 3).check(T.ones(2)),
                lambda T: _c(T).stack([_c(T).real], 3).check(T.ones(2))):
        raises_like(bad, msg=True)


# ----------------------------------------------------------------------------- registry
def _all_constraints(T):
    c = _c(T)
    return [c.real, c.real_vector, c.independent(c.positive, 2), c.positive, c.nonnegative, c.greater_than(1.5),
            c.greater_than_eq(-2.0), c.less_than(3.0), c.unit_interval, c.interval(-1.0, 4.0),
            c.half_open_interval(0.0, 1.0), c.interval(T.tensor(0.0), 1.0), c.simplex, c.lower_cholesky,
            c.positive_definite, c.positive_semidefinite, c.corr_cholesky, c.cat([c.positive, c.real], -1, [2, 4]),
            c.stack([c.positive, c.unit_interval], 0), c.boolean, c.lower_triangular, c.dependent,
            c.integer_interval(0, 3), c.nonnegative_integer, c.one_hot, c.square, c.symmetric]


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_constraint_registry(registry):
    n = len(_all_constraints(torch))
    for i in range(n):
        def make(T, i=i):
            return getattr(T.distributions, registry)(_all_constraints(T)[i])
        try:
            make(torch)
        except NotImplementedError:
            raises_like(make, msg=True)
            continue
        same_text(make)
        same_text(lambda T: (make(T).bijective, make(T).domain, make(T).codomain))
        x = np.linspace(-1.0, 1.0, 24).reshape(2, 2, 6)  # 6 = the triangle of a 4 x 4 correlation factor
        if make(torch).domain.event_dim == 2:
            x = np.linspace(-1.0, 1.0, 18).reshape(2, 3, 3)
        both(lambda T, x: make(T)(x), x)
        both(lambda T, x: make(T).codomain.check(make(T)(x)), x)
        assert make(reftorch).codomain.check(make(reftorch)(reftorch.tensor(x))).all()


def test_registry_lookup_and_registration():
    for T in (torch, reftorch):
        registry = T.distributions.constraint_registry
        r = registry.ConstraintRegistry()

        @r.register(_c(T).positive)
        def factory(constraint):
            return _tr(T).SoftplusTransform()

        assert isinstance(r(_c(T).greater_than(3.0)), _tr(T).SoftplusTransform)
        r.register(type(_c(T).real), lambda c: _tr(T).identity_transform)
        assert r(_c(T).real) is _tr(T).identity_transform
        with pytest.raises(TypeError):
            r.register(3, factory)
        with pytest.raises(NotImplementedError, match="Cannot transform _Simplex constraints"):
            r(_c(T).simplex)
        assert T.distributions.biject_to is registry.biject_to
        assert T.distributions.transform_to is registry.transform_to
    # a tensor bound takes the general path even when it is 0 and 1
    same_text(lambda T: T.distributions.transform_to(_c(T).interval(T.tensor(0.0), T.tensor(1.0))))
    same_text(lambda T: T.distributions.transform_to(_c(T).interval(0, 1)))


# ----------------------------------------------------------------------------- utils
def test_tril_helpers():
    U = lambda T: T.distributions.utils  # noqa: E731
    v6 = np.arange(1, 7, dtype=F32)
    for diag in (0, -1, 1, -2):
        both(lambda T, m: U(T).tril_matrix_to_vec(m, diag), MATS)
    both(lambda T, v: U(T).vec_to_tril_matrix(v), v6)
    both(lambda T, v: U(T).vec_to_tril_matrix(v, -1), v6)
    both(lambda T, v: U(T).vec_to_tril_matrix(v, 1), np.arange(10, dtype=F32).reshape(2, 5))
    both(lambda T, v: U(T).vec_to_tril_matrix(v.reshape(2, 3), -1), v6)
    check_grads(lambda T, v: U(T).vec_to_tril_matrix(v, -1) * 2, v6)
    check_grads(lambda T, m: U(T).tril_matrix_to_vec(m), MATS)
    raises_like(lambda T: U(T).tril_matrix_to_vec(T.ones(3, 3), 3), msg=True)
    raises_like(lambda T: U(T).tril_matrix_to_vec(T.ones(3, 3), -4), msg=True)
    raises_like(lambda T: U(T).vec_to_tril_matrix(T.ones(2)), msg=True)
    assert {"tril_matrix_to_vec", "vec_to_tril_matrix"} <= set(reftorch.distributions.utils.__all__)


def test_same_values_on_the_stand_in_device():
    def on(device):
        T, tr, c = reftorch, _tr(reftorch), _c(reftorch)
        x = T.tensor([[0.3, -1.0, 2.0], [0.0, 1.5, -0.25]], device=device)
        m = T.tensor([[0.5, 2.0], [0.3, -0.2]], device=device)
        out = []
        for t in (tr.StickBreakingTransform(), tr.CorrCholeskyTransform(), tr.TanhTransform(), tr.SoftplusTransform(),
                  tr.PowerTransform(T.tensor(2.0, device=device)), tr.SoftmaxTransform(),
                  tr.CatTransform([tr.ExpTransform(), tr.identity_transform], 1, [1, 2]),
                  tr.StackTransform([tr.ExpTransform(), tr.TanhTransform()], 0)):
            y = t(x.abs() + 0.1 if isinstance(t, tr.PowerTransform) else x)
            out += [y, t.inv(y)]
            if not isinstance(t, tr.SoftmaxTransform):
                out.append(t.log_abs_det_jacobian(x.abs() + 0.1 if isinstance(t, tr.PowerTransform) else x, y))
        pd = tr.PositiveDefiniteTransform()(m)
        out += [pd, tr.PositiveDefiniteTransform().inv(pd), c.corr_cholesky.check(tr.CorrCholeskyTransform()(x)),
                T.distributions.biject_to(c.interval(-1.0, 2.0))(x), c.positive_semidefinite.check(pd),
                c.positive_semidefinite.check(T.ones(2, 2, device=device)), c.positive_semidefinite.check(m)]
        return out

    for r_dev, r_cpu in zip(on("strict"), on("cpu"), strict=True):
        assert r_dev.device.type == "strict"
        assert r_dev.cpu().tolist() == r_cpu.tolist()
