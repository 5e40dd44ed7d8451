"""nn.ParameterList / nn.ParameterDict against PyTorch: reprs, names, state dict keys,
conversion of plain tensors, order rules, dict methods, gradients and errors."""
from __future__ import annotations

import pytest

from tests._compare import both


def _run(code):
    """Run ``code`` (statements, then a last expression) with ``T`` and ``nn`` bound; return
    the last expression's value."""
    def go(T):
        ns = {"T": T, "nn": T.nn, "OrderedDict": __import__("collections").OrderedDict}
        *body, last = code.strip().split("\n")
        exec("\n".join(body), ns)
        return eval(last, ns)
    return go


@pytest.mark.parametrize("code", [
    # ParameterList
    "p = nn.ParameterList([T.zeros(2, 3), nn.Parameter(T.ones(3)), 5, nn.Linear(2, 1)])\nrepr(p)",
    "p = nn.ParameterList([T.zeros(2, 3), nn.Parameter(T.ones(3), requires_grad=False)])\n[(n, q.requires_grad, type(q).__name__) for n, q in p.named_parameters()]",
    "p = nn.ParameterList([T.zeros(2), T.ones(3, dtype=T.float64)])\nlist(p.state_dict())",
    "p = nn.ParameterList([T.zeros(2), T.ones(3), T.ones(1)])\nrepr(p[1:])",
    "p = nn.ParameterList([T.zeros(2), T.ones(3)])\np[-1]",
    "p = nn.ParameterList([T.zeros(2), T.ones(3)])\np[1] = T.full((4,), 2.0)\n(repr(p), p[1])",
    "p = nn.ParameterList()\np.append(T.zeros(1)).extend([T.ones(2), T.ones(3)])\np += [T.zeros(4)]\n(len(p), [tuple(q.shape) for q in p])",
    "p = nn.ParameterList([T.zeros(2)])\np[2]",
    "p = nn.ParameterList([T.zeros(2)])\np[-2]",
    "p = nn.ParameterList()\np.extend(T.zeros(2))",
    "p = nn.ParameterList()\np.extend(3)",
    "p = nn.ParameterList([T.zeros(2)])\np(T.zeros(2))",
    "p = nn.ParameterList([T.zeros(2)])\np['0']",
    "p = nn.ParameterList([T.tensor([1., 2.]), T.tensor([3.])])\nloss = sum((q * q).sum() for q in p)\nloss.backward()\n[q.grad for q in p]",
    "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.ps = nn.ParameterList([T.zeros(2), T.zeros(3)])\n        self.lin = nn.Linear(2, 2)\nm = M()\n(list(m.state_dict()), repr(m))",
    "p = nn.ParameterList([T.zeros(2), T.ones(1)])\n[k for k in dir(p) if k.isdigit()]",
    "p = nn.ParameterList([T.zeros(2), T.ones(1)])\np.double()\n[q.dtype for q in p]",
    # ParameterDict
    "d = nn.ParameterDict({'w': T.ones(2), 'b': T.zeros(1), 'a': 3})\nrepr(d)",
    "d = nn.ParameterDict(OrderedDict([('w', T.ones(2)), ('b', T.zeros(1))]))\nlist(d.keys())",
    "d = nn.ParameterDict([('w', T.ones(2)), ('b', T.zeros(1))])\n(list(d), list(d.state_dict()))",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd['v'] = T.zeros(3)\n[(k, type(v).__name__, v.requires_grad) for k, v in d.items()]",
    "d = nn.ParameterDict({'w': T.ones(2), 'v': T.zeros(1)})\n(d.pop('w'), list(d), 'w' in d, 'v' in d, len(d))",
    "d = nn.ParameterDict([('w', T.ones(2)), ('v', T.zeros(1))])\n(d.popitem(), list(d))",
    "d = nn.ParameterDict()\nd.popitem()",
    "d = nn.ParameterDict({'w': T.ones(2)})\n(d.get('x'), d.get('x', 4), d.get('w'))",
    "d = nn.ParameterDict({'w': T.ones(2)})\n(d.setdefault('w', T.zeros(1)), d.setdefault('x', T.zeros(1)), list(d))",
    "d = nn.ParameterDict({'w': T.ones(2)})\ne = d.copy()\ne['x'] = T.zeros(1)\n(list(d), list(e), e['w'] is d['w'])",
    "d = nn.ParameterDict({'w': T.ones(2)})\nrepr(d.fromkeys(['a', 'b'], T.zeros(1)))",
    "d = nn.ParameterDict({'w': T.ones(2)})\ne = nn.ParameterDict({'v': T.zeros(1)})\n(list(d | e), list(e | d))",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd |= nn.ParameterDict({'a': T.zeros(1)})\nlist(d)",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd.clear()\n(len(d), list(d.state_dict()))",
    "d = nn.ParameterDict({'w': T.ones(2), 'v': T.zeros(1)})\nlist(reversed(d))",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd[1] = T.zeros(1)",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd['x']",
    "d = nn.ParameterDict({'w': T.ones(2)})\ndel d['w']\n(list(d), list(d.state_dict()))",
    "nn.ParameterDict(5)",
    "nn.ParameterDict([('a', T.ones(1), 3)])",
    "nn.ParameterDict([3])",
    "d = nn.ParameterDict({'w': T.ones(2)})\nd(T.ones(2))",
    "d = nn.ParameterDict({'w': T.tensor([1., 2.])})\n(d['w'] * 3).sum().backward()\nd['w'].grad",
])
def test_parameter_containers(code):
    both(_run(code))
