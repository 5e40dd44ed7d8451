"""``torch.softmax``/``torch.log_softmax`` and their methods; ``F.softmax`` shares the code."""
from __future__ import annotations

import warnings

from .._tensor import _wrap_dim
from .shape import reshape


def _cname(d):
    from .._dtype import SCALAR_NAMES as _SCALAR_NAMES
    return _SCALAR_NAMES.get(d.name, d.name.capitalize())


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", UserWarning, stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax_impl(input, dim, dtype, name, stacklevel=3):
    """The shared body of ``torch.softmax``, ``Tensor.softmax`` and ``F.softmax`` (and the
    ``log_softmax`` trio): checks, the ``dtype=`` cast, the kernel."""
    from ..nn import _functions as _F  # the kernels live beside the other layer kernels
    if dim is None:
        dim = _implicit_dim(name, input.dim(), stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        d = _wrap_dim(dim, input.dim())
        last = "lastdim_" if not input.dim() or d == input.dim() - 1 else ""
        raise NotImplementedError(f'"{name}_{last}kernel_impl" not implemented for \'{_cname(input.dtype)}\'')
    d = _wrap_dim(dim, input.dim())
    fn = _F.Softmax if name == "softmax" else _F.LogSoftmax
    if input.dim() == 0:
        return reshape(fn.apply(reshape(input, (1,)), dim=0), ())
    return fn.apply(input, dim=d)


def softmax(input, dim, dtype=None):
    """``exp(x) / exp(x).sum(dim)``: probabilities along ``dim``.

    Args:
        input: a floating point tensor (cast to ``dtype`` first when given).
        dim: the dimension whose entries sum to 1 (required, unlike ``F.softmax``).
        dtype: the dtype to compute in (e.g. ``torch.float64``).

    Returns:
        A tensor of ``input``'s shape; ``grad_fn`` is ``SoftmaxBackward0``.

    Raises:
        NotImplementedError: for integer input.
        IndexError: if ``dim`` is out of range.

    Mirrors ``torch.softmax`` and ``Tensor.softmax``.

    Examples:
        >>> import reftorch as torch
        >>> torch.tensor([1., 2., 3.]).softmax(0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    return softmax_impl(input, dim, dtype, "softmax")


def log_softmax(input, dim, dtype=None):
    """``log(softmax(x))`` computed stably. Mirrors ``torch.log_softmax`` and
    ``Tensor.log_softmax`` (see :func:`softmax` for the arguments).

    Examples:
        >>> import reftorch as torch
        >>> torch.log_softmax(torch.tensor([1., 2., 3.]), dim=0)
        tensor([-2.4076, -1.4076, -0.4076])
    """
    return softmax_impl(input, dim, dtype, "log_softmax")
