"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``mv``, ``dot``."""
from __future__ import annotations

import math

from .. import _dtype as D
from .._layout import broadcast_shape, contiguous_strides
from .._tensor import Tensor
from ..autograd.function import OpFunction as Function
from ..autograd.grad_mode import is_grad_enabled
from ._common import conj_of, sum_to_shape, tensor_input, with_out
from .. import _autocast
from .._autocast import anywhere as _autocasting


def c_type_name(d):
    """The C++ type name PyTorch's messages give dtype ``d`` (``double``, ``long int``)."""
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int", "int16": "short int",
            "int8": "signed char", "uint8": "unsigned char", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
            "bool": "bool", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}.get(d.name, d.name)


_ctype = c_type_name


def _same_dtype(a, b, who="expected m1 and m2 to have the same dtype"):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"{who}, but got: {_ctype(a.dtype)} != {_ctype(b.dtype)}")


_scalar_name = D.scalar_name


class Matmul(Function):
    """Any matrix product; the backward uses the same ``matmul`` with transposes."""

    name = "MmBackward0"
    create_graph = True
    arity = 2

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need:  # (no attribute set at all when no graph is recorded)
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
            ctx.shapes = (a._data.shape, b._data.shape)
        x, y = a._data, b._data
        if x.ndim == 2 and y.ndim == 2:
            return a._backend.mm(x, y)
        return a._backend.xp.matmul(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        sa, sb = ctx.shapes
        A = None if a is None else a._data
        B = None if b is None else b._data
        # Promote 1-D operands to matrices, as matmul does.
        if len(sa) == 1 and A is not None:
            A = xp.reshape(A, (1, sa[0]))
        if len(sb) == 1 and B is not None:
            B = xp.reshape(B, (sb[0], 1))
        G = g
        if len(sa) == 1 and len(sb) == 1:
            G = xp.reshape(g, (1, 1))
        elif len(sa) == 1:
            G = xp.expand_dims(g, axis=-2)
        elif len(sb) == 1:
            G = xp.expand_dims(g, axis=-1)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = xp.matmul(G, conj_of(xp, xp.matrix_transpose(B), b._dtype))  # PyTorch: grad @ other.mH
            if len(sa) == 1:
                ga = xp.reshape(sum_to_shape(xp, ga, (1, sa[0])), sa)
            else:
                ga = sum_to_shape(xp, ga, sa)
        if ctx.needs_input_grad[1]:
            gb = xp.matmul(conj_of(xp, xp.matrix_transpose(A), a._dtype), G)  # PyTorch: self.mH @ grad
            if len(sb) == 1:
                gb = xp.reshape(sum_to_shape(xp, gb, (sb[0], 1)), sb)
            else:
                gb = sum_to_shape(xp, gb, sb)
        return ga, gb


def _no_bool(a, kernel, b=None):
    """PyTorch has no bool matrix-product kernels (empty products still work)."""
    if a.dtype is D.bool and a.numel() and (b is None or b.numel()):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _dims(t):
    return ", ".join(map(str, t.shape))


def _contiguous_in_torch(shape, strides):
    """PyTorch's ``is_contiguous``: row-major, ignoring size-1 dims (an empty tensor is)."""
    if 0 in shape:
        return True
    acc = 1
    for n, st in zip(reversed(shape), reversed(strides)):
        if n != 1 and st != acc:
            return False
        acc *= n
    return True


def _should_fold(input, other):
    """PyTorch's ``should_fold``: a 3-D-or-more operand times a 1-D or 2-D one is computed by
    ``mm``/``mv`` on the larger operand folded into a matrix (transposed when it is ``other``)."""
    larger1 = input.dim() >= other.dim()
    t1 = input if larger1 else other.mT
    small = other if larger1 else input
    if not (t1.dim() >= 3 and small.dim() <= 2):
        return False
    if small.requires_grad and is_grad_enabled():
        return True
    if input.dim() == 2:
        return False
    if t1.numel() == 0:
        return True
    shape, strides = t1.shape, t1.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.dim() - 2))


def _mm_checks(a_shape, b_shape, a_dtype, b_dtype, numel):
    """``mm``'s checks, in PyTorch's order, for operands of these shapes and dtypes."""
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a_shape[0]}x{a_shape[1]} and "
                           f"{b_shape[0]}x{b_shape[1]})")
    if a_dtype is not b_dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ctype(a_dtype)} != "
                           f"{_ctype(b_dtype)}")
    if a_dtype is D.bool and numel:
        raise NotImplementedError('"addmm_impl_cpu_" not implemented for \'Bool\'')


def _mv_checks(rows, cols, vec_len, mat_dtype, vec_dtype, numel):
    """``mv``'s checks, in PyTorch's order."""
    if cols != vec_len:
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{cols}), vec ({vec_len})")
    if mat_dtype is not vec_dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_scalar_name(vec_dtype)}, "
                           f"{_scalar_name(mat_dtype)}, and {_scalar_name(vec_dtype)}")
    if mat_dtype is D.bool and numel:
        raise NotImplementedError('"addmv_impl_cpu" not implemented for \'Bool\'')


def matmul(input, other, *, out=None):
    """Matrix product with NumPy-style rules for 1-D and batched operands.

    * 1-D @ 1-D: dot product (0-dim result);
    * 2-D @ 2-D: matrix product;
    * 1-D @ 2-D / 2-D @ 1-D: the vector is treated as a row / column, then that dim removed;
    * N-D: batched matrix product with broadcasting of the batch dimensions.

    Mirrors ``torch.matmul`` (the ``@`` operator), including which kernel its composite
    implementation reaches (``dot``, ``mv``, ``mm`` on a folded operand, or ``bmm``): that
    kernel's checks decide the error message, and its result the strides and ``grad_fn``.

    Raises:
        RuntimeError: if the inner sizes differ, an operand is 0-dim, the batch dimensions do
            not broadcast, or the dtypes differ (a batched product of no elements allows it).
        NotImplementedError: for bool operands (PyTorch has no bool kernels).
        TypeError: if an operand is not a tensor.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.tensor([[1., 2.], [3., 4.]])
        >>> a @ torch.tensor([1., 1.])
        tensor([3., 7.])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("matmul", matmul, locals())
    if out is not None:
        return with_out("matmul", out, matmul, input, other)
    for name, pos, t in (("input", 1, input), ("other", 2, other)):
        if not isinstance(t, Tensor):
            raise TypeError(f"matmul(): argument '{name}' (position {pos}) must be Tensor, not {type(t).__name__}")
    if input.dim() == 0 or other.dim() == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.dim()}D and "
                           f"{other.dim()}D")
    na, nb = input.dim(), other.dim()
    if na == 1 and nb == 1:
        return dot(input, other)
    if na == 2 and nb == 2:
        return mm(input, other)
    if na == 2 and nb == 1:
        return mv(input, other)
    if na == 1 and nb == 2:
        _mm_checks((1, input.shape[0]), tuple(other.shape), input.dtype, other.dtype, input.numel() * other.numel())
        return Matmul.apply(input, other, _name="SqueezeBackward4")
    name, strides = "UnsafeViewBackward0", None
    a, b = input, other
    if na == 3 and nb == 3 and is_grad_enabled():
        # PyTorch multiplies a 3-D operand with a batch of one that requires grad as a matrix
        if a.shape[0] == 1 != b.shape[0] and a.requires_grad:
            a = a[0]
        elif b.shape[0] == 1 != a.shape[0] and b.requires_grad:
            b = b[0]
    na, nb = a.dim(), b.dim()
    if _should_fold(a, b):
        transpose = nb > na
        t1 = b.mT if transpose else a
        t2 = (a.t() if na == 2 else a) if transpose else b
        folded = math.prod(t1.shape[:-1])
        numel = t1.numel() * t2.numel()
        if t2.dim() == 2:
            _mm_checks((folded, t1.shape[-1]), tuple(t2.shape), t1.dtype, t2.dtype, numel)
            if transpose:  # (other.mT folded @ input.mT).mT.contiguous()
                out_shape = tuple(t1.shape[:-1]) + (t2.shape[1],)
                rows = contiguous_strides(out_shape)
                mt = rows[:-2] + (rows[-1], rows[-2])
                mt_shape = out_shape[:-2] + (out_shape[-1], out_shape[-2])
                if _contiguous_in_torch(mt_shape, mt):
                    name, strides = "TransposeBackward0", mt
                else:
                    name = "CloneBackward0"
        else:
            _mv_checks(folded, t1.shape[-1], t2.shape[0], t1.dtype, t2.dtype, numel)
    else:
        batch = broadcast_shape(input.shape[:-2] if na >= 2 else (), other.shape[:-2] if nb >= 2 else ())
        m1 = input.shape[-1]
        m2 = other.shape[-2] if nb > 1 else other.shape[0]
        bsz = math.prod(batch)
        if m1 != m2:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{bsz}, {m1}] "
                               f"but got: [{bsz}, {m2}].")
        n = input.shape[-2] if na > 1 else 1
        p = other.shape[-1] if nb > 1 else 1
        if bsz * n * p == 0 or m1 == 0:  # bmm returns before its dtype checks (other's dtype)
            if input.dtype is not other.dtype:
                if input.requires_grad and not (other.dtype.is_floating_point or other.dtype.is_complex) \
                        and is_grad_enabled():  # an integer or bool result cannot take input's gradient
                    raise RuntimeError(f"Autograd not support dtype: {_scalar_name(other.dtype)}")
                input = input.to(other.dtype)
        else:
            if input.dtype is D.bool:
                raise NotImplementedError('"bmm" not implemented for \'Bool\'')
            if input.dtype is not other.dtype:
                raise RuntimeError(f"expected scalar type {_scalar_name(input.dtype)} but found "
                                   f"{_scalar_name(other.dtype)}")
    res = Matmul.apply(input, other, _name=name)
    if strides is not None and tuple(res.stride()) != strides:
        res._data = res._backend.as_strided(res._data, tuple(res._data.shape), strides)  # size-1 dims only
    return res


@tensor_input
def mm(input, mat2, *, out=None):
    """Product of two 2-D matrices ``(n, m) @ (m, p) -> (n, p)``. Mirrors ``torch.mm``.

    No broadcasting (:func:`~reftorch.matmul` broadcasts); both operands must have the
    same dtype, which the result keeps. grad_fn ``MmBackward0``.

    Args:
        input: the first matrix, shape (n, m).
        mat2: the second matrix, shape (m, p).
        out: optional tensor to write the result into.

    Returns:
        Tensor: shape (n, p).

    Raises:
        RuntimeError: if an operand is not 2-D, the inner sizes differ ("mat1 and mat2
            shapes cannot be multiplied (2x3 and 2x3)"), or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.mm(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[1.], [1.]]))
        tensor([[3.],
                [7.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("mm", mm, locals())
    if out is not None:
        return with_out("mm", out, mm, input, mat2)
    sa, sb = input._data.shape, mat2._data.shape  # raw shape tuples (per-call overhead)
    if len(sa) != 2:
        raise RuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    _same_dtype(input, mat2)
    _no_bool(input, "addmm_impl_cpu_", mat2)
    return Matmul.apply(input, mat2, _name="MmBackward0")


@tensor_input
def bmm(input, mat2, *, out=None):
    """Batched matrix product of 3-D tensors ``(b, n, m) @ (b, m, p) -> (b, n, p)``.
    Mirrors ``torch.bmm``.

    Multiplies ``input[i] @ mat2[i]`` for each ``i`` of the batch. No broadcasting (not
    even of the batch size: :func:`~reftorch.matmul` broadcasts); both operands must have
    the same dtype. grad_fn ``BmmBackward0``.

    Args:
        input: the first batch of matrices, shape (b, n, m).
        mat2: the second batch of matrices, shape (b, m, p).
        out: optional tensor to write the result into.

    Returns:
        Tensor: shape (b, n, p).

    Raises:
        RuntimeError: if an operand is not 3-D, the batch or inner sizes do not match, or
            the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.bmm(torch.ones(2, 1, 3), torch.ones(2, 3, 2))
        tensor([[[3., 3.]],
        <BLANKLINE>
                [[3., 3.]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("bmm", bmm, locals())
    if out is not None:
        return with_out("bmm", out, bmm, input, mat2)
    if input.dim() != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.dim() != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    _same_dtype(input, mat2, "expected scalar type")
    _no_bool(input, "bmm", mat2)
    return Matmul.apply(input, mat2, _name="BmmBackward0")


@tensor_input
def mv(input, vec, *, out=None):
    """Matrix-vector product ``(n, m) @ (m,) -> (n,)``. Mirrors ``torch.mv``.

    No broadcasting; both operands must have the same dtype. grad_fn ``MvBackward0``.

    Args:
        input: the matrix, shape (n, m).
        vec: the vector, shape (m,).
        out: optional tensor to write the result into.

    Returns:
        Tensor: shape (n,).

    Raises:
        RuntimeError: if ``input`` is not 2-D or ``vec`` not 1-D, the sizes do not match,
            or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.mv(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([1., 1.]))
        tensor([3., 7.])
    """
    if out is not None:
        return with_out("mv", out, mv, input, vec)
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.dim()}, {vec.dim()}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    if input.dtype is not vec.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_scalar_name(vec.dtype)}, "
                           f"{_scalar_name(input.dtype)}, and {_scalar_name(vec.dtype)}")
    _no_bool(input, "addmv_impl_cpu", vec)
    return Matmul.apply(input, vec, _name="MvBackward0")


@tensor_input
def dot(input, other, *, out=None):
    """Dot product of two 1-D tensors with the same number of elements. Mirrors ``torch.dot``.

    ``sum(input[i] * other[i])`` as a 0-D tensor of the operands' dtype (no type promotion,
    no broadcasting; complex operands are not conjugated: see :func:`~reftorch.vdot`).
    grad_fn ``DotBackward0``.

    Args:
        input: the first vector, shape (n,).
        other: the second vector, shape (n,).
        out: optional 0-D tensor to write the result into.

    Returns:
        Tensor: 0-D.

    Raises:
        RuntimeError: if an operand is not 1-D, the sizes differ, or the dtypes differ.

    Examples:
        >>> import reftorch as torch
        >>> torch.dot(torch.tensor([1., 2., 3.]), torch.tensor([4., 5., 6.]))
        tensor(32.)
        >>> torch.dot(torch.tensor([1, 2]), torch.tensor([3, 4]))
        tensor(11)
    """
    if out is not None:
        return with_out("dot", out, dot, input, other)
    dot_checks(input, other)
    return Matmul.apply(input, other, _name="DotBackward0")


def dot_checks(input, other):
    """``dot``'s (and ``vdot``'s) checks, in PyTorch's order."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_scalar_name(input.dtype)} and {_scalar_name(other.dtype)}")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} "
                           f"and {other.shape[0]} elements respectively")
    if input.dtype is D.bool:  # even for empty vectors
        raise NotImplementedError('"dot" not implemented for \'Bool\'')
