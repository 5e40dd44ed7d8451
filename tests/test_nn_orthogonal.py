"""nn.utils.parametrizations.orthogonal against PyTorch: every map with and without the
trivialization, square, tall, wide and batched weights, the seeded initial weights (the
randn columns of a non-square base), gradients of the original, assignment, reprs,
state_dict keys, errors."""
from __future__ import annotations

import pytest
import torch

import reftorch

pytestmark = pytest.mark.torch


def _build(T, shape, orthogonal_map, trivial, seed=0):
    T.manual_seed(seed)
    if len(shape) == 2:
        layer = T.nn.Linear(shape[1], shape[0])
    else:
        layer = T.nn.Module()
        layer.weight = T.nn.Parameter(T.randn(*shape))
    return T.nn.utils.parametrizations.orthogonal(layer, orthogonal_map=orthogonal_map,
                                                  use_trivialization=trivial)


def _same(r, t, atol=2e-5):
    t = t.detach()
    assert tuple(r.shape) == tuple(t.shape)
    assert (r.detach().numpy() - t.numpy().astype(r.detach().numpy().dtype)).__abs__().max() <= atol, (r, t)


CASES = [((3, 3), m, tr) for m in ("matrix_exp", "cayley", "householder", None) for tr in (True, False)]
CASES += [((5, 3), m, tr) for m in ("matrix_exp", "cayley", "householder") for tr in (True, False)]
CASES += [((2, 4), m, True) for m in ("matrix_exp", "cayley", "householder")]
CASES += [((2, 3, 3), "matrix_exp", True), ((2, 4, 2), "householder", False), ((2, 4, 2), "cayley", True)]


@pytest.mark.parametrize("shape, orthogonal_map, trivial", CASES)
def test_orthogonal_weights_and_gradients(shape, orthogonal_map, trivial):
    kt = kr = None
    try:
        mt = _build(torch, shape, orthogonal_map, trivial)
    except Exception as e:  # PyTorch refuses some combinations at registration
        kt = e
    try:
        mr = _build(reftorch, shape, orthogonal_map, trivial)
    except Exception as e:
        kr = e
    if kt is not None or kr is not None:
        assert type(kr) is type(kt) and str(kr) == str(kt), (kr, kt)
        return
    _same(mr.weight, mt.weight)
    assert repr(mr) == repr(mt)
    assert list(mr.state_dict()) == list(mt.state_dict())
    for key, value in mt.state_dict().items():
        _same(mr.state_dict()[key], value)
    # gradients of the unconstrained original, away from the starting point
    with torch.no_grad():
        mt.parametrizations.weight.original.add_(torch.linspace(-0.3, 0.4, mt.parametrizations.weight.original.numel())
                                                 .reshape(mt.parametrizations.weight.original.shape))
    with reftorch.no_grad():
        mr.parametrizations.weight.original.add_(reftorch.linspace(-0.3, 0.4, mr.parametrizations.weight.original.numel())
                                                 .reshape(mr.parametrizations.weight.original.shape))
    _same(mr.weight, mt.weight)
    wt = torch.arange(mt.weight.numel(), dtype=torch.float32).reshape(mt.weight.shape) / 10
    (mt.weight * wt).sum().backward()
    (mr.weight * reftorch.tensor(wt.numpy())).sum().backward()
    _same(mr.parametrizations.weight.original.grad, mt.parametrizations.weight.original.grad, atol=1e-4)


@pytest.mark.parametrize("orthogonal_map", ["matrix_exp", "cayley", "householder"])
def test_assigning_an_orthogonal_matrix(orthogonal_map):
    out = []
    for T in (torch, reftorch):
        m = _build(T, (4, 4), orthogonal_map, True)
        T.manual_seed(3)
        Q = T.linalg.qr(T.randn(4, 4)).Q
        m.weight = Q
        out.append((m.weight.detach().clone(), m.parametrizations.weight.original.detach().clone()))
    _same(out[1][0], out[0][0])
    _same(out[1][1], out[0][1])


def test_errors():
    for T in (torch, reftorch):
        orth = T.nn.utils.parametrizations.orthogonal
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
            m = T.nn.Module()
            m.weight = T.nn.Parameter(T.zeros(3))
            orth(m)
        with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                                             'Got: qr'):
            orth(T.nn.Linear(2, 2), orthogonal_map="qr")
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
            orth(T.nn.Linear(2, 2), "w")
        with pytest.raises(ValueError, match="The householder parametrization does not support complex tensors."):
            m = T.nn.Module()
            m.weight = T.nn.Parameter(T.zeros(2, 2, dtype=T.complex64))
            orth(m, orthogonal_map="householder")
        m = orth(T.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign to the matrix exponential"):
            m.weight = T.eye(3)
        m = orth(T.nn.Linear(3, 3))
        with pytest.raises(ValueError, match=r"Expected a matrix or batch of matrices of shape"):
            m.weight = T.eye(2)


def test_complex_unitary():
    outs = []
    for T in (torch, reftorch):
        T.manual_seed(0)
        m = T.nn.Module()
        m.weight = T.nn.Parameter(T.randn(3, 3) + 1j * T.randn(3, 3))
        T.nn.utils.parametrizations.orthogonal(m)
        outs.append(m.weight.detach())
    _same(outs[1].abs(), outs[0].abs())
    _same(outs[1].real, outs[0].real)
