"""``torch.nn.utils.parametrize``: express a module's parameter (or buffer) as a function
of other tensors. Mirrors ``torch/nn/utils/parametrize.py``.

``register_parametrization(m, "weight", P)`` moves ``m.weight`` into
``m.parametrizations.weight.original`` (a :class:`ParametrizationList`, kept in the
``ModuleDict`` ``m.parametrizations``) and turns ``weight`` into a property: reading
``m.weight`` computes ``P(original)`` (recorded by autograd, so gradients reach
``original``); assigning ``m.weight = X`` stores ``P.right_inverse(X)``. The property lives
on a subclass made for the module alone (``ParametrizedLinear`` for a ``Linear``), so other
instances of the class are untouched; removing the last parametrization restores the class.
"""
from __future__ import annotations

import copy
import copyreg
from collections.abc import Sequence
from contextlib import contextmanager

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = [
    "cached",
    "ParametrizationList",
    "register_parametrization",
    "is_parametrized",
    "remove_parametrizations",
    "type_before_parametrizations",
    "transfer_parametrizations_and_params",
]

_cache_enabled = 0
_cache: dict = {}


@contextmanager
def cached():
    """Inside this context a parametrized tensor is computed once, on its first read, and
    the same tensor is returned by every later read; the cache is dropped on leaving the
    outermost ``cached()``. Useful when a forward pass reads a parametrized weight several
    times (weight sharing, an RNN loop). Mirrors ``torch.nn.utils.parametrize.cached``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.utils.parametrize as P
        >>> class Double(torch.nn.Module):
        ...     def forward(self, X):
        ...         return 2 * X
        >>> m = P.register_parametrization(torch.nn.Linear(2, 2), "weight", Double())
        >>> with P.cached():
        ...     print(m.weight is m.weight)
        True
        >>> m.weight is m.weight
        False
    """
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, X):
    if isinstance(X, Parameter):
        module.register_parameter(name, X)
    else:
        module.register_buffer(name, X)


def _maybe_set(dest, src):
    """``dest.set_(src)``: ``dest`` (the same object) now holds ``src``'s data."""
    dest.data = src


def _check_tensor_result(value, dtype, shape, dtype_lines, shape_lines):
    """The registration checks: ``value`` is a tensor of ``dtype`` and ``shape``."""
    if value.dtype != dtype:
        raise ValueError(dtype_lines[0] + f"\n{dtype_lines[1]}: {dtype}\n{dtype_lines[2]}: {value.dtype}")
    if value.shape != shape:
        raise ValueError(shape_lines[0] + f"\n{shape_lines[1]}: {shape}\n{shape_lines[2]}: {value.shape}")


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, in registration order, and the unconstrained
    tensor(s) they are applied to: ``original`` when the first parametrization's
    ``right_inverse`` returns one tensor (or it has none), else ``original0``,
    ``original1``, ... It is the type of ``module.parametrizations[name]``; calling it
    computes the parametrized tensor. Made by :func:`register_parametrization`, not by hand.
    Mirrors ``torch.nn.utils.parametrize.ParametrizationList``.

    Args:
        modules: the parametrizations (at least one).
        original: the parameter or buffer being parametrized.
        unsafe: skip the dtype and shape checks.

    Raises:
        ValueError: for no modules, a ``right_inverse`` returning something other than
            tensors, or (unless ``unsafe``) one changing dtype or device, or a forward
            changing dtype or shape.
    """

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, "right_inverse"):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f"Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the dtype.\n"
                                 f"original.dtype: {original.dtype}\nright_inverse(original).dtype: {new.dtype}")
            if original.device != new.device:
                raise ValueError("When `right_inverse` outputs one tensor, it may not change the device.\n"
                                 f"original.device: {original.device}\n"
                                 f"right_inverse(original).device: {new.device}")
            with no_grad():
                _maybe_set(original, new)
            _register_parameter_or_buffer(self, "original", original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                                     f"(list, tuple...). Got element {i} of the sequence with type "
                                     f"{type(originali).__name__}.")
                if isinstance(original, Parameter):
                    originali = Parameter(originali, original.requires_grad)
                originali.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f"original{i}", originali)
        if not self.unsafe:
            Z = self()
            if not isinstance(Z, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(Z).__name__}.")
            _check_tensor_result(
                Z, original_dtype, original_shape,
                ("Registering a parametrization may not change the dtype of the tensor, unless `unsafe` "
                 "flag is enabled.", "unparametrized dtype", "parametrized dtype"),
                ("Registering a parametrization may not change the shape of the tensor, unless `unsafe` "
                 "flag is enabled.", "unparametrized shape", "parametrized shape"))

    def right_inverse(self, value):
        """Run the parametrizations' ``right_inverse`` in reverse registration order on
        ``value`` and store the result in ``original`` (or ``original0``, ...), in place.

        Raises:
            RuntimeError: if a parametrization has no ``right_inverse``.
            ValueError: if the result's type, length or dtype does not fit the originals.
        """
        with no_grad():
            for module in reversed(self):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement "
                                       "right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got {type(value).__name__}")
                if value.dtype != self.original.dtype:
                    raise ValueError(f"The tensor returned by `right_inverse` has dtype {value.dtype} "
                                     f"while `original` has dtype {self.original.dtype}")
                _maybe_set(self.original, value)
                return
            if not isinstance(value, Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f"{self.ntensors}. Got a sequence of length {len(value)}.")
            for i, tensor in enumerate(value):
                original_i = getattr(self, f"original{i}")
                if not isinstance(tensor, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors or reference-type "
                                     f"opaques. Got element {i} of type {type(tensor).__name__}.")
                if original_i.dtype != tensor.dtype:
                    raise ValueError(f"Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} "
                                     f"while `original{i}` has dtype {original_i.dtype}")
                _maybe_set(original_i, tensor)

    def forward(self):
        """The parametrized tensor: ``self[-1](...self[1](self[0](original)))``."""
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _default_deepcopy(self, memo):
    """``copy.deepcopy`` of a parametrized module: its ``__dict__`` (and slots), copied."""
    obj = memo.get(id(self))
    if obj is not None:
        return obj
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = copy.deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(self.__class__):
        if hasattr(self, slot):
            setattr(replica, slot, copy.deepcopy(getattr(self, slot), memo))
    return replica


def _no_pickling(self):
    raise RuntimeError("Serialization of parametrized modules is only supported through state_dict(). See:\n"
                       "https://pytorch.org/tutorials/beginner/saving_loading_models.html"
                       "#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training")


def _inject_new_class(module):
    """Give ``module`` a class of its own, ``Parametrized<Class>``, to hold the properties."""
    cls = module.__class__
    dct = {"__getstate__": _no_pickling}
    if not hasattr(cls, "__deepcopy__"):
        dct["__deepcopy__"] = _default_deepcopy
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), dct)


def _inject_property(module, tensor_name):
    """Make ``module.<tensor_name>`` a property computing the parametrization (cached
    inside :func:`cached`) and assigning through ``right_inverse``."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Parametrize ``module.<tensor_name>`` (a parameter or buffer) by the module
    ``parametrization``: reading it returns ``parametrization(original)``.

    The first registration on a module gives it a ``parametrizations`` ``ModuleDict`` and
    changes its class to ``Parametrized<Class>``. The tensor moves to
    ``module.parametrizations.<tensor_name>.original`` (the same Parameter object, so an
    optimizer holding it keeps working), set to ``parametrization.right_inverse(tensor)``
    when that method exists. If ``right_inverse`` returns several tensors they become
    ``original0``, ``original1``, ... and ``forward`` receives them all. Registering again
    on the same name chains: the new parametrization is applied to the previous result.
    Assigning ``module.<tensor_name> = X`` runs every ``right_inverse`` in reverse order.
    The parametrization takes the module's training mode.

    Args:
        module: the module owning the tensor.
        tensor_name: the parameter's or buffer's name.
        parametrization: a ``Module`` whose ``forward`` maps the original tensor(s) to
            the parametrized one; it may define ``right_inverse``.
        unsafe: allow the parametrization to change the dtype or shape (no checks).

    Returns:
        ``module``.

    Raises:
        ValueError: if ``module`` has no parameter, buffer or parametrized tensor of that
            name, or (unless ``unsafe``) the parametrization changes dtype or shape or
            does not return a tensor.

    Mirrors ``torch.nn.utils.parametrize.register_parametrization``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.utils.parametrize as P
        >>> class Symmetric(torch.nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).T
        >>> m = P.register_parametrization(torch.nn.Linear(3, 3), "weight", Symmetric())
        >>> torch.equal(m.weight, m.weight.T)
        True
        >>> [name for name, _ in m.named_parameters()]
        ['bias', 'parametrizations.weight.original']
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            Y = getattr(module, tensor_name)
            X = parametrization(Y)
            if not isinstance(X, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(X).__name__}.")
            _check_tensor_result(
                X, Y.dtype, Y.shape,
                ("Registering a parametrization may not change the dtype of the tensor, unless the `unsafe` "
                 "flag is enabled.", f"module.{tensor_name}.dtype", f"parametrization(module.{tensor_name}).dtype"),
                ("Registering a parametrization may not change the shape of the tensor, unless the `unsafe` "
                 "flag is enabled.", f"module.{tensor_name}.shape", f"parametrization(module.{tensor_name}).shape"))
            if hasattr(parametrization, "right_inverse"):
                try:
                    Z = parametrization.right_inverse(X)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(Z, Tensor):
                        raise ValueError(f"parametrization.right_inverse must return a tensor. Got: {type(Z).__name__}")
                    head = "The tensor returned by parametrization.right_inverse must have the same {} " \
                           f"as module.{tensor_name}, unless the `unsafe` flag is enabled."
                    _check_tensor_result(Z, Y.dtype, Y.shape,
                                         (head.format("dtype"), f"module.{tensor_name}.dtype", "returned dtype"),
                                         (head.format("shape"), f"module.{tensor_name}.shape", "returned shape"))
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
                         f"with name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has a parametrization on ``tensor_name`` (on anything, for
    ``None``). Mirrors ``torch.nn.utils.parametrize.is_parametrized``.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.utils.parametrize as P
        >>> P.is_parametrized(torch.nn.Linear(2, 2))
        False
    """
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Remove every parametrization on ``module.<tensor_name>``, making it a plain
    parameter (or buffer) again.

    With ``leave_parametrized=True`` it keeps its current parametrized value (written into
    the ``original`` object, so that Parameter stays the same object); with ``False`` it
    goes back to ``original``. The module gets its own class back once nothing is
    parametrized. Mirrors ``torch.nn.utils.parametrize.remove_parametrizations``.

    Returns:
        ``module``.

    Raises:
        ValueError: if the tensor is not parametrized, or with
            ``leave_parametrized=False`` when it is parametrized by several tensors.

    Examples:
        >>> import reftorch as torch
        >>> import reftorch.nn.utils.parametrize as P
        >>> class Double(torch.nn.Module):
        ...     def forward(self, X):
        ...         return 2 * X
        >>> m = P.register_parametrization(torch.nn.Linear(2, 2), "weight", Double())
        >>> P.remove_parametrizations(m, "weight")
        Linear(in_features=2, out_features=2, bias=True)
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
                _maybe_set(original, t)
    elif leave_parametrized:
        t = getattr(module, tensor_name)
        original = Parameter(t) if t.requires_grad else t
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                         "parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class before any parametrization (``Linear`` for a
    ``ParametrizedLinear``); its class if it has none. Mirrors
    ``torch.nn.utils.parametrize.type_before_parametrizations``.
    """
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register ``from_module``'s parametrizations (all, or those of ``tensor_name``) on
    ``to_module`` too, sharing the parametrization modules and the original tensors;
    a parameter ``to_module`` lacks is created first. Does nothing if ``from_module`` is
    not parametrized. Mirrors
    ``torch.nn.utils.parametrize.transfer_parametrizations_and_params``.

    Returns:
        ``to_module``.
    """
    if not is_parametrized(from_module):
        return to_module
    names = list(from_module.parametrizations) if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        source = from_module.parametrizations[name]
        for param_func in source:
            register_parametrization(to_module, name, param_func)
        target = to_module.parametrizations[name]
        if hasattr(source, "original"):
            target.original = source.original
        else:
            num = 0
            while hasattr(source, f"original{num}"):
                setattr(target, f"original{num}", getattr(source, f"original{num}"))
                num += 1
    return to_module
