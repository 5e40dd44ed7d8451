"""Conformance edges, checked against PyTorch: gradients of complex inputs (PyTorch's
convention: the incoming gradient times the *conjugate* derivative, ``grad * other.conj()``
for ``mul``), with ``create_graph`` too; a real input's share of a complex gradient is its
real part, taken without NumPy's ComplexWarning."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reftorch

XS = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j], dtype=np.complex64)
YS = np.array([0.3 - 1j, 1.5 + 0.5j, -2 + 2j], dtype=np.complex64)

# f(module, a, b) for complex leaves a, b of shape (3,)
COMPLEX_OPS = {
    "mul": lambda T, a, b: a * b,
    "div": lambda T, a, b: a / b,
    "add_alpha": lambda T, a, b: T.add(a, b, alpha=2),
    "sub_alpha": lambda T, a, b: T.sub(a, b, alpha=2),
    "add_complex_alpha": lambda T, a, b: T.add(a, b, alpha=0.5 + 1j),
    "sub_complex_alpha": lambda T, a, b: T.sub(a, b, alpha=1 + 1j),
    "rsub_complex_alpha": lambda T, a, b: T.rsub(a, b, alpha=1 - 2j),
    "rsub_number_complex_alpha": lambda T, a, b: T.rsub(a, 2j, alpha=1j) * b,
    "sub_number_complex_alpha": lambda T, a, b: T.sub(a, 2, alpha=1j) * b,
    "rsub_number": lambda T, a, b: 3 - a * b,
    "number_div": lambda T, a, b: 2 / a + b,
    "mul_complex_number": lambda T, a, b: a * (2 + 1j) + b,
    "div_complex_number": lambda T, a, b: a / (2 - 1j) + b,
    "sum": lambda T, a, b: (a * b).sum().reshape(1),
    "sum_dim": lambda T, a, b: (a.reshape(3, 1) * b).sum(0),
    "mean": lambda T, a, b: (a * b).mean().reshape(1),
    "pow_2": lambda T, a, b: a ** 2 + b,
    "pow_3": lambda T, a, b: T.pow(a, 3) + b,
    "pow_complex_number": lambda T, a, b: a ** (0.5 + 1j) + b,
    "pow_tensor": lambda T, a, b: T.pow(a, b),
    "number_pow": lambda T, a, b: 2 ** a + b,
    "exp": lambda T, a, b: T.exp(a) * b,
    "log": lambda T, a, b: T.log(a) * b,
    "sqrt": lambda T, a, b: T.sqrt(a) * b,
    "sin": lambda T, a, b: T.sin(a) * b,
    "cos": lambda T, a, b: T.cos(a) * b,
    "tanh": lambda T, a, b: T.tanh(a) * b,
    "sigmoid": lambda T, a, b: T.sigmoid(a) * b,
    "reciprocal": lambda T, a, b: T.reciprocal(a) * b,
    "abs": lambda T, a, b: T.abs(a) * b,
    "conj": lambda T, a, b: T.conj(a) * b,
    "neg": lambda T, a, b: -a * b,
    "dot": lambda T, a, b: T.dot(a, b).reshape(1),
    "matmul_outer": lambda T, a, b: (a.reshape(3, 1) @ b.reshape(1, 3)).reshape(-1),
    "mm": lambda T, a, b: T.mm(a.reshape(1, 3), b.reshape(3, 1)).reshape(-1),
    "mv": lambda T, a, b: T.mv(a.reshape(1, 3), b),
    "einsum": lambda T, a, b: T.einsum("i,j->ij", a, b).reshape(-1),
    "cumsum": lambda T, a, b: T.cumsum(a * b, 0),
    "cumprod": lambda T, a, b: T.cumprod(a * b, 0),
    "flip": lambda T, a, b: T.flip(a * b, [0]),
    "where": lambda T, a, b: T.where(T.tensor([True, False, True]), a, b) * a,
    "vector_norm": lambda T, a, b: T.linalg.vector_norm(a * b).reshape(1),
    "cat": lambda T, a, b: T.cat([a * b, a]),
    "bmm": lambda T, a, b: T.bmm(a.reshape(1, 3, 1), b.reshape(1, 1, 3)).reshape(-1),
    "linear": lambda T, a, b: T.nn.functional.linear(a.reshape(1, 3), b.reshape(1, 3) * a.reshape(3, 1), b).reshape(-1),
    "mul_": lambda T, a, b: (a * 1).mul_(b) * b,
    "div_": lambda T, a, b: (a * 1).div_(b) * b,
}


def _grad_out(T, out):
    n = out.numel()
    g = (np.linspace(0.3, 1.2, n) + 1j * np.linspace(-0.7, 0.4, n)).astype(np.complex64).reshape(tuple(out.shape))
    return T.tensor(g if out.is_complex() else g.real.copy())


def _numpy(t):
    if t is None:
        return None
    t = t.detach()
    if hasattr(t, "resolve_conj"):
        t = t.resolve_conj()
    return np.asarray(t.numpy())


def _grads(T, fn, create_graph):
    a = T.tensor(XS, requires_grad=True)
    b = T.tensor(YS, requires_grad=True)
    out = fn(T, a, b)
    g = _grad_out(T, out)
    if create_graph:
        ga, gb = T.autograd.grad(out, [a, b], grad_outputs=g, create_graph=True, allow_unused=True)
        s = (a * b).abs().sum()  # (a linear op's gradients are constants: keep a graph)
        for gr in (ga, gb):
            if gr is not None:
                s = s + (gr.abs() ** 2).sum() + (gr * (0.5 - 0.25j)).abs().sum()
        s.backward()
    else:
        out.backward(g)
    return _numpy(a.grad), _numpy(b.grad)


@pytest.mark.parametrize("create_graph", [False, True], ids=["first", "create_graph"])
@pytest.mark.parametrize("name", sorted(COMPLEX_OPS))
def test_complex_gradients_follow_pytorch(name, create_graph):
    fn = COMPLEX_OPS[name]
    expected = _grads(torch, fn, create_graph)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed that PyTorch does not print
        got = _grads(reftorch, fn, create_graph)
    for e, r in zip(expected, got):
        assert (e is None) == (r is None)
        if e is not None:
            assert r.dtype == e.dtype
            np.testing.assert_allclose(r, e, rtol=2e-5, atol=2e-5)


def test_mul_gradient_is_grad_times_conjugate_by_hand():
    # d/dz of z * w under PyTorch's convention: grad * conj(w)
    a = reftorch.tensor([1 + 2j], requires_grad=True)
    (a * reftorch.tensor([3 - 1j])).backward(reftorch.tensor([1 + 0j]))
    assert a.grad.tolist() == [3 + 1j]


# f(module, x) for a real leaf x of shape (3,) whose result is complex
C = [0.5 - 1j, 2 + 0.5j, -1 + 1j]
REAL_TO_COMPLEX = {
    "mul": lambda T, x: x * T.tensor(C),
    "add": lambda T, x: x + T.tensor(C),
    "rsub": lambda T, x: T.tensor(C) - x,
    "div": lambda T, x: x / T.tensor(C),
    "number_div": lambda T, x: T.tensor(C) / x,
    "mul_number": lambda T, x: x * (1 + 2j),
    "add_number": lambda T, x: x + (1 + 2j),
    "pow_base": lambda T, x: T.tensor(C) ** x,
    "pow_exponent": lambda T, x: x ** T.tensor(C),
    "to": lambda T, x: x.to(T.complex64) * T.tensor(C),
    "cat": lambda T, x: T.cat([x, T.tensor(C)]) * T.tensor(C + C),
    "stack": lambda T, x: T.stack([x, T.tensor(C)]) * T.tensor([C, C]),
    "matmul": lambda T, x: T.tensor([C]) @ x.to(T.complex64).reshape(3, 1),
    "broadcast_mul": lambda T, x: (x.reshape(3, 1) * T.tensor(C)).sum(0),
}


@pytest.mark.parametrize("name", sorted(REAL_TO_COMPLEX))
def test_real_leaf_through_complex_result_no_warning(name):
    fn = REAL_TO_COMPLEX[name]
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = fn(T, x)
            out.backward(_grad_out(T, out))
        res.append(_numpy(x.grad))
    assert res[1].dtype == res[0].dtype == np.float32
    np.testing.assert_allclose(res[1], res[0], rtol=1e-6, atol=1e-6)


def test_real_leaf_through_complex_create_graph_no_warning():
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = x * T.tensor(C) + x.to(T.complex64) ** 2
            (gx,) = T.autograd.grad(out, [x], grad_outputs=_grad_out(T, out), create_graph=True)
            (gx ** 2).sum().backward()
        res.append((_numpy(gx), _numpy(x.grad)))
    for e, r in zip(*res):
        assert r.dtype == e.dtype
        np.testing.assert_allclose(r, e, rtol=1e-5, atol=1e-5)


SPLITS = {
    "split_2": lambda T, z: T.split(z, 2),
    "split_sizes": lambda T, z: T.split(z, [1, 3, 2]),
    "chunk_3": lambda T, z: T.chunk(z, 3),
    "split_dim1": lambda T, z: z.split(2, dim=1),
    "unbind": lambda T, z: T.unbind(z),
}


@pytest.mark.parametrize("used", [(0,), (0, 2), "all"])
@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_pieces_gradients(name, used):
    # reftorch gives each piece a node of its own (documented in guide/library.md); the
    # names, edges and the gradients summed into the input are PyTorch's
    res = []
    for T in (torch, reftorch):
        z = T.arange(18.0).reshape(6, 3).requires_grad_()
        pieces = SPLITS[name](T, z)
        keep = range(len(pieces)) if used == "all" else [i for i in used if i < len(pieces)]
        loss = sum(((pieces[i] * (i + 1.5)) ** 2).sum() for i in keep)
        (g,) = T.autograd.grad(loss, [z], create_graph=True, retain_graph=True)
        (g ** 2).sum().backward(retain_graph=True)
        loss.backward(retain_graph=True)
        loss.backward()
        info = [(type(p.grad_fn).__name__, [type(n).__name__ for n, _ in p.grad_fn.next_functions]) for p in pieces]
        res.append((info, _numpy(g), _numpy(z.grad)))
    assert res[1][0] == res[0][0]
    np.testing.assert_allclose(res[1][1], res[0][1])
    np.testing.assert_allclose(res[1][2], res[0][2])


def _outcome(T, expr):
    x = T.arange(18.0).reshape(6, 3)
    try:
        r = eval(expr, {"T": T, "x": x})
    except Exception as e:  # the exception type is what must agree
        return type(e), None
    return None, r


def _same_outcome(expr, message=True):
    (te, tr), (re_, rr) = _outcome(torch, expr), _outcome(reftorch, expr)
    assert re_ is te, (expr, te, re_)
    if te is None:
        if isinstance(tr, tuple):
            assert len(rr) == len(tr)
            for p, q in zip(tr, rr):
                np.testing.assert_array_equal(q.numpy(), p.numpy())
        else:
            assert str(rr.dtype).replace("reftorch", "torch") == str(tr.dtype)
            np.testing.assert_array_equal(rr.numpy(), tr.numpy())


@pytest.mark.parametrize("expr", [
    "x.split(split_size=2)", "x.split(split_size=[1, 5])", "x.split(split_size=2, dim=1)", "x.split(2, 1)",
    "x.split(split_size_or_sections=2)", "T.split(x, split_size_or_sections=2)", "T.split(x, split_size=2)",
])
def test_split_keywords(expr):
    _same_outcome(expr)


@pytest.mark.parametrize("expr", [
    "x.squeeze(True)", "T.squeeze(x, True)", "x.squeeze((True,))", "x.sum(True)", "x.sum(False)",
    "x.sum((True,))", "x.sum(dim=True)", "T.sum(x, True)", "x.mean(True)", "x.mean((True,))", "T.mean(x, True)",
    "x.unsqueeze(True)", "x.unsqueeze(dim=True)", "x.amax(True)", "x.argmax(True)", "x.cumsum(True)",
    "x.softmax(True)", "x.movedim(True, 0)", "x.max(True)", "x.norm(dim=True)", "x.all(True)", "x.any(True)",
    "x.transpose(True, 0)", "T.cat([x, x], True)", "T.stack([x, x], True)", "x.flip(True)", "x.unbind(True)",
    # what still works: keepdim is a bool, an int dim
    "x.sum(0, True)", "x.sum(1)", "x.mean((0, 1))",
])
def test_bool_dims_refused(expr):
    _same_outcome(expr)


@pytest.mark.parametrize("expr", [
    "T.cat([x, x], out=T.zeros(12, 3, dtype=T.int32))", "T.cat([x, x], out=T.zeros(12, 3, dtype=T.bool))",
    "T.concat([x, x], out=T.zeros(12, 3, dtype=T.int64))", "T.stack([x, x], out=T.zeros(2, 6, 3, dtype=T.int32))",
    "T.cat([x, x], out=T.zeros(12, 3, dtype=T.float16))", "T.cat([x.long(), x.long()], out=T.zeros(12, 3))",
    "T.cat([x.to(T.complex64), x], out=T.zeros(12, 3))",
    "T.add(x, x, out=T.zeros(6, 3, dtype=T.int32))", "T.mul(x, x, out=T.zeros(6, 3, dtype=T.int64))",
    "T.sub(x, 1, out=T.zeros(6, 3, dtype=T.int32))", "T.div(x, 2, out=T.zeros(6, 3, dtype=T.int64))",
    "T.matmul(x, x.T, out=T.zeros(6, 6, dtype=T.int32))", "T.add(x.to(T.complex64), 1, out=T.zeros(6, 3))",
    "T.add(x.long(), 1, out=T.zeros(6, 3, dtype=T.int32))",
    "T.cumsum(x * 0.3, 0, out=T.zeros(6, 3, dtype=T.int32))", "T.cumprod(x * 0.1 + 1, 0, out=T.zeros(6, 3, dtype=T.int64))",
    "T.cumsum(x.long(), 0, out=T.zeros(6, 3))", "T.cumsum(x, 0, dtype=T.float64, out=T.zeros(6, 3, dtype=T.int32))",
    "T.cumsum(x, 0, dtype=T.float32, out=T.zeros(6, 3, dtype=T.float64))",
])
def test_out_of_another_dtype(expr):
    _same_outcome(expr)


def test_out_error_messages():
    for T in (torch, reftorch):
        x = T.ones(2, 3)
        with pytest.raises(TypeError, match=r"^torch.cat\(\): input types can't be cast to the desired output type Int$"):
            T.stack([x, x], out=T.zeros(2, 2, 3, dtype=T.int32))
        with pytest.raises(RuntimeError, match="^Expected out tensor to have dtype double, but got c10::complex<float>"):
            T.cumsum(x, 0, dtype=T.float64, out=T.zeros(2, 3, dtype=T.complex64))


@pytest.mark.parametrize("expr", [
    "T.cat([x, x], axis=None)", "T.cat([x, x], axis=1)", "T.cat([x, x], axis=-1)", "T.cat([x, x], dim=1, axis=1)",
    "T.cat([x, x], 1, axis=0)", "T.cat([x, x], axis='a')", "T.concat([x, x], axis=1)",
    "T.concatenate([x, x], axis=None)", "T.stack([x, x], axis=None)", "T.stack([x, x], axis=2)",
    "T.stack([x, x], dim=1, axis=1)", "T.cat([x, x], axis=1, out=T.zeros(6, 6))",
])
def test_cat_axis(expr):
    _same_outcome(expr)


_RNG = np.random.default_rng(0)
CX = (_RNG.standard_normal((2, 2, 6)) + 1j * _RNG.standard_normal((2, 2, 6))).astype(np.complex64)
CW = (_RNG.standard_normal((4, 2, 3)) + 1j * _RNG.standard_normal((4, 2, 3))).astype(np.complex64)
CB = (_RNG.standard_normal(4) + 1j * _RNG.standard_normal(4)).astype(np.complex64)


def _conv_grads(T, two_d, groups, create_graph):
    x, w, b = (T.tensor(a, requires_grad=True) for a in (CX, CW, CB))
    if two_d:
        out = T.nn.functional.conv2d(x.reshape(2, 2, 2, 3), w.reshape(4, 2, 3, 1)[:, : 2 // groups], b,
                                     padding=(1, 0), groups=groups)
    else:
        out = T.nn.functional.conv1d(x, w[:, : 2 // groups], b, padding=1, stride=2, groups=groups)
    g = T.ones_like(out) * (0.3 - 0.8j)
    if create_graph:
        grads = T.autograd.grad(out, [x, w, b], grad_outputs=g, create_graph=True)
        s = (x * 1).abs().sum()
        for q in grads:
            s = s + (q.abs() ** 2).sum()
        s.backward()
    else:
        out.backward(g)
    return [_numpy(t.grad) for t in (x, w, b)]


@pytest.mark.parametrize("create_graph", [False, True], ids=["first", "create_graph"])
@pytest.mark.parametrize("two_d", [False, True], ids=["conv1d", "conv2d"])
@pytest.mark.parametrize("groups", [1, 2])
def test_complex_convolution_gradients(two_d, groups, create_graph):
    expected = _conv_grads(torch, two_d, groups, create_graph)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = _conv_grads(reftorch, two_d, groups, create_graph)
    for e, r in zip(expected, got):
        assert (e is None) == (r is None)
        if e is not None:
            np.testing.assert_allclose(r, e, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["sum_dtype", "sum_dim_dtype", "where"])
def test_complex_gradient_refused_for_real_input(name):
    # ops whose PyTorch formula hands a complex gradient to a real input: its engine refuses it
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        out = {"sum_dtype": lambda: x.sum(dtype=T.complex64),
               "sum_dim_dtype": lambda: x.sum(0, dtype=T.complex64),
               "where": lambda: T.where(T.tensor([True, False]), x, T.tensor([1 + 1j, 2j]))}[name]()
        with pytest.raises(RuntimeError, match=r"^Expected isFloatingType\(grad.scalar_type\(\)\) \|\| "
                                               r"\(input_is_complex == grad_is_complex\) to be true"):
            out.backward(T.ones_like(out) * (1 + 1j))


@pytest.mark.parametrize("case", ["complex_for_real", "real_for_complex", "complex128_for_complex64",
                                  "float64_for_float32", "grad_complex_for_real"])
def test_gradient_argument_complex_dtype(case):
    res = []
    for T in (torch, reftorch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        z = T.tensor([1j, 2.0], requires_grad=True)
        run = {
            "complex_for_real": lambda: (x * 2).backward(T.tensor([1 + 1j, 2j])),
            "real_for_complex": lambda: (z * 2).backward(T.tensor([1.0, 2.0])),
            "complex128_for_complex64": lambda: (z * 2).backward(T.tensor([1 + 1j, 2j], dtype=T.complex128)),
            "float64_for_float32": lambda: (x * 2).backward(T.tensor([1.0, 2.0], dtype=T.float64)),
            "grad_complex_for_real": lambda: T.autograd.grad(x * 2, [x], grad_outputs=T.tensor([1 + 1j, 2j])),
        }[case]
        try:
            run()
        except RuntimeError as e:
            res.append(str(e))
        else:
            res.append([_numpy(t.grad) for t in (x, z)])
    if isinstance(res[0], str):
        assert res[1] == res[0]
    else:
        for e, r in zip(*res):
            assert (e is None) == (r is None)
            if e is not None:
                assert r.dtype == e.dtype
                np.testing.assert_array_equal(r, e)
