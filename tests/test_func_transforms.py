"""torch.func.vmap, vjp, jvp, linearize, jacrev, jacfwd, hessian and stack_module_state
(and torch.vmap), against PyTorch: every case runs on both libraries and must give the
same values, shapes, dtypes and autograd flags, or the same exception and message."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import reftorch


def _plain(x):
    """Tensors as (values, shape, dtype, requires_grad, has grad_fn); nests as nests."""
    if isinstance(x, (reftorch.Tensor, torch.Tensor)):
        values = x.detach().numpy()
        values = np.round(values.astype(np.complex128 if values.dtype.kind == "c" else np.float64), 4).tolist()
        return (values, tuple(x.shape), str(x.dtype), x.requires_grad, x.grad_fn is not None)
    if isinstance(x, (torch.Size, reftorch.Size)):
        return ("Size",) + tuple(x)
    if isinstance(x, (tuple, list)):
        return (type(x).__name__,) + tuple(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _outcome(T, fn):
    try:
        return _plain(fn(T))
    except Exception as e:  # the error is part of the behaviour compared
        return ("raised", type(e).__name__, str(e))


def _same(fn):
    expected = _outcome(torch, fn)
    assert _outcome(reftorch, fn) == expected
    return expected


def _ok(fn):
    """Like :func:`_same`, for a case that must not raise."""
    expected = _same(fn)
    assert not (isinstance(expected, tuple) and expected[:1] == ("raised",)), expected
    return expected


def _raises(fn):
    expected = _same(fn)
    assert isinstance(expected, tuple) and expected[:1] == ("raised",), expected
    return expected


X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
V = [1.0, 2.0, -3.0]


def x_(T, **kw):
    return T.tensor(X, **kw)


def v_(T, **kw):
    return T.tensor(V, **kw)


# ----------------------------------------------------------------------------- vmap
VMAP = {
    "dot": lambda T: T.vmap(T.dot)(x_(T), x_(T)),
    "func_namespace": lambda T: T.func.vmap(T.sin)(x_(T)),
    "in_dims_none": lambda T: T.vmap(T.mul, in_dims=(0, None))(x_(T), v_(T)),
    "in_dims_1": lambda T: T.vmap(lambda a: a.sum(), in_dims=1)(x_(T)),
    "in_dims_negative": lambda T: T.vmap(lambda a, b: a * b, in_dims=(-1, 0))(x_(T), v_(T)),
    "out_dims_1": lambda T: T.vmap(lambda a: a * 2, out_dims=1)(x_(T)),
    "out_dims_negative": lambda T: T.vmap(lambda a: a.outer(a), out_dims=-2)(x_(T)),
    "number_argument": lambda T: T.vmap(lambda a, s: a * s, in_dims=(0, None))(x_(T), 3.0),
    "kwargs_not_mapped": lambda T: T.vmap(lambda a, scale=4.0: a * scale)(v_(T), scale=v_(T)),
    "scalar_per_sample": lambda T: T.vmap(lambda a: a.max())(x_(T)),
    "tuple_out_dims": lambda T: T.vmap(lambda a: (a, a.sum()), out_dims=(1, 0))(x_(T)),
    "list_output": lambda T: T.vmap(lambda a: [a.exp(), a.cos()])(x_(T)),
    "dict_output": lambda T: T.vmap(lambda a: {"u": a, "v": [a.sum()]}, out_dims={"u": 1, "v": 0})(x_(T)),
    "dict_input": lambda T: T.vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": x_(T), "b": v_(T)}),
    "nested_list_in_dims": lambda T: T.vmap(lambda p: p[0] * p[1], in_dims=([0, 1],))([x_(T), x_(T).T]),
    "whole_argument_in_dim": lambda T: T.vmap(lambda p, w: p[0] + p[1] * w, in_dims=(0, None))(
        (x_(T), x_(T) * 2), v_(T)),
    "out_dims_none_unbatched": lambda T: T.vmap(lambda a, b: (a * 2, b * 3), in_dims=(0, None), out_dims=(0, None))(
        x_(T), v_(T)),
    "out_dims_none_number": lambda T: T.vmap(lambda a: 3, out_dims=None)(x_(T)),
    "constant_output_expanded": lambda T: T.vmap(lambda a: T.ones(2))(x_(T)),
    "integer_dtype": lambda T: T.vmap(lambda a: a.to(T.int64) * 2)(x_(T)),
    "promotion_zero_dim_sample": lambda T: T.vmap(T.add)(T.ones(2, dtype=T.float64), T.ones(2, 3)),
    "promotion_int_sample": lambda T: T.vmap(T.add)(T.ones(2, dtype=T.int64), T.ones(2, 3, dtype=T.int32)),
    "empty_batch": lambda T: T.vmap(lambda a: (a * 2, a.sum()))(T.ones(0, 3)),
    "empty_batch_out_dim": lambda T: T.vmap(lambda a: a.outer(a), out_dims=2)(T.ones(0, 3)),
    "nested_vmap": lambda T: T.vmap(T.vmap(T.mul, in_dims=(None, 0)), in_dims=(0, None))(v_(T), v_(T) + 1),
    "nested_vmap_dims": lambda T: T.vmap(T.vmap(lambda a: a * 2, in_dims=1), in_dims=1)(T.ones(2, 3, 4)),
    "chunk_size": lambda T: T.vmap(T.sin, chunk_size=1)(x_(T)),
    "empty_tuple_output": lambda T: T.vmap(lambda a: ())(x_(T)),
    "functools_partial_name": lambda T: T.vmap(__import__("functools").partial(T.mul, 2.0))(x_(T)),
    "namedtuple_output": lambda T: T.vmap(lambda a: a.max(0))(x_(T)),
    "namedtuple_input": lambda T: T.vmap(lambda r: r.values * r.indices)(x_(T).sort(1)),
    "module": lambda T: (T.manual_seed(0), T.vmap(T.nn.Linear(3, 2).requires_grad_(False))(x_(T)))[1],
    "inplace_on_batched_input": lambda T: (lambda x: (T.vmap(lambda a: a.add_(1))(x), x))(x_(T)),
}


@pytest.mark.parametrize("name", sorted(VMAP))
def test_vmap(name):
    _ok(VMAP[name])


VMAP_ERRORS = {
    "in_dims_float": lambda T: T.vmap(T.sin, in_dims=1.0)(x_(T)),
    "in_dims_list": lambda T: T.vmap(T.sin, in_dims=[0])(x_(T)),
    "in_dims_none_top": lambda T: T.vmap(T.sin, in_dims=None)(x_(T)),
    "in_dims_structure": lambda T: T.vmap(T.sin, in_dims=(0, 0))(x_(T)),
    "in_dims_dict_keys": lambda T: T.vmap(lambda d: d["a"], in_dims=({"a": 0},))({"a": x_(T), "b": v_(T)}),
    "in_dims_tuple_for_list": lambda T: T.vmap(lambda p: p[0], in_dims=((0, 1),))([x_(T), x_(T)]),
    "in_dim_out_of_range": lambda T: T.vmap(T.sin, in_dims=(2,))(x_(T)),
    "in_dim_zero_dim": lambda T: T.vmap(T.sin)(T.tensor(1.0)),
    "in_dim_not_int": lambda T: T.vmap(T.sin, in_dims=("a",))(x_(T)),
    "nothing_batched": lambda T: T.vmap(T.sin, in_dims=(None,))(x_(T)),
    "no_inputs": lambda T: T.vmap(lambda: T.ones(1))(),
    "batch_sizes_differ": lambda T: T.vmap(T.add)(x_(T), T.ones(3, 3)),
    "in_dim_on_number": lambda T: T.vmap(T.add)(x_(T), 1.0),
    "returns_number": lambda T: T.vmap(lambda a: 3)(x_(T)),
    "returns_none": lambda T: T.vmap(lambda a: None)(x_(T)),
    "returns_tuple_with_none": lambda T: T.vmap(lambda a: (a, None))(x_(T)),
    "out_dims_none_batched": lambda T: T.vmap(lambda a: a, out_dims=None)(x_(T)),
    "out_dims_none_tuple_batched": lambda T: T.vmap(lambda a: a, out_dims=(None,))(x_(T)),
    "out_dims_structure": lambda T: T.vmap(lambda a: a, out_dims=(0, 0))(x_(T)),
    "out_dims_list_for_tuple": lambda T: T.vmap(lambda a: (a, a), out_dims=[1, 0])(x_(T)),
    "out_dims_float": lambda T: T.vmap(lambda a: a, out_dims=1.5)(x_(T)),
    "out_dim_out_of_range": lambda T: T.vmap(lambda a: a, out_dims=2)(x_(T)),
    "out_dim_out_of_range_negative": lambda T: T.vmap(lambda a: a, out_dims=-3)(x_(T)),
    "randomness_value": lambda T: T.vmap(T.sin, randomness="sometimes"),
    "chunk_size_zero": lambda T: T.vmap(T.sin, chunk_size=0),
    "chunk_size_negative": lambda T: T.vmap(T.sin, chunk_size=-1),
}


@pytest.mark.parametrize("name", sorted(VMAP_ERRORS))
def test_vmap_errors(name):
    _raises(VMAP_ERRORS[name])


def test_vmap_documented_differences():
    """What PyTorch's batched tensors refuse, the per-sample loop runs (as a plain loop would)."""
    x = x_(reftorch)
    with pytest.raises(RuntimeError):
        torch.vmap(lambda a: a.sum().item())(x_(torch))
    assert reftorch.vmap(lambda a: reftorch.tensor(a.sum().item()))(x).tolist() == [1.5, 1.0]
    with pytest.raises(RuntimeError):
        torch.vmap(lambda a: a * 2 if a.sum() > 1.2 else a)(x_(torch))
    assert reftorch.vmap(lambda a: a * 2 if a.sum() > 1.2 else a)(x).tolist() == [[1.0, -2.0, 4.0], X[1]]
    with pytest.raises(RuntimeError):
        torch.vmap(lambda a, b: b.add_(a), in_dims=(0, None))(x_(torch), torch.zeros(3))
    acc = reftorch.zeros(3)
    reftorch.vmap(lambda a, b: b.add_(a), in_dims=(0, None))(x, acc)
    assert acc.tolist() == [2.0, -0.75, 1.25]


def test_vmap_keeps_the_function_name():
    def scale(a):
        return a * 2
    assert reftorch.vmap(scale).__name__ == torch.vmap(scale).__name__ == "scale"
    assert reftorch.vmap is reftorch.func.vmap


# ----------------------------------------------------------------------------- randomness
RANDOM_OPS = {
    "rand": lambda T, a, g: T.rand(3),
    "rand_like": lambda T, a, g: T.rand_like(a),
    "randn": lambda T, a, g: T.randn(3),
    "randint": lambda T, a, g: T.randint(0, 10, (3,)),
    "randperm": lambda T, a, g: T.randperm(3),
    "add_rand": lambda T, a, g: a + T.rand(3),
    "dropout": lambda T, a, g: T.nn.functional.dropout(a + 1, 0.5),
    "uniform_": lambda T, a, g: a.clone().uniform_(),
    "normal_": lambda T, a, g: a.clone().normal_(),
    # (probabilities that do not depend on the batched input: with randomness="same",
    # PyTorch refuses random functions of batched tensors, which reftorch cannot tell)
    "bernoulli": lambda T, a, g: T.bernoulli(T.full((3,), 0.5)),
    "multinomial": lambda T, a, g: T.multinomial(T.ones(3), 2),
    "generator": lambda T, a, g: T.rand(3, generator=g),
}


def _draws(T, op, randomness):
    T.manual_seed(0)
    g = T.Generator().manual_seed(1)
    out = T.vmap(lambda a: RANDOM_OPS[op](T, a, g), randomness=randomness)(T.zeros(4, 3))
    return out, T.rand(2), T.rand(2, generator=g)  # (and where the streams are afterwards)


@pytest.mark.parametrize("op", sorted(RANDOM_OPS))
def test_vmap_random_operation_raises_by_default(op):
    _raises(lambda T: _draws(T, op, "error"))


@pytest.mark.parametrize("randomness", ["different", "same"])
@pytest.mark.parametrize("op", sorted(RANDOM_OPS))
def test_vmap_randomness_values(op, randomness):
    _ok(lambda T: _draws(T, op, randomness))


@pytest.mark.parametrize("outer", ["error", "different", "same"])
@pytest.mark.parametrize("inner", ["error", "different", "same"])
def test_vmap_nested_randomness(outer, inner):
    def fn(T):
        T.manual_seed(0)
        f = T.vmap(T.vmap(lambda a: a + T.rand(()), randomness=inner), randomness=outer)
        return f(T.zeros(2, 3)), T.rand(1)
    _same(fn)


def test_vmap_no_random_draw_is_fine():
    _ok(lambda T: T.vmap(lambda a: T.nn.functional.dropout(a, 0.5, training=False))(x_(T)))
    _ok(lambda T: T.vmap(lambda a: T.nn.functional.dropout(a, 0.0) + T.empty(3).fill_(1))(x_(T)))


def test_vmap_randomness_error_leaves_no_hook_behind():
    with pytest.raises(RuntimeError):
        reftorch.vmap(lambda a: reftorch.rand(1))(reftorch.ones(2))
    assert reftorch.rand(2).shape == (2,)


# ----------------------------------------------------------------------------- autograd
def test_vmap_gradients_flow_to_the_inputs():
    def fn(T):
        x, w = x_(T, requires_grad=True), v_(T, requires_grad=True)
        out = T.vmap(lambda a: (a * w).sin().sum(), in_dims=0)(x)
        out.backward(T.tensor([1.0, -2.0]))
        return out.detach(), x.grad, w.grad
    _ok(fn)
    ref = reftorch.vmap(reftorch.sin)(x_(reftorch, requires_grad=True))
    assert ref.requires_grad and ref.grad_fn is not None


def test_vmap_of_a_batched_output_in_dim_1_backward():
    def fn(T):
        x = T.ones(3, 2, 4, requires_grad=True)
        y = T.vmap(lambda a: a.cumsum(0) ** 2, in_dims=1, out_dims=2)(x)
        y.sum().backward()
        return y.shape, x.grad
    _ok(fn)


def _per_sample_grads(T):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))
    params = {k: v.detach() for k, v in model.named_parameters()}
    x = T.linspace(-1, 1, 15).reshape(5, 3)
    y = T.tensor([0, 1, 1, 0, 1])

    def loss(p, xi, yi):
        out = T.func.functional_call(model, p, (xi.unsqueeze(0),))
        return T.nn.functional.cross_entropy(out, yi.unsqueeze(0))
    return T.vmap(T.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)


def test_per_sample_gradients():
    grads = _ok(_per_sample_grads)
    assert grads["0.weight"][1] == (5, 4, 3)
    # (each row is the gradient of that sample's loss alone)
    got = _per_sample_grads(reftorch)
    reftorch.manual_seed(0)
    model = reftorch.nn.Sequential(reftorch.nn.Linear(3, 4), reftorch.nn.Tanh(), reftorch.nn.Linear(4, 2))
    x = reftorch.linspace(-1, 1, 15).reshape(5, 3)
    reftorch.nn.functional.cross_entropy(model(x[2:3]), reftorch.tensor([1])).backward()
    np.testing.assert_allclose(got["2.bias"][2].numpy(), model[2].bias.grad.numpy(), rtol=1e-6)


def test_vmap_of_grad_and_jacrev():
    _ok(lambda T: T.vmap(T.func.grad(lambda w, a: (w * a).sin().sum()), in_dims=(None, 0))(v_(T), x_(T)))
    _ok(lambda T: T.vmap(T.func.jacrev(T.sin))(x_(T)))
    _ok(lambda T: T.func.jacrev(T.vmap(T.sin))(x_(T)))
    _ok(lambda T: T.func.grad(lambda a: T.vmap(T.dot)(a, a).sum())(x_(T)))


# ----------------------------------------------------------------------------- vjp
def _vjp_call(T, f, primals, cotangents, **kw):
    out = T.func.vjp(f, *primals, **kw)
    return out[0], out[1](cotangents), out[2:]


VJP = {
    "sin": lambda T: _vjp_call(T, T.sin, (v_(T),), v_(T) * 0 + 1),
    "two_primals": lambda T: _vjp_call(T, T.mul, (v_(T), v_(T) * 2), T.ones(3)),
    "tuple_output": lambda T: _vjp_call(T, lambda a: (a * 2, a.sum()), (v_(T),), (T.ones(3), T.tensor(2.0))),
    "dict_primal": lambda T: _vjp_call(T, lambda d: d["a"] * d["b"], ({"a": v_(T), "b": v_(T) + 1},), T.ones(3)),
    "dict_output": lambda T: _vjp_call(T, lambda a: {"s": a.sum(), "p": [a.prod()]}, (v_(T),),
                                       {"s": T.tensor(1.0), "p": [T.tensor(2.0)]}),
    "aux": lambda T: _vjp_call(T, lambda a: (a * 2, {"s": a.sum()}), (v_(T),), T.ones(3), has_aux=True),
    "independent_output": lambda T: _vjp_call(T, lambda a: T.ones(2), (v_(T),), T.ones(2)),
    "zero_dim": lambda T: _vjp_call(T, lambda a: a ** 2, (T.tensor(3.0),), T.tensor(1.0)),
    "float64_output": lambda T: _vjp_call(T, lambda a: a.double() ** 2, (v_(T),), T.ones(3, dtype=T.float64)),
    "detach_inside": lambda T: _vjp_call(T, lambda a: a * a.detach(), (v_(T),), T.ones(3)),
    "outer_requires_grad": lambda T: _vjp_call(T, T.sin, (v_(T, requires_grad=True),), T.ones(3)),
    "cotangent_requires_grad": lambda T: _vjp_call(T, T.sin, (v_(T),), T.ones(3, requires_grad=True)),
    "grad_of_vjp": lambda T: T.func.grad(lambda a: T.func.vjp(T.sin, a)[1](T.ones(3))[0].sum())(v_(T)),
    "called_twice": lambda T: (lambda o, f: (f(T.ones(3)), f(T.ones(3) * 2)))(*T.func.vjp(T.exp, v_(T))),
    "create_graph_false": lambda T: T.func.vjp(T.sin, v_(T, requires_grad=True))[1](T.ones(3), create_graph=False),
}

VJP_ERRORS = {
    "cotangent_structure": lambda T: T.func.vjp(lambda a: (a * 2, a.sum()), v_(T))[1](T.ones(3)),
    "cotangent_tuple_for_tensor": lambda T: T.func.vjp(lambda a: a * 2, v_(T))[1]((T.ones(3),)),
    "cotangent_shape": lambda T: T.func.vjp(lambda a: a * 2, v_(T))[1](T.ones(2)),
    "integer_output": lambda T: T.func.vjp(lambda a: a.long(), v_(T)),
    "number_primal": lambda T: T.func.vjp(lambda a: a * 2, 1.0),
    "integer_primal": lambda T: T.func.vjp(lambda a: a * 2, T.tensor([1, 2])),
    "none_output": lambda T: T.func.vjp(lambda a: None, v_(T)),
    "non_tensor_output": lambda T: T.func.vjp(lambda a: [a, 3], v_(T)),
    "aux_not_pair": lambda T: T.func.vjp(lambda a: a * 2, v_(T), has_aux=True),
}


@pytest.mark.parametrize("name", sorted(VJP))
def test_vjp(name):
    _ok(VJP[name])


@pytest.mark.parametrize("name", sorted(VJP_ERRORS))
def test_vjp_errors(name):
    _raises(VJP_ERRORS[name])


def test_vjp_under_no_grad():
    def fn(T):
        with T.no_grad():
            out, vjp_fn = T.func.vjp(T.sin, v_(T, requires_grad=True))
            return out, vjp_fn(T.ones(3))
    _ok(fn)


# ----------------------------------------------------------------------------- jvp / linearize
JVP = {
    "sin": lambda T: T.func.jvp(T.sin, (v_(T),), (T.ones(3),)),
    "two_primals": lambda T: T.func.jvp(T.mul, (v_(T), v_(T) * 2), (T.ones(3), T.zeros(3) + 0.5)),
    "matmul": lambda T: T.func.jvp(lambda a: a @ a.T, (x_(T),), (T.ones(2, 3),)),
    "tuple_and_dict_output": lambda T: T.func.jvp(lambda a: (a * 2, {"s": a.sum()}), (v_(T),), (T.ones(3),)),
    "dict_primal": lambda T: T.func.jvp(lambda d: d["a"] * d["b"], ({"a": v_(T), "b": v_(T)},),
                                        ({"a": T.ones(3), "b": T.zeros(3)},)),
    "aux": lambda T: T.func.jvp(lambda a: (a.exp(), a.sum()), (v_(T),), (T.ones(3),), has_aux=True),
    "independent_output": lambda T: T.func.jvp(lambda a: T.ones(2), (v_(T),), (T.ones(3),)),
    "identity": lambda T: T.func.jvp(lambda a: a, (v_(T),), (T.ones(3) * 2,)),
    "detached": lambda T: T.func.jvp(lambda a: a.detach() * 2, (v_(T),), (T.ones(3),)),
    "integer_output": lambda T: T.func.jvp(lambda a: a.long(), (v_(T),), (T.ones(3),)),
    "primal_requires_grad": lambda T: T.func.jvp(T.sin, (v_(T, requires_grad=True),), (T.ones(3),)),
    "tangent_requires_grad": lambda T: T.func.jvp(T.sin, (v_(T),), (T.ones(3, requires_grad=True),)),
    "nested_in_grad": lambda T: T.func.grad(lambda a: T.func.jvp(T.sin, (a,), (T.ones(3),))[1].sum())(v_(T)),
    "linearize": lambda T: (lambda o, f: (o, f(T.ones(3)), f(v_(T))))(*T.func.linearize(T.sin, v_(T))),
    "linearize_two_primals": lambda T: (lambda o, f: (o, f(T.ones(3), T.zeros(3))))(
        *T.func.linearize(T.mul, v_(T), v_(T) * 2)),
    "linearize_tuple_output": lambda T: (lambda o, f: (o, f(T.ones(3))))(
        *T.func.linearize(lambda a: (a * 2, a.sum()), v_(T))),
    "linearize_requires_grad": lambda T: (lambda o, f: (o, f(T.ones(3))))(
        *T.func.linearize(T.sin, v_(T, requires_grad=True))),
    "linearize_tangent_requires_grad": lambda T: T.func.linearize(T.sin, v_(T))[1](T.ones(3, requires_grad=True)),
}

JVP_ERRORS = {
    "primals_not_tuple": lambda T: T.func.jvp(T.sin, v_(T), T.ones(3)),
    "structures_differ": lambda T: T.func.jvp(T.sin, (v_(T),), T.ones(3)),
    "no_primals": lambda T: T.func.jvp(lambda: T.ones(2), (), ()),
    "number_primal": lambda T: T.func.jvp(lambda a: a, (1.0,), (1.0,)),
    "tangent_shape": lambda T: T.func.jvp(T.sin, (v_(T),), (T.ones(2),)),
    "integer_primal": lambda T: T.func.jvp(lambda a: a * 2, (T.tensor([1, 2]),), (T.tensor([1, 2]),)),
    "strict_independent": lambda T: T.func.jvp(lambda a: T.ones(2), (v_(T),), (T.ones(3),), strict=True),
    "aux_not_pair": lambda T: T.func.jvp(lambda a: a * 2, (v_(T),), (T.ones(3),), has_aux=True),
    "none_output": lambda T: T.func.jvp(lambda a: None, (v_(T),), (T.ones(3),)),
    "linearize_structure": lambda T: T.func.linearize(T.sin, v_(T))[1]((T.ones(3),)),
    "linearize_shape": lambda T: T.func.linearize(T.sin, v_(T))[1](T.ones(2)),
    "linearize_dtype": lambda T: T.func.linearize(T.sin, v_(T))[1](T.ones(3, dtype=T.float64)),
}


@pytest.mark.parametrize("name", sorted(JVP))
def test_jvp(name):
    _ok(JVP[name])


@pytest.mark.parametrize("name", sorted(JVP_ERRORS))
def test_jvp_errors(name):
    _raises(JVP_ERRORS[name])


# ----------------------------------------------------------------------------- Jacobians
M = [[0.5, -1.0], [2.0, 0.25]]

JAC = {
    "sin": lambda T, J: J(T.sin)(v_(T)),
    "matrix_square": lambda T, J: J(lambda a: a @ a)(T.tensor(M)),
    "scalar_output": lambda T, J: J(lambda a: (a ** 2).sum())(v_(T)),
    "scalar_input": lambda T, J: J(lambda a: a * T.tensor(V))(T.tensor(2.0)),
    "argnums_1": lambda T, J: J(lambda a, b: a.sum() * b, argnums=1)(v_(T), T.tensor(M)),
    "argnums_negative": lambda T, J: J(lambda a, b: a.sum() * b, argnums=-2)(v_(T), T.tensor(M)),
    "argnums_tuple": lambda T, J: J(lambda a, b: a.sum() * b, argnums=(0, 1))(v_(T), T.tensor(M)),
    "tuple_output": lambda T, J: J(lambda a: (a * 2, a.sum()))(v_(T)),
    "dict_output": lambda T, J: J(lambda a: {"p": a * 2, "q": [a.sum()]})(v_(T)),
    "dict_input": lambda T, J: J(lambda d: d["w"] * d["b"])({"w": v_(T), "b": v_(T) + 1}),
    "aux": lambda T, J: J(lambda a: (a.sin(), a.cos()), has_aux=True)(v_(T)),
    "number_argument": lambda T, J: J(lambda a, b: a * b)(v_(T), 2.0),
    "empty_output": lambda T, J: J(lambda a: a[:0])(v_(T)),
    "requires_grad": lambda T, J: J(T.sin)(v_(T, requires_grad=True)),
    "nested": lambda T, J: J(J(T.sin))(v_(T)),
    "float64": lambda T, J: J(T.sin)(v_(T).double()),
    "softmax": lambda T, J: J(lambda a: a.softmax(-1))(x_(T)),
    "complex_input": lambda T, J: J(T.sin)(v_(T).to(T.complex64)),
    "bad_argnum": lambda T, J: J(T.sin, argnums=1)(v_(T)),
    "repeated_argnums": lambda T, J: J(T.sin, argnums=(0, 0))(v_(T)),
    "argnums_list": lambda T, J: J(T.sin, argnums=[0])(v_(T)),
}


@pytest.mark.parametrize("api", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("name", sorted(JAC))
def test_jacobians(api, name):
    _same(lambda T: JAC[name](T, getattr(T.func, api)))


def test_jacobian_extras():
    _ok(lambda T: T.func.jacrev(T.sin, chunk_size=2)(v_(T)))
    _raises(lambda T: T.func.jacrev(T.sin, chunk_size=0))
    _raises(lambda T: T.func.jacrev(lambda a: a.long())(v_(T)))
    _raises(lambda T: T.func.jacrev(lambda a, b: a * b)(2.0, v_(T)))
    _raises(lambda T: T.func.jacfwd(lambda a: a * T.rand(3))(v_(T)))
    _ok(lambda T: (T.manual_seed(0), T.func.jacfwd(lambda a: a * T.rand(3), randomness="same")(v_(T)))[1])


HESSIAN = {
    "cubic": lambda T: T.func.hessian(lambda a: (a ** 3).sum() + a.prod())(v_(T)),
    "argnums_tuple": lambda T: T.func.hessian(lambda a, b: (a ** 2).sum() * (b ** 2).sum(), argnums=(0, 1))(
        v_(T), T.tensor(M)),
    "vector_output": lambda T: T.func.hessian(lambda a: a ** 3)(T.tensor([1.0, 2.0])),
    "matrix_input": lambda T: T.func.hessian(lambda a: (a @ a).sin().sum())(T.tensor(M)),
    "log_softmax": lambda T: T.func.hessian(lambda a: a.log_softmax(0)[0])(v_(T)),
}


@pytest.mark.parametrize("name", sorted(HESSIAN))
def test_hessian(name):
    _ok(HESSIAN[name])


# ----------------------------------------------------------------------------- stack_module_state
def _models(T, n=3, cls="Linear"):
    T.manual_seed(0)
    return [getattr(T.nn, cls)(2, 3) if cls == "Linear" else T.nn.BatchNorm1d(2) for _ in range(n)]


def _described(state):
    return [{k: (v, v.is_leaf) for k, v in d.items()} for d in state]


STACK = {
    "linear": lambda T: _described(T.func.stack_module_state(_models(T))),
    "batch_norm": lambda T: _described(T.func.stack_module_state(_models(T, 2, "BatchNorm1d"))),
    "module_list": lambda T: _described(T.func.stack_module_state(T.nn.ModuleList(_models(T)))),
    "frozen_bias": lambda T: _described(T.func.stack_module_state(
        [m.requires_grad_(False) for m in _models(T)])),
    "ensemble": lambda T: _ensemble(T),
}

STACK_ERRORS = {
    "empty": lambda T: T.func.stack_module_state([]),
    "classes": lambda T: T.func.stack_module_state([T.nn.Linear(2, 3), T.nn.Bilinear(2, 2, 3)]),
    "modes": lambda T: T.func.stack_module_state([T.nn.Linear(2, 3), T.nn.Linear(2, 3).eval()]),
    "requires_grad": lambda T: T.func.stack_module_state([T.nn.Linear(2, 3), T.nn.Linear(2, 3).requires_grad_(False)]),
}


def _ensemble(T):
    models = _models(T, 4)
    params, buffers = T.func.stack_module_state(models)
    data = T.linspace(-1, 1, 10).reshape(5, 2)

    def call(p, b, x):
        return T.func.functional_call(models[0], (p, b), (x,))
    out = T.vmap(call, in_dims=(0, 0, None))(params, buffers, data)
    out.pow(2).sum().backward()
    return out, params["weight"].grad, models[1].weight.grad


@pytest.mark.parametrize("name", sorted(STACK))
def test_stack_module_state(name):
    _ok(STACK[name])


@pytest.mark.parametrize("name", sorted(STACK_ERRORS))
def test_stack_module_state_errors(name):
    _raises(STACK_ERRORS[name])


# ----------------------------------------------------------------------------- has_aux
AUX_ERRORS = {
    "grad": lambda T: T.func.grad(lambda a: (a.sum(), 3), has_aux=True)(v_(T)),
    "grad_and_value": lambda T: T.func.grad_and_value(lambda a: (a.sum(), [a, "u"]), has_aux=True)(v_(T)),
    "vjp": lambda T: T.func.vjp(lambda a: (a.sin(), None), v_(T), has_aux=True),
    "jvp": lambda T: T.func.jvp(lambda a: (a.sin(), 3), (v_(T),), (v_(T),), has_aux=True),
    "jacrev": lambda T: T.func.jacrev(lambda a: (a.sin(), {"k": 3}), has_aux=True)(v_(T)),
    "jacfwd": lambda T: T.func.jacfwd(lambda a: (a.sin(), 3), has_aux=True)(v_(T)),
}


@pytest.mark.parametrize("name", sorted(AUX_ERRORS))
def test_aux_must_hold_tensors(name):
    _raises(AUX_ERRORS[name])


def test_aux_may_be_an_empty_container():
    _ok(lambda T: T.func.vjp(lambda a: (a.sin(), ()), v_(T), has_aux=True)[2])


# ----------------------------------------------------------------------------- pytrees
TREES = [(1, (2, 3)), {"b": 1, "a": [2, 3]}, [1], (), None, [(), {}],
         __import__("collections").OrderedDict(z=1, y=(2,)), __import__("collections").deque([1, 2], maxlen=3),
         __import__("collections").defaultdict(list, a=1, b=(2, 3))]


@pytest.mark.parametrize("i", range(len(TREES)))
def test_pytree_flatten_like_pytorch(i):
    import torch.utils._pytree as tp

    from reftorch.utils import _pytree as rp
    tree = TREES[i]
    leaves, spec = rp.tree_flatten(tree)
    t_leaves, t_spec = tp.tree_flatten(tree)
    assert leaves == t_leaves and repr(spec) == repr(t_spec)
    assert rp.treespec_pprint(spec) == tp.treespec_pprint(t_spec)
    rebuilt = rp.tree_unflatten(leaves, spec)
    assert rebuilt == tree and type(rebuilt) is type(tree)
    assert rp.tree_map(lambda v: v, tree) == tree


def test_pytree_size_is_a_container():
    import torch.utils._pytree as tp

    from reftorch.utils import _pytree as rp
    leaves, spec = rp.tree_flatten(reftorch.Size([2, 3]))
    assert (leaves, repr(spec)) == (lambda r: (r[0], repr(r[1])))(tp.tree_flatten(torch.Size([2, 3])))
    assert rp.tree_unflatten(leaves, spec) == reftorch.Size([2, 3])


def test_pytree_broadcast_prefix_like_pytorch():
    import torch.utils._pytree as tp

    from reftorch.utils import _pytree as rp
    full = (1, {"a": 2, "b": [3, 4]}, 5)
    for prefix in [0, (0, None, 1), (0, {"a": 1, "b": None}, 2), (0, {"b": [1, 2], "a": 3}, 4), (0, 1),
                   (0, {"a": 1}, 2), [0, 1, 2], (0, {"a": 1, "b": (1, 2)}, 3)]:
        assert rp._broadcast_to_and_flatten(prefix, rp.tree_flatten(full)[1]) == \
            tp._broadcast_to_and_flatten(prefix, tp.tree_flatten(full)[1]), prefix
