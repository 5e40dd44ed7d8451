"""Public names of reftorch namespaces must also be public names of PyTorch's.

``dir(torch.nn.functional)`` users (tab completion, ``from ... import *`` and docs tools) should
not see reftorch's implementation helpers.
"""
import torch
import torch.nn.functional as TF

import reftorch
import reftorch.nn.functional as F


def _public(mod):
    return {n for n in dir(mod) if not n.startswith("_")}


def test_nn_functional_has_no_extra_public_names():
    extra = _public(F) - set(dir(TF))
    assert extra == set(), sorted(extra)


def test_nn_functional_all_is_subset_of_torch():
    assert set(F.__all__) <= set(dir(TF))
    for name in F.__all__:
        assert callable(getattr(F, name))


def test_top_level_has_no_stray_module_imports():
    # ``annotations`` (a ``from __future__`` leftover) is not a torch name.
    assert "annotations" not in _public(reftorch)
    assert "annotations" not in dir(torch)


def test_top_level_view_is_a_method_only():
    # torch.view does not exist (only Tensor.view).
    assert hasattr(torch, "view") is False
    assert hasattr(reftorch, "view") is False
    assert reftorch.arange(6).view(2, 3).shape == torch.arange(6).view(2, 3).shape


def test_legacy_tensor_types_are_torchs():
    # torch has FloatTensor … BFloat16Tensor on top level and in torch.cuda, but no complex
    # ones (``x.type()`` still names them: 'torch.ComplexFloatTensor')
    import torch.cuda
    import reftorch.cuda
    for ours, theirs in ((reftorch, torch), (reftorch.cuda, torch.cuda)):
        mine = {n for n in _public(ours) if n.endswith("Tensor")}
        assert mine == {n for n in dir(theirs) if n.endswith("Tensor")}
    z = reftorch.zeros(2, dtype=reftorch.complex64)
    assert z.type() == torch.zeros(2, dtype=torch.complex64).type() == "torch.ComplexFloatTensor"
