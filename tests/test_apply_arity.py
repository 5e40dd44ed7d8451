"""Every op class that declares its inputs (``arity`` > 0) and names ``forward``'s parameters
gets the exact-parameter ``apply`` (``_make_apply`` in ``reftorch/autograd/function.py``): a
parameter spelled like a name of ``apply``'s body (``out``, ``t``, ``backend`` …) would make
it fall back to the slow ``*args`` form without a word. Expected: by hand, from ``forward``."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import reftorch
from reftorch.autograd.function import OpFunction, _exact_params


def _op_classes():
    for info in pkgutil.walk_packages(reftorch.__path__, "reftorch."):
        try:
            importlib.import_module(info.name)
        except ImportError:  # (a backend whose library is not installed)
            pass
    seen, todo = [], list(OpFunction.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in seen and cls.__module__.startswith("reftorch."):
            seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


def _declared(cls):
    params = list(inspect.signature(cls.forward).parameters.values())[1:]
    named = not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params)
    return (cls.arity or 0) > 0 and named and not cls.multi_output, params


def test_declared_arity_gives_forward_signature():
    checked = 0
    for cls in _op_classes():
        declared, params = _declared(cls)
        if not declared:
            continue
        assert _exact_params(cls) is not None, f"{cls.__module__}.{cls.__qualname__}: generic apply"
        names = list(inspect.signature(cls.apply).parameters)
        assert names == [p.name for p in params] + ["_name", "_out", "_skip"], cls.__qualname__
        checked += 1
    assert checked > 100  # (the op classes of reftorch's namespace: far more than a hundred)


def test_exact_apply_has_no_keyword_only_parameters():
    """CPython 3.11 specializes a call only when the function called has no keyword-only
    parameters: ``apply`` takes ``_name``/``_out``/``_skip`` as ordinary parameters unless
    ``forward`` itself has keyword-only ones (then they follow those)."""
    checked = 0
    for cls in _op_classes():
        declared, params = _declared(cls)
        if not declared:
            continue
        kinds = {p.name: p.kind for p in inspect.signature(cls.apply).parameters.values()}
        forward_kw_only = any(p.kind is p.KEYWORD_ONLY for p in params)
        for name in ("_name", "_out", "_skip"):
            want = inspect.Parameter.KEYWORD_ONLY if forward_kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
            assert kinds[name] is want, (cls.__qualname__, name)
        if not forward_kw_only:
            assert cls.apply.__code__.co_kwonlyargcount == 0, cls.__qualname__
            checked += 1
    assert checked > 100
