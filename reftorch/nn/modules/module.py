"""``nn.Module``: the base class of every layer and model. Mirrors ``torch.nn.Module``.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: :class:`~reftorch.nn.Parameter` objects (``self.weight = Parameter(...)``);
* ``_buffers``: tensors that are state but not trained (``register_buffer``);
* ``_modules``: child modules (``self.fc = nn.Linear(...)``).

Everything else (``parameters()``, ``state_dict()``, ``to()``, the printed form …) walks
these registries in registration order, which is why parameter names and the order of
``parameters()`` match PyTorch's exactly.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..._ops.creation import empty_like
from ..._tensor import Tensor, typename as _typename
from ..._memory_format import memory_format
from ..._tensor_methods import parse_to_args, to_arguments_error
from ...autograd.grad_mode import no_grad
from ...utils.hooks import BackwardHook, RemovableHandle
from ..parameter import Parameter, Buffer

__all__ = ["register_module_forward_pre_hook", "register_module_forward_hook", "register_module_full_backward_pre_hook",
           "register_module_backward_hook", "register_module_full_backward_hook",
           "register_module_buffer_registration_hook", "register_module_module_registration_hook",
           "register_module_parameter_registration_hook", "Module"]

#: the key suffix of a module's ``get_extra_state()`` in its state dict
_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


def _addindent(s: str, num_spaces: int) -> str:
    """Indent every line of ``s`` but the first by ``num_spaces`` spaces."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * num_spaces + line for line in lines)


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the missing and the unexpected keys."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


_IncompatibleKeys.__name__ = "_IncompatibleKeys"


class _WrappedHook:
    """A load-state-dict pre-hook as stored: ``hook``, given ``module`` first when there
    is one. (As in PyTorch, code looking for its own hook object in
    ``_load_state_dict_pre_hooks`` by type finds this wrapper instead.)"""

    def __init__(self, hook, module=None):
        self.hook, self.module = hook, module

    def __call__(self, *args):
        if self.module is not None:
            return self.hook(self.module, *args)
        return self.hook(*args)
_IncompatibleKeys.__qualname__ = "_IncompatibleKeys"


def _register_legacy_backward_hooks(module, hooks, args, result):
    """``register_backward_hook``'s hooks, put on the ``grad_fn`` of the first tensor in
    ``result`` (as PyTorch does: they see that node's gradients, which are the module's
    only when its forward is that one node; the FutureWarning says when it is not)."""
    var = result
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) else var[0]
    grad_fn = var.grad_fn
    if grad_fn is None:
        return
    for hook in hooks:
        grad_fn.register_hook(_WrappedHook(hook, module))
    _warn_non_full_backward_hook(args, result, grad_fn)


def _warn_non_full_backward_hook(inputs, result, grad_fn):
    """PyTorch's FutureWarning when a legacy backward hook will miss gradients."""
    if isinstance(result, Tensor):
        result = (result,)
    elif not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        warnings.warn("Using non-full backward hooks on a Module that does not return a single Tensor or a tuple of "
                      "Tensors is deprecated and will be removed in future versions. This hook will be missing some "
                      "of the grad_output. Please use register_full_backward_hook to get the documented behavior.",
                      FutureWarning, stacklevel=3)
        return
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    elif not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
        warnings.warn("Using non-full backward hooks on a Module that does not take as input a single Tensor or a "
                      "tuple of Tensors is deprecated and will be removed in future versions. This hook will be "
                      "missing some of the grad_input. Please use register_full_backward_hook to get the "
                      "documented behavior.", FutureWarning, stacklevel=3)
        return
    out_grad_fn = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_grad_fn or (len(out_grad_fn) == 1 and grad_fn not in out_grad_fn):
        warnings.warn("Using a non-full backward hook when outputs are nested in python data structure is "
                      "deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_output.", FutureWarning, stacklevel=3)
    elif len(out_grad_fn) > 1:
        warnings.warn("Using a non-full backward hook when outputs are generated by different autograd Nodes is "
                      "deprecated and will be removed in future versions. This hook will be missing some "
                      "grad_output. Please use register_full_backward_hook to get the documented behavior.",
                      FutureWarning, stacklevel=3)
    else:
        inputs_grad_fn = {i.grad_fn for i in inputs if i.grad_fn is not None}
        next_functions = {n[0] for n in grad_fn.next_functions}
        if inputs_grad_fn != next_functions:
            warnings.warn("Using a non-full backward hook when the forward contains multiple autograd Nodes is "
                          "deprecated and will be removed in future versions. This hook will be missing some "
                          "grad_input. Please use register_full_backward_hook to get the documented behavior.",
                          FutureWarning, stacklevel=3)


# ---------------------------------------------------------------------- global hooks
# Hooks common to every module (PyTorch's ``_global_*`` registries). Each global call hook's
# id is also a key of ``_global_call_hook_ids`` (removed along with it by its handle), so
# that ``Module.__call__`` asks one dict whether any of them exists.
_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_is_full_backward_hook = None
_global_call_hook_ids = OrderedDict()


def _add_global_hook(hooks, hook, *flags):
    """Store ``hook`` in the global registry ``hooks``, its id also a key of each dict of
    ``flags``, all removed together by the returned handle."""
    handle = RemovableHandle(hooks, extra_dict=list(flags))
    hooks[handle.id] = hook
    for d in flags:
        d[handle.id] = True
    return handle


def _run_registration_hooks(hooks, module, name, value):
    """Pass ``value`` through the global registration ``hooks``: a non-None result replaces it."""
    for hook in hooks.values():
        output = hook(module, name, value)
        if output is not None:
            value = output
    return value


def register_module_buffer_registration_hook(hook):
    """Register ``hook(module, name, buffer)``, called by every module's ``register_buffer``
    (and buffer assignment) before the buffer is stored; a non-None result is stored
    instead. Adds global state. Mirrors
    ``torch.nn.modules.module.register_module_buffer_registration_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.
    """
    return _add_global_hook(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Register ``hook(module, name, submodule)``, called whenever a module registers a
    child (``add_module``, ``register_module``, attribute assignment, ``None`` included)
    before it is stored; a non-None result is stored instead. Adds global state. Mirrors
    ``torch.nn.modules.module.register_module_module_registration_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.modules.module import register_module_module_registration_hook
        >>> handle = register_module_module_registration_hook(lambda m, name, sub: print(name, type(sub).__name__))
        >>> seq = torch.nn.Sequential(torch.nn.ReLU())
        0 ReLU
        >>> handle.remove()
    """
    return _add_global_hook(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Register ``hook(module, name, param)``, called by every module's
    ``register_parameter`` (and parameter assignment; not for ``None``) before the
    parameter is stored; a non-None result is stored instead. Adds global state. Mirrors
    ``torch.nn.modules.module.register_module_parameter_registration_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.
    """
    return _add_global_hook(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    """Register ``hook(module, args)`` to run before the ``forward`` of every module call,
    before the module's own forward pre-hooks (whatever their ``prepend``). A non-None
    result replaces the positional arguments (a non-tuple is wrapped in a one-element
    tuple). Adds global state (meant for debugging and profiling). Mirrors
    ``torch.nn.modules.module.register_module_forward_pre_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.modules.module import register_module_forward_pre_hook
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
        >>> with register_module_forward_pre_hook(lambda m, args: print(type(m).__name__)):
        ...     _ = net(torch.zeros(1, 2))
        Sequential
        Linear
        ReLU
    """
    return _add_global_hook(_global_forward_pre_hooks, hook, _global_call_hook_ids)


def register_module_forward_hook(hook, *, with_kwargs: bool = False, always_call: bool = False):
    """Register ``hook(module, args, output)`` to run after the ``forward`` of every module
    call, before the module's own forward hooks. A non-None result replaces the output.
    Adds global state (meant for debugging and profiling). Mirrors
    ``torch.nn.modules.module.register_module_forward_hook``.

    Args:
        hook: the callable.
        with_kwargs: call it as ``hook(module, args, kwargs, output)``.
        always_call: run it even when ``forward`` raises; it then sees ``output=None`` and
            is called as ``hook(module, args, output)`` even with ``with_kwargs`` (as in
            PyTorch), and an exception it raises becomes a warning.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.modules.module import register_module_forward_hook
        >>> handle = register_module_forward_hook(lambda m, args, out: out + 1)
        >>> torch.nn.Identity()(torch.tensor([1.0, 2.0]))
        tensor([2., 3.])
        >>> handle.remove()
    """
    flags = [_global_forward_hooks_always_called] if always_call else []
    handle = _add_global_hook(_global_forward_hooks, hook, _global_call_hook_ids, *flags)
    if with_kwargs:  # (PyTorch's handle leaves this flag behind; the ids are never reused)
        _global_forward_hooks_with_kwargs[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Register ``hook(module, grad_output)`` for every module call, run before the
    module's own full backward pre-hooks; it behaves as those registered with
    :meth:`Module.register_full_backward_pre_hook`. Adds global state. Mirrors
    ``torch.nn.modules.module.register_module_full_backward_pre_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.
    """
    return _add_global_hook(_global_backward_pre_hooks, hook, _global_call_hook_ids)


def register_module_full_backward_hook(hook):
    """Register ``hook(module, grad_input, grad_output)`` for every module call, run before
    the module's own full backward hooks; it behaves as those registered with
    :meth:`Module.register_full_backward_hook`. Adds global state. Mirrors
    ``torch.nn.modules.module.register_module_full_backward_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

    Raises:
        RuntimeError: if a global hook was registered with
            :func:`register_module_backward_hook`.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.modules.module import register_module_full_backward_hook
        >>> lin = torch.nn.Linear(3, 2)
        >>> def show(module, grad_input, grad_output):
        ...     print(type(module).__name__, [tuple(g.shape) for g in grad_output])
        >>> with register_module_full_backward_hook(show):
        ...     lin(torch.ones(4, 3, requires_grad=True)).sum().backward()
        Linear [(4, 2)]
    """
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is False:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
                           "Please use only one of them.")
    _global_is_full_backward_hook = True
    return _add_global_hook(_global_backward_hooks, hook, _global_call_hook_ids)


def register_module_backward_hook(hook):
    """The deprecated global backward hook (see :meth:`Module.register_backward_hook`), for
    every module call, before the module's own. Use
    :func:`register_module_full_backward_hook`. Mirrors
    ``torch.nn.modules.module.register_module_backward_hook``.

    Returns:
        A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

    Raises:
        RuntimeError: if a global hook was registered with
            :func:`register_module_full_backward_hook`.
    """
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is True:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
                           "Please use only one of them.")
    _global_is_full_backward_hook = False
    return _add_global_hook(_global_backward_hooks, hook, _global_call_hook_ids)


class Module:
    """Base class for all neural network modules.

    Subclasses call ``super().__init__()`` first, then assign parameters, buffers and
    submodules as attributes, and define ``forward``. Calling the module runs ``forward``
    (and any hooks).

    Examples:
        >>> import reftorch as torch
        >>> from reftorch import nn
        >>> class Tiny(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(2, 1)
        ...     def forward(self, x):
        ...         return self.fc(x)
        >>> [name for name, _ in Tiny().named_parameters()]
        ['fc.weight', 'fc.bias']
    """

    _version = 1
    training: bool

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            if kwargs:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                                f"'{next(iter(kwargs))}'")
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = {}
        d["_backward_pre_hooks"] = OrderedDict()
        d["_backward_hooks"] = OrderedDict()
        d["_is_full_backward_hook"] = None
        d["_forward_hooks"] = OrderedDict()
        d["_forward_hooks_with_kwargs"] = OrderedDict()
        d["_forward_hooks_always_called"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_pre_hooks_with_kwargs"] = OrderedDict()
        d["_state_dict_hooks"] = OrderedDict()
        d["_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_pre_hooks"] = OrderedDict()
        d["_load_state_dict_post_hooks"] = OrderedDict()

    # ------------------------------------------------------------------ forward
    def forward(self, *args, **kwargs):
        """Define the computation; every subclass overrides it."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks or _global_call_hook_ids):  # (the usual case, checked on every call)
            return self.forward(*args, **kwargs)
        result = None
        called_always = set()
        # the global hooks run first (registered with ``register_module_*_hook``), then the module's
        forward_hooks = [*_global_forward_hooks.items(), *self._forward_hooks.items()]
        try:
            for hook_id, hook in [*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()]:
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if not (isinstance(res, tuple) and len(res) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {res}.")
                        args, kwargs = res
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
            full_hooks, legacy_hooks = self._get_backward_hooks()
            pre_hooks = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
            bw_hook = None
            if full_hooks or pre_hooks:
                bw_hook = BackwardHook(self, full_hooks, pre_hooks)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in forward_hooks:
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
            if bw_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple "
                                  f"of Tensors but received {type(result)}", stacklevel=2)
                result = bw_hook.setup_output_hook(result)
            if legacy_hooks:
                _register_legacy_backward_hooks(self, legacy_hooks, args, result)
            return result
        except Exception:
            # forward hooks registered with always_call=True run even when forward raised; a
            # global one without its kwargs (as PyTorch calls it)
            for hook_id, hook in forward_hooks:
                is_global = hook_id in _global_forward_hooks_always_called
                if not (is_global or hook_id in self._forward_hooks_always_called) or hook_id in called_always:
                    continue
                try:
                    if not is_global and hook_id in self._forward_hooks_with_kwargs:
                        res = hook(self, args, kwargs, result)
                    else:
                        res = hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(f"{'global ' if is_global else ''}module forward hook with ``always_call=True`` "
                                  "raised an exception that was silenced as another error was raised in forward: "
                                  f"{e}", stacklevel=2)
            raise

    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """Run ``hook(module, args)`` before every ``forward``.

        A non-None result replaces the positional arguments (a non-tuple is wrapped in a
        one-element tuple). With ``with_kwargs=True`` the hook is called as
        ``hook(module, args, kwargs)`` and may return a new ``(args, kwargs)`` pair.
        Mirrors ``torch.nn.Module.register_forward_pre_hook``.

        Args:
            hook: the callable.
            prepend: run it before the hooks already registered (default: after them).
            with_kwargs: pass the keyword arguments of the call too.

        Returns:
            A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

        Raises:
            RuntimeError: (at the call) if a ``with_kwargs`` hook returns something other
                than None or a 2-tuple.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(2, 2)
            >>> def show(module, args, kwargs):
            ...     print(type(module).__name__, len(args), sorted(kwargs))
            >>> handle = lin.register_forward_pre_hook(show, with_kwargs=True)
            >>> _ = lin(input=torch.zeros(1, 2))
            Linear 0 ['input']
            >>> handle.remove()
        """
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        """Run ``hook(module, args, output)`` after every ``forward``.

        A non-None result replaces the output. ``args`` are the positional arguments
        ``forward`` received (after the pre-hooks). With ``with_kwargs=True`` the hook is
        called as ``hook(module, args, kwargs, output)``. Mirrors
        ``torch.nn.Module.register_forward_hook``.

        Args:
            hook: the callable.
            prepend: run it before the hooks already registered (default: after them).
            with_kwargs: pass the keyword arguments of the call too.
            always_call: run the hook even when ``forward`` (or an earlier hook) raises;
                it then sees ``output=None``, and an exception it raises itself is turned
                into a warning so that the original one propagates.

        Returns:
            A ``RemovableHandle``; ``handle.remove()`` unregisters the hook.

        Examples:
            >>> import reftorch as torch
            >>> relu = torch.nn.ReLU()
            >>> handle = relu.register_forward_hook(lambda m, args, out: out * 2)
            >>> relu(torch.tensor([-1.0, 3.0]))
            tensor([0., 6.])
            >>> handle.remove()
        """
        handle = RemovableHandle(self._forward_hooks,
                                 extra_dict=[self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def _get_backward_hooks(self):
        """``(full hooks, legacy hooks)``: the global backward hooks, then the module's, by
        the kind registered."""
        full, legacy = [], []
        for is_full, hooks in ((_global_is_full_backward_hook, _global_backward_hooks),
                               (self._is_full_backward_hook, self._backward_hooks)):
            if is_full is not None:
                (full if is_full else legacy).extend(hooks.values())
        return full, legacy

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """Run ``hook(module, grad_output)`` when the gradients of this module's outputs
        have been computed, before those of its inputs.

        ``grad_output`` is a tuple with one entry per output (``None`` for an output that
        is no tensor or that no gradient reached). A non-None result, a tuple of the same
        length, is used in place of ``grad_output`` for the rest of the backward pass.
        Mirrors ``torch.nn.Module.register_full_backward_pre_hook``.

        Args:
            hook: the callable.
            prepend: run it before the pre-hooks already registered.

        Returns:
            A ``RemovableHandle``.

        Raises:
            RuntimeError: (in backward) if the hook returns a tuple of the wrong length.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(2, 1)
            >>> _ = lin.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 0,))
            >>> x = torch.ones(1, 2, requires_grad=True)
            >>> lin(x).sum().backward()
            >>> x.grad, lin.weight.grad
            (tensor([[0., 0.]]), tensor([[0., 0.]]))
        """
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """Run ``hook(module, grad_input, grad_output)`` once the gradients of this
        module's inputs have been computed.

        ``grad_input`` has one entry per positional argument of the call (``None`` for an
        argument that is no tensor or does not require grad), ``grad_output`` one per
        output. A non-None result, a tuple as long as ``grad_input``, replaces the input
        gradients that flow on. The module's tensor inputs and outputs pass through an
        identity node (their ``grad_fn`` is ``BackwardHookFunctionBackward``), which the
        module must not modify in place. If no input requires grad, the hook runs with
        ``grad_input`` all ``None`` when the output gradients are known (with a warning).
        Mirrors ``torch.nn.Module.register_full_backward_hook``.

        Args:
            hook: the callable.
            prepend: run it before the hooks already registered.

        Returns:
            A ``RemovableHandle``.

        Raises:
            RuntimeError: if a hook was registered with ``register_backward_hook``; (in
                backward) if the hook returns a tuple of the wrong length; (in forward) if
                the module modifies an input in place.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(3, 2)
            >>> def show(module, grad_input, grad_output):
            ...     print([tuple(g.shape) for g in grad_input], [tuple(g.shape) for g in grad_output])
            >>> _ = lin.register_full_backward_hook(show)
            >>> lin(torch.ones(4, 3, requires_grad=True)).sum().backward()
            [(4, 3)] [(4, 2)]
        """
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """The deprecated backward hook: ``hook(module, grad_input, grad_output)`` on the
        ``grad_fn`` of the module's (first) output.

        ``grad_input`` and ``grad_output`` are that node's gradients (for ``Linear`` on a
        2-D input, ``AddmmBackward0``'s: bias, input and transposed weight), which are the
        module's only when ``forward`` is a single op; a ``FutureWarning`` is given at the
        call otherwise. Use :meth:`register_full_backward_hook`. Mirrors
        ``torch.nn.Module.register_backward_hook``.

        Returns:
            A ``RemovableHandle``.

        Raises:
            RuntimeError: if a hook was registered with ``register_full_backward_hook``.
        """
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ registration
    def register_parameter(self, name: str, param) -> None:
        """Add a parameter under ``name`` (``None`` registers a missing parameter).

        Raises:
            AttributeError: before ``Module.__init__`` has run.
            TypeError: if ``name`` is not a string or ``param`` is not a Parameter or None.
            KeyError: if ``name`` is empty, contains ``"."`` or is already an attribute.
            ValueError: if ``param`` is not a leaf tensor.
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"parameter name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == "":
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                "the forward() method.")
        self._parameters[name] = _run_registration_hooks(_global_parameter_registration_hooks, self, name, param)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a tensor that is module state but not a parameter (e.g. running statistics).

        Args:
            name: the attribute name.
            tensor: the tensor, or ``None``.
            persistent: whether the buffer appears in ``state_dict()``.

        Raises:
            AttributeError: before ``Module.__init__`` has run.
            TypeError: if ``name`` is not a string or ``tensor`` is not a tensor or None.
            KeyError: if ``name`` is empty, contains ``"."`` or is already an attribute.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == "":
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = _run_registration_hooks(_global_buffer_registration_hooks, self, name, tensor)
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Add a child module under ``name`` (``None`` registers an empty slot).

        Raises:
            TypeError: if ``module`` is not a Module or None, or ``name`` not a string.
            KeyError: if ``name`` is empty, contains ``"."`` or is already an attribute.
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = _run_registration_hooks(_global_module_registration_hooks, self, name, module)

    register_module = add_module

    def __getattr__(self, name: str):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):  # (runs per parameter read)
            found = d.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__

        def remove_from(*dicts_or_sets):
            for ds in dicts_or_sets:
                if name in ds:
                    if isinstance(ds, dict):
                        del ds[name]
                    else:
                        ds.discard(name)

        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            remove_from(d, self._buffers, self._modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            remove_from(d, self._parameters, self._buffers, self._non_persistent_buffers_set)
            modules[name] = _run_registration_hooks(_global_module_registration_hooks, self, name, value)
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = _run_registration_hooks(_global_module_registration_hooks, self, name, value)
            return
        buffers = d.get("_buffers")
        if isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            if isinstance(value, Buffer):
                persistent = value.persistent
            else:
                persistent = name not in self._non_persistent_buffers_set
            remove_from(d, self._parameters, self._modules)
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del self._parameters[name]
        elif name in d.get("_buffers", ()):
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in d.get("_modules", ()):
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = list(dir(type(self))) + list(self.__dict__) + list(self._parameters) + \
            list(self._modules) + list(self._buffers)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)
        # modules pickled before some registries existed get them empty
        for name in ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks",
                     "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_backward_pre_hooks",
                     "_backward_hooks", "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks",
                     "_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_is_full_backward_hook", None)

    # ------------------------------------------------------------------ iteration
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """Yield ``(name, module)`` for this module and every descendant, depth first.

        The module itself comes first with name ``prefix`` (``""`` by default); a module
        reachable twice is yielded once unless ``remove_duplicate=False``.
        """
        if memo is None:
            memo = set()
        if self in memo and remove_duplicate:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        """Yield this module and every descendant (see :meth:`named_modules`)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield ``(name, module)`` for each direct child (each module once)."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def children(self):
        """Yield each direct child module."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or (id(v) in memo):
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield module_prefix + ("." if module_prefix else "") + k, v

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yield ``(name, parameter)`` pairs with dotted names (``"fc.weight"``).

        A parameter shared by two modules is yielded once (under its first name) unless
        ``remove_duplicate=False``; ``recurse=False`` yields only this module's own.
        """
        yield from self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        """Yield every parameter (see :meth:`named_parameters`)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yield ``(name, buffer)`` pairs, like :meth:`named_parameters`."""
        yield from self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        """Yield every buffer."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        """The submodule at the dotted path ``target`` (``""`` is this module).

        Raises:
            AttributeError: if a step of the path does not exist or is not a Module.
        """
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def set_submodule(self, target: str, module: "Module", strict: bool = False) -> None:
        """Put ``module`` at the dotted path ``target`` (``"block.0.fc"``), replacing the
        submodule there or, unless ``strict``, adding a new one. Mirrors
        ``torch.nn.Module.set_submodule``.

        Args:
            target: the dotted path; every step but the last must lead to a submodule.
            module: the module to put there.
            strict: refuse to add a new attribute (only replace an existing submodule).

        Raises:
            ValueError: if ``target`` is empty or ``module`` is not a Module.
            AttributeError: if a step of the path is missing (the last too, with
                ``strict``) or the attribute replaced is not a Module.

        Examples:
            >>> import reftorch as torch
            >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
            >>> net.set_submodule("1", torch.nn.Tanh())
            >>> net
            Sequential(
              (0): Linear(in_features=2, out_features=2, bias=True)
              (1): Tanh()
            )
        """
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        name = atoms[-1]
        if strict and not hasattr(parent, name):
            raise AttributeError(parent._get_name() + " has no attribute `" + name + "`")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), Module):
            raise AttributeError("`" + name + "` is not an nn.Module")
        setattr(parent, name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"fc.weight"``).

        Raises:
            AttributeError: if the path does not lead to a parameter.
        """
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``.

        Raises:
            AttributeError: if the path does not lead to a buffer.
        """
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(mod, name)

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> "Module":
        """Set training mode on this module and every descendant (``Dropout`` drops only
        in training mode). Returns ``self``.

        Raises:
            ValueError: if ``mode`` is not a bool.
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Same as ``train(False)``. Returns ``self``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` on every parameter (freeze with ``False``). Returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradient of every parameter: to ``None`` (default) or to zeros."""
        for p in self.parameters():
            if p._grad is not None:
                if set_to_none:
                    p._grad = None
                else:
                    g = p._grad
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    # ------------------------------------------------------------------ conversion
    def _apply(self, fn, recurse: bool = True) -> "Module":
        if recurse:
            for module in self.children():
                module._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with no_grad():
                new = fn(param)
            # PyTorch keeps the same Parameter object and swaps its data.
            param.data = new
            if param._grad is not None:
                with no_grad():
                    g = fn(param._grad)
                param._grad = g
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def apply(self, fn) -> "Module":
        """Call ``fn(m)`` on every submodule (children first) and then on ``self``.

        Typically used to initialise weights. Returns ``self``.
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Move and/or cast the parameters and buffers in place; returns ``self``.

        ``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(tensor)``. Only floating
        point parameters and buffers are cast to a new dtype. With ``memory_format=`` (such
        as ``torch.channels_last``) the 4-d and 5-d parameters and buffers are laid out in
        that format too (``Tensor.to``'s rules), the others are left as they are.

        Raises:
            TypeError: if ``dtype`` is not a floating point or complex dtype, or
                ``memory_format`` is not a ``torch.memory_format`` or ``None``.
            RuntimeError: for ``torch.channels_last`` on a module with a 5-d parameter
                (``channels_last_3d`` with a 4-d one), as ``Tensor.to``.
        """
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        fmt = kwargs.pop("memory_format", None)
        if fmt is not None and not isinstance(fmt, memory_format):
            raise TypeError(to_arguments_error(args, {"memory_format": fmt}))
        dtype, device = parse_to_args(args, dtype, device)
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got "
                            f"desired dtype={dtype}")

        def convert(t):
            if fmt is not None and t.dim() in (4, 5):
                return t.to(device, dtype if t.is_floating_point() or t.is_complex() else None, memory_format=fmt)
            if dtype is not None and (t.is_floating_point() or t.is_complex()):
                return t.to(device, dtype)
            return t.to(device) if device is not None else t

        return self._apply(convert)

    def cpu(self) -> "Module":
        """Move every parameter and buffer to the CPU. Returns ``self``."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None) -> "Module":
        """Move every parameter and buffer to a CUDA device. Returns ``self``."""
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type) -> "Module":
        """Cast every parameter and buffer to ``dst_type``. Returns ``self``."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self) -> "Module":
        """Cast floating point parameters and buffers to float32. Returns ``self``."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self) -> "Module":
        """Cast floating point parameters and buffers to float64. Returns ``self``."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self) -> "Module":
        """Cast floating point parameters and buffers to float16. Returns ``self``."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self) -> "Module":
        """Cast floating point parameters and buffers to bfloat16. Returns ``self``."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def to_empty(self, *, device, recurse: bool = True) -> "Module":
        """Give every parameter and buffer new, uninitialized memory on ``device`` (same
        shapes and dtypes; the Parameter objects stay, as with :meth:`to`). Mirrors
        ``torch.nn.Module.to_empty``; initialize the values afterwards (e.g.
        ``reset_parameters()``).

        Args:
            device: where the new memory is (``None``: the current default device).
            recurse: include the submodules' parameters and buffers.

        Returns:
            ``self``.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(2, 3).to_empty(device="cpu")
            >>> lin.weight.shape, lin.weight.requires_grad
            (torch.Size([3, 2]), True)
        """
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def share_memory(self) -> "Module":
        """Call ``share_memory_()`` on every parameter, buffer and gradient; returns
        ``self``. Mirrors ``torch.nn.Module.share_memory``, which moves them into shared
        memory for ``torch.multiprocessing``; reftorch has none, so ``Tensor.share_memory_``
        only marks the memory (``is_shared()`` becomes True) and leaves it where it is.

        Raises:
            RuntimeError: if a lazy module's parameters are still uninitialized (as in
                PyTorch).
        """
        for module in self.modules():
            for t in (*module._parameters.values(), *module._buffers.values()):
                if t is not None:
                    t.share_memory_()  # (a lazy module's uninitialized ones raise)
                    if t.grad is not None:
                        t.grad.share_memory_()
        return self

    # ------------------------------------------------------------------ state dict
    def _register_state_dict_hook(self, hook):
        """Run ``hook(module, state_dict, prefix, local_metadata)`` at the end of this
        module's ``state_dict()``; a non-None result replaces the dict (PyTorch's private
        hook, used by ``nn.utils.spectral_norm``). Returns a removable handle."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was previously "
                               "registered via register_state_dict_post_hook")
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook):
        """Run ``hook(module, prefix, keep_vars)`` at the start of this module's
        ``state_dict()``, before anything is saved (its result is ignored). Mirrors
        ``torch.nn.Module.register_state_dict_pre_hook``.

        Returns:
            A ``RemovableHandle``.
        """
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """Run ``hook(module, state_dict, prefix, local_metadata)`` at the end of this
        module's ``state_dict()``, once it and its submodules have saved their entries
        (all keys start with ``prefix``). The hook may change ``state_dict`` in place; it
        must return None. Mirrors ``torch.nn.Module.register_state_dict_post_hook``.

        Returns:
            A ``RemovableHandle``.

        Raises:
            RuntimeError: (in ``state_dict()``) if the hook returns something other than
                None.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(2, 1)
            >>> def drop_bias(module, state_dict, prefix, local_metadata):
            ...     del state_dict[prefix + "bias"]
            >>> _ = lin.register_state_dict_post_hook(drop_bias)
            >>> list(torch.nn.Sequential(lin).state_dict())
            ['0.weight']
        """
        hook._from_public_api = True
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """Run ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before this module loads its entries in
        ``load_state_dict()``. The hook may edit ``state_dict`` (rename or convert old
        keys) and the three lists in place. Mirrors
        ``torch.nn.Module.register_load_state_dict_pre_hook``.

        Returns:
            A ``RemovableHandle``.

        Examples:
            >>> import reftorch as torch
            >>> lin = torch.nn.Linear(2, 1)
            >>> def rename(module, state_dict, prefix, *rest):
            ...     if prefix + "w" in state_dict:
            ...         state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
            >>> _ = lin.register_load_state_dict_pre_hook(rename)
            >>> lin.load_state_dict({"w": torch.ones(1, 2), "bias": torch.zeros(1)})
            <All keys matched successfully>
            >>> lin.weight
            Parameter containing:
            tensor([[1., 1.]], requires_grad=True)
        """
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """Run ``hook(module, incompatible_keys)`` after this module and its submodules
        have loaded their entries in ``load_state_dict()``. ``incompatible_keys`` has the
        lists ``missing_keys`` and ``unexpected_keys`` (of the whole load so far); the
        hook may clear entries from them in place (a strict load then accepts them). It
        must return None. Mirrors ``torch.nn.Module.register_load_state_dict_post_hook``.

        Returns:
            A ``RemovableHandle``.

        Raises:
            AssertionError: (in ``load_state_dict()``) if the hook returns something
                other than None.
        """
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    def get_extra_state(self):
        """The extra state to save in ``state_dict()`` under ``<prefix>_extra_state``.

        Override it together with :meth:`set_extra_state` to save state that is neither
        a parameter nor a buffer (any picklable object); a module that does not override
        it saves no such entry. Mirrors ``torch.nn.Module.get_extra_state``.

        Raises:
            RuntimeError: when called on a module that does not override it.

        Examples:
            >>> import reftorch as torch
            >>> class Counter(torch.nn.Module):
            ...     def __init__(self):
            ...         super().__init__()
            ...         self.calls = 0
            ...     def get_extra_state(self):
            ...         return {"calls": self.calls}
            ...     def set_extra_state(self, state):
            ...         self.calls = state["calls"]
            >>> c = Counter()
            >>> c.calls = 3
            >>> dict(c.state_dict())
            {'_extra_state': {'calls': 3}}
            >>> fresh = Counter()
            >>> fresh.load_state_dict(c.state_dict())
            <All keys matched successfully>
            >>> fresh.calls
            3
        """
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please file "
                           "an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to "
                           "report this bug.")

    def set_extra_state(self, state) -> None:
        """Restore the extra state :meth:`get_extra_state` saved (``load_state_dict()``
        calls it with the ``<prefix>_extra_state`` entry; a strict load of a module that
        overrides it requires that entry). Mirrors ``torch.nn.Module.set_extra_state``.

        Raises:
            RuntimeError: when called on a module that does not override it.
        """
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please file "
                           "an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml to "
                           "report this bug.")

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """Run ``hook(state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` (``module`` first with ``with_module``) before this
        module loads its part of a state dict; the hook may rewrite keys (PyTorch's private
        hook, used by weight normalization to read old checkpoints). Returns a removable
        handle."""
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = _WrappedHook(hook, self if with_module else None)
        return handle

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` of every parameter and persistent buffer, keyed by dotted name.

        The tensors are detached and share memory with the module (``keep_vars=True``
        returns the parameters themselves).
        """
        if args:  # the deprecated positional form state_dict(destination, prefix, keep_vars)
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict "
                          "for details.", FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if getattr(hook, "_from_public_api", False):
                if result is not None:
                    raise RuntimeError("state_dict post-hook must return None")
            elif result is not None:
                destination = result
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent_buffers = {k: v for k, v in self._buffers.items()
                              if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in list(self._parameters.items()) + list(persistent_buffers.items())
                       if v is not None}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            input_param = state_dict[key]
            if not isinstance(input_param, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                                  f"or Tensor-like object from checkpoint but received {type(input_param)}")
                continue
            if param.dim() == 0 and input_param.dim() == 1 and input_param.shape[0] == 1:
                input_param = input_param[0]  # (a 1-element checkpoint entry loads into a 0-d tensor)
            if input_param.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {input_param.shape} "
                                  f"from checkpoint, the shape in current model is {param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            new = input_param if isinstance(input_param, Parameter) else \
                                Parameter(input_param, requires_grad=param.requires_grad)
                            self._parameters[name] = new
                        else:
                            self._buffers[name] = input_param
                    else:
                        param.copy_(input_param)
            except Exception as ex:  # pragma: no cover - mirrors PyTorch's wrapping
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the '
                                  f"model are {param.size()} and whose dimensions in the checkpoint are "
                                  f"{input_param.size()}, an exception occurred : {ex.args}.")
        extra_state_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_state_key in state_dict:
                self.set_extra_state(state_dict[extra_state_key])
            elif strict:
                missing_keys.append(extra_state_key)
        elif strict and extra_state_key in state_dict:
            unexpected_keys.append(extra_state_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_state_key:
                    input_name = key[len(prefix):].split(".", 1)
                    if len(input_name) > 1:
                        if input_name[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif input_name[0] not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy parameters and buffers from ``state_dict`` into this module (in place).

        Args:
            state_dict: a mapping from dotted names to tensors, e.g. another model's
                ``state_dict()`` (a PyTorch one loads unchanged).
            strict: require the keys to match exactly.
            assign: keep the checkpoint's tensors instead of copying into the module's.

        Returns:
            ``_IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            TypeError: if ``state_dict`` is not a mapping.
            RuntimeError: on missing or unexpected keys (when ``strict``) and on shape
                mismatches, listing every problem as PyTorch does.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)

        def load(module, local_state_dict, prefix=""):
            local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs, assign)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_sd = {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)}
                    load(child, child_sd, child_prefix)
            incompatible_keys = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible_keys) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not expected "
                                         "to return new values, if incompatible_keys need to be modified, it should "
                                         "be done inplace.")

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ------------------------------------------------------------------ printing
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (empty by default).

        Layers override it, e.g. ``Linear`` returns ``"in_features=2, out_features=3, bias=True"``.
        """
        return ""

    def __repr__(self):
        extra_lines = []
        extra = self.extra_repr()
        if extra:
            extra_lines = extra.split("\n")
        child_lines = []
        for key, module in self._modules.items():
            mod_str = _addindent(repr(module), 2)
            child_lines.append("(" + key + "): " + mod_str)
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
