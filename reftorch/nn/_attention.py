"""``F.scaled_dot_product_attention``: attention written with reftorch's own ops.

Mirrors the math path of ATen's ``_scaled_dot_product_attention_math`` (what PyTorch runs
on the CPU when a gradient is needed): ``sqrt(scale)`` multiplies both the query and the
key, a bool mask (or ``is_causal``) becomes an additive ``0`` / ``-inf`` mask, and rows
whose every score is ``-inf`` give zeros instead of ``nan`` (``_safe_softmax``). Being a
composition of ops, it gets their gradients and grad_fn names: the output's is
``UnsafeViewBackward0`` for batched inputs and ``MmBackward0`` for 2-D ones, as PyTorch's
math path gives. For 4-D inputs without dropout PyTorch's CPU build runs a fused kernel
instead (``ScaledDotProductFlashAttentionForCpuBackward0``, and values that differ in the
last bits); reftorch keeps the one formula. It does follow PyTorch's CPU choice between the
two (:func:`_select_backend`), so a restriction by :func:`reftorch.nn.attention.sdpa_kernel`
fails where PyTorch's does.
"""
from __future__ import annotations

import math
import warnings

from .. import _dtype as D
from .._ops import creation, pointwise
from .._ops.linalg import matmul
from .._ops.reorder import repeat_interleave
from .._ops.softmax import softmax
from .._tensor import _C_TYPE, Tensor
from .._warnings import user_stacklevel
from .attention import SDPBackend, _enabled
from .. import _autocast
from .._autocast import anywhere as _autocasting


def _validate(query, key, value, attn_mask):
    """PyTorch's checks of ``scaled_dot_product_attention``'s arguments made before it
    chooses a backend."""
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
    if attn_mask is not None and attn_mask.dtype is not D.bool and attn_mask.dtype is not query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_C_TYPE[attn_mask.dtype.name]} and  query.dtype: "
                           f"{_C_TYPE[query.dtype.name]} instead.")


# PyTorch's sources of the warnings below (``TORCH_WARN``'s suffix)
_WHERE = " (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/transformers/sdp_utils_cpp.{}.)"


def _flash_refusal(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Why PyTorch's CPU flash-attention kernel does not take these inputs (the warning of
    the first of its checks that fails, in its order), or None when it does."""
    if dropout_p > 0.0:
        return "Both fused kernels do not support non-zero dropout." + _WHERE.format("h:241")
    dims = (query.dim(), key.dim(), value.dim())
    if dims != (4, 4, 4):
        return ("All fused kernels requires query, key and value to be 4 dimensional, but got Query dim: {}, Key dim: "
                "{}, Value dim: {} instead.".format(*dims) + _WHERE.format("h:327"))
    sizes = [list(t.shape) for t in (query, key, value)]
    if not query.shape[0] == key.shape[0] == value.shape[0]:
        return ("For dense inputs, both fused kernels require query, key and value to have the same batch_size. "
                "Query.sizes(): {}, Key.sizes(): {}, Value.sizes(): {} instead. To broadcast dense inputs, try using "
                "unsqueeze and expand_to before passing them into the kernel.".format(*sizes) + _WHERE.format("h:417"))
    q_heads, k_heads, v_heads = query.shape[1], key.shape[1], value.shape[1]
    same_heads = q_heads == k_heads == v_heads
    if not (same_heads or enable_gqa and k_heads == v_heads and q_heads % k_heads == 0):
        return ("For dense input, both fused kernels require query, key and value to have the same num_heads. "
                "Query.sizes(): {}, Key sizes(): {}, Value sizes(): {} instead. To broadcast dense inputs, try using "
                "unsqueeze and expand_to before passing them into the kernel.".format(*sizes) + _WHERE.format("h:437"))
    if attn_mask is not None and attn_mask.dim() not in (2, 4):
        return ("Please use the following attn mask shapes: 2d - ({Q_seq_len, 1}  x {KV_seq_len, 1}); 4d - ({Batch, 1} "
                "x {Num_heads, 1} x {Q_seq_len, 1}  x {KV_seq_len, 1})" + _WHERE.format("h:314"))
    if not query.shape[-1] == key.shape[-1] == value.shape[-1]:
        return (f"Flash attention requires q,k,v to have the same last dimension. Got Query.size(-1): "
                f"{query.shape[-1]}, Key.size(-1): {key.shape[-1]}, Value.size(-1): {value.shape[-1]} instead."
                + _WHERE.format("cpp:21"))
    strides = [t.stride(-1) for t in (query, key, value)]
    if strides != [1, 1, 1]:
        return ("All fused kernels require the last dimension of the input to have stride 1. Got Query.stride(-1): {}, "
                "Key.stride(-1): {}, Value.stride(-1): {}".format(*strides) + _WHERE.format("h:546"))
    return None


def _select_backend(query, key, value, attn_mask, dropout_p, enable_gqa):
    """PyTorch's choice of a CPU backend among those :func:`~reftorch.nn.attention.sdpa_kernel`
    allows: flash attention when allowed and the inputs suit it, else math when allowed;
    else PyTorch's errors (and, with flash attention the only one allowed, its warnings
    saying why it refused). reftorch computes the math formula either way."""
    flash, math_ = SDPBackend.FLASH_ATTENTION in _enabled, SDPBackend.MATH in _enabled
    if not (flash or math_):
        raise RuntimeError("No viable backend for scaled_dot_product_attention was found. This is likely due to "
                           "turning off both the math kernel and the fused kernels.")
    if math_:
        return
    refusal = _flash_refusal(query, key, value, attn_mask, dropout_p, enable_gqa)
    if refusal is not None:
        level = user_stacklevel()
        warnings.warn("Flash attention kernel not used because:" + _WHERE.format("cpp:99"), stacklevel=level)
        warnings.warn(refusal, stacklevel=level)
        raise RuntimeError("No available kernel.  Aborting execution.")


def _check(query, attn_mask, is_causal, key, enable_gqa):
    """The checks PyTorch's math path makes (the shapes are left to the ops, whose errors
    the math path gives too)."""
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {D.scalar_name(query.dtype)}")
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
            not fit; and, as PyTorch's CPU backend choice, when
            :func:`~reftorch.nn.attention.sdpa_kernel` allows neither flash attention nor
            math, or only flash attention and the inputs do not suit it (after two
            UserWarnings saying why).

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
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("scaled_dot_product_attention", scaled_dot_product_attention, locals())
    _validate(query, key, value, attn_mask)
    _select_backend(query, key, value, attn_mask, dropout_p, enable_gqa)
    _check(query, attn_mask, is_causal, key, enable_gqa)
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


# ----------------------------------------------------------------- multi-head attention
# ``F.multi_head_attention_forward`` as PyTorch's (torch/nn/functional.py) runs it outside its
# fused inference kernel: the same checks, the same ops in the same order, so the same
# values, gradients and grad_fn names. Its masks use the opposite convention to
# ``scaled_dot_product_attention``'s: a bool ``True`` marks a position that is *not* attended.


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the call is batched (3-D query), after PyTorch's checks of the dims."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        if not batched and attn_mask.dim() == 3:
            expected = (num_heads, query.shape[0], key.shape[0])
            if tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _canonical_mask(mask, name, other_dtype, other_name, dtype, check_other=True):
    """A float mask as given; a bool mask as ``-inf`` where True, 0 elsewhere, in ``dtype``."""
    if mask is None:
        return None
    if mask.dtype is not D.bool and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if check_other and other_dtype is not None and mask.dtype is not other_dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=4)
    if mask.dtype is D.bool:
        mask = creation.zeros_like(mask, dtype=dtype).masked_fill_(mask, -math.inf)
    return mask


def _split_projection(proj, n, width):
    """The ``n`` projections packed along the last dim of ``proj`` as ``n`` contiguous
    tensors (PyTorch's unflatten/unsqueeze/transpose/squeeze/contiguous sequence)."""
    proj = proj.unflatten(-1, (n, width)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
    return [proj[i] for i in range(n)]


def _in_projection_packed(q, k, v, w, b):
    from .functional import linear
    e = q.size(-1)
    if k is v and q is k:  # self-attention: one product
        return _split_projection(linear(q, w, b), 3, e)
    if k is v:  # the key and value share an input
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = (None, None) if b is None else b.split([e, 2 * e])
        return [linear(q, w_q, b_q)] + _split_projection(linear(k, w_kv, b_kv), 2, e)
    ws, bs = w.chunk(3), (None,) * 3 if b is None else b.chunk(3)
    return [linear(x, wi, bi) for x, wi, bi in zip((q, k, v), ws, bs)]


def _in_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v):
    from .functional import linear
    eq, ek, ev = q.size(-1), k.size(-1), v.size(-1)
    for what, t, shape in (("query weights", w_q, (eq, eq)), ("key weights", w_k, (eq, ek)),
                           ("value weights", w_v, (eq, ev)), ("query bias", b_q, (eq,)),
                           ("key bias", b_k, (eq,)), ("value bias", b_v, (eq,))):
        if t is not None and tuple(t.shape) != shape:
            raise AssertionError(f"expecting {what} shape of {shape}, but got {t.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _static(t, name, bsz_heads, head_dim):
    if t.size(0) != bsz_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz_heads}, but got {t.size(0)}")
    if t.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.size(2)}")
    return t


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """The computation of :class:`~reftorch.nn.MultiheadAttention`, on explicit weights.

    Shapes (sequence first): ``query`` ``(L, N, E)``, ``key`` ``(S, N, Ek)``, ``value``
    ``(S, N, Ev)``, or without the batch dim ``N``. Returns ``(attn_output, attn_weights)``:
    ``(L, N, E)`` and, when ``need_weights``, ``(N, L, S)`` averaged over the heads (or
    ``(N, num_heads, L, S)`` with ``average_attn_weights=False``), else ``None``. Masks:
    ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L, S)``,
    bool (``True``: *not* attended) or float (added to the scores). Mirrors
    ``torch.nn.functional.multi_head_attention_forward``.

    Raises:
        AssertionError: for inputs or masks of the wrong number of dims or shape, an
            ``embed_dim`` not divisible by ``num_heads``, or masks of other dtypes (as
            PyTorch's own checks).
        RuntimeError: for ``is_causal`` without ``attn_mask``, or an ``attn_mask`` of a
            wrong shape.
    """
    from . import functional as F
    from .._ops.join import cat
    from .._ops.linalg import bmm
    from .._ops.products import baddbmm
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       None if attn_mask is None else attn_mask.dtype, "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # (scaled_dot_product_attention builds the causal mask itself)
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        for name, w in (("q_proj_weight", q_proj_weight), ("k_proj_weight", k_proj_weight),
                        ("v_proj_weight", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name} is None")
        b_q, b_k, b_v = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:
        for name, static in (("key", static_k), ("value", static_v)):
            if static is not None:
                raise AssertionError(f"bias cannot be added to static {name}.")
        k, v = cat([k, bias_k.repeat(1, bsz, 1)]), cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")
    # heads: (L, N, E) -> (N * heads, L, head_dim)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else \
        _static(static_k, "static_k", bsz * num_heads, head_dim)
    v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else \
        _static(static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = (bsz * num_heads, 1, head_dim)
        k = cat([k, creation.zeros(zeros, dtype=k.dtype, device=k.device)], dim=1)
        v = cat([v, creation.zeros(zeros, dtype=v.dtype, device=v.device)], dim=1)
        attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:  # the weights are computed explicitly (a plain softmax: a row with no key gives nan)
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        if attn_mask is not None:
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(weights, -1)
        if dropout_p > 0.0:
            weights = F.dropout(weights, p=dropout_p)
        out = bmm(weights, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = F.linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.size(1))
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = F.linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    return (out if batched else out.squeeze(1)), None
