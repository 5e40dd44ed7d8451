"""Differential tests of the shape/view ops against PyTorch: view, reshape, flatten,
squeeze, unsqueeze, permute, transpose, t, expand, contiguous, stride(),
is_contiguous(), and memory sharing (views, from_numpy, numpy())."""
from __future__ import annotations

import math

import numpy as np
import pytest

import torch  # the oracle: the test command installs it, so its absence must fail loudly

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reftorch  # noqa: E402
from _compare import both, check_grads, raises_like, random_array  # noqa: E402

pytestmark = pytest.mark.torch
SET = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def arr(shape, dtype="float32", seed=0):
    return random_array(np.random.default_rng(seed), shape, dtype)


def layouts(T, x):
    """Several layouts of the same tensor: contiguous, transposed, sliced, expanded."""
    out = [x]
    if x.dim() >= 2:
        out.append(x.transpose(0, 1))
        out.append(x.transpose(0, -1))
    if x.dim() >= 1 and x.shape[0] > 1:
        out.append(x[::2])
    return out


# ------------------------------------------------------------------ metadata
@SET
@given(shape=shapes)
def test_metadata(shape):
    a = arr(shape)
    both(lambda T, x: (x.shape, x.size(), x.dim(), x.ndim, x.numel(), x.stride(), x.is_contiguous()), a)


@SET
@given(shape=nonempty_shapes, data=st.data())
def test_size_stride_dim(shape, data):
    a = arr(shape)
    d = data.draw(st.integers(-len(shape) - 2, len(shape) + 1))
    both(lambda T, x: (x.size(d), x.stride(d)), a)


@SET
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), data=st.data())
def test_strides_of_views(shape, data):
    a = arr(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    both(lambda T, x: [(y.stride(), y.is_contiguous(), y.contiguous().stride(), y.contiguous().is_contiguous())
                       for y in (x.permute(*perm), x.transpose(0, -1), x[:, ::2], x.unsqueeze(1))], a)


def test_is_contiguous_corner_cases():
    both(lambda T, x: [y.is_contiguous() for y in (x.t(), x[:, :1], x[:1].t(), x.expand(3, 2, 2)[0],
                                                     x.unsqueeze(0).expand(2, 2, 2), x[:, 1:].t())],
         arr((2, 2)))
    both(lambda T, x: (x.t().is_contiguous(), x.t().stride()), arr((0, 3)))
    both(lambda T, x: (x.t().is_contiguous(), x.t().stride()), arr((1, 3)))


# ------------------------------------------------------------------ view / reshape
@st.composite
def factorisations(draw, n):
    """A shape whose product is ``n``, possibly with one -1."""
    dims = []
    rest = n
    for _ in range(draw(st.integers(0, 3))):
        divs = [d for d in range(1, rest + 1) if rest % d == 0] if rest else [0, 1, 2]
        d = draw(st.sampled_from(divs))
        dims.append(d)
        rest = rest // d if d else rest
    dims.append(rest if math.prod(dims) * rest == n or n == 0 else rest)
    if math.prod(dims) != n:
        dims = [n]
    if draw(st.booleans()) and n:
        i = draw(st.integers(0, len(dims) - 1))
        dims[i] = -1
    return tuple(dims)


@SET
@given(shape=shapes, data=st.data())
def test_view_and_reshape_contiguous(shape, data):
    n = math.prod(shape)
    new = data.draw(factorisations(n))
    a = arr(shape)
    both(lambda T, x: x.view(new), a)
    both(lambda T, x: x.view(*new), a)
    both(lambda T, x: x.reshape(new), a)
    both(lambda T, x: T.reshape(x, new), a)
    both(lambda T, x: x.view(new).stride(), a)


@SET
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), data=st.data())
def test_view_noncontiguous_follows_stride_rule(shape, data):
    a = arr(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    n = math.prod(shape)
    new = data.draw(factorisations(n))
    # Either both succeed with identical results, or both raise RuntimeError.
    both(lambda T, x: x.permute(*perm).view(new), a, msg=True)
    both(lambda T, x: (lambda y: (y, y.stride(), y.is_contiguous()))(x.permute(*perm).reshape(new)), a)
    both(lambda T, x: x[..., ::2].view(-1), a, msg=True)


def test_view_shares_memory():
    for T in (torch, reftorch):
        x = T.arange(6)
        v = x.view(2, 3)
        v[0, 0] = 100
        assert x[0].item() == 100
        r = x.reshape(3, 2)
        r[1, 1] = -1
        assert x[3].item() == -1
        xt = x.view(2, 3).t()
        c = xt.reshape(6)  # not viewable: a copy
        c[0] = 55
        assert x[0].item() == 100


def test_view_errors():
    a = arr((2, 3))
    raises_like(lambda T, x: x.view(-1, -1), a, msg=True)
    raises_like(lambda T, x: x.view(4, 2), a, msg=True)
    raises_like(lambda T, x: x.view(-1, 4), a, msg=True)
    raises_like(lambda T, x: x.t().view(6), a, msg=True)
    raises_like(lambda T, x: x.view(2, -2, 3), a, msg=True)
    raises_like(lambda T, x: x.reshape(-3, -2), a, msg=True)
    raises_like(lambda T, x: x.view([3, -1, -1]), a, msg=True)
    both(lambda T, x: (x.view(-1), x.view([3, -1]), x.reshape((-1, 2)), x.view(1, -1, 1).stride()), a)
    raises_like(lambda T, x: x.reshape(5), a, msg=True)
    raises_like(lambda T, x: x.reshape(-1, -1), a, msg=True)
    both(lambda T, x: x.view(0, -1), arr((0, 3)))
    raises_like(lambda T, x: x.view(-1, 0), arr((0, 3)), msg=True)


def test_view_grad_fn_names():
    a = arr((2, 3))
    check_grads(lambda T, x: x.view(3, 2), a)
    check_grads(lambda T, x: x.reshape(6), a)
    check_grads(lambda T, x: x.t().reshape(6), a)  # UnsafeViewBackward0
    check_grads(lambda T, x: x.view(-1).view(3, 2) * 2, a)
    check_grads(lambda T, x: x.view_as(x.t()), a)
    check_grads(lambda T, x: x.reshape_as(x.t()), a)


def test_shape_of_other_methods_want_a_tensor():
    # view_as / reshape_as / expand_as take the shape of a tensor only: PyTorch's TypeError
    for name in ("view_as", "reshape_as", "expand_as"):
        for other in ([2, 3], None, (2, 3)):
            raises_like(lambda T, x: getattr(x, name)(other), arr((2, 3)), msg=True)


@SET
@given(shape=shapes, data=st.data())
def test_flatten(shape, data):
    a = arr(shape)
    nd = max(len(shape), 1)
    s = data.draw(st.integers(-nd - 1, nd))
    e = data.draw(st.integers(-nd - 1, nd))
    both(lambda T, x: T.flatten(x, s, e), a, msg=True)
    both(lambda T, x: x.flatten(), a)
    if len(shape) >= 2:
        both(lambda T, x: x.t().flatten(s, e) if x.dim() == 2 else x.transpose(0, 1).flatten(s, e), a, msg=True)


def test_flatten_grads():
    check_grads(lambda T, x: x.flatten(), arr((2, 3, 4)))
    check_grads(lambda T, x: x.flatten(1), arr((2, 3, 4)))
    check_grads(lambda T, x: x.transpose(0, 2).flatten(0, 1), arr((2, 3, 4)))
    check_grads(lambda T, x: x.flatten(), arr(()))
    both(lambda T, x: x.flatten(1, 1) is x, arr((2, 3)))


def test_unflatten():
    both(lambda T, x: x.unflatten(1, (2, -1)), arr((2, 6)))
    both(lambda T, x: T.unflatten(x, -1, (3, 2)), arr((2, 6)))


# ------------------------------------------------------------------ squeeze / unsqueeze
@SET
@given(shape=st.lists(st.integers(0, 3), min_size=0, max_size=5).map(tuple), data=st.data())
def test_squeeze(shape, data):
    a = arr(shape)
    nd = len(shape)
    both(lambda T, x: x.squeeze(), a)
    both(lambda T, x: T.squeeze(x), a)
    d = data.draw(st.integers(-nd - 2, nd + 1))
    both(lambda T, x: x.squeeze(d), a, msg=True)
    dims = data.draw(st.lists(st.integers(-nd - 1, nd), max_size=3).map(tuple))
    both(lambda T, x: x.squeeze(dims), a, msg=True)
    both(lambda T, x: T.squeeze(x, dims), a, msg=True)


def test_squeeze_grads_and_names():
    a = arr((2, 1, 3, 1))
    check_grads(lambda T, x: x.squeeze(), a)
    check_grads(lambda T, x: x.squeeze(1), a)
    check_grads(lambda T, x: x.squeeze(0), a)
    check_grads(lambda T, x: x.squeeze((1, -1)), a)
    check_grads(lambda T, x: x.squeeze(()), a)
    check_grads(lambda T, x: x.squeeze(0), arr(()))
    check_grads(lambda T, x: x.squeeze(), arr(()))


def test_squeeze_shares_memory():
    for T in (torch, reftorch):
        x = T.zeros(1, 3)
        y = x.squeeze(0)
        y[1] = 5
        assert x[0, 1].item() == 5
        u = x.unsqueeze(-1)
        u[0, 2, 0] = 7
        assert x[0, 2].item() == 7


@SET
@given(shape=shapes, data=st.data())
def test_unsqueeze(shape, data):
    a = arr(shape)
    nd = len(shape)
    d = data.draw(st.integers(-nd - 3, nd + 2))
    both(lambda T, x: x.unsqueeze(d), a, msg=True)
    both(lambda T, x: (T.unsqueeze(x, d).stride(), T.unsqueeze(x, d).is_contiguous()), a, msg=True)


def test_unsqueeze_grads():
    check_grads(lambda T, x: x.unsqueeze(0), arr((2, 3)))
    check_grads(lambda T, x: x.unsqueeze(-1), arr((2, 3)))
    check_grads(lambda T, x: x.unsqueeze(0), arr(()))


# ------------------------------------------------------------------ permute / transpose / t
@SET
@given(shape=shapes, data=st.data())
def test_permute(shape, data):
    a = arr(shape)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    neg = tuple(p - len(shape) if data.draw(st.booleans()) else p for p in perm)
    both(lambda T, x: x.permute(*neg), a)
    both(lambda T, x: x.permute(neg), a)
    both(lambda T, x: T.permute(x, neg), a)
    if shape:
        check_grads(lambda T, x: x.permute(*neg), a)


def test_permute_errors():
    a = arr((2, 3, 4))
    raises_like(lambda T, x: x.permute(0, 1), a)
    raises_like(lambda T, x: x.permute(0, 1, 1), a)
    raises_like(lambda T, x: x.permute(0, 1, 3), a)


@SET
@given(shape=shapes, data=st.data())
def test_transpose(shape, data):
    a = arr(shape)
    nd = max(len(shape), 1)
    d0 = data.draw(st.integers(-nd - 1, nd))
    d1 = data.draw(st.integers(-nd - 1, nd))
    both(lambda T, x: x.transpose(d0, d1), a, msg=True)
    both(lambda T, x: T.transpose(x, d0, d1), a, msg=True)
    both(lambda T, x: T.swapaxes(x, d0, d1), a, msg=True)


def test_transpose_and_t_grads():
    check_grads(lambda T, x: x.transpose(0, 2), arr((2, 3, 4)))
    check_grads(lambda T, x: x.transpose(-1, -2) * 3, arr((2, 3, 4)))
    check_grads(lambda T, x: x.t(), arr((2, 3)))
    check_grads(lambda T, x: x.t(), arr((3,)))
    check_grads(lambda T, x: x.t(), arr(()))
    check_grads(lambda T, x: x.T, arr((2, 3, 4)))
    check_grads(lambda T, x: x.mT, arr((2, 3, 4)))
    check_grads(lambda T, x: T.movedim(x, 0, -1), arr((2, 3, 4)))
    raises_like(lambda T, x: x.t(), arr((2, 3, 4)), msg=True)


# ------------------------------------------------------------------ expand / contiguous
@SET
@given(shape=st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3).map(tuple), data=st.data())
def test_expand(shape, data):
    a = arr(shape)
    lead = tuple(data.draw(st.lists(st.integers(0, 3), max_size=2)))
    target = lead + tuple(data.draw(st.sampled_from([s, -1, 3] if s == 1 else [s, -1])) for s in shape)
    both(lambda T, x: x.expand(*target), a, msg=True)
    both(lambda T, x: x.expand(target).stride(), a, msg=True)
    if 0 not in lead and 0 not in shape:
        check_grads(lambda T, x: x.expand(target), a)


def test_expand_errors():
    raises_like(lambda T, x: x.expand(3, 3), arr((2, 3)), msg=True)
    raises_like(lambda T, x: x.expand(3), arr((2, 3)))
    raises_like(lambda T, x: x.expand(-1, 2, 3), arr((2, 3)), msg=True)
    both(lambda T, x: x.expand_as(T.zeros(4, 2, 3)), arr((2, 1)), msg=True)


def test_contiguous():
    a = arr((2, 3))
    both(lambda T, x: (x.contiguous() is x), a)
    both(lambda T, x: x.t().contiguous(), a)
    both(lambda T, x: (x.t().contiguous().stride(), x.t().contiguous().is_contiguous()), a)
    check_grads(lambda T, x: x.t().contiguous(), a)
    check_grads(lambda T, x: x.contiguous(), a)
    check_grads(lambda T, x: x.clone(), a)


# ------------------------------------------------------------------ NumPy interop
def test_from_numpy_and_numpy_share_memory():
    for dt in ["float32", "float64", "int64", "int32", "uint8", "bool", "int16", "int8", "float16"]:
        a = np.zeros(3, dtype=dt)
        t_r = reftorch.from_numpy(a)
        t_t = torch.from_numpy(a.copy())
        assert str(t_r.dtype) == str(t_t.dtype)
        a[1] = 1
        assert t_r[1].item() == a[1].item()
        n = t_r.numpy()
        n[2] = 1
        assert a[2] == n[2]
    x = reftorch.ones(2, 3)
    x.numpy()[0, 0] = 9
    assert x[0, 0].item() == 9
    # numpy() of a view shares memory too
    v = x.t().numpy()
    v[0, 1] = 4
    assert x[1, 0].item() == 4


def test_numpy_errors():
    raises_like(lambda T, x: x.numpy(), np.ones(2, np.float32), msg=True) if False else None
    for T in (torch, reftorch):
        x = T.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            x.numpy()
        assert x.detach().numpy().tolist() == [1.0, 1.0]
    with pytest.raises(TypeError):
        torch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        reftorch.from_numpy([1, 2])
    with pytest.raises(TypeError):
        reftorch.from_numpy(np.array(["a"]))
    with pytest.raises(TypeError):
        torch.from_numpy(np.array(["a"]))


def test_as_tensor_shares_memory():
    a = np.arange(3.0)
    t = reftorch.as_tensor(a)
    a[0] = 5
    assert t[0].item() == 5
    x = reftorch.tensor([1.0])
    assert reftorch.as_tensor(x) is x


def test_repeat():
    both(lambda T, x: x.repeat(2, 3), arr((2, 3)))
    both(lambda T, x: x.repeat(2, 1, 1), arr((2, 3)))
    check_grads(lambda T, x: x.repeat(2, 2), arr((2, 3)))


def test_reshape_grad_fn_names():
    a = arr((3, 4))
    check_grads(lambda T, x: x[:, ::2].reshape(-1), a)     # strided but viewable: ReshapeAliasBackward0
    check_grads(lambda T, x: x[:, 1].reshape(3, 1), a)
    check_grads(lambda T, x: x.t()[0].reshape(3), arr((3, 3)))
    check_grads(lambda T, x: x[1:].reshape(-1), a)          # contiguous: ViewBackward0
    check_grads(lambda T, x: x.reshape(2, 6), a)
    check_grads(lambda T, x: x.t().reshape(12), a)          # copy: UnsafeViewBackward0 over CloneBackward0
    check_grads(lambda T, x: x[:, 1].view(-1), a)


LAYOUTS = {
    "t": lambda T, x: x.t(),
    "gap": lambda T, x: x.t()[:, ::2],
    "expand0": lambda T, x: x.unsqueeze(0).expand(2, 3, 4),
    "expand_mid": lambda T, x: x.t().unsqueeze(1).expand(4, 2, 3),
    "col": lambda T, x: x[:, :1].expand(3, 5),
    "perm3": lambda T, x: x.reshape(3, 2, 2).permute(2, 0, 1),
    "slice_t": lambda T, x: x[1:, ::3].t(),
}


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_result_layouts(key):
    """Strides of the results of copying ops on strided inputs, as PyTorch lays them out."""
    lay = LAYOUTS[key]
    a = arr((3, 4))
    both(lambda T, x: [y.stride() for y in (lay(T, x).clone(), lay(T, x).contiguous(),
                                            T.cat([lay(T, x), lay(T, x)]), T.stack([lay(T, x), lay(T, x)], -1),
                                            lay(T, x).masked_fill(lay(T, x) > 0, 0.0),
                                            lay(T, x).sum(0), lay(T, x).sum(-1, keepdim=True), lay(T, x).mean(0),
                                            lay(T, x).max(0).values, lay(T, x).argmax(-1),
                                            lay(T, x).repeat(*([1] * lay(T, x).dim())))], a)
    both(lambda T, x: [y.stride() for y in (lay(T, x) * 2, lay(T, x).exp(), lay(T, x) + lay(T, x),
                                            lay(T, x) + lay(T, x).contiguous(), lay(T, x).contiguous() + lay(T, x),
                                            T.maximum(lay(T, x), lay(T, x).clone()), lay(T, x) > 0)], a)
    both(lambda T, x: lay(T, x).clone().flatten().grad_fn, a)
