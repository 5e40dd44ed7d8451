"""Nested containers of tensors ("pytrees"), flattened to a list of leaves and a
structure to rebuild them from. Mirrors the parts of ``torch.utils._pytree`` that
``torch.func`` uses.

The containers are PyTorch's: tuples, lists, dicts (``OrderedDict`` and ``defaultdict``
too), ``deque``, named tuples (``torch.return_types`` included) and ``torch.Size``;
anything else (a tensor, a number, ``None``) is a leaf. Dicts are flattened in their
insertion order.
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict, deque

from .._size import Size

__all__ = ["TreeSpec", "tree_flatten", "tree_unflatten", "tree_leaves", "tree_map"]

_NODE_TYPES = (tuple, list, dict, OrderedDict, defaultdict, deque, Size)


def _is_namedtuple(tree) -> bool:
    return isinstance(tree, tuple) and hasattr(type(tree), "_fields")


def _is_node(tree) -> bool:
    return type(tree) in _NODE_TYPES or _is_namedtuple(tree)


def _children(tree):
    """``(children, context)`` of a container; the context is PyTorch's: the keys (dicts;
    ``[default_factory, keys]`` for a ``defaultdict``), the class (named tuples),
    ``maxlen`` (deques), ``None`` otherwise."""
    if isinstance(tree, defaultdict):
        return list(tree.values()), [tree.default_factory, list(tree)]
    if isinstance(tree, dict):
        return list(tree.values()), list(tree)
    if _is_namedtuple(tree):
        return list(tree), type(tree)
    if isinstance(tree, deque):
        return list(tree), tree.maxlen
    return list(tree), None


def _keys(kind, context):
    return context[1] if kind is defaultdict else context


class TreeSpec:
    """The structure of a pytree: a container type, its context (dict keys, named tuple
    class) and one spec per child; :data:`LEAF` stands for a leaf."""

    def __init__(self, type, context, children):
        self.type, self.context, self.children = type, context, children
        self.num_leaves = 1 if type is None else sum(c.num_leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.type is other.type and self.context == other.context
                and self.children == other.children)

    def __repr__(self, indent: int = 0) -> str:
        if self.type is None:
            return "*"
        name = "namedtuple" if self.type is _NAMEDTUPLE else self.type.__name__.rsplit(".", 1)[-1]  # (Size)
        parts = [c.__repr__(indent + 2) for c in self.children]
        body = parts[0] + "".join(",\n" + " " * (indent + 2) + p for p in parts[1:]) if parts else ""
        return f"TreeSpec({name}, {self.context}, [{body}])"


class _NAMEDTUPLE:  # the spec type PyTorch reports for every named tuple
    pass


LEAF = TreeSpec(None, None, [])


def tree_flatten(tree):
    """``(leaves, spec)``: the leaves of ``tree`` in order and its structure."""
    if not _is_node(tree):
        return [tree], LEAF
    children, context = _children(tree)
    leaves, specs = [], []
    for child in children:
        child_leaves, spec = tree_flatten(child)
        leaves += child_leaves
        specs.append(spec)
    kind = _NAMEDTUPLE if _is_namedtuple(tree) else type(tree)
    return leaves, TreeSpec(kind, context, specs)


def tree_leaves(tree) -> list:
    """The leaves of ``tree``, in order."""
    return tree_flatten(tree)[0]


def _build(spec: TreeSpec, leaves):
    if spec.type is None:
        return next(leaves)
    items = [_build(child, leaves) for child in spec.children]
    if spec.type is _NAMEDTUPLE:
        return spec.context(*items)
    if spec.type is defaultdict:
        return defaultdict(spec.context[0], zip(spec.context[1], items))
    if spec.type in (dict, OrderedDict):
        return spec.type(zip(spec.context, items))
    if spec.type is deque:
        return deque(items, maxlen=spec.context)
    return spec.type(items)


def tree_unflatten(leaves, spec: TreeSpec):
    """The pytree of structure ``spec`` with the given leaves (in order)."""
    leaves = list(leaves)
    if len(leaves) != spec.num_leaves:
        raise ValueError(f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec refers to "
                         f"a pytree that holds {spec.num_leaves} items ({spec}).")
    return _build(spec, iter(leaves))


def tree_map(fn, tree):
    """``tree`` with ``fn`` applied to each leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(leaf) for leaf in leaves], spec)


def _broadcast_to_and_flatten(prefix, spec: TreeSpec):
    """The leaves of ``prefix`` repeated over the subtrees of ``spec`` they stand for
    (``in_dims=(0, None)`` for arguments ``(x, {"a": y, "b": z})`` gives
    ``[0, None, None]``), or ``None`` where ``prefix`` is not a prefix of ``spec``'s
    structure. Like PyTorch, a dict prefix is walked in its own key order."""
    if not _is_node(prefix):
        return [prefix] * spec.num_leaves
    if spec.type is None:
        return None
    kind = _NAMEDTUPLE if _is_namedtuple(prefix) else type(prefix)
    children, context = _children(prefix)
    if kind is not spec.type or len(children) != len(spec.children):
        return None
    if isinstance(prefix, dict):
        keys, spec_keys = _keys(kind, context), _keys(kind, spec.context)
        if set(keys) != set(spec_keys):
            return None
        subtrees = [spec.children[spec_keys.index(k)] for k in keys]
    elif kind is _NAMEDTUPLE and context is not spec.context:
        return None
    else:
        subtrees = spec.children
    out = []
    for child, sub in zip(children, subtrees):
        flat = _broadcast_to_and_flatten(child, sub)
        if flat is None:
            return None
        out += flat
    return out


def treespec_pprint(spec: TreeSpec) -> str:
    """The structure drawn as the container with ``*`` for each leaf."""
    return repr(tree_unflatten([_Asterisk()] * spec.num_leaves, spec))


class _Asterisk:
    def __repr__(self):
        return "*"
