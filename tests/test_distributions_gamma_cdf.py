"""Gamma.cdf and Chi2.cdf (``special.gammainc(concentration, rate * value)``) against
torch.distributions: values, dtypes, broadcasting, gradients for ``rate`` and ``value``,
PyTorch's error for ``concentration``'s, validation errors."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads, raises_like

CONC = np.array([[0.5, 2.0, 10.0], [1.0, 0.2, 300.0]])
RATE = np.array([1.0, 0.5, 2.0])
VALUE = np.array([[0.3, 1.0, 2.0], [0.0, 1.5, 150.0]])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gamma_cdf(dtype):
    c, r, v = CONC.astype(dtype), RATE.astype(dtype), VALUE.astype(dtype)
    both(lambda T, c, r, v: T.distributions.Gamma(c, r).cdf(v), c, r, v)
    both(lambda T, c, r, v: T.distributions.Gamma(c, r).cdf(v[0]), c, r, v)  # value broadcast
    both(lambda T, c: T.distributions.Gamma(c, 2.0).cdf(T.tensor(0.75, dtype=c.dtype)), c)
    both(lambda T: T.distributions.Gamma(2.0, 3.0).cdf(T.tensor([0.0, 0.5, float("inf")])))
    both(lambda T, c, r, v: T.distributions.Gamma(c, r).expand((4, 2, 3)).cdf(v), c, r, v)


def test_gamma_cdf_grads_and_errors():
    check_grads(lambda T, r, v: T.distributions.Gamma(T.tensor(CONC), r).cdf(v), RATE, VALUE + 0.1)
    raises_like(lambda T, c: T.distributions.Gamma(c, 2.0).cdf(T.tensor(1.0)).sum().backward(), CONC, msg=True)
    raises_like(lambda T: T.distributions.Gamma(1.0, 1.0).cdf(1.0), msg=True)  # not a tensor
    raises_like(lambda T: T.distributions.Gamma(1.0, 1.0).cdf(T.tensor(-1.0)), msg=True)  # outside the support
    both(lambda T: T.distributions.Gamma(1.0, 1.0, validate_args=False).cdf(T.tensor([-1.0, 1.0])))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_chi2_cdf(dtype):
    df = np.array([1.0, 4.0, 0.5, 40.0], dtype)
    v = np.array([2.0, 2.0, 0.01, 45.0], dtype)
    both(lambda T, d, v: T.distributions.Chi2(d).cdf(v), df, v)
    both(lambda T, d: T.distributions.Chi2(d).expand((2, 4)).cdf(T.tensor(3.0, dtype=d.dtype)), df)
    check_grads(lambda T, v: T.distributions.Chi2(T.tensor(df)).cdf(v), v)
    raises_like(lambda T: T.distributions.Chi2(T.tensor([1.0])).cdf(T.tensor([-2.0])), msg=True)
