"""Activation modules. Mirrors ``torch/nn/modules/activation.py``."""
from __future__ import annotations

from ... import _dtype as D
from ..._ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .linear import NonDynamicallyQuantizableLinear
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softplus", "Softmax", "Softmax2d", "LogSoftmax", "LeakyReLU"]


class ReLU(Module):
    """``max(x, 0)`` element-wise.

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReLU()(torch.tensor([-1., 2.]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"negative_slope={self.negative_slope}{inplace_str}"


class Tanh(Module):
    """Element-wise hyperbolic tangent, with values in ``(-1, 1)``."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """Element-wise ``1 / (1 + exp(-x))``, with values in ``(0, 1)``."""

    def forward(self, input):
        return F.sigmoid(input)


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``: a smooth ReLU.

    Args:
        beta: sharpness (default 1).
        threshold: where ``beta * x > threshold`` the output is ``x`` itself (default 20).
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """Softmax along ``dim``: non-negative outputs that sum to 1 along that dimension.

    Args:
        dim: the dimension to normalise; ``None`` is deprecated (see ``F.softmax``).
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of ``(N, C, H, W)`` or ``(C, H, W)``, at every position
    (``softmax(input, dim=-3)``). Mirrors ``torch.nn.Softmax2d``.

    Raises:
        ValueError: for input that is not 3-D or 4-D.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softmax2d()(torch.zeros(1, 4, 2, 2))[0, :, 0, 0]
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class LogSoftmax(Module):
    """``log(softmax(x))`` along ``dim``, computed stably."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


# ---------------------------------------------------------------------- gelu, silu
__all__ += ["GELU", "SiLU"]


class GELU(Module):
    """Gaussian Error Linear Unit ``x * Phi(x)`` (see :func:`reftorch.nn.functional.gelu`).

    Args:
        approximate: ``'none'`` (exact, through ``erf``) or ``'tanh'``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """Sigmoid Linear Unit ``x * sigmoid(x)`` (see :func:`reftorch.nn.functional.silu`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.SiLU()(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


# ---------------------------------------------------------------------- elu, hardtanh, mish
__all__ += ["ELU", "Hardtanh", "Mish", "ReLU6"]


class ELU(Module):
    """Exponential Linear Unit (see :func:`reftorch.nn.functional.elu`).

    Args:
        alpha: the output tends to ``-alpha`` for very negative inputs (default 1).
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"alpha={self.alpha}{inplace_str}"


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]`` (see :func:`reftorch.nn.functional.hardtanh`).

    Args:
        min_val: the lower end (default -1).
        max_val: the upper end (default 1).
        inplace: overwrite the input instead of allocating the output.

    Raises:
        AssertionError: ``max_val`` is not greater than ``min_val``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardtanh(-2.0, 2.0)
        Hardtanh(min_val=-2.0, max_val=2.0)
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if not self.max_val > self.min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"min_val={self.min_val}, max_val={self.max_val}{inplace_str}"


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``: a :class:`Hardtanh` from 0 to 6.

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ReLU6()(torch.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Mish(Module):
    """``x * tanh(softplus(x))`` (see :func:`reftorch.nn.functional.mish`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Mish()
        Mish()
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.mish(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


__all__ += ["CELU", "GLU", "Hardsigmoid", "Hardswish", "LogSigmoid", "PReLU", "SELU", "Softmin", "Softsign",
            "Threshold"]


class _Inplace(Module):
    """An activation with only an ``inplace`` flag; ``_fn`` names the functional form."""

    _fn = ""
    _show_inplace = True

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return getattr(F, self._fn)(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace and self._show_inplace else ""


class SELU(_Inplace):
    """Scaled ELU, ``scale * elu(x, alpha)`` with fixed ``alpha`` and ``scale`` (see
    :func:`reftorch.nn.functional.selu`).

    Args:
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.SELU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.SELU()(torch.tensor([-1.0, 2.0]))
        tensor([-1.1113,  2.1014])
    """

    _fn = "selu"


class CELU(Module):
    """Continuously differentiable ELU ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args:
        alpha: the negative saturation value is ``-alpha`` (default 1).
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.CELU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.CELU(0.5)
        CELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardswish(_Inplace):
    """``x * min(max(x + 3, 0), 6) / 6`` (see :func:`reftorch.nn.functional.hardswish`).

    Args:
        inplace: overwrite the input instead of allocating the output (not shown in the repr,
            as in PyTorch).

    Mirrors ``torch.nn.Hardswish``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardswish()(torch.tensor([-1.0, 1.0]))
        tensor([-0.3333,  0.6667])
    """

    _fn = "hardswish"
    _show_inplace = False


class Hardsigmoid(_Inplace):
    """``min(max(x + 3, 0), 6) / 6`` (see :func:`reftorch.nn.functional.hardsigmoid`).

    Args:
        inplace: overwrite the input instead of allocating the output (not shown in the repr).

    Mirrors ``torch.nn.Hardsigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardsigmoid()(torch.tensor([-1.0, 1.0]))
        tensor([0.3333, 0.6667])
    """

    _fn = "hardsigmoid"
    _show_inplace = False


class Softmin(Module):
    """``softmax(-x, dim)``: the smallest input gets the largest weight.

    Args:
        dim: the dimension whose entries sum to 1 (``None``: PyTorch's deprecated implicit
            choice, with its warning).

    Mirrors ``torch.nn.Softmin``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softmin(dim=0)(torch.tensor([1.0, 2.0]))
        tensor([0.7311, 0.2689])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSigmoid(Module):
    """``log(sigmoid(x))``, without overflow (see :func:`reftorch.nn.functional.logsigmoid`).

    Mirrors ``torch.nn.LogSigmoid``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.LogSigmoid()(torch.tensor([0.0]))
        tensor([-0.6931])
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``.

    Mirrors ``torch.nn.Softsign``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softsign()(torch.tensor([-3.0, 1.0]))
        tensor([-0.7500,  0.5000])
    """

    def forward(self, input):
        return F.softsign(input)


class Threshold(Module):
    """``x`` where ``x > threshold``, ``value`` elsewhere.

    Args:
        threshold: the value to compare with.
        value: the replacement.
        inplace: overwrite the input instead of allocating the output.

    Mirrors ``torch.nn.Threshold``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Threshold(0.1, 20.0)
        Threshold(threshold=0.1, value=20.0)
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """Gated linear unit: the first half of ``dim`` times the sigmoid of the second half.

    Args:
        dim: the dimension to halve (default -1); its size must be even.

    Shape:
        ``(*, 2N, *)`` to ``(*, N, *)``.

    Mirrors ``torch.nn.GLU``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.GLU()(torch.tensor([[1.0, 2.0, 0.0, 100.0]]))
        tensor([[0.5000, 2.0000]])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """Parametric ReLU: ``x`` where positive, ``weight * x`` elsewhere, with a learned slope.

    Args:
        num_parameters: 1 (one slope for all channels, default) or the number of channels
            (dim 1 of the input).
        init: the initial slope (default 0.25).
        device: where to create ``weight``.
        dtype: ``weight``'s dtype.

    Attributes:
        weight: the learnable slopes, shape ``(num_parameters,)``.

    Mirrors ``torch.nn.PReLU``.

    Examples:
        >>> import reftorch as torch
        >>> m = torch.nn.PReLU()
        >>> m
        PReLU(num_parameters=1)
        >>> m(torch.tensor([-2.0, 3.0]))
        tensor([-0.5000,  3.0000], grad_fn=<PreluKernelBackward0>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        from ..._ops import creation
        from ..parameter import Parameter
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from .. import init
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


__all__ += ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Attention with ``num_heads`` heads: project the query, key and value, attend in each
    head over ``embed_dim // num_heads`` features, concatenate, project again.

    Inputs are sequence-first, ``(L, N, E)``, unless ``batch_first=True`` (``(N, L, E)``), or
    unbatched ``(L, E)``. ``forward(query, key, value, key_padding_mask=None,
    need_weights=True, attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(attn_output, attn_weights)``: the output has the query's shape; the weights are
    ``(N, L, S)`` averaged over the heads (``(N, num_heads, L, S)`` with
    ``average_attn_weights=False``), or ``None`` with ``need_weights=False``. A bool mask
    marks with ``True`` the keys **not** to attend (the opposite of
    :func:`~reftorch.nn.functional.scaled_dot_product_attention`); a float mask is added to
    the scores. Mirrors ``torch.nn.MultiheadAttention`` (what PyTorch computes outside its
    fused inference kernel, which it uses in eval mode without gradients for batch-first
    self-attention: same results up to rounding).

    Args:
        embed_dim: ``E``, the model's width.
        num_heads: the number of heads (must divide ``embed_dim``).
        dropout: dropout on the attention weights in training mode (default 0).
        bias: learn input and output projection biases (default ``True``).
        add_bias_kv: learn one more key and value (``bias_k``, ``bias_v``).
        add_zero_attn: append a zero key and value.
        kdim: the key's width (default ``embed_dim``).
        vdim: the value's width (default ``embed_dim``).
        batch_first: inputs and output are ``(N, L, E)``.
        device: where to create the parameters.
        dtype: their dtype.

    Attributes:
        in_proj_weight: ``(3 * E, E)`` (Xavier uniform), or None when ``kdim``/``vdim``
            differ from ``E``: then ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``.
        in_proj_bias: ``(3 * E,)`` zeros.
        out_proj: the output projection, a ``Linear(E, E)`` with a zero bias.

    Raises:
        ValueError: if ``embed_dim`` or ``num_heads`` is not positive.
        AssertionError: if ``num_heads`` does not divide ``embed_dim``.

    Examples:
        >>> import reftorch as torch
        >>> mha = torch.nn.MultiheadAttention(4, 2, batch_first=True)
        >>> mha
        MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)
        )
        >>> x = torch.zeros(3, 5, 4)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([3, 5, 4]), torch.Size([3, 5, 5]))
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        kw = {"device": device, "dtype": D.get_default_dtype() if dtype is None else dtype}
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **kw))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **kw))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **kw))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **kw))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **kw))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """Xavier uniform projections, zero biases, Xavier normal ``bias_k``/``bias_v``
        (after ``out_proj``'s own Linear initialisation: PyTorch's order of draws)."""
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched = query.dim() == 3
        if self.batch_first and batched:  # to sequence-first, keeping shared inputs shared
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = {} if self._qkv_same_embed_dim else {
            "use_separate_proj_weight": True, "q_proj_weight": self.q_proj_weight,
            "k_proj_weight": self.k_proj_weight, "v_proj_weight": self.v_proj_weight}
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal, **separate)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights


__all__ += ["Hardshrink", "Softshrink", "Tanhshrink"]


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, 0 elsewhere. Mirrors ``torch.nn.Hardshrink``.

    Args:
        lambd: the threshold (default 0.5).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Hardshrink()
        Hardshrink(0.5)
    """

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """Shrink towards 0 by ``lambd`` (0 inside ``[-lambd, lambd]``). Mirrors ``torch.nn.Softshrink``.

    Args:
        lambd: the amount (default 0.5; not negative).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.Softshrink(0.3)(torch.tensor([1.0, -0.1]))
        tensor([0.7000, -0.0000])
    """

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Tanhshrink(Module):
    """``x - tanh(x)``. Mirrors ``torch.nn.Tanhshrink``."""

    def forward(self, input):
        return F.tanhshrink(input)


__all__ += ["RReLU"]


class RReLU(Module):
    """Randomized leaky ReLU: in training mode each non-positive element gets its own
    slope drawn from ``U(lower, upper)``; in evaluation mode the slope is
    ``(lower + upper) / 2``. See :func:`~reftorch.nn.functional.rrelu`.

    Args:
        lower: the lower bound of the slopes (default 1/8).
        upper: the upper bound (default 1/3).
        inplace: overwrite the input with the result.

    Mirrors ``torch.nn.RReLU``.

    Examples:
        >>> import reftorch as torch
        >>> act = torch.nn.RReLU(0.1, 0.3).eval()
        >>> act
        RReLU(lower=0.1, upper=0.3)
        >>> act(torch.tensor([-3.0, 2.0]))
        tensor([-0.6000,  2.0000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace_str}"
