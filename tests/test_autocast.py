"""``torch.autocast`` on the CPU and the autocast state functions, against PyTorch: which
ops cast to what (dtypes, values, grad_fn names), gradients through the casts, nesting,
the weight-cast cache, the errors and warnings.

Most regions use ``dtype=float16`` (PyTorch's CPU autocast accepts it); a few cases run
in the default dtype, bfloat16.
"""
from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import reftorch
import torch

from _compare import both, check_grads


LIBS = [torch, reftorch]
RNG = np.random.default_rng(0)


def ints(*shape):
    """Small whole numbers in float32: exact in float16, so the two libraries agree exactly."""
    return RNG.integers(-3, 4, size=shape).astype(np.float32)


def f16(T, fn):
    """``fn(T)`` inside a float16 CPU autocast region of library ``T``."""
    with T.autocast("cpu", dtype=T.float16):
        return fn(T)


@pytest.fixture(autouse=True)
def _clean_state():
    yield
    for T in LIBS:  # a failing test must not leave autocast on for the next one
        T.set_autocast_enabled("cpu", False)
        T.set_autocast_dtype("cpu", T.bfloat16)
        T.set_autocast_cache_enabled(True)


# ------------------------------------------------------------------------ the state
def test_defaults():
    for T in LIBS:
        assert T.is_autocast_enabled("cpu") is False and T.is_autocast_enabled() is False
        assert T.is_autocast_enabled(device_type="cpu") is False
        assert T.get_autocast_dtype("cpu") is T.bfloat16 and T.get_autocast_dtype("cuda") is T.float16
        assert T.get_autocast_dtype("mps") is T.float16 and T.get_autocast_dtype("xla") is T.bfloat16
        assert T.is_autocast_cache_enabled() is True
        assert T.amp.is_autocast_available("cpu") and T.amp.is_autocast_available("cuda")
        assert not T.amp.is_autocast_available("meta") and not T.amp.is_autocast_available("hip")
        assert T.autocast is T.amp.autocast and T.amp.autocast is T.amp.autocast_mode.autocast


def test_set_and_get():
    for T in LIBS:
        T.set_autocast_enabled("cpu", True)
        assert T.is_autocast_enabled("cpu") and not T.is_autocast_enabled("cuda")
        T.set_autocast_dtype("cpu", T.float16)
        assert T.get_autocast_dtype("cpu") is T.float16
        a = T.ones(2, 2)
        assert (a @ a).dtype is T.float16  # no region needed: the state is what counts
        T.set_autocast_enabled("cpu", False)
        assert (a @ a).dtype is T.float32
        T.set_autocast_enabled(True)  # the one-argument form: CUDA
        assert T.is_autocast_enabled() and T.is_autocast_enabled("cuda") and not T.is_autocast_enabled("cpu")
        T.set_autocast_enabled(False)
        T.set_autocast_dtype("cpu", T.float64)  # accepted here (autocast() is what checks)
        assert T.get_autocast_dtype("cpu") is T.float64
        assert T.autocast_increment_nesting() == 1 and T.autocast_decrement_nesting() == 0
        assert T.autocast_decrement_nesting() == -1 and T.autocast_increment_nesting() == 0
        T.set_autocast_cache_enabled(False)
        assert T.is_autocast_cache_enabled() is False


@pytest.mark.parametrize("call", [
    lambda T: T.is_autocast_enabled(1),
    lambda T: T.is_autocast_enabled(T.device("cpu")),
    lambda T: T.is_autocast_enabled("foo"),
    lambda T: T.get_autocast_dtype("foo"),
    lambda T: T.get_autocast_dtype("meta"),
    lambda T: T.get_autocast_dtype(),
    lambda T: T.set_autocast_enabled("cpu", 1),
    lambda T: T.set_autocast_enabled("foo", True),
    lambda T: T.set_autocast_dtype("cpu", 1),
    lambda T: T.set_autocast_dtype("cpu", None),
    lambda T: T.amp.is_autocast_available("foo"),
    lambda T: T.autocast(T.device("cpu")),
    lambda T: T.autocast(),
    lambda T: T.autocast("meta"),
    lambda T: T.autocast("foo"),
    lambda T: T.autocast("cpu")(1),
])
def test_errors(call):
    errors = []
    for T in LIBS:
        with pytest.raises(Exception) as info:
            call(T)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    if not isinstance(errors[0], TypeError) or "missing" not in str(errors[0]):
        assert str(errors[1]) == str(errors[0])


@pytest.mark.parametrize("name, args", [
    ("is_autocast_cpu_enabled", ()), ("get_autocast_cpu_dtype", ()), ("get_autocast_gpu_dtype", ()),
    ("set_autocast_cpu_enabled", (False,)), ("set_autocast_cpu_dtype", ("bfloat16",)),
    ("set_autocast_gpu_dtype", ("float16",)),
])
def test_deprecated_spellings(name, args):
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            got = getattr(T, name)(*[getattr(T, a) if isinstance(a, str) else a for a in args])
        assert [x.category for x in w] == [DeprecationWarning]
        assert w[0].filename == __file__
        seen.append((str(got), str(w[0].message)))
    assert seen[1] == seen[0]


def test_deprecated_spellings_check_their_arguments():
    for T in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(TypeError, match=r"^enabled must be a bool \(got int\)$"):
                T.set_autocast_cpu_enabled(1)
            with pytest.raises(TypeError, match=r"^dtype must be a torch.dtype \(got int\)$"):
                T.set_autocast_cpu_dtype(1)


# --------------------------------------------------------------------- the region
def test_region_sets_and_restores_the_state():
    for T in LIBS:
        with T.autocast("cpu", dtype=T.float16) as ac:
            assert isinstance(ac, T.autocast)
            assert T.is_autocast_enabled("cpu") and T.get_autocast_dtype("cpu") is T.float16
            with T.autocast("cpu", enabled=False, cache_enabled=False):
                # (its dtype is the enclosing region's: the default is get_autocast_dtype's)
                assert not T.is_autocast_enabled("cpu") and T.get_autocast_dtype("cpu") is T.float16
                assert not T.is_autocast_cache_enabled()
                assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float32
            assert T.is_autocast_enabled("cpu") and T.get_autocast_dtype("cpu") is T.float16
            assert T.is_autocast_cache_enabled()
            assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float16
        assert not T.is_autocast_enabled("cpu") and T.get_autocast_dtype("cpu") is T.bfloat16
        with pytest.raises(ValueError):
            with T.autocast("cpu", dtype=T.float16):
                raise ValueError
        assert not T.is_autocast_enabled("cpu")
        assert vars(T.autocast("cpu", dtype=T.float16))["_enabled"] is True
        assert T.autocast("cpu", dtype=T.float16).fast_dtype is T.float16
        assert T.autocast("cpu").fast_dtype is T.bfloat16 and T.autocast("cpu").device == "cpu"


def test_decorator():
    for T in LIBS:
        @T.autocast("cpu", dtype=T.float16)
        def product(x):
            """The doc."""
            return x @ x
        assert product.__name__ == "product" and product.__doc__ == "The doc."
        assert product(T.ones(2, 2)).dtype is T.float16
        assert not T.is_autocast_enabled("cpu")


def test_the_state_is_thread_local():
    for T in LIBS:
        seen = []
        with T.autocast("cpu", dtype=T.float16):
            worker = threading.Thread(target=lambda: seen.append(
                (T.is_autocast_enabled("cpu"), T.get_autocast_dtype("cpu"), (T.ones(2, 2) @ T.ones(2, 2)).dtype)))
            worker.start()
            worker.join()
            assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float16
        assert seen == [(False, T.bfloat16, T.float32)]


@pytest.mark.parametrize("make", [
    lambda T: T.autocast("cpu", dtype=T.float32),
    lambda T: T.autocast("cpu", dtype=T.float64),
    lambda T: T.autocast("cpu", dtype=T.int32),
    lambda T: T.autocast("cuda"),
    lambda T: T.autocast("cuda", dtype=T.float32),
    lambda T: T.autocast("cpu:0", dtype=T.float32),
])
def test_unsupported_warns_and_disables(make):
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ac = make(T)
        assert [x.category for x in w] == [UserWarning] and w[0].filename == __file__
        assert ac._enabled is False
        with ac:
            assert not T.is_autocast_enabled("cpu")
            assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float32
        seen.append(str(w[0].message))
    assert seen[1] == seen[0]


def test_disabled_region_does_not_check_the_dtype():
    for T in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert T.autocast("cpu", dtype=T.float32, enabled=False)._enabled is False
            assert T.autocast("cuda", enabled=False)._enabled is False


def test_cpu_amp_autocast_is_deprecated():
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ac = T.cpu.amp.autocast(dtype=T.float16)
            default = T.cpu.amp.autocast()
        assert [x.category for x in w] == [FutureWarning, FutureWarning] and w[0].filename == __file__
        assert isinstance(ac, T.autocast) and ac.device == "cpu" and default.fast_dtype is T.bfloat16
        with ac:
            assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float16
        seen.append(str(w[0].message))
    assert seen[1] == seen[0]


def _warned(w):
    return [(x.category, str(x.message), x.filename.rsplit("/", 1)[-1]) for x in w]


def test_cuda_amp_autocast_is_deprecated_and_disabled_without_a_gpu():
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            ac = T.cuda.amp.autocast()
            off = T.cuda.amp.autocast(enabled=False, dtype=T.bfloat16)

            @T.cuda.amp.autocast()
            def f(x):
                return x @ x, T.is_autocast_enabled("cuda")
        assert isinstance(ac, T.autocast) and isinstance(ac, T.cuda.amp.autocast_mode.autocast)
        assert (ac.device, ac.fast_dtype, ac._enabled, off.fast_dtype, off._enabled) == (
            "cuda", T.float16, False, T.bfloat16, False)
        with ac:
            assert not T.is_autocast_enabled("cuda") and not T.is_autocast_enabled("cpu")
            assert (T.ones(2, 2) @ T.ones(2, 2)).dtype is T.float32
        assert f(T.ones(2, 2))[0].dtype is T.float32 and f(T.ones(2, 2))[1] is False
        seen.append(_warned(w))
    assert seen[0][0][0] is FutureWarning and seen[0][0][2] == "test_autocast.py"
    assert seen[0][1][0] is UserWarning and seen[0][1][2] == "autocast_mode.py"
    # (the disabled one: the deprecation only)
    assert [c for c, _, _ in seen[0]] == [FutureWarning, UserWarning, FutureWarning, FutureWarning, UserWarning]
    if reftorch.cuda.is_available():  # (the oracle is a CPU build; reftorch says it has no CUDA autocast)
        seen = [[(c, f) for c, _, f in ws] for ws in seen]
    assert seen[1] == seen[0]


def test_cuda_amp_namespace():
    import importlib
    for T in LIBS:
        mod = importlib.import_module(T.__name__ + ".cuda.amp")
        assert mod is T.cuda.amp
        assert {"autocast", "custom_fwd", "custom_bwd", "GradScaler", "amp_definitely_not_available"} <= set(dir(mod))
        assert T.cuda.amp.autocast_mode.autocast is T.cuda.amp.autocast
        assert T.cuda.amp.grad_scaler.GradScaler is T.cuda.amp.GradScaler
        assert T.cuda.amp.common.amp_definitely_not_available() is (not T.cuda.is_available())
        assert T.cuda.amp.amp_definitely_not_available is T.cuda.amp.common.amp_definitely_not_available


def test_cuda_amp_grad_scaler_is_deprecated_and_disabled_without_a_gpu():
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            s = T.cuda.amp.GradScaler(init_scale=8.0)
        assert isinstance(s, T.amp.GradScaler) and s.is_enabled() is T.cuda.is_available()
        seen.append(_warned(w))
    assert [c for c, _, _ in seen[0]] == [FutureWarning, UserWarning] and seen[0][0][2] == "test_autocast.py"
    assert seen[1] == (seen[0][:1] if reftorch.cuda.is_available() else seen[0])  # (the oracle is a CPU build)


def test_cuda_amp_custom_fwd_and_bwd_are_deprecated():
    seen = []
    for T in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")

            class Double(T.autograd.Function):
                @staticmethod
                @T.cuda.amp.custom_fwd(cast_inputs=T.float32)
                def forward(ctx, x):
                    return x * 2, T.is_autocast_enabled("cuda")

                @staticmethod
                @T.cuda.amp.custom_bwd
                def backward(ctx, g, _):
                    return g * 2

            class Plain(T.autograd.Function):
                @staticmethod
                @T.cuda.amp.custom_fwd
                def forward(ctx, x):
                    return x + 1

                @staticmethod
                @T.cuda.amp.custom_bwd
                def backward(ctx, g):
                    return g

        x = T.ones(3, dtype=T.float16, requires_grad=True)
        y, inside = Double.apply(x)  # (CPU tensors, no cuda region: nothing cast)
        z = Plain.apply(x)
        (y.sum() + z.sum()).backward()
        with warnings.catch_warnings(record=True):  # (PyTorch warns before raising; reftorch raises)
            warnings.simplefilter("always")
            with pytest.raises(TypeError):
                T.cuda.amp.custom_fwd(lambda ctx: 0, device_type="cuda")
            with pytest.raises(TypeError):
                T.cuda.amp.custom_bwd()
        seen.append((_warned(w), str(y.dtype), inside, str(z.dtype), x.grad.tolist()))
    assert [c for c, _, f in seen[0][0]] == [FutureWarning] * 4
    assert {f for _, _, f in seen[0][0]} == {"test_autocast.py"}
    assert seen[1] == seen[0]


# ------------------------------------------------------------------------ the ops
A, B, C = ints(3, 4), ints(4, 5), ints(3, 5)
SQ = np.array([[4., 1., 0.], [1., 3., 1.], [0., 1., 2.]], np.float32)  # symmetric positive definite
IMG, KER = ints(1, 2, 5, 5), ints(3, 2, 3, 3)
LABELS = np.array([0, 1, 2])

OPS = {
    # lower_precision_fp
    "mm": lambda T, a, b: T.mm(a, b),
    "matmul": lambda T, a, b: a @ b,
    "matmul_mv": lambda T, a, b: a @ b[:, 0],
    "matmul_dot": lambda T, a, b: a[0] @ b[:, 0],
    "matmul_3d": lambda T, a, b: a.expand(2, 3, 4) @ b,
    "Tensor.mm": lambda T, a, b: a.mm(b),
    "bmm": lambda T, a, b: T.bmm(a[None], b[None]),
    "addmm": lambda T, a, b: T.addmm(b[0], a, b),
    "baddbmm": lambda T, a, b: T.baddbmm((a @ b)[None].float(), a[None], b[None]),
    "addbmm": lambda T, a, b: T.addbmm((a @ b).float(), a[None], b[None]),
    "linear": lambda T, a, b: T.nn.functional.linear(a, b.t(), b[0]),
    "vecdot": lambda T, a, b: T.linalg.vecdot(a, a),
    "prelu": lambda T, a, b: T.nn.functional.prelu(a, b[0, :1]),
    "sdpa": lambda T, a, b: T.nn.functional.scaled_dot_product_attention(a[None], a[None], b.t()[None, :, :3]),
    "mm_float64": lambda T, a, b: T.mm(a.double(), b.double()),
    "mm_mixed_float64": lambda T, a, b: T.mm(a.double(), b),
    "mm_int": lambda T, a, b: T.mm(a.long(), b.long()),
    "mm_out": lambda T, a, b: T.mm(a, b, out=T.empty(3, 5)),
    "conv2d": lambda T, a, b: T.conv2d(a[None, None], b[None, None, :2, :2], b[0, :1]),
    "conv_transpose1d": lambda T, a, b: T.nn.functional.conv_transpose1d(a[None], b[:3, None, :2]),
    "convolution_unlisted": lambda T, a, b: T.convolution(a[None, None], b[None, None, :2, :2], None, [1, 1],
                                                          [0, 0], [1, 1], False, [0, 0], 1),
    # composites made of listed ops
    "einsum": lambda T, a, b: T.einsum("ij,jk->ik", a, b),
    "tensordot": lambda T, a, b: T.tensordot(a, b, 1),
    "inner": lambda T, a, b: T.inner(a, a),
    "multi_dot": lambda T, a, b: T.linalg.multi_dot([a, b]),
    # unlisted: the inputs' dtype
    "mv": lambda T, a, b: T.mv(a, b[:, 0]),
    "addmv": lambda T, a, b: T.addmv(a[:, 0], a, b[:, 0]),
    "outer": lambda T, a, b: T.outer(a[0], b[0]),
    "add": lambda T, a, b: (a @ b) + b[0],
    "relu": lambda T, a, b: T.relu(a @ b),
    "softmax": lambda T, a, b: T.softmax(a @ b, 1),
    "log_softmax": lambda T, a, b: T.log_softmax(a @ b, 1),
    "layer_norm": lambda T, a, b: T.nn.functional.layer_norm(a @ b, (5,)),
    "sum": lambda T, a, b: (a @ b).sum(),
    "bilinear": lambda T, a, b: T.nn.functional.bilinear(a, a, b.t()[:, :, None].expand(5, 4, 4).contiguous()),
    # fp32
    "mse_loss": lambda T, a, b: T.nn.functional.mse_loss(a @ b, a @ b),
    "l1_loss": lambda T, a, b: T.nn.functional.l1_loss(a @ b, b[:3]),
    "cross_entropy": lambda T, a, b: T.nn.functional.cross_entropy(a @ b, T.tensor([0, 1, 2])),
    "nll_loss": lambda T, a, b: T.nn.functional.nll_loss(a @ b, T.tensor([0, 1, 2])),
    "bce_with_logits": lambda T, a, b: T.nn.functional.binary_cross_entropy_with_logits(a @ b, (b[:3] > 0).float()),
    "binary_cross_entropy": lambda T, a, b: T.nn.functional.binary_cross_entropy(T.sigmoid(a @ b), (b[:3] > 0).float()),
    "smooth_l1_loss": lambda T, a, b: T.nn.functional.smooth_l1_loss(a @ b, b[:3]),
    "huber_loss": lambda T, a, b: T.nn.functional.huber_loss(a @ b, b[:3]),
    "kl_div": lambda T, a, b: T.nn.functional.kl_div(a @ b, b[:3].abs(), reduction="batchmean"),
    "soft_margin_loss": lambda T, a, b: T.nn.functional.soft_margin_loss(a @ b, b[:3].sign()),
    "multi_margin_loss": lambda T, a, b: T.nn.functional.multi_margin_loss(a @ b, T.tensor([0, 1, 2])),
    "poisson_nll_loss": lambda T, a, b: T.nn.functional.poisson_nll_loss(a @ b, b[:3].abs()),
    "hinge_embedding_loss": lambda T, a, b: T.nn.functional.hinge_embedding_loss(a @ b, b[:3].sign()),
    "cosine_embedding_loss": lambda T, a, b: T.nn.functional.cosine_embedding_loss(a @ b, a @ b, T.ones(3)),
    "margin_ranking_loss": lambda T, a, b: T.nn.functional.margin_ranking_loss((a @ b)[0], (a @ b)[1], b[0]),
    "prod": lambda T, a, b: T.prod((a @ b)[0, :2]),
    "prod_dtype": lambda T, a, b: T.prod((a @ b)[0, :2], dtype=T.float64),
    "cdist": lambda T, a, b: T.cdist(a, a),
    "trace": lambda T, a, b: T.trace(a @ b),
    "fft": lambda T, a, b: T.fft.rfft(a @ b),
    "quantile": lambda T, a, b: T.quantile(a @ b, 0.5),
    "inv": lambda T, a, b: T.linalg.inv(T.eye(3).half() * 2),
    "solve": lambda T, a, b: T.linalg.solve(T.tensor(SQ), (a @ b)[:, :2]),
    "cholesky": lambda T, a, b: T.linalg.cholesky(T.tensor(SQ).half()),
    "eigvalsh": lambda T, a, b: T.linalg.eigvalsh(T.tensor(SQ).half()),
    "svdvals": lambda T, a, b: T.linalg.svdvals(a @ b),
    "det_unlisted": lambda T, a, b: T.linalg.det(T.tensor(SQ).double()),
    "polar": lambda T, a, b: T.polar((a @ b).abs(), a @ b),
    "view_as_complex": lambda T, a, b: T.view_as_complex((a @ b)[:, :2].contiguous()),
    "max_pool3d": lambda T, a, b: T.nn.functional.max_pool3d((a @ b)[None, None, :2, :2, None].expand(1, 1, 2, 2, 2), 2),
    "avg_pool3d": lambda T, a, b: T.nn.functional.avg_pool3d((a @ b)[None, None, :2, :2, None].expand(1, 1, 2, 2, 2), 2),
    "avg_pool2d_unlisted": lambda T, a, b: T.nn.functional.avg_pool2d((a @ b)[None, :2, :2], 2),
    "grid_sample": lambda T, a, b: T.nn.functional.grid_sample(a[None, None], (a @ b)[None, :2, :2, None].expand(
        1, 2, 2, 2) / 10, align_corners=False),
    "reflect_pad": lambda T, a, b: T.nn.functional.pad((a @ b)[None], (1, 1), mode="reflect"),
    "circular_pad": lambda T, a, b: T.nn.functional.pad((a @ b)[None], (1, 1), mode="circular"),
    # promote
    "cat": lambda T, a, b: T.cat([a, (a @ b)[:, :4]]),
    "cat_lower": lambda T, a, b: T.cat([a @ b, a @ b]),
    "cat_float64": lambda T, a, b: T.cat([(a @ b)[:, :4], a.double()]),
    "stack": lambda T, a, b: T.stack([a.half(), a]),
    "index_copy": lambda T, a, b: b[:3].index_copy(0, T.tensor([0]), (a @ b)[:1]),
    "index_copy_lower": lambda T, a, b: b[:3].half().index_copy(0, T.tensor([0]), (a @ b)[:1]),
}


@pytest.mark.parametrize("name", OPS)
def test_op_in_a_float16_region(name):
    op = OPS[name]
    both(lambda T, a, b: f16(T, lambda T: op(T, a, b)), A, B)


@pytest.mark.parametrize("name", ["mm", "matmul", "linear", "addmm", "baddbmm", "mse_loss", "cross_entropy",
                                  "cat", "stack", "prod", "cdist", "einsum", "bce_with_logits"])
def test_grads_through_the_casts(name):
    """The casts are ToCopyBackward0 nodes: float32 leaves get float32 gradients."""
    op = OPS[name]
    check_grads(lambda T, a, b: f16(T, lambda T: op(T, a, b)), A, B)


def test_the_cast_nodes():
    for T in LIBS:
        a = T.ones(2, 3, requires_grad=True)
        with T.autocast("cpu", dtype=T.float16):
            y = a @ a.t()
            z = T.nn.functional.linear(a, a)
        (cast_a, _), (cast_at, _) = y.grad_fn.next_functions
        assert y.grad_fn.name() == "MmBackward0" and cast_a.name() == cast_at.name() == "ToCopyBackward0"
        assert cast_at.next_functions[0][0].name() == "TBackward0"  # a.t() is a view: cast anew
        (cast_a, _), (t_node, _) = z.grad_fn.next_functions  # linear casts, then transposes
        assert z.grad_fn.name() == "MmBackward0" and t_node.name() == "TBackward0"
        assert t_node.next_functions[0][0].name() == "ToCopyBackward0"


def test_float16_and_bfloat16_inputs_cannot_promote_together():
    both(lambda T, a: f16(T, lambda T: T.cat([a.half(), a.bfloat16()])), A, msg=True)


@pytest.mark.parametrize("module", [
    lambda T: T.nn.Linear(4, 3),
    lambda T: T.nn.Sequential(T.nn.Linear(4, 6), T.nn.ReLU(), T.nn.Linear(6, 2)),
    lambda T: T.nn.Bilinear(4, 4, 2),
])
def test_linear_modules(module):
    def run(T, x):
        T.manual_seed(0)
        m = module(T)
        with T.autocast("cpu", dtype=T.float16):
            out = m(x) if not isinstance(m, T.nn.Bilinear) else m(x, x)
            loss = T.nn.functional.mse_loss(out, T.zeros_like(out, dtype=T.float32))
        loss.backward()
        return out, loss, [p.grad for p in m.parameters()]
    x = ints(5, 4)
    (out_t, loss_t, grads_t), (out_r, loss_r, grads_r) = [run(T, T.tensor(x)) for T in LIBS]
    for r, t in [(out_r, out_t), (loss_r, loss_t)] + list(zip(grads_r, grads_t)):
        # the float16 kernels round differently: dtypes and grad_fn exact, values to float16's precision
        assert str(r.dtype) == str(t.dtype) and type(r.grad_fn).__name__ == type(t.grad_fn).__name__
        np.testing.assert_allclose(r.detach().float().numpy(), t.detach().float().numpy(), rtol=2e-2, atol=2e-2)
    assert [str(g.dtype) for g in grads_t] == ["torch.float32"] * len(grads_t)


@pytest.mark.parametrize("module, shape", [
    (lambda T: T.nn.Conv2d(2, 3, 3), (1, 2, 5, 5)),
    (lambda T: T.nn.Conv1d(2, 3, 3, padding=1), (2, 2, 6)),
    (lambda T: T.nn.ConvTranspose2d(2, 3, 3), (1, 2, 4, 4)),
    (lambda T: T.nn.PReLU(), (2, 3)),
    (lambda T: T.nn.RNN(4, 3), (2, 1, 4)),
    (lambda T: T.nn.RNN(4, 3, nonlinearity="relu", num_layers=2, bidirectional=True), (2, 1, 4)),
    (lambda T: T.nn.RNN(4, 3, batch_first=True), (1, 2, 4)),
    (lambda T: T.nn.GRU(4, 3), (2, 1, 4)),
    (lambda T: T.nn.RNNCell(4, 3), (2, 4)),
    (lambda T: T.nn.GRUCell(4, 3), (2, 4)),
    (lambda T: T.nn.LSTMCell(4, 3), (2, 4)),
])
def test_modules_output_dtypes(module, shape):
    """Values in float16 differ by rounding between the kernels; the dtypes and the graph agree."""
    got = []
    for T in LIBS:
        T.manual_seed(0)
        m = module(T)
        with T.autocast("cpu", dtype=T.float16):
            out = m(T.ones(*shape))
        outs = [out] if isinstance(out, T.Tensor) else [o for o in out if isinstance(o, T.Tensor)]
        got.append([(str(o.dtype), None if o.grad_fn is None else o.grad_fn.name()) for o in outs])
    assert got[1] == got[0]


def test_a_warning_in_a_region_names_the_caller():
    for T in LIBS:
        x = T.ones(1, 1, 2, 2)
        with T.autocast("cpu", dtype=T.float16), warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            y = T.nn.functional.grid_sample(x, T.zeros(1, 2, 2, 2).half())  # (no align_corners: warns)
        assert [x.category for x in w] == [UserWarning] and w[0].filename == __file__
        assert y.dtype is T.float32


def test_only_cpu_tensors_are_cast():
    """CPU autocast leaves other devices' tensors alone (PyTorch: CUDA tensors), here the
    strict stand-in accelerator's, in the same region where CPU tensors are cast."""
    x, c = reftorch.ones(2, 2, device="strict"), reftorch.ones(2, 2)
    with reftorch.autocast("cpu", dtype=reftorch.float16):
        assert (x @ x).dtype is reftorch.float32 and x.mm(x).dtype is reftorch.float32
        assert (c @ c).dtype is reftorch.float16


def test_packed_sequences():
    got = []
    for T in LIBS:
        T.manual_seed(0)
        packed = T.nn.utils.rnn.pack_padded_sequence(T.ones(2, 2, 4), [2, 1])
        with T.autocast("cpu", dtype=T.float16):
            rnn = T.nn.RNN(4, 3)(packed)
            lstm = T.nn.LSTM(4, 3)(packed)
        got.append((rnn[0].data.dtype, rnn[1].dtype, lstm[0].data.dtype, lstm[1][0].dtype))
    assert [str(d) for d in got[1]] == [str(d) for d in got[0]] == \
        ["torch.float16", "torch.float16", "torch.float32", "torch.float32"]


def test_multihead_attention():
    got = []
    for T in LIBS:
        T.manual_seed(0)
        mha = T.nn.MultiheadAttention(4, 2)
        with T.autocast("cpu", dtype=T.float16):
            out, weights = mha(T.ones(2, 1, 4), T.ones(2, 1, 4), T.ones(2, 1, 4))
        got.append((str(out.dtype), str(weights.dtype)))
    assert got[1] == got[0]


# ------------------------------------------------------------------ the weight cache
def _cast_nodes(T, cache_enabled):
    w = T.ones(3, 4, requires_grad=True)
    with T.autocast("cpu", dtype=T.float16, cache_enabled=cache_enabled):
        y1, y2 = T.mm(w, w.t()), T.mm(w, w.t())
        with T.autocast("cpu", dtype=T.float16):
            y3 = T.mm(w, w.t())
    with T.autocast("cpu", dtype=T.float16):
        y4 = T.mm(w, w.t())
    nodes = [y.grad_fn.next_functions[0][0] for y in (y1, y2, y3, y4)]
    (y1.sum() + y2.sum() + y3.sum() + y4.sum()).backward()
    return [nodes[0] is n for n in nodes[1:]], w.grad


@pytest.mark.parametrize("cache_enabled", [True, False])
def test_weight_cast_cache(cache_enabled):
    (same_t, grad_t), (same_r, grad_r) = [_cast_nodes(T, cache_enabled) for T in LIBS]
    assert same_r == same_t
    assert grad_r.dtype is reftorch.float32 and grad_r.tolist() == grad_t.tolist()


# ----------------------------------------------------------- custom autograd functions
def test_custom_fwd_and_bwd():
    seen = []
    for T in LIBS:
        class Square(T.autograd.Function):
            @staticmethod
            @T.amp.custom_fwd(device_type="cpu", cast_inputs=T.float32)
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x @ x.t(), T.is_autocast_enabled("cpu")

            @staticmethod
            @T.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g, _):
                x, = ctx.saved_tensors
                return (g + g.t()) @ x

        class Plain(T.autograd.Function):
            @staticmethod
            @T.amp.custom_fwd(device_type="cpu")
            def forward(ctx, x):
                return x @ x.t()

            @staticmethod
            @T.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g):
                return None

        x = T.ones(2, 3, requires_grad=True)
        with T.autocast("cpu", dtype=T.float16):
            y, inside = Square.apply(x.half())
            z = Plain.apply(x)
        y.sum().backward()
        seen.append((str(y.dtype), inside, str(z.dtype), str(x.grad.dtype), x.grad.tolist()))
        with pytest.raises(ValueError):
            T.amp.custom_fwd(device_type=1)
    assert seen[1] == seen[0]


# ------------------------------------------------------------------------ bfloat16
@pytest.mark.parametrize("name", ["mm", "linear", "mse_loss", "cat", "cat_lower", "addmm", "prod", "cdist"])
def test_default_dtype_is_bfloat16(name):
    op = OPS[name]

    def run(T, a, b):
        with T.autocast("cpu"):
            return op(T, a, b)
    both(run, A, B)


def test_bfloat16_grads():
    """Whole numbers throughout (a sum's gradient is ones): exact in bfloat16 too."""
    def run(T, a, b):
        a, b = a.requires_grad_(), b.requires_grad_()
        with T.autocast("cpu"):
            y = T.nn.functional.linear(a, b.t(), b[0])
        y.sum().backward()
        return y, a.grad, b.grad
    both(run, A, B)


@pytest.mark.parametrize("module", [
    lambda T: T.nn.LSTM(4, 3),
    lambda T: T.nn.LSTM(4, 3, batch_first=True, num_layers=2, bidirectional=True),
])
def test_lstm_in_bfloat16(module):
    """PyTorch runs an unpacked LSTM as oneDNN layers (lower_precision_fp); in float16 its
    oneDNN kernel fails, so this is checked in the default bfloat16."""
    got = []
    for T in LIBS:
        T.manual_seed(0)
        with T.autocast("cpu"):
            out, (h, c) = module(T)(T.ones(2, 1, 4))
        got.append([str(out.dtype), out.grad_fn.name(), str(h.dtype), str(c.dtype)])
    assert got[1] == got[0]
