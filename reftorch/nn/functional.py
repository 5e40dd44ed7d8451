"""``reftorch.nn.functional``: the layers as plain functions. Mirrors ``torch.nn.functional``.

Every function takes tensors and returns a tensor with the values, dtype, shape, errors and
``grad_fn`` name of its PyTorch twin. The differentiable kernels are in
``reftorch/nn/_functions.py``.
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, tensor_type_name
from .._ops import creation, pointwise, reduction as _red, shape as _shape
from .._ops.pointwise import _operands, Div, Mul
from ..autograd.grad_mode import no_grad
from . import _functions as _F

__all__ = [
    "linear", "relu", "relu_", "tanh", "sigmoid", "softplus", "softmax", "log_softmax", "leaky_relu",
    "dropout", "embedding", "one_hot", "mse_loss", "l1_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
]

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


def _scalar_div(t, n):
    """``t / n`` for a Python number ``n``, recorded as PyTorch's ``DivBackward1``."""
    x, y, dt = _operands(t, n, true_div=True)
    return Div.apply(x, y, dt=dt, _name="DivBackward1")


def _scalar_mul(t, n):
    """``t * n`` for a Python number ``n``, recorded as PyTorch's ``MulBackward1``."""
    x, y, dt = _operands(t, n)
    return Mul.apply(x, y, dt=dt, _name="MulBackward1")


# ---------------------------------------------------------------------- linear
def linear(input, weight, bias=None):
    """``input @ weight.T + bias``: the affine map of :class:`~reftorch.nn.Linear`.

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
    if weight.dim() != 2:
        return _linear_general(input, weight, bias)
    wt = _shape.t(weight)
    nd = input.dim()
    if nd == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
    in_f = input.shape[-1]
    if in_f != weight.shape[1]:
        rows = math.prod(input.shape[:-1]) if nd > 1 else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{in_f} and "
                           f"{weight.shape[1]}x{weight.shape[0]})")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_cname(input.dtype)} and "
                           f"{_cname(weight.dtype)}")
    out_f = weight.shape[0]
    if nd == 2:
        if bias is None:
            from .._ops.linalg import mm
            return mm(input, wt)
        return _F.Addmm.apply(bias, input, wt)
    lead = tuple(input.shape[:-1])
    x2 = _shape.reshape(input, (-1, in_f))
    if bias is None:
        from .._ops.linalg import mm
        out = mm(x2, wt)
        if nd == 1:
            return _shape.Squeeze.apply(out, axes=(0,), _name="SqueezeBackward4")
        return _shape.UnsafeView.apply(out, shape=lead + (out_f,))
    out = _F.Addmm.apply(bias, x2, wt)
    return _shape.view(out, lead + (out_f,))


def _linear_general(input, weight, bias):
    from .._ops.linalg import matmul
    out = matmul(input, _shape.t(weight))
    return out if bias is None else pointwise.add(out, bias)


_cname = D.scalar_name


# ---------------------------------------------------------------------- activations
def relu(input, inplace=False):
    """``max(input, 0)`` element-wise. Mirrors ``torch.nn.functional.relu``."""
    if inplace:
        return relu_(input)
    return pointwise.relu(input)


def relu_(input):
    """In-place :func:`relu`."""
    from .._tensor_inplace import commit
    return commit(input, pointwise.relu(input))


def tanh(input):
    """Element-wise hyperbolic tangent."""
    return pointwise.tanh(input)


def sigmoid(input):
    """Element-wise logistic sigmoid ``1 / (1 + exp(-x))``."""
    return pointwise.sigmoid(input)


def _float_only(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_cname(input.dtype)}\'')


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


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    _float_only(input, "leaky_relu_cpu")
    out = _F.LeakyRelu.apply(input, slope=negative_slope)
    if inplace:
        from .._tensor_inplace import commit
        return commit(input, out)
    return out


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(input, dim, dtype, name, stacklevel=4):
    if dim is None:
        dim = _get_softmax_dim(name, input.dim(), stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        kernel = "softmax_lastdim_kernel_impl" if name == "softmax" else "log_softmax_lastdim_kernel_impl"
        d = _wrap_dim(dim, input.dim())
        if input.dim() and d != input.dim() - 1:
            kernel = kernel.replace("lastdim", "")
            kernel = "softmax_kernel_impl" if name == "softmax" else "log_softmax_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_cname(input.dtype)}\'')
    d = _wrap_dim(dim, input.dim())
    return input, d


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / exp(x).sum(dim)``: turns scores into probabilities along ``dim``.

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
    x, d = _softmax_prep(input, dim, dtype, "softmax")
    if x.dim() == 0:
        return _F.Softmax.apply(_shape.reshape(x, (1,)), dim=0).reshape(())
    return _F.Softmax.apply(x, dim=d)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` computed stably (``x - max - log(sum(exp(x - max)))``).

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
    x, d = _softmax_prep(input, dim, dtype, "log_softmax")
    if x.dim() == 0:
        return _F.LogSoftmax.apply(_shape.reshape(x, (1,)), dim=0).reshape(())
    return _F.LogSoftmax.apply(x, dim=d)


# ---------------------------------------------------------------------- dropout
def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

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
        zero = creation.zeros((), dtype=input.dtype, device=input.device)
        if inplace:
            return input.mul_(zero)
        return pointwise.mul(input, zero)
    noise = creation.empty(input.shape, dtype=input.dtype, device=input.device)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    if inplace:
        return input.mul_(noise)
    return pointwise.mul(input, noise)


# ---------------------------------------------------------------------- embedding
def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescale, in place, the rows of ``weight`` used by ``input`` whose norm exceeds
    ``max_norm`` to norm ``max_norm`` (PyTorch's ``embedding_renorm_``: each such row is
    multiplied by ``max_norm / (norm + 1e-7)``). Bumps ``weight``'s version counter."""
    b = weight._backend
    xp = b.xp
    idx = xp.unique_values(xp.reshape(xp.astype(input._data, xp.int64), (-1,)))
    rows = xp.take(weight._data, idx, axis=0)
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
    weight._version[0] += 1
    return weight


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

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
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if not isinstance(input, Tensor) or input.dtype not in (D.int64, D.int32):
        name = tensor_type_name(input) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {name} instead (while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if input.numel():
        xp = input._backend.xp
        lo, hi = int(xp.min(input._data)), int(xp.max(input._data))
        if lo < 0 or hi >= weight.shape[0]:
            raise IndexError("index out of range in self")
    if max_norm is not None:
        with no_grad():
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
    """``(*, num_classes)`` int64 tensor with a 1 at each index.

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
    if tensor.dtype is not D.int64:
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
    return Tensor._wrap(out, tensor.device, tensor._backend)


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

    Warns (``UserWarning``) when the shapes differ, since broadcasting then silently
    compares the wrong elements.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.mse_loss(torch.tensor([1., 2.]), torch.tensor([1., 4.]))
        tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    _check_reduction(reduction)
    input, target = _broadcast_pair(input, target)
    dt = D.promote_types(input.dtype, target.dtype)
    if not dt.is_floating_point:
        raise NotImplementedError(f'"mse_cpu" not implemented for \'{_cname(dt)}\'')
    if input.dtype is not dt:
        input = input.to(dt)
    if target.dtype is not dt:
        target = target.to(dt)
    if weight is not None:
        sq = pointwise.mul(pointwise.pow(pointwise.sub(input, target), 2), weight)
        return _apply_reduction(sq, reduction)
    return _F.MseLoss.apply(input, target, reduction=reduction)


def _apply_reduction(t, reduction):
    if reduction == "mean":
        return _red.mean(t)
    if reduction == "sum":
        return _red.sum(t)
    return t


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|input - target|``, averaged (default), summed or kept."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    _check_reduction(reduction)
    loss = pointwise.abs(pointwise.sub(input, target))
    if weight is not None:
        loss = pointwise.mul(loss, weight)
    return _apply_reduction(loss, reduction)


def _nll(input, target, weight, reduction, ignore_index):
    """``nll_loss`` for any supported dims; returns the loss tensor."""
    _check_reduction(reduction)
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if target.dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_cname(target.dtype)}")
    if nd == 1:
        if target.dim() > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        if input.shape[0] != (target.shape[0] if target.dim() else 1) or target.dim() == 0:
            tb = target.shape[0] if target.dim() else 1
            if target.dim() == 0 or input.shape[0] != tb:
                raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).")
        if nd == 2 and target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if nd > 2 and tuple(target.shape[1:]) != tuple(input.shape[2:]):
            raise RuntimeError(f"Expected target size {list((input.shape[0],) + tuple(input.shape[2:]))}, got "
                               f"{list(target.shape)}")
    c = input.shape[1] if nd > 1 else input.shape[0]
    if weight is not None and (weight.dim() != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    xp = target._backend.xp
    t = target._data
    if target.numel():
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if bool(xp.any(bad)):
            first = int(xp.reshape(t, (-1,))[xp.argmax(xp.reshape(bad, (-1,)))])
            raise IndexError(f"Target {first} is out of bounds.")
    if nd <= 2:
        x2 = input
        t2 = target if nd == 2 or target.dim() == 1 else target
        if nd == 1 and target.dim() == 1:
            x2 = _shape.unsqueeze(input, 0)
        out = _F.NllLoss.apply(x2, t2, weight=weight, reduction=reduction, ignore_index=ignore_index)
        return out
    # (N, C, d1, ...): move C last and flatten, as the 2-D kernel does.
    n = input.shape[0]
    rest = tuple(input.shape[2:])
    perm = (0,) + tuple(range(2, nd)) + (1,)
    x2 = _shape.reshape(_shape.permute(input, perm), (-1, c))
    t2 = _shape.reshape(target, (-1,))
    if nd == 4 and reduction == "none":
        return _F.NllLoss.apply(x2, t2, weight=weight, reduction=reduction, ignore_index=ignore_index,
                                out_shape=(n,) + rest, _name="NllLoss2DBackward0")
    out = _F.NllLoss.apply(x2, t2, weight=weight, reduction=reduction, ignore_index=ignore_index,
                           _name="NllLoss2DBackward0")
    if reduction == "none":
        return _shape.view(out, (n,) + rest)
    return out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood: ``-input[n, target[n]]``, for log-probabilities ``input``.

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
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _nll(input, target, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of raw scores (logits) ``input`` against ``target``.

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
        RuntimeError: for a float target whose shape differs from ``input``'s, or a
            ``label_smoothing`` outside ``[0, 1]``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> F.cross_entropy(torch.tensor([[2., 0., 0.]]), torch.tensor([0]))
        tensor(0.2395)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = log_softmax(input, class_dim)
    c = input.shape[class_dim]
    if tuple(input.shape) == tuple(target.shape):
        if not target.dtype.is_floating_point:
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{_cname(target.dtype)}")
        tgt = target
        if label_smoothing > 0:
            tgt = pointwise.add(pointwise.mul(target, 1 - label_smoothing), label_smoothing / c)
        prod = pointwise.mul(logp, tgt)
        if weight is not None:
            wshape = [1] * input.dim()
            wshape[class_dim] = c
            prod = pointwise.mul(prod, _shape.view(weight, wshape))
        if reduction == "mean":
            return _scalar_div(pointwise.neg(_red.sum(prod)), input.numel() // c)
        if reduction == "sum":
            return pointwise.neg(_red.sum(prod))
        return pointwise.neg(_red.sum(prod, class_dim))
    nll = _nll(logp, target, weight, reduction, ignore_index)
    if label_smoothing <= 0:
        return nll
    if weight is not None:
        wshape = [1] * input.dim()
        wshape[class_dim] = c
        smooth = pointwise.neg(_red.sum(pointwise.mul(logp, _shape.view(weight, wshape)), class_dim))
    else:
        smooth = pointwise.neg(_red.sum(logp, class_dim))
    ignore_mask = pointwise.eq(target, ignore_index)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        if weight is not None:
            xp = target._backend.xp
            keep = xp.reshape(target._data, (-1,))[xp.reshape(~ignore_mask._data, (-1,))]
            denom = Tensor._wrap(xp.sum(xp.take(weight._data, keep, axis=0)), weight.device, weight._backend)
            ret = pointwise.div(_red.sum(smooth), denom)
        else:
            cnt = _red.sum(pointwise.logical_not(ignore_mask).to(D.int64))  # core sum(bool) fails on strict
            ret = pointwise.div(_red.sum(smooth), cnt)
    elif reduction == "sum":
        ret = _red.sum(smooth)
    else:
        ret = smooth
    return pointwise.add(_scalar_mul(nll, 1 - label_smoothing), _scalar_mul(ret, label_smoothing / c))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy ``-(t log p + (1 - t) log(1 - p))`` of probabilities ``input``.

    The logs are clamped at -100, as in PyTorch, so a probability of exactly 0 or 1 gives a
    finite loss.

    Raises:
        ValueError: if target and input shapes differ.
        RuntimeError: if an input value is outside ``[0, 1]``.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    _check_reduction(reduction)
    xp = input._backend.xp
    if input.numel() and bool(xp.any((input._data < 0) | (input._data > 1))):
        raise RuntimeError("all elements of input should be between 0 and 1")
    return _F.BinaryCrossEntropy.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    Args:
        pos_weight: a weight for the positive term, broadcast over the classes.

    Raises:
        ValueError: if target and input shapes differ.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _F.BinaryCrossEntropyWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                                   reduction=reduction)
