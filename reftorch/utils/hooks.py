"""Hook handles. Mirrors ``torch.utils.hooks``."""
from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict

from .._tensor import Tensor
from .._warnings import user_stacklevel
from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled

__all__ = ["RemovableHandle", "BackwardHook"]


def _ref(d):
    """A weak reference to dict ``d`` when it can have one (an ``OrderedDict``), else a
    function returning it (a plain dict cannot be weakly referenced)."""
    try:
        return weakref.ref(d)
    except TypeError:
        return lambda: d


class RemovableHandle:
    """What a ``register_*hook`` call returns: ``remove()`` unregisters the hook.

    Mirrors ``torch.utils.hooks.RemovableHandle``; usable as a context manager (the hook is
    removed on exit).

    Args:
        hooks_dict: the dict (id -> hook) the hook was stored in; held weakly when it
            can be (an ``OrderedDict``), so a handle does not keep its hooks alive.
        extra_dict: a dict, or a list of dicts, whose entry under the same id is removed
            along with the hook (the flags ``with_kwargs`` and ``always_call`` set).

    Attributes:
        id: the key of the hook in ``hooks_dict``.
    """

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.extra_dict_ref = ()
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (_ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(_ref(d) for d in extra_dict)

    def remove(self):
        """Unregister the hook (nothing happens if it is already gone)."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __getstate__(self):
        # copies and pickles hold the hooks dict itself (deep-copied along with the module),
        # weakly again once rebuilt, as PyTorch's handle does
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state):
        hooks, self.id = state[0], state[1]
        self.hooks_dict_ref = _ref(hooks if hooks is not None else OrderedDict())
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(_ref(d) for d in extra if d is not None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class BackwardHookFunction(Function):
    """The identity, recorded as one graph node (``BackwardHookFunctionBackward``) over a
    module's tensor inputs or outputs, for :class:`BackwardHook` to hook. Mirrors
    ``torch.nn.modules._functions.BackwardHookFunction``."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[arg for arg in args if not arg.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *args):
        return args


class BackwardHook:
    """What runs a module's full backward hooks and backward pre-hooks. Mirrors
    ``torch.utils.hooks.BackwardHook``.

    The module's tensor inputs and outputs each pass through a :class:`BackwardHookFunction`
    (the identity, one graph node for all of them). When the backward pass reaches the
    outputs' node, a hook on it collects ``grad_output`` (``None`` for an output no gradient
    reached, or that is no tensor) and runs the pre-hooks, which may replace it; when it
    reaches the inputs' node, a hook there runs the full backward hooks with ``grad_input``
    and that ``grad_output``, and they may replace ``grad_input``. If no input requires
    grad, the full hooks run at the outputs' node instead, with ``grad_input`` all ``None``
    (and a warning).
    """

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _set_user_hook(self, grad_fn):
        def hook(grad_input, _):
            if self.grad_outputs is None:  # the gradient reached the inputs without the outputs
                return None
            res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, res)

        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        """``args`` with its tensors passed through one :class:`BackwardHookFunction` (whose
        node ``fn`` hooks), and the tensors' positions; ``args`` and ``None`` when no
        tensor requires grad or grad mode is off."""
        tensors_idx = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (any(t.requires_grad for t in tensors) and is_grad_enabled()):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        grad_fns = [t.grad_fn for t in new_tensors
                    if t.grad_fn is not None and t.grad_fn.name() == "BackwardHookFunctionBackward"]
        fn(grad_fns[0])
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors):
            arg_list[idx] = val
        return (tuple(arg_list) if type(args) is tuple else type(args)(*arg_list)), tensors_idx

    def setup_input_hook(self, args):
        """Route the module's inputs ``args`` through the hooked identity; returns them."""
        res, input_idx = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_idx
        return res

    def setup_output_hook(self, args):
        """Route the module's output(s) ``args`` through the hooked identity; returns them."""
        def fn(grad_fn):
            def hook(_, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
                if self.user_pre_hooks:
                    expected_len = len(self.grad_outputs)
                    for user_pre_hook in self.user_pre_hooks:
                        hook_grad_outputs = user_pre_hook(self.module, self.grad_outputs)
                        if hook_grad_outputs is None:
                            continue
                        if len(hook_grad_outputs) != expected_len:
                            raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                               f"got {len(hook_grad_outputs)}, but expected {expected_len}")
                        self.grad_outputs = hook_grad_outputs
                local_grad_outputs = self.grad_outputs
                if self.input_tensors_index is None:  # no input requires grad: the full hooks run now
                    warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                                  "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                                  "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook "
                                  "for more details.", stacklevel=user_stacklevel())
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                            raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                               "always return None or None for all gradients.")
                    self.grad_outputs = None
                if local_grad_outputs is not None:
                    return tuple(local_grad_outputs[i] for i in self.output_tensors_index)
                return None

            grad_fn.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, output_idx = self._apply_on_tensors(fn, args)
        self.n_outputs = len(args)
        self.output_tensors_index = output_idx
        return res if is_tuple else res[0]
