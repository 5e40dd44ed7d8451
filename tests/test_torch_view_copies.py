"""The ``*_copy`` functions of the torch namespace (``torch.view_copy`` ...): values, dtype,
contiguous fresh memory, grad_fn names (``ViewBackward0_copy`` ...) and gradients, against
PyTorch."""
import numpy as np
import pytest
import torch

import reftorch

from _compare import both, check_grads, raises_like

X = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)

CASES = [
    "T.view_copy(x, [6, 4])", "T.view_copy(x, (-1,))", "T.view_copy(x, size=[4, 6])", "T.view_copy(x, T.float32)",
    "T.permute_copy(x, [2, 0, 1])", "T.permute_copy(x, dims=(1, 0, 2))", "T.t_copy(x[0])", "T.t_copy(x[0, 0])",
    "T.transpose_copy(x, 0, 2)", "T.transpose_copy(x, dim0=-1, dim1=1)",
    "T.squeeze_copy(x[:1])", "T.squeeze_copy(x[:1], 0)", "T.squeeze_copy(x[:1], [0, 1])",
    "T.unsqueeze_copy(x, 1)", "T.unsqueeze_copy(x, -1)", "T.expand_copy(x[:1], [3, 3, 4])",
    "T.expand_copy(x[:, :1], (2, 3, 4), implicit=True)", "T.expand_copy(x[0, 0], [2, -1])",
    "T.select_copy(x, 1, 0)", "T.select_copy(x, -1, -2)",
    "T.slice_copy(x)", "T.slice_copy(x, 1, 0, 2)", "T.slice_copy(x, 2, None, None, 2)", "T.slice_copy(x, -1, -3)",
    "T.slice_copy(x, 0, 5, 10)", "T.slice_copy(x, dim=2, start=1, end=-1, step=1)",
    "T.split_copy(x, 2, 2)", "T.split_copy(x, 1)", "T.split_with_sizes_copy(x, [1, 2], 1)",
    "T.unbind_copy(x, 1)", "T.unbind_copy(x)",
    "T.diagonal_copy(x)", "T.diagonal_copy(x, 1, 1, 2)", "T.diagonal_copy(x, offset=-1, dim1=2, dim2=0)",
    "T.narrow_copy(x, 2, 1, 2)", "x.narrow_copy(0, 0, 1)", "x.narrow_copy(-1, 1, 3)",
    "T.alias_copy(x)", "T.as_strided_copy(x, [2, 2], [1, 2])", "T.as_strided_copy(x, (3,), (2,), 1)",
    "T.unfold_copy(x, 2, 2, 1)", "T.unfold_copy(x, 0, 1, 1)",
    # PyTorch's keyword names
    "T.split_copy(x, split_size=2, dim=2)", "T.split_with_sizes_copy(x, split_sizes=[2, 1], dim=1)",
    "T.as_strided_copy(x, size=[2], stride=[1], storage_offset=1)", "T.unfold_copy(x, dimension=2, size=2, step=1)",
    "T.select_copy(x, dim=0, index=1)", "T.narrow_copy(x, dim=1, start=1, length=2)", "T.unbind_copy(x, dim=2)",
    "T.unsqueeze_copy(x, dim=0)", "T.expand_copy(x[:1], size=[2, 3, 4])", "T.permute_copy(x, dims=[1, 2, 0])",
]


@pytest.mark.parametrize("expr", CASES)
def test_copy(expr):
    def go(T, x):
        out = eval(expr)
        outs = out if isinstance(out, tuple) else [out]
        # fresh memory, contiguous: writing into the result leaves the input alone
        return out, [o.is_contiguous() and o._base is None for o in outs]
    both(go, X)
    check_grads(lambda T, x: eval(expr), X)


def test_narrow_copy_negative_start():
    # (PyTorch 2.13's NarrowCopyBackward0 fails for a negative start: forward only)
    both(lambda T, x: T.narrow_copy(x, -1, -2, 2), X, requires_grad=True)


def test_copies_do_not_share_memory():
    def go(T, x):
        y = T.view_copy(x, [24])
        y.zero_()
        parts = T.split_copy(x, 1)
        parts[0].fill_(5)
        return x, y, parts
    both(go, X)


def test_complex_views():
    z = (X[..., 0] + 1j * X[..., 1]).astype(np.complex64)
    check_grads(lambda T, z: T.view_as_real_copy(z), z, complex_grads=True)
    both(lambda T, x: T.view_as_complex_copy(x[..., :2]), X)
    raises_like(lambda T, x: T.view_as_complex_copy(x[..., :2].requires_grad_()), X.copy(), msg=True)


def test_detach_copy():
    both(lambda T, x: T.detach_copy(x), X)
    both(lambda T, x: T.detach_copy(x), X, requires_grad=True)  # grad_fn=<NotImplemented>

    for T in (torch, reftorch):
        x = T.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::detach_copy is not implemented"):
            T.detach_copy(x).sum().backward()


def test_copy_functions_are_torchs():
    names = [n for n in dir(torch) if n.endswith("_copy") and not n.startswith("_")]
    # (sparse and nested tensors' ones: not in reftorch)
    sparse = {"ccol_indices_copy", "col_indices_copy", "crow_indices_copy", "indices_copy", "row_indices_copy",
              "values_copy"}
    assert [n for n in names if not hasattr(reftorch, n)] == sorted(sparse)


@pytest.mark.parametrize("expr", [
    "T.view_copy(x, [5, 5])", "T.permute_copy(x, [0, 1])", "T.t_copy(x)", "T.transpose_copy(x, 0, 3)",
    "T.squeeze_copy(x, 5)", "T.expand_copy(x, [3, 4])", "T.select_copy(x, 0, 2)",
    "T.slice_copy(x, 0, None, None, 0)", "T.slice_copy(x, 0, None, None, -1)", "T.split_copy(x, -1)",
    "T.split_with_sizes_copy(x, [1, 2])", "T.diagonal_copy(x, 0, 1, 1)", "T.narrow_copy(x, 0, 1, 5)",
    "T.unfold_copy(x, 0, 5, 1)", "T.view_as_real_copy(x)", "T.view_as_complex_copy(x)",
])
def test_errors(expr):
    raises_like(lambda T, x: eval(expr), X)
