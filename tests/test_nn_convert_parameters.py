"""nn.utils.parameters_to_vector / vector_to_parameters against PyTorch."""
from __future__ import annotations

import pytest

from tests._compare import both


def _run(code):
    def go(T):
        ns = {"T": T, "nn": T.nn, "U": T.nn.utils}
        *body, last = code.strip().split("\n")
        exec("\n".join(body), ns)
        return eval(last, ns)
    return go


@pytest.mark.parametrize("code", [
    "T.manual_seed(0)\nm = nn.Linear(3, 2)\nU.parameters_to_vector(m.parameters())",
    "p = [nn.Parameter(T.ones(2, 2)), nn.Parameter(T.zeros(3))]\nv = U.parameters_to_vector(p)\n(v * 2).sum().backward()\n(v, p[0].grad, p[1].grad)",
    "p = [nn.Parameter(T.ones(2, 2)), nn.Parameter(T.zeros(3))]\nvec = T.arange(7.)\nU.vector_to_parameters(vec, p)\nvec[0] = 9.\n(p[0], p[1], type(p[0]).__name__, p[0].is_leaf, p[0].requires_grad)",
    "p = [nn.Parameter(T.ones(2, 2))]\nU.vector_to_parameters(T.arange(9.), p)\np[0]",
    "U.parameters_to_vector([])",
    "U.vector_to_parameters([1.], [nn.Parameter(T.ones(1))])",
    "U.vector_to_parameters(T.arange(5.), [nn.Parameter(T.ones(2, 2)), nn.Parameter(T.zeros(3))])",
    "p = [T.ones(2, dtype=T.float64), T.ones(1)]\nU.parameters_to_vector(p)",
])
def test_convert_parameters(code):
    both(_run(code), msg=True)
