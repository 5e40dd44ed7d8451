"""``AdaptiveLogSoftmaxWithLoss``: a softmax over many classes split into a frequent
"shortlist" and rarer clusters. Mirrors ``torch/nn/modules/adaptive.py``."""
from __future__ import annotations

import itertools
from collections import namedtuple

from ..._ops import reduction as _red
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax approximation (Grave et al., 2016) for large label sets.

    The classes are ordered by frequency and split at ``cutoffs``: the head, a
    ``Linear(in_features, cutoffs[0] + n_clusters, bias=head_bias)``, scores the shortlist
    ``0 .. cutoffs[0] - 1`` and one logit per cluster; cluster ``i`` (classes
    ``cutoffs[i] .. cutoffs[i + 1] - 1``) has its own two-layer projection
    ``Linear(in_features, in_features // div_value ** (i + 1)) -> Linear(.., size)``, both
    without bias. A class's log-probability is its head log-probability (shortlist), or its
    cluster's head log-probability plus its log-probability within the cluster.

    ``forward(input, target)`` takes ``(N, in_features)`` and ``(N,)`` (or ``(in_features,)``
    and a 0-d target) and returns the named tuple ``(output, loss)``: ``output`` the
    log-probability of each target, ``loss`` the mean negative log-likelihood.
    :meth:`log_prob` gives all ``n_classes`` log-probabilities, :meth:`predict` the most
    likely class. Parameters are created in the order head, then each cluster's two layers,
    so a seeded model equals PyTorch's. Mirrors ``torch.nn.AdaptiveLogSoftmaxWithLoss``.

    Raises:
        ValueError: for ``cutoffs`` that are empty, unsorted, repeated, not integers or
            outside ``1 .. n_classes - 1``.
        RuntimeError: in ``forward``, for targets outside ``[0, n_classes - 1]`` or shapes
            that do not fit.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> asm = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs=[4, 8], div_value=2.0)
        >>> asm.head.weight.shape, asm.tail[0][0].weight.shape, asm.tail[1][1].weight.shape
        (torch.Size([6, 8]), torch.Size([4, 8]), torch.Size([2, 2]))
        >>> out = asm(torch.ones(3, 8), torch.tensor([0, 5, 9]))
        >>> out.output.shape, out.loss.shape
        (torch.Size([3]), torch.Size([]))
        >>> asm.log_prob(torch.ones(3, 8)).exp().sum(1)
        tensor([1.0000, 1.0000, 1.0000], grad_fn=<SumBackward1>)
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, **kw),
                                        Linear(hidden, size, bias=False, **kw)))

    def reset_parameters(self):
        """Re-initialize the head and every cluster's projections."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        """The log-probability of each target and the mean negative log-likelihood."""
        targ_dim = target_.dim()
        if targ_dim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        elif targ_dim == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{input_.size()}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = targ_dim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        batch = target.size(0)
        output = input.new_zeros(batch)
        head_index = target.new_empty(batch)  # the head column of each row: its class or its cluster
        used = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            low, high = bounds[i], bounds[i + 1]
            mask = (target >= low) & (target < high)
            rows = mask.nonzero().squeeze()
            if rows.numel() == 0:
                continue
            if i == 0:
                head_index.index_copy_(0, rows, target[mask])
            else:
                cluster_logprob = F.log_softmax(self.tail[i - 1](input.index_select(0, rows)), dim=1)
                head_index.index_fill_(0, rows, self.shortlist_size + i - 1)
                local = cluster_logprob.gather(1, (target[mask] - low).unsqueeze(1))
                output.index_copy_(0, rows, local.squeeze(1))
            used += rows.numel()
        if used != batch:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{target.min().item()}, {target.max().item()}] were found. ")
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output += head_logprob.gather(1, head_index.unsqueeze(1)).squeeze()
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        """All ``n_classes`` log-probabilities from the head's output."""
        out = input.new_empty((head_output.size(0), self.n_classes))
        head_logprob = F.log_softmax(head_output, dim=1)
        out[:, :self.shortlist_size] = head_logprob[:, :self.shortlist_size]
        for i, (start, stop) in enumerate(itertools.pairwise(self.cutoffs)):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            out[:, start:stop] = cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1)
        return out

    def log_prob(self, input):
        """The ``(N, n_classes)`` log-probabilities of every class."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row, ``(N,)`` int64: the head's argmax when it is
        in the shortlist, else the argmax of the full log-probabilities."""
        head_output = self.head(input)
        output = _red.argmax(head_output, dim=1)
        outside = output >= self.shortlist_size
        if not outside.any():
            return output
        if outside.all():
            return _red.argmax(self._get_full_log_prob(input, head_output), dim=1)
        output[outside] = _red.argmax(self._get_full_log_prob(input[outside], head_output[outside]), dim=1)
        return output
