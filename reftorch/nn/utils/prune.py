"""``torch.nn.utils.prune``: zero out parts of a module's parameter through a mask. Mirrors
``torch/nn/utils/prune.py``.

Pruning ``module.<name>`` moves the parameter to ``<name>_orig``, keeps the mask in the
buffer ``<name>_mask`` and makes ``module.<name>`` a plain tensor attribute,
``<name>_mask * <name>_orig``, recomputed before each forward call by a forward pre-hook
(the pruning method object itself). Pruning the same parameter again computes the new
mask on the entries (or channels) the old mask kept and joins both methods in a
:class:`PruningContainer`; :func:`remove` makes the pruned tensor the parameter again.

The random methods draw from the global generator as PyTorch does (``rand_like`` then
``topk`` for :class:`RandomUnstructured`, ``rand`` then ``kthvalue`` for
:class:`RandomStructured`), so the same seed gives the same masks.
"""
from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable

from ..._ops.creation import ones_like, zeros_like
from ..._ops.norm import torch_norm as norm
from ..._ops.order_stats import kthvalue
from ..._ops.sampling import rand, rand_like
from ..._ops.sorting import topk
from .convert_parameters import parameters_to_vector

__all__ = [
    "BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured", "L1Unstructured",
    "RandomStructured", "LnStructured", "CustomFromMask", "identity", "random_unstructured",
    "l1_unstructured", "random_structured", "ln_structured", "global_unstructured",
    "custom_from_mask", "remove", "is_pruned",
]


class BasePruningMethod(ABC):
    """The base of every pruning method: a subclass sets ``PRUNING_TYPE``
    (``"unstructured"``, ``"structured"`` with a ``dim`` attribute, or ``"global"``) and
    implements :meth:`compute_mask`. An applied method is the forward pre-hook that sets
    ``module.<name>`` to ``<name>_mask * <name>_orig``. Mirrors
    ``torch.nn.utils.prune.BasePruningMethod``.
    """

    _tensor_name: str

    def __call__(self, module, inputs):
        """The forward pre-hook: ``module.<name> = <name>_mask * <name>_orig``."""
        setattr(module, self._tensor_name, self.apply_mask(module))

    @abstractmethod
    def compute_mask(self, t, default_mask):
        """The mask for ``t`` (the importance scores), on top of ``default_mask`` (the mask
        of earlier prunings, ones at first; same shape as ``t``)."""

    def apply_mask(self, module):
        """``<name>_mask`` (cast to the parameter's dtype) times ``<name>_orig``."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned")
        mask = getattr(module, self._tensor_name + "_mask")
        orig = getattr(module, self._tensor_name + "_orig")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, joining an earlier pruning
        of the same tensor in a :class:`PruningContainer`; the mask is computed from
        ``importance_scores`` (same shape as the parameter; the parameter itself if None).
        Returns the method (or container) now registered as the forward pre-hook.

        Raises:
            AssertionError: for ``importance_scores`` of another shape than the parameter.
        """
        method = _joined_method(cls, module, name, *args, **kwargs)
        orig = getattr(module, name)
        if importance_scores is None:
            importance_scores = orig
        elif importance_scores.shape != orig.shape:
            raise AssertionError(
                f"importance_scores should have the same shape as parameter {name} of {module}, "
                f"got {importance_scores.shape} vs {orig.shape}")
        first = not isinstance(method, PruningContainer)
        if first:  # the parameter becomes <name>_orig
            module.register_parameter(name + "_orig", orig)
            del module._parameters[name]
            default_mask = ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        try:
            mask = method.compute_mask(importance_scores, default_mask=default_mask)
            module.register_buffer(name + "_mask", mask)
            setattr(module, name, method.apply_mask(module))
            module.register_forward_pre_hook(method)
        except Exception:
            if first:  # put the parameter back as it was
                module.register_parameter(name, getattr(module, name + "_orig"))
                del module._parameters[name + "_orig"]
            raise
        return method

    def prune(self, t, default_mask=None, importance_scores=None):
        """``t`` times the mask computed from ``importance_scores`` (``t`` if None) on top
        of ``default_mask`` (ones if None).

        Raises:
            AssertionError: for ``importance_scores`` of another shape than ``t``.
        """
        if importance_scores is None:
            importance_scores = t
        elif importance_scores.shape != t.shape:
            raise AssertionError("importance_scores should have the same shape as tensor t, "
                                 f"got {importance_scores.shape} vs {t.shape}")
        if default_mask is None:
            default_mask = ones_like(t)
        return t * self.compute_mask(importance_scores, default_mask=default_mask)

    def remove(self, module):
        """Make the pruned tensor the parameter ``<name>`` again (the same Parameter object
        as ``<name>_orig``, holding the masked values) and drop ``<name>_orig`` and
        ``<name>_mask``. The pruned entries stay zero."""
        if self._tensor_name is None:
            raise AssertionError(f"Module {module} has to be pruned before pruning can be removed")
        name = self._tensor_name
        weight = self.apply_mask(module)
        if hasattr(module, name):
            delattr(module, name)
        orig = module._parameters[name + "_orig"]
        orig.data = weight.data
        del module._parameters[name + "_orig"]
        del module._buffers[name + "_mask"]
        setattr(module, name, orig)


def _joined_method(cls, module, name, *args, **kwargs):
    """The hook pruning ``module.<name>`` from now on: the new method ``cls(*args,
    **kwargs)``, or, when the tensor is pruned already, the earlier method and the new one
    in a :class:`PruningContainer`. The earlier hook is taken off the module."""
    old = [(k, hook) for k, hook in module._forward_pre_hooks.items()
           if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
    if len(old) > 1:
        raise AssertionError(f"Avoid adding multiple pruning hooks to the same tensor {name} of module "
                             f"{module}. Use a PruningContainer.")
    for k, _ in old:
        del module._forward_pre_hooks[k]
    method = cls(*args, **kwargs)
    method._tensor_name = name
    if not old:
        return method
    old_method = old[0][1]
    if not isinstance(old_method, PruningContainer):
        old_method = PruningContainer(old_method)
    old_method.add_pruning_method(method)
    return old_method


class PruningContainer(BasePruningMethod):
    """A sequence of pruning methods applied one after the other to the same tensor: its
    :meth:`compute_mask` runs the last one on what the earlier masks kept. Built from one
    method or several. Mirrors ``torch.nn.utils.prune.PruningContainer``.

    Raises:
        TypeError: when given something that is not a :class:`BasePruningMethod`.
        ValueError: for a method pruning another tensor than the container's.
    """

    def __init__(self, *args):
        self._pruning_methods = ()
        if len(args) == 1:
            self._tensor_name = args[0]._tensor_name
        for method in args:
            self.add_pruning_method(method)

    def add_pruning_method(self, method):
        """Append ``method`` (it must prune the container's tensor)."""
        if not isinstance(method, BasePruningMethod) and method is not None:
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if method is not None and self._tensor_name != method._tensor_name:
            raise ValueError("Can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}' to PruningContainer {self}. Found '{method._tensor_name}'")
        self._pruning_methods += (method,)

    def __len__(self):
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, idx):
        return self._pruning_methods[idx]

    def compute_mask(self, t, default_mask):
        """``default_mask`` with the last method's mask written over the part it kept: the
        entries still 1 (``"unstructured"``), the channels along the method's ``dim`` not
        all zero (``"structured"``) or everything (``"global"``).

        Raises:
            AttributeError: for a structured method without ``dim``.
            IndexError: for a ``dim`` out of range.
            ValueError: for an unknown ``PRUNING_TYPE``.
        """
        method = self._pruning_methods[-1]
        new_mask = default_mask.to(dtype=t.dtype)
        kind = method.PRUNING_TYPE
        if kind == "unstructured":
            part = default_mask == 1
        elif kind == "structured":
            if not hasattr(method, "dim"):
                raise AttributeError('Pruning methods of PRUNING_TYPE "structured" need to have the '
                                     "attribute `dim` defined.")
            n_dims = t.dim()
            dim = method.dim + n_dims if method.dim < 0 else method.dim
            if dim < 0:
                raise IndexError(f"Index is out of bounds for tensor with dimensions {n_dims}")
            kept = default_mask.sum(dim=[d for d in range(n_dims) if d != dim]) != 0
            part = (slice(None),) * dim + (kept,)
        elif kind == "global":
            part = (slice(None),) * t.dim()
        else:
            raise ValueError(f"Unrecognized PRUNING_TYPE {kind}")
        partial = method.compute_mask(t[part], default_mask=default_mask[part])
        new_mask[part] = partial.to(dtype=new_mask.dtype)
        return new_mask


class Identity(BasePruningMethod):
    """Prunes nothing: the mask is all ones, but the ``_orig`` / ``_mask`` / hook set-up
    is made. Mirrors ``torch.nn.utils.prune.Identity``."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        """Set up pruning of ``module.<name>`` with a mask of ones."""
        return super().apply(module, name)


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` entries chosen at random among those still kept (the ``amount``
    largest of ``rand_like(t)``). Mirrors ``torch.nn.utils.prune.RandomUnstructured``.

    Args:
        amount: an int (how many entries) or a float in [0, 1] (the fraction, rounded).
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        size = t.nelement()
        k = _compute_nparams_toprune(self.amount, size)
        _validate_pruning_amount(k, size)
        mask = default_mask.clone()
        if k != 0:
            scores = rand_like(t)
            mask.view(-1)[topk(scores.view(-1), k=k).indices] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount):
        """Prune ``module.<name>`` at random."""
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value (``topk(largest=False)``,
    which picks among ties as PyTorch does). Mirrors
    ``torch.nn.utils.prune.L1Unstructured``.

    Args:
        amount: an int (how many entries) or a float in [0, 1] (the fraction, rounded).
    """

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount):
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        size = t.nelement()
        k = _compute_nparams_toprune(self.amount, size)
        _validate_pruning_amount(k, size)
        mask = default_mask.clone()
        if k != 0:
            mask.view(-1)[topk(t.abs().view(-1), k=k, largest=False).indices] = 0
        return mask

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        """Prune the entries of ``module.<name>`` (or of ``importance_scores``) of smallest
        absolute value."""
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim`` chosen at random: those whose
    ``rand(channels)`` draw is at most the ``amount``-th smallest. Mirrors
    ``torch.nn.utils.prune.RandomStructured``.

    Args:
        amount: an int (how many channels) or a float in [0, 1] (the fraction, rounded).
        dim: the channel dimension (default -1).
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        """The channel mask, times ``default_mask``.

        Raises:
            ValueError: for a tensor of fewer than 2 dimensions, or ``amount`` larger
                than the number of channels.
            IndexError: for ``dim`` out of range.
        """
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        channels = t.shape[self.dim]
        k = _compute_nparams_toprune(self.amount, channels)
        _validate_pruning_amount(k, channels)
        if k == 0:
            return default_mask
        draws = rand(channels)
        keep = draws > kthvalue(draws, k=k).values
        mask = _channel_mask(t, self.dim, keep)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        """Prune random channels of ``module.<name>`` along ``dim``."""
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest ``n``-norm (``norm(t, p=n)``
    over the other dimensions; keeps the ``topk`` largest). Mirrors
    ``torch.nn.utils.prune.LnStructured``.

    Args:
        amount: an int (how many channels) or a float in [0, 1] (the fraction, rounded).
        n: the norm's order, as ``p`` of ``torch.norm`` (``1``, ``2``, ``float("inf")``,
            ``"fro"`` …).
        dim: the channel dimension (default -1).
    """

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        """The channel mask, times ``default_mask``.

        Raises:
            ValueError: for a tensor of fewer than 2 dimensions, or ``amount`` larger
                than the number of channels.
            IndexError: for ``dim`` out of range.
        """
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        channels = t.shape[self.dim]
        k = _compute_nparams_toprune(self.amount, channels)
        _validate_pruning_amount(k, channels)
        dims = list(range(t.dim()))
        del dims[self.dim]
        kept = topk(norm(t, p=self.n, dim=dims), k=channels - k, largest=True)
        if k == 0:
            return default_mask
        mask = _channel_mask(t, self.dim, kept.indices)
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        """Prune the channels of ``module.<name>`` (scored on ``importance_scores`` if
        given) of smallest ``n``-norm along ``dim``."""
        return super().apply(module, name, amount=amount, n=n, dim=dim, importance_scores=importance_scores)


def _channel_mask(t, dim, channels):
    """Zeros shaped like ``t``, with ones in the ``channels`` (a bool mask or indices) along
    ``dim``."""
    mask = zeros_like(t)
    mask[(slice(None),) * (dim % t.dim()) + (channels,)] = 1
    return mask


class CustomFromMask(BasePruningMethod):
    """Prunes with a given mask (times the earlier mask). Mirrors
    ``torch.nn.utils.prune.CustomFromMask``.

    Args:
        mask: a tensor of the parameter's shape; 0 prunes an entry.
    """

    PRUNING_TYPE = "global"

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if default_mask.shape != self.mask.shape:
            raise AssertionError(f"default_mask shape {default_mask.shape} must match "
                                 f"self.mask shape {self.mask.shape}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        """Prune ``module.<name>`` with ``mask``."""
        return super().apply(module, name, mask=mask)


def identity(module, name):
    """Set up pruning of ``module.<name>`` with a mask of ones (nothing pruned): the
    parameter becomes ``<name>_orig``, the mask the buffer ``<name>_mask``. Mirrors
    ``torch.nn.utils.prune.identity``.

    Returns:
        ``module``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = prune.identity(torch.nn.Linear(2, 3), "bias")
        >>> list(m.state_dict())
        ['weight', 'bias_orig', 'bias_mask']
        >>> m.bias_mask
        tensor([1., 1., 1.])
    """
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune ``amount`` entries of ``module.<name>``, chosen at random among those not
    pruned yet. The draws are PyTorch's: the same ``manual_seed`` prunes the same entries.
    Mirrors ``torch.nn.utils.prune.random_unstructured``.

    Args:
        module: the module holding the tensor.
        name: the parameter's name.
        amount: an int (how many entries) or a float in [0, 1] (the fraction of all
            entries, rounded).

    Returns:
        ``module``.

    Raises:
        TypeError: for an ``amount`` that is not a real number.
        ValueError: for a negative ``amount``, a float above 1, or more entries than
            the tensor has.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> _ = torch.manual_seed(0)
        >>> m = prune.random_unstructured(torch.nn.Linear(4, 2), "weight", amount=0.5)
        >>> int(m.weight_mask.sum())
        4
    """
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the ``amount`` entries of ``module.<name>`` of smallest absolute value (of
    ``importance_scores`` when given, a tensor of the parameter's shape). Mirrors
    ``torch.nn.utils.prune.l1_unstructured``.

    Args:
        module: the module holding the tensor.
        name: the parameter's name.
        amount: an int (how many entries) or a float in [0, 1] (the fraction, rounded).
        importance_scores: scores ranking the entries (default: the parameter).

    Returns:
        ``module``.

    Raises:
        TypeError: for an ``amount`` that is not a real number.
        ValueError: for a negative ``amount``, a float above 1, or too many entries.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = torch.nn.Linear(3, 1)
        >>> with torch.no_grad():
        ...     m.weight.copy_(torch.tensor([[0.5, -0.1, 2.0]]))
        Parameter containing:
        tensor([[ 0.5000, -0.1000,  2.0000]], requires_grad=True)
        >>> m = prune.l1_unstructured(m, "weight", amount=1)
        >>> m.weight
        tensor([[0.5000, -0.0000, 2.0000]], grad_fn=<MulBackward0>)
    """
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune ``amount`` whole channels of ``module.<name>`` along ``dim``, chosen at random
    (PyTorch's draws). Mirrors ``torch.nn.utils.prune.random_structured``.

    Args:
        module: the module holding the tensor (of 2 dimensions or more).
        name: the parameter's name.
        amount: an int (how many channels) or a float in [0, 1] (the fraction, rounded).
        dim: the channel dimension.

    Returns:
        ``module``.

    Raises:
        ValueError: for a tensor of fewer than 2 dimensions or a bad ``amount``.
        IndexError: for ``dim`` out of range.
    """
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the ``amount`` channels of ``module.<name>`` along ``dim`` with the smallest
    ``n``-norm (of ``importance_scores`` when given). Mirrors
    ``torch.nn.utils.prune.ln_structured``.

    Args:
        module: the module holding the tensor (of 2 dimensions or more).
        name: the parameter's name.
        amount: an int (how many channels) or a float in [0, 1] (the fraction, rounded).
        n: the norm's order (``p`` of ``torch.norm``).
        dim: the channel dimension.
        importance_scores: scores ranking the channels (default: the parameter).

    Returns:
        ``module``.

    Raises:
        ValueError: for a tensor of fewer than 2 dimensions or a bad ``amount``.
        IndexError: for ``dim`` out of range.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = torch.nn.Linear(2, 3)
        >>> with torch.no_grad():
        ...     m.weight.copy_(torch.tensor([[1., 1.], [0., 0.1], [3., 0.]]))
        Parameter containing:
        tensor([[1.0000, 1.0000],
                [0.0000, 0.1000],
                [3.0000, 0.0000]], requires_grad=True)
        >>> m = prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
        >>> m.weight_mask
        tensor([[1., 1.],
                [0., 0.],
                [1., 1.]])
    """
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune several tensors together: ``pruning_method(**kwargs)`` (an unstructured method
    class such as :class:`L1Unstructured`) runs once on all of them flattened into one
    vector, then each tensor gets its part of the mask through :func:`custom_from_mask`.
    Mirrors ``torch.nn.utils.prune.global_unstructured``.

    Args:
        parameters: an iterable of ``(module, name)`` pairs.
        pruning_method: the method class (``PRUNING_TYPE == "unstructured"``).
        importance_scores: a dict ``{(module, name): scores}``; missing pairs use the
            parameter itself.
        **kwargs: the method's arguments (``amount=...``).

    Raises:
        TypeError: for ``parameters`` that is not iterable, ``importance_scores`` not a
            dict, or a method that is not unstructured.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> a, b = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
        >>> with torch.no_grad():
        ...     _ = a.weight.copy_(torch.tensor([[1., 4.]]))
        ...     _ = b.weight.copy_(torch.tensor([[3., 2.]]))
        >>> prune.global_unstructured([(a, "weight"), (b, "weight")],
        ...                           pruning_method=prune.L1Unstructured, amount=2)
        >>> a.weight_mask, b.weight_mask
        (tensor([[0., 1.]]), tensor([[1., 0.]]))
    """
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    if importance_scores is None:
        importance_scores = {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    scores = parameters_to_vector([importance_scores.get((m, name), getattr(m, name)) for m, name in parameters])
    default_mask = parameters_to_vector(
        [getattr(m, name + "_mask", ones_like(getattr(m, name))) for m, name in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(scores, default_mask)
    start = 0
    for m, name in parameters:
        param = getattr(m, name)
        custom_from_mask(m, name, mask=final_mask[start:start + param.numel()].view_as(param))
        start += param.numel()


def custom_from_mask(module, name, mask):
    """Prune ``module.<name>`` with ``mask`` (a tensor of its shape; 0 prunes an entry),
    on top of any earlier mask. Mirrors ``torch.nn.utils.prune.custom_from_mask``.

    Returns:
        ``module``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = prune.custom_from_mask(torch.nn.Linear(2, 3), "bias", torch.tensor([0, 1, 0]))
        >>> m.bias_mask
        tensor([0., 1., 0.])
    """
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of ``module.<name>`` permanent: ``<name>`` is a parameter again,
    holding the pruned values, and ``<name>_orig``, ``<name>_mask`` and the hook are gone.
    Mirrors ``torch.nn.utils.prune.remove``.

    Returns:
        ``module``.

    Raises:
        ValueError: if ``module.<name>`` is not pruned.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = prune.custom_from_mask(torch.nn.Linear(2, 3), "bias", torch.tensor([0, 1, 0]))
        >>> m = prune.remove(m, "bias")
        >>> list(m.state_dict()), prune.is_pruned(m)
        (['weight', 'bias'], False)
    """
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether ``module`` or any of its submodules has a pruning hook. Mirrors
    ``torch.nn.utils.prune.is_pruned``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils import prune
        >>> m = torch.nn.Sequential(torch.nn.Linear(2, 2))
        >>> prune.is_pruned(m)
        False
        >>> _ = prune.identity(m[0], "weight")
        >>> prune.is_pruned(m)
        True
    """
    return any(isinstance(hook, BasePruningMethod)
               for _, sub in module.named_modules() for hook in sub._forward_pre_hooks.values())


def _validate_pruning_amount_init(amount):
    """An int >= 0 or a float in [0, 1] (checked when a method is made)."""
    if not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if amount < 0 if isinstance(amount, numbers.Integral) else not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _validate_pruning_amount(amount, tensor_size):
    """An int amount no larger than the number of entries (or channels)."""
    if isinstance(amount, numbers.Integral) and amount > tensor_size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={tensor_size}")


def _validate_structured_pruning(t):
    if len(t.shape) <= 1:
        raise ValueError("Structured pruning can only be applied to multidimensional tensors. Found tensor of "
                         f"shape {t.shape} with {len(t.shape)} dims")


def _compute_nparams_toprune(amount, tensor_size):
    """The count itself for an int ``amount``; ``round(amount * tensor_size)`` for a float."""
    return amount if isinstance(amount, numbers.Integral) else round(amount * tensor_size)


def _validate_pruning_dim(t, dim):
    if dim >= t.dim():
        raise IndexError(f"Invalid index {dim} for tensor of size {t.shape}")
