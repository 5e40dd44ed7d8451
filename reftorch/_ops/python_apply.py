"""``Tensor.apply_`` and ``Tensor.map_``: a Python function called on every element, its
results written back in place (CPU tensors only, outside autograd, as in PyTorch)."""
from __future__ import annotations

import numbers

from .._tensor import Tensor
from .creation import tensor
from .shape import expand


def _check(self, name):
    if self._requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")
    if self.device.type != "cpu":
        raise RuntimeError(f"{name} is only implemented on CPU tensors")


def _number(value, complex_ok):
    kinds = numbers.Number if complex_ok else numbers.Real
    if not isinstance(value, kinds):
        raise TypeError(f"must be {'complex' if complex_ok else 'real'} number, not {type(value).__name__}")
    return value


def _write(self, values):
    """Write the Python numbers ``values`` (row-major order) into ``self``'s elements,
    converted as a tensor of ``self``'s dtype would convert them (floats to ints truncate).
    Like PyTorch's ``apply_``, the version counter does not move."""
    b = self._backend
    new = tensor(values, dtype=self.dtype)._data
    b.setitem(self._data, (Ellipsis,), b.xp.reshape(new, tuple(self._data.shape)))
    return self


def apply_(self, callable):
    """Call ``callable`` on every element (a Python number) and store its results in place.
    Slow: for tests and small tensors. Mirrors ``torch.Tensor.apply_``.

    Raises:
        RuntimeError: for a tensor that requires grad, or one not on the CPU.
        TypeError: when ``callable`` returns something that is not a number.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1.0, 2.0, 3.0]).apply_(lambda v: v * 10)
        tensor([10., 20., 30.])
    """
    _check(self, "apply_")
    complex_ok = self.dtype.is_complex
    return _write(self, [_number(callable(v), complex_ok) for v in self.reshape(-1).tolist()])


def map_(self, tensor, callable):
    """Call ``callable(a, b)`` on the pairs of elements of ``self`` and ``tensor``
    (broadcast to ``self``'s shape) and store the results in ``self``. Mirrors
    ``torch.Tensor.map_``.

    Raises:
        TypeError: when ``tensor`` has another dtype ("map_: expected torch.LongTensor for
            'other' (got torch.FloatTensor)"), or ``callable`` returns a non-number.
        RuntimeError: for a tensor that requires grad, or not on the CPU, or a ``tensor`` that
            does not broadcast to ``self``'s shape.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1.0, 2.0]).map_(torch.tensor([10.0, 20.0]), lambda a, b: a + b)
        tensor([11., 22.])
    """
    _check(self, "map_")
    if not isinstance(tensor, Tensor) or tensor.dtype is not self.dtype:
        raise TypeError(f"map_: expected {self.type()} for 'other' (got "
                        f"{tensor.type() if isinstance(tensor, Tensor) else type(tensor).__name__})")
    other = expand(tensor, tuple(self.shape)).reshape(-1).tolist()
    complex_ok = self.dtype.is_complex
    return _write(self, [_number(callable(a, b), complex_ok) for a, b in zip(self.reshape(-1).tolist(), other)])
