"""How a tensor prints (mirrors ``torch/_tensor_str.py`` of PyTorch 2.13).

``repr(t)`` and ``str(t)`` of a reftorch tensor produce exactly the text PyTorch
prints for the same values, dtype, device and autograd state.  The algorithm is a
line-by-line port of PyTorch's, for dense (strided) tensors only; sparse, quantized,
named, nested and meta tensors do not exist in reftorch.

The steps are:

1. :func:`_str` collects the *suffixes* (``device=``, ``size=``, ``dtype=``,
   ``grad_fn=`` / ``requires_grad=``) and asks :func:`_tensor_str` for the body.
2. :func:`_tensor_str` decides whether to *summarise* (more than
   ``threshold`` elements: only ``edgeitems`` items at each end of every dimension
   are shown, with ``...`` between), and builds a :class:`_Formatter` from the values
   that will actually be shown (for complex tensors, one for the real parts and one for
   the imaginary parts).
3. The :class:`_Formatter` looks at every shown value once and picks a common style:
   integers as they are; floats either in *int mode* (every finite value is whole:
   ``1.``), fixed point (``1.2500``) or scientific notation (``1.2500e+10``), and a
   common width so that the columns line up.
4. :func:`_tensor_str_with_formatter` recurses over the leading dimension and
   :func:`_vector_str` lays out the last dimension, wrapping lines at ``linewidth``.

Everything works on the host copy of the values (a NumPy array from
``tensor._host()``); Python's own ``format`` turns each number into text, exactly as
PyTorch does after ``Tensor.tolist()`` / ``Tensor.item()``.

Not ported: the body of sparse, quantized, nested, meta and functorch-wrapped tensors,
forward-mode ``tangent=`` suffixes, and the ``MyTensor(`` prefix PyTorch uses for
Python subclasses of ``Tensor`` (reftorch always prints ``tensor(``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any

import numpy as np

from . import _dtype

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


# --------------------------------------------------------------------------- options


@dataclasses.dataclass
class __PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = __PrinterOptions()


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set options for printing tensors.

    Mirrors ``torch.set_printoptions``.  Options left as ``None`` keep their current
    value, except ``sci_mode``, which is always set (``None`` means "choose
    automatically").

    Args:
        precision: number of digits after the decimal point for floating point
            output (default 4).
        threshold: total number of elements above which a tensor is summarised
            (default 1000).
        edgeitems: number of items shown at the start and at the end of each
            dimension of a summarised tensor (default 3).
        linewidth: number of characters per line used to wrap the last dimension
            (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``: resets the four options
            above to a preset before the explicit ones are applied.
        sci_mode: ``True`` forces scientific notation, ``False`` forbids it, ``None``
            (default) lets the formatter decide from the values.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_printoptions(precision=2)
        >>> torch.tensor([1.12345])
        tensor([1.12])
        >>> torch.set_printoptions(threshold=5)
        >>> torch.arange(10)
        tensor([0, 1, 2,  ..., 7, 8, 9])
        >>> torch.set_printoptions(sci_mode=True)
        >>> torch.tensor([1.5, 2.0])
        tensor([1.50e+00, 2.00e+00])
        >>> torch.set_printoptions(profile="default")  # restore the defaults
        >>> torch.tensor([1.12345])
        tensor([1.1235])
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80
        elif profile == "short":
            PRINT_OPTS.precision = 2
            PRINT_OPTS.threshold = 1000
            PRINT_OPTS.edgeitems = 2
            PRINT_OPTS.linewidth = 80
        elif profile == "full":
            PRINT_OPTS.precision = 4
            PRINT_OPTS.threshold = math.inf
            PRINT_OPTS.edgeitems = 3
            PRINT_OPTS.linewidth = 80

    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict usable as ``set_printoptions(**d)``.

    Mirrors ``torch._tensor_str.get_printoptions``.
    """
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that changes the print options temporarily.

    Mirrors ``torch._tensor_str.printoptions``; accepts the arguments of
    :func:`set_printoptions`.

    Examples:
        >>> import reftorch as torch
        >>> with torch._tensor_str.printoptions(precision=1, linewidth=30):
        ...     print(torch.arange(12) / 4)
        tensor([0.0, 0.2, 0.5, 0.8,
                1.0, 1.2, 1.5, 1.8,
                2.0, 2.2, 2.5, 2.8])
        >>> torch.arange(3) / 4
        tensor([0.0000, 0.2500, 0.5000])
    """
    old_kwargs = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_kwargs)


# --------------------------------------------------------------------------- formatter


class _Formatter:
    """Chooses one text style and width for all the values of a tensor.

    ``values`` is a NumPy array holding the values that will be printed (already
    summarised).  ``floating`` tells whether the tensor has a floating point dtype
    (integer and bool values are printed with ``str``).

    For floating point values only the finite non-zero ones are inspected:

    * ``int_mode``: all of them are whole numbers, printed as ``3.``;
    * ``sci_mode``: chosen when the largest magnitude exceeds ``1e8``, the smallest
      is below ``1e-4``, or their ratio exceeds 1000 (unless forced by
      ``set_printoptions(sci_mode=...)``);
    * ``max_width``: the widest formatted value, used to right-align every entry.

    Zeros, ``nan`` and ``inf`` do not influence these choices (they may end up wider
    than ``max_width``, as in PyTorch).
    """

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating_dtype = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        flat = values.reshape(-1)

        if not self.floating_dtype:
            for value in flat.tolist():  # Python ints / bools, as Tensor.item() gives
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        nonzero_finite_vals = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite_vals.size == 0:
            # no valid number, do nothing
            return

        # Magnitudes in float64 (float16 would overflow in the ratio below).
        nonzero_finite_abs = np.abs(nonzero_finite_vals).astype(np.float64)
        nonzero_finite_min = nonzero_finite_abs.min()
        nonzero_finite_max = nonzero_finite_abs.max()

        # Compared in the tensor's own dtype, like ``value != torch.ceil(value)``.
        if np.any(nonzero_finite_vals != np.ceil(nonzero_finite_vals)):
            self.int_mode = False

        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # the ratio may overflow to inf: still > 1000
                ratio = nonzero_finite_max / nonzero_finite_min
            self.sci_mode = bool(
                ratio > 1000.0
                or nonzero_finite_max > 1.0e8
                or nonzero_finite_min < 1.0e-4
            )
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        python_values = nonzero_finite_vals.tolist()  # exact values as Python floats
        if self.int_mode:
            # In int mode every number is whole, and a "." is appended to show that the
            # tensor is floating point: add 1 to the width for it.
            if self.sci_mode:
                for value in python_values:
                    value_str = f"{{:.{PRINT_OPTS.precision}e}}".format(value)
                    self.max_width = max(self.max_width, len(value_str))
            else:
                for value in python_values:
                    value_str = f"{value:.0f}"
                    self.max_width = max(self.max_width, len(value_str) + 1)
        else:
            if self.sci_mode:
                for value in python_values:
                    value_str = f"{{:.{PRINT_OPTS.precision}e}}".format(value)
                    self.max_width = max(self.max_width, len(value_str))
            else:
                for value in python_values:
                    value_str = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
                    self.max_width = max(self.max_width, len(value_str))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        """Format one Python number, right-aligned to :meth:`width`."""
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(real_str: str, imag_str: str) -> str:
    """Join the formatted parts of a complex number: ``1.+2.j``, ``1.-2.j``."""
    imag_str = (imag_str + "j").lstrip()
    # handles negative numbers, +0.0, -0.0
    if imag_str[0] == "+" or imag_str[0] == "-":
        return real_str + imag_str
    return real_str + "+" + imag_str


# --------------------------------------------------------------------------- layout


def _scalar_str(values: np.ndarray, formatter1: _Formatter, formatter2: _Formatter | None = None) -> str:
    """The body of a 0-dim tensor."""
    if formatter2 is not None:
        return _complex_str(_scalar_str(values.real, formatter1), _scalar_str(values.imag, formatter2))
    return formatter1.format(values.item())


def _vector_str(values: np.ndarray, indent: int, summarize: bool,
                formatter1: _Formatter, formatter2: _Formatter | None = None) -> str:
    """The body of a 1-D tensor, wrapped so that lines fit in ``linewidth``."""
    # length includes spaces and comma between elements
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        # width for imag_formatter + an extra j for complex
        element_length += formatter2.width() + 1

    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def _val_formatter(val):
        if formatter2 is not None:
            return _complex_str(formatter1.format(val.real), formatter2.format(val.imag))
        return formatter1.format(val)

    edgeitems = PRINT_OPTS.edgeitems
    if summarize and not edgeitems:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edgeitems:
        data = (
            [_val_formatter(val) for val in values[:edgeitems].tolist()]
            + [" ..."]
            + [_val_formatter(val) for val in values[-edgeitems:].tolist()]
        )
    else:
        data = [_val_formatter(val) for val in values.tolist()]

    data_lines = [data[i:i + elements_per_line] for i in range(0, len(data), elements_per_line)]
    lines = [", ".join(line) for line in data_lines]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(values: np.ndarray, indent: int, summarize: bool,
                               formatter1: _Formatter, formatter2: _Formatter | None = None) -> str:
    """The body of a tensor of any rank: nested brackets, one level per dimension.

    ``formatter2`` is only used for complex tensors: ``formatter1`` then formats the
    real parts and ``formatter2`` the imaginary parts.
    """
    dim = values.ndim

    if dim == 0:
        return _scalar_str(values, formatter1, formatter2)

    if dim == 1:
        return _vector_str(values, indent, summarize, formatter1, formatter2)

    edgeitems = PRINT_OPTS.edgeitems
    size0 = values.shape[0]
    if summarize and size0 > 2 * edgeitems:
        slices = (
            [_tensor_str_with_formatter(values[i], indent + 1, summarize, formatter1, formatter2)
             for i in range(edgeitems)]
            + ["..."]
            + [_tensor_str_with_formatter(values[i], indent + 1, summarize, formatter1, formatter2)
               for i in range(size0 - edgeitems, size0)]
        )
    else:
        slices = [
            _tensor_str_with_formatter(values[i], indent + 1, summarize, formatter1, formatter2)
            for i in range(size0)
        ]

    # Sub-tensors of an N-D tensor are separated by N-1 newlines (blank lines for N>2).
    tensor_str = ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices)
    return "[" + tensor_str + "]"


def get_summarized_data(values: np.ndarray) -> np.ndarray:
    """The values a summarised tensor shows: ``edgeitems`` from each end of every dim.

    The result is only used to build the :class:`_Formatter`, so that values hidden
    behind ``...`` do not affect the style or width.
    """
    edgeitems = PRINT_OPTS.edgeitems
    dim = values.ndim
    if dim == 0:
        return values
    if dim == 1:
        if values.shape[0] > 2 * edgeitems:
            # Note: with edgeitems == 0, values[-0:] is the whole vector (as in PyTorch).
            return np.concatenate((values[:edgeitems], values[-edgeitems:]))
        return values
    if not edgeitems:
        return np.empty([0] * dim, dtype=values.dtype)
    if values.shape[0] > 2 * edgeitems:
        start = [values[i] for i in range(edgeitems)]
        end = [values[i] for i in range(len(values) - edgeitems, len(values))]
        return np.stack([get_summarized_data(x) for x in (start + end)])
    return np.stack([get_summarized_data(x) for x in values])


def _tensor_str(values: np.ndarray, indent: int, floating: bool, complex_: bool) -> str:
    """The bracketed body of a tensor whose values are ``values``.

    ``indent`` is the column where the body starts (the length of ``"tensor("``).
    """
    if values.size == 0:
        return "[]"

    summarize = values.size > PRINT_OPTS.threshold

    if complex_:
        real_formatter = _Formatter(get_summarized_data(values.real) if summarize else values.real, True)
        imag_formatter = _Formatter(get_summarized_data(values.imag) if summarize else values.imag, True)
        return _tensor_str_with_formatter(values, indent, summarize, real_formatter, imag_formatter)
    formatter = _Formatter(get_summarized_data(values) if summarize else values, floating)
    return _tensor_str_with_formatter(values, indent, summarize, formatter)


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, force_newline: bool) -> str:
    """Append ``, suffix`` items and the closing ``)``, starting a new line when one
    would not fit in ``linewidth``."""
    tensor_strs = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


def _grad_fn_name(grad_fn) -> str:
    """``CatBackward0`` for a node whose ``name()`` is ``CatBackward0`` (or ``ns::CatBackward0``)."""
    name = getattr(grad_fn, "name", None)
    if callable(name):
        return str(name()).rsplit("::", 1)[-1]
    return type(grad_fn).__name__


# --------------------------------------------------------------------------- entry point


def _str(self, *, tensor_contents: str | None = None) -> str:
    """``repr(tensor)``: ``tensor(<body>, <suffixes>)`` exactly as PyTorch prints it.

    ``self`` is a reftorch tensor; only ``dtype``, ``shape``, ``dim()``, ``numel()``,
    ``device``, ``requires_grad``, ``grad_fn`` and ``_host()`` are used.
    ``tensor_contents`` replaces the body when given (as in PyTorch).
    """
    prefix = "tensor("
    indent = len(prefix)
    suffixes: list[str] = []
    custom_contents_provided = tensor_contents is not None
    if custom_contents_provided:
        tensor_str = tensor_contents

    # The device is printed when it is not the default device (the CPU).
    device = self.device
    if device.type != "cpu":
        suffixes.append("device='" + str(device) + "'")

    dtype = self.dtype
    default_dtype = _dtype.get_default_dtype()
    has_default_dtype = dtype in (default_dtype, _dtype.default_complex_dtype(), _dtype.int64, _dtype.bool)

    if self.numel() == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy behavior
        if self.dim() != 1:
            suffixes.append("size=" + str(tuple(self.shape)))
        # In an empty tensor, there are no elements to infer if the dtype
        # should be int64, so it must be shown explicitly.
        if dtype != default_dtype:
            suffixes.append("dtype=" + str(dtype))
        if not custom_contents_provided:
            tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(self.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + str(dtype))
        if not custom_contents_provided:
            values = np.asarray(self._host())
            tensor_str = _tensor_str(values, indent, dtype.is_floating_point, dtype.is_complex)

    try:
        grad_fn = self.grad_fn
    except RuntimeError:  # an output of split/unbind/… whose base was written in place (as PyTorch)
        suffixes.append("grad_fn=<Invalid>")
        grad_fn = False
    if grad_fn:
        suffixes.append(f"grad_fn=<{_grad_fn_name(grad_fn)}>")
    elif grad_fn is None and self.requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent, force_newline=False)
