"""``F.scaled_dot_product_attention``: attention written with reftorch's own ops.

Mirrors the math path of ATen's ``_scaled_dot_product_attention_math`` (what PyTorch runs
on the CPU when a gradient is needed): ``sqrt(scale)`` multiplies both the query and the
key, a bool mask (or ``is_causal``) becomes an additive ``0`` / ``-inf`` mask, and rows
whose every score is ``-inf`` give zeros instead of ``nan`` (``_safe_softmax``). Being a
composition of ops, it gets their gradients and grad_fn names: the output's is
``UnsafeViewBackward0`` for batched inputs and ``MmBackward0`` for 2-D ones, as PyTorch's
math path gives. For 4-D inputs without dropout PyTorch's CPU build runs a fused kernel
instead (``ScaledDotProductFlashAttentionForCpuBackward0``, and values that differ in the
last bits); reftorch keeps the one formula.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._ops import creation, pointwise
from .._ops.linalg import matmul
from .._ops.reorder import repeat_interleave
from .._ops.softmax import softmax
from .._tensor import _C_TYPE, Tensor


def _check(query, key, value, attn_mask, is_causal, enable_gqa):
    """PyTorch's checks of ``scaled_dot_product_attention``'s arguments (the shapes are
    left to the ops, whose errors PyTorch's math path gives too)."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if not (query.dtype is key.dtype is value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_C_TYPE[query.dtype.name]} key.dtype: {_C_TYPE[key.dtype.name]} and value.dtype: "
                           f"{_C_TYPE[value.dtype.name]} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {D.scalar_name(query.dtype)}")
    if attn_mask is not None and attn_mask.dtype is not D.bool and attn_mask.dtype is not query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_C_TYPE[attn_mask.dtype.name]} and  query.dtype: "
                           f"{_C_TYPE[query.dtype.name]} instead.")
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.dim() >= 3 and query.shape[-3] % key.shape[-3]:
        # (PyTorch's message stops there)
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """``softmax(query @ key.mT * scale + mask) @ value``: attention of each query row over
    the key/value rows.

    Shapes: ``query`` ``(..., L, E)``, ``key`` ``(..., S, E)``, ``value`` ``(..., S, Ev)``;
    the result is ``(..., L, Ev)`` in their common floating point dtype. Leading dims
    broadcast (with ``enable_gqa=True`` the key/value heads, dim ``-3``, are repeated to the
    query's number of heads). Mirrors ``torch.nn.functional.scaled_dot_product_attention``
    (PyTorch's math path: the same formula, rounding and gradients).

    Args:
        query: ``(..., L, E)``.
        key: ``(..., S, E)``.
        value: ``(..., S, Ev)``.
        attn_mask: broadcastable to ``(..., L, S)``; bool (``True``: the key takes part) or
            float of the query's dtype (added to the scores). A row with no key taking part
            gives zeros.
        dropout_p: probability of zeroing an attention weight (in training code only).
        is_causal: mask out the keys after each query position (``tril`` of ``(L, S)``).
        scale: multiplies the scores; default ``1 / sqrt(E)``.
        enable_gqa: grouped-query attention: fewer key/value heads than query heads.

    Returns:
        Tensor: ``(..., L, Ev)``.

    Raises:
        RuntimeError: for inputs of fewer than 2 dims, different or integer dtypes, a mask
            of another float dtype, a mask together with ``is_causal``, or shapes that do
            not fit.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.functional as F
        >>> q = torch.tensor([[1., 0.], [0., 1.]])
        >>> k = torch.tensor([[1., 0.], [0., 1.], [1., 1.]])
        >>> v = torch.tensor([[1.], [2.], [3.]])
        >>> F.scaled_dot_product_attention(q, k, v)
        tensor([[2.0000],
                [2.2033]])
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True)
        tensor([[1.0000],
                [1.6698]])
    """
    _check(query, key, value, attn_mask, is_causal, enable_gqa)
    if enable_gqa and query.dim() >= 3:
        groups = query.shape[-3] // key.shape[-3]
        key, value = repeat_interleave(key, groups, -3), repeat_interleave(value, groups, -3)
    factor = math.sqrt(1.0 / math.sqrt(query.shape[-1]) if scale is None else scale)
    scores = matmul(query * factor, (key * factor).transpose(-2, -1))
    if is_causal:
        attn_mask = creation.ones(query.shape[-2], key.shape[-2], dtype=D.bool, device=query.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype is D.bool:  # True: takes part (0 added); False: -inf
            attn_mask = creation.zeros(attn_mask.shape, dtype=query.dtype, device=query.device).masked_fill_(
                pointwise.logical_not(attn_mask), -math.inf)
        scores = scores.add_(attn_mask)
    if attn_mask is None:
        weights = softmax(scores, -1)
    else:  # a row with no key gives zeros, not nan, and a zero gradient (PyTorch's _safe_softmax)
        empty = (scores == -math.inf).all(-1, keepdim=True)
        weights = softmax(scores.masked_fill(empty, 0.0), -1).masked_fill(empty, 0.0)
    if dropout_p > 0.0:
        if dropout_p > 1:  # (ATen's dropout: a RuntimeError, where F.dropout's is a ValueError)
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
        from .functional import dropout
        weights = dropout(weights, dropout_p, training=True)
    return matmul(weights, value)
