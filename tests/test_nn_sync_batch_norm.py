"""nn.SyncBatchNorm on the CPU against PyTorch (no torch.distributed process group: the
plain batch norm, in training and in evaluation), its repr, state dict, checks, and
SyncBatchNorm.convert_sync_batchnorm (shared tensors, nested modules, training flag)."""
from __future__ import annotations

import numpy as np
import pytest

from tests._compare import both, check_grads

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 2, 2), (2, 3, 1, 2, 2), (2, 3, 1, 1, 2, 2)])
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
                                    {"bias": False, "eps": 1e-3}])
@pytest.mark.parametrize("training", [True, False])
def test_forward_backward_and_buffers(shape, kwargs, training):
    x = RNG.standard_normal(shape).astype(np.float32)

    def fn(T, x):
        T.manual_seed(0)
        bn = T.nn.SyncBatchNorm(3, **kwargs)
        if bn.running_mean is not None:
            bn.running_mean.uniform_()
            bn.running_var.uniform_(1, 2)
        bn.train(training)
        y = bn(x)
        y = bn(x * 2) + y
        return y, bn.running_mean, bn.running_var, bn.num_batches_tracked
    check_grads(fn, x)


def test_module():
    def fn(T):
        bn = T.nn.SyncBatchNorm(4, eps=1e-3, momentum=None, affine=False, track_running_stats=False,
                                process_group="group")
        full = T.nn.SyncBatchNorm(4, dtype=T.float64)
        return (repr(bn), repr(full), list(bn.state_dict()), list(full.state_dict()), bn.process_group,
                full.weight, full.running_var, [n for n, _ in full.named_parameters()])
    both(fn)


def test_convert_sync_batchnorm():
    def fn(T):
        nn = T.nn
        T.manual_seed(0)
        seq = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4),
                            nn.Sequential(nn.BatchNorm1d(4, affine=False), nn.ReLU()),
                            nn.BatchNorm3d(4, momentum=None, bias=False), nn.InstanceNorm2d(4))
        seq[1].running_mean.fill_(2.0)
        seq[1].num_batches_tracked.fill_(5)
        seq[2].eval()
        old = seq[1]
        c = nn.SyncBatchNorm.convert_sync_batchnorm(seq, process_group="pg")
        one = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3, track_running_stats=False))
        again = nn.SyncBatchNorm.convert_sync_batchnorm(nn.SyncBatchNorm(3))
        return (repr(c), c is seq, type(c[1]).__name__, type(c[4]).__name__, c[1].weight is old.weight,
                c[1].running_mean is old.running_mean, c[1].process_group, c[2][0].training, c[1].training,
                list(c.state_dict()), c[1].running_mean, c[1].num_batches_tracked, repr(one), type(again).__name__,
                c[1].weight.requires_grad)
    both(fn)


@pytest.mark.parametrize("expr", [
    "nn.SyncBatchNorm(3)(T.ones(3))", "nn.SyncBatchNorm(3).eval()(T.ones(3))",
    "nn.SyncBatchNorm(3)(T.ones(2, 0))", "nn.SyncBatchNorm(3)(T.ones(1, 3))",
    "nn.SyncBatchNorm(3)(T.ones(2, 4))",
])
def test_errors(expr):
    both(lambda T: eval(expr, {"T": T, "nn": T.nn}), msg=True)
