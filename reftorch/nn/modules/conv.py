"""The convolution layers. Mirrors ``torch/nn/modules/conv.py``."""
from __future__ import annotations

import math

from ... import _dtype as D
from ..._ops.creation import empty
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter, UninitializedParameter
from .. import functional as F
from .. import init
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
           "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d"]


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class _ConvNd(Module):
    """What ``Conv1d`` and ``Conv2d`` share: argument checks, parameters, repr."""

    _nd = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride, dilation = (_ntuple(v, nd) for v in (kernel_size, stride, dilation))
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, nd)
        valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_padding_modes:
            raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = False
        self.output_padding = (0,) * nd
        self.groups = groups
        self.padding_mode = padding_mode
        # (lo, hi) per spatial dim, for the padding modes that copy elements
        if isinstance(padding, str):
            pads = [(0, 0)] * nd
            if padding == "same":
                for i, (d, k) in enumerate(zip(dilation, kernel_size)):
                    total = d * (k - 1)
                    pads[i] = (total // 2, total - total // 2)
        else:
            pads = [(p, p) for p in padding]
        self._mode_pads = tuple(pads)
        dtype = D.get_default_dtype() if dtype is None else dtype
        self.weight = Parameter(empty(self._weight_shape(in_channels, out_channels, groups, kernel_size),
                                      dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    @staticmethod
    def _weight_shape(in_channels, out_channels, groups, kernel_size):
        return (out_channels, in_channels // groups) + kernel_size

    def reset_parameters(self) -> None:
        """Re-draw the parameters as PyTorch does: ``kaiming_uniform_(a=sqrt(5))`` for the
        weight, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for the bias."""
        with no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def _conv_forward(self, input, weight, bias):
        conv = (F.conv1d, F.conv2d, F.conv3d)[self._nd - 1]
        if self.padding_mode != "zeros":
            return conv(F._mode_pad(input, self._mode_pads, self.padding_mode), weight, bias,
                        self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvNd):
    """A 1-D convolution layer over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output (number of filters).
        kernel_size: window length (int or 1-tuple).
        stride: step between windows (default 1).
        padding: int, 1-tuple, ``'valid'`` or ``'same'`` (default 0).
        dilation: spacing between kernel elements (default 1).
        groups: independent channel groups; ``in_channels`` and ``out_channels`` must be
            divisible by it (default 1).
        bias: learn an additive bias (default ``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
        device: where to create the parameters.
        dtype: the parameters' dtype (default float32).

    Attributes:
        weight: ``(out_channels, in_channels / groups, kernel_size)``.
        bias: ``(out_channels,)``; both drawn as PyTorch does (``manual_seed`` reproduces them).

    Raises:
        ValueError: for bad ``groups``, padding strings or padding modes (PyTorch's messages).

    Examples:
        >>> import reftorch as torch
        >>> conv = torch.nn.Conv1d(4, 8, 3, padding=1)
        >>> conv
        Conv1d(4, 8, kernel_size=(3,), stride=(1,), padding=(1,))
        >>> conv(torch.zeros(2, 4, 10)).shape
        torch.Size([2, 8, 10])
    """

    _nd = 1


class Conv2d(_ConvNd):
    """A 2-D convolution layer over ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output (number of filters).
        kernel_size: window size (int or pair).
        stride: step between windows (default 1).
        padding: int, pair, ``'valid'`` or ``'same'`` (default 0).
        dilation: spacing between kernel elements (default 1).
        groups: independent channel groups (``groups == in_channels``: depthwise).
        bias: learn an additive bias (default ``True``).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
        device: where to create the parameters.
        dtype: the parameters' dtype (default float32).

    Attributes:
        weight: ``(out_channels, in_channels / groups, kH, kW)``.
        bias: ``(out_channels,)``.

    Shape:
        ``(N, C_in, H, W)`` → ``(N, C_out, H_out, W_out)`` with
        ``H_out = (H + 2*padding - dilation*(kH-1) - 1) // stride + 1`` (likewise ``W_out``).

    Raises:
        ValueError: for bad ``groups``, padding strings or padding modes (PyTorch's messages).

    Examples:
        >>> import reftorch as torch
        >>> conv = torch.nn.Conv2d(3, 16, 3, padding=1)
        >>> conv
        Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
        >>> conv(torch.zeros(1, 3, 32, 32)).shape
        torch.Size([1, 16, 32, 32])
    """

    _nd = 2


class Conv3d(_ConvNd):
    """A 3-D convolution layer over ``(N, C_in, D, H, W)`` (or unbatched
    ``(C_in, D, H, W)``): volumes, or clips of ``D`` video frames (arguments as
    :class:`Conv2d`, with ints or triples).

    Attributes:
        weight: ``(out_channels, in_channels / groups, kD, kH, kW)``.
        bias: ``(out_channels,)``; both drawn as PyTorch does.

    Shape:
        ``(N, C_in, D, H, W)`` → ``(N, C_out, D_out, H_out, W_out)``, each size
        ``(size + 2*padding - dilation*(k-1) - 1) // stride + 1``.

    Raises:
        ValueError: for bad ``groups``, padding strings or padding modes (PyTorch's messages).

    Mirrors ``torch.nn.Conv3d``.

    Examples:
        >>> import reftorch as torch
        >>> conv = torch.nn.Conv3d(3, 8, (3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2))
        >>> conv
        Conv3d(3, 8, kernel_size=(3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2))
        >>> conv(torch.zeros(2, 3, 16, 32, 32)).shape
        torch.Size([2, 8, 16, 16, 16])
    """

    _nd = 3


class _ConvTransposeNd(_ConvNd):
    """What ``ConvTranspose1d`` and ``ConvTranspose2d`` share: the weight is
    ``(in_channels, out_channels / groups, *kernel_size)`` and ``output_padding`` is kept."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)
        self.transposed = True
        self.output_padding = _ntuple(output_padding, self._nd)

    @staticmethod
    def _weight_shape(in_channels, out_channels, groups, kernel_size):
        return (in_channels, out_channels // groups) + kernel_size

    def _output_padding(self, input, output_size):
        """``output_padding``, or the one that makes the output ``output_size`` (its spatial
        sizes, or the full shape): PyTorch's rule and ``ValueError`` messages."""
        nd = self._nd
        if output_size is None:
            return self.output_padding
        lead = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == lead + nd:
            output_size = output_size[lead:]
        if len(output_size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or "
                             f"{lead + nd} elements (got {len(output_size)})")
        lo = [(input.size(d + lead) - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        hi = [m + s - 1 for m, s in zip(lo, self.stride)]
        if any(not a <= n <= b for n, a, b in zip(output_size, lo, hi)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {lo} to {hi} "
                             f"(for an input of {input.size()[2:]})")
        return tuple(int(n) - m for n, m in zip(output_size, lo))

    def forward(self, input, output_size=None):
        fn = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._nd - 1]
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """A 1-D transposed convolution layer (see :func:`reftorch.nn.functional.conv_transpose1d`).

    Mirrors ``torch.nn.ConvTranspose1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.ConvTranspose1d(4, 2, 3, stride=2)
        ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,))
    """

    _nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """A 2-D transposed convolution layer: upsamples ``(N, C_in, H, W)`` to
    ``(N, C_out, H_out, W_out)`` with ``H_out = (H - 1) * stride - 2 * padding +
    dilation * (kH - 1) + output_padding + 1`` (see
    :func:`reftorch.nn.functional.conv_transpose2d`). ``forward(input, output_size)``
    may name the wanted output size instead of ``output_padding`` (``ValueError`` when no
    ``output_padding`` gives it).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: the kernel size (int or pair).
        stride: step between the kernel copies in the output (default 1).
        padding: cropped from each side of the output (default 0).
        output_padding: extra size added at the end of the output (default 0).
        groups: independent channel groups (default 1).
        bias: learn an additive bias (default ``True``).
        dilation: spacing between kernel elements (default 1).
        padding_mode: only ``'zeros'``.
        device: where to create the parameters.
        dtype: the parameters' dtype (default float32).

    Attributes:
        weight: ``(in_channels, out_channels / groups, kH, kW)``, drawn as PyTorch draws it.
        bias: ``(out_channels,)``.

    Raises:
        ValueError: a ``padding_mode`` other than ``'zeros'``, or channels not divisible by
            ``groups``.

    Mirrors ``torch.nn.ConvTranspose2d``.

    Examples:
        >>> import reftorch as torch
        >>> up = torch.nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        >>> up
        ConvTranspose2d(8, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
        >>> up(torch.zeros(1, 8, 5, 5)).shape
        torch.Size([1, 4, 10, 10])
    """

    _nd = 2


class ConvTranspose3d(_ConvTransposeNd):
    """A 3-D transposed convolution layer: upsamples ``(N, C_in, D, H, W)`` (or unbatched
    ``(C_in, D, H, W)``) to ``(N, C_out, D_out, H_out, W_out)`` (arguments as
    :class:`ConvTranspose2d`, ints or triples; see
    :func:`reftorch.nn.functional.conv_transpose3d`).

    Attributes:
        weight: ``(in_channels, out_channels / groups, kD, kH, kW)``, drawn as PyTorch draws it.
        bias: ``(out_channels,)``.

    Mirrors ``torch.nn.ConvTranspose3d``.

    Examples:
        >>> import reftorch as torch
        >>> up = torch.nn.ConvTranspose3d(8, 4, (1, 2, 2), stride=(1, 2, 2))
        >>> up
        ConvTranspose3d(8, 4, kernel_size=(1, 2, 2), stride=(1, 2, 2))
        >>> up(torch.zeros(1, 8, 3, 5, 5)).shape
        torch.Size([1, 4, 3, 10, 10])
    """

    _nd = 3


class _LazyConvXdMixin(LazyModuleMixin):
    """What the lazy convolutions share: ``in_channels`` is read from the first input
    (dim 1 of a batched input, dim 0 of an unbatched one)."""

    def _lazy_init(self, out_channels, bias, device, dtype):
        # the base class was built with 0 channels and no bias; put the placeholders in
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        """Draw the parameters as the non-lazy convolution does, once they have a shape."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        """Set ``in_channels`` from ``input``, then materialize and draw the parameters.

        Raises:
            RuntimeError: if ``input`` does not have ``nd + 1`` or ``nd + 2`` dims.
            ValueError: if ``in_channels`` is not divisible by ``groups``.
        """
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            self.weight.materialize(self._weight_shape(self.in_channels, self.out_channels, self.groups,
                                                       self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()

    def _get_in_channels(self, input):
        unbatched = self._nd + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise RuntimeError(f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) input to "
                               f"{self.__class__.__name__}, but got input of size: {input.shape}")
        return input.shape[1] if input.dim() == unbatched + 1 else input.shape[0]


def _lazy_conv_init(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                    padding_mode="zeros", device=None, dtype=None):
    # the non-lazy class is built with 0 channels and no bias, then gets the placeholders
    LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode,
                             device, dtype)
    self._lazy_init(out_channels, bias, device, dtype)


def _lazy_conv_transpose_init(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                              bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
    LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                             padding_mode, device, dtype)
    self._lazy_init(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConvXdMixin, Conv1d):
    """A :class:`Conv1d` whose ``in_channels`` is read from its first input (dim 1, or
    dim 0 when unbatched); it then draws the parameters as ``Conv1d`` would and becomes
    a ``Conv1d``. The arguments are those of :class:`Conv1d` without ``in_channels``.

    Mirrors ``torch.nn.LazyConv1d``.

    Examples:
        >>> import reftorch as torch
        >>> conv = torch.nn.LazyConv1d(4, 3)
        >>> conv(torch.zeros(1, 2, 5)).shape, conv
        (torch.Size([1, 4, 3]), Conv1d(2, 4, kernel_size=(3,), stride=(1,)))
    """

    cls_to_become = Conv1d
    __init__ = _lazy_conv_init


class LazyConv2d(_LazyConvXdMixin, Conv2d):
    """A :class:`Conv2d` whose ``in_channels`` is read from its first input; it then
    becomes a ``Conv2d`` (see :class:`LazyConv1d`).

    Mirrors ``torch.nn.LazyConv2d``.
    """

    cls_to_become = Conv2d
    __init__ = _lazy_conv_init


class LazyConv3d(_LazyConvXdMixin, Conv3d):
    """A :class:`Conv3d` whose ``in_channels`` is read from its first input; it then
    becomes a ``Conv3d`` (see :class:`LazyConv1d`).

    Mirrors ``torch.nn.LazyConv3d``.
    """

    cls_to_become = Conv3d
    __init__ = _lazy_conv_init


class LazyConvTranspose1d(_LazyConvXdMixin, ConvTranspose1d):
    """A :class:`ConvTranspose1d` whose ``in_channels`` is read from its first input; it
    then becomes a ``ConvTranspose1d`` (see :class:`LazyConv1d`).

    Mirrors ``torch.nn.LazyConvTranspose1d``.
    """

    cls_to_become = ConvTranspose1d
    __init__ = _lazy_conv_transpose_init


class LazyConvTranspose2d(_LazyConvXdMixin, ConvTranspose2d):
    """A :class:`ConvTranspose2d` whose ``in_channels`` is read from its first input; it
    then becomes a ``ConvTranspose2d`` (see :class:`LazyConv1d`).

    Mirrors ``torch.nn.LazyConvTranspose2d``.
    """

    cls_to_become = ConvTranspose2d
    __init__ = _lazy_conv_transpose_init


class LazyConvTranspose3d(_LazyConvXdMixin, ConvTranspose3d):
    """A :class:`ConvTranspose3d` whose ``in_channels`` is read from its first input; it
    then becomes a ``ConvTranspose3d`` (see :class:`LazyConv1d`).

    Mirrors ``torch.nn.LazyConvTranspose3d``.
    """

    cls_to_become = ConvTranspose3d
    __init__ = _lazy_conv_transpose_init
