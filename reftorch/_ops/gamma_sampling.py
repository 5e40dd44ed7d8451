"""Gamma and Dirichlet draws: ``torch._standard_gamma`` (with its reparameterised
gradient ``torch._standard_gamma_grad``) and ``torch._sample_dirichlet``, the samplers
behind ``distributions.Gamma``, ``Beta`` and ``Dirichlet``.

The draws are PyTorch's CPU ``sample_gamma`` (``aten/src/ATen/native/Distributions.h``,
Marsaglia and Tsang's rejection method), element by element in memory order, with its
float64 uniforms and float64 Box-Muller normals from the generator, and its arithmetic in
the tensor's dtype where the C++ computes in ``scalar_t``: the same numbers as PyTorch
after the same seed.
"""
from __future__ import annotations

import math

import numpy as _np  # host-side: the generator produces NumPy arrays, the draws are scalar loops

from .. import _dtype as D
from .._tensor import Tensor
from ..random import _engine
from ..autograd.function import OpFunction as Function
from . import _special_kernels as K
from .sampling import _NP, _not_implemented

_F32_THIRD = float(_np.float32(1.0) / _np.float32(3.0))  # the C++ literal 1.0f / 3.0f
_F32_0331 = float(_np.float32(0.0331))                   # 0.0331f


def _sample_gamma(alpha, f32, unit, normal):
    """One draw of Gamma(alpha, 1) as PyTorch's ``sample_gamma``: ``alpha`` a float of the
    tensor's dtype (``f32``: float32, whose arithmetic on ``alpha`` stays in float32);
    ``unit``/``normal`` return float64 draws. Returns a float64 value."""
    scale = 1.0
    if alpha < 1.0:  # boost alpha for a higher acceptance probability
        if alpha == 0.0:
            return 0.0
        inv = float(_np.float32(1.0) / _np.float32(alpha)) if f32 else 1.0 / alpha
        scale *= math.pow(1 - unit(), inv)
        alpha = float(_np.float32(alpha) + _np.float32(1.0)) if f32 else alpha + 1.0
    d = float(_np.float32(alpha) - _np.float32(_F32_THIRD)) if f32 else alpha - _F32_THIRD
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1 - unit()
        xx = x * x
        if u < 1.0 - _F32_0331 * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _draws(eng):
    return (lambda: float(eng.uniform(1, 0.0, 1.0, dtype=_np.float64)[0]),
            lambda: float(eng.normal(1, 0.0, 1.0, dtype=_np.float64)[0]))


def _gamma_grad_one(alpha, x, digamma_alpha):
    """``d x / d alpha`` of a Gamma(alpha, 1) draw ``x`` (PyTorch's
    ``standard_gamma_grad_one``, in float64): a Taylor series for small ``x``, Rice's saddle
    point expansion for large ``alpha``, else a bivariate rational approximation."""
    if x < 0.8:
        numer, denom = 1.0, alpha
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer *= -x / i
            denom += 1
            series1 += numer / denom
            series2 += numer / (denom * denom)
        pow_x_alpha = math.pow(x, alpha)
        gamma_pdf = math.pow(x, alpha - 1) * math.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        gamma_cdf_alpha = (math.log(x) - digamma_alpha) * gamma_cdf - pow_x_alpha * series2
        result = -gamma_cdf_alpha / gamma_pdf if gamma_pdf else math.nan
        return 0.0 if math.isnan(result) else result
    if alpha > 8.0:
        if 0.9 * alpha <= x <= 1.1 * alpha:
            numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
            numer_2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
            return numer_1 * numer_2 / (1244160 * (alpha * alpha) * (alpha * alpha))
        denom = math.sqrt(8 * alpha)
        term2 = denom / (alpha - x)
        term3 = math.pow(x - alpha - alpha * math.log(x / alpha), -1.5)
        term23 = term2 - term3 if x < alpha else term2 + term3
        term1 = math.log(x / alpha) * term23 - math.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
        stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
        return -stirling * x * term1 / denom
    u, v = math.log(x / alpha), math.log(alpha)
    coef = [a + u * (b + u * c) for a, b, c in zip(*_GRAD_COEF_UV)]
    p = coef[0] + v * (coef[1] + v * (coef[2] + v * coef[3]))
    q = coef[4] + v * (coef[5] + v * (coef[6] + v * coef[7]))
    return math.exp(p / q)


_GRAD_COEF_UV = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07),
)


def _gamma_grad_array(b, alpha, x):
    """``_gamma_grad_one`` over two arrays of one shape (on the host), in their dtype."""
    a64 = _np.asarray(b.to_host(alpha), dtype=_np.float64)
    x64 = _np.asarray(b.to_host(x), dtype=_np.float64)
    with _np.errstate(all="ignore"):  # (the kernel's reflection term divides by zero at integers)
        psi = _np.asarray(b.to_host(K.digamma(b, b.from_host(a64))), dtype=_np.float64)
    out = _np.array([_gamma_grad_one(a, v, p) for a, v, p in zip(a64.ravel().tolist(), x64.ravel().tolist(),
                                                                 psi.ravel().tolist())], dtype=_np.float64)
    return b.from_host(out.reshape(a64.shape).astype(b.to_host(alpha).dtype))


class StandardGamma(Function):
    """``torch._standard_gamma``: the draws depend on ``alpha`` through the reparameterised
    gradient ``grad * _standard_gamma_grad(alpha, result)``."""

    name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha, *, data):
        ctx.alpha, ctx.result = alpha._data, data
        return data

    @staticmethod
    def backward(ctx, g):
        return g * _gamma_grad_array(ctx.backend, ctx.alpha, ctx.result)


def _standard_gamma(input, generator=None):
    """Gamma(``input``, 1) draws, one per element, of ``input``'s floating dtype (at least
    the smallest normal number of the dtype). Mirrors ``torch._standard_gamma``: the same
    values after ``manual_seed``; differentiable (``StandardGammaBackward0``, PyTorch's
    approximation of the reparameterised gradient).

    Raises:
        NotImplementedError: for an integer ``input``.
    """
    if not input.dtype.is_floating_point or input.dtype in (D.float16, D.bfloat16):
        raise _not_implemented("gamma_cpu", input.dtype)
    np_dtype = _NP[input.dtype.name]
    alphas = _np.asarray(input.detach().contiguous()._host(), dtype=np_dtype).reshape(-1)
    unit, normal = _draws(_engine(generator))
    f32 = np_dtype == _np.float32
    tiny = float(_np.finfo(np_dtype).tiny)
    draws = _np.array([max(tiny, float(np_dtype(_sample_gamma(a, f32, unit, normal)))) for a in alphas.tolist()],
                      dtype=np_dtype)
    return StandardGamma.apply(input, data=input._backend.from_host(draws.reshape(input.shape)))


def _standard_gamma_grad(self, output):
    """``d output / d self`` for Gamma(``self``, 1) draws ``output`` (PyTorch's
    approximation). Mirrors ``torch._standard_gamma_grad``."""
    b = self._backend
    return Tensor._wrap(_gamma_grad_array(b, self.detach().contiguous()._data, output.detach().contiguous()._data),
                        self.device, b)


def _sample_dirichlet(input, generator=None):
    """Dirichlet(``input``) draws over the last dimension: float64 Gamma draws (``alpha`` in
    float64 to avoid underflow), each row divided by its sum, then clamped into
    ``[tiny, 1)`` in ``input``'s dtype. Mirrors ``torch._sample_dirichlet`` (the same values
    after ``manual_seed``; not differentiable here, as in PyTorch).

    Raises:
        NotImplementedError: for an integer ``input``.
    """
    if not input.dtype.is_floating_point or input.dtype in (D.float16, D.bfloat16):
        raise _not_implemented("dirichlet", input.dtype)
    np_dtype = _NP[input.dtype.name]
    host = _np.asarray(input.detach().contiguous()._host(), dtype=np_dtype)
    unit, normal = _draws(_engine(generator))
    tiny64 = float(_np.finfo(_np.float64).tiny)
    gamma = _np.array([max(tiny64, _sample_gamma(a, False, unit, normal)) for a in host.reshape(-1).tolist()],
                      dtype=_np.float64).reshape(host.shape)
    ratio = (gamma / gamma.sum(-1, keepdims=True)).astype(np_dtype)
    top = _np.nextafter(np_dtype(1.0), np_dtype(0.0))
    out = _np.minimum(top, _np.maximum(_np.finfo(np_dtype).tiny, ratio))
    return Tensor._wrap(input._backend.from_host(out), input.device, input._backend)


# --- torch._dirichlet_grad: PyTorch's dirichlet_grad_one, computed here in float64 (PyTorch
# computes some of its branches in the tensor's dtype: float32 results agree to rounding).
def _beta_grad_alpha_small(x, alpha, beta, psi):
    """Taylor expansion for ``x`` near 0."""
    factor = psi(alpha) - psi(alpha + beta) - math.log(x)
    numer = 1.0
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer *= (i - beta) * x / i
        denom = alpha + i
        series += numer / denom * (factor + 1 / denom)
    result = x * math.pow(1 - x, -beta) * series
    return 0.0 if math.isnan(result) else result


def _beta_grad_beta_small(x, alpha, beta, psi):
    """Taylor expansion for ``x`` near 0, with respect to ``beta``."""
    factor = psi(alpha + beta) - psi(beta)
    numer, betas, dbetas, series = 1.0, 1.0, 0.0, factor / alpha
    for i in range(1, 9):
        numer *= -x / i
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series += numer / (alpha + i) * (dbetas + factor * betas)
    result = -math.pow(1 - x, 1 - beta) * series
    return 0.0 if math.isnan(result) else result


def _beta_grad_alpha_mid(x, alpha, beta):
    """Rice saddle point expansion for large ``alpha`` and ``beta``."""
    total = alpha + beta
    mean = alpha / total
    std = math.sqrt(alpha * beta / (total + 1)) / total
    if mean - 0.1 * std <= x <= mean + 0.1 * std:  # avoid the singularity at x = mean
        poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
            (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
                3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                    (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (8 * (1 - x) * (135 * beta - 11)))))
        prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
        prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
        return prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / math.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha)) * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1 = term1_num / (math.sqrt(2 * alpha / beta) * math.pow(total, 1.5) * axbx * axbx)
    term2 = 0.5 * math.log(alpha / (total * x))
    term3 = math.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4 = math.pow(beta * math.log(beta / (total * (1 - x))) + alpha * math.log(alpha / (total * x)), -1.5)
    return stirling * prefactor * (term1 + term2 * (term3 + (term4 if x < mean else -term4)))


_DIRICHLET_COEF = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def _dirichlet_grad_one(x, alpha, total, psi):
    """``-(d/dalpha cdf(x; alpha, beta)) / pdf(x; alpha, beta) / (1 - x)`` for a
    Beta(alpha, total - alpha) draw ``x``: asymptotic expansions near 0, near 1 and for
    large parameters, else a rational correction to an analytic approximation."""
    beta = total - alpha
    boundary = total * x * (1 - x)
    if x <= 0.5 and boundary < 2.5:
        return _beta_grad_alpha_small(x, alpha, beta, psi)
    if x >= 0.5 and boundary < 0.75:
        return -_beta_grad_beta_small(1 - x, beta, alpha, psi)
    if alpha > 6 and beta > 6:
        return _beta_grad_alpha_mid(x, alpha, beta)
    u = math.log(x)
    a = math.log(alpha) - u
    b = math.log(total) - a
    pow_u, pow_a = (1.0, u, u * u), (1.0, a, a * a)
    p = q = 0.0
    for i in range(3):
        for j in range(3):
            ua = pow_u[i] * pow_a[j]
            cp, cq = _DIRICHLET_COEF[0][i][j], _DIRICHLET_COEF[1][i][j]
            p += ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q += ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    return p / q * (x * (psi(total) - psi(alpha)) / beta)


def _dirichlet_grad(x, alpha, total):
    """The reparameterised gradient of Dirichlet draws, elementwise over three tensors of
    one shape. Mirrors ``torch._dirichlet_grad`` (in float64 arithmetic: float32 results
    agree with PyTorch's to rounding)."""
    b = x._backend
    host = [_np.asarray(t.detach().contiguous()._host(), dtype=_np.float64) for t in (x, alpha, total)]

    def psi(v):
        with _np.errstate(all="ignore"):
            return float(b.to_host(K.digamma(b, b.from_host(_np.array([v], _np.float64))))[0])

    out = _np.array([_dirichlet_grad_one(*v, psi) for v in zip(*(h.ravel().tolist() for h in host))], _np.float64)
    return Tensor._wrap(b.from_host(out.reshape(host[0].shape).astype(_NP[x.dtype.name])), x.device, b)
