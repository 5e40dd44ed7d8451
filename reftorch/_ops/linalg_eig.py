"""``torch.linalg.eig`` and ``torch.linalg.eigvals``: eigenvalues and eigenvectors of general
(non-symmetric) square matrices, always complex.

The kernel is the backend's ``xp.linalg.eig`` (LAPACK's ``geev`` on the CPU, as PyTorch's):
each eigenvector has norm 1 and its largest component real. The order of the eigenvalues
and the phases of the eigenvectors are LAPACK's; only the pairs ``(L_i, V[:, i] * e^{i phi})``
are unique.

The gradient is PyTorch's ``linalg_eig_backward`` (non-Hermitian case):
``gA = V^{-H} (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / E*) V^H`` with
``E*_ij = conj(L_j) - conj(L_i)``; its real part for a real ``A``.
"""
from __future__ import annotations

from .. import _dtype as D
from .._tensor import tensor_arg
from ..autograd.function import OpFunction
from .linalg_decomp import _no_half
from .linalg_solve import check_square, mT
from .reduction import _return_type
from .. import _autocast
from .._autocast import anywhere as _autocasting

linalg_eig_rt = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))

_PHASE = ("linalg_eig_backward: The eigenvectors in the complex case are specified up to multiplication by "
          "e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.")


def _complex_of(d):
    return D.complex128 if d in (D.float64, D.complex128) else D.complex64


class Eig(OpFunction):
    """``(eigenvalues, eigenvectors)`` of general square matrices, complex."""

    name = "LinalgEigBackward0"
    arity = 1
    multi_output = True

    @staticmethod
    def forward(ctx, A):
        b = A._backend
        xp = b.xp
        native = b.dtype(_complex_of(A.dtype))
        n = A.shape[-1]
        if n == 0 or A.numel() == 0:
            w = xp.zeros(tuple(A.shape[:-1]), dtype=native, **b._dev_kw())
            v = xp.zeros(tuple(A.shape), dtype=native, **b._dev_kw())
        else:
            w, v = xp.linalg.eig(A._data)
            w, v = xp.astype(w, native), xp.astype(v, native)
        if ctx.needs_input_grad:
            ctx.w, ctx.v, ctx.real_input = w, v, not A.dtype.is_complex
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        b = ctx.backend
        xp = b.xp
        w, v = ctx.w, ctx.v
        n = w.shape[-1]
        eye = xp.eye(n, dtype=xp.bool, **b._dev_kw())
        vh = xp.conj(mT(xp, v))
        if gv is None:
            inner = xp.zeros(v.shape, dtype=v.dtype, **b._dev_kw())
        else:
            vhgv = xp.matmul(vh, gv)
            diag = xp.linalg.diagonal(vhgv)
            if not bool(xp.all(xp.abs(xp.imag(diag)) <= 1e-2)):
                raise RuntimeError(_PHASE)
            inner = vhgv - xp.matmul(vh, v * xp.expand_dims(xp.astype(xp.real(diag), v.dtype), axis=-2))
            wc = xp.conj(w)
            e = xp.expand_dims(wc, axis=-2) - xp.expand_dims(wc, axis=-1)
            inner = inner / xp.where(eye, xp.ones_like(e), e)
        if gw is not None:
            inner = xp.where(eye, xp.expand_dims(xp.astype(gw, v.dtype), axis=-1), inner)
        ga = xp.linalg.solve(vh, xp.matmul(inner, vh))
        return xp.real(ga) if ctx.real_input else ga


def _checked(A, who, fn, finite=True):
    tensor_arg(A, fn, "input", 1)
    check_square(A, who)
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise RuntimeError(f"Unknown Complex ScalarType for {D.scalar_name(A.dtype)}")
    _no_half(A, "linalg_eig_out_cpu")
    if finite and A.numel() and not bool(A._backend.xp.all(A._backend.xp.isfinite(A._data))):
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")


def _eigvals_nonfinite(A):
    """``eigvals`` of matrices with NaN or infinite entries (PyTorch lets LAPACK run on them
    when no gradient is needed): NaN for every eigenvalue of such a matrix."""
    b = A._backend
    xp = b.xp
    bad = ~xp.all(xp.isfinite(A._data), axis=(-2, -1))
    clean = xp.where(xp.expand_dims(xp.expand_dims(bad, axis=-1), axis=-1), xp.zeros_like(A._data), A._data)
    w = Eig.apply(type(A)._wrap(clean, A.device, b))[0]
    nan = xp.asarray(float("nan"), dtype=w._data.dtype, **b._dev_kw())
    return type(A)._wrap(xp.where(xp.expand_dims(bad, axis=-1), nan, w._data), A.device, b)


def eig(A, *, out=None):
    """The eigenvalues and eigenvectors of each square matrix of ``A``:
    ``A @ V = V @ diag(L)``, as ``torch.return_types.linalg_eig(eigenvalues, eigenvectors)``.

    Both are complex (``complex64`` for float32 input, ``complex128`` for float64), shapes
    ``(*, n)`` and ``(*, n, n)``. Each eigenvector (a column of ``V``) has norm 1; the order of
    the eigenvalues and the phase of each eigenvector are those of LAPACK's ``geev``, as in
    PyTorch, and only the pairs of an eigenvalue and its eigenvector up to a phase are
    unique. Mirrors ``torch.linalg.eig`` (``grad_fn=<LinalgEigBackward0>``; a loss that
    depends on the phases raises in backward, as in PyTorch).

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype,
            or NaN/infinite entries.
        NotImplementedError: for float16.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.eig(torch.tensor([[2., 1.], [0., 3.]])).eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_eig", eig, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.eig(out=...) is not supported")
    _checked(A, "linalg.eig", "linalg_eig")
    return linalg_eig_rt(*Eig.apply(A))


def eigvals(A, *, out=None):
    """The eigenvalues of each square matrix of ``A``, complex, in LAPACK's order (those of
    :func:`eig`). Mirrors ``torch.linalg.eigvals`` (``grad_fn=<LinalgEigBackward0>``). A
    matrix with NaN or infinite entries gets NaN eigenvalues (PyTorch returns what LAPACK
    makes of it; with a gradient both raise).

    Raises:
        RuntimeError: for fewer than 2 dimensions, non-square matrices, an integer dtype,
            or NaN/infinite entries when ``A`` requires grad.

    Examples:
        >>> import reftorch as torch
        >>> torch.linalg.eigvals(torch.tensor([[0., -1.], [1., 0.]]))
        tensor([0.+1.j, 0.-1.j])
    """
    if _autocasting.threads and _autocast.here.cpu:  # autocast (reftorch/_autocast.py)
        return _autocast.run("linalg_eigvals", eigvals, locals())
    if out is not None:
        raise NotImplementedError("reftorch: linalg.eigvals(out=...) is not supported")
    tensor_arg(A, "linalg_eigvals", "input", 1)
    _checked(A, "linalg.eigvals", "linalg_eigvals", finite=A.requires_grad)
    if A.numel() and not bool(A._backend.xp.all(A._backend.xp.isfinite(A._data))):
        return _eigvals_nonfinite(A)
    return Eig.apply(A)[0]
