"""``cov`` and ``corrcoef``: PyTorch's compositions (``aten/src/ATen/native/Correlation.cpp``),
written with the public ops, so values, dtypes, gradients and ``grad_fn`` names are theirs.

The rows of a 2-D input are the variables and its columns the observations; a 1-D input is
one variable. ``fweights`` (integer counts) and ``aweights`` (float importances) weigh the
observations; the mean and the normalising factor are NumPy's (``numpy.cov``).
"""
from __future__ import annotations

import warnings

from .. import _dtype as D
from .._warnings import user_stacklevel
from ._common import tensor_input
from .clamp import clamp
from .creation import scalar_tensor
from .diagonal import diagonal
from .indexing import imag, real
from .linalg import mm
from .pointwise import add, conj, div, mul, sqrt, sub
from .reduction import sum as sum_
from .shape import reshape, squeeze, unsqueeze

_DOF = ("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
        "observations. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Correlation.cpp:129.)")


def _check_weights(w, name, n, integral):
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{w.dim()} dimensions")
    ok = (not w.dtype.is_floating_point and not w.dtype.is_complex and w.dtype is not D.bool) if integral \
        else w.dtype.is_floating_point
    if not ok:
        kind = "integral" if integral else "floating point"
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                           f"{D.scalar_name(w.dtype)} dtype")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                           f"input but got {w.numel()} != {n}")
    if n and not bool(w.min() >= 0):
        raise RuntimeError(f"cov(): {name} cannot be negative")


@tensor_input
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns; a 1-D input is one variable).

    With weights the mean is ``sum(w * x) / sum(w)`` (``w = fweights * aweights``) and the
    normalising factor ``sum(w) - correction * sum(w * aweights) / sum(w)``, as NumPy's. A
    factor ``<= 0`` warns and gives inf/nan. Integer inputs give floats. Mirrors ``torch.cov``
    (``grad_fn=<SqueezeBackward0>``).

    Args:
        input: a 0-, 1- or 2-D tensor (not bool).
        correction: subtracted from the number of observations (1: the unbiased estimate).
        fweights: 1-D integer counts, one per observation, not negative.
        aweights: 1-D float weights, one per observation, not negative.

    Returns:
        A ``(variables, variables)`` tensor (0-d for one variable).

    Raises:
        RuntimeError: for an input with more than 2 dimensions or of bool dtype, and for
            weights with the wrong shape, dtype, negative values or a zero sum.
        TypeError: for a ``correction`` that is not an int.

    Examples:
        >>> import reftorch as torch
        >>> x = torch.tensor([[0., 1., 2.], [2., 1., 0.]])
        >>> torch.cov(x)
        tensor([[ 1., -1.],
                [-1.,  1.]])
        >>> torch.cov(x[0], fweights=torch.tensor([1, 2, 1]), correction=0)
        tensor(0.5000)
    """
    if not isinstance(correction, int):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type(correction).__name__}")
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    if input.dtype is D.bool:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = reshape(input, (1, -1)) if input.dim() < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n, True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n, False)
        w = aweights if w is None else mul(w, aweights)
    w_sum = sum_(w) if w is not None else scalar_tensor(n, dtype=D.int64, device=input.device)
    if w is not None and not bool(w_sum != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = div(sum_(mul(x, w) if w is not None else x, 1), w_sum)
    if w is not None and correction != 0 and aweights is not None:
        norm = sub(w_sum, div(mul(sum_(mul(w, aweights)), correction), w_sum))
    else:
        norm = sub(w_sum, correction)
    if bool(norm <= 0):
        warnings.warn(_DOF, UserWarning, stacklevel=user_stacklevel())  # (the user's line)
        norm = mul(norm, 0)
    x = sub(x, unsqueeze(avg, 1))
    c = mm(x, conj((mul(x, w) if w is not None else x).t()))
    return squeeze(div(c, norm))


@tensor_input
def corrcoef(input):
    """Pearson's correlation coefficients of the variables in the rows of ``input``: the
    covariance matrix (:func:`cov`) divided by the products of standard deviations, clipped
    to ``[-1, 1]`` (real and imaginary parts apart for complex inputs). One variable gives
    ``c / c`` (1, or nan). Mirrors ``torch.corrcoef`` (``grad_fn=<ClampBackward1>``).

    Raises:
        RuntimeError: for an input with more than 2 dimensions or of bool dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.corrcoef(torch.tensor([[0., 1., 2.], [1., 3., 2.]]))
        tensor([[1.0000, 0.5000],
                [0.5000, 1.0000]])
    """
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return div(c, c)
    d = diagonal(c)
    std = sqrt(real(d) if d.dtype.is_complex else d)
    c = div(div(c, reshape(std, (-1, 1))), reshape(std, (1, -1)))
    if c.dtype.is_complex:  # (PyTorch builds it with torch.complex; the values are the same)
        return add(clamp(real(c), -1, 1), mul(clamp(imag(c), -1, 1), 1j))
    return clamp(c, -1, 1)

