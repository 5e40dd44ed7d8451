"""Run a docs page's ```python examples on reftorch with a chosen default device and
record what each example prints, for ``tests/test_docs_on_device.py``.

Only the standard library and reftorch are needed (no Sybil, no PyTorch), so a bare GPU
machine can run it. A page runs as Sybil runs it: top to bottom in one namespace where
``import torch`` means reftorch and ``HAS_CUDA`` says whether CuPy sees a GPU;
``<!-- skip: next -->`` skips the next block, ``<!-- skip: start -->`` … ``<!-- skip: end -->``
a region (``<!-- skip: start if(not HAS_CUDA, reason="…") -->``: only when the condition
holds), ``<!-- clear-namespace -->`` starts afresh. A block starting with ``>>>`` is a doctest: each statement runs in
``single`` mode (an expression's value is echoed, as at the prompt); any other block is
executed as a script. What a statement prints, or the exception it raises (type and first
line of the message), is its record.

Command line (the JSON maps each page to its records; it is rewritten after every page, so
a crash or a hang leaves the pages done so far)::

    python tests/_doc_examples.py docs/en/guide/tensors.md docs/en/nn/rnn.md --device cuda --json out.json
"""
from __future__ import annotations

import argparse
import builtins
import contextlib
import io
import json
import re
import sys
import textwrap
import traceback
from pathlib import Path

# A ```python fence, possibly indented (inside an admonition); its body is dedented.
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_DIRECTIVE = re.compile(r"<!--\s*(skip:\s*next|skip:\s*start|skip:\s*end|clear-namespace)\s*(?:if\((.*?),[^>]*)?-->")


def blocks(text, has_cuda=False):
    """The page's python blocks, in order: ``(line, source, kind)``, kind is ``"run"`` or
    ``"clear"`` (a ``clear-namespace`` directive); skipped blocks are left out. A skip's
    ``if(condition, ...)`` is evaluated with ``HAS_CUDA`` = ``has_cuda``."""
    events = [(m.start(), "fence", m) for m in _FENCE.finditer(text)]
    events += [(m.start(), re.sub(r"\s+", " ", m.group(1)), m) for m in _DIRECTIVE.finditer(text)]
    events.sort(key=lambda e: e[0])
    out, skip_next, in_skip = [], False, False
    for pos, kind, m in events:
        if kind == "skip: next":
            skip_next = True
        elif kind == "skip: start":
            cond = m.group(2)
            in_skip = True if cond is None else bool(eval(cond, {"HAS_CUDA": has_cuda}))
        elif kind == "skip: end":
            in_skip = False
        elif kind == "clear-namespace":
            out.append((text.count("\n", 0, pos) + 1, "", "clear"))
        elif skip_next or in_skip:
            skip_next = False
        else:
            body = textwrap.dedent(m.group("body")) if m.group("indent") else m.group("body")
            out.append((text.count("\n", 0, m.start("body")) + 1, body, "run"))
    return out


def statements(source):
    """A doctest block's statements: ``(line offset, code)`` for each ``>>>`` prompt with its
    ``...`` continuation lines (expected output lines are ignored)."""
    out = []
    for i, line in enumerate(source.splitlines()):
        stripped = line.lstrip()
        if stripped.startswith(">>>"):
            out.append([i, stripped[4:] if stripped.startswith(">>> ") else stripped[3:]])
        elif stripped.startswith("...") and out and (stripped == "..." or stripped.startswith("... ")):
            out[-1][1] += "\n" + stripped[4:]
    return [(i, code + "\n") for i, code in out]


def _torch_is_reftorch():
    real_import = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "torch" or name.startswith("torch.")):
            name = "reftorch" + name[len("torch"):]
        return real_import(name, globals, locals, fromlist, level)

    return {**builtins.__dict__, "__import__": __import__}


def _fresh_namespace(has_cuda):
    return {"__builtins__": _torch_is_reftorch(), "__name__": "__doc_example__", "HAS_CUDA": has_cuda}


def _run(code, mode, namespace):
    """Run ``code``; return what it printed, or the exception it raised, as one string."""
    buf = io.StringIO()
    hook = sys.displayhook

    def display(value):  # the prompt's echo, printed into the capture
        if value is not None:
            builtins._ = value
            print(repr(value), file=buf)

    try:
        sys.displayhook = display
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(code, "<doc example>", mode), namespace)
        return buf.getvalue()
    except BaseException as exc:  # noqa: BLE001 - the record says which one
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        first = (str(exc).splitlines() or [""])[0]
        return buf.getvalue() + f"!! {type(exc).__name__}: {first}"
    finally:
        sys.displayhook = hook


def run_page(path, device):
    """Run every example of the page at ``path`` with ``device`` as reftorch's default
    device; return a list of ``{"line": n, "output": text}`` records, one per statement
    (doctests) or per block (scripts)."""
    import warnings

    import reftorch
    reftorch.set_default_device(device)
    reftorch.manual_seed(0)
    warnings.simplefilter("ignore")
    has_cuda = reftorch.cuda.is_available()
    text = Path(path).read_text(encoding="utf-8")
    namespace = _fresh_namespace(has_cuda)
    records = []
    for line, source, kind in blocks(text, has_cuda):
        if kind == "clear":
            namespace = _fresh_namespace(has_cuda)
            continue
        if source.lstrip().startswith(">>>"):
            for offset, code in statements(source):
                records.append({"line": line + offset, "code": code.strip().splitlines()[0],
                                "output": _run(code, "single", namespace)})
        else:
            records.append({"line": line, "code": source.strip().splitlines()[0] if source.strip() else "",
                            "output": _run(source, "exec", namespace)})
    return records


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", required=True, help="where to write the records")
    args = ap.parse_args(argv)
    out = {}
    for page in args.pages:
        try:
            out[page] = run_page(page, args.device)
        except Exception:  # the page could not run at all (reftorch failed to import ...)
            out[page] = "page failed: " + traceback.format_exc()
        Path(args.json).write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's reftorch
    main()
