"""The three discrete Fourier transform kernels behind ``reftorch.fft``, as in PyTorch:

* :class:`FftC2C` (``FftC2CBackward0``): complex to complex over some dims, forward
  (exponent ``-2*pi*i*k*j/n``) or inverse (``+``);
* :class:`FftR2C` (``FftR2CBackward0``): real to complex, forward; ``onesided`` keeps only
  the first ``n // 2 + 1`` frequencies of the last transformed dim (the others are their
  conjugates);
* :class:`FftC2R` (``FftC2RBackward0``): the inverse of the onesided ``FftR2C``: the half
  spectrum along the last transformed dim completed by conjugate symmetry, transformed,
  real output of ``last_dim_size`` along that dim.

Each takes wrapped dims (a tuple of non-negative ints) and a normalization *mode*, applied
as is whatever the direction (PyTorch's ``fft_norm_mode``): ``"none"``, ``"sqrt"`` (divide
by ``sqrt(n)``) or ``"n"`` (divide by ``n``, the product of the transformed sizes). The
public functions (``reftorch/fft``) check the arguments, promote the dtype and pad or crop
the input; the kernels run the array namespace's ``fft`` extension (``numpy.fft``,
``cupy.fft``, ``array_api_strict.fft``).

The backward of a linear map is its adjoint: the inverse-direction transform with the same
mode (unnormalized ``exp(+...)`` for an unnormalized forward transform), as PyTorch's
``fft_r2c_backward`` and ``fft_c2r_backward`` write it. Run on tensors (``create_graph``),
the transforms record their own nodes again.
"""
from __future__ import annotations

from .._layout import row_major
from .._tensor import Tensor
from ..autograd.function import OpFunction
from .indexing import real
from .pointwise import Conj

#: The array API's ``norm`` argument that applies a mode, for a forward and an inverse
#: transform (its "backward" means: no scaling forward, 1/n inverse).
_NORM = {True: {"none": "backward", "sqrt": "ortho", "n": "forward"},
         False: {"none": "forward", "sqrt": "ortho", "n": "backward"}}


def _as(xp, a, native):
    """``a`` in the native dtype ``native`` (a library that computes float32 transforms in
    double precision gives complex128: cast back, as PyTorch returns complex64)."""
    return a if a.dtype == native else xp.astype(a, native)


def _pytorch_layout(backend, a, dims, last_inner, run):
    """``run(view, axes)`` on a view of ``a`` whose transformed ``dims`` come last in memory
    (``axes``: their positions there), its result laid out as PyTorch lays out a transform's
    output: the other dims outermost, then the transformed ones, in the order of ``a``'s
    strides; with ``last_inner`` (real transforms), the last of ``dims`` innermost."""
    xp = backend.xp
    st = backend.strides(a)
    order = sorted(range(a.ndim), key=lambda d: -st[d])
    inner = [dims[-1]] if last_inner else []
    perm = [d for d in order if d not in dims] + [d for d in order if d in dims and d not in inner] + inner
    out = row_major(backend, run(xp.permute_dims(a, tuple(perm)), tuple(perm.index(d) for d in dims)))
    return xp.permute_dims(out, tuple(perm.index(d) for d in range(a.ndim)))


def c2c(backend, a, dims, mode, forward):
    """The complex-to-complex transform of ``a`` over ``dims`` (an array, or a tensor under
    ``create_graph``: then recorded as :class:`FftC2C`)."""
    if isinstance(a, Tensor):
        return FftC2C.apply(a, dims, mode, forward)
    xp = backend.xp
    fn = xp.fft.fftn if forward else xp.fft.ifftn
    return _pytorch_layout(backend, a, dims, False,
                           lambda v, axes: _as(xp, fn(v, axes=axes, norm=_NORM[forward][mode]), a.dtype))


def r2c(backend, a, dims, mode, onesided, complex_native):
    """The forward real-to-complex transform of the real ``a`` over ``dims``, of native
    dtype ``complex_native``; ``onesided``: the last dim halved (tensors: :class:`FftR2C`)."""
    if isinstance(a, Tensor):
        return FftR2C.apply(a, dims, mode, onesided)
    xp = backend.xp

    def run(v, axes):
        half = _as(xp, xp.fft.rfftn(v, axes=axes, norm=_NORM[True][mode]), complex_native)
        return half if onesided else _with_conjugates(xp, half, axes, a.shape[dims[-1]])
    return _pytorch_layout(backend, a, dims, True, run)


def _with_conjugates(xp, half, dims, n):
    """The full spectrum of a real signal from its onesided half (``n`` long along the last
    of ``dims``): ``X[k] = conj(X[-k mod n])`` over all ``dims``, as PyTorch completes it (so
    the values that must be real have an imaginary part of exactly zero)."""
    last = dims[-1]
    m = half.shape[last]
    tail = half[(slice(None),) * last + (slice(1, n - m + 1),)]
    for d in dims[:-1]:  # k -> -k mod size along the other dims
        if tail.shape[d] > 1:
            head = (slice(None),) * d
            tail = xp.concat([tail[head + (slice(0, 1),)], xp.flip(tail[head + (slice(1, None),)], axis=d)], axis=d)
    return xp.concat([half, xp.conj(xp.flip(tail, axis=last))], axis=last)


def _take_last(xp, a, axis, stop):
    """``a`` cut to its first ``stop`` elements along ``axis``."""
    return a[(slice(None),) * axis + (slice(0, stop),)]


class FftC2C(OpFunction):
    """``torch._fft_c2c``: the gradient is the transform in the other direction."""

    name = "FftC2CBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dims, mode, is_forward):
        ctx.dims, ctx.mode, ctx.direction = dims, mode, is_forward
        return c2c(x._backend, x._data, dims, mode, is_forward)

    @staticmethod
    def backward(ctx, g):
        return c2c(ctx.backend, g, ctx.dims, ctx.mode, not ctx.direction)


class FftR2C(OpFunction):
    """``torch._fft_r2c``: the gradient of the (onesided: zero-completed) spectrum is the
    real part of its inverse transform."""

    name = "FftR2CBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dims, mode, onesided):
        b = x._backend
        ctx.dims, ctx.mode, ctx.onesided = dims, mode, onesided
        ctx.last = x.shape[dims[-1]]
        return r2c(b, x._data, dims, mode, onesided, b.dtype(x._dtype.to_complex()))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        axis = ctx.dims[-1]
        missing = ctx.last - g.shape[axis]
        if isinstance(g, Tensor):  # (create_graph: the nodes PyTorch records)
            if ctx.onesided and missing > 0:
                shape = list(g.shape)
                shape[axis] = ctx.last
                full = g.new_zeros(shape)
                full.narrow(axis, 0, g.shape[axis]).copy_(g)  # CopySlices
                g = full
            return real(FftC2C.apply(g, ctx.dims, ctx.mode, False))  # SelectBackward0 of ViewAsReal
        if ctx.onesided and missing > 0:  # the dropped frequencies: zero gradient
            g = xp.concat([g, xp.zeros_like(_take_last(xp, g, axis, missing))], axis=axis)
        return xp.real(c2c(ctx.backend, g, ctx.dims, ctx.mode, False))


class FftC2R(OpFunction):
    """``torch._fft_c2r``: the gradient is the onesided forward transform of the real
    gradient, the frequencies whose mirror image lies outside the half spectrum doubled
    (each stands for itself and its conjugate)."""

    name = "FftC2RBackward0"
    create_graph = True
    arity = 1

    @staticmethod
    def forward(ctx, x, dims, mode, last_dim_size):
        b = x._backend
        a = x._data
        ctx.dims, ctx.mode, ctx.complex_dtype = dims, mode, x._dtype
        sizes = [a.shape[d] for d in dims[:-1]] + [last_dim_size]
        real = b.dtype(x._dtype.to_real())
        return _pytorch_layout(b, a, dims, True, lambda v, axes: _as(
            b.xp, b.xp.fft.irfftn(v, s=sizes, axes=axes, norm=_NORM[False][mode]), real))

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        axis = ctx.dims[-1]
        n = g.shape[axis]
        gi = r2c(ctx.backend, g, ctx.dims, ctx.mode, True, ctx.backend.dtype(ctx.complex_dtype))
        half = gi.shape[axis]
        doubled = n - half
        if doubled > 0 and isinstance(gi, Tensor):  # (create_graph: PyTorch's in-place mul_, CopySlices)
            gi.narrow(axis, 1, doubled).mul_(2)
        elif doubled > 0:
            w = [1.0] + [2.0] * doubled + [1.0] * (half - 1 - doubled)
            shape = [1] * len(g.shape)
            shape[axis] = half
            gi = gi * xp.reshape(xp.asarray(w, dtype=g.dtype, **ctx.backend._dev_kw()), tuple(shape))
        return gi


class ConjPhysical(Conj):
    """``torch.conj_physical``, a conjugated copy (``ihfftn`` conjugates its half spectrum
    with it before the remaining inverse transforms)."""

    name = "ConjPhysicalBackward0"
