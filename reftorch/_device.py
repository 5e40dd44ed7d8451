"""``torch.device`` and the link from a device to its array backend."""
from __future__ import annotations

__all__ = ["device", "set_default_device", "get_default_device"]

_KNOWN = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """Where a tensor's data lives: ``device('cpu')`` or ``device('cuda', 0)``.

    Mirrors ``torch.device``. reftorch keeps CPU tensors in NumPy arrays and CUDA tensors
    in CuPy arrays.

    Args:
        type: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; another ``device`` is copied; an int
            ``N`` is the accelerator's device ``N`` (``cuda:N``).
        index: the device ordinal for ``"cuda"``; ``None`` means the current device.

    Raises:
        RuntimeError: for an unknown device string; for an int without a usable GPU
            ("Cannot access accelerator device when none is available.") or below zero.

    Examples:
        >>> import reftorch as torch
        >>> torch.device("cuda", 1)
        device(type='cuda', index=1)
        >>> str(torch.device("cpu"))
        'cpu'
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and index is None:  # torch.device(0): the accelerator's (cuda:0)
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            try:
                _usable(device("cuda", type))
            except AssertionError:  # (PyTorch asks for "the accelerator", of which there is none)
                raise RuntimeError("Cannot access accelerator device when none is available.") from None
            type, index = "cuda", type
        name = str(type)
        if ":" in name:
            if index is not None:
                raise ValueError(f"type (string) must not include an index because index was passed explicitly: {name}")
            name, _, idx = name.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if name not in _KNOWN and name != "strict":  # "strict": the test stand-in accelerator
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN)} device type at start of device string: {name}")
        if name == "cpu" and index not in (None, 0):
            raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
        self.type = name
        self.index = None if name == "cpu" else index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")

#: Where factory functions (``zeros``, ``tensor``, ``randn`` …) put tensors when no
#: ``device=`` is given (:func:`set_default_device`).
_default = [CPU]


def _coerce(dev):
    d = dev if isinstance(dev, device) else device(dev)
    return device("cuda", 0) if d.type == "cuda" and d.index is None else d


def set_default_device(device):
    """Make factory functions create tensors on ``device`` when called without ``device=``.

    Mirrors ``torch.set_default_device``: ``None`` restores the CPU. Functions that wrap
    existing memory (``from_numpy``) and ``*_like`` functions are not affected.

    Args:
        device (str, int, torch.device or None): the new default device.

    Raises:
        RuntimeError: for an unknown device string.

    Examples:
        >>> import reftorch as torch
        >>> torch.set_default_device("cpu")
        >>> torch.get_default_device()
        device(type='cpu')
    """
    _default[0] = CPU if device is None else _coerce(device)


def get_default_device():
    """The device factory functions use when given no ``device=``.

    Mirrors ``torch.get_default_device``. The default is the CPU unless
    :func:`set_default_device` changed it.

    Returns:
        torch.device: the current default device.

    Raises:
        AssertionError or RuntimeError: if the default is ``cuda`` and no usable GPU is
            present (as PyTorch's CPU build raises).

    Examples:
        >>> import reftorch as torch
        >>> torch.get_default_device()
        device(type='cpu')
        >>> torch.zeros(2).device
        device(type='cpu')
    """
    d = _default[0]
    if d.type != "cpu":
        _usable(d)
    return d


def _usable(d):
    """Raise PyTorch's error when the device ``d`` cannot be used (no GPU: AssertionError)."""
    from . import _backends  # (here: _backends is built over this module)
    _backends.get(d)
