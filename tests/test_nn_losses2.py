"""Differential tests of smooth_l1_loss / huber_loss (functional and modules) against PyTorch:
values, dtypes, gradients of input and target, grad_fn names, reprs, warnings, errors, and the
strict device.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import reftorch
import reftorch.nn.functional as RF

import torch  # the oracle
import torch.nn.functional as TF

RNG = np.random.default_rng(7)
X = (RNG.standard_normal((3, 4)) * 2).astype(np.float32)
Y = (RNG.standard_normal((3, 4)) * 2).astype(np.float32)
X[0, 0], Y[0, 0] = 1.0, 0.0  # |d| exactly at the threshold 1
X[0, 1], Y[0, 1] = -1.0, 0.0
REDS = ["mean", "sum", "none"]
# (functional name, parameter name, values to try)
LOSSES = [("smooth_l1_loss", "beta", [1.0, 0.5, 2.5]), ("huber_loss", "delta", [1.0, 0.5, 2.5])]


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach().tolist())


def _close(r, t, dtype=np.float32):
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert tuple(r.shape) == tuple(t.shape)
    assert str(r.dtype) == str(t.dtype)
    np.testing.assert_allclose(_np(r), _np(t), rtol=tol, atol=tol)


def _pair(lib, x, y, grad=True):
    return (lib.tensor(x, requires_grad=grad), lib.tensor(y, requires_grad=grad))


@pytest.mark.parametrize("name,param,values", LOSSES)
@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_grads_names(name, param, values, reduction, dtype):
    for v in values:
        out = {}
        for lib, F in ((reftorch, RF), (torch, TF)):
            x, y = _pair(lib, X.astype(dtype), Y.astype(dtype))
            loss = getattr(F, name)(x, y, reduction=reduction, **{param: v})
            (loss.sum() if reduction == "none" else loss).backward()
            out[lib] = (loss, x.grad, y.grad, type(loss.grad_fn).__name__ if lib is reftorch else None)
        r, t = out[reftorch], out[torch]
        _close(r[0], t[0], dtype)
        _close(r[1], t[1], dtype)
        _close(r[2], t[2], dtype)
        assert r[0].grad_fn.name() == t[0].grad_fn.name()
        rn = [type(f).__name__ if f is not None else None for f, _ in r[0].grad_fn.next_functions]
        tn = [type(f).__name__ if f is not None else None for f, _ in t[0].grad_fn.next_functions]
        assert rn == tn


def test_smooth_l1_beta_zero_is_l1():
    for lib, F in ((reftorch, RF), (torch, TF)):
        x, y = _pair(lib, X, Y)
        loss = F.smooth_l1_loss(x, y, beta=0.0)
        loss.backward()
        if lib is reftorch:
            r = (loss, x.grad, loss.grad_fn.name())
        else:
            _close(r[0], loss)
            _close(r[1], x.grad)
            assert r[2] == loss.grad_fn.name() == "MeanBackward0"


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_broadcast_warning_and_values(name):
    res = {}
    for lib, F in ((reftorch, RF), (torch, TF)):
        x, y = _pair(lib, X, Y[:1])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            loss = getattr(F, name)(x, y)
        loss.backward()
        res[lib] = (loss, x.grad, y.grad, [(c.category, str(c.message)) for c in w])
    r, t = res[reftorch], res[torch]
    for a, b in zip(r[:3], t[:3]):
        _close(a, b)
    assert r[3] == [(UserWarning, m.replace("torch.Size", "torch.Size")) for _, m in t[3]]
    assert len(r[3]) == 1


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_dtype_promotion_and_errors(name):
    for xd, yd in [("float32", "float64"), ("float32", "int64"), ("float64", "float32"), ("int64", "float32")]:
        if name == "huber_loss" and (xd, yd) in [("float32", "float64"), ("int64", "float32")]:
            continue  # huber keeps the input's dtype: test_huber_keeps_input_dtype
        r = getattr(RF, name)(reftorch.ones(2, dtype=getattr(reftorch, xd)), reftorch.zeros(2, dtype=getattr(reftorch, yd)))
        t = getattr(TF, name)(torch.ones(2, dtype=getattr(torch, xd)), torch.zeros(2, dtype=getattr(torch, yd)))
        _close(r, t)
    bad = [
        dict(args=(np.array([1, 2]), np.array([1, 2])), kw={}),
        dict(args=(X, Y), kw={"reduction": "avg"}),
        dict(args=(X, Y), kw={"beta" if name == "smooth_l1_loss" else "delta": -1.0}),
    ]
    if name == "huber_loss":
        bad.append(dict(args=(X, Y), kw={"delta": 0.0}))
    for case in bad:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                getattr(F, name)(*(lib.tensor(a) for a in case["args"]), **case["kw"])
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


def test_empty_mean_is_nan():
    for name in ("smooth_l1_loss", "huber_loss"):
        r = getattr(RF, name)(reftorch.empty(0), reftorch.empty(0))
        t = getattr(TF, name)(torch.empty(0), torch.empty(0))
        assert np.isnan(r.item()) and np.isnan(t.item())


def test_huber_weight():
    w = RNG.random((3, 4)).astype(np.float32)
    for reduction in REDS:
        res = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            x, y = _pair(lib, X, Y)
            loss = F.huber_loss(x, y, reduction=reduction, delta=0.7, weight=lib.tensor(w))
            loss.sum().backward()
            res.append((loss, x.grad))
        _close(res[0][0], res[1][0])
        _close(res[0][1], res[1][1])
        assert res[0][0].grad_fn.name() == res[1][0].grad_fn.name()
    for kw in [{"weight": (4,)}, {"weight": (3, 4), "reduction": "x"}, {"weight": (3, 4), "reduction": "x", "delta": -1.0},
               {"weight": (4,), "delta": -1.0}]:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                F.huber_loss(lib.tensor(X), lib.tensor(Y), **{**kw, "weight": lib.ones(*kw["weight"])})
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


def test_modules_repr_and_values():
    pairs = [
        (reftorch.nn.SmoothL1Loss(), torch.nn.SmoothL1Loss()),
        (reftorch.nn.SmoothL1Loss(beta=0.5, reduction="sum"), torch.nn.SmoothL1Loss(beta=0.5, reduction="sum")),
        (reftorch.nn.HuberLoss(), torch.nn.HuberLoss()),
        (reftorch.nn.HuberLoss(reduction="none", delta=2.0), torch.nn.HuberLoss(reduction="none", delta=2.0)),
    ]
    for r, t in pairs:
        assert repr(r) == repr(t)
        _close(r(reftorch.tensor(X), reftorch.tensor(Y)), t(torch.tensor(X), torch.tensor(Y)))
        assert list(r.state_dict()) == list(t.state_dict())


def test_module_legacy_reduction_warns_like_torch():
    msgs = []
    for lib in (reftorch, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m = lib.nn.SmoothL1Loss(size_average=False)
        msgs.append(([str(c.message) for c in w], m.reduction))
    assert msgs[0] == msgs[1]


def test_second_order_gradient():
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        x, y = _pair(lib, X, Y)
        loss = F.huber_loss(x, y, delta=0.8) + F.smooth_l1_loss(x, y, beta=1.5)
        (gx,) = lib.autograd.grad(loss, x, create_graph=True)
        (gx * gx).sum().backward()
        res.append((gx, x.grad, y.grad))
    for a, b in zip(*res):
        _close(a, b)


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_strict_device(name):
    x = reftorch.tensor(X, device="strict", requires_grad=True)
    y = reftorch.tensor(Y, device="strict")
    loss = getattr(RF, name)(x, y, reduction="sum")
    loss.backward()
    assert loss.device.type == "strict" and x.grad.device.type == "strict"
    tx = torch.tensor(X, requires_grad=True)
    tl = getattr(TF, name)(tx, torch.tensor(Y), reduction="sum")
    tl.backward()
    _close(loss.to("cpu"), tl)
    _close(x.grad.to("cpu"), tx.grad)


def test_huber_keeps_input_dtype():
    for xd, yd in [("float32", "float64"), ("float16", "float32"), ("float64", "float32")]:
        res = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            x = lib.tensor(X, dtype=getattr(lib, xd), requires_grad=True)
            y = lib.tensor(Y, dtype=getattr(lib, yd))  # torch's backward fails for a target grad here
            loss = F.huber_loss(x, y, delta=0.9)  # (torch's backward fails for mixed dtypes)
            res.append((loss, loss, loss.grad_fn.name()))
        for a, b in zip(res[0][:2], res[1][:2]):
            assert str(a.dtype) == str(b.dtype)
            np.testing.assert_allclose(_np(a).astype(np.float64), _np(b).astype(np.float64), rtol=2e-3, atol=1e-3)
        assert res[0][2] == res[1][2]
    for xd, yd in [("int64", "float32"), ("int64", "int64"), ("int32", "int64")]:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                F.huber_loss(lib.ones(2, dtype=getattr(lib, xd)), lib.zeros(2, dtype=getattr(lib, yd)))
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


# ---------------------------------------------------------------------- kl_div
LOGP = np.log(RNG.dirichlet(np.ones(4), size=3)).astype(np.float32)
PT = RNG.dirichlet(np.ones(4), size=3).astype(np.float32)
PT[1, 2] = 0.0  # a zero target: 0 * log 0 = 0, and torch's nan target gradient


def _names(fn, depth=2):
    if fn is None:
        return None
    if depth == 0:
        return fn.name().split("::")[-1]
    return (fn.name().split("::")[-1], [_names(f, depth - 1) for f, _ in fn.next_functions])


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_div(reduction, log_target, dtype):
    tgt = np.log(PT + 0.01) if log_target else PT
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        x, y = _pair(lib, LOGP.astype(dtype), tgt.astype(dtype))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            loss = F.kl_div(x, y, reduction=reduction, log_target=log_target)
        loss.sum().backward()
        res.append((loss, x.grad, y.grad, _names(loss.grad_fn), [(c.category, str(c.message)) for c in w]))
    for a, b in zip(res[0][:3], res[1][:3]):
        _close(a, b, dtype)
    assert res[0][3] == res[1][3]
    assert res[0][4] == res[1][4]
    assert len(res[0][4]) == (reduction == "mean")


def test_kl_div_broadcast_scalar_dtypes_errors():
    for args in [(LOGP, PT[:1]), (np.float32(-1.0), np.float32(0.5))]:
        r = RF.kl_div(reftorch.tensor(args[0]), reftorch.tensor(args[1]), reduction="batchmean")
        t = TF.kl_div(torch.tensor(args[0]), torch.tensor(args[1]), reduction="batchmean")
        _close(r, t)
    r = RF.kl_div(reftorch.tensor(LOGP, dtype=reftorch.float64), reftorch.tensor(PT), reduction="sum")
    t = TF.kl_div(torch.tensor(LOGP, dtype=torch.float64), torch.tensor(PT), reduction="sum")
    _close(r, t)  # float64 result, but xlogy of the float32 target is only float32-exact
    for a, b, kw in [(LOGP, PT, {"reduction": "bad"}), (np.array([1, 2]), np.array([1, 2]), {"reduction": "sum"}),
                     (np.array([1.0, 2.0], np.float32), np.array([1, 2]), {"reduction": "sum"})]:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                F.kl_div(lib.tensor(a), lib.tensor(b), **kw)
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


def test_kl_div_module():
    for kw in [{}, {"reduction": "batchmean"}, {"reduction": "sum", "log_target": True}]:
        r, t = reftorch.nn.KLDivLoss(**kw), torch.nn.KLDivLoss(**kw)
        assert repr(r) == repr(t)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _close(r(reftorch.tensor(LOGP), reftorch.tensor(PT)), t(torch.tensor(LOGP), torch.tensor(PT)))


def test_kl_div_strict_device():
    x = reftorch.tensor(LOGP, device="strict", requires_grad=True)
    y = reftorch.tensor(PT, device="strict", requires_grad=True)
    loss = RF.kl_div(x, y, reduction="batchmean")
    loss.backward()
    tx, ty = torch.tensor(LOGP, requires_grad=True), torch.tensor(PT, requires_grad=True)
    tl = TF.kl_div(tx, ty, reduction="batchmean")
    tl.backward()
    assert loss.device.type == "strict"
    _close(loss.to("cpu"), tl)
    _close(x.grad.to("cpu"), tx.grad)
    _close(y.grad.to("cpu"), ty.grad)


# ---------------------------------------------------------------------- normalize
VEC = RNG.standard_normal((3, 4, 2)).astype(np.float32)
VEC[1, :, 0] = 0.0  # an all-zero slice along dim 1


@pytest.mark.parametrize("kw", [{}, {"p": 1.0}, {"p": 3, "dim": 0}, {"dim": -1, "eps": 0.5},
                                {"p": float("inf"), "dim": 2}])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize(kw, dtype):
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        x = lib.tensor(VEC.astype(dtype), requires_grad=True)
        y = F.normalize(x, **kw)
        (y * lib.tensor(VEC.astype(dtype) + 1)).sum().backward()
        res.append((y, x.grad, _names(y.grad_fn, 4)))
    _close(res[0][0], res[1][0], dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12  # gradient sums: summation order differs
    np.testing.assert_allclose(_np(res[0][1]), _np(res[1][1]), rtol=tol, atol=tol)
    assert res[0][2] == res[1][2]


def test_normalize_errors_scalar_out():
    _close(RF.normalize(reftorch.tensor(3.0), dim=0), TF.normalize(torch.tensor(3.0), dim=0))
    ro, to = reftorch.empty(3, 4, 2), torch.empty(3, 4, 2)
    RF.normalize(reftorch.tensor(VEC), out=ro)
    TF.normalize(torch.tensor(VEC), out=to)
    _close(ro, to)
    for a, kw in [(np.array([1, 2]), {"dim": 0}), (VEC, {"dim": 3})]:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                F.normalize(lib.tensor(a), **kw)
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


def test_normalize_strict_device():
    x = reftorch.tensor(VEC, device="strict", requires_grad=True)
    y = RF.normalize(x)
    y.sum().backward()
    tx = torch.tensor(VEC, requires_grad=True)
    ty = TF.normalize(tx)
    ty.sum().backward()
    assert y.device.type == "strict"
    _close(y.to("cpu"), ty)
    np.testing.assert_allclose(_np(x.grad.to("cpu")), _np(tx.grad), rtol=1e-5)


# ---------------------------------------------------------------------- cosine_similarity
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
B[2] = 0.0  # a zero vector: the clamped norm


@pytest.mark.parametrize("case", ["same", "bcast", "dim0", "eps"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cosine_similarity(case, dtype):
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        a, b = _pair(lib, A.astype(dtype), B.astype(dtype))
        if case == "same":
            y = F.cosine_similarity(a, b)
        elif case == "bcast":
            y = F.cosine_similarity(a, b[:1])
        elif case == "dim0":
            y = F.cosine_similarity(a, b, dim=0)
        else:
            y = F.cosine_similarity(a, b, 1, 0.5)
        (y * lib.arange(1, y.numel() + 1, dtype=y.dtype).reshape(y.shape)).sum().backward()
        res.append((y, a.grad, b.grad, _names(y.grad_fn, 5)))
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for r, t in zip(res[0][:3], res[1][:3]):
        assert str(r.dtype) == str(t.dtype) and tuple(r.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(r), _np(t), rtol=tol, atol=tol)
    assert res[0][3] == res[1][3]


def test_cosine_similarity_dtypes_errors_module():
    for d1, d2 in [("float32", "float64"), ("int64", "float32"), ("float32", "int32")]:
        r = RF.cosine_similarity(reftorch.tensor(A).to(getattr(reftorch, d1)), reftorch.tensor(B).to(getattr(reftorch, d2)))
        t = TF.cosine_similarity(torch.tensor(A).to(getattr(torch, d1)), torch.tensor(B).to(getattr(torch, d2)))
        assert str(r.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(r), _np(t), rtol=1e-6, atol=1e-6)
    for a, b, args in [(np.array([1, 2]), np.array([1, 2]), ()), (A, B[:2], ()), (A, B, (5,))]:
        errs = []
        for lib, F in ((reftorch, RF), (torch, TF)):
            with pytest.raises(Exception) as e:
                F.cosine_similarity(lib.tensor(a), lib.tensor(b), *args)
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]
    for kw in [{}, {"dim": 0, "eps": 1e-3}]:
        r, t = reftorch.nn.CosineSimilarity(**kw), torch.nn.CosineSimilarity(**kw)
        assert repr(r) == repr(t)
        _close(r(reftorch.tensor(A), reftorch.tensor(B)), t(torch.tensor(A), torch.tensor(B)))


def test_cosine_similarity_strict_device():
    a = reftorch.tensor(A, device="strict", requires_grad=True)
    y = RF.cosine_similarity(a, reftorch.tensor(B, device="strict"))
    y.sum().backward()
    ta = torch.tensor(A, requires_grad=True)
    ty = TF.cosine_similarity(ta, torch.tensor(B))
    ty.sum().backward()
    assert y.device.type == "strict"
    _close(y.to("cpu"), ty)
    np.testing.assert_allclose(_np(a.grad.to("cpu")), _np(ta.grad), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------- pairwise_distance
@pytest.mark.parametrize("kw", [{}, {"p": 1.0}, {"p": 3}, {"keepdim": True}, {"eps": 0.0, "p": float("inf")}])
@pytest.mark.parametrize("shapes", [("same",), ("bcast",), ("vec",), ("vec_mat",), ("3d",)])
def test_pairwise_distance(kw, shapes):
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        a, b = _pair(lib, A, B)
        v3a, v3b = _pair(lib, VEC, VEC[::-1].copy())
        args = {"same": (a, b), "bcast": (a, b[:1]), "vec": (a[0], b[1]), "vec_mat": (a[0], b),
                "3d": (v3a, v3b)}[shapes[0]]
        y = F.pairwise_distance(*args, **kw)
        y.sum().backward()
        grads = (a.grad, b.grad) if shapes[0] != "3d" else (v3a.grad, v3b.grad)
        res.append((y, grads[0], grads[1], _names(y.grad_fn, 3)))
    for r, t in zip(res[0][:3], res[1][:3]):
        assert str(r.dtype) == str(t.dtype) and tuple(r.shape) == tuple(t.shape)
        np.testing.assert_allclose(_np(r), _np(t), rtol=1e-5, atol=1e-6)
    assert res[0][3] == res[1][3]


def test_pairwise_distance_module_dtypes_errors():
    _close(RF.pairwise_distance(reftorch.tensor(1.0), reftorch.tensor(2.0)),
           TF.pairwise_distance(torch.tensor(1.0), torch.tensor(2.0)))
    for d1, d2 in [("int64", "int64"), ("int64", "float32"), ("float64", "float32")]:
        r = RF.pairwise_distance(reftorch.tensor([[1, 2]], dtype=getattr(reftorch, d1)),
                                 reftorch.tensor([[4, 6]], dtype=getattr(reftorch, d2)))
        t = TF.pairwise_distance(torch.tensor([[1, 2]], dtype=getattr(torch, d1)),
                                 torch.tensor([[4, 6]], dtype=getattr(torch, d2)))
        _close(r, t)
    errs = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        with pytest.raises(Exception) as e:
            F.pairwise_distance(lib.tensor(A), lib.tensor(B[:2]))
        errs.append((type(e.value).__name__, str(e.value)))
    assert errs[0] == errs[1]
    for kw in [{}, {"p": 1.0, "eps": 0.0, "keepdim": True}]:
        r, t = reftorch.nn.PairwiseDistance(**kw), torch.nn.PairwiseDistance(**kw)
        assert repr(r) == repr(t)
        assert (r.norm, r.eps, r.keepdim) == (t.norm, t.eps, t.keepdim)
        _close(r(reftorch.tensor(A), reftorch.tensor(B)), t(torch.tensor(A), torch.tensor(B)))


def test_pairwise_distance_strict_device():
    a = reftorch.tensor(A, device="strict", requires_grad=True)
    y = RF.pairwise_distance(a, reftorch.tensor(B, device="strict"))
    y.sum().backward()
    ta = torch.tensor(A, requires_grad=True)
    ty = TF.pairwise_distance(ta, torch.tensor(B))
    ty.sum().backward()
    assert y.device.type == "strict"
    _close(y.to("cpu"), ty)
    np.testing.assert_allclose(_np(a.grad.to("cpu")), _np(ta.grad), rtol=1e-5, atol=1e-6)


def test_kl_div_second_order():
    res = []
    for lib, F in ((reftorch, RF), (torch, TF)):
        x, y = _pair(lib, LOGP, PT + 0.05)
        loss = F.kl_div(x, y, reduction="batchmean")
        (gy,) = lib.autograd.grad(loss, y, create_graph=True)
        (gy * gy).sum().backward()
        res.append((gy, x.grad, y.grad))
    assert res[1][1] is not None
    for a, b in zip(*res):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)
