"""Pooling layers. Mirrors ``torch/nn/modules/pooling.py``.

Each layer stores its arguments and calls the function of the same name in
``reftorch.nn.functional``; pooling layers have no parameters.
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d",
           "FractionalMaxPool2d", "FractionalMaxPool3d"]


def _single(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: see
    :func:`reftorch.nn.functional.max_pool1d`.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on both sides.
        dilation: spacing between window elements.
        return_indices: also return the positions of the maxima.
        ceil_mode: round the output length up.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.MaxPool1d(2)(torch.tensor([[1., 3., 2., 2.]]))
        tensor([[3., 2.]])
    """

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Max pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``: see
    :func:`reftorch.nn.functional.max_pool2d`.

    Args:
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit ``-inf`` padding on each side.
        dilation: spacing between window elements.
        return_indices: also return the positions of the maxima.
        ceil_mode: round the output size up.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.MaxPool2d(2)
        >>> pool
        MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
        >>> pool(torch.zeros(1, 6, 28, 28)).shape
        torch.Size([1, 6, 14, 14])
    """

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Max pooling over the last three dims of ``(N, C, D, H, W)`` or ``(C, D, H, W)``: see
    :func:`reftorch.nn.functional.max_pool3d` (arguments as :class:`MaxPool2d`, ints or
    triples).

    Mirrors ``torch.nn.MaxPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.MaxPool3d((1, 2, 2))
        >>> pool
        MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0, dilation=1, ceil_mode=False)
        >>> pool(torch.zeros(2, 3, 8, 16, 16)).shape
        torch.Size([2, 3, 8, 8, 8])
    """

    def forward(self, input):
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class _AvgPoolNd(Module):
    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Average pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: see
    :func:`reftorch.nn.functional.avg_pool1d`.

    Args:
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on both sides.
        ceil_mode: round the output length up.
        count_include_pad: count the padding in the divisor.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AvgPool1d(3)
        AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """Average pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``: see
    :func:`reftorch.nn.functional.avg_pool2d`.

    Args:
        kernel_size: window size (int or pair).
        stride: step between windows (default: ``kernel_size``).
        padding: implicit zero padding on each side.
        ceil_mode: round the output size up.
        count_include_pad: count the padding in the divisor.
        divisor_override: divide every window sum by this instead.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AvgPool2d(2)(torch.ones(1, 4, 4)).shape
        torch.Size([1, 2, 2])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool3d(AvgPool2d):
    """Average pooling over the last three dims of ``(N, C, D, H, W)`` or ``(C, D, H, W)``:
    see :func:`reftorch.nn.functional.avg_pool3d` (arguments as :class:`AvgPool2d`, ints or
    triples).

    Mirrors ``torch.nn.AvgPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.AvgPool3d(2, stride=(1, 2, 2))
        >>> pool
        AvgPool3d(kernel_size=2, stride=(1, 2, 2), padding=0)
        >>> pool(torch.ones(1, 4, 4, 4)).shape
        torch.Size([1, 3, 2, 2])
    """

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptivePoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed output length.

    Window ``i`` covers positions ``floor(i * L / L_out)`` to ``ceil((i + 1) * L / L_out)``
    (exclusive), so the windows may overlap and differ in size; the result has the
    input's dtype. Mirrors ``torch.nn.AdaptiveAvgPool1d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool1d`.

    Args:
        output_size: the output length ``L_out`` (int).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveAvgPool1d(2)(torch.ones(3, 7)).shape
        torch.Size([3, 2])
    """

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to a fixed output size.

    The windows are chosen per dimension as in :class:`AdaptiveAvgPool1d`.
    Mirrors ``torch.nn.AdaptiveAvgPool2d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool2d`.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square output.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveAvgPool2d((1, 1))(torch.ones(2, 8, 5, 7)).shape
        torch.Size([2, 8, 1, 1])
    """

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size
    (windows per dimension as in :class:`AdaptiveAvgPool1d`; ``None`` keeps a size).
    Mirrors ``torch.nn.AdaptiveAvgPool3d``; see
    :func:`reftorch.nn.functional.adaptive_avg_pool3d`.

    Args:
        output_size: ``(D_out, H_out, W_out)``, or an int for a cube.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.AdaptiveAvgPool3d((1, None, 2))
        >>> pool
        AdaptiveAvgPool3d(output_size=(1, None, 2))
        >>> pool(torch.ones(2, 8, 4, 5, 7)).shape
        torch.Size([2, 8, 1, 5, 2])
    """

    def forward(self, input):
        return F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed output length.

    The windows are those of :class:`AdaptiveAvgPool1d`. Mirrors
    ``torch.nn.AdaptiveMaxPool1d``; see :func:`reftorch.nn.functional.adaptive_max_pool1d`.

    Args:
        output_size: the output length ``L_out`` (int).
        return_indices: also return the positions of the maxima (int64), as
            ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool1d(1)(torch.tensor([[1., 4., 2.]]))
        tensor([[4.]])
    """

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, H, W)`` or ``(C, H, W)`` to a fixed output size.

    The windows are chosen per dimension as in :class:`AdaptiveAvgPool1d`. Mirrors
    ``torch.nn.AdaptiveMaxPool2d``; see :func:`reftorch.nn.functional.adaptive_max_pool2d`.

    Args:
        output_size: ``(H_out, W_out)``, or an int for a square output.
        return_indices: also return the flat positions of the maxima in each
            ``H * W`` plane (int64), as ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool2d(2)
        AdaptiveMaxPool2d(output_size=2)
    """

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size
    (windows per dimension as in :class:`AdaptiveAvgPool1d`). Mirrors
    ``torch.nn.AdaptiveMaxPool3d``; see :func:`reftorch.nn.functional.adaptive_max_pool3d`.

    Args:
        output_size: ``(D_out, H_out, W_out)``, or an int for a cube.
        return_indices: also return the flat positions of the maxima in each
            ``D * H * W`` volume (int64), as ``(output, indices)`` (default ``False``).

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.AdaptiveMaxPool3d(1)(torch.arange(8.).view(1, 2, 2, 2))
        tensor([[[[7.]]]])
    """

    def forward(self, input):
        return F.adaptive_max_pool3d(input, self.output_size, self.return_indices)


class _MaxUnpoolNd(Module):
    """What the unpooling layers share: the pooling's window, as tuples (PyTorch's repr)."""

    _nd = 0

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._nd
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride if stride is not None else kernel_size, n)
        self.padding = _ntuple(padding, n)

    def forward(self, input, indices, output_size=None):
        fn = (F.max_unpool1d, F.max_unpool2d, F.max_unpool3d)[self._nd - 1]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool1d`: :func:`reftorch.nn.functional.max_unpool1d`
    (``forward(input, indices, output_size=None)``). Mirrors ``torch.nn.MaxUnpool1d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.MaxUnpool1d(2)
        MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool2d`: the maxima put back at their indices,
    zeros elsewhere (:func:`reftorch.nn.functional.max_unpool2d`;
    ``forward(input, indices, output_size=None)``, ``output_size`` choosing among the sizes
    the pooling maps to the same one).

    Args:
        kernel_size: the pooling's window (int or pair).
        stride: its stride (default: ``kernel_size``).
        padding: its padding (default 0).

    Mirrors ``torch.nn.MaxUnpool2d``.

    Examples:
        >>> import reftorch as torch
        >>> pool, unpool = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
        >>> x = torch.tensor([[[[1., 2.], [4., 3.]]]])
        >>> unpool(*pool(x))
        tensor([[[[0., 0.],
                  [4., 0.]]]])
    """

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of :class:`MaxPool3d` (:func:`reftorch.nn.functional.max_unpool3d`;
    arguments as :class:`MaxUnpool2d`, ints or triples). Mirrors ``torch.nn.MaxUnpool3d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.MaxUnpool3d(2, stride=(1, 2, 2))
        MaxUnpool3d(kernel_size=(2, 2, 2), stride=(1, 2, 2), padding=(0, 0, 0))
    """

    _nd = 3


class _LPPoolNd(Module):
    """What the power-average pooling layers share (kept as given, PyTorch's repr)."""

    _nd = 0

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        fn = (F.lp_pool1d, F.lp_pool2d, F.lp_pool3d)[self._nd - 1]
        return fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling over the last dim of ``(N, C, L)`` or ``(C, L)``: each window
    gives ``(sum of x ** p) ** (1 / p)``, ``p = norm_type`` (see
    :func:`reftorch.nn.functional.lp_pool1d`).

    Args:
        norm_type: ``p`` (``inf``: max pooling of ``|x|``).
        kernel_size: window length.
        stride: step between windows (default: ``kernel_size``).
        ceil_mode: round the output length up.

    Mirrors ``torch.nn.LPPool1d``.

    Examples:
        >>> import reftorch as torch
        >>> pool = torch.nn.LPPool1d(2, 3)
        >>> pool
        LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)
        >>> pool(torch.tensor([[1., 2., 2.]]))
        tensor([[3.]])
    """

    _nd = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)``
    (arguments as :class:`LPPool1d`, ints or pairs; see
    :func:`reftorch.nn.functional.lp_pool2d`). Mirrors ``torch.nn.LPPool2d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True)
        LPPool2d(norm_type=1.5, kernel_size=(2, 3), stride=1, ceil_mode=True)
    """

    _nd = 2


class LPPool3d(_LPPoolNd):
    """Power-average pooling over the last three dims of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)`` (arguments as :class:`LPPool1d`, ints or triples; see
    :func:`reftorch.nn.functional.lp_pool3d`). Mirrors ``torch.nn.LPPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> torch.nn.LPPool3d(2, 2)(torch.ones(1, 2, 2, 2))
        tensor([[[[2.8284]]]])
    """

    _nd = 3


class _FractionalMaxPoolNd(Module):
    """What the fractional max pooling layers share: PyTorch's checks of the sizes, the
    samples kept as the buffer ``_random_samples`` (None: drawn at every call)."""

    _nd = 0

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None):
        super().__init__()
        n = self._nd
        name = type(self).__name__
        if n == 3 and ((isinstance(kernel_size, int) and kernel_size <= 0)
                       or (isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size))):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.kernel_size = _ntuple(kernel_size, n)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, n) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, n) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < self.output_ratio[i] < 1 for i in range(n)):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = F.fractional_max_pool2d if self._nd == 2 else F.fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                  _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-d fractional max pooling of ``(N, C, H, W)`` or ``(C, H, W)``: windows of
    ``kernel_size`` at pseudo-random, fractional steps (see
    :func:`reftorch.nn.functional.fractional_max_pool2d`). Without ``_random_samples`` each
    call draws new samples (``torch.rand(N, C, 2)``, as PyTorch). The repr shows no
    arguments, as PyTorch's.

    Args:
        kernel_size: the window size, an int or ``(kH, kW)``.
        output_size: the output size, an int or ``(oH, oW)``.
        output_ratio: the output size as a fraction of the input's, in ``(0, 1)`` (a float
            or a pair).
        return_indices: also return the maxima's positions (for :class:`MaxUnpool2d`).
        _random_samples: fixed samples ``(N, C, 2)`` (a buffer).

    Raises:
        ValueError: neither or both of ``output_size`` and ``output_ratio``, or a ratio
            outside ``(0, 1)``.

    Mirrors ``torch.nn.FractionalMaxPool2d``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> pool = torch.nn.FractionalMaxPool2d(2, output_size=(3, 4))
        >>> pool
        FractionalMaxPool2d()
        >>> pool(torch.randn(1, 2, 7, 8)).shape
        torch.Size([1, 2, 3, 4])
    """

    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling of ``(N, C, T, H, W)`` or ``(C, T, H, W)`` (see
    :func:`reftorch.nn.functional.fractional_max_pool3d`; arguments as
    :class:`FractionalMaxPool2d`, ints or triples, ``_random_samples`` ``(N, C, 3)``).

    Raises:
        ValueError: as :class:`FractionalMaxPool2d`, and a kernel size not above 0.

    Mirrors ``torch.nn.FractionalMaxPool3d``.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> pool = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5)
        >>> pool(torch.randn(2, 3, 8, 8, 8)).shape
        torch.Size([2, 3, 4, 4, 4])
    """

    _nd = 3
