"""``torch.linalg`` functions that PyTorch composes from other ops: ``vander``, ``diagonal``,
``cond``, ``tensorinv`` and ``tensorsolve``. Each is written in PyTorch's composition, so its
values, errors and ``grad_fn`` names are those of the ops it is made of.
"""
from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor, int_arg, tensor_arg
from .cumulative import cumprod
from .diagonal import diagonal as torch_diagonal
from .join import cat
from .linalg_solve import check_square, inv_ex, raise_singular, solve
from .norm import matrix_norm, svdvals
from .shape import movedim
from .. import _autocast
from .._autocast import anywhere as _autocasting


# ----------------------------------------------------------------------------- vander
def vander(x, *, N=None):
    """The Vandermonde matrix of the last dimension of ``x``: ``out[..., i, j] = x[..., i] ** j``
    for ``j`` in ``0 .. N - 1`` (increasing powers, unlike :func:`reftorch.vander`).

    Mirrors ``torch.linalg.vander``: a column of ones concatenated with the running
    products of ``x`` (``grad_fn=<CatBackward0>``); integer inputs give int64 (PyTorch's
    ``cumprod``); a 0-dim ``x`` is one row.

    Args:
        x: a float, complex or integer tensor of shape ``(*, n)``.
        N: the number of columns (default ``n``); must be greater than 1.

    Returns:
        Tensor: of shape ``(*, n, N)``.

    Raises:
        RuntimeError: for bool or half dtypes, or ``N`` below 2.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.vander(torch.tensor([1, 2, 3]))
        tensor([[1, 1, 1],
                [1, 2, 4],
                [1, 3, 9]])
    """
    tensor_arg(x, "linalg_vander", "x", 1)
    if not (x.dtype in (D.float32, D.float64, D.complex64, D.complex128)
            or (not x.dtype.is_floating_point and not x.dtype.is_complex and x.dtype is not D.bool)):
        raise RuntimeError(f"linalg.vander supports floating point, complex, and integer tensors, but got "
                           f"{D.scalar_name(x.dtype)}")
    x_ = x.unsqueeze(-1) if x.dim() == 0 else x
    shape = list(x_.shape)
    n = shape[-1] if N is None else int_arg(N, "linalg_vander", "N", 2)
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    result = cumprod(x_.unsqueeze(-1).expand(*shape, n - 1), -1)
    ones = result.new_ones(*shape, 1)
    return cat([ones, result], -1)


# ----------------------------------------------------------------------------- diagonal
def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices of ``A``: :func:`reftorch.diagonal` with the last two
    dimensions as the default plane. Mirrors ``torch.linalg.diagonal`` (a view,
    ``grad_fn=<DiagonalBackward0>``).

    Args:
        A: a tensor of at least 2 dimensions.
        offset: which diagonal: 0 the main one, positive above it, negative below.
        dim1: the first dimension of the plane (default -2).
        dim2: the second dimension of the plane (default -1).

    Raises:
        IndexError: for a dimension out of range.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.diagonal(torch.arange(8.).reshape(2, 2, 2))
        tensor([[0., 3.],
                [4., 7.]])
    """
    tensor_arg(A, "linalg_diagonal", "A", 1)
    return torch_diagonal(A, offset, dim1, dim2)


# ----------------------------------------------------------------------------- cond
def _ord_text(p):
    """``p`` as PyTorch's messages print it (``std::to_string`` of a double: ``1.000000``)."""
    if isinstance(p, str):
        return p
    if math.isinf(p):
        return "inf" if p > 0 else "-inf"
    return f"{float(p):.6f}" if isinstance(p, float) else str(int(p))


def cond(A, p=None, *, out=None):
    """The condition number of each matrix of ``A`` in the norm ``p``: ``norm(A) *
    norm(inv(A))``, or for ``p`` in ``None``, 2, -2 the ratio of its largest and smallest
    singular values (``-2``: smallest over largest).

    ``p``: ``None`` (= 2), 2, -2, 1, -1, ``inf``, ``-inf``, ``"fro"`` or ``"nuc"``. The
    norms other than ±2 need square matrices; a singular matrix then gives ``inf``. An empty
    matrix gives 0. Mirrors ``torch.linalg.cond``, composed as PyTorch does
    (``grad_fn``: ``SqueezeBackward1`` for ±2, ``MulBackward0`` for ``"nuc"`` (the sums of
    the singular values and of their reciprocals), ``NanToNumBackward0`` otherwise). As in
    PyTorch 2.13, whose composition writes ``inf`` into the saved inverse in place, backward
    through ``p`` = ±1, ±inf or ``"fro"`` raises RuntimeError.

    Args:
        A: a float32/float64 tensor of shape ``(*, m, n)``.
        p: the norm (default ``None``).

    Returns:
        Tensor: of shape ``(*)`` and ``A``'s real dtype.

    Raises:
        RuntimeError: for fewer than 2 dimensions, an unknown ``p``, a non-square matrix for
            ``p`` other than ±2, or an integer dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.cond(torch.tensor([[1., 0.], [0., 4.]]))
        tensor(4.)
        >>> torch.linalg.cond(torch.tensor([[1., 0.], [0., -4.]]), 1)
        tensor(4.)
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_cond", cond, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.cond(out=...) is not supported")
    tensor_arg(A, "linalg_cond", "A", 1)
    if isinstance(p, str):
        check_square(A, f"linalg.cond(ord={p})")
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
        if A.numel() == 0:
            return _empty_cond(A)
        if p == "nuc":  # sum(s) * sum(1 / s) of the singular values s
            return svdvals(A).sum(-1) * svdvals(A).reciprocal().sum(-1)
        return _cond_by_inverse(A, p)
    if A.dim() < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    ord_ = 2 if p is None else p
    if abs(ord_) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {_ord_g(ord_)}")
    if A.numel() == 0:
        return _empty_cond(A)
    if abs(ord_) == 2:
        s = svdvals(A)
        s_max, s_min = s.narrow(-1, 0, 1), s.narrow(-1, s.shape[-1] - 1, 1)
        return (s_min / s_max if ord_ == -2 else s_max / s_min).squeeze(-1)
    check_square(A, f"linalg.cond(ord={_ord_text(ord_)})")
    return _cond_by_inverse(A, ord_)


def _ord_g(p):
    """A number as PyTorch's ``Scalar`` prints in a message (``3``, ``0.5``)."""
    return str(int(p)) if float(p).is_integer() else repr(float(p))


def _empty_cond(A):
    b = A._backend
    return Tensor._wrap(b.zeros(tuple(A.shape[:-2]), A.dtype.to_real()), A.device, b)


def _cond_by_inverse(A, p):
    """PyTorch's ``_linalg_cond_helper``: the inverse (inf where singular), both norms, and
    the product with ``0 * inf`` made ``inf``."""
    inverse, info = inv_ex(A)
    inverse.masked_fill_(info.unsqueeze(-1).unsqueeze(-1) > 0, math.inf)  # (in place: see cond)
    result = matrix_norm(A, p) * matrix_norm(inverse, p)
    return result.nan_to_num_(math.inf, math.inf, -math.inf)


# ----------------------------------------------------------------------------- tensorinv, tensorsolve
def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` seen as a linear map from its last dimensions (from ``ind`` on)
    to its first ``ind``: the result ``X``, of shape ``A.shape[ind:] + A.shape[:ind]``,
    satisfies ``tensordot(X, A, ind)`` = identity.

    Mirrors ``torch.linalg.tensorinv`` (the matrix inverse of ``A`` reshaped, reshaped back:
    ``grad_fn=<ReshapeAliasBackward0>``).

    Args:
        A: a float32/float64 tensor with ``prod(A.shape[:ind]) == prod(A.shape[ind:])``.
        ind: how many leading dimensions (default 2), positive.

    Raises:
        RuntimeError: for ``ind < 1`` or sizes whose products differ.
        LinAlgError: for a singular map.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.tensorinv(torch.eye(4).reshape(4, 2, 2) * 2, ind=1).shape
        torch.Size([2, 2, 4])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_tensorinv", tensorinv, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.tensorinv(out=...) is not supported")
    tensor_arg(A, "linalg_tensorinv", "A", 1)
    ind = int_arg(ind, "linalg_tensorinv", "ind", 2)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    end, start = list(A.shape[ind:]), list(A.shape[:ind])
    p_end, p_start = math.prod(end), math.prod(start)
    if p_end != p_start:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {p_end} != {p_start}")
    result, info = inv_ex(A.reshape(p_end, p_end))
    raise_singular(A._backend, info._data, "inv",
                   lambda k: f"The diagonal element {k} is zero, the inversion could not be completed because the "
                             "input matrix is singular.")
    # (PyTorch's inverse is column-major, LAPACK's layout, so that its reshape is a
    # ReshapeAliasBackward0 view: the same layout here)
    return result.mT.contiguous().mT.reshape(end + start)


def tensorsolve(A, B, dims=None, *, out=None):
    """The ``X`` with ``tensordot(A, X, X.ndim) == B``: ``A`` seen as a linear map from its
    last dimensions (after ``B.ndim``) to ``B``'s shape. ``dims`` first moves those
    dimensions of ``A`` to the end.

    Mirrors ``torch.linalg.tensorsolve`` (:func:`reftorch.linalg.solve` of the reshaped
    ``A`` and flattened ``B``, reshaped: ``grad_fn=<ViewBackward0>``).

    Args:
        A: a float32/float64 tensor with ``prod(A.shape[B.ndim:]) == B.numel()``.
        B: a tensor of ``A``'s dtype.
        dims: dimensions of ``A`` to move to the end first (default ``None``).

    Returns:
        Tensor: of shape ``A.shape[B.ndim:]`` (after the move).

    Raises:
        RuntimeError: for sizes whose products differ.
        LinAlgError: for a singular map.

    Examples:
        >>> import reftorch as torch
        >>> A = torch.eye(6).reshape(2, 3, 6) * 2
        >>> torch.linalg.tensorsolve(A, torch.ones(2, 3))
        tensor([0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_tensorsolve", tensorsolve, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.tensorsolve(out=...) is not supported")
    tensor_arg(A, "linalg_tensorsolve", "A", 1)
    tensor_arg(B, "linalg_tensorsolve", "B", 2)
    ndim = A.dim()
    a = A
    if dims is not None:
        dims = list(dims)
        a = movedim(a, dims, list(range(ndim - len(dims), ndim)))
    result_shape = list(a.shape[B.dim():])
    p_res, p_other = math.prod(result_shape), B.numel()
    if p_res != p_other:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {p_res} != {p_other}")
    return solve(a.reshape(p_res, p_res), B.flatten()).reshape(result_shape)
