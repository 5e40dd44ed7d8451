"""``nonzero``/``argwhere`` results have PyTorch's strides, empty and 0-d inputs included."""
import pytest
import torch

import reftorch


def _cases(mod):
    return [mod.tensor(0.0), mod.tensor(1.0), mod.zeros(0), mod.zeros(3), mod.zeros(2, 3), mod.ones(2, 3),
            mod.zeros(0, 3), mod.zeros(2, 0, 3), mod.tensor([0.0, 1.0, 0.0]), mod.tensor([[True, False]])]


def _layout(mod, fn):
    out = []
    for x in _cases(mod):
        r = fn(mod, x)
        out.append([(tuple(t.shape), t.stride()) for t in (r if isinstance(r, tuple) else (r,))])
    return out


@pytest.mark.parametrize("name", ["nonzero", "argwhere", "as_tuple"])
@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_nonzero_layout_matches_torch(name, device):
    fns = {"nonzero": lambda m, x: x.nonzero(), "argwhere": lambda m, x: m.argwhere(x),
           "as_tuple": lambda m, x: m.nonzero(x, as_tuple=True)}
    fn = fns[name]
    ref = fn if device == "cpu" else (lambda m, x: fns[name](m, x.to(device)))
    assert _layout(reftorch, ref) == _layout(torch, fn)


def test_nonzero_empty_values_still_right():
    assert reftorch.zeros(2, 3).nonzero().tolist() == torch.zeros(2, 3).nonzero().tolist()
    assert reftorch.tensor(1.0).nonzero().shape == torch.tensor(1.0).nonzero().shape
    assert reftorch.tensor([0.0, 1.0]).nonzero().tolist() == [[1]]
