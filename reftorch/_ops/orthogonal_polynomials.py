"""The orthogonal polynomials of ``torch.special``: Chebyshev ``T``, ``U``, ``V``, ``W`` and
their shifted forms, Hermite ``H`` and ``He``, Laguerre ``L`` and Legendre ``P``, each of a
tensor (or number) ``x`` and a degree ``n``.

One value-only ``Function`` (PyTorch defines no derivative: the results never require
grad); the kernels are in :mod:`reftorch._ops._orthogonal_kernels`.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from . import _orthogonal_kernels as K
from ._common import with_out
from .pointwise import _Binary, _operands, _setup

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
           "legendre_polynomial_p"]


class _Polynomial(_Binary):
    """``kernel(x, n)`` on the two operands in the computation dtype (applied under
    ``no_grad``: never recorded)."""

    name = "NotDifferentiable"

    @staticmethod
    def forward(ctx, x, n, dt, kernel):
        a, m, _ = _setup(ctx, x, n, dt)
        xp = x._backend.xp
        a, m = xp.broadcast_arrays(a, m)
        return kernel(x._backend, a, m)


_SIGNATURES = ("\n * (Tensor x, Tensor n, *, Tensor out = None)\n * (Number x, Tensor n, *, Tensor out = None)"
               "\n * (Tensor x, Number n, *, Tensor out = None)\n")


def _polynomial(name, kernel, x, n, out, public):
    """``kernel`` of ``x`` and ``n`` (tensors, or one of them a Python number) with
    PyTorch's argument, dtype and broadcasting rules."""
    if out is not None:
        return with_out("special_" + name, out, public, x, n)
    number = (bool, int, float, complex)
    if not (isinstance(x, Tensor) and isinstance(n, (Tensor,) + number)
            or isinstance(x, number) and isinstance(n, Tensor)):
        got = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (x, n))
        raise TypeError(f"special_{name}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:{_SIGNATURES}")
    a, m, dt = _operands(x, n, true_div=True)
    if dt.is_complex or dt in (D.float16, D.bfloat16):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{D.scalar_name(dt)}'")
    with no_grad():
        return _Polynomial.apply(a, m, dt, kernel)


def chebyshev_polynomial_t(x, n, *, out=None):
    r"""The Chebyshev polynomial of the first kind :math:`T_n(x)`, element-wise. Mirrors
    ``torch.special.chebyshev_polynomial_t``.

    Computed by the recurrence ``T_0 = 1``, ``T_1 = x``, ``T_(k+1) = 2x T_k - T_(k-1)``;
    from ``n = 7`` on, ``|x| < 1`` uses the trigonometric form ``cos(n acos x)`` instead.
    The result is exactly 1 at ``x = 1`` and ``(-1)^n`` at ``x = -1``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.chebyshev_polynomial_t(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-1.0000,  0.7920, 26.0000])
    """
    return _polynomial("chebyshev_polynomial_t", K.chebyshev_polynomial_t, x, n, out,
                       chebyshev_polynomial_t)


def chebyshev_polynomial_u(x, n, *, out=None):
    r"""The Chebyshev polynomial of the second kind :math:`U_n(x)`, element-wise. Mirrors
    ``torch.special.chebyshev_polynomial_u``.

    Computed by the recurrence of ``T`` from ``U_0 = 1``, ``U_1 = 2x``; from ``n = 9`` on,
    ``|x| < 1`` uses the trigonometric form ``sin((n + 1) acos x) / sin(acos x)`` instead.
    The result is exactly ``n + 1`` at ``x = 1`` and ``(-1)^n (n + 1)`` at ``x = -1``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.chebyshev_polynomial_u(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-1.0000,  0.9840, 56.0000])
    """
    return _polynomial("chebyshev_polynomial_u", K.chebyshev_polynomial_u, x, n, out,
                       chebyshev_polynomial_u)


def chebyshev_polynomial_v(x, n, *, out=None):
    r"""The Chebyshev polynomial of the third kind :math:`V_n(x)`, element-wise. Mirrors
    ``torch.special.chebyshev_polynomial_v``.

    Computed by the recurrence of ``T`` from ``V_0 = 1``, ``V_1 = 2x - 1``; from ``n = 9``
    on, ``|x| < 1`` uses the trigonometric form ``cos((n + 1/2) acos x) / cos(acos(x) / 2)``
    instead. The result is exactly 1 at ``x = 1`` and ``(-1)^n (2n + 1)`` at ``x = -1``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.chebyshev_polynomial_v(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-1.0000,  1.6240, 41.0000])
    """
    return _polynomial("chebyshev_polynomial_v", K.chebyshev_polynomial_v, x, n, out,
                       chebyshev_polynomial_v)


def chebyshev_polynomial_w(x, n, *, out=None):
    r"""The Chebyshev polynomial of the fourth kind :math:`W_n(x)`, element-wise. Mirrors
    ``torch.special.chebyshev_polynomial_w``.

    Computed by the recurrence of ``T`` from ``W_0 = 1``, ``W_1 = 2x + 1``; from ``n = 9``
    on, ``|x| < 1`` uses the trigonometric form ``sin((n + 1/2) acos x) / sin(acos(x) / 2)``
    instead. The result is exactly ``2n + 1`` at ``x = 1`` and ``(-1)^n`` at ``x = -1``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.chebyshev_polynomial_w(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-1.0000,  0.3440, 71.0000])
    """
    return _polynomial("chebyshev_polynomial_w", K.chebyshev_polynomial_w, x, n, out,
                       chebyshev_polynomial_w)


def shifted_chebyshev_polynomial_t(x, n, *, out=None):
    r"""The shifted Chebyshev polynomial of the first kind :math:`T^*_n(x) = T_n(2x - 1)`,
    element-wise. Mirrors ``torch.special.shifted_chebyshev_polynomial_t``.

    Computed by the recurrence of ``T`` at ``2x - 1``; from ``n = 7`` on, ``0 < x < 1``
    uses its trigonometric form instead. The result is exactly 1 at ``x = 1`` and
    ``(-1)^n`` at ``x = 0``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.shifted_chebyshev_polynomial_t(torch.tensor([0.5, 0.2, 2.0]), 3)
        tensor([-0.0000,  0.9360, 99.0000])
    """
    return _polynomial("shifted_chebyshev_polynomial_t", K.shifted_chebyshev_polynomial_t, x, n, out,
                       shifted_chebyshev_polynomial_t)


def shifted_chebyshev_polynomial_u(x, n, *, out=None):
    r"""The shifted Chebyshev polynomial of the second kind :math:`U^*_n(x) = U_n(2x - 1)`,
    element-wise. Mirrors ``torch.special.shifted_chebyshev_polynomial_u``.

    Computed by the recurrence of ``U`` at ``2x - 1``; from ``n = 7`` on, ``0 < x < 1``
    uses its trigonometric form instead. The result is exactly ``n + 1`` at ``x = 1`` and
    ``(-1)^n (n + 1)`` at ``x = 0``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.shifted_chebyshev_polynomial_u(torch.tensor([0.5, 0.2, 2.0]), 3)
        tensor([ -0.0000,   0.6720, 204.0000])
    """
    return _polynomial("shifted_chebyshev_polynomial_u", K.shifted_chebyshev_polynomial_u, x, n, out,
                       shifted_chebyshev_polynomial_u)


def shifted_chebyshev_polynomial_v(x, n, *, out=None):
    r"""The shifted Chebyshev polynomial of the third kind :math:`V^*_n(x) = V_n(2x - 1)`,
    element-wise. Mirrors ``torch.special.shifted_chebyshev_polynomial_v``.

    Computed by the recurrence of ``V`` at ``2x - 1``; from ``n = 7`` on, ``0 < x < 1``
    uses its trigonometric form instead. The result is exactly 1 at ``x = 1`` and
    ``(-1)^n (2n + 1)`` at ``x = 0``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.shifted_chebyshev_polynomial_v(torch.tensor([0.5, 0.2, 2.0]), 3)
        tensor([  1.0000,   0.2320, 169.0000])
    """
    return _polynomial("shifted_chebyshev_polynomial_v", K.shifted_chebyshev_polynomial_v, x, n, out,
                       shifted_chebyshev_polynomial_v)


def shifted_chebyshev_polynomial_w(x, n, *, out=None):
    r"""The shifted Chebyshev polynomial of the fourth kind :math:`W^*_n(x) = W_n(2x - 1)`,
    element-wise. Mirrors ``torch.special.shifted_chebyshev_polynomial_w``.

    Computed by the recurrence of ``W`` at ``2x - 1``; from ``n = 5`` on, ``0 < x < 1``
    uses its trigonometric form instead. The result is exactly ``2n + 1`` at ``x = 1`` and
    ``(-1)^n`` at ``x = 0``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the recurrence gives the
    same bits as PyTorch; the trigonometric form is within a few units in the last place of
    the angle (the C library's ``acos``/``cos``/``sin`` against the array library's). As in
    PyTorch, not differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.shifted_chebyshev_polynomial_w(torch.tensor([0.5, 0.2, 2.0]), 3)
        tensor([ -1.0000,   1.1120, 239.0000])
    """
    return _polynomial("shifted_chebyshev_polynomial_w", K.shifted_chebyshev_polynomial_w, x, n, out,
                       shifted_chebyshev_polynomial_w)


def hermite_polynomial_h(x, n, *, out=None):
    r"""The physicists' Hermite polynomial :math:`H_n(x)`, element-wise. Mirrors
    ``torch.special.hermite_polynomial_h``.

    Computed by the recurrence ``H_0 = 1``, ``H_1 = 2x``, ``H_(k+1) = 2x H_k - 2k H_(k-1)``.
    Degrees beyond 128 in float32 and beyond 512 in float64 give nan.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the same bits as PyTorch
    (its recurrence, with the fused multiply-add its compiled loop uses). As in PyTorch, not
    differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.hermite_polynomial_h(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-5.0000,  3.3840, 40.0000])
    """
    return _polynomial("hermite_polynomial_h", K.hermite_polynomial_h, x, n, out,
                       hermite_polynomial_h)


def hermite_polynomial_he(x, n, *, out=None):
    r"""The probabilists' Hermite polynomial :math:`He_n(x)`, element-wise. Mirrors
    ``torch.special.hermite_polynomial_he``.

    Computed by the recurrence ``He_0 = 1``, ``He_1 = x``, ``He_(k+1) = x He_k - k He_(k-1)``.
    Degrees beyond 128 in float32 and beyond 512 in float64 give nan.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the same bits as PyTorch
    (its recurrence, with the fused multiply-add its compiled loop uses). As in PyTorch, not
    differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.hermite_polynomial_he(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-1.3750,  0.8730,  2.0000])
    """
    return _polynomial("hermite_polynomial_he", K.hermite_polynomial_he, x, n, out,
                       hermite_polynomial_he)


def laguerre_polynomial_l(x, n, *, out=None):
    r"""The Laguerre polynomial :math:`L_n(x)`, element-wise. Mirrors
    ``torch.special.laguerre_polynomial_l``.

    Computed by the recurrence ``L_0 = 1``, ``L_1 = 1 - x``,
    ``L_(k+1) = ((2k + 1 - x) L_k - k L_(k-1)) / (k + 1)``. The result is exactly 1 at
    ``x = 0``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the same bits as PyTorch
    (its recurrence, with the fused multiply-add its compiled loop uses). As in PyTorch, not
    differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.laguerre_polynomial_l(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-0.1458,  2.0395, -0.3333])
    """
    return _polynomial("laguerre_polynomial_l", K.laguerre_polynomial_l, x, n, out,
                       laguerre_polynomial_l)


def legendre_polynomial_p(x, n, *, out=None):
    r"""The Legendre polynomial :math:`P_n(x)`, element-wise. Mirrors
    ``torch.special.legendre_polynomial_p``.

    Computed by the recurrence ``P_0 = 1``, ``P_1 = x``,
    ``P_(k+1) = ((2k + 1) x P_k - k P_(k-1)) / (k + 1)``. The result is exactly 1 at
    ``x = 1`` and ``(-1)^n`` at ``x = -1``.

    ``x`` and ``n`` are tensors, or one of them a Python number; they broadcast, and the
    result has their promoted dtype (integers and bool: the default float dtype). The degree
    is ``n`` in that dtype truncated to an integer (``2.7`` is 2); a negative, nan or
    infinite degree gives 0. PyTorch's algorithm in the same dtype: the same bits as PyTorch
    (its recurrence, with the fused multiply-add its compiled loop uses). As in PyTorch, not
    differentiable: the result never requires grad.

    The recurrence runs element by element up to its degree, as in PyTorch: its cost grows
    with ``n`` (a masked step per degree). Deliberate difference: for a nan ``x`` from
    degree 2, nan, where PyTorch returns an uninitialised variable (arbitrary values).

    Raises:
        TypeError: when neither argument is a tensor, or one is not a number.
        NotImplementedError: for complex, float16 and bfloat16 results.
        RuntimeError: when the shapes do not broadcast.

    Examples:
        >>> import reftorch as torch
        >>> torch.special.legendre_polynomial_p(torch.tensor([0.5, -0.3, 2.0]), 3)
        tensor([-0.4375,  0.3825, 17.0000])
    """
    return _polynomial("legendre_polynomial_p", K.legendre_polynomial_p, x, n, out,
                       legendre_polynomial_p)

