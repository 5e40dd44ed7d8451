"""Functions compiled from generated source, where a per-call cost matters: a wrapper with
its wrapped function's parameters spelled out builds no argument tuple or keyword dict per
call (``Function.apply``, the Tensor methods that refuse ``out=``).

Generated code is registered with :mod:`linecache` under a file name inside the package, so
tracebacks show its lines, and warnings attributed to the first frame outside reftorch skip
it as they skip the package's own files.
"""
from __future__ import annotations

import linecache
import os

_DIR = os.path.dirname(os.path.abspath(__file__))
_COMPILED = {}  # source -> code object (classes sharing one source compile it once)


def parameter_text(params, first=None, defaults="_d"):
    """The text of a parameter list for ``params`` (``inspect.Parameter`` objects) and of a
    call passing each of them on: ``("x, dim=_d['dim'], *, keepdim=_d['keepdim']",
    "x, dim, keepdim=keepdim")``. Defaults are read from the mapping named ``defaults`` in
    the generated code's scope (see :func:`defaults_of`); ``first`` renames the first
    parameter (``self`` for a method) in the list and in the call."""
    heads, args, star = [], [], False
    for i, p in enumerate(params):
        name = first if i == 0 and first else p.name
        if p.kind is p.VAR_POSITIONAL:
            heads.append(f"*{name}")
            args.append(f"*{name}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            heads.append(f"**{name}")
            args.append(f"**{name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star:
                heads.append("*")
                star = True
            heads.append(name + ("" if p.default is p.empty else f"={defaults}[{p.name!r}]"))
            args.append(f"{p.name}={name}" if p.kind is p.KEYWORD_ONLY else name)
    return ", ".join(heads), ", ".join(args)


def defaults_of(params):
    """``{name: default}`` of ``params``, for the mapping :func:`parameter_text` reads."""
    return {p.name: p.default for p in params if p.default is not p.empty}


def compile_function(source, name, scope):
    """Run ``source`` (which defines function ``name``) in ``scope`` and return the function."""
    code = _COMPILED.get(source)
    if code is None:
        filename = os.path.join(_DIR, f"<generated {len(_COMPILED)}>")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        code = _COMPILED[source] = compile(source, filename, "exec")
    exec(code, scope)  # noqa: S102 - source built from a function's own signature
    return scope[name]
