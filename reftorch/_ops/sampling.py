"""Random sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal`` and the
in-place ``uniform_``/``normal_``/``random_``/``bernoulli_``.

All draws come from the CPU generator (bit-exact with PyTorch's CPU streams) as host
arrays and are moved to the tensor's device by its backend.
"""
from __future__ import annotations

import math

import numpy as _np  # host-side: the generator produces NumPy arrays

from .. import _dtype as D
from .._layout import broadcast_shape
from .._tensor import Tensor, _as_shape
from ..random import _engine
from ._common import check_dtype, resolve_device, with_out
from ._inplace import write_all
from .creation import _like_layout, empty  # (laid out, and filled in memory order, like input)
from .pointwise import add, mul

_NP = {"float16": _np.float16, "float32": _np.float32, "float64": _np.float64, "int64": _np.int64,
       "int32": _np.int32, "int16": _np.int16, "int8": _np.int8, "uint8": _np.uint8, "bool": _np.bool_}


def _place(host, shape, dtype, device, requires_grad):
    dev, backend = resolve_device(device)
    host = host.reshape(shape).astype(_NP[dtype.name], copy=False)
    arr = host if dev.type == "cpu" else backend.from_host(host)
    t = Tensor._wrap(arr, dev, backend)
    if requires_grad:
        t.requires_grad_(True, _method=False)
    return t


def _float_dtype(dtype, kernel="check_uniform_bounds"):
    dtype = check_dtype(dtype) or D.get_default_dtype()
    if dtype is D.float16:
        # the generator's float16 streams: uniforms computed in float, then rounded (a value
        # that rounds to the upper bound becomes the lower one, as in PyTorch), normal_fill
        # on 16-value float buffers (full blocks, then 16 fresh draws for the tail)
        return dtype, _np.float16
    if not dtype.is_floating_point:
        raise _not_implemented(kernel, dtype)
    return dtype, _NP[dtype.name]


def _not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{D.scalar_name(dtype)}\'')


def _num(v):
    """A double as C++ streams print it (``1`` for 1.0, ``0.5``, ``1e+30``)."""
    return f"{v:g}"


def _check_std(std):
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")


#: the C type names of PyTorch's random-range errors
_C_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int", "int64": "long",
            "bool": "bool"}
_FLOAT_LIMITS = {"float16": 65504.0, "float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}


def _check_from_to(low, high, dtype):
    """PyTorch's ``random_(from, to)`` checks: ``from < to``, both inside the dtype."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype.name in _C_NAMES:
        info = (0, 1) if dtype is D.bool else (lambda i: (int(i.min), int(i.max)))(_np.iinfo(_NP[dtype.name]))
        name = _C_NAMES[dtype.name]
    else:
        top = _FLOAT_LIMITS.get(dtype.name)
        if top is None:
            return
        info, name = (-top, top), dtype.name.replace("float16", "c10::Half").replace("float32", "float").replace(
            "float64", "double")
    if not info[0] <= low <= info[1]:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not info[0] <= high - 1 <= info[1]:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform random numbers in ``[0, 1)``. Mirrors ``torch.rand``.

    After ``manual_seed(s)`` the values equal PyTorch's CPU values bit for bit.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.rand(2, 2)
        tensor([[0.4963, 0.7682],
                [0.0885, 0.1320]])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::rand", out, rand, *size, generator=generator,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    shape = _as_shape(size)
    dtype, npdt = _float_dtype(dtype)
    host = _engine(generator).uniform(math.prod(shape), 0.0, 1.0, dtype=npdt)
    return _place(host, shape, dtype, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal random numbers (mean 0, variance 1). Mirrors ``torch.randn``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.randn(3)
        tensor([ 1.5410, -0.2934, -2.1788])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::randn", out, randn, *size, generator=generator,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    shape = _as_shape(size)
    dtype, npdt = _float_dtype(dtype, "normal_kernel_cpu")
    host = _engine(generator).normal(math.prod(shape), 0.0, 1.0, dtype=npdt)
    return _place(host, shape, dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False):
    """Random integers from ``low`` (inclusive) to ``high`` (exclusive); dtype int64 by default.

    Called as ``randint(high, size)`` or ``randint(low, high, size)``. Mirrors
    ``torch.randint``.

    Raises:
        RuntimeError: if ``low >= high``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.randint(0, 10, (2, 3))
        tensor([[4, 9, 3],
                [0, 3, 9]])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::randint", out, randint, low, high, size, generator=generator,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    shape = _as_shape((size,))
    dtype = check_dtype(dtype) or D.int64
    _check_from_to(low, high, dtype)
    host = _engine(generator).randint(math.prod(shape), int(low), int(high), dtype=_np.int64)
    return _place(host, shape, dtype, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 … n-1`` (int64). Mirrors ``torch.randperm``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.randperm(5)
        tensor([4, 0, 1, 3, 2])
    """
    if out is not None:  # the result takes out's dtype and device
        return with_out("aten::randperm", out, randperm, n, generator=generator,
                        dtype=out.dtype if dtype is None else dtype, device=out.device)
    dtype = check_dtype(dtype) or D.int64
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    host = _engine(generator).randperm(int(n))
    return _place(host, (int(n),), dtype, device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal random numbers with the given mean and standard deviation.

    ``normal(mean, std, size)`` with floats, or ``normal(mean_tensor, std)`` /
    ``normal(mean, std_tensor)`` / ``normal(mean_tensor, std_tensor)`` element-wise.
    Mirrors ``torch.normal``.
    """
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = ref.shape
        if isinstance(mean, Tensor) and isinstance(std, Tensor):
            shape = broadcast_shape(mean.shape, std.shape)
        if isinstance(std, Tensor):
            if std.numel() and not bool((std >= 0).all()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        else:
            _check_std(std)
        out_t = empty(shape, dtype=ref.dtype, device=ref.device)
        normal_(out_t, 0.0, 1.0, generator=generator)
        return add(mul(out_t, std), mean)
    shape = _as_shape((size,))
    dtype, npdt = _float_dtype(dtype, "normal_kernel_cpu")
    _check_std(std)
    host = _engine(generator).normal(math.prod(shape), float(mean), float(std), dtype=npdt)
    return _place(host, shape, dtype, device, requires_grad)


def _like_shape(input, dtype, device):
    return input.shape, (input.dtype if dtype is None else dtype), (input.device if device is None else device)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``rand`` with the shape (and by default dtype and device) of ``input``."""
    s, d, dev = _like_shape(input, dtype, device)
    return _like_layout(input, lambda shape: rand(shape, dtype=d, device=dev, requires_grad=requires_grad))


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``randn`` with the shape (and by default dtype and device) of ``input``."""
    s, d, dev = _like_shape(input, dtype, device)
    return _like_layout(input, lambda shape: randn(shape, dtype=d, device=dev, requires_grad=requires_grad))


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """``randint`` with the shape (and by default dtype and device) of ``input``."""
    if high is None:
        low, high = 0, low
    s, d, dev = _like_shape(input, dtype, device)
    return _like_layout(input, lambda shape: randint(low, high, shape, dtype=d, device=dev,
                                                     requires_grad=requires_grad))


# ------------------------------------------------------------------ in-place fills
def _write(t, host):
    write_all(t, host.reshape(t.shape).astype(_NP[t.dtype.name], copy=False))
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    """Fill ``t`` in place with uniform numbers in ``[a, b)``. Mirrors ``Tensor.uniform_``."""
    _, npdt = _float_dtype(t.dtype)
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_num(a)} > to={_num(b)}")
    return _write(t, _engine(generator).uniform(t.numel(), float(a), float(b), dtype=npdt))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    """Fill ``t`` in place with normal numbers. Mirrors ``Tensor.normal_``."""
    _, npdt = _float_dtype(t.dtype, "normal_kernel_cpu")
    _check_std(std)
    return _write(t, _engine(generator).normal(t.numel(), float(mean), float(std), dtype=npdt))


def random_(t, from_=None, to=None, *, generator=None):
    """Fill ``t`` in place with random integers. Mirrors ``Tensor.random_``."""
    eng = _engine(generator)
    npdt = _NP.get(t.dtype.name, _np.float32)
    if from_ is None and to is None:
        host = eng.random_(t.numel(), dtype=npdt)
    else:
        if to is None:
            from_, to = 0, from_
        _check_from_to(from_, to, t.dtype)
        host = eng.randint(t.numel(), int(from_), int(to), dtype=npdt)
    return _write(t, host)


_P_IN = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
         "If so, please report an enhancement request to PyTorch.)")


def _probabilities(p, shape):
    """The host array of per-element probabilities ``p`` (a tensor broadcast to ``shape``),
    checked as PyTorch does."""
    if not p.dtype.is_floating_point:
        raise _not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
    host = _np.broadcast_to(p._host(), tuple(shape))
    if host.size and not bool(((host >= 0) & (host <= 1)).all()):
        raise RuntimeError(_P_IN)
    return host.reshape(-1)


def bernoulli_(t, p=0.5, *, generator=None):
    """Fill ``t`` in place with 0/1 draws that are 1 with probability ``p`` (a number, or a
    tensor broadcastable to ``t``). Mirrors ``Tensor.bernoulli_``.

    Raises:
        RuntimeError: if a probability lies outside ``[0, 1]``.
    """
    if isinstance(p, Tensor):
        host = _probabilities(p, t.shape)
        return _write(t, _engine(generator).bernoulli(t.numel(), host, dtype=_NP[t.dtype.name]))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _write(t, _engine(generator).bernoulli(t.numel(), float(p), dtype=_NP[t.dtype.name]))


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws with probabilities ``input`` (or ``p``). Mirrors ``torch.bernoulli``.

    Raises:
        RuntimeError: if a probability lies outside ``[0, 1]``.
        NotImplementedError: for an integer ``input``.
    """
    if p is not None:
        return bernoulli_(empty(input.shape, dtype=input.dtype, device=input.device), p, generator=generator)
    host = _probabilities(input, input.shape)
    out = empty(input.shape, dtype=input.dtype, device=input.device)
    return _write(out, _engine(generator).bernoulli(input.numel(), host, dtype=_NP[input.dtype.name]))
