"""Small helpers shared by the op modules."""
from __future__ import annotations

import functools
import inspect
import warnings

from .._warnings import user_stacklevel
from .. import _backends
from .. import _device as _dev_mod
from .. import _dtype as D
from .._device import device as _device_cls
from .._layout import fix_empty_strides, row_major, sum_to_shape  # noqa: F401 (their home is _layout)
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ._inplace import _store
from ..cuda import _state


def by_row_blocks(b, fn, arrays, blocks):
    """``fn(*arrays)`` for arrays whose rows (first axis) ``fn`` treats independently, one
    block of rows at a time when ``blocks`` (from :meth:`Backend.row_blocks`) has several:
    each pass of ``fn`` then finds its block in the cache. The same values as one call.
    0-d arrays are passed whole."""
    if len(blocks) == 1:
        return fn(*arrays)
    rows = next(x.shape[0] for x in arrays if x.ndim)
    out = None
    for start, stop in blocks:
        piece = fn(*[x[start:stop, ...] if x.ndim else x for x in arrays])
        if out is None:
            out = b.xp.empty((rows,) + tuple(piece.shape[1:]), dtype=piece.dtype, **b._dev_kw())
        out[start:stop, ...] = piece
    return out


def by_element_blocks(b, fn, arrays):
    """``fn(*arrays)`` for an element-wise formula of several passes over row-major arrays of
    one shape (0-d arrays broadcast), on flat blocks of elements (each element a row of
    :func:`by_row_blocks`): each pass finds its block in the cache, and the temporaries are
    small. The same values as one call; arrays of other shapes or layouts get one call."""
    widest = arrays[0]
    for x in arrays[1:]:
        if x.ndim > widest.ndim:
            widest = x
    size = widest.size
    limit = b.one_block_bytes
    if limit is None or size * 8 <= limit:  # one block whatever the dtype: the common case per call
        return fn(*arrays)
    blocks = b.row_blocks(size, b.dtype_of(widest).itemsize)
    if len(blocks) == 1:
        return fn(*arrays)
    shape = tuple(widest.shape)
    if any(x.ndim and (tuple(x.shape) != shape or not b.is_c_contiguous(x)) for x in arrays):
        return fn(*arrays)
    flat = [b.reshape_rows(x, (size,)) if x.ndim else x for x in arrays]
    return b.reshape_rows(by_row_blocks(b, fn, flat, blocks), shape)


def resolve_device(dev):
    """``None``/str/int/device -> (device, backend); ``"cuda"`` gets the current CUDA
    device's index (0 unless ``torch.cuda.set_device`` changed it). ``None`` is the
    default device (``set_default_device``)."""
    if dev is None:
        d = _dev_mod._default[0]
    elif isinstance(dev, _device_cls):
        d = dev
    else:
        d = _device_cls(dev)
    if d.type == "cuda" and d.index is None:  # the current CUDA device (torch.cuda.set_device)
        d = _device_cls("cuda", _state["current"])
    return d, _backends.get(d)


def check_dtype(dtype):
    if dtype is not None and not isinstance(dtype, D.dtype):
        raise TypeError(f"dtype must be torch.dtype, not {type(dtype).__name__}")
    return dtype


def grad_as(xp, g, native):
    """Gradient ``g`` in an input's native dtype ``native``. A complex gradient of a real
    input is its real part, taken explicitly (a cast would discard the imaginary part with
    NumPy's ComplexWarning; PyTorch's formulas take ``at::real`` there and print nothing).
    Works on arrays and, under ``create_graph``, on tensors (``ctx.xp``)."""
    if g.dtype == native:
        return g
    if xp.isdtype(g.dtype, "complex floating") and not xp.isdtype(native, "complex floating"):
        g = xp.real(g)
        if g.dtype == native:
            return g
    return xp.astype(g, native)


#: PyTorch's engine check on a complex gradient bound for a real input (``validate_outputs``)
COMPLEX_GRAD_FOR_REAL = ("Expected isFloatingType(grad.scalar_type()) || (input_is_complex == grad_is_complex) to be "
                         "true, but got false.  (Could this error message be improved?  If so, please report an "
                         "enhancement request to PyTorch.)")


def grad_checked(xp, g, native):
    """Gradient ``g`` cast to an input's native dtype ``native`` for an op whose formula,
    in PyTorch, does not take the real part for a real input (``sum(dtype=complex64)``,
    ``where`` of a real and a complex tensor): PyTorch's engine refuses a complex ``g`` there.

    Raises:
        RuntimeError: for a complex ``g`` and a real ``native`` (PyTorch's message).
    """
    if g.dtype == native:
        return g
    if xp.isdtype(g.dtype, "complex floating") and not xp.isdtype(native, "complex floating"):
        raise RuntimeError(COMPLEX_GRAD_FOR_REAL)
    return xp.astype(g, native)


def conj_of(xp, a, dt):
    """``a`` conjugated when the computation dtype ``dt`` is complex (PyTorch's backward
    formulas multiply the incoming gradient by the conjugate of the derivative: ``grad *
    other.conj()`` for ``mul``), else ``a`` itself."""
    return xp.conj(a) if dt.is_complex else a




def tensor_input(fn=None, *, name=None):
    """Decorate a function of one tensor (and options) so that a first argument that is no
    tensor raises PyTorch's TypeError, naming the function and its parameter as PyTorch's
    argument parser does: ``sin(): argument 'input' (position 1) must be Tensor, not float``
    (``torch.special.ndtri(1.0)``: ``special_ndtri(): ...``). One ``isinstance`` per call.
    Applied to the element-wise functions of ``pointwise``, ``unary_math``, ``float_math``,
    ``special_math`` and ``torch.special``, and to the other torch functions whose first
    argument PyTorch parses as a Tensor only (reductions, shape and index functions,
    ``*_like``, sorting, ``softmax``, ``mm``, the ``*_copy`` views: view_copies.copy_of).
    Not to those that also take a number there (``torch.add(2, x)``, ``bucketize``...).

    The name is ``name`` or else ``fn.__name__`` (``@tensor_input(name="special_ndtr")``):
    an alias (``torch.fix`` for ``trunc``, ``torch.special.erf`` for ``erf``) reports the
    function it aliases. The Tensor methods bind ``fn`` itself (``checked.unchecked``).
    """
    if fn is None:
        return functools.partial(tensor_input, name=name)
    param = next(iter(inspect.signature(fn).parameters))
    prefix = f"{name or fn.__name__}(): argument '{param}'"

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        value = args[0] if args else kwargs.get(param)
        if not isinstance(value, Tensor):  # (given by keyword: no position in the message)
            where = " (position 1)" if args else ""
            raise TypeError(f"{prefix}{where} must be Tensor, not {type(value).__name__}")
        return fn(*args, **kwargs)
    checked.unchecked = fn  # what the Tensor methods bind (``self`` is a tensor: no check, no frame)
    return checked


def refuse_grad_with_out(name, outs, args):
    """PyTorch's RuntimeError for ``out=`` while gradients are recorded and one of the
    ``outs`` or of the tensors in ``args`` (nested lists/tuples included) requires grad."""
    def tensors(a):
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            for x in a:
                yield from tensors(x)

    if is_grad_enabled() and any(t.requires_grad for a in (*outs, *args) for t in tensors(a)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def with_out(name, out, fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` and write the result into ``out`` (PyTorch's ``out=``).

    ``out`` is resized when its shape differs (with PyTorch's warning if it was not empty).

    Raises:
        RuntimeError: if gradients are being recorded and an argument requires grad, or if
            the result's dtype cannot be cast to ``out``'s.
        TypeError: for ``cat`` and ``stack`` whose result cannot be cast to ``out``'s dtype.
    """
    _scalar_name = D.scalar_name
    refuse_grad_with_out(name, (out,), args)
    res = fn(*args, **kwargs)
    if not D.can_cast(res.dtype, out.dtype):
        if name in ("cat", "stack"):  # PyTorch's cat kernel (stack writes through it) raises TypeError
            raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                            f"{_scalar_name(out.dtype)}")
        raise RuntimeError(f"result type {_scalar_name(res.dtype)} can't be cast to the desired output type "
                           f"{_scalar_name(out.dtype)}")
    if tuple(out.shape) != tuple(res.shape):
        if out.numel():
            warnings.warn(
                f"An output with one or more elements was resized since it had shape [{', '.join(map(str, out.shape))}], "
                f"which does not match the required output shape [{', '.join(map(str, res.shape))}]. This behavior "
                "is deprecated, and in a future PyTorch release outputs will not be resized unless they have zero "
                "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=user_stacklevel())
        out._data = out._backend.zeros(tuple(res.shape), out.dtype)
    _store(out, res._data)
    return out


def with_exact_out(name, out, fn, input, **kwargs):
    """``fn(input, **kwargs)`` written into ``out``, which must have ``input``'s dtype (the
    ``out=`` of ``abs``, ``neg``, ``floor`` … casts nothing, unlike ``exp``'s): PyTorch's
    error otherwise, after its autograd check."""
    def checked(*args, **kw):
        if out.dtype is not input.dtype:
            o, i = D.scalar_name(out.dtype), D.scalar_name(input.dtype)
            if name == "nan_to_num":
                raise RuntimeError(f"nan_to_num: dtype of out: {o} should be same as input: {i}")
            raise RuntimeError(f"Found dtype {o} but expected {i}")
        return fn(*args, **kw)
    return with_out(name, out, checked, input, **kwargs)


def redo_rows_on_host(b, a, idx, d, rows, fn):
    """``idx`` with the rows flagged in ``rows`` (``None``: all) replaced by
    ``fn(values, indices)``, computed on the host on those rows together (2-D arrays, one
    row each; ``indices`` their rows of ``idx``)."""
    # ``d`` moved last, the other dims in their order (``rows``'s order)
    perm = [i for i in range(a.ndim) if i != d] + [d]
    back = [perm.index(i) for i in range(a.ndim)]
    host = b.to_host(a).transpose(perm)
    out = b.to_host(idx).transpose(perm).copy()
    rows_in, rows_out = host.reshape(-1, host.shape[-1]), out.reshape(-1, out.shape[-1])
    if rows is None:
        rows_out[...] = fn(rows_in, rows_out)
    else:
        flagged = b.to_host(rows).reshape(-1).nonzero()[0]
        rows_out[flagged] = fn(rows_in[flagged], rows_out[flagged])
    out = rows_out.reshape(out.shape).transpose(back)
    return b.from_host(out) if b.device.type != "cpu" else out.copy()
