"""sort/argsort take PyTorch's two call forms: positional (dim, descending), or keyword-only
with ``stable``. Differential against torch."""
import pytest
import torch

import reftorch

CALLS = [
    "x.sort(0, stable=True)", "mod.sort(x, 0, stable=True)", "x.sort(stable=True)",
    "x.sort(stable=True, dim=0)", "x.sort(0, True)", "x.sort(0, True, stable=True)",
    "mod.sort(x, stable=True, dim=0, descending=True)", "x.sort(True)",
    "x.sort(dim=0, descending=False, stable=True)", "x.sort(0, False, True)", "x.sort(stable=None)",
    "x.sort(stable=False, dim=0)", "x.sort(0, stable=False)", "x.argsort(0, stable=True)",
    "mod.argsort(x, 0, True)", "mod.argsort(x, stable=True, descending=True)", "x.argsort(0, True, True)",
    "x.sort(-1)", "x.sort(0, descending=True)", "x.sort(dim=0)", "x.sort(descending=True)",
    "mod.argsort(x, -1, descending=True)", "x.argsort()", "mod.sort(x)",
]


def _run(mod, call):
    x = mod.tensor([3.0, 1.0, 2.0, 1.0, 5.0])
    try:
        r = eval(call, globals(), locals())
    except Exception as e:  # noqa: BLE001 - the exception type is what is compared
        return type(e)
    if isinstance(r, mod.Tensor):
        return r.tolist()
    return r.values.tolist(), r.indices.tolist()


@pytest.mark.parametrize("call", CALLS)
def test_sort_call_forms_match_torch(call):
    assert _run(reftorch, call) == _run(torch, call)
