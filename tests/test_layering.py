"""The core package reads bottom-up: each layer imports only from the layers below it.

Bottom-up:

1. base: ``_dtype``, ``_device``, ``_size``, ``_scalar``, ``_layout``, ``_grad_state``,
   ``_tensor_str``, ``_codegen``, ``_warnings``, ``_threads``, ``_fma``, ``_backends/``
   (names, shapes and strides, memory formats, devices, arrays, generated wrappers,
   once-per-process warnings, the intra-op thread count, the fused multiply-add);
2. ``_tensor`` (the ``Tensor`` class) and ``_autocast`` (autocast's state and op table);
3. ``autograd/`` (graph nodes, ``Function``, the engine; no ops);
4. ``_ops/`` (one ``Function`` per op);
5. ``_tensor_inplace`` (``x[key] = value``);
6. ``_tensor_methods`` (binds the ops to ``Tensor``; hands ``Tensor`` the few functions of
   the layers above that its own methods call);
7. the public namespaces (``reftorch/__init__.py``, ``nn``, ``optim``, ``utils`` …).

The checks read the sources with ``ast`` (imports at module level and inside functions),
and import the package in fresh interpreters, starting from different modules.
"""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "reftorch"

BASE = ("reftorch._dtype", "reftorch._device", "reftorch._size", "reftorch._scalar", "reftorch._layout", "reftorch._codegen",
        "reftorch._grad_state", "reftorch._tensor_str", "reftorch._fma", "reftorch._rng", "reftorch._warnings",
        "reftorch._backends",
        "reftorch._flags", "reftorch._memory_format",
        "reftorch._threads")
LAYERS = [BASE, ("reftorch._tensor", "reftorch._autocast", "reftorch.random", "reftorch.cuda"), ("reftorch.autograd",),
          ("reftorch._ops", "reftorch.return_types"), ("reftorch._tensor_inplace",), ("reftorch._tensor_methods",)]
#: Where function-local imports are counted (and, of reftorch modules, refused).
NO_LOCAL = BASE + ("reftorch._tensor", "reftorch.autograd", "reftorch._ops", "reftorch._tensor_inplace",
                   "reftorch._tensor_methods")

#: Function-local imports of reftorch modules kept in the core, each for a reason.
LOCAL_IMPORTS_ALLOWED = {
    # reftorch.utils is a public namespace above autograd: its __init__ loads
    # reftorch.utils.data, written over the finished package.
    ("reftorch.autograd.graph", "reftorch.utils.hooks"),
    # _backends is built over _device (each backend names its device); the default-device
    # getter checks the device is usable by asking for its backend.
    ("reftorch._device", "reftorch._backends"),
    # A device's backend module is imported on the device's first use (CuPy's only when a
    # cuda tensor is made).
    ("reftorch._backends", "reftorch._backends.numpy_backend"),
    ("reftorch._backends", "reftorch._backends.cupy_backend"),
    ("reftorch._backends", "reftorch._backends.strict_backend"),
}
#: Module-level imports that close a cycle, each for a reason.
CYCLES_ALLOWED = {
    # torch.cuda re-exports torch.cuda.random and .streams, whose functions call back into
    # the package's runtime checks (lazy init, is_available).
    ("reftorch.cuda.random", "reftorch.cuda"),
    ("reftorch.cuda.streams", "reftorch.cuda"),
}
#: Ceiling on the function-local imports (of anything) in the core; lower it, never raise it.
#: Today: the two above, and in _backends the deliberate lazy imports (a device's backend
#: module on its first use; CuPy, array_api_strict and NumPy internals, optional or heavy).
MAX_LOCAL_IMPORTS = 14


def _modname(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_modname(p): p for p in ROOT.rglob("*.py")}


def _imports(mod):
    """``(imported module, is_function_local, line)`` for every import in ``mod``; a name
    imported from a package resolves to its submodule when there is one."""
    path = MODULES[mod]
    tree = ast.parse(path.read_text())
    is_pkg = path.name == "__init__.py"
    parents = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        local, up = False, node
        while up in parents:
            up = parents[up]
            local = local or isinstance(up, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            if node.level:
                base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                src = ".".join(base + ([node.module] if node.module else []))
            else:
                src = node.module
            targets = [f"{src}.{a.name}" if f"{src}.{a.name}" in MODULES else src for a in node.names]
        found.extend((t, local, node.lineno) for t in targets)
    return found


def _in(mod, prefixes):
    return any(mod == p or mod.startswith(p + ".") for p in prefixes)


#: Public namespaces nested in a core package, above the core: torch.cuda.amp (the deprecated
#: autocast and GradScaler spellings) is built over torch.amp; reftorch.cuda never imports it.
PUBLIC_INSIDE_CORE = ("reftorch.cuda.amp",)


def _layer(mod):
    if _in(mod, PUBLIC_INSIDE_CORE):
        return None
    for i, prefixes in enumerate(LAYERS):
        if _in(mod, prefixes):
            return i
    return None


CORE = sorted(m for m in MODULES if _layer(m) is not None)


def test_the_core_is_found():
    assert {"reftorch._tensor", "reftorch.autograd._graph", "reftorch._ops.pointwise"} <= set(CORE)


@pytest.mark.parametrize("mod", CORE)
def test_no_import_from_a_higher_layer(mod):
    """Neither at module level nor inside a function: a lower layer imports nothing from a
    higher one (so autograd nothing from _ops, _ops nothing from _tensor_inplace)."""
    wrong = [f"line {line}: {target}" for target, local, line in _imports(mod)
             if target.split(".")[0] == "reftorch" and (mod, target) not in LOCAL_IMPORTS_ALLOWED
             and (_layer(target) is None or _layer(target) > _layer(mod))]
    assert not wrong, f"{mod} imports from a higher layer: {wrong}"


def test_autograd_imports_no_ops():
    for mod in CORE:
        if _in(mod, ("reftorch.autograd",)):
            targets = {t for t, _, _ in _imports(mod)}
            assert not {t for t in targets if _in(t, ("reftorch._ops", "reftorch._tensor_inplace"))}, mod
            assert "reftorch" not in targets, f"{mod} imports the whole package"


def test_no_function_local_imports_of_reftorch():
    local = [(mod, target, line) for mod in CORE if _in(mod, NO_LOCAL) for target, is_local, line in _imports(mod)
             if is_local and target.split(".")[0] == "reftorch" and (mod, target) not in LOCAL_IMPORTS_ALLOWED]
    assert not local, f"function-local imports (move them to module level, or explain them): {local}"


def test_function_local_imports_do_not_creep_back():
    count = sum(is_local for mod in CORE if _in(mod, NO_LOCAL) for _, is_local, _ in _imports(mod))
    assert count <= MAX_LOCAL_IMPORTS, f"{count} function-local imports in the core (at most {MAX_LOCAL_IMPORTS})"


def test_no_import_cycles_in_the_core():
    graph = {m: {t for t, _, _ in _imports(m) if t in MODULES and _layer(t) is not None and t != m
                 and (m, t) not in CYCLES_ALLOWED and (m, t) not in LOCAL_IMPORTS_ALLOWED}
             for m in CORE}
    state, path = {}, []

    def visit(u):
        state[u] = "open"
        path.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == "open":
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(v):] + [v]))
            if v not in state:
                visit(v)
        path.pop()
        state[u] = "done"

    for m in CORE:
        if m not in state:
            visit(m)


FIRST_IMPORTS = ["reftorch", "reftorch.autograd", "reftorch.autograd.grad_mode", "reftorch.autograd._graph",
                 "reftorch.autograd.graph",
                 "reftorch._tensor", "reftorch._tensor_methods", "reftorch._ops.pointwise", "reftorch._ops.indexing",
                 "reftorch.nn", "reftorch.nn.functional", "reftorch.optim", "reftorch.utils.data", "reftorch.linalg",
                 "reftorch.cuda", "reftorch.random", "reftorch.serialization"]

_CHECK = """
import importlib, sys
importlib.import_module(sys.argv[1])
import reftorch as torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
g.sum().backward()
assert x.grad.tolist() == [6.0, 12.0], x.grad
assert torch.FloatTensor(2).shape == (2,) and repr(torch.nn.Linear(2, 3)).startswith("Linear")
"""


def test_import_order_does_not_matter():
    """Each module imported first, in a fresh interpreter, then the whole package used."""
    failed = {}
    for mod in FIRST_IMPORTS:
        run = subprocess.run([sys.executable, "-c", _CHECK, mod], cwd=ROOT.parent, capture_output=True, text=True)
        if run.returncode:
            failed[mod] = run.stderr[-600:]
    assert not failed, failed
