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
