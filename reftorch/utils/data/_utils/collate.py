"""Merge a list of samples into a batch (mirrors ``torch/utils/data/_utils/collate.py``).

``default_collate`` is what a DataLoader uses when it batches (``batch_size`` or
``batch_sampler`` given); ``default_convert`` when it does not (``batch_size=None``).

The rule is structural: the batch is a list of samples that all look like the first one,
and the result has the same structure with a batch dimension added at the leaves:

============================  =====================================================
sample element                collated
============================  =====================================================
Tensor                        ``stack(batch, 0)`` -- same dtype, new first dimension
NumPy array                   converted with ``as_tensor``, then stacked
NumPy scalar                  ``as_tensor(batch)`` (keeps the NumPy dtype)
``float``                     ``tensor(batch, dtype=float64)``
``int`` (and ``bool``)        ``tensor(batch)`` -- int64 (bool stays bool)
``str`` / ``bytes``           the list, unchanged
mapping                       same mapping type, each key collated
namedtuple                    same namedtuple, each field collated
tuple                         a **list**, each position collated
other sequence (list ...)     same sequence type, each position collated
============================  =====================================================

Anything else raises ``TypeError``.
"""

from __future__ import annotations

import collections
import copy
import re

import numpy as np

import reftorch as torch

# NumPy dtype kinds that cannot become tensors: bytes (S, a), unicode (U), object (O).
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def default_convert(data):
    """Convert the NumPy arrays inside ``data`` to tensors; leave everything else as is.

    Mirrors ``torch.utils.data.default_convert``: the collate function of a DataLoader that
    does not batch (``batch_size=None``).  Containers (mappings, namedtuples, sequences)
    are walked recursively; tuples come back as lists, as in PyTorch.

    Args:
        data: one sample.

    Returns:
        The same structure with NumPy arrays and scalars replaced by tensors.

    Examples:
        >>> import numpy as np
        >>> from reftorch.utils.data import default_convert
        >>> default_convert(np.array([0, 1]))
        tensor([0, 1])
        >>> default_convert((np.array(2), "a"))
        [tensor(2), 'a']
    """
    elem_type = type(data)
    if isinstance(data, torch.Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        # An array of strings or objects cannot become a tensor.
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return torch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                # Keep the mapping's type and attributes (e.g. an OrderedDict subclass).
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:  # the mapping type cannot be built from a dict
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as PyTorch does
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` by structure, using ``collate_fn_map`` for the leaves.

    Mirrors ``torch.utils.data._utils.collate.collate``.  The type of ``batch[0]`` is
    looked up in ``collate_fn_map`` (exact type first, then ``isinstance`` in insertion
    order); containers are handled here and recursed into.

    Args:
        batch (list): the samples of one batch.
        collate_fn_map (dict): element type (or tuple of types) -> function called as
            ``fn(batch, collate_fn_map=collate_fn_map)``.

    Raises:
        RuntimeError: sequences of unequal length in the batch
            (``each element in list of batch should be of equal size``).
        TypeError: an element type nothing knows how to collate.
    """
    elem = batch[0]
    elem_type = type(elem)

    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        collated = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(collated)
                return clone
            return elem_type(collated)
        except TypeError:
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # position j of every sample
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map) for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]

    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack tensors of equal shape along a new first dimension."""
    return torch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Convert NumPy arrays to tensors and stack them (string/object arrays are refused)."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    if (
        collate_fn_map is default_collate_fn_map
        and elem.dtype.isnative
        and all(type(b) is np.ndarray and b.shape == elem.shape and b.dtype == elem.dtype for b in batch)
    ):
        # Fast path, same result: one NumPy stack and one tensor instead of a tensor per
        # sample.  Anything unusual (shapes that differ, ...) takes the general path below,
        # which raises PyTorch's errors.
        return torch.from_numpy(np.stack(batch))
    return collate([torch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars -> one 1-D tensor of their dtype."""
    return torch.as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats -> float64 tensor (not the default float32)."""
    return torch.tensor(batch, dtype=torch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints -> int64 tensor (bools -> bool tensor)."""
    return torch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes are kept as a list."""
    return batch


#: Element type -> collate function used by :func:`default_collate`.  Extend it in place to
#: teach ``default_collate`` a new type, as in PyTorch.
default_collate_fn_map = {torch.Tensor: collate_tensor_fn}
default_collate_fn_map[np.ndarray] = collate_numpy_array_fn
default_collate_fn_map[(np.bool_, np.number, np.object_)] = collate_numpy_scalar_fn
default_collate_fn_map[float] = collate_float_fn
default_collate_fn_map[int] = collate_int_fn
default_collate_fn_map[str] = collate_str_fn
default_collate_fn_map[bytes] = collate_str_fn


def default_collate(batch):
    """Merge a list of samples into a batch, adding a batch dimension of size ``len(batch)``.

    Mirrors ``torch.utils.data.default_collate``; the table in this module's docstring
    gives the rule per element type.  Note two conversions that surprise people: Python
    floats become **float64** tensors, and **tuples become lists**.

    Args:
        batch (list): the samples of one batch, all of the same structure.

    Returns:
        The batch: a tensor, or a container of tensors mirroring the sample's structure.

    Raises:
        RuntimeError: samples are sequences of different lengths.
        TypeError: an element of a type that cannot be collated.

    Examples:
        >>> from reftorch.utils.data import default_collate
        >>> default_collate([0, 1, 2, 3])
        tensor([0, 1, 2, 3])
        >>> default_collate([(0, 1.5), (2, 3.5)])
        [tensor([0, 2]), tensor([1.5000, 3.5000], dtype=torch.float64)]
        >>> default_collate([{"x": 0, "name": "a"}, {"x": 1, "name": "b"}])
        {'x': tensor([0, 1]), 'name': ['a', 'b']}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
