"""``reftorch.nn.functional``: the layers as plain functions. Mirrors ``torch.nn.functional``.

Every function takes tensors and returns a tensor with the values, dtype, shape, errors and
``grad_fn`` name of its PyTorch twin. The differentiable kernels are in
``reftorch/nn/_functions.py``.
"""
import math
import warnings

from .. import _dtype as _D
from .._layout import row_major as _row_major
from .._warnings import warn_once as _warn_once
from .._layout import _channels_last_strides, contiguous_strides as _contiguous_strides
from .._layout import suggests_channels_last as _suggests_channels_last, with_strides as _with_strides
from .._layout import _channels_last_3d_strides, suggests_channels_last_3d as _suggests_channels_last_3d
from .._ops import creation as _creation
from .._ops.linalg import matmul as _matmul, mm as _mm
from .._ops import pointwise as _pw
from .._ops import reduction as _red
from .._ops import shape as _shape
from .._ops.pointwise import scalar_div as _scalar_div, scalar_mul as _scalar_mul
from .._ops.softmax import softmax_impl as _softmax_impl  # one implementation with torch.softmax
from .._ops.special_math import xlogy as _xlogy
from .._tensor import _C_TYPE, Tensor, _wrap_dim, tensor_arg as _tensor_arg, tensor_type_name as _tensor_type_name
from .._tensor_inplace import commit as _commit
from .._type_info import finfo as _finfo
from ..autograd.grad_mode import is_grad_enabled as _is_grad_enabled, no_grad as _no_grad
from .._ops._common import tensor_input as _tensor_input
from . import _functions as _F
from . import _conv as _Conv
from . import _pooling as _Pool
from ._pool_shapes import adaptive_size as _adaptive_size, avg_divisors as _avg_divisors, \
    check_avg_dtype as _check_avg_dtype, check_floating as _check_floating, check_not_empty as _check_not_empty, pool_out as _pool_out, \
    window_divisors as _window_divisors
from . import _normalization as _Norm
from .. import _autocast
from .._autocast import anywhere as _autocasting

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "embedding",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "relu_",
    "sigmoid",
    "softmax",
    "softplus",
    "tanh",
]
__all__ += ["smooth_l1_loss", "huber_loss", "kl_div", "normalize", "cosine_similarity",
            "pairwise_distance"]  # losses, distances (helper losses)

# activations added after the first release
__all__ += ["elu", "elu_", "gelu", "hardtanh", "hardtanh_", "mish", "relu6", "silu"]

_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average, reduce, reduction):
    """Map the deprecated ``size_average``/``reduce`` arguments to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  UserWarning, stacklevel=3)
    return ret


# ---------------------------------------------------------------------- linear
@_tensor_input
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: the affine map of :class:`~reftorch.nn.Linear`.

    Mirrors ``torch.nn.functional.linear`` (grad_fn ``AddmmBackward0`` for 2-D input with a
    bias).

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features,)`` or ``None``.

    Returns:
        ``(*, out_features)``.

    Raises:
        RuntimeError: if the last dimension of ``input`` is not ``in_features``
            ("mat1 and mat2 shapes cannot be multiplied (3x4 and 3x2)").

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[1., 2.]])
        >>> w = torch.tensor([[1., 0.], [1., 1.], [0., 2.]])
        >>> F.linear(x, w, torch.tensor([0., 0., 10.]))
        tensor([[ 1.,  3., 14.]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linear", linear, locals())
    wshape, ishape = weight._data.shape, input._data.shape  # raw shape tuples: this runs once per call
    if len(wshape) != 2:
        return _linear_general(input, weight, bias)
    wt = _shape.t(weight)
    nd = len(ishape)
    if nd == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
    in_f = ishape[-1]
    if in_f != wshape[1]:
        rows = math.prod(ishape[:-1]) if nd > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_f} and "
                           f"{wshape[1]}x{wshape[0]})")
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_cname(input.dtype)} and "
                           f"{_cname(weight.dtype)}")
    out_f = wshape[0]
    if nd == 2:
        if bias is None:
            return _mm(input, wt)
        return _F.Addmm.apply(bias, input, wt)
    lead = tuple(input.shape[:-1])
    x2 = _shape.reshape(input, (math.prod(lead), in_f))  # (not -1: in_f may be 0)
    if bias is None:
        out = _mm(x2, wt)
        if nd == 1:
            return _shape.Squeeze.apply(out, axes=(0,), _name="SqueezeBackward4")
        return _shape.UnsafeView.apply(out, shape=lead + (out_f,))
    out = _F.Addmm.apply(bias, x2, wt)
    return _shape.view(out, lead + (out_f,))


def _linear_general(input, weight, bias):
    out = _matmul(input, _shape.t(weight))
    return out if bias is None else _pw.add(out, bias)


_cname = _D.scalar_name


# ---------------------------------------------------------------------- activations
def relu(input, inplace=False):
    """``max(input, 0)`` element-wise. Mirrors ``torch.nn.functional.relu``.

    The function of :class:`~reftorch.nn.ReLU`; the result keeps ``input``'s shape and
    dtype (grad_fn ``ReluBackward0``).

    Args:
        input: a tensor of any shape (integer tensors are allowed).
        inplace: overwrite ``input`` with the result (and return it).

    Raises:
        RuntimeError: for bool tensors.
        NotImplementedError: for complex tensors.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.relu(torch.tensor([-1., 0., 2.]))
        tensor([0., 0., 2.])
    """
    if inplace:
        return relu_(input)
    return _pw.relu(input)


def relu_(input):
    """In-place :func:`relu`."""
    return _commit(input, _pw.relu(input))


def tanh(input):
    """Element-wise hyperbolic tangent (``input.tanh()``, as PyTorch's: a number raises
    AttributeError)."""
    return input.tanh()


def sigmoid(input):
    """Element-wise logistic sigmoid ``1 / (1 + exp(-x))`` (``input.sigmoid()``, as
    PyTorch's: a number raises AttributeError)."""
    return input.sigmoid()


def _float_only(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_cname(input.dtype)}\'')


@_tensor_input
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.softplus(torch.tensor([0., 30.]))
        tensor([ 0.6931, 30.0000])
    """
    _float_only(input, "softplus_cpu")
    return _F.Softplus.apply(input, beta=beta, threshold=threshold)


@_tensor_input
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where positive, ``negative_slope * x`` elsewhere. Mirrors
    ``torch.nn.functional.leaky_relu`` (the function of :class:`~reftorch.nn.LeakyReLU`).

    Args:
        input: a floating point tensor of any shape.
        negative_slope: the slope for negative inputs (default 0.01).
        inplace: overwrite ``input`` with the result (grad_fn ``LeakyReluBackward1``
            instead of ``LeakyReluBackward0``).

    Raises:
        NotImplementedError: for integer input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.leaky_relu(torch.tensor([-2., 3.]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    _float_only(input, "leaky_relu_cpu")
    if inplace:  # PyTorch's in-place node is LeakyReluBackward1
        return _commit(input, _F.LeakyRelu.apply(input, slope=negative_slope, inplace=True,
                                                 _name="LeakyReluBackward1"))
    return _F.LeakyRelu.apply(input, slope=negative_slope)


# ---------------------------------------------------------------------- gelu, silu
@_tensor_input
def gelu(input, approximate="none"):
    """Gaussian Error Linear Unit ``x * Phi(x)``, ``Phi`` the standard normal CDF.
    Mirrors ``torch.nn.functional.gelu``.

    Args:
        input: a floating point tensor (float16 is computed in float32 and rounded once).
        approximate: ``'none'`` (exact, through ``erf``) or ``'tanh'``
            (``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))))``).

    Raises:
        RuntimeError: ``approximate`` is neither ``'none'`` nor ``'tanh'``.
        NotImplementedError: integer input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.gelu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.1587,  0.0000,  1.9545])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return _F.Gelu.apply(input, approximate=approximate)


@_tensor_input
def silu(input, inplace=False):
    """Sigmoid Linear Unit (swish) ``x * sigmoid(x)``. Mirrors ``torch.nn.functional.silu``.

    Args:
        input: a floating point tensor.
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.
        RuntimeError: complex input that requires grad (complex values are computed, but
            PyTorch does not differentiate them).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.silu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """
    if input.dtype.is_complex:
        if input.requires_grad and _is_grad_enabled():
            raise RuntimeError("silu does not support automatic differentiation for outputs with complex dtype.")
    else:
        _float_only(input, "silu_cpu")
    out = _F.Silu.apply(input)
    if inplace:
        return _commit(input, out)
    return out


# ---------------------------------------------------------------------- elu, hardtanh, mish
@_tensor_input
def elu(input, alpha=1.0, inplace=False):
    """Exponential Linear Unit: ``x`` where ``x > 0``, ``alpha * (exp(x) - 1)`` elsewhere.
    Mirrors ``torch.nn.functional.elu``.

    Args:
        input: a floating point tensor.
        alpha: the value the output approaches for very negative ``x`` is ``-alpha``.
        inplace: overwrite ``input`` with the result (recorded as ``EluBackward1``).

    Raises:
        NotImplementedError: integer input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.elu(torch.tensor([-2.0, 0.0, 3.0]))
        tensor([-0.8647,  0.0000,  3.0000])
    """
    _float_only(input, "elu_cpu")
    if inplace:
        return _commit(input, _F.Elu.apply(input, alpha=alpha, _name="EluBackward1"))
    return _F.Elu.apply(input, alpha=alpha)


@_tensor_input
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clamped to ``[min_val, max_val]``; its gradient is 1 strictly inside the
    range and 0 elsewhere. Mirrors ``torch.nn.functional.hardtanh``.

    Args:
        input: a floating point or integer tensor (the result keeps its dtype).
        min_val: the lower end (default -1).
        max_val: the upper end (default 1).
        inplace: overwrite ``input`` with the result.

    Raises:
        ValueError: ``min_val > max_val``.
        RuntimeError: a bool tensor, or an unsigned one with a negative limit.
        NotImplementedError: a complex tensor.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.hardtanh(torch.tensor([-2.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.dtype is _D.bool:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if input.dtype.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    if not input.dtype.is_signed and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    out = _F.Hardtanh.apply(input, min_val=min_val, max_val=max_val)
    if inplace:
        return _commit(input, out)
    return out


@_tensor_input
def elu_(input, alpha=1.0):
    """In-place :func:`elu`."""
    return elu(input, alpha, inplace=True)


@_tensor_input
def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    return hardtanh(input, min_val, max_val, inplace=True)


@_tensor_input
def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu` (``LeakyReluBackward1``). Mirrors
    ``torch.nn.functional.leaky_relu_``."""
    return leaky_relu(input, negative_slope, inplace=True)


@_tensor_input
def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``: :func:`hardtanh` between 0 and 6 (``HardtanhBackward0``).
    Mirrors ``torch.nn.functional.relu6``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.relu6(torch.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


@_tensor_input
def mish(input, inplace=False):
    """``x * tanh(softplus(x))``, a smooth, non-monotonic activation.
    Mirrors ``torch.nn.functional.mish``.

    Args:
        input: a floating point tensor.
        inplace: overwrite ``input`` with the result.

    Raises:
        NotImplementedError: integer input.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.mish(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.3034,  0.0000,  1.9440])
    """
    _float_only(input, "mish_cpu")
    out = _F.Mish.apply(input)
    if inplace:
        return _commit(input, out)
    return out


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / exp(x).sum(dim)``: turns scores into probabilities along ``dim``.

    Mirrors ``torch.nn.functional.softmax``; the result has ``input``'s shape (and dtype,
    or ``dtype``).

    Args:
        input: a floating point tensor.
        dim: the dimension whose entries sum to 1. Leaving it out is deprecated (a warning,
            then dim 0 for 0-, 1- and 3-D input, dim 1 otherwise).
        dtype: cast the input to this dtype first.

    Raises:
        NotImplementedError: for integer input (as PyTorch: ``"softmax_lastdim_kernel_impl"
            not implemented for 'Long'``).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.softmax(torch.tensor([1., 2., 3.]), dim=0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    return _softmax_impl(input, dim, dtype, "softmax")


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` computed stably (``x - max - log(sum(exp(x - max)))``).

    Mirrors ``torch.nn.functional.log_softmax``; the result has ``input``'s shape.

    Args:
        input: a floating point tensor.
        dim: the dimension to normalise over (see :func:`softmax`).
        dtype: cast the input to this dtype first.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.log_softmax(torch.tensor([1., 2., 3.]), dim=0)
        tensor([-2.4076, -1.4076, -0.4076])
    """
    return _softmax_impl(input, dim, dtype, "log_softmax")


# ---------------------------------------------------------------------- dropout
def _scale_noise(noise, p):
    """``noise.div_(1 - p)`` as PyTorch computes it: for float16 and bfloat16, ``1 / (1 - p)``
    in float32, rounded once (reftorch's float16 division would round the number ``1 - p`` first)."""
    if noise.dtype in _D.REDUCED_FLOATS:
        one = _creation.ones((), dtype=_D.float32, device=noise.device)
        noise.mul_(_pw.div(one, 1 - p).to(noise.dtype).item())  # exact in float16: no second rounding
    else:
        noise.div_(1 - p)


@_tensor_input
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.
    Mirrors ``torch.nn.functional.dropout`` (the function of :class:`~reftorch.nn.Dropout`).

    With ``training=False`` (or ``p=0``) the input itself is returned. The mask is drawn from
    the global generator exactly as PyTorch's CPU kernel does (a float tensor filled by
    ``bernoulli_(1 - p)``), so seeded results match PyTorch.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _creation.zeros((), dtype=input.dtype, device=input.device)
        if inplace:
            return input.mul_(zero)
        return _pw.mul(input, zero)
    noise = _creation.empty_like(input)  # laid out like input: the draws fill it in memory order, as in PyTorch
    noise.bernoulli_(1 - p)
    _scale_noise(noise, p)
    if inplace:
        return input.mul_(noise)
    return _pw.mul(input, noise)


# ---------------------------------------------------------------------- embedding
def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` used by ``input`` whose norm exceeds
    ``max_norm`` to norm ``max_norm`` (PyTorch's ``embedding_renorm_``: each such row is
    multiplied by ``max_norm / (norm + 1e-7)``). Bumps ``weight``'s version counter."""
    if not (weight.dtype.is_floating_point or weight.dtype.is_complex):  # (the row norms come first)
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{_cname(weight.dtype)} instead.")
    b = weight._backend
    xp = b.xp
    idx = xp.unique_values(xp.reshape(xp.astype(input._data, xp.int64), (-1,)))
    rows = xp.take(weight._data, idx, axis=0)
    with b.quiet():  # (an inf row: norm inf, scale 0, inf * 0 = nan, silently as in PyTorch)
        if norm_type == 2:
            norms = xp.sqrt(xp.sum(rows * rows, axis=1))
        elif norm_type == math.inf:
            norms = xp.max(xp.abs(rows), axis=1)
        elif norm_type == 1:
            norms = xp.sum(xp.abs(rows), axis=1)
        else:
            norms = xp.sum(xp.abs(rows) ** norm_type, axis=1) ** (1.0 / norm_type)
        norms = xp.astype(norms, xp.float64)  # PyTorch reads the norm with .item<double>()
        over = norms > max_norm
        # the scale is computed in double, then the float row is multiplied by it in float
        scale = xp.astype(xp.where(over, max_norm / (norms + 1e-7), xp.ones_like(norms)), rows.dtype)
        new_rows = rows * xp.reshape(scale, (-1, 1))
    b.setitem(weight._data, idx, new_rows)
    weight._bump_version()
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

    The function of :class:`~reftorch.nn.Embedding`. Mirrors ``torch.nn.functional.embedding``.

    Args:
        input: int64 or int32 indices of any shape.
        weight: the ``(num_embeddings, embedding_dim)`` table.
        padding_idx: the row that receives no gradient (negative values count from the end).
        max_norm: if given, rows looked up whose ``norm_type``-norm exceeds it are rescaled
            to norm ``max_norm`` **in ``weight`` itself**, before the lookup.
        norm_type: the p of the p-norm for ``max_norm``.
        scale_grad_by_freq: divide each row's gradient by how often its index occurs in
            ``input``.
        sparse: sparse gradients are not implemented; ``True`` raises NotImplementedError
            when the gradient is computed.

    Returns:
        ``(*input.shape, embedding_dim)``.

    Raises:
        IndexError: "index out of range in self" for an index outside
            ``[0, num_embeddings)``.
        RuntimeError: for indices that are not int32/int64.
        AssertionError: "Padding_idx must be within num_embeddings".
    """
    _tensor_arg(weight, "embedding", "weight", 1)
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if not isinstance(input, Tensor) or input.dtype not in (_D.int64, _D.int32):
        name = _tensor_type_name(input) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {name} instead (while checking arguments for embedding)")
    if weight.dim() == 0 and weight.requires_grad and _is_grad_enabled():  # PyTorch's autograd wrapper reads size(0)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if input.numel():
        if weight.shape[0] == 0:  # PyTorch's index_select check comes first
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if not input._backend.indices_in_range(input._data, weight.shape[0]):  # one pass
            if weight.numel() == 0:  # PyTorch's index_select kernel for an empty weight words it so
                bad = next(int(v) for v in input._host().reshape(-1) if not 0 <= v < weight.shape[0])
                raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={weight.shape[0]}")
            raise IndexError("index out of range in self")
    if max_norm is not None:
        with _no_grad():
            _embedding_renorm_(weight, input, max_norm, norm_type)
    pad = padding_idx if padding_idx >= 0 else None
    if sparse and weight.requires_grad:
        return _SparseEmbedding.apply(weight, input, padding_idx=pad, scale_grad_by_freq=scale_grad_by_freq)
    return _F.Embedding.apply(weight, input, padding_idx=pad, scale_grad_by_freq=scale_grad_by_freq)


class _SparseEmbedding(_F.Embedding):
    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("reftorch does not implement sparse gradients (Embedding(sparse=True)); "
                                  "use sparse=False: the dense gradient holds the same values")


def one_hot(tensor, num_classes=-1):
    """``(*, num_classes)`` int64 tensor with a 1 at each index. Mirrors
    ``torch.nn.functional.one_hot``.

    ``one_hot(ids, n).float() @ weight`` equals ``embedding(ids, weight)``.

    Args:
        tensor: int64 class indices.
        num_classes: the length of the last dimension; ``-1`` means ``tensor.max() + 1``.

    Raises:
        RuntimeError: for a non-int64 input, a negative index, or an index
            ``>= num_classes``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.one_hot(torch.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    _tensor_arg(tensor, "one_hot", "input", 1)
    if tensor.dtype is not _D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = tensor._backend.xp
    a = tensor._data
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        if int(xp.min(a)) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(xp.max(a)) + 1
        elif int(xp.max(a)) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    classes = xp.arange(num_classes, dtype=a.dtype, **tensor._backend._dev_kw())
    out = xp.astype(xp.expand_dims(a, -1) == classes, a.dtype)
    return Tensor._wrap(_row_major(tensor._backend, out), tensor.device, tensor._backend)  # contiguous, as PyTorch


# ---------------------------------------------------------------------- losses
def _size_warning(input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=stacklevel)


def _broadcast_pair(input, target):
    shape = tuple(_shape_broadcast(tuple(input.shape), tuple(target.shape)))
    if tuple(input.shape) != shape:
        input = _shape.expand(input, shape)
    if tuple(target.shape) != shape:
        target = _shape.expand(target, shape)
    return input, target


def _shape_broadcast(a, b):
    out = []
    for i in range(max(len(a), len(b))):
        x = a[len(a) - 1 - i] if i < len(a) else 1
        y = b[len(b) - 1 - i] if i < len(b) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(a), len(b)) - 1 - i}")
        out.append(max(x, y) if min(x, y) != 0 else 0)
    return reversed(out)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(input - target) ** 2``, averaged (default), summed or kept.

    The function of :class:`~reftorch.nn.MSELoss`. Mirrors ``torch.nn.functional.mse_loss``.
    Warns (``UserWarning``) when the shapes differ, since broadcasting then silently
    compares the wrong elements.

    Args:
        input: the predictions, a floating point tensor of any shape.
        target: the targets, the same shape as ``input``.
        size_average: deprecated (use ``reduction``).
        reduce: deprecated (use ``reduction``).
        reduction: ``"mean"`` (a 0-D tensor), ``"sum"`` or ``"none"`` (``input``'s shape).

    Raises:
        ValueError: for another ``reduction``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.mse_loss(torch.tensor([1., 2.]), torch.tensor([1., 4.]))
        tensor(2.)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("mse_loss", mse_loss, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    _check_reduction(reduction)
    input, target = _broadcast_pair(input, target)
    dt = _D.promote_types(input.dtype, target.dtype)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{_cname(dt)}\'')
    if input.dtype is not dt:
        input = input.to(dt)
    if target.dtype is not dt:
        target = target.to(dt)
    if weight is not None:
        sq = _pw.mul(_pw.pow(_pw.sub(input, target), 2), weight)
        return _apply_reduction(sq, reduction)
    return _F.MseLoss.apply(input, target, reduction=reduction)


def _apply_reduction(t, reduction):
    if reduction == "mean":
        return _red.mean(t)
    if reduction == "sum":
        return _red.sum(t)
    return t


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``, averaged (default), summed or kept.

    The function of :class:`~reftorch.nn.L1Loss`. Mirrors ``torch.nn.functional.l1_loss``;
    the arguments and the shape warning are :func:`mse_loss`'s.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.l1_loss(torch.tensor([1., 2.]), torch.tensor([2., 4.]))
        tensor(1.5000)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("l1_loss", l1_loss, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    _check_reduction(reduction)
    loss = _pw.abs(_pw.sub(input, target))
    if weight is not None:
        loss = _pw.mul(loss, weight)
    return _apply_reduction(loss, reduction)


def _nll(input, target, weight, reduction, ignore_index):
    """``nll_loss`` for any supported dims; returns the loss tensor."""
    _tensor_arg(input, "nll_loss_nd", "input", 1)
    _tensor_arg(target, "nll_loss_nd", "target", 2)
    _check_reduction(reduction)
    ishape, tshape = input._data.shape, target._data.shape  # (tuples: no torch.Size made)
    nd, td = len(ishape), len(tshape)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd > 1 and (td == 0 or ishape[0] != tshape[0]):  # (PyTorch's order: shapes, then the dtype)
        raise ValueError(f"Expected input batch_size ({ishape[0]}) to match target batch_size "
                         f"({tshape[0] if td else 1}).")
    if target._dtype is not _D.int64 and target._dtype is not _D.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_cname(target.dtype)}")
    if nd == 1 and td == 1 and tshape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {tshape[0]}")
    if nd == 1:
        if td > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        if nd == 2 and td != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd > 2 and tuple(tshape[1:]) != tuple(ishape[2:]):
            raise RuntimeError(f"Expected target size {list((ishape[0],) + tuple(ishape[2:]))}, got "
                               f"{list(tshape)}")
    if weight is not None and weight.requires_grad and _is_grad_enabled():  # (PyTorch's autograd wrapper)
        raise RuntimeError(f"The function '{'nll_loss_forward' if nd <= 2 else 'nll_loss2d_forward'}' is not "
                           "differentiable with respect to argument 'weight'. This input cannot have requires_grad "
                           "True.")
    c = ishape[1] if nd > 1 else ishape[0]
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {_cname(input.dtype)} but found {_cname(weight.dtype)}")
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    t = target._data
    if t.size and not (c and target._backend.indices_in_range(t, c)):  # (one pass, in range)
        xp = target._backend.xp
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if bool(xp.any(bad)):
            first = int(xp.reshape(t, (-1,))[xp.argmax(xp.astype(xp.reshape(bad, (-1,)), xp.int8))])
            raise IndexError(f"Target {first} is out of bounds.")
    elif not 0 <= ignore_index < c:  # every target is a class, none is ignore_index: None says so
        ignore_index = None
    if nd <= 2:
        x2 = input
        if nd == 1 and td == 1:
            x2 = _shape.unsqueeze(input, 0)
        return _F.NllLoss.apply(x2, target, weight=weight, reduction=reduction, ignore_index=ignore_index)
    if nd == 4:
        return _F.NllLoss2d.apply(input, target, weight=weight, reduction=reduction, ignore_index=ignore_index)
    # (N, C, d1, ...) other than 4-D: viewed as (N, C, 1, d1 * ...), as PyTorch does
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    size = math.prod(rest)
    out = _F.NllLoss2d.apply(_shape.reshape(input, (n, c, 1, size)), _shape.reshape(target, (n, 1, size)),
                             weight=weight, reduction=reduction, ignore_index=ignore_index)
    if reduction == "none":
        return _shape.view(out, (n,) + rest)
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood: ``-input[n, target[n]]``, for log-probabilities ``input``.
    Mirrors ``torch.nn.functional.nll_loss`` (the function of :class:`~reftorch.nn.NLLLoss`).

    Args:
        input: ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)`` log-probabilities.
        target: int64 class indices ``(N,)``, ``()`` or ``(N, d1, ...)``.
        weight: a ``(C,)`` weight per class; the mean divides by the summed weights of the
            targets.
        ignore_index: targets equal to it contribute nothing (and are not counted).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Raises:
        IndexError: "Target 5 is out of bounds." for a class index outside ``[0, C)``.
        ValueError: if the batch sizes of input and target differ.
        RuntimeError: for a non-integer target.
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("nll_loss", nll_loss, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nll(input, target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of raw scores (logits) ``input`` against ``target``.

    The function of :class:`~reftorch.nn.CrossEntropyLoss`. Mirrors
    ``torch.nn.functional.cross_entropy``.

    Two kinds of target, as in PyTorch:

    * class indices (int64, shape ``(N,)``): ``nll_loss(log_softmax(input, 1), target)``;
    * class probabilities (float, same shape as ``input``):
      ``-(target * log_softmax(input, 1)).sum(1)``, averaged over the batch.

    Args:
        input: ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)`` logits.
        target: class indices or class probabilities.
        weight: a ``(C,)`` weight per class.
        ignore_index: class index whose targets are skipped (index targets only).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        label_smoothing: in ``[0, 1]``; mixes the target with the uniform distribution.

    Raises:
        IndexError: "Target 4 is out of bounds." for a class index outside ``[0, C)``.
        ValueError: if the batch sizes differ.
        RuntimeError: for a float target whose shape differs from ``input``'s, a target of
            ``input``'s shape that is not floating-point (also for a 0-dim ``input``), a
            ``label_smoothing`` outside ``[0, 1]``, or an ``ignore_index >= 0`` with class
            probabilities.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.cross_entropy(torch.tensor([[2., 0., 0.]]), torch.tensor([0]))
        tensor(0.2395)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("cross_entropy_loss", cross_entropy, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _tensor_arg(input, "cross_entropy_loss", "input", 1)
    _tensor_arg(target, "cross_entropy_loss", "target", 2)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    ishape = input._data.shape  # (the arrays' shape tuples: no torch.Size made)
    class_dim = 0 if len(ishape) == 1 else 1
    probabilities = ishape == target._data.shape  # (PyTorch's test, 0-dim inputs included)
    if probabilities:
        if not target.dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_cname(target.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if input.dim() == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    logp = log_softmax(input, class_dim)
    c = ishape[class_dim]
    if probabilities:
        tgt = target
        if label_smoothing > 0:
            tgt = _pw.add(_pw.mul(target, 1 - label_smoothing), label_smoothing / c)
        prod = _pw.mul(logp, tgt)
        if weight is not None:
            wshape = [1] * input.dim()
            wshape[class_dim] = c
            prod = _pw.mul(prod, _shape.view(weight, wshape))
        if reduction == "mean":  # (no classes: 0 / 0, nan, as PyTorch)
            return _scalar_div(_pw.neg(_red.sum(prod)), input.numel() // c if c else 0)
        if reduction == "sum":
            return _pw.neg(_red.sum(prod))
        return _pw.neg(_red.sum(prod, class_dim))
    nll = _nll(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0:
        return nll
    if weight is not None:
        wshape = [1] * input.dim()
        wshape[class_dim] = c
        smooth = _pw.neg(_red.sum(_pw.mul(logp, _shape.view(weight, wshape)), class_dim))
    else:
        smooth = _pw.neg(_red.sum(logp, class_dim))
    ignore_mask = _pw.eq(target, ignore_index)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        if weight is not None:
            xp = target._backend.xp
            keep = xp.reshape(target._data, (-1,))[xp.reshape(~ignore_mask._data, (-1,))]
            denom = Tensor._wrap(xp.sum(xp.take(weight._data, keep, axis=0)), weight.device, weight._backend)
            ret = _pw.div(_red.sum(smooth), denom)
        else:
            cnt = _red.sum(_pw.logical_not(ignore_mask).to(_D.int64))  # core sum(bool) fails on strict
            ret = _pw.div(_red.sum(smooth), cnt)
    elif reduction == "sum":
        ret = _red.sum(smooth)
    else:
        ret = smooth
    return _pw.add(_scalar_mul(nll, 1 - label_smoothing), _scalar_mul(ret, label_smoothing / c))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy ``-(t log p + (1 - t) log(1 - p))`` of probabilities ``input``.
    Mirrors ``torch.nn.functional.binary_cross_entropy`` (the function of
    :class:`~reftorch.nn.BCELoss`).

    The logs are clamped at -100, as in PyTorch, so a probability of exactly 0 or 1 gives a
    finite loss.

    Raises:
        ValueError: if target and input shapes differ.
        RuntimeError: for a target of another dtype than the input, or an input value
            outside ``[0, 1]``.
        NotImplementedError: for an input that is not floating point.
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("binary_cross_entropy", binary_cross_entropy, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _check_reduction(reduction)
    if target.dtype is not input.dtype:  # (a common slip: float64 or int64 labels for float32 probabilities)
        raise RuntimeError(f"Found dtype {_cname(target.dtype)} but expected {_cname(input.dtype)}")
    _float_only(input, "binary_cross_entropy")
    if weight is not None and weight.dtype is not input.dtype:  # (PyTorch multiplies in place: the input's dtype)
        weight = weight.to(input.dtype)
    xp = input._backend.xp
    if input.numel() and not bool(xp.all((input._data >= 0) & (input._data <= 1))):  # nan is out of range too
        raise RuntimeError("all elements of input should be between 0 and 1")
    if target.numel() and not bool(xp.all((target._data >= 0) & (target._data <= 1))):
        raise RuntimeError("all elements of target should be between 0 and 1")
    return _F.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.
    Mirrors ``torch.nn.functional.binary_cross_entropy_with_logits`` (the function of
    :class:`~reftorch.nn.BCEWithLogitsLoss`).

    Args:
        pos_weight: a weight for the positive term, broadcast over the classes.

    Raises:
        ValueError: if target and input shapes differ.
        NotImplementedError: for an input that is not floating point.
        RuntimeError: for a bool or integer target.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _bce_with_logits(input, target, weight, pos_weight, reduction)


def _bce_with_logits(input, target, weight, pos_weight, reduction):
    """:func:`binary_cross_entropy_with_logits` after the checks of its Python layer
    (``torch.binary_cross_entropy_with_logits``)."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("binary_cross_entropy_with_logits", _bce_with_logits, locals())
    # PyTorch's kernel takes ``log_sigmoid(input)`` first, then builds the loss in place in
    # ``1 - target``: the target's dtype, which must hold the input's values
    _float_only(input, "log_sigmoid_cpu")
    if target.dtype is _D.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {_cname(_D.promote_types(target.dtype, input.dtype))} can't be cast to "
                           f"the desired output type {_cname(target.dtype)}")
    loss = _F.BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                                 reduction=reduction)
    return loss if loss.dtype is target.dtype else loss.to(target.dtype)


# ---------------------------------------------------------------------- convolution
__all__ += ["conv1d", "conv2d", "conv3d"]


def _ntuple(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * n


def _no_tensor(like):
    """A placeholder for an absent optional tensor (no bias, no affine weight): it gives
    the ``(None, 0)`` entry PyTorch shows in ``next_functions``."""
    return _creation.empty(0, dtype=like.dtype, device=like.device)




#: C++'s names of the scalar types, as PyTorch's convolution names them in its dtype errors
_CPP_TYPE = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}


def _conv(input, weight, bias, stride, padding, dilation, groups, nd):
    name = f"conv{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, "
                           f"but got input of size: {list(input.shape)}")
    k = weight.dim() - 2
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    if len(stride) != k:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {k} values to "
                           f"match the convolution dimensions, but got stride={list(stride)}")
    if input.dim() == nd + 1:
        out = _conv(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups, nd)
        return out.squeeze(0)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            if any(d % 2 == 1 and kk % 2 == 0 for kk, d in zip(kernel, dilation)):
                _warn_once("Using padding='same' with even kernel lengths and odd dilation may require a "
                          "zero-padded copy of the input be created", stacklevel=0)
            pads = []
            for kk, d in zip(kernel, dilation):
                total = d * (kk - 1)
                pads.append((total // 2, total - total // 2))
            pads = tuple(pads)
            if any(lo != hi for lo, hi in pads):  # as PyTorch: pad the extra first, then symmetric
                input = _Conv.ConstantPad.apply(input, pads=tuple((0, hi - lo) for lo, hi in pads))
                pads = tuple((lo, lo) for lo, _ in pads)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, nd)
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((p, p) for p in padding)
    c = input.shape[1]
    if weight.shape[1] * groups != c:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {weight.shape[1] * groups} channels, "
                           f"but got {c} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size {list(weight.shape)} instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {weight.shape[0]} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    padded = [n + lo + hi for n, (lo, hi) in zip(input.shape[2:], pads)]
    eff = [d * (kk - 1) + 1 for kk, d in zip(kernel, dilation)]
    if any(e > p for e, p in zip(eff, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater "
                           "than actual input size")
    if bias is not None and bias.dtype is not input.dtype:  # (PyTorch checks the bias's dtype first)
        raise RuntimeError(f"Input type ({_CPP_TYPE.get(input.dtype.name, input.dtype.name)}) and bias type "
                           f"({_CPP_TYPE.get(bias.dtype.name, bias.dtype.name)}) should be the same")
    for t in (weight,) if bias is None else (weight, bias):
        if t.dtype is not input.dtype:
            raise RuntimeError(f"expected scalar type {_cname(input.dtype)} but found {_cname(t.dtype)}")
        if t.device != input.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                               f"devices, {input.device} and {t.device}!")
    if input.numel() == 0 and input.shape[0] and input.shape[1]:  # (an empty batch or no channels: computed)
        shape = list(input.shape[:2]) + [1] * (nd == 1) + list(input.shape[2:])  # (1-d: viewed as 2-d)
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: {shape}")
    b = _no_tensor(input) if bias is None else bias
    out = _Conv.Convolution.apply(input, weight, b, stride=stride, pads=pads, dilation=dilation,
                                  groups=groups, has_bias=bias is not None)
    if nd in (1, 2) and _conv_channels_last(input, weight, nd):
        shape = tuple(out._data.shape)
        cl = _channels_last_strides(shape if nd == 2 else (shape[0], shape[1], 1, shape[2]))
        out._data = _with_strides(out._backend, out._data, cl if nd == 2 else (cl[0], cl[1], cl[3]))
    elif nd == 3 and any(_suggests_channels_last_3d(tuple(t._data.shape), t._backend.strides(t._data))
                         for t in (input, weight)):
        out._data = _with_strides(out._backend, out._data, _channels_last_3d_strides(tuple(out._data.shape)))
    return out


def _conv_channels_last(input, weight, nd):
    """Whether PyTorch's CPU convolution lays its result out channels-last: when the input
    or the weight, as the 2-d kernel sees them, suggests that memory format. A 1-d
    convolution views its operands as 2-d (``unsqueeze(2)``), the input made contiguous
    first (PyTorch: so a permuted 3-d input does not go channels-last), which still leaves
    odd strides on size-1 dims."""
    b = input._backend
    views = []
    for t, contiguous_first in ((input, True), (weight, False)):
        shape, st = tuple(t._data.shape), b.strides(t._data)
        if nd == 1:
            if contiguous_first and not b.is_c_contiguous(t._data):
                st = _contiguous_strides(shape)
            shape, st = (shape[0], shape[1], 1, shape[2]), (st[0], st[1], shape[2] * st[2], st[2])
        views.append((shape, st))
    return any(_suggests_channels_last(shape, st) for shape, st in views)


@_tensor_input
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation) over ``(N, C_in, L)`` or unbatched ``(C_in, L)``.

    Args:
        input: ``(N, C_in, L)`` or ``(C_in, L)``.
        weight: ``(C_out, C_in / groups, kL)``.
        bias: ``(C_out,)`` or ``None``.
        stride: step between windows (int or 1-tuple, default 1).
        padding: zeros added on both sides (int or 1-tuple), or ``'valid'`` (none) or
            ``'same'`` (output as long as the input; stride 1 only).
        dilation: spacing between kernel elements (default 1).
        groups: split the channels into this many independent convolutions.

    Returns:
        ``(N, C_out, L_out)`` with ``L_out = (L + 2*padding - dilation*(kL-1) - 1) // stride + 1``.

    Raises:
        RuntimeError: for inputs of the wrong rank, channel counts that do not match the
            weight and ``groups``, a kernel larger than the padded input, bad bias shapes,
            non-positive strides and negative padding, with PyTorch's messages.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[[1., 2., 3., 4.]]])
        >>> F.conv1d(x, torch.tensor([[[1., 0., -1.]]]))
        tensor([[[-2., -2.]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv1d", conv1d, locals())
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.

    The function of :class:`~reftorch.nn.Conv2d`. Mirrors ``torch.nn.functional.conv2d``.

    Args:
        input: ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
        weight: ``(C_out, C_in / groups, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.
        stride: step between windows (int or pair, default 1).
        padding: zeros added on each side (int or pair), or ``'valid'``/``'same'``.
        dilation: spacing between kernel elements (int or pair, default 1).
        groups: split the channels into this many independent convolutions
            (``groups == C_in`` is a depthwise convolution).

    Returns:
        ``(N, C_out, H_out, W_out)``; each output size is
        ``(size + 2*padding - dilation*(k-1) - 1) // stride + 1``. The ``grad_fn`` is
        ``ConvolutionBackward0``.

    Raises:
        RuntimeError: as :func:`conv1d`.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.arange(16.).view(1, 1, 4, 4)
        >>> F.conv2d(x, torch.ones(1, 1, 2, 2), stride=2)
        tensor([[[[10., 18.],
                  [42., 50.]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv2d", conv2d, locals())
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation) over ``(N, C_in, D, H, W)`` or unbatched
    ``(C_in, D, H, W)``: volumes, or videos with ``D`` frames.

    Args:
        input: ``(N, C_in, D, H, W)`` or ``(C_in, D, H, W)``.
        weight: ``(C_out, C_in / groups, kD, kH, kW)``.
        bias: ``(C_out,)`` or ``None``.
        stride: step between windows (int or triple, default 1).
        padding: zeros added on each side (int or triple), or ``'valid'``/``'same'``.
        dilation: spacing between kernel elements (int or triple, default 1).
        groups: split the channels into this many independent convolutions.

    Returns:
        ``(N, C_out, D_out, H_out, W_out)``, each size
        ``(size + 2*padding - dilation*(k-1) - 1) // stride + 1``; laid out
        channels-last-3d when the input or the weight is (as PyTorch's CPU kernel). The
        ``grad_fn`` is ``ConvolutionBackward0``.

    Raises:
        RuntimeError: as :func:`conv1d`.

    Mirrors ``torch.nn.functional.conv3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.arange(8.).view(1, 1, 2, 2, 2)
        >>> F.conv3d(x, torch.ones(1, 1, 2, 2, 2))
        tensor([[[[[28.]]]]])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("conv3d", conv3d, locals())
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)




__all__ += ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]
from ._padding import pad  # noqa: E402  (the checks of F.pad beside the kernels of _conv.py)
from ._interpolate import interpolate, upsample, upsample_bilinear, upsample_nearest  # noqa: E402

__all__ += ["celu", "glu", "hardsigmoid", "hardswish", "logsigmoid", "prelu", "selu", "softmin", "softsign",
            "threshold"]
from ._activations import (celu, glu, hardsigmoid, hardswish, logsigmoid, prelu, selu,  # noqa: E402
                           softmin, softsign, threshold)
from ._activations import celu_, selu_, threshold_  # noqa: E402

__all__ += ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
            "triplet_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss", "gaussian_nll_loss",
            "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss"]
from ._margin_losses import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss,  # noqa: E402
                             margin_ranking_loss, multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss,
                             triplet_margin_loss, triplet_margin_with_distance_loss)
from ._multi_margin import multi_margin_loss, multilabel_margin_loss  # noqa: E402
__all__ += ["rrelu", "rrelu_", "alpha_dropout", "feature_alpha_dropout", "celu_", "selu_", "leaky_relu_",
            "threshold_"]
from ._rrelu import rrelu, rrelu_  # noqa: E402

__all__ += ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]
from ._pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402

__all__ += ["hardshrink", "softshrink", "tanhshrink"]
from ._activations import hardshrink, softshrink, tanhshrink  # noqa: E402

__all__ += ["linear_cross_entropy"]
from ._linear_cross_entropy import linear_cross_entropy  # noqa: E402

__all__ += ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
from ._conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402

__all__ += ["max_unpool1d", "max_unpool2d", "max_unpool3d"]
from ._unpool import max_unpool1d, max_unpool2d, max_unpool3d  # noqa: E402

__all__ += ["unfold", "fold"]
from ._fold import fold, unfold  # noqa: E402

__all__ += ["bilinear", "embedding_bag"]
from ._bilinear import bilinear  # noqa: E402

__all__ += ["ctc_loss"]
from ._ctc import ctc_loss  # noqa: E402

__all__ += ["gumbel_softmax", "pdist"]
from ._gumbel import gumbel_softmax  # noqa: E402
from .._ops.distance import pdist  # noqa: E402

__all__ += ["affine_grid", "grid_sample"]
from ._grid_sample import affine_grid, grid_sample  # noqa: E402
from ._embedding_bag import embedding_bag  # noqa: E402

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]
from ._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402


def _mode_pad(input, pads, mode):
    """Pad the last ``len(pads)`` dims by ``(lo, hi)`` pairs copying elements (the padding
    modes of the conv layers other than ``'zeros'``)."""
    return _Conv.ModePad.apply(input, pads=tuple(pads), mode=mode,
                               _name=_Conv.PAD_NAMES[mode].format(len(pads)))


# ---------------------------------------------------------------------- pooling
__all__ += ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
            "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"]


def _pool_args(name, kernel_size, stride, padding, dilation):
    kernel = _ntuple(kernel_size, 2)
    if len(kernel) not in (1, 2):
        raise RuntimeError(f"{name}: kernel_size must either be a single int, or a tuple of two ints")
    kernel = kernel * 2 if len(kernel) == 1 else kernel
    stride = kernel if stride is None or stride == [] or stride == () else _ntuple(stride, 2)
    stride = stride * 2 if len(stride) == 1 else stride
    padding = _ntuple(padding, 2)
    padding = padding * 2 if len(padding) == 1 else padding
    dilation = _ntuple(dilation, 2)
    dilation = dilation * 2 if len(dilation) == 1 else dilation
    if 0 in stride:
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dilation[0]} "
                           f"dilationW: {dilation[1]}")
    return kernel, stride, padding, dilation


def _check_pool_dims(prefix, input, nd):
    """PyTorch's error for a pooling input with an empty dim other than the batch dim
    (``nd``: the rank of an unbatched input, whose every dim counts)."""
    shape = list(input.shape)
    if 0 in (shape if input.dim() == nd else shape[1:]):
        raise RuntimeError(f"{prefix}Expected {nd}D or {nd + 1}D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{shape}")


def _pool_geometry(input, kernel, stride, padding, dilation, ceil_mode):
    if input.dim() not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    _check_pool_dims("", input, 3)
    sp = input.shape[-2:]
    out = tuple(_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(sp, kernel, stride, padding, dilation))
    if any(o < 1 for o in out):
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{sp[0]}x{sp[1]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")
    # right padding: as much as the last window needs (ceil_mode may reach past `padding`)
    pads = tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(sp, kernel, stride, padding, dilation, out))
    return out, pads


@_tensor_input
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each ``kernel_size`` window of ``(N, C, H, W)`` or ``(C, H, W)``.
    Mirrors ``torch.nn.functional.max_pool2d`` (the function of :class:`~reftorch.nn.MaxPool2d`).

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on each side (at most half the window).
        dilation: spacing between window elements.
        ceil_mode: round the output size up (a last, partial window).
        return_indices: also return where each maximum came from, as flat indices into
            each ``H * W`` plane (what ``MaxUnpool2d`` takes).

    Returns:
        ``(N, C, H_out, W_out)`` with ``H_out = (H + 2*padding - dilation*(k-1) - 1) // stride + 1``
        (rounded up with ``ceil_mode``), or ``(values, indices)``. Among equal values the
        first in row-major window order wins; a NaN wins over numbers.

    Raises:
        RuntimeError: for bad ranks, non-positive sizes, too much padding or an empty
            output (PyTorch's messages).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[[[1., 5., 2., 0.], [3., 4., 8., 8.]]]])
        >>> F.max_pool2d(x, 2, return_indices=True)
        (tensor([[[[5., 8.]]]]), tensor([[[[1, 6]]]]))
    """
    kernel, stride, padding, dilation = _pool_args("max_pool2d", kernel_size, stride, padding, dilation)
    out, pads = _pool_geometry(input, kernel, stride, padding, dilation, ceil_mode)
    box = [] if return_indices else None
    values = _Pool.MaxPool.apply(input, kernel=kernel, stride=stride, pads=pads, dilation=dilation,
                                 out_size=out, box=box, _name="MaxPool2DWithIndicesBackward0")
    if return_indices:
        return values, Tensor._wrap(box[0], input.device, input._backend)
    return values


@_tensor_input
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """:func:`max_pool2d` over the last dim of ``(N, C, L)`` or ``(C, L)``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.max_pool1d(torch.tensor([[1., 3., 2., 2., 0.]]), 2)
        tensor([[3., 2.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{list(input.shape)}")
    _check_pool_dims("max_pool1d: ", input, 2)
    one = lambda v: (1,) + _ntuple(v, 1)  # noqa: E731
    r = max_pool2d(input.unsqueeze(-2), one(kernel_size), None if stride is None or stride == [] else one(stride),
                   (0,) + _ntuple(padding, 1), one(dilation), ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    r = r.squeeze(-2)
    if not (input.requires_grad and _is_grad_enabled()):
        # PyTorch's kernel without indices: a fresh row-major result (size-1 dims included)
        r = r.contiguous()
        r._data = _row_major(r._backend, r._data)
    return r


@_tensor_input
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each ``kernel_size`` window of ``(N, C, H, W)`` or ``(C, H, W)``.
    Mirrors ``torch.nn.functional.avg_pool2d`` (the function of :class:`~reftorch.nn.AvgPool2d`).

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on each side (at most half the window).
        ceil_mode: round the output size up.
        count_include_pad: count the zero padding in the divisor (default ``True``);
            windows sticking out past the padding (``ceil_mode``) never count that part.
        divisor_override: divide every window sum by this number instead.

    Returns:
        ``(N, C, H_out, W_out)`` (sizes as :func:`max_pool2d` with dilation 1).

    Raises:
        RuntimeError: as :func:`max_pool2d`, and "divisor must be not zero".

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.avg_pool2d(torch.arange(16.).view(1, 1, 4, 4), 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    kernel, stride, padding, _ = _pool_args("avg_pool2d", kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() < 3:  # PyTorch reads input.size(-3) before it checks the rank
        _wrap_dim(-3, input.dim(), allow_scalar=False)
    if input.dim() > 4:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{list(input.shape)}")
    out, pads = _pool_geometry(input, kernel, stride, padding, (1, 1), ceil_mode)
    _check_avg_dtype("avg_pool2d", input)
    if divisor_override is not None:
        div = divisor_override
    else:
        per_dim = _avg_divisors(input.shape[-2:], kernel, stride, padding, out, count_include_pad)
        div = _window_divisors(per_dim)
    return _Pool.AvgPool.apply(input, kernel=kernel, stride=stride, pads=pads, out_size=out, div=div,
                               _name="AvgPool2DBackward0")


@_tensor_input
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """:func:`avg_pool2d` over the last dim of ``(N, C, L)`` or ``(C, L)``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.avg_pool1d(torch.tensor([[1., 3., 2., 2., 0.]]), 2)
        tensor([[2., 2.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for avg_pool1d)")
    one = lambda v: (1,) + _ntuple(v, 1)  # noqa: E731
    return avg_pool2d(input.unsqueeze(-2), one(kernel_size), None if stride is None else one(stride),
                      (0,) + _ntuple(padding, 1), ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed ``output_size`` whatever the input's size.

    Output cell ``i`` (per dim) averages input positions ``floor(i*n/o)`` up to
    ``ceil((i+1)*n/o)``, PyTorch's windows. ``None`` keeps that dim's size.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        output_size: int or pair (entries may be ``None``).

    Raises:
        RuntimeError: for inputs that are not 3-D or 4-D, or with an empty ``H`` or ``W``
            (unless ``output_size`` is 1, a mean: ``nan``).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_avg_pool2d(torch.arange(6.).view(1, 2, 3), (1, 2))
        tensor([[[2., 3.]]])
    """
    out = _adaptive_size("adaptive_avg_pool2d", input, output_size)
    if 0 in out:  # nothing to pool into: an empty result
        return input.new_zeros(tuple(input.shape[:-2]) + out)
    if out == (1, 1):
        return _Pool.adaptive_mean(input, (-1, -2))  # what PyTorch does (a mean)
    _check_not_empty("adaptive_avg_pool2d", input, (input.dim() - 2, input.dim() - 1))
    _check_floating("adaptive_avg_pool2d", input)
    return _Pool.AdaptiveAvgPool.apply(input, out_size=out, _name="AdaptiveAvgPool2DBackward0")


@_tensor_input
def adaptive_avg_pool1d(input, output_size):
    """:func:`adaptive_avg_pool2d` over the last dim of ``(N, C, L)`` or ``(C, L)``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_avg_pool1d(torch.tensor([[1., 2., 3., 4., 5.]]), 2)
        tensor([[2., 4.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for adaptive_avg_pool1d)")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1,) + _ntuple(output_size, 1)).squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``output_size`` (windows as :func:`adaptive_avg_pool2d`).

    Returns:
        the maxima, or ``(values, indices)`` with flat indices into each ``H * W`` plane.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_max_pool2d(torch.tensor([[[1., 5., 2.], [3., 4., 8.]]]), 1)
        tensor([[[8.]]])
    """
    out = _adaptive_size("adaptive_max_pool2d", input, output_size)
    if 0 in out:  # nothing to pool into: empty results
        values = input.new_zeros(tuple(input.shape[:-2]) + out)
        return (values, values.long()) if return_indices else values
    _check_not_empty("adaptive_max_pool2d", input, range(1, input.dim()))
    _check_floating("adaptive_max_pool2d", input)
    box = []
    values = _Pool.AdaptiveMaxPool.apply(input, out_size=out, box=box, _name="AdaptiveMaxPool2DBackward0")
    if return_indices:
        return values, Tensor._wrap(box[0], input.device, input._backend)
    return values


@_tensor_input
def adaptive_max_pool1d(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool2d` over the last dim of ``(N, C, L)`` or ``(C, L)``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.adaptive_max_pool1d(torch.tensor([[1., 5., 2., 0.]]), 2)
        tensor([[5., 2.]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for "
                           "argument #1 'self' (while checking arguments for adaptive_max_pool1d)")
    _check_not_empty("adaptive_max_pool1d", input, range(1, input.dim()))
    r = adaptive_max_pool2d(input.unsqueeze(-2), (1,) + _ntuple(output_size, 1), return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


__all__ += ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]
from ._pooling3d import adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d, max_pool3d  # noqa: E402

__all__ += ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
            "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d_with_indices"]


@_tensor_input
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool1d` with ``return_indices=True`` whatever ``return_indices`` says:
    always ``(values, indices)``. Mirrors ``torch.nn.functional.max_pool1d_with_indices``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@_tensor_input
def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool2d` with ``return_indices=True`` whatever ``return_indices`` says:
    always ``(values, indices)``. Mirrors ``torch.nn.functional.max_pool2d_with_indices``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """:func:`max_pool3d` with ``return_indices=True`` whatever ``return_indices`` says:
    always ``(values, indices)``. Mirrors ``torch.nn.functional.max_pool3d_with_indices``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@_tensor_input(name="adaptive_max_pool1d")
def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool1d` with ``return_indices=True``: always ``(values, indices)``.
    Mirrors ``torch.nn.functional.adaptive_max_pool1d_with_indices``."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool2d` with ``return_indices=True``: always ``(values, indices)``.
    Mirrors ``torch.nn.functional.adaptive_max_pool2d_with_indices``."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """:func:`adaptive_max_pool3d` with ``return_indices=True``: always ``(values, indices)``.
    Mirrors ``torch.nn.functional.adaptive_max_pool3d_with_indices``."""
    return adaptive_max_pool3d(input, output_size, True)


# ---------------------------------------------------------------------- normalisation
__all__ += ["batch_norm", "instance_norm", "layer_norm", "rms_norm", "group_norm", "dropout1d", "dropout2d",
            "dropout3d"]


def _verify_batch_size(size, shown=None):
    """PyTorch's check; ``shown``: the size as its message prints it (``torch.Size([...])``
    for ``batch_norm``, a plain list for ``group_norm``)."""
    if math.prod(size[:1] + size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{shown or f'torch.Size({list(size)})'}")


def _check_param_dtypes(input, params):
    """PyTorch's CPU rule for the parameters of batch, layer and group norm (``params``, in
    its order, None for absent ones): all of the input's dtype or, when the first one
    differs ("mixed"), all float32 with a float16/bfloat16 input; its errors otherwise."""
    first = next((t for t in params if t is not None), None)
    if first is None or first.dtype is input.dtype:
        for t in params:
            if t is not None and t.dtype is not input.dtype:
                raise RuntimeError(f"expected scalar type {_cname(input.dtype)} but found {_cname(t.dtype)}")
        return
    if any(t is not None and t.dtype is not _D.float32 for t in params):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input.dtype not in (_D.float16, _D.bfloat16):
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _affine_args(input, weight, bias):
    w = _no_tensor(input) if weight is None else weight
    b = _no_tensor(input) if bias is None else bias
    return w, b, (weight is not None, bias is not None)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise each channel of ``(N, C, *)`` to zero mean and unit variance, then scale by
    ``weight`` and shift by ``bias`` (per channel).
    Mirrors ``torch.nn.functional.batch_norm`` (the function of the ``BatchNorm`` layers).

    With ``training=True`` the statistics are the batch's (biased variance), and, when the
    running buffers are given, they are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, with the *unbiased*
    variance for ``running_var``. With ``training=False`` the running buffers are used.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean: ``(C,)`` buffer of the running mean, or ``None``.
        running_var: ``(C,)`` buffer of the running variance, or ``None``.
        weight: ``(C,)`` scale, or ``None``.
        bias: ``(C,)`` shift, or ``None``.
        training: use (and update) batch statistics.
        momentum: weight of the new batch statistic in the running average.
        eps: added to the variance before the square root.

    Raises:
        ValueError: when training on a single value per channel, or for a bad ``eps``.
        RuntimeError: when a buffer does not have ``C`` elements.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> x = torch.tensor([[1.], [3.]])
        >>> F.batch_norm(x, None, None, training=True)
        tensor([[-1.0000],
                [ 1.0000]])
    """
    size = list(input.shape)
    if training:
        _verify_batch_size(size)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """:func:`batch_norm` after the checks of its Python layer (``torch.batch_norm``)."""
    size = list(input.shape)
    if input.numel() == 0:  # as PyTorch: a copy (a node to keep the graph), times weight[0], plus bias[0]
        out = input.clone()
        for t, op in ((weight, _pw.mul), (bias, _pw.add)):
            if t is not None:
                if not t.dim() or not t.shape[0]:
                    raise IndexError(f"select(): index 0 out of range for tensor of size {list(t.shape)} at "
                                     "dimension 0")
                out = op(out, t[0])
        return out
    c = size[1] if len(size) > 1 else 1
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    _check_param_dtypes(input, (weight, bias, running_mean, running_var))
    w, b, affine = _affine_args(input, weight, bias)
    return _Norm.NativeBatchNorm.apply(input, w, b, running_mean=running_mean, running_var=running_var,
                                       training=training, momentum=momentum, eps=eps, affine=affine)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample on its own (over the spatial dims), then apply
    the per-channel ``weight`` and ``bias``.

    As PyTorch: :func:`batch_norm` over the input viewed as ``(1, N * C, *)``, with the
    per-channel tensors repeated ``N`` times; the running statistics, when given, are
    updated with the mean over the samples of the repeated copies (``use_input_stats``
    True) or used instead of the input's (False). Mirrors
    ``torch.nn.functional.instance_norm`` (``grad_fn=<ViewBackward0>``).

    Raises:
        ValueError: with ``use_input_stats`` and a single spatial element.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.instance_norm(torch.tensor([[[1., 3.], [2., 2.]]]))
        tensor([[[-1.0000,  1.0000],
                 [ 0.0000,  0.0000]]])
    """
    if use_input_stats:
        shape = list(input.shape)
        if math.prod(shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.size()}")
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


def _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps):
    """:func:`instance_norm` after the check of its Python layer (``torch.instance_norm``)."""
    b, c = input.shape[0], input.shape[1]
    weight_, bias_, mean_, var_ = (None if t is None else t.repeat(b) for t in (weight, bias, running_mean,
                                                                              running_var))
    out = _batch_norm(input.contiguous().view((1, b * c) + tuple(input.shape[2:])), weight_, bias_, mean_, var_,
                      use_input_stats, momentum, eps)
    with _no_grad():
        for kept, copies in ((running_mean, mean_), (running_var, var_)):
            if kept is not None:
                kept.copy_(copies.view(b, c).mean(0))
    return out.view(input.shape)


@_tensor_input
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims of ``input`` (each sample
    separately; same in training and evaluation), then apply the element-wise affine map.
    Mirrors ``torch.nn.functional.layer_norm`` (the function of :class:`~reftorch.nn.LayerNorm`).

    Raises:
        RuntimeError: when ``normalized_shape`` is empty, or ``input``'s trailing dims (or
            the shape of ``weight`` or ``bias``) are not ``normalized_shape``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.layer_norm(torch.tensor([[1., 2., 3.]]), (3,))
        tensor([[-1.2247,  0.0000,  1.2247]])
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    _check_normalized_shape(input, shape, (("weight", weight), ("bias", bias)), "*, ")
    _check_param_dtypes(input, (weight, bias))
    _check_norm_kernel_dtype("LayerNormKernelImpl", input)
    w, b, affine = _affine_args(input, weight, bias)
    return _Norm.NativeLayerNorm.apply(input, w, b, k=len(shape), eps=eps, affine=affine)


def _check_norm_kernel_dtype(kernel, input):
    """PyTorch's CPU layer/group norm kernels exist for floating point inputs only."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_D.scalar_name(input.dtype)}'")


def _check_normalized_shape(input, shape, params, star):
    """PyTorch's checks of ``normalized_shape`` (layer norm and RMS norm): not empty, the
    shape of each given parameter, the trailing dims of ``input`` (shown as ``[{star}...]``:
    the two ops word it differently)."""
    k = len(shape)
    if not k:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for what, t in params:
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but got {what} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    if tuple(input.shape[input.dim() - k:]) != shape or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[{star}{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")


@_tensor_input
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root mean square normalisation over the last ``len(normalized_shape)`` dims:
    ``input / sqrt(mean(input ** 2) + eps) * weight``.

    Unlike :func:`layer_norm` nothing is subtracted (no mean, no bias). float16 and
    bfloat16 are computed in float32 and rounded at the end. Mirrors
    ``torch.nn.functional.rms_norm`` (PyTorch's composite: ``pow``, ``mean``, ``add_``,
    ``rsqrt``, ``mul``, then ``mul_`` by the weight; grad_fn ``MulBackward0``, or
    ``ToCopyBackward0`` for half precision).

    Args:
        input: a floating point tensor whose trailing dims are ``normalized_shape``.
        normalized_shape: a tuple or list of ints (not a bare int).
        weight: ``normalized_shape``-shaped scale, or None.
        eps: added to the mean square; default ``torch.finfo(dtype).eps`` of the dtype
            computed in (float32 for half precision).

    Raises:
        RuntimeError: when ``normalized_shape`` is empty, or ``input``'s trailing dims (or
            ``weight``'s shape) are not ``normalized_shape``.
        NotImplementedError: for an integer input.
        TypeError: for a bare int ``normalized_shape``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.rms_norm(torch.tensor([[3., 4.]]), (2,))
        tensor([[0.8485, 1.1314]])
    """
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(normalized_shape)
    _check_normalized_shape(input, shape, (("weight", weight),), "*")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"rms_norm" not implemented for \'{_D.scalar_name(input.dtype)}\'')
    if weight is not None and weight.dtype is not input.dtype:  # (PyTorch's, once; it points inside F)
        _warn_once(f"Mismatch dtype between input and weight: input dtype = {_C_TYPE[input.dtype.name]}, weight "
                   f"dtype = {_C_TYPE[weight.dtype.name]}, Cannot dispatch to fused implementation. (Triggered internally "
                   "at /__w/pytorch/pytorch/aten/src/ATen/native/layer_norm.cpp:346.)")
    half = input.dtype in (_D.float16, _D.bfloat16)
    x = input.float() if half else input
    if eps is None:
        eps = _finfo(x.dtype).eps
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    out = x.mul(x.pow(2).mean(dims, keepdim=True).add_(eps).rsqrt())
    if weight is not None:
        out = out.mul_(weight)
    return out.to(input.dtype) if half else out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise each sample's channels in ``num_groups`` groups, then apply the
    per-channel affine map.

    Raises:
        RuntimeError: for inputs under 2-D or channels not divisible by ``num_groups``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.group_norm(torch.tensor([[1., 3., 5., 5.]]), 2)
        tensor([[-1.0000,  1.0000,  0.0000,  0.0000]])
    """
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
    _verify_batch_size(size, str(size))
    return _group_norm(input, num_groups, weight, bias, eps)


def _group_norm(input, num_groups, weight, bias, eps):
    """:func:`group_norm` after the check of its Python layer (``torch.group_norm``)."""
    if input.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(input.shape)} and num_groups={num_groups}")
    _check_param_dtypes(input, (weight, bias))
    _check_norm_kernel_dtype("GroupNormKernelImpl", input)
    w, b, affine = _affine_args(input, weight, bias)
    return _Norm.NativeGroupNorm.apply(input, w, b, groups=num_groups, eps=eps, affine=affine)


def _feature_dropout(input, p, training, inplace, batched=True):
    """Zero whole channels: one Bernoulli draw per ``(N, C)`` pair (PyTorch's
    ``feature_dropout``: a ``(N, C, 1, …)`` float noise tensor filled by ``bernoulli_(1 - p)``);
    an unbatched input draws one per channel, the same stream as its ``unsqueeze(0)``."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _creation.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else _pw.mul(input, zero)
    if batched and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    lead = 2 if batched else 1
    noise = _creation.empty(tuple(input.shape[:lead]) + (1,) * (input.dim() - lead), dtype=input.dtype,
                           device=input.device)
    noise.bernoulli_(1 - p)
    _scale_noise(noise, p)
    return input.mul_(noise) if inplace else _pw.mul(input, noise)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, H, W)`` with probability ``p`` (scaling the rest by
    ``1 / (1 - p)``), with PyTorch's random stream and its warnings for 2-D and 3-D input.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise "
                      "dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional "
                      "batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one "
                      "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    if nd < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _feature_dropout(input, p, training, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, L)`` (or unbatched ``(C, L)``) with probability ``p``.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.
        RuntimeError: for inputs that are not 2-D or 3-D.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
                           "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
                           "inputs).")
    if nd == 3:
        return _feature_dropout(input, p, training, inplace)
    if inplace:  # (PyTorch: unsqueeze_, feature dropout in place, squeeze_)
        return _feature_dropout(input, p, training, True, batched=False)
    return _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (3-d feature maps) of ``(N, C, D, H, W)`` or unbatched
    ``(C, D, H, W)`` with probability ``p``, scaling the rest by ``1 / (1 - p)``; PyTorch's
    random stream (one draw per channel) and its warning for other ranks.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.
        RuntimeError: for a 0-d input.

    Mirrors ``torch.nn.functional.dropout3d``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> _ = torch.manual_seed(0)
        >>> F.dropout3d(torch.ones(3, 1, 1, 2)).flatten()
        tensor([0., 0., 0., 0., 2., 2.])
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout3d exists to provide channel-wise "
                      "dropout on inputs with 3 spatial dimensions, a channel dimension, and an optional "
                      "batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if nd == 5:
        return _feature_dropout(input, p, training, inplace)
    if nd == 0:  # (its unsqueeze has one dim)
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if inplace:  # (PyTorch: unsqueeze_, feature dropout in place, squeeze_)
        return _feature_dropout(input, p, training, True, batched=False)
    return _feature_dropout(input.unsqueeze(0), p, training, False).squeeze(0)


_SELU_ALPHA_DROPOUT = 1.7580993408473766  # -selu's alpha * scale: the value selu saturates to


def _alpha_dropout(input, p, training, inplace, feature):
    """ATen's ``_dropout_impl`` with ``alpha_dropout``: the dropout noise (one draw per
    element, or per ``(N, C)`` pair for ``feature``), then ``input * a * noise + b`` where
    dropped elements get the saturation value and ``a``, ``b`` keep the mean and variance."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = _creation.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else _pw.mul(input, zero)
    if feature:
        if input.dim() < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        noise = _creation.empty(tuple(input.shape[:2]) + (1,) * (input.dim() - 2), dtype=input.dtype,
                                device=input.device)
    else:
        noise = _creation.empty_like(input)
    noise.bernoulli_(1 - p)
    alpha = _SELU_ALPHA_DROPOUT
    a = 1.0 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p)
    noise.mul_(a)
    return (input.mul_(noise) if inplace else _pw.mul(input, noise)).add_(b)


@_tensor_input
def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: in training mode each element is set, with probability
    ``p``, to SELU's saturation value, and the result is scaled and shifted so that inputs
    of mean 0 and variance 1 keep them (``grad_fn`` ``AddBackward0``).

    Args:
        input: a floating point tensor.
        p: the probability of dropping an element (default 0.5).
        training: apply it (default ``False``: the input itself is returned).
        inplace: modify ``input`` in place.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.

    Mirrors ``torch.nn.functional.alpha_dropout``; the mask equals PyTorch's after the same
    seed (the stream of :func:`dropout`).

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> _ = torch.manual_seed(0)
        >>> F.alpha_dropout(torch.zeros(4), 0.5, training=True)
        tensor([-0.7792, -0.7792,  0.7792, -0.7792])
    """
    return _alpha_dropout(input, p, training, inplace, feature=False)


@_tensor_input
def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """:func:`alpha_dropout` of whole channels: one draw per ``(N, C)`` pair of an input of
    at least 2 dims.

    Raises:
        ValueError: if ``p`` is not between 0 and 1.
        RuntimeError: in training mode, for an input of fewer than 2 dims.

    Mirrors ``torch.nn.functional.feature_alpha_dropout``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> _ = torch.manual_seed(0)
        >>> F.feature_alpha_dropout(torch.zeros(1, 2, 2), 0.5, training=True)
        tensor([[[-0.7792, -0.7792],
                 [-0.7792, -0.7792]]])
    """
    return _alpha_dropout(input, p, training, inplace, feature=True)


# ---------------------------------------------------------------------- smooth L1 / Huber losses
def _smooth_pair(input, target, reduction, kernel):
    """Warn on a size mismatch, check ``reduction``, broadcast and promote; ``kernel`` names
    the dtype error, as PyTorch's ``"smooth_l1_cpu"``."""
    _size_warning(input, target, stacklevel=4)
    _check_reduction(reduction)
    input, target = _broadcast_pair(input, target)
    dt = _D.promote_types(input.dtype, target.dtype)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_cname(dt)}\'')
    if input.dtype is not dt:
        input = input.to(dt)
    if target.dtype is not dt:
        target = target.to(dt)
    return input, target


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1 loss: squared below ``beta``, absolute above it.

    Per element, with ``d = input - target``: ``0.5 * d ** 2 / beta`` where ``|d| < beta``,
    else ``|d| - 0.5 * beta``; then averaged (default), summed or kept. ``beta=0`` is
    :func:`l1_loss`.

    Args:
        input: a floating-point tensor of any shape.
        target: a tensor broadcastable to ``input`` (a different shape warns).
        size_average: deprecated, use ``reduction``.
        reduce: deprecated, use ``reduction``.
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.
        beta: the threshold between the two pieces (default 1.0), non-negative.

    Returns:
        A 0-d tensor, or the per-element losses for ``reduction="none"``.

    Raises:
        ValueError: for an unknown ``reduction``.
        RuntimeError: for a negative ``beta``.
        NotImplementedError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.smooth_l1_loss(torch.tensor([0., 1., 3.]), torch.tensor([0.5, 0., 0.]), reduction="none")
        tensor([0.1250, 0.5000, 2.5000])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("smooth_l1_loss", smooth_l1_loss, locals())
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _smooth_pair(input, target, reduction, "smooth_l1_cpu")
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _F.SmoothL1Loss.apply(input, target, reduction=reduction, beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss: squared below ``delta``, linear (slope ``delta``) above it.

    Per element, with ``d = input - target``: ``0.5 * d ** 2`` where ``|d| < delta``,
    else ``delta * (|d| - 0.5 * delta)``; then averaged (default), summed or kept. It
    equals ``delta * smooth_l1_loss(input, target, beta=delta)``.

    Args:
        input: a floating-point tensor of any shape.
        target: a tensor broadcastable to ``input`` (a different shape warns).
        reduction: ``"mean"`` (default), ``"sum"`` or ``"none"``.
        delta: the threshold between the two pieces (default 1.0), positive.
        weight: optional weights, broadcast over the per-element losses.

    Returns:
        A 0-d tensor, or the per-element losses for ``reduction="none"``.

    Raises:
        ValueError: for an unknown ``reduction``.
        RuntimeError: for a ``delta`` that is not positive.
        NotImplementedError: for integer or bool inputs.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.huber_loss(torch.tensor([0., 1., 3.]), torch.tensor([0.5, 0., 0.]), delta=2.0, reduction="none")
        tensor([0.1250, 0.5000, 4.0000])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("huber_loss", huber_loss, locals())
    _size_warning(input, target)
    if weight is None:
        _check_reduction(reduction)
    elif tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    input, target = _broadcast_pair(input, target)
    # the result has the input's dtype: computed in the promoted type, then cast (PyTorch)
    if not input.dtype.is_floating_point:
        if target.dtype.is_floating_point:
            raise RuntimeError(f"result type {_cname(target.dtype)} can't be cast to the desired output type "
                               f"{_cname(input.dtype)}")
        raise NotImplementedError(f'"huber_cpu" not implemented for \'{_cname(_D.promote_types(input.dtype, target.dtype))}\'')
    if not target.dtype.is_floating_point:
        target = target.to(input.dtype)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return _F.SmoothL1Loss.apply(input, target, reduction=reduction, beta=float(delta), huber=True,
                                     _name="HuberLossBackward0")
    loss = _F.SmoothL1Loss.apply(input, target, reduction="none", beta=float(delta), huber=True,
                                 _name="HuberLossBackward0")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _apply_reduction(_pw.mul(loss, weight), reduction)


# ---------------------------------------------------------------------- kl_div
@_tensor_input
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of the log-probabilities ``input`` from ``target``.

    Per element: ``target * (log(target) - input)`` (0 where ``target == 0``), or with
    ``log_target=True`` (``target`` holds log-probabilities) ``exp(target) * (target - input)``.
    ``reduction="batchmean"`` sums and divides by the batch size ``input.size(0)``, which is
    the divergence per sample; ``"mean"`` (the default) divides by the number of elements
    and warns that it will change. Recorded as PyTorch's composite ops (``XlogyBackward0``,
    ``MulBackward0``, ``SubBackward0``, ``ExpBackward0``), then the reduction.

    Args:
        input: log-probabilities, a floating-point tensor of any shape.
        target: probabilities (or log-probabilities), broadcastable with ``input``.
        size_average: deprecated, use ``reduction``.
        reduce: deprecated, use ``reduction``.
        reduction: ``"mean"`` (default), ``"batchmean"``, ``"sum"`` or ``"none"``.
        log_target: whether ``target`` holds log-probabilities (default False).

    Returns:
        A 0-d tensor, or the per-element terms for ``reduction="none"``.

    Raises:
        ValueError: for an unknown ``reduction``.
        RuntimeError: for integer inputs.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> logp = torch.tensor([[-1.0, -2.0], [-0.5, -3.0]])
        >>> F.kl_div(logp, torch.tensor([[0.3, 0.7], [0.0, 1.0]]), reduction="batchmean")
        tensor(2.0446)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=3)  # (3: past the argument check's wrapper, to the caller)
    if reduction != "batchmean":
        _check_reduction(reduction)
    return _kl_div(input, target, reduction, log_target)


def _kl_div(input, target, reduction, log_target):
    """:func:`kl_div` after its argument checks (``torch.kl_div``, which does not warn)."""
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("kl_div", _kl_div, locals())
    if not (input.dtype.is_floating_point or input.dtype.is_complex) or \
            not (target.dtype.is_floating_point or target.dtype.is_complex):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = _pw.mul(_pw.exp(target), _pw.sub(target, input))
    else:
        loss = _pw.sub(_xlogy(target, target), _pw.mul(target, input))
    if reduction == "batchmean":
        out = _red.sum(loss)
        return _pw.div(out, input.shape[0]) if input.dim() != 0 else out
    return _apply_reduction(loss, reduction)


# ---------------------------------------------------------------------- distances
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """Divide ``input`` by its ``p``-norm along ``dim``, so each slice has norm 1.

    ``input / input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)``, recorded
    as those ops (``DivBackward0`` over ``ExpandBackward0``, ``ClampMinBackward0``,
    ``LinalgVectorNormBackward0``); ``eps`` keeps an all-zero slice at zero instead of nan.

    Args:
        input: a floating-point (or complex) tensor of any shape.
        p: the exponent of the norm (default 2.0).
        dim: the dimension to normalise along (default 1).
        eps: the smallest denominator (default 1e-12).
        out: optional output tensor.

    Returns:
        A tensor of ``input``'s shape and dtype.

    Raises:
        RuntimeError: for integer inputs.
        IndexError: for a ``dim`` out of range.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.normalize(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return _pw.div(input, denom)
    return _pw.div(input, denom, out=out)


@_tensor_input
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim``.

    ``sum(x1 / max(‖x1‖, eps) * x2 / max(‖x2‖, eps), dim)`` with 2-norms along ``dim``;
    ``x1`` and ``x2`` broadcast to a common shape, and ``dim`` is removed. As PyTorch, each
    norm is clamped at ``eps`` outside autograd (the gradient flows as if unclamped), and
    the graph is ``SumBackward1`` over ``MulBackward0`` of two ``DivBackward0``.

    Args:
        x1: a tensor.
        x2: a tensor broadcastable with ``x1``; their common dtype must be floating point.
        dim: the dimension of the vectors (default 1).
        eps: the smallest norm (default 1e-8).

    Returns:
        The similarities, in ``[-1, 1]``, of the broadcast shape without ``dim``.

    Raises:
        RuntimeError: when the common dtype is not floating point, or the shapes do not
            broadcast.
        IndexError: for a ``dim`` out of range.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.cosine_similarity(torch.tensor([[1.0, 0.0], [1.0, 1.0]]), torch.tensor([[0.0, 2.0], [3.0, 3.0]]))
        tensor([0., 1.])
    """
    dt = _D.promote_types(x1.dtype, x2.dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_cname(dt)}")
    if not (x1.dtype.is_floating_point or x1.dtype.is_complex):
        x1 = x1.to(dt)
    if not (x2.dtype.is_floating_point or x2.dtype.is_complex):
        x2 = x2.to(dt)
    if tuple(x1.shape) != tuple(x2.shape):  # PyTorch's expand_outplace: both are expanded
        shape = tuple(_shape_broadcast(tuple(x1.shape), tuple(x2.shape)))
        x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with _no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return _pw.mul(_pw.div(x1, n1), _pw.div(x2, n2)).sum(dim)


@_tensor_input
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm distance between ``x1`` and ``x2`` along their last dimension.

    ``norm(x1 - x2 + eps, p, dim=-1, keepdim)`` over the broadcast shape, recorded as
    PyTorch's ``at::norm`` (``NormBackward1`` over ``AddBackward1`` over ``SubBackward0``);
    ``eps`` keeps the gradient finite where ``x1 == x2``.

    Args:
        x1: a tensor of shape ``(N, D)`` or ``(D,)`` (or more leading dimensions).
        x2: a tensor broadcastable with ``x1``.
        p: the exponent of the norm (default 2.0).
        eps: added to the difference (default 1e-6).
        keepdim: keep the reduced last dimension with size 1 (default False).

    Returns:
        The distances, of the broadcast shape without (or with size 1 in) the last dimension.

    Raises:
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.pairwise_distance(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([[3.0, 4.0], [1.0, 1.0]]))
        tensor([5.0000e+00, 1.4142e-06])
    """
    from .._ops.norm import VectorNorm, _axes
    dim = max(x1.dim(), x2.dim()) - 1
    diff = _pw.sub(x1, x2)
    dt = _D.number_type(diff.dtype, eps)
    shifted = _pw._beside_number(_pw.Add.Number.apply(diff, _pw._number(eps, diff, dt), dt, 1,
                                                      _name="AddBackward1"), diff, dt, listed=False)
    return VectorNorm.apply(shifted, ord=float(p) if not isinstance(p, int) else p, axes=_axes(shifted, dim),
                            keepdim=bool(keepdim), _name="NormBackward1")


# ---------------------------------------------------------------------- compositions of the above
__all__ += ["lp_pool1d", "lp_pool2d", "lp_pool3d", "local_response_norm"]
from ._lp_pool import local_response_norm, lp_pool1d, lp_pool2d, lp_pool3d  # noqa: E402

__all__ += ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
            "fractional_max_pool3d_with_indices"]
from ._fractional_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: E402
                               fractional_max_pool3d, fractional_max_pool3d_with_indices)
from . import grad  # noqa: E402,F401  (F.grad is torch.nn.grad, as in PyTorch)
