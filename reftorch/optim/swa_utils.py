"""Stochastic Weight Averaging (SWA) and exponential moving averages (EMA) of a model's
weights. Mirrors ``torch.optim.swa_utils``.

* :class:`AveragedModel` keeps a copy of a model whose parameters (and, with
  ``use_buffers=True``, buffers) are a running average of the model's, updated by
  :meth:`AveragedModel.update_parameters` (the plain mean by default, or the EMA of
  :func:`get_ema_multi_avg_fn`);
* :class:`SWALR` anneals each group's lr towards a constant ``swa_lr``;
* :func:`update_bn` recomputes the BatchNorm statistics of the averaged model with one
  pass over the data.

On CPU, PyTorch's default average is ``avg + (p - avg) / (n + 1)`` per tensor (its foreach
``lerp`` runs on CUDA only); reftorch computes the same on every device, so the averages
are PyTorch's CPU ones bit for bit.
"""
from __future__ import annotations

import itertools
import math
from copy import deepcopy

from .. import _dtype as D
from .._ops.creation import tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from .._tensor import Tensor
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _is_float_or_complex(t):
    return t.is_floating_point() or t.is_complex()


def get_ema_multi_avg_fn(decay=0.999):
    """The exponential moving average as a ``multi_avg_fn`` for :class:`AveragedModel`:
    ``ema <- ema + (1 - decay) * (p - ema)`` (a ``lerp``) on a list of tensors in place.
    Mirrors ``torch.optim.swa_utils.get_ema_multi_avg_fn``.

    Args:
        decay: the weight kept from the average at each update, in [0, 1] (default 0.999).

    Raises:
        ValueError: ``decay`` outside [0, 1].
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if _is_float_or_complex(ema_param_list[0]):
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """The running mean as a ``multi_avg_fn`` for :class:`AveragedModel`: each averaged
    tensor moves ``1 / (n + 1)`` of the way to the current one (``n``: the number averaged
    so far). Mirrors ``torch.optim.swa_utils.get_swa_multi_avg_fn``.

    Integer tensors use ``addcdiv_``, which raises PyTorch's RuntimeError for them when
    ``n`` is a tensor (as :class:`AveragedModel` passes it).
    """

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if _is_float_or_complex(averaged_param_list[0]):
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                p_avg.lerp_(p_model, 1 / (num_averaged + 1))
        else:
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                diff = p_model - p_avg
                if isinstance(num_averaged, Tensor):
                    p_avg.addcdiv_(diff, num_averaged + 1)
                else:
                    p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one tensor as an ``avg_fn`` for
    :class:`AveragedModel`: returns ``decay * ema + (1 - decay) * p``.
    Mirrors ``torch.optim.swa_utils.get_ema_avg_fn``.

    Raises:
        ValueError: ``decay`` outside [0, 1].
    """
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The running mean of one tensor as an ``avg_fn`` for :class:`AveragedModel`: returns
    ``avg + (p - avg) / (n + 1)``. Mirrors ``torch.optim.swa_utils.get_swa_avg_fn``."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _group_by_device_and_dtype(averaged, current):
    """Pairs of lists ``(averaged, current)`` per ``(device, dtype)`` of the averaged tensors,
    in order of first appearance (PyTorch's ``_group_tensors_by_device_and_dtype``)."""
    groups = {}
    for a, c in zip(averaged, current):
        key = (a.device, a.dtype)
        groups.setdefault(key, ([], []))
        groups[key][0].append(a)
        groups[key][1].append(c)
    return groups


class AveragedModel(Module):
    """A copy of ``model`` whose weights are an average of the model's weights over
    training. Mirrors ``torch.optim.swa_utils.AveragedModel``.

    Each :meth:`update_parameters` call first copies the model's parameters (when nothing
    is averaged yet), then averages them: by default the running mean (SWA), otherwise with
    ``avg_fn`` (one tensor at a time, returning the new average) or ``multi_avg_fn`` (lists
    of tensors of one device and dtype, updated in place), e.g. :func:`get_ema_multi_avg_fn`.
    Buffers are copied from the model unless ``use_buffers=True``, which averages them too.
    The number of updates is the long buffer ``n_averaged``, so the state_dict holds
    ``module.<name>`` entries and ``n_averaged``. ``forward`` calls the copy.

    Args:
        model: the module to average (deep-copied).
        device: where to keep the copy (default: the model's device).
        avg_fn: ``avg_fn(averaged, current, n_averaged) -> new average`` per tensor.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, n_averaged)``, in place.
        use_buffers: average the buffers as well (default False: copy them).

    Raises:
        AssertionError: both ``avg_fn`` and ``multi_avg_fn`` given.

    Examples:
        >>> import reftorch as torch
        >>> model = torch.nn.Linear(1, 1, bias=False)
        >>> swa = torch.optim.swa_utils.AveragedModel(model)
        >>> for w in (1.0, 2.0, 6.0):
        ...     _ = model.weight.data.fill_(w)
        ...     swa.update_parameters(model)
        >>> swa.module.weight.data, swa.n_averaged
        (tensor([[3.]]), tensor(3))
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=D.long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Call the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def _tensors(self, model):
        if self.use_buffers:
            return itertools.chain(model.parameters(), model.buffers())
        return model.parameters()

    def update_parameters(self, model):
        """Average the parameters (and buffers, with ``use_buffers``) of ``model`` into the
        copy; copy the buffers otherwise; add 1 to ``n_averaged``."""
        averaged, current = [], []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self._tensors(self.module), self._tensors(model)):
            p_model_ = p_model.detach().to(p_averaged.device)
            averaged.append(p_averaged.detach())
            current.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.avg_fn is None:
                for (dev, _), (avg_list, cur_list) in _group_by_device_and_dtype(averaged, current).items():
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(avg_list, cur_list, self.n_averaged.to(dev))
                    else:
                        self._swa_per_tensor(avg_list, cur_list, self.n_averaged.to(dev))
            else:
                for p_averaged, p_model in zip(averaged, current):
                    n_averaged = self.n_averaged.to(p_averaged.device)
                    p_averaged.copy_(self.avg_fn(p_averaged, p_model, n_averaged))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1

    @staticmethod
    def _swa_per_tensor(averaged, current, n_averaged):
        """PyTorch's default average off its foreach devices (its CPU path)."""
        avg_fn = get_swa_avg_fn()
        for p_averaged, p_model in zip(averaged, current):
            p_averaged.copy_(avg_fn(p_averaged, p_model, n_averaged))


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of every BatchNorm of ``model`` with one pass over
    ``loader``. Mirrors ``torch.optim.swa_utils.update_bn``.

    The statistics are reset and accumulated as a cumulative average (``momentum=None``)
    in training mode; afterwards each momentum and the model's training flag are restored.
    Nothing happens if the model has no BatchNorm. Each item of ``loader`` is the input, or
    a list/tuple whose first element is the input.

    Args:
        loader: an iterable of inputs (e.g. a DataLoader).
        model: the model (typically an :class:`AveragedModel`).
        device: move each input there first (default: leave it).
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for bn_module in momenta:
        bn_module.momentum = momenta[bn_module]
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to a constant ``swa_lr`` in ``anneal_epochs`` steps, then keep
    it. Mirrors ``torch.optim.swa_utils.SWALR``.

    At step ``t`` the lr is ``swa_lr * alpha + lr0 * (1 - alpha)`` with ``alpha`` the anneal
    function (``(1 - cos(pi * t / anneal_epochs)) / 2`` for ``"cos"``, ``t /
    anneal_epochs`` for ``"linear"``) and ``lr0`` the lr before annealing, recovered from
    the group's current lr as PyTorch does (so the values are PyTorch's, float for float).

    Args:
        optimizer: the optimizer; each group gets a ``swa_lr`` entry.
        swa_lr: the final lr (one value or one per group).
        anneal_epochs: number of steps of the annealing (default 10; 0 jumps at once).
        anneal_strategy: ``"cos"`` (default) or ``"linear"``.
        last_epoch: see :class:`~reftorch.optim.lr_scheduler.LRScheduler`.

    Raises:
        ValueError: an unknown ``anneal_strategy``, ``anneal_epochs`` not a non-negative
            int, or a per-group list of the wrong length.

    Examples:
        >>> import reftorch as torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = torch.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=3, anneal_strategy="linear")
        >>> lrs = []
        >>> for _ in range(4):
        ...     opt.step()
        ...     sched.step()
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        >>> lrs
        [0.7, 0.4, 0.1, 0.1]
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for swa_lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = swa_lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """The lrs of this step of the annealing."""
        self._warn_get_lr()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        """Every attribute except the optimizer and the anneal function."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        """Restore :meth:`state_dict`'s attributes (the anneal function from the strategy)."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
