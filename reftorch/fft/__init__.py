"""``reftorch.fft``: discrete Fourier transforms. Mirrors ``torch.fft``.

The functions check their arguments, promote the input's dtype, pad or crop it to the
requested sizes and pick one of PyTorch's three kernels (``reftorch/_ops/spectral.py``),
as PyTorch's ``SpectralOps.cpp`` does, so the graphs have PyTorch's nodes:

* ``fft`` of a real tensor is a two-sided real-to-complex transform (``FftR2CBackward0``),
  of a complex one a complex-to-complex transform (``FftC2CBackward0``); ``ifft`` of a real
  tensor is the conjugate of a real-to-complex transform (``ConjBackward0``);
* ``rfft``/``rfftn`` keep half the spectrum of the last transformed dim
  (``FftR2CBackward0``), ``irfft``/``irfftn`` invert it (``FftC2RBackward0``), ``hfft``
  is ``irfft`` of the conjugate, ``ihfft`` the conjugate of ``rfft``;
* ``fftn``/``ifftn`` convert a real input to complex first (``ToCopyBackward0``);
* an ``n``/``s`` larger than the input pads it with zeros (``ConstantPadNdBackward0``),
  a smaller one crops it (``SliceBackward0``).

Dtypes: float32 and complex64 give complex64 (real transforms: float32), float64 and
complex128 give complex128; integer and bool inputs are promoted to the default float dtype;
float16 and bfloat16 are refused (``Unsupported dtype Half``), as by PyTorch on the CPU,
on every device.

``norm`` names the direction that is scaled: ``"backward"`` (the default) scales the inverse
transforms by ``1/n``, ``"forward"`` the forward ones, ``"ortho"`` both by ``1/sqrt(n)``.
"""
from __future__ import annotations

import math
import operator

from .. import _dtype as D
from .._ops import spectral as S
from .._ops._common import with_out
from .._ops.creation import arange
from .._ops.indexing import narrow
from .._ops.pointwise import conj
from .._ops.reorder import roll
from .._tensor import _wrap_dim
from ..autograd.grad_mode import no_grad
from ..nn.functional import pad as _pad
from .._ops._common import tensor_input as _tensor_input
from .. import _autocast
from .._autocast import anywhere as _autocasting

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]


# ----------------------------------------------------------------- arguments
def _int_arg(fn, name, value, where=""):
    """``value`` as an int (NumPy integers too; None stays None), or PyTorch's TypeError."""
    if value is None:
        return None
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{fn}(): argument '{name}'{where} must be int, not {type(value).__name__}")


def _norm_mode(fn, norm, forward):
    """PyTorch's ``norm_from_string``: the scaling of a transform in direction ``forward``."""
    if norm is not None and not isinstance(norm, str):
        raise TypeError(f"{fn}(): argument 'norm' must be str, not {type(norm).__name__}")
    if norm is None or norm == "backward":
        return "none" if forward else "n"
    if norm == "forward":
        return "n" if forward else "none"
    if norm == "ortho":
        return "sqrt"
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _promote(x, require_complex):
    """PyTorch's ``promote_tensor_fft``: integers to the default float dtype; float32/float64
    (complex: their complex dtypes) kept, other floats refused."""
    d = x.dtype
    if d.is_complex:
        return x
    if not d.is_floating_point:
        d = D.get_default_dtype()
    if d not in (D.float32, D.float64):
        raise RuntimeError(f"Unsupported dtype {D.scalar_name(d)}")
    if require_complex:
        d = d.to_complex()
    return x if d is x.dtype else x.to(d)


def _check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _resize(x, dims, sizes):
    """``x`` cropped (``narrow``) or zero-padded (one ``pad``) to ``sizes`` along ``dims``."""
    pads = [0] * (2 * x.dim())
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if have > n:
            x = narrow(x, d, 0, n)
        elif have < n:
            pads[2 * (x.dim() - 1 - d) + 1] = n - have
    return _pad(x, pads) if any(pads) else x


def _out(fn, out, want_complex, compute):
    """``compute()`` written into ``out`` (PyTorch's ``out=``), after its dtype check."""
    if out is None:
        return compute()
    if out.dtype.is_complex != want_complex:
        kind = "a complex" if want_complex else "a floating point"
        raise RuntimeError(f"{fn} expects {kind} output tensor, but got {D.scalar_name(out.dtype)}")
    return with_out(fn, out, compute)


# ----------------------------------------------------------------- one dimension
def _c2c(fn, x, n, dim, norm, forward):
    dim = _wrap_dim(dim, x.dim(), allow_scalar=False)
    size = x.shape[dim] if n is None else n
    _check_points(size)
    if n is not None:
        x = _resize(x, (dim,), (n,))
    return S.FftC2C.apply(x, (dim,), _norm_mode("fft_" + fn, norm, forward), forward)


def _r2c(fn, x, n, dim, norm, forward, onesided):
    if x.dtype.is_complex:
        raise RuntimeError(f"{fn} expects a real input tensor, but got {D.scalar_name(x.dtype)}")
    x = _promote(x, False)
    dim = _wrap_dim(dim, x.dim(), allow_scalar=False)
    size = x.shape[dim] if n is None else n
    _check_points(size)
    if n is not None:
        x = _resize(x, (dim,), (n,))
    y = S.FftR2C.apply(x, (dim,), _norm_mode("fft_" + fn, norm, forward), onesided)
    return y if forward else conj(y)  # (the inverse: the conjugate of the forward transform)


def _c2r(fn, x, n, dim, norm, forward):
    x = _promote(x, True)
    dim = _wrap_dim(dim, x.dim(), allow_scalar=False)
    size = 2 * (x.shape[dim] - 1) if n is None else n
    _check_points(size)
    if n is not None:
        x = _resize(x, (dim,), (n // 2 + 1,))
    mode = _norm_mode("fft_" + fn, norm, forward)
    if forward:  # (the forward transform: the inverse of the conjugate)
        x = conj(x)
    return S.FftC2R.apply(x, (dim,), mode, size)


def _one_dim(fn, n, dim):
    return _int_arg("fft_" + fn, "n", n), _int_arg("fft_" + fn, "dim", dim)


@_tensor_input(name="fft_fft")
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``:
    ``X[k] = sum_j x[j] * exp(-2*pi*i*j*k/n)``. Mirrors ``torch.fft.fft``.

    Args:
        input: a real or complex tensor (integers: the default float dtype).
        n: the signal length: ``input`` is zero-padded or cropped to ``n`` along ``dim``
            first (default: its size there).
        dim: the dimension to transform (default -1).
        norm: ``"backward"`` (default, no scaling), ``"forward"`` (scale by ``1/n``) or
            ``"ortho"`` (``1/sqrt(n)``).
        out: a complex tensor to write the result into.

    Returns:
        Tensor: complex64 for float32/complex64 input, complex128 for float64/complex128;
            ``input``'s shape with ``n`` along ``dim``.

    Raises:
        RuntimeError: for ``n < 1``, an unknown ``norm``, or a float16 input.
        IndexError: for a ``dim`` out of range (or a 0-d input).

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.fft(torch.tensor([1., 2., 1., 0.]))
        tensor([4.+0.j, 0.-2.j, 0.+0.j, 0.+2.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_fft", fft, locals())
    n, dim = _one_dim("fft", n, dim)
    if input.dtype.is_complex:
        return _out("fft", out, True, lambda: _c2c("fft", input, n, dim, norm, True))
    return _out("fft", out, True, lambda: _r2c("fft", input, n, dim, norm, True, False))


@_tensor_input(name="fft_ifft")
def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`fft`: ``x[j] = 1/n * sum_k X[k] * exp(2*pi*i*j*k/n)`` (with
    the default ``norm="backward"``). Arguments, dtypes and errors as :func:`fft`.
    Mirrors ``torch.fft.ifft``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.ifft(torch.tensor([4.+0.j, -2.j, 0.j, 2.j]))
        tensor([1.+0.j, 2.+0.j, 1.+0.j, 0.+0.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_ifft", ifft, locals())
    n, dim = _one_dim("ifft", n, dim)
    if input.dtype.is_complex:
        return _out("ifft", out, True, lambda: _c2c("ifft", input, n, dim, norm, False))
    return _out("ifft", out, True, lambda: _r2c("ifft", input, n, dim, norm, False, False))


@_tensor_input(name="fft_rfft")
def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a real signal, without the redundant half: the first
    ``n // 2 + 1`` values of :func:`fft` (the others are their complex conjugates in
    reverse order). Mirrors ``torch.fft.rfft``.

    Args:
        input: a real tensor (integers: the default float dtype).
        n: the signal length, as in :func:`fft`.
        dim: the dimension to transform (default -1).
        norm: as in :func:`fft`.
        out: a complex tensor to write the result into.

    Returns:
        Tensor: complex64 (float32 input) or complex128 (float64), with ``n // 2 + 1``
            elements along ``dim``.

    Raises:
        RuntimeError: for a complex input, and as :func:`fft`.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.rfft(torch.tensor([1., 2., 1., 0.]))
        tensor([4.+0.j, 0.-2.j, 0.+0.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_rfft", rfft, locals())
    n, dim = _one_dim("rfft", n, dim)
    return _out("rfft", out, True, lambda: _r2c("rfft", input, n, dim, norm, True, True))


@_tensor_input(name="fft_irfft")
def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`rfft`: the real signal of length ``n`` (default
    ``2 * (m - 1)`` for ``m`` input values along ``dim``) whose half spectrum is ``input``.
    Mirrors ``torch.fft.irfft``.

    The imaginary parts of the zero-frequency value (and of the ``n/2`` one, for an even
    ``n``) are ignored; give ``n`` for an odd-length signal.

    Args:
        input: the half spectrum (a real input is taken as complex).
        n: the output length (``input`` is cropped or zero-padded to ``n // 2 + 1``).
        dim: the dimension to transform (default -1).
        norm: as in :func:`fft` (``"backward"`` scales this inverse transform by ``1/n``).
        out: a real tensor to write the result into.

    Returns:
        Tensor: float32 (complex64 input) or float64 (complex128), ``n`` along ``dim``.

    Raises:
        RuntimeError: for ``n < 1`` (a single input value without ``n``), an unknown
            ``norm``, or a float16 input.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.irfft(torch.tensor([4.+0.j, -2.j, 0.j]))
        tensor([1., 2., 1., 0.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_irfft", irfft, locals())
    n, dim = _one_dim("irfft", n, dim)
    return _out("irfft", out, False, lambda: _c2r("irfft", input, n, dim, norm, False))


@_tensor_input(name="fft_hfft")
def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a Hermitian-symmetric signal given by its first half
    (``n // 2 + 1`` values): a real spectrum of length ``n`` (default ``2 * (m - 1)``). The
    transform is :func:`irfft` of the conjugate, scaled as a forward transform. Mirrors
    ``torch.fft.hfft``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.hfft(torch.tensor([2.+0.j, 1.j, 0.j]))
        tensor([2., 4., 2., 0.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_hfft", hfft, locals())
    n, dim = _one_dim("hfft", n, dim)
    return _out("hfft", out, False, lambda: _c2r("hfft", input, n, dim, norm, True))


@_tensor_input(name="fft_ihfft")
def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`hfft`: the first ``n // 2 + 1`` values of :func:`ifft` of a real
    signal (the conjugate of :func:`rfft`, scaled as an inverse transform). Mirrors
    ``torch.fft.ihfft``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.ihfft(torch.tensor([2., 4., 2., 0.]))
        tensor([2.-0.j, 0.+1.j, 0.-0.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_ihfft", ihfft, locals())
    n, dim = _one_dim("ihfft", n, dim)
    return _out("ihfft", out, True, lambda: _r2c("ihfft", input, n, dim, norm, False, True))


# ----------------------------------------------------------------- several dimensions
def _int_list(fn, name, value):
    """An int or a sequence of ints as a tuple of ints (None stays None)."""
    if value is None:
        return None
    try:
        if isinstance(value, (tuple, list)):
            return tuple(_int_arg(fn, name, v) for v in value)
        return (_int_arg(fn, name, value),)
    except TypeError:
        raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, not {type(value).__name__}") from None


def _shape_and_dims(fn, x, s, dim):
    """PyTorch's ``canonicalize_fft_shape_and_dim_args``: the dims (wrapped, distinct) and
    the sizes to transform; ``s`` alone means the last ``len(s)`` dims, neither all of them,
    an ``s`` of -1 the input's size."""
    s, dim = _int_list(fn, "s", s), _int_list(fn, "dim", dim)
    nd = x.dim()
    dims = None
    if dim is not None:
        dims = tuple(_wrap_dim(d, nd, allow_scalar=False) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if dim is not None and len(dim) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        if dims is None:
            dims = tuple(range(nd - len(s), nd))
        sizes = [x.shape[d] if n == -1 else n for d, n in zip(dims, s)]
    else:
        if dims is None:
            dims = tuple(range(nd))
        sizes = [x.shape[d] for d in dims]
    for n in sizes:
        _check_points(n)
    return dims, sizes, s


def _fftn(fn, input, s, dim, norm, forward):
    dims, sizes, _ = _shape_and_dims("fft_" + fn, input, s, dim)
    x = _resize(_promote(input, True), dims, sizes)
    mode = _norm_mode("fft_" + fn, norm, forward)
    if not dims:  # (nothing to transform: PyTorch's kernel returns a copy)
        return x.clone()
    return S.FftC2C.apply(x, dims, mode, forward)


def _rfftn(fn, input, s, dim, norm):
    if input.dtype.is_complex:
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {D.scalar_name(input.dtype)}")
    dims, sizes, _ = _shape_and_dims("fft_" + fn, input, s, dim)
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize(_promote(input, False), dims, sizes)
    return S.FftR2C.apply(x, dims, _norm_mode("fft_" + fn, norm, True), True)


def _c2r_args(fn, kernel, input, s, dim):
    """PyTorch's ``canonicalize_fft_c2r_shape_and_dim_args``: the dims, the input sizes
    (the half spectrum along the last dim) and the output length along the last dim."""
    dims, sizes, s = _shape_and_dims("fft_" + fn, input, s, dim)
    if not dims:
        raise RuntimeError(f"{kernel} must transform at least one axis")
    last = 2 * (input.shape[dims[-1]] - 1) if s is None or s[-1] == -1 else sizes[-1]
    _check_points(last)
    sizes[-1] = last // 2 + 1
    return dims, sizes, last


def _irfftn(fn, input, s, dim, norm):
    dims, sizes, last = _c2r_args(fn, "irfftn", input, s, dim)
    x = _resize(_promote(input, True), dims, sizes)
    return S.FftC2R.apply(x, dims, _norm_mode("fft_" + fn, norm, False), last)


def _hfftn(fn, input, s, dim, norm):
    """Forward transforms over all dims but the last, then ``hfft`` along the last."""
    dims, sizes, last = _c2r_args(fn, "hfftn", input, s, dim)
    x = _resize(_promote(input, True), dims, sizes)
    mode = _norm_mode("fft_" + fn, norm, True)
    if len(dims) > 1:
        x = S.FftC2C.apply(x, dims[:-1], mode, True)
    return S.FftC2R.apply(conj(x), dims[-1:], mode, last)


def _ihfftn(fn, input, s, dim, norm):
    """``ihfft`` along the last dim, then inverse transforms over the others."""
    dims, sizes, _ = _shape_and_dims("fft_" + fn, input, s, dim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _resize(_promote(input, False), dims, sizes)
    if x.dtype.is_complex:
        raise RuntimeError(f"Only supports floating-point dtypes, but found: {D.scalar_name(x.dtype)}")
    mode = _norm_mode("fft_" + fn, norm, False)
    half = S.FftR2C.apply(x, dims[-1:], mode, True)
    if len(dims) == 1:
        return conj(half)
    return S.FftC2C.apply(S.ConjPhysical.apply(half), dims[:-1], mode, False)


@_tensor_input(name="fft_fftn")
def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The ``len(dim)``-dimensional discrete Fourier transform: :func:`fft` along each of
    ``dim``. Mirrors ``torch.fft.fftn``.

    Args:
        input: a real or complex tensor (converted to complex first).
        s: the signal sizes, one per transformed dim (-1: the input's size); the input is
            zero-padded or cropped to them. Without ``dim``, the last ``len(s)`` dims.
        dim: the dims to transform (default: all, or the last ``len(s)``).
        norm: as in :func:`fft`, with ``n`` the product of the signal sizes.
        out: a complex tensor to write the result into.

    Returns:
        Tensor: complex64 or complex128, ``input``'s shape with ``s`` along ``dim``.

    Raises:
        RuntimeError: for repeated dims, ``s`` and ``dim`` of different lengths, more
            sizes than dims, a size below 1, an unknown ``norm``, or a float16 input.
        IndexError: for a dim out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.fftn(torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[10.+0.j, -2.+0.j],
                [-4.+0.j,  0.+0.j]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_fftn", fftn, locals())
    return _out("fftn", out, True, lambda: _fftn("fftn", input, s, dim, norm, True))


@_tensor_input(name="fft_ifftn")
def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`fftn` (arguments and errors as :func:`fftn`). Mirrors
    ``torch.fft.ifftn``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.ifftn(torch.tensor([[4., 0.], [0., 0.]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_ifftn", ifftn, locals())
    return _out("ifftn", out, True, lambda: _fftn("ifftn", input, s, dim, norm, False))


@_tensor_input(name="fft_rfftn")
def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """:func:`fftn` of a real tensor, the last transformed dim halved as in :func:`rfft`
    (``s[-1] // 2 + 1`` values). Mirrors ``torch.fft.rfftn``.

    Raises:
        RuntimeError: for a complex input or no dim to transform, and as :func:`fftn`.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.rfftn(torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[10.+0.j, -2.+0.j],
                [-4.+0.j,  0.+0.j]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_rfftn", rfftn, locals())
    return _out("rfftn", out, True, lambda: _rfftn("rfftn", input, s, dim, norm))


@_tensor_input(name="fft_irfftn")
def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`rfftn`: real output, ``s[-1]`` long along the last transformed
    dim (default ``2 * (m - 1)`` for ``m`` input values there). Mirrors ``torch.fft.irfftn``.

    Raises:
        RuntimeError: for no dim to transform, an output length below 1, and as :func:`fftn`.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.irfftn(torch.tensor([[4.+0.j, 0.j], [0.j, 0.j]]))
        tensor([[1., 1.],
                [1., 1.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_irfftn", irfftn, locals())
    return _out("irfftn", out, False, lambda: _irfftn("irfftn", input, s, dim, norm))


@_tensor_input(name="fft_fft2")
def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`fftn` over two dims (default the last two). Mirrors ``torch.fft.fft2``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.fft2(torch.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_fft2", fft2, locals())
    return _out("fftn", out, True, lambda: _fftn("fft2", input, s, dim, norm, True))


@_tensor_input(name="fft_ifft2")
def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`ifftn` over two dims (default the last two). Mirrors ``torch.fft.ifft2``."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_ifft2", ifft2, locals())
    return _out("ifftn", out, True, lambda: _fftn("ifft2", input, s, dim, norm, False))


@_tensor_input(name="fft_rfft2")
def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`rfftn` over two dims (default the last two). Mirrors ``torch.fft.rfft2``."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_rfft2", rfft2, locals())
    return _out("rfftn", out, True, lambda: _rfftn("rfft2", input, s, dim, norm))


@_tensor_input(name="fft_irfft2")
def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`irfftn` over two dims (default the last two). Mirrors ``torch.fft.irfft2``."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("fft_irfft2", irfft2, locals())
    return _out("irfftn", out, False, lambda: _irfftn("irfft2", input, s, dim, norm))


@_tensor_input(name="fft_hfftn")
def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The ``len(dim)``-dimensional :func:`hfft`: the real spectrum of a signal that is
    Hermitian-symmetric over ``dim``, given by its first half along the last of them
    (``s[-1] // 2 + 1`` values; default output length ``2 * (m - 1)``). Arguments and
    errors as :func:`irfftn` (``norm`` scales the forward direction). Mirrors
    ``torch.fft.hfftn``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.hfftn(torch.tensor([[1.+0.j, 0.j], [0.j, 0.j]]))
        tensor([[1., 1.],
                [1., 1.]])
    """
    return _out("hfftn", out, False, lambda: _hfftn("hfftn", input, s, dim, norm))


@_tensor_input(name="fft_ihfftn")
def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`hfftn`: :func:`ifftn` of a real tensor, the last transformed
    dim halved (``s[-1] // 2 + 1`` values). Arguments and errors as :func:`rfftn`.
    Mirrors ``torch.fft.ihfftn``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.ihfftn(torch.ones(2, 2))
        tensor([[1.-0.j, 0.-0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _out("ihfftn", out, True, lambda: _ihfftn("ihfftn", input, s, dim, norm))


@_tensor_input(name="fft_hfft2")
def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`hfftn` over two dims (default the last two). Mirrors ``torch.fft.hfft2``."""
    return _out("hfftn", out, False, lambda: _hfftn("hfft2", input, s, dim, norm))


@_tensor_input(name="fft_ihfft2")
def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """:func:`ihfftn` over two dims (default the last two). Mirrors ``torch.fft.ihfft2``."""
    return _out("ihfftn", out, True, lambda: _ihfftn("ihfft2", input, s, dim, norm))


# ----------------------------------------------------------------- helpers
def _shift(input, dim, half):
    if dim is None:
        dims = tuple(range(input.dim()))
    else:
        dims = tuple(_wrap_dim(d, input.dim()) for d in _int_list("fft_fftshift", "dim", dim))
    if not dims:
        raise RuntimeError("`shifts` required")
    return roll(input, [half(input.shape[d]) for d in dims], dims)


@_tensor_input(name="fft_fftshift")
def fftshift(input, dim=None):
    """Reorder the output of :func:`fft` so that the zero frequency is in the middle: a
    ``roll`` by ``size // 2`` along each of ``dim`` (default all). Mirrors
    ``torch.fft.fftshift``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.fftshift(torch.fft.fftfreq(5))
        tensor([-0.4000, -0.2000,  0.0000,  0.2000,  0.4000])
    """
    return _shift(input, dim, lambda n: n // 2)


@_tensor_input(name="fft_ifftshift")
def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`: a ``roll`` by ``(size + 1) // 2``. Mirrors
    ``torch.fft.ifftshift``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.ifftshift(torch.tensor([-2, -1, 0, 1, 2]))
        tensor([ 0,  1,  2, -2, -1])
    """
    return _shift(input, dim, lambda n: (n + 1) // 2)


def _frequencies(fn, n, d, count, dtype, device, requires_grad):
    """``k / (n * d)`` for the integers ``k`` that ``count(n)`` lists, in ``dtype``."""
    n = _int_arg("fft_" + fn, "n", n, " (position 1)")
    dtype = D.get_default_dtype() if dtype is None else dtype
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    if dtype.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{D.scalar_name(dtype)}'")
    positive, negative = count(n)
    if positive < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {positive}: [{positive}]")
    nd = n * d
    scale = 1.0 / nd if nd else math.copysign(math.inf, nd)  # (C's 1.0 / 0.0)
    with no_grad():
        k = arange(positive + negative, dtype=dtype, device=device)
        if negative:
            k[positive:] -= positive + negative
        out = k * scale
    return out.requires_grad_(requires_grad) if requires_grad else out


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of :func:`fft` for a signal of ``n`` samples spaced ``d``
    apart: ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (n * d)``. Mirrors
    ``torch.fft.fftfreq``.

    Args:
        n: the signal length (an int).
        d: the sample spacing (default 1.0).
        out: a tensor to write the result into.
        dtype: a floating dtype (default: the default float dtype).
        layout: ignored (strided).
        device: where to create the result.
        requires_grad: make the result a leaf that requires grad.

    Raises:
        RuntimeError: for a negative ``n`` or an integer or bool ``dtype``.
        NotImplementedError: for a complex ``dtype`` (as PyTorch's CPU ``arange``).

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.fftfreq(4, d=0.5)
        tensor([ 0.0000,  0.5000, -1.0000, -0.5000])
    """
    if out is not None:
        return with_out("fft_fftfreq", out, fftfreq, n, d, dtype=out.dtype if dtype is None else dtype,
                        device=out.device)
    return _frequencies("fftfreq", n, d, lambda m: ((m + 1) // 2, m // 2) if m >= 0 else (m, 0),
                        dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of :func:`rfft` for a signal of ``n`` samples spaced ``d``
    apart: ``[0, 1, ..., n // 2] / (n * d)``. Arguments as :func:`fftfreq`. Mirrors
    ``torch.fft.rfftfreq``.

    Examples:
        >>> import reftorch as torch
        >>> torch.fft.rfftfreq(5, d=0.1)
        tensor([0., 2., 4.])
    """
    if out is not None:
        return with_out("fft_rfftfreq", out, rfftfreq, n, d, dtype=out.dtype if dtype is None else dtype,
                        device=out.device)
    # (C's n / 2 rounds toward zero: n = -1 gives one value, -0.0)
    return _frequencies("rfftfreq", n, d, lambda m: ((m // 2 if m >= 0 else -(-m // 2)) + 1, 0),
                        dtype, device, requires_grad)
