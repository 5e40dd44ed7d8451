"""The linear-algebra functions PyTorch removed in favour of ``torch.linalg``.

``torch.solve``, ``torch.lstsq``, ``torch.eig``, ``torch.symeig`` and
``torch.matrix_rank`` (and the ``Tensor`` methods ``solve``, ``lstsq``, ``eig``,
``symeig``) still exist in PyTorch 2.13, only to raise a ``RuntimeError`` that names
the ``torch.linalg`` replacement. Mirrors ``torch/_linalg_utils.py``: the arguments are
not looked at, any call raises (a wrong number of arguments is Python's ``TypeError``).
"""
from __future__ import annotations

_REMOVED = "This function was deprecated since version 1.9 and is now removed. "


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    """Removed: always raises, pointing to ``torch.linalg.matrix_rank``.

    Mirrors ``torch.matrix_rank``.

    Raises:
        RuntimeError: always.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.matrix_rank(torch.eye(3))
        tensor(3)
    """
    raise RuntimeError(
        _REMOVED.rstrip(" ") + "\n"
        "Please use the `torch.linalg.matrix_rank` function instead. "
        "The parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")


def solve(input, A, *, out=None):
    """Removed: always raises. ``torch.solve(B, A).solution`` is now
    ``torch.linalg.solve(A, B)`` (arguments reversed).

    Mirrors ``torch.solve``.

    Raises:
        RuntimeError: always.
    """
    raise RuntimeError(
        _REMOVED + "`torch.solve` is deprecated in favor of `torch.linalg.solve`. "
        "`torch.linalg.solve` has its arguments reversed and does not return the LU factorization.\n\n"
        "To get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
        "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
        "X = torch.linalg.solve(A, B)")


def lstsq(input, A, *, out=None):
    """Removed: always raises. ``torch.lstsq(B, A)`` is now ``torch.linalg.lstsq(A, B)``
    (arguments reversed; the solution is its ``solution`` field).

    Mirrors ``torch.lstsq``.

    Raises:
        RuntimeError: always.
    """
    raise RuntimeError(
        _REMOVED + "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
        "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in "
        "the returned tuple (although it returns other information about the problem).\n\n"
        "To get the QR decomposition consider using `torch.linalg.qr`.\n\n"
        "The returned solution in `torch.lstsq` stored the residuals of the solution in the "
        "last m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, "
        "the residuals are in the field 'residuals' of the returned named tuple.\n\n"
        "The unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\n"
        "should be replaced with:\nX = torch.linalg.lstsq(A, B).solution")


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """Removed: always raises, pointing to ``torch.linalg.eigvalsh`` / ``torch.linalg.eigh``
    (which read the lower triangle by default; ``symeig`` read the upper one).

    Mirrors ``torch.symeig``.

    Raises:
        RuntimeError: always.
    """
    raise RuntimeError(
        _REMOVED + "The default behavior has changed from using the upper triangular portion of the "
        "matrix by default to using the lower triangular portion.\n\n"
        "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
        "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
        "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
        "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")


def eig(self, eigenvectors=False, *, e=None, v=None):
    """Removed: always raises, pointing to ``torch.linalg.eigvals`` / ``torch.linalg.eig``
    (which return complex tensors).

    Mirrors ``torch.eig``.

    Raises:
        RuntimeError: always.
    """
    raise RuntimeError(
        _REMOVED + "`torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather "
        "than real tensors mimicking complex tensors.\n\n"
        "L, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\n"
        "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
        "L_complex, V_complex = torch.linalg.eig(A)")


def _tensor_solve(self, other):
    """Removed: always raises (see :func:`solve`). Mirrors ``torch.Tensor.solve``."""
    return solve(self, other)


def _tensor_lstsq(self, other):
    """Removed: always raises (see :func:`lstsq`). Mirrors ``torch.Tensor.lstsq``."""
    return lstsq(self, other)


def _tensor_eig(self, eigenvectors=False):
    """Removed: always raises (see :func:`eig`). Mirrors ``torch.Tensor.eig``."""
    return eig(self, eigenvectors=eigenvectors)


def _tensor_symeig(self, eigenvectors=False):
    """Removed: always raises (see :func:`symeig`). Mirrors ``torch.Tensor.symeig``."""
    return symeig(self, eigenvectors=eigenvectors)


#: The Tensor methods (bound in ``_tensor_methods.py``).
TENSOR_METHODS = {"solve": _tensor_solve, "lstsq": _tensor_lstsq, "eig": _tensor_eig, "symeig": _tensor_symeig}
