"""Calling a module with other parameters and buffers. Mirrors ``torch.nn.utils.stateless``.

:func:`functional_call` swaps the given tensors into the module's registries (by dotted
name), calls the module, and swaps the originals back, even when the call raises. With
``tie_weights`` (the default) a tensor given for one name of a tied group (the same
Parameter registered under several names) is used for all of them.
"""
from __future__ import annotations

import contextlib
import warnings

from ..._tensor import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]

#: stands for "no such attribute" when a swap adds or removes one
_MISSING = object()


def _submodule(module, path, memo):
    """The submodule at the dotted ``path`` (``""``: ``module``), remembered in ``memo``."""
    if not path:
        return module
    if path not in memo:
        prefix, _, attr = path.rpartition(".")
        parent = _submodule(module, prefix, memo)
        try:
            sub = getattr(parent, attr)
        except AttributeError as ex:
            raise AttributeError(f"{parent._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(sub, Module):
            raise TypeError(f"submodule `{path}`: {sub} is not an instance of torch.nn.Module")
        memo[path] = sub
    return memo[path]


def _swap_tensor(module, name, tensor):
    """Put ``tensor`` (or, for ``_MISSING``, nothing) at attribute ``name`` of ``module``,
    in the registry that holds it; returns what was there (``_MISSING`` if nothing)."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    if "." in name:
        raise KeyError('tensor name can\'t contain "."')
    if name == "":
        raise KeyError('tensor name can\'t be empty string ""')
    for registry in (module._parameters, module._buffers):
        if name in registry:
            orig = registry[name]
            if tensor is _MISSING:
                del registry[name]
            else:
                registry[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _swap_all(module, named_tensors, memo):
    """Swap every ``name -> tensor`` in; returns the originals (undoing the swaps made
    so far if one fails)."""
    originals = {}
    try:
        for name, tensor in named_tensors.items():
            prefix, _, attr = name.rpartition(".")
            originals[name] = _swap_tensor(_submodule(module, prefix, memo), attr, tensor)
    except Exception:
        for name, orig in originals.items():
            prefix, _, attr = name.rpartition(".")
            _swap_tensor(_submodule(module, prefix, memo), attr, orig)
        raise
    return originals


def _untie_named_tensors_map(module, parameters_and_buffers):
    """``parameters_and_buffers`` with each given tensor of a tied group given for every
    name of the group.

    Raises:
        ValueError: if different tensors are given for names of one tied group.
    """
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    groups = {}
    for name, tensor in named.items():
        groups.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in groups.values() if len(names) > 1 for name in names}
    given_tied = {name for name in parameters_and_buffers if name in tied}
    for name in given_tied:
        names = tied[name]
        if len(names & given_tied) > 1 and len({id(parameters_and_buffers[n]) for n in names & given_tied}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                             "Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for name in given_tied:
        for other in tied[name]:
            untied[other] = parameters_and_buffers[name]
    return untied


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    """Within the block, ``module`` has the tensors of ``parameters_and_buffers``."""
    named = _untie_named_tensors_map(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        valid = {name for name, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {name for name, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(named)), sorted(set(named) - valid)
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                                "\n\t".join(errors)))
    memo = {}
    originals = {}
    try:
        originals = _swap_all(module, named, memo)
        yield
    finally:
        news = _swap_all(module, originals, memo)
        # (a tensor the module replaced during the call is handed back to the caller's dict)
        parameters_and_buffers.update({k: news[k] for k in parameters_and_buffers if k in news})


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with the tensors of ``parameters_and_buffers`` in
    place of its own parameters and buffers (by dotted name; the others are used as they
    are). Deprecated in PyTorch (a ``FutureWarning``): use
    :func:`reftorch.func.functional_call`, which is the same function. Mirrors
    ``torch.nn.utils.stateless.functional_call``.

    Args:
        module: the module to call.
        parameters_and_buffers: ``{dotted name: tensor}``.
        args: the positional arguments (a tuple, or one argument that is not a tuple).
        kwargs: the keyword arguments.
        tie_weights: a tensor given for one name of a group of tied parameters or
            buffers stands for all of them.
        strict: require exactly the module's parameters and buffers.

    Returns:
        What the module returns.

    Raises:
        RuntimeError: with ``strict``, on missing or unexpected names.
        ValueError: with ``tie_weights``, if tied names get different tensors.
        AttributeError: if a name's path does not exist in the module.
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed in "
                  "a future version of PyTorch. Please use `torch.func.functional_call` instead which is a drop-in "
                  "replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
