"""Random sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal`` and the
in-place ``uniform_``/``normal_``/``random_``/``bernoulli_``/``exponential_``; ``poisson``, ``binomial``.

All draws come from the CPU generator (bit-exact with PyTorch's CPU streams) as host
arrays and are moved to the tensor's device by its backend. An in-place fill draws in the
order PyTorch walks the tensor (memory order for a dense one) and, on a tensor that is part
of a graph, records PyTorch's node (``UniformBackward0`` …) with a zero gradient.
"""
from __future__ import annotations

import math
import warnings

import ml_dtypes  # bfloat16, and a finfo that knows it
import numpy as _np  # host-side: the generator produces NumPy arrays

from .._warnings import user_stacklevel
from .. import _dtype as D
from .._fma import fma64
from .._layout import broadcast_shape, contiguous_strides
from .._tensor import _C_TYPE, Tensor, new_shape
from ..random import _engine
from ._common import check_dtype, resolve_device, tensor_input, with_out
from ._inplace import check_inplace, check_no_internal_overlap, commit, write_all
from ..autograd.function import OpFunction as Function
from ..autograd.grad_mode import is_grad_enabled
from .creation import _like_layout, empty, like_input_strides  # (laid out, and filled in memory order, like input)
from .pointwise import add, mul

_NP = {"float16": _np.float16, "bfloat16": ml_dtypes.bfloat16, "float32": _np.float32, "float64": _np.float64, "int64": _np.int64,
       "int32": _np.int32, "int16": _np.int16, "int8": _np.int8, "uint8": _np.uint8, "bool": _np.bool_,
       "complex64": _np.complex64, "complex128": _np.complex128}


def _place(host, shape, dtype, device, requires_grad):
    dev, backend = resolve_device(device)
    host = host.reshape(shape).astype(_NP[dtype.name], copy=False)
    arr = host if dev.type == "cpu" else backend.from_host(host)
    t = Tensor._wrap(arr, dev, backend)
    if requires_grad:
        t.requires_grad_(True, _method=False)
    return t


def _float_dtype(dtype, kernel="check_uniform_bounds", complex_ok=False):
    """The dtype to draw (default: the default dtype) and the NumPy type of its draws; a
    complex dtype (with ``complex_ok``) draws its real and imaginary parts as pairs of its
    real type, as PyTorch fills ``view_as_real`` of a complex tensor."""
    dtype = check_dtype(dtype) or D.get_default_dtype()
    if complex_ok and dtype.is_complex:
        return dtype, _NP[dtype.to_real().name]
    if dtype in D.REDUCED_FLOATS:
        # the generator's float16/bfloat16 streams: uniforms computed in float, then rounded
        # (a value that rounds to the upper bound becomes the lower one, as in PyTorch),
        # normal_fill on 16-value float buffers (full blocks, then 16 fresh draws for the tail)
        return dtype, _NP[dtype.name]
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
_FLOAT_LIMITS = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}


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
        info, name = (-top, top), _C_TYPE[dtype.name]
    if not info[0] <= low <= info[1]:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not info[0] <= high - 1 <= info[1]:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")
    if dtype.is_floating_point:  # PyTorch's WARN_OUT_OF_BOUNDS: beyond 2**digits not every integer exists
        digits = ml_dtypes.finfo(_NP[dtype.name]).nmant + 1
        for value, what, line in ((low, "from", 110), (high - 1, "to - 1", 111)):
            if not -(1 << digits) <= value <= 1 << digits:
                warnings.warn(f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations "
                              f"{name} can support discrete uniform distribution only within this range. This "
                              "warning will become an error in version 1.7 release, please fix the code in advance "
                              "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
                              f"DistributionTemplates.h:{line}.)", UserWarning, stacklevel=user_stacklevel())


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
    shape = new_shape(size, "rand")
    dtype, npdt = _float_dtype(dtype, complex_ok=True)
    host = _engine(generator).uniform(math.prod(shape) * _parts(dtype), 0.0, 1.0, dtype=npdt)
    return _place(host.view(_NP[dtype.name]), shape, dtype, device, requires_grad)


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
    shape = new_shape(size, "randn")
    dtype, npdt = _float_dtype(dtype, "normal_kernel_cpu", complex_ok=True)
    host = _engine(generator).normal(math.prod(shape) * _parts(dtype), 0.0, _complex_std(1.0, dtype), dtype=npdt)
    return _place(host.view(_NP[dtype.name]), shape, dtype, device, requires_grad)


def _parts(dtype):
    """Numbers drawn per element: 2 for a complex dtype (real and imaginary parts)."""
    return 2 if dtype.is_complex else 1


def _complex_std(std, dtype):
    """PyTorch's normal draws for a complex dtype: each part gets half the variance."""
    return std / math.sqrt(2) if dtype.is_complex else std


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
    shape = new_shape((size,), None)
    dtype = check_dtype(dtype) or D.int64
    _check_from_to(low, high, dtype)
    # (a floating dtype moves the bounds inside the integers it holds, as random_(from, to))
    npdt = _NP[dtype.name] if dtype.is_floating_point else _np.int64
    host = _engine(generator).randint(math.prod(shape), int(low), int(high), dtype=npdt)
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
    shape = new_shape((size,), None)
    dtype, npdt = _float_dtype(dtype, "normal_kernel_cpu", complex_ok=True)
    _check_std(std)
    host = _engine(generator).normal(math.prod(shape) * _parts(dtype), float(mean),
                                     float(_complex_std(std, dtype)), dtype=npdt)
    return _place(host.view(_NP[dtype.name]), shape, dtype, device, requires_grad)


def _like_shape(input, dtype, device):
    return input.shape, (input.dtype if dtype is None else dtype), (input.device if device is None else device)


@tensor_input
def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``rand`` with the shape (and by default dtype and device) of ``input``. Mirrors
    ``torch.rand_like``.

    Raises:
        NotImplementedError: for an integer or bool dtype (``rand`` draws floating point
            numbers).
    """
    s, d, dev = _like_shape(input, dtype, device)
    return _like_layout(input, lambda shape: rand(shape, dtype=d, device=dev, requires_grad=requires_grad),
                        memory_format, "rand_like")


@tensor_input
def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """``randn`` with the shape (and by default dtype and device) of ``input``. Mirrors
    ``torch.randn_like``.

    Raises:
        NotImplementedError: for an integer or bool dtype (``randn`` draws floating point
            numbers).
    """
    s, d, dev = _like_shape(input, dtype, device)
    # PyTorch fills the new tensor in memory order, with its block-of-16 normal_fill only
    # when that tensor is contiguous (a non-contiguous dense layout draws element by element)
    shape = tuple(input._data.shape)
    want = like_input_strides(input, memory_format, "randn_like")
    contiguous = want is None or all(w == c for w, c, n in zip(want, contiguous_strides(shape), shape) if n != 1)
    dtype_, npdt = _float_dtype(d, "normal_kernel_cpu", complex_ok=True)

    def make(mem_shape):
        host = _engine(None).normal(math.prod(mem_shape) * _parts(dtype_), 0.0, _complex_std(1.0, dtype_),
                                    dtype=npdt, contiguous=contiguous)
        return _place(host.view(_NP[dtype_.name]), mem_shape, dtype_, dev, requires_grad)
    return _like_layout(input, make, memory_format, "randn_like")


@tensor_input
def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """``randint`` with the shape (and by default dtype and device) of ``input``."""
    if high is None:
        low, high = 0, low
    s, d, dev = _like_shape(input, dtype, device)
    return _like_layout(input, lambda shape: randint(low, high, shape, dtype=d, device=dev,
                                                     requires_grad=requires_grad), memory_format, "randint_like")


# ------------------------------------------------------------------ in-place fills
class RandomFill(Function):
    """The node of a random fill of a tensor that is part of a graph (``UniformBackward0``,
    ``NormalBackward0``, ``RandomBackward0/1/2``, ``BernoulliBackward0/1/2``; the name comes
    with each call): its output is the drawn array ``data``, which depends on no input, so
    every gradient is zero (for a tensor of probabilities ``p`` too, in ``p``'s shape)."""

    name = "UniformBackward0"
    create_graph = True  # zeros: trivially differentiable

    @staticmethod
    def forward(ctx, x, *p, data):
        if p:
            ctx.p_shape, ctx.p_dtype = tuple(p[0].shape), p[0].dtype
        return data

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if not hasattr(ctx, "p_shape"):
            return xp.zeros_like(g)
        b = ctx.backend
        return xp.zeros_like(g), xp.zeros(ctx.p_shape, dtype=b.dtype(ctx.p_dtype), **b._dev_kw())


class BernoulliNotImplemented(RandomFill):
    """``torch.bernoulli(input, p)`` with a number ``p``: PyTorch records a node that
    refuses the backward pass."""

    name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


class BinomialNotImplemented(RandomFill):
    """``torch.binomial`` of tensors that require grad: PyTorch records a node that
    refuses the backward pass."""

    name = "torch::autograd::NotImplemented"

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::binomial is not implemented")


def _walk_order(t):
    """The dims of ``t`` in the order PyTorch's ``TensorIterator`` walks them when it fills
    ``t``: by stride, largest first (a dense tensor is filled in memory order)."""
    strides = t._backend.strides(t._data)
    return sorted(range(t.dim()), key=lambda d: -strides[d])


def _fill(t, name, draw, *p):
    """Write the host draws ``draw(order)`` into ``t``, recording the node ``name`` when
    ``t`` (or a tensor ``p``) is part of a graph. The draws come in the order PyTorch fills
    ``t`` (``order``: ``t``'s dims, outermost first, see :func:`_walk_order`). ``t``'s
    elements must not share memory (checked before drawing: the stream is left as it was)."""
    check_no_internal_overlap(t)
    order = _walk_order(t)
    shape = t._data.shape
    host = draw(order)
    if order == sorted(order):  # (memory order is the dims' order: the draws are laid out already)
        host = host.reshape(shape)
    else:
        host = host.reshape(tuple(shape[d] for d in order))
        host = _np.transpose(host, sorted(range(len(order)), key=order.__getitem__))
    host = host.astype(_NP[t.dtype.name], copy=False)
    if not is_grad_enabled() or not (t._requires_grad or (p and p[0]._requires_grad)):
        write_all(t, host)
        return t
    return commit(t, RandomFill.apply(t, *p, data=t._backend.from_host(host.copy()), _name=name))


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    """Fill ``t`` in place with uniform numbers in ``[a, b)``. Mirrors ``Tensor.uniform_``
    (``grad_fn`` ``UniformBackward0``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``a > b``, or ``t`` is an expanded tensor or a leaf that requires grad.
    """
    check_inplace(t)
    _, npdt = _float_dtype(t.dtype, complex_ok=True)
    if not a <= b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_num(a)} > to={_num(b)}")
    return _fill(t, "UniformBackward0", lambda order: _engine(generator).uniform(
        t.numel() * _parts(t.dtype), float(a), float(b), dtype=npdt).view(_NP[t.dtype.name]))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    """Fill ``t`` in place with normal numbers. Mirrors ``Tensor.normal_`` (``grad_fn``
    ``NormalBackward0``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``std < 0``, or ``t`` is an expanded tensor or a leaf that requires grad.
    """
    check_inplace(t)
    _check_std(std)
    if not t.numel():  # (PyTorch checks the dtype only when there is something to draw)
        return _fill(t, "NormalBackward0", lambda order: _np.empty(0))
    _, npdt = _float_dtype(t.dtype, "normal_kernel_cpu", complex_ok=True)
    if t.dtype.is_complex:
        std = _complex_std(std, t.dtype)
        return _fill(t, "NormalBackward0", lambda order: _engine(generator).normal(
            2 * t.numel(), float(mean), float(std), dtype=npdt, contiguous=t.is_contiguous()).view(_NP[t.dtype.name]))
    data = t._data
    if data.__class__ is _np.ndarray and data.flags.c_contiguous and data.dtype == npdt and not (
            t._requires_grad and is_grad_enabled()):
        # A row-major CPU tensor outside any graph: the values are drawn straight into its
        # memory (no temporary, no copy; it is also what PyTorch's kernel does).
        _engine(generator).normal(t.numel(), float(mean), float(std), dtype=npdt, out=data.reshape(-1))
        t._bump_version()
        return t
    return _fill(t, "NormalBackward0",
                 lambda order: _engine(generator).normal(t.numel(), float(mean), float(std), dtype=npdt,
                                                         contiguous=t.is_contiguous()))


def exponential_(t, lambd=1.0, *, generator=None):
    """Fill ``t`` in place with exponential numbers of rate ``lambd``: from one float64
    uniform ``u`` per element, ``-1/lambd * log1p(-u)`` (glibc's ``log1p``, as libtorch
    calls it), rounded to ``t``'s dtype. Mirrors ``Tensor.exponential_`` (``grad_fn``
    ``ExponentialBackward0``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``lambd <= 0``, ``t`` is not floating point, or ``t`` is an
            expanded tensor or a leaf that requires grad.
    """
    check_inplace(t)
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    if not t.dtype.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {D.scalar_name(t.dtype)}")

    def draw(order):
        u = _engine(generator).uniform(t.numel(), 0.0, 1.0, dtype=_np.float64)
        return _np.array([-1.0 / lambd * math.log1p(-x) for x in u.tolist()], dtype=_np.float64)
    return _fill(t, "ExponentialBackward0", draw)


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    """Fill ``t`` in place with Cauchy numbers: from one float64 uniform ``u`` per element,
    ``median + sigma * tan(pi * (u - 0.5))`` (the C library's ``tan``, as libtorch calls it;
    the multiply-add rounded once, as its compiler contracts it), rounded to ``t``'s dtype. Mirrors ``Tensor.cauchy_`` (``grad_fn`` ``CauchyBackward0``, a
    zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``sigma <= 0``, ``t`` is not floating point, or ``t`` is an expanded
            tensor or a leaf that requires grad.
    """
    check_inplace(t)
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    if not t.dtype.is_floating_point:  # (named as a C type here, unlike exponential_'s message)
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_C_TYPE[t.dtype.name]}")

    def draw(order):
        u = _engine(generator).uniform(t.numel(), 0.0, 1.0, dtype=_np.float64)
        tangents = _np.array([math.tan(math.pi * (x - 0.5)) for x in u.tolist()], dtype=_np.float64)
        return fma64(tangents, float(sigma), float(median))  # median + sigma * tan(...), contracted
    return _fill(t, "CauchyBackward0", draw)


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    """Fill ``t`` in place with log-normal numbers: ``exp`` of PyTorch's scalar float64
    normal draws with ``mean`` and ``std`` (Box-Muller, the second value of each pair kept
    for the next draw), rounded to ``t``'s dtype. Mirrors ``Tensor.log_normal_`` (``grad_fn``
    ``LogNormalBackward0``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``std <= 0``, or ``t`` is an expanded tensor or a leaf that requires grad.
        NotImplementedError: if ``t`` is not floating point.
    """
    check_inplace(t)
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    if not t.dtype.is_floating_point:
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for '{D.scalar_name(t.dtype)}'")

    def draw(order):
        normal = _engine(generator)._normal_scalar(t.numel(), float(mean), float(std))
        return _np.array([math.exp(x) for x in normal.tolist()], dtype=_np.float64)
    return _fill(t, "LogNormalBackward0", draw)


def geometric_(t, p, *, generator=None):
    """Fill ``t`` in place with geometric numbers (the number of Bernoulli(``p``) trials up to
    the first success): from one float64 uniform ``u`` per element, ``ceil(log(u) /
    log1p(-p))``. Integer tensors are allowed. Mirrors ``Tensor.geometric_`` (``grad_fn``
    ``GeometricBackward0``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``p`` is not in ``(0, 1)``, or ``t`` is an expanded tensor or a leaf
            that requires grad.
    """
    check_inplace(t)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")

    def draw(order):
        u = _engine(generator).uniform(t.numel(), 0.0, 1.0, dtype=_np.float64)
        scale = math.log1p(-p)
        return _np.array([math.ceil(math.log(x) / scale) if x > 0 else math.inf for x in u.tolist()],
                         dtype=_np.float64)
    return _fill(t, "GeometricBackward0", draw)


def _to_int64(x):
    """C's ``(int64_t)x`` on x86: truncation, and INT64_MIN for NaN, inf or out of range."""
    return int(x) if math.isfinite(x) and -2.0 ** 63 <= x < 2.0 ** 63 else -(1 << 63)


def _poisson_draw(lam, unit):
    """One Poisson draw of rate ``lam`` as PyTorch's CPU ``sample_poisson``: for
    ``lam >= 10`` Hormann's transformed rejection (1993), else the product of uniforms
    (Knuth); ``unit()`` is the next float64 uniform of the generator."""
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = unit() - 0.5
            v = unit()
            us = 0.5 - abs(u)
            k = _to_int64(math.floor((2 * a / us + b) * u + lam + 0.43)) if math.isfinite(lam) else -(1 << 63)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1.0):
                return k
    if lam == 0:
        return 0
    x, prod, enlam = 0, 1.0, math.exp(-lam)
    while True:
        prod *= unit()
        if prod <= enlam:
            return x
        x += 1


@tensor_input
def poisson(input, generator=None):
    """Poisson draws, one per element of ``input`` (the rates), as floats of
    ``input``'s dtype. Mirrors ``torch.poisson``: the same values after ``manual_seed``
    (PyTorch's CPU algorithm, element by element in memory order: a variable number of
    float64 uniforms per draw). When ``input`` requires grad, so does the result
    (``PoissonBackward0``, a zero gradient).

    Args:
        input: the rates (>= 0), a floating point tensor of any shape.
        generator: the generator to draw from (default: the global one).

    Raises:
        RuntimeError: if a rate is negative or NaN.
        NotImplementedError: for an integer ``input``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.poisson(torch.tensor([0.5, 4.0, 30.0]))
        tensor([ 2.,  5., 26.])
    """
    if not input.dtype.is_floating_point:
        raise _not_implemented("poisson_cpu", input.dtype)
    rates = _np.asarray(input.detach().contiguous()._host(), dtype=_np.float64).reshape(-1)
    if rates.size and not bool((rates >= 0).all()):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    eng = _engine(generator)
    draws = _np.array([_poisson_draw(lam, lambda: float(eng.uniform(1, 0.0, 1.0, dtype=_np.float64)[0]))
                       for lam in rates.tolist()], dtype=_np.float64)
    arr = input._backend.from_host(draws.astype(_NP[input.dtype.name]).reshape(input.shape))
    return RandomFill.apply(input, data=arr, _name="PoissonBackward0")


# --- torch.binomial: PyTorch's CPU sample_binomial. The kernel computes in the tensors'
# dtype ``S`` where its C++ does (scalar_t: float32 arithmetic for float32 tensors) and in
# double elsewhere; every uniform is a float64 draw of the generator.
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                  0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                  0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    """``log(k!) - (Stirling's approximation of it)``: a table up to 9, else its series."""
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _binomial_inversion(count, prob, unit):
    """Count geometric waiting times until they pass ``count`` (small ``count * prob``)."""
    geom_sum, num_geom = 0.0, count * 0
    logprob = float(_np.log1p(-prob))  # (std::log1p in the tensor's precision)
    while True:
        geom_sum += math.ceil(math.log(unit()) / logprob)
        if geom_sum > count:
            return num_geom
        num_geom = num_geom + 1


def _btrs(count, prob, unit):
    """Hormann's BTRS transformed rejection (``count * prob >= 10``), with PyTorch's
    deviation (a log in the acceptance bound)."""
    S = type(count)
    stddev = float(_np.sqrt(count * prob * (1 - prob)))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * float(prob)
    c = float(count * prob) + 0.5
    v_r = 0.92 - 4.2 / b
    r = float(prob / (1 - prob))
    alpha = (2.83 + 5.1 / b) * stddev
    m = float(_np.floor((count + 1) * prob))
    n = float(count)
    while True:
        u = unit() - 0.5
        v = unit()
        us = 0.5 - abs(u)
        k = float(S(math.floor((2 * a / us + b) * u + c)))
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        n_k1 = float(count - S(k) + 1)
        upperbound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1)))
                      + float(count + 1) * math.log((n - m + 1) / n_k1)
                      + (k + 0.5) * math.log(r * n_k1 / float(S(k) + 1))
                      + _stirling_tail(m) + _stirling_tail(n - m) - _stirling_tail(k) - _stirling_tail(n - k))
        if v <= upperbound:
            return k


def _binomial_draw(count, prob, unit):
    """One draw of Binomial(count, prob), ``count`` and ``prob`` NumPy scalars of the
    tensors' dtype, as PyTorch's CPU ``sample_binomial``."""
    if count <= 0 or prob <= 0:
        return 0.0
    if prob >= 1:
        return float(count)
    if prob <= 0.5:
        return _btrs(count, prob, unit) if count * prob >= 10.0 else float(_binomial_inversion(count, prob, unit))
    if prob > 0.5:
        qprob = type(prob)(1.0 - float(prob))
        k = _btrs(count, qprob, unit) if count * qprob >= 10.0 else _binomial_inversion(count, qprob, unit)
        return float(count - type(count)(k))
    return math.nan  # (a NaN probability)


@tensor_input
def binomial(count, prob, generator=None):
    """Binomial draws: the number of successes in ``count`` trials of success probability
    ``prob``, element by element, as floats of their dtype. Mirrors ``torch.binomial``:
    the same values after ``manual_seed`` (PyTorch's CPU algorithm: inversion for
    ``count * p < 10``, Hormann's BTRS rejection above, with ``p = min(prob, 1 - prob)``;
    a variable number of float64 uniforms per draw). Differs from PyTorch: a NaN count
    gives NaN (PyTorch's loop never ends).

    Args:
        count: the numbers of trials, a floating point tensor.
        prob: the success probabilities, of ``count``'s dtype, broadcastable to its shape.
        generator: the generator to draw from (default: the global one).

    When ``count`` or ``prob`` requires grad, so does the result, with PyTorch's node that
    refuses the backward pass.

    Raises:
        ValueError: for an integer ``count`` or ``prob``.
        RuntimeError: if ``prob``'s dtype is not ``count``'s.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.binomial(torch.tensor([10.0, 100.0]), torch.tensor([0.5, 0.2]))
        tensor([ 7., 21.])
    """
    if not count.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {D.scalar_name(count.dtype)}")
    if not prob.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for prob, got: {D.scalar_name(prob.dtype)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {D.scalar_name(prob.dtype)} but expected {D.scalar_name(count.dtype)}")
    npdt = _NP[count.dtype.name]
    counts = _np.asarray(count.detach().contiguous()._host(), dtype=npdt).reshape(-1)
    probs = _np.asarray(prob.detach().expand(count.shape).contiguous()._host(), dtype=npdt).reshape(-1)
    eng = _engine(generator)

    def unit():
        return float(eng.uniform(1, 0.0, 1.0, dtype=_np.float64)[0])
    draws = _np.array([math.nan if math.isnan(n) else _binomial_draw(n, q, unit) for n, q in zip(counts, probs)],
                      dtype=_np.float64)
    arr = count._backend.from_host(draws.astype(npdt).reshape(count.shape))
    if is_grad_enabled() and (count._requires_grad or prob._requires_grad):
        return BinomialNotImplemented.apply(count, prob, data=arr)
    return Tensor._wrap(arr, count.device, count._backend)


_NO_TO = object()  # ``random_(n)``: ``to`` not given, as opposed to ``random_(from, None)``


def _to_inclusive(low, dtype):
    """The top of ``random_(from, None)``: the dtype's largest value (integers) or
    ``2 ** digits`` (floating point: every integer up to it is exact), with PyTorch's checks."""
    if dtype.name in _C_NAMES:
        info = (0, 1) if dtype is D.bool else (lambda i: (int(i.min), int(i.max)))(_np.iinfo(_NP[dtype.name]))
        if not info[0] <= low <= info[1]:
            raise RuntimeError(f"from is out of bounds for {_C_NAMES[dtype.name]}")
        return info[1]
    top = 2 ** (ml_dtypes.finfo(_NP[dtype.name]).nmant + 1)
    if low > top:
        raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to "
                           f"dtype, but got from={low} > to_inc={top}")
    return top


def random_(t, from_=None, to=_NO_TO, *, generator=None):
    """Fill ``t`` in place with random integers. Mirrors ``Tensor.random_`` (``grad_fn``
    ``RandomBackward0`` for ``random_(from, to)``, ``RandomBackward1`` for ``random_(to)``,
    ``RandomBackward2`` for ``random_()``, a zero gradient, when ``t`` is part of a graph).

    Raises:
        RuntimeError: if ``from >= to`` or either lies outside ``t``'s dtype, or ``t`` is an
            expanded tensor or a leaf that requires grad.
    """
    check_inplace(t)
    eng = _engine(generator)
    npdt = _NP.get(t.dtype.name, _np.float32)
    if from_ is None and (to is None or to is _NO_TO):
        return _fill(t, "RandomBackward2", lambda order: eng.random_(t.numel(), dtype=npdt))
    name = "RandomBackward0"
    if to is _NO_TO:
        from_, to, name = 0, from_, "RandomBackward1"
    check_no_internal_overlap(t)  # (PyTorch checks this before the range)
    if to is None:  # random_(from, None): from ``from`` to the top of the dtype, inclusive
        to = _to_inclusive(int(from_), t.dtype) + 1
    else:
        _check_from_to(from_, to, t.dtype)
    return _fill(t, name, lambda order: eng.randint(t.numel(), int(from_), int(to), dtype=npdt))


_P_IN = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
         "If so, please report an enhancement request to PyTorch.)")


def _probabilities(p, shape):
    """The host array of per-element probabilities ``p`` (a tensor broadcast to ``shape``),
    checked as PyTorch does."""
    if not p.dtype.is_floating_point:
        raise _not_implemented("bernoulli_tensor_cpu_p_", p.dtype)
    host = p.detach().expand(tuple(shape))._host()  # (PyTorch's error when p has more dims)
    if host.size and not bool(((host >= 0) & (host <= 1)).all()):
        raise RuntimeError(_P_IN)
    return host


def bernoulli_(t, p=0.5, *, generator=None):
    """Fill ``t`` in place with 0/1 draws that are 1 with probability ``p`` (a number, or a
    tensor broadcastable to ``t``). Mirrors ``Tensor.bernoulli_`` (``grad_fn``
    ``BernoulliBackward2`` for a number, ``BernoulliBackward1`` for a tensor ``p``, zero
    gradients, when ``t`` or ``p`` is part of a graph).

    Raises:
        RuntimeError: if a probability lies outside ``[0, 1]``, or ``t`` is an expanded
            tensor or a leaf that requires grad.
    """
    check_inplace(t)
    if isinstance(p, Tensor):
        host = _probabilities(p, t.shape)
        return _fill(t, "BernoulliBackward1", lambda order: _engine(generator).bernoulli(
            t.numel(), _np.transpose(host, order).reshape(-1), dtype=_NP[t.dtype.name]), p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _fill(t, "BernoulliBackward2", lambda order: _engine(generator).bernoulli(t.numel(), float(p),
                                                                               dtype=_NP[t.dtype.name]))


@tensor_input
def bernoulli(input, p=None, *, generator=None):
    """0/1 draws with probabilities ``input`` (or ``p``). Mirrors ``torch.bernoulli``.

    When ``input`` requires grad, so does the result: ``grad_fn`` ``BernoulliBackward0``
    with a zero gradient (with a number ``p``, PyTorch's node that refuses the backward pass).

    Raises:
        RuntimeError: if a probability lies outside ``[0, 1]``.
        NotImplementedError: for an integer ``input``.
    """
    if p is not None:
        out = bernoulli_(empty(input.shape, dtype=input.dtype, device=input.device), p, generator=generator)
        if input._requires_grad and is_grad_enabled():
            return BernoulliNotImplemented.apply(input, data=out._data)
        return out
    host = _probabilities(input, input.shape).reshape(-1)
    draws = _engine(generator).bernoulli(input.numel(), host, dtype=_NP[input.dtype.name])
    arr = input._backend.from_host(draws.reshape(input.shape))
    return RandomFill.apply(input, data=arr, _name="BernoulliBackward0")
