"""``LazyModuleMixin``: modules whose parameter shapes come from their first input.
Mirrors ``torch/nn/modules/lazy.py``.

A lazy module (``LazyLinear``, ``LazyConv2d``, ``LazyBatchNorm1d``...) is built with
:class:`~reftorch.nn.parameter.UninitializedParameter` placeholders. A forward pre-hook
registered by the mixin calls ``initialize_parameters(input)`` at the first call, which
materializes the placeholders with the shapes read from the input and draws their values
(the same random numbers as the non-lazy module would); the hook then removes itself and
the module's class becomes ``cls_to_become`` (``LazyLinear`` becomes ``Linear``).
"""
from __future__ import annotations

from ..parameter import is_lazy


class LazyModuleMixin:
    """Mixin for the modules that infer their parameter shapes at the first call.

    Subclasses put it first among their bases, implement ``initialize_parameters(input)``
    and set ``cls_to_become``. Before the first call ``state_dict()`` holds the
    uninitialized placeholders; ``load_state_dict`` materializes them with the shapes of
    the loaded tensors.

    Mirrors ``torch.nn.modules.lazy.LazyModuleMixin``.

    Examples:
        >>> import reftorch as torch
        >>> fc = torch.nn.LazyLinear(2)
        >>> fc.has_uninitialized_params()
        True
        >>> fc(torch.zeros(5, 3)).shape
        torch.Size([5, 2])
        >>> fc
        Linear(in_features=3, out_features=2, bias=True)
    """

    #: the class the module becomes once initialized (``None``: it keeps its class)
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # the placeholders go in as they are (they cannot be detached)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if is_lazy(param) or keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs, assign=False):
        # first give the placeholders the shapes of the loaded tensors, then load as usual
        for name, param in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param):
                loaded = state_dict[key]
                if not is_lazy(loaded):
                    param.materialize(loaded.shape)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs, assign)

    def initialize_parameters(self, *args, **kwargs):
        """Materialize and initialize the parameters from the first input (each lazy
        module implements it).

        Raises:
            NotImplementedError: in the mixin itself.
        """
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        """Whether a parameter or buffer of this module is still uninitialized."""
        return any(is_lazy(t) for t in list(self._parameters.values()) + list(self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None):
        """The forward pre-hook: initialize, remove the hook, become ``cls_to_become``."""
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        delattr(module, "_initialize_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become
