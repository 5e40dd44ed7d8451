"""Differential tests against PyTorch 2.13 for three small conformance differences:

* layer and group norm of rows whose moments overflow (PyTorch's ``RowwiseMoments``
  gives ``nan`` for a row of values beyond ``sqrt(max)``, an ``inf`` variance, so zeros,
  for a row whose squared deviations overflow);
* the signs of zero in ``nll_loss``'s gradient (``-weight * grad`` written into zeros);
* ``nll_loss``'s gradient as a differentiable op (``NllLossBackwardBackward0``).
"""
import numpy as np
import pytest
import torch

import reftorch as rt

F, TF = rt.nn.functional, torch.nn.functional


def _close(r, t):
    torch.testing.assert_close(torch.from_numpy(np.array(r.detach().numpy())), t.detach(), equal_nan=True,
                               rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------- layer and group norm
@pytest.mark.parametrize("dtype,big", [(np.float32, 3e37), (np.float32, 2e19), (np.float64, 1e155)])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 24, 100, 129, 300])
def test_layer_norm_constant_rows_of_large_values(dtype, big, n):
    # a constant row beyond sqrt(max): nan when the last, scalar merge of PyTorch's moments
    # has nothing on one side (fewer elements than a vector, or none after the last one)
    a = np.full((2, n), big, dtype)
    a[1] = -big
    r = F.layer_norm(rt.tensor(a), (n,))
    t = TF.layer_norm(torch.from_numpy(a), (n,))
    _close(r, t)


@pytest.mark.parametrize("scale", [1e17, 1e19, 3e19, 1e20, 1e25, 1e37, 3e38])
@pytest.mark.parametrize("n", [2, 4, 7, 8, 9, 16, 17, 33, 256, 257, 600])
def test_layer_and_group_norm_rows_of_large_values(scale, n):
    rng = np.random.default_rng(n)
    rows = [rng.standard_normal(n) * scale, (rng.random(n) + 1) * scale, rng.standard_normal(n)]
    rows[2][n // 2] = scale  # one large element in an ordinary row
    with np.errstate(over="ignore"):  # (3e38 * 1.9 is beyond float32: inf, an input like any other)
        a = np.stack(rows).astype(np.float32)
    w = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    r = F.layer_norm(rt.tensor(a), (n,), rt.tensor(w), rt.tensor(b))
    t = TF.layer_norm(torch.from_numpy(a), (n,), torch.from_numpy(w), torch.from_numpy(b))
    _close(r, t)
    if n % 2 == 0:
        r = F.group_norm(rt.tensor(a).reshape(3, 2, n // 2), 2)
        t = TF.group_norm(torch.from_numpy(a).reshape(3, 2, n // 2), 2)
        _close(r, t)


def test_group_norm_constant_groups_of_large_values():
    a = np.full((2, 4, 3), 3e37, np.float32)
    a[1, 2:] = 1.5  # an ordinary constant group
    r = F.group_norm(rt.tensor(a), 2)
    t = TF.group_norm(torch.from_numpy(a), 2)
    _close(r, t)
    assert bool(torch.isnan(t[0]).all()) and bool(rt.isnan(r[0]).all())


def test_overflow_rows_leave_ordinary_rows_bit_identical():
    rng = np.random.default_rng(0)
    ordinary = rng.standard_normal((5, 24)).astype(np.float32)
    mixed = ordinary.copy()
    mixed[2] = 3e37  # a rare row among ordinary ones
    alone = F.layer_norm(rt.tensor(ordinary), (24,)).numpy()
    together = F.layer_norm(rt.tensor(mixed), (24,)).numpy()
    keep = [0, 1, 3, 4]
    assert np.array_equal(alone[keep].view(np.uint32), together[keep].view(np.uint32))
    assert np.isnan(together[2]).all()
    _close(F.layer_norm(rt.tensor(mixed), (24,)), TF.layer_norm(torch.from_numpy(mixed), (24,)))


def test_layer_norm_overflow_rows_backward():
    a = np.array([[3e37] * 4, [1.0, -2.0, 3.0, 0.5], [1e30, -1e30, 1.0, 2.0]], np.float32)
    g = np.array([[1.0, 2.0, -1.0, 0.5]] * 3, np.float32)
    xr, xt = rt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    wr, wt = rt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True), torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    yr, yt = F.layer_norm(xr, (4,), wr), TF.layer_norm(xt, (4,), wt)
    _close(yr, yt)
    yr.backward(rt.tensor(g))
    yt.backward(torch.tensor(g))
    _close(xr.grad, xt.grad)
    _close(wr.grad, wt.grad)


def test_overflow_rows_on_the_strict_device():
    # the same kernel over the array API standard (the stand-in accelerator)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 300)).astype(np.float32)
    a[1] = 3e37
    a[2, 7] = 1e25
    a[3, :150] = 1e30
    t = TF.layer_norm(torch.from_numpy(a), (300,))
    r = F.layer_norm(rt.tensor(a, device="strict"), (300,)).to("cpu")
    _close(r, t)
    t = TF.group_norm(torch.from_numpy(a).reshape(2, 4, 150), 2)
    r = F.group_norm(rt.tensor(a, device="strict").reshape(2, 4, 150), 2).to("cpu")
    _close(r, t)
