"""``torch.linalg.matrix_exp`` (and ``torch.matrix_exp``, ``Tensor.matrix_exp``): the
exponential of square matrices, computed as PyTorch computes it.

PyTorch's algorithm (Bader, Blanes and Casas, "Computing the Matrix Exponential with an
Optimized Taylor Polynomial Approximation", 2019): the 1-norm of a single matrix picks a
Taylor polynomial of degree 1, 2, 4, 8 or 12, each evaluated with few matrix products; a
matrix of larger norm, and every matrix of a batch of several, is scaled by ``2**-s`` so
that the degree-18 polynomial suffices, and the result squared ``s`` times. The bounds on the norm (``thetas``) and the coefficients are
PyTorch's, rounded to the matrix's precision as PyTorch's ``float`` constants are, so the
values agree with PyTorch's to float rounding.

The gradient is PyTorch's too (Mathias, 1996): the exponential of the ``2n x 2n`` block
matrix ``[[A^H, G], [0, A^H]]``, whose upper right block is the gradient of ``A``.
"""
from __future__ import annotations

import math
import struct

from .._tensor import Tensor, tensor_arg
from ..autograd.function import OpFunction
from .creation import zeros_like
from .join import cat
from .linalg_solve import check_floating, check_square

#: Largest 1-norm for the degrees 1, 2, 4, 8, 12 and 18, single and double precision.
_THETAS = {
    "single": (1.192092800768788e-07, 5.978858893805233e-04, 5.116619363445086e-02, 5.800524627688768e-01,
               1.461661507209034e+00, 3.010066362817634e+00),
    "double": (2.220446049250313e-16, 2.580956802971767e-08, 3.397168839976962e-04, 4.991228871115323e-02,
               2.996158913811580e-01, 1.090863719290036e+00),
}

#: The coefficients of the degree-12 and degree-18 polynomials: ``B[i] = sum_j b[i][j] * A^j``
#: over the powers ``I, A, A^2, A^3`` (and ``A^6`` for degree 18).
_B12 = ((9.0198e-16, 0.46932117595418237389, -0.20099424927047284052, -0.04623946134063071740),
        (5.31597895759871264183, 1.19926790417132231573, 0.01179296240992997031, 0.01108844528519167989),
        (0.18188869982170434744, 0.05502798439925399070, 0.09351590770535414968, 0.00610700528898058230),
        (-2.0861320e-13, -0.13181061013830184015, -0.02027855540589259079, -0.00675951846863086359))
_B18 = ((0., -1.00365581030144618291e-01, -8.02924648241156932449e-03, -8.92138498045729985177e-04, 0.),
        (0., 3.97849749499645077844e-01, 1.36783778460411720168e+00, 4.98289622525382669416e-01,
         -6.37898194594723280150e-04),
        (-1.09676396052962061844e+01, 1.68015813878906206114e+00, 5.71779846478865511061e-02,
         -6.98210122488052056106e-03, 3.34975017086070470649e-05),
        (-9.04316832390810593223e-02, -6.76404519071381882256e-02, 6.75961301770459654925e-02,
         2.95552570429315521194e-02, -1.39180257516060693404e-05),
        (0., 0., -9.23364619367118555360e-02, -1.69364939002081722752e-02, -1.40086798182036094347e-05))


def _single(v):
    """``v`` rounded to single precision (a C++ ``float`` constant)."""
    return struct.unpack("f", struct.pack("f", v))[0]


def _t8_constants(single):
    """PyTorch's ``compute_T8`` constants: ``sqrt_177`` and ``x3`` are ``scalar_t``, the
    others computed in double from them, then rounded to ``scalar_t``."""
    r = _single if single else float
    sqrt_177, x3 = r(0.1330413469565007072504e+2), r(2. / 3.)
    return tuple(r(v) for v in (x3 * ((1. + sqrt_177) / 88.), x3 * ((1. + sqrt_177) / 352.), x3,
                                (-271. + 29. * sqrt_177) / (315. * x3), (-11. + 11. * sqrt_177) / (1260. * x3),
                                (-99. + 11. * sqrt_177) / (5040. * x3), (89. - sqrt_177) / (5040. * x3),
                                (857. - 58. * sqrt_177) / 630.))


def _combine(mats, coefficients):
    """``sum_j coefficients[j] * mats[j]``, every term included (a NaN anywhere spreads)."""
    out = mats[0] * coefficients[0]
    for m, c in zip(mats[1:], coefficients[1:]):
        out = out + m * c
    return out


def _powers(b, a, count):
    """The first ``count`` of ``I, A, A^2, A^3, A^6`` (a batch of matrices ``a``)."""
    xp = b.xp
    eye = xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype, **b._dev_kw()), a.shape)
    out = [eye, a]
    if count > 2:
        out.append(xp.matmul(a, a))
    if count > 3:
        out.append(xp.matmul(a, out[2]))
    if count > 4:
        out.append(xp.matmul(out[3], out[3]))
    return out


def _taylor(b, a, degree, single):
    """PyTorch's ``compute_T{degree}`` for the matrices ``a``."""
    xp = b.xp
    if degree == 1:
        eye, a1 = _powers(b, a, 2)
        return eye + a1
    if degree == 2:
        eye, a1, a2 = _powers(b, a, 3)
        return eye + a1 + a2 / 2.0
    if degree == 4:
        p = _powers(b, a, 3)
        a4 = xp.matmul(p[2], _combine(p, (1 / 2.0, 1 / 6.0, 1 / 24.0)))
        return _combine(p + [a4], (1.0, 1.0, 0.0, 1.0))
    if degree == 8:
        x1, x2, x3, x4, x5, x6, x7, y2 = _t8_constants(single)
        p = _powers(b, a, 3)
        a4 = xp.matmul(p[2], _combine(p[1:], (x1, x2)))
        a8 = xp.matmul(_combine([p[2], a4], (x3, 1.0)), _combine(p + [a4], (x4, x5, x6, x7)))
        return _combine(p + [a4, a8], (1.0, 1.0, y2, 0.0, 1.0))
    if degree == 12:
        p = _powers(b, a, 4)
        bs = [_combine(p, row) for row in _B12]
        bs[2] = bs[2] + xp.matmul(bs[3], bs[3])
        return bs[0] + xp.matmul(bs[1] + bs[2], bs[2])
    p = _powers(b, a, 5)
    bs = [_combine(p, row) for row in _B18]
    bs[3] = bs[3] + xp.matmul(bs[0], bs[4])
    return bs[1] + xp.matmul(bs[2] + bs[3], bs[3])


def _scale_square(b, a, norm, theta, single):
    """Degree 18 after scaling each matrix by ``2**-s``, then ``s`` squarings."""
    xp = b.xp
    zero = xp.zeros(norm.shape, dtype=norm.dtype, **b._dev_kw())
    s = xp.astype(xp.maximum(zero, xp.ceil(xp.log2(norm / theta))), xp.int64)
    scale = xp.astype(xp.reshape(2 ** s, s.shape + (1, 1)), a.dtype)
    out = _taylor(b, a / scale, 18, single)
    mats = []
    for i in range(out.shape[0]):
        m = out[i, ...]
        for _ in range(int(s[i])):
            m = xp.matmul(m, m)
        mats.append(m)
    return xp.stack(mats)


def _mexp(b, a):
    """The exponential of each matrix of the array ``a`` (``(*, n, n)``), as PyTorch's
    ``mexp`` computes it."""
    xp = b.xp
    n = a.shape[-1]
    if n == 0:
        return b.copy(a)
    if n == 1:
        return xp.exp(a)
    single = a.dtype in (xp.float32, xp.complex64)
    thetas = _THETAS["single" if single else "double"]
    a3 = xp.reshape(a, (-1, n, n))
    norm = xp.max(xp.sum(xp.abs(a3), axis=-2), axis=-1)
    finite = xp.isfinite(norm)
    norm = xp.where(finite, norm, xp.zeros((), dtype=norm.dtype, **b._dev_kw()))
    if a3.shape[0] > 1:  # PyTorch: a batch takes degree 18 with scaling, whatever the norms
        res = _scale_square(b, a3, norm, thetas[5], single)
    else:
        res = xp.zeros(a3.shape, dtype=a3.dtype, **b._dev_kw())
        lower = -1.0
        for theta, degree in zip(thetas[:5], (1, 2, 4, 8, 12)):
            mask = (norm > lower) & (norm <= theta)
            if bool(xp.any(mask)):
                b.setitem(res, mask, _taylor(b, b.getitem(a3, mask), degree, single))
            lower = theta
        mask = norm >= thetas[4]
        if bool(xp.any(mask)):
            b.setitem(res, mask, _scale_square(b, b.getitem(a3, mask), b.getitem(norm, mask), thetas[5], single))
    if not bool(xp.all(finite)):  # a NaN or infinite entry: NaN (PyTorch's values there vary)
        b.setitem(res, ~finite, xp.asarray(math.nan, dtype=res.dtype, **b._dev_kw()))
    return xp.reshape(res, a.shape)


class LinalgMatrixExp(OpFunction):
    """The matrix exponential; its gradient is the exponential of a block matrix."""

    name = "LinalgMatrixExpBackward0"
    arity = 1
    create_graph = True  # (the backward below has a tensor form)

    @staticmethod
    def forward(ctx, A):
        if ctx.needs_input_grad:
            ctx.save_for_backward(A)
        return _mexp(A._backend, A._data)

    @staticmethod
    def backward(ctx, g):
        (A,) = ctx.saved_tensors
        n = A.shape[-1]
        if isinstance(g, Tensor):  # create_graph: the same block matrix, from differentiable ops
            ah = A.mT.conj() if A.is_complex() else A.mT
            meta = cat([cat([ah, g], -1), cat([zeros_like(ah), ah], -1)], -2)
            return (matrix_exp(meta)[..., :n, n:],)
        b = ctx.backend
        xp = b.xp
        a = A._data
        ah = xp.conj(xp.matrix_transpose(a)) if xp.isdtype(a.dtype, "complex floating") else xp.matrix_transpose(a)
        meta = xp.zeros(a.shape[:-2] + (2 * n, 2 * n), dtype=g.dtype, **b._dev_kw())
        b.setitem(meta, (Ellipsis, slice(0, n), slice(0, n)), xp.astype(ah, g.dtype))
        b.setitem(meta, (Ellipsis, slice(n, None), slice(n, None)), xp.astype(ah, g.dtype))
        b.setitem(meta, (Ellipsis, slice(0, n), slice(n, None)), g)
        return (b.copy(_mexp(b, meta)[..., :n, n:]),)


def matrix_exp(A):
    """The exponential ``exp(A) = sum_k A^k / k!`` of each square matrix in the last two
    dimensions of ``A``.

    Computed with PyTorch's algorithm: a Taylor polynomial of degree 1 to 18 chosen from
    the matrix's 1-norm, with scaling and squaring above it, so the values agree with
    PyTorch's to float rounding. Mirrors ``torch.linalg.matrix_exp`` (also
    ``torch.matrix_exp``, ``Tensor.matrix_exp``; ``grad_fn=<LinalgMatrixExpBackward0>``).
    For float16 reftorch computes a correct exponential where PyTorch 2.13's
    CPU kernel returns wrong values.

    Args:
        A: a floating point or complex tensor of shape ``(*, n, n)``.

    Returns:
        Tensor: of ``A``'s shape and dtype.

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices or an integer dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.matrix_exp(torch.tensor([[0., 1.], [0., 0.]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    tensor_arg(A, "linalg_matrix_exp", "input", 1)
    return _matrix_exp(A)


def _matrix_exp(A):
    check_square(A, "linalg.matrix_exp")
    check_floating(A, "linalg.matrix_exp", low_precision=False)
    return LinalgMatrixExp.apply(A)


def torch_matrix_exp(input):
    """The exponential of each square matrix of ``input``: ``torch.matrix_exp``, the same as
    :func:`reftorch.linalg.matrix_exp`.

    Examples:
        >>> import reftorch as torch
        >>> torch.matrix_exp(torch.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    tensor_arg(input, "matrix_exp", "input", 1)
    return _matrix_exp(input)

