"""Autocast's state and its op table: which ops an enabled CPU region casts, and to what.

The public switches over this state are the ``torch.*autocast*`` functions below and the
``torch.autocast`` context manager (``reftorch/amp/autocast_mode.py``). An op on the lists
starts with one check, ``if anywhere.threads and here.cpu:`` (a slot read while no thread
autocasts), and inside an enabled region hands its arguments to :func:`run`, which casts
them by the op's policy and calls the op again with autocast off, as PyTorch's Autocast
dispatch key redispatches below itself: the ops an op calls inside are not cast again.

The state is thread-local, as in PyTorch; ``anywhere.threads`` counts the threads whose
CPU autocast is on, so the check costs nothing more while it is 0.

The lists mirror the CPU registrations of PyTorch's ``aten/src/ATen/autocast_mode.cpp``
(the ``AutocastCPU`` kernels), restricted to the ops reftorch has; they name ops as ATen
does (``cross_entropy_loss`` is ``F.cross_entropy``).
"""
from __future__ import annotations

import threading
import warnings

from . import _dtype as D
from ._tensor import Tensor, _type_name

LOWER_PRECISION_FP = "lower_precision_fp"  #: cast floating inputs to the region's dtype
FP32 = "fp32"  #: cast floating inputs to float32
PROMOTE = "promote"  #: cast floating inputs to the widest of them (float32 over the region's dtype)

#: ``AutocastCPU`` policies of PyTorch 2.13, by ATen op name.
CPU_POLICY = {}
CPU_POLICY.update(dict.fromkeys((
    "conv1d", "conv2d", "conv3d", "bmm", "mm", "linalg_vecdot", "baddbmm", "addmm", "addbmm", "linear",
    "matmul", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu", "scaled_dot_product_attention",
), LOWER_PRECISION_FP))
CPU_POLICY.update(dict.fromkeys((
    "avg_pool3d", "binary_cross_entropy", "grid_sampler", "polar", "prod", "quantile", "nanquantile", "stft",
    "cdist", "trace", "view_as_complex", "cholesky", "cholesky_inverse", "cholesky_solve", "inverse", "lu_solve",
    "orgqr", "ormqr", "pinverse", "max_pool3d", "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d",
    "reflection_pad1d", "reflection_pad2d", "replication_pad1d", "replication_pad2d", "replication_pad3d",
    "mse_loss", "cosine_embedding_loss", "nll_loss", "nll_loss2d", "hinge_embedding_loss", "poisson_nll_loss",
    "smooth_l1_loss", "cross_entropy_loss", "l1_loss", "huber_loss", "margin_ranking_loss", "soft_margin_loss",
    "triplet_margin_loss", "multi_margin_loss", "ctc_loss", "kl_div", "multilabel_margin_loss",
    "binary_cross_entropy_with_logits", "fft_fft", "fft_ifft", "fft_fft2", "fft_ifft2", "fft_fftn", "fft_ifftn",
    "fft_rfft", "fft_irfft", "fft_rfft2", "fft_irfft2", "fft_rfftn", "fft_irfftn", "fft_hfft", "fft_ihfft",
    "linalg_cond", "linalg_matrix_rank", "linalg_solve", "linalg_cholesky", "linalg_svdvals", "linalg_eigvals",
    "linalg_eigvalsh", "linalg_inv", "linalg_householder_product", "linalg_tensorinv", "linalg_tensorsolve",
    "fake_quantize_per_tensor_affine", "geqrf", "qr", "svd", "triangular_solve", "fractional_max_pool2d",
    "fractional_max_pool3d", "adaptive_max_pool3d", "multilabel_margin_loss_forward", "linalg_qr",
    "linalg_cholesky_ex", "linalg_svd", "linalg_eig", "linalg_eigh", "linalg_lstsq", "linalg_inv_ex",
), FP32))
CPU_POLICY.update(dict.fromkeys(("stack", "cat", "index_copy"), PROMOTE))

#: The device types PyTorch's device-string parser knows, in its error message's order.
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
#: Each device type's autocast dtype at start-up (the others have none: "unsupported scalarType").
DEFAULT_DTYPES = {"cpu": D.bfloat16, "cuda": D.float16, "hip": D.float16, "xla": D.bfloat16, "xpu": D.float16,
                  "mps": D.float16, "hpu": D.bfloat16, "ipu": D.float16, "mtia": D.float16,
                  "privateuseone": D.float16}
#: The device types ``torch.amp.is_autocast_available`` answers True for.
AVAILABLE = ("cpu", "cuda", "ipu", "xpu", "xla", "mps", "hpu", "mtia", "privateuseone")


class _Anywhere:
    def __init__(self):
        self.threads = 0  #: threads whose CPU autocast is on (an instance attribute: a specialized read)


anywhere = _Anywhere()
_lock = threading.Lock()


class _Here(threading.local):
    """The running thread's autocast state (class defaults: a thread's first read needs no set-up)."""
    cpu = False  #: CPU autocast on (read by the ops)
    enabled = frozenset()  #: the other device types whose autocast is on
    dtypes = DEFAULT_DTYPES  #: replaced, never mutated, on a change
    cache_enabled = True
    nesting = 0


here = _Here()
#: lower-precision casts of float32 leaf tensors that require grad (the weights), kept until
#: the outermost region exits: ``id(source) -> (source, cast)``; process-wide, as PyTorch's.
_cache = {}


def _arg_type(value):
    """The type name PyTorch's argument parser reports (``int``, ``torch.device``)."""
    name = _type_name(value)
    return "torch." + name.split(".", 1)[1] if name.startswith("reftorch.") else name


def _device_type_of(name, fn):
    """The device type of a device string (``'cpu'``, ``'cuda:0'``), with PyTorch's errors."""
    if not isinstance(name, str):
        raise TypeError(f"{fn}(): argument 'device_type' (position 1) must be str, not {_arg_type(name)}")
    kind = name.split(":", 1)[0]
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                           f"{name}")
    return kind


# ----------------------------------------------------------- the state's public switches
def is_autocast_enabled(device_type="cuda"):
    """Whether autocast is on for ``device_type`` in the running thread (the CUDA one when no
    device type is given). Mirrors ``torch.is_autocast_enabled``.

    Raises:
        TypeError: when ``device_type`` is not a string.
        RuntimeError: for an unknown device type.

    Examples:
        >>> import reftorch as torch
        >>> with torch.autocast("cpu", dtype=torch.float16):
        ...     torch.is_autocast_enabled("cpu"), torch.is_autocast_enabled()
        (True, False)
    """
    kind = _device_type_of(device_type, "is_autocast_enabled")
    return here.cpu if kind == "cpu" else kind in here.enabled


def set_autocast_enabled(device_type, enabled=None):
    """Turn autocast on or off for ``device_type`` in the running thread, without touching
    its dtype; ``set_autocast_enabled(flag)`` sets the CUDA one. Prefer
    :class:`~reftorch.autocast`, which restores the state on exit. Mirrors
    ``torch.set_autocast_enabled``.

    Raises:
        TypeError: when ``enabled`` is not a bool.
    """
    if enabled is None:  # the one-argument (CUDA) spelling
        device_type, enabled = "cuda", device_type
    kind = _device_type_of(device_type, "set_autocast_enabled")
    if enabled.__class__ is not bool:
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be bool, not "
                        f"{_arg_type(enabled)}")
    if kind == "cpu":
        with _lock:
            if enabled != here.cpu:
                anywhere.threads += 1 if enabled else -1
            here.cpu = enabled
    else:
        here.enabled = here.enabled | {kind} if enabled else here.enabled - {kind}


def get_autocast_dtype(device_type):
    """The dtype autocast casts to on ``device_type`` in the running thread:
    ``torch.bfloat16`` on the CPU and ``torch.float16`` on CUDA at start-up. Mirrors
    ``torch.get_autocast_dtype``.

    Raises:
        RuntimeError: for a device type without autocast ("unsupported scalarType").

    Examples:
        >>> import reftorch as torch
        >>> torch.get_autocast_dtype("cpu"), torch.get_autocast_dtype("cuda")
        (torch.bfloat16, torch.float16)
    """
    kind = _device_type_of(device_type, "get_autocast_dtype")
    if kind not in here.dtypes:
        raise RuntimeError("unsupported scalarType")
    return here.dtypes[kind]


def set_autocast_dtype(device_type, dtype):
    """Set the dtype autocast casts to on ``device_type`` in the running thread (any dtype
    is accepted here; :class:`~reftorch.autocast` is the one that checks). Mirrors
    ``torch.set_autocast_dtype``.

    Raises:
        TypeError: when ``dtype`` is not a ``torch.dtype``.
    """
    kind = _device_type_of(device_type, "set_autocast_dtype")
    if not isinstance(dtype, D.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, not "
                        f"{_arg_type(dtype)}")
    here.dtypes = {**here.dtypes, kind: dtype}


def is_autocast_cache_enabled():
    """Whether an autocast region keeps its casts of the weights (float32 leaves that require
    grad) for reuse until the outermost region exits. Mirrors ``torch.is_autocast_cache_enabled``."""
    return here.cache_enabled


def set_autocast_cache_enabled(enabled):
    """Turn the weight-cast cache on or off (``autocast(cache_enabled=...)`` does it for a
    region). Mirrors ``torch.set_autocast_cache_enabled``."""
    if enabled.__class__ is not bool:
        raise TypeError(f"set_autocast_cache_enabled(): argument 'enabled' (position 1) must be bool, not "
                        f"{_arg_type(enabled)}")
    here.cache_enabled = enabled


def clear_autocast_cache():
    """Forget the cached weight casts. Mirrors ``torch.clear_autocast_cache``."""
    with _lock:
        _cache.clear()


def autocast_increment_nesting():
    """Count one more open autocast region in the running thread; return the count. Mirrors
    ``torch.autocast_increment_nesting``."""
    here.nesting += 1
    return here.nesting


def autocast_decrement_nesting():
    """Count one fewer open autocast region; return the count (it may go below 0, as in
    PyTorch). Mirrors ``torch.autocast_decrement_nesting``."""
    here.nesting -= 1
    return here.nesting


# ---------------------------------------------------- the deprecated per-device spellings
def _deprecated(old, new, line):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead. (Triggered internally at "
                  f"/__w/pytorch/pytorch/torch/csrc/autograd/init.cpp:{line}.)", DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    """Deprecated: ``is_autocast_enabled('cpu')`` (warns DeprecationWarning). Mirrors
    ``torch.is_autocast_cpu_enabled``."""
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')", 883)
    return here.cpu


def set_autocast_cpu_enabled(enabled):
    """Deprecated: ``set_autocast_enabled('cpu', enabled)`` (warns DeprecationWarning).
    Mirrors ``torch.set_autocast_cpu_enabled``."""
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)", 874)
    if enabled.__class__ is not bool:
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    """Deprecated: ``get_autocast_dtype('cpu')`` (warns DeprecationWarning). Mirrors
    ``torch.get_autocast_cpu_dtype``."""
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')", 1016)
    return here.dtypes["cpu"]


def set_autocast_cpu_dtype(dtype):
    """Deprecated: ``set_autocast_dtype('cpu', dtype)`` (warns DeprecationWarning). Mirrors
    ``torch.set_autocast_cpu_dtype``."""
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)", 967)
    _set_legacy_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    """Deprecated: ``get_autocast_dtype('cuda')`` (warns DeprecationWarning). Mirrors
    ``torch.get_autocast_gpu_dtype``."""
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')", 1007)
    return here.dtypes["cuda"]


def set_autocast_gpu_dtype(dtype):
    """Deprecated: ``set_autocast_dtype('cuda', dtype)`` (warns DeprecationWarning). Mirrors
    ``torch.set_autocast_gpu_dtype``."""
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)", 952)
    _set_legacy_dtype("cuda", dtype)


def _set_legacy_dtype(device_type, dtype):
    """What the deprecated ``set_autocast_{cpu,gpu}_dtype`` do after their warning: their
    one-argument binding's type check, then ``set_autocast_dtype``."""
    if not isinstance(dtype, D.dtype):
        raise TypeError(f"dtype must be a torch.dtype (got {type(dtype).__name__})")
    set_autocast_dtype(device_type, dtype)


# ------------------------------------------------------------------------- casting
def _eligible(t):
    """A CPU floating tensor other than float64 (what autocast may cast)."""
    return isinstance(t, Tensor) and t._dtype.is_floating_point and t._dtype is not D.float64 \
        and t._device.type == "cpu"


def _cast(value, dtype, lower):
    """``value`` (a tensor, a list or tuple of them, or anything else) cast to ``dtype``
    where eligible; the float32 weights' casts to ``lower`` come from the cache."""
    if isinstance(value, (list, tuple)):
        cast = [_cast(v, dtype, lower) for v in value]
        return value if all(c is v for c, v in zip(cast, value)) else type(value)(cast)
    if not _eligible(value) or value._dtype is dtype:
        return value
    if dtype is lower and value._dtype is D.float32 and value.requires_grad and value.is_leaf \
            and value._base is None and here.cache_enabled:
        with _lock:
            hit = _cache.get(id(value))
            if hit is None:
                hit = _cache[id(value)] = (value, value.to(dtype))
        return hit[1]
    return value.to(dtype)


def _tensors(values):
    for v in values:
        if isinstance(v, (list, tuple)):
            yield from _tensors(v)
        else:
            yield v


def _promote_type(values, lower):
    """The widest dtype of the eligible tensors: float32 if one is, else ``lower``."""
    found = lower
    for v in _tensors(values):
        if _eligible(v):
            if found is D.float32 or v._dtype is D.float32:
                found = D.float32
            elif v._dtype is not lower:
                raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    return found


def cast_lower(*values):
    """``values`` cast as a lower_precision_fp op casts its arguments: for the layers that
    PyTorch builds of such ops (the Elman RNN cells call ``linear``)."""
    lower = here.dtypes["cpu"]
    return tuple(_cast(v, lower, lower) for v in values)


def run(op, fn, arguments):
    """Call ``fn(**arguments)`` (an op's own parameters: ``locals()`` at its first line) with
    its floating tensor arguments cast by ``op``'s CPU policy, CPU autocast off meanwhile.
    An op given ``out=`` is not cast (PyTorch registers only the functional forms), nor an
    op off the lists (``convolution``: run with autocast off, its body calls ``conv2d``...)."""
    lower = here.dtypes["cpu"]
    policy = CPU_POLICY.get(op)  # (None: an op off the lists whose reftorch body calls listed ones)
    if policy is not None and arguments.get("out") is None:
        if policy == LOWER_PRECISION_FP:
            dtype = lower
        elif policy == FP32:
            dtype = D.float32
        else:
            dtype = _promote_type(arguments.values(), lower)
        arguments = {k: _cast(v, dtype, lower) for k, v in arguments.items()}
    set_autocast_enabled("cpu", False)
    try:
        return fn(**arguments)
    finally:
        set_autocast_enabled("cpu", True)
