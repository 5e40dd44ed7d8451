"""Run every example on the docs site, and reftorch's docstring examples, with Sybil.

Markdown pages (``docs/en/**.md`` and ``docs/zh/**.md``) are collected twice, by two
Sybil instances with separate test ids:

* ``sybil:reftorch,...`` -- ``import torch`` (and ``torch.nn``, ``from torch import nn`` ...)
  inside the examples is bound to :mod:`reftorch`;
* ``sybil:torch,...`` -- the same examples run on real PyTorch (the test command installs
  it; without it these items fail, never skip).

Both engines check the same expected output, so an example only passes if reftorch and
PyTorch print the same thing.

Every ```` ```python ```` fence is collected, including fences with attributes such as
```` ```python title="example.py" ````.  A fence whose first line starts with ``>>>`` is a
doctest (output is compared); any other fence is executed as a script.

Bare ``>>>`` examples in reftorch's own docstrings are collected by a third Sybil
(``sybil:docstrings``) and run on reftorch only; there, ``torch`` also means reftorch.

Directives available in the pages: ``<!-- skip: next -->``,
``<!-- skip: next if(not HAS_CUDA, reason="needs a GPU") -->``, ``<!-- clear-namespace -->``
and ``<!-- invisible-code-block: python ... -->``.
"""

from __future__ import annotations

import builtins
import importlib
import os
import re
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from pathlib import Path

import pytest
from hypothesis import settings
from sybil import Sybil
from sybil.document import PythonDocStringDocument
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.abstract.codeblock import PythonDocTestOrCodeBlockParser
from sybil.parsers.markdown import SkipParser
from sybil.parsers.markdown.clear import ClearNamespaceParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

ROOT = Path(__file__).parent

# CI runs the property-based tests on a fixed sequence of examples, so that a landing is
# judged on the code, not on which examples hypothesis happened to draw; a developer's run
# keeps drawing new ones (that is how the fuzz tests find differences from PyTorch).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

DOCTEST_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

#: The engines a docs page runs on: Sybil name -> the module that ``torch`` means there.
ENGINES = {"reftorch": "reftorch", "torch": "torch"}


# --------------------------------------------------------------------------- parsing

# The info string of a fence: a language, then optional attributes (title="x.py" ...).
_INFO = re.compile(r"(?P<language>[\w+-]+)(?:[ \t]+[^\n]*)?$\n", re.MULTILINE)


class FenceParser(AbstractCodeBlockParser):
    """Code-block parser that also accepts fences with attributes after the language."""

    def __init__(self, language=None, evaluator=None):
        super().__init__(
            [
                RawFencedCodeBlockLexer(
                    info_pattern=_INFO,
                    mapping={"language": "arguments", "source": "source"},
                ),
                DirectiveInHTMLCommentLexer(
                    directive=r"(invisible-)?code(-block)?", arguments=".+"
                ),
            ],
            language,
            evaluator,
        )


class PythonCodeBlockParser(PythonDocTestOrCodeBlockParser):
    """```python fences: doctest when they start with ``>>>``, otherwise exec'd code."""

    codeblock_parser_class = FenceParser


# --------------------------------------------------------------------------- engines


def _redirecting_import(source: str, target: str):
    """An ``__import__`` that imports ``target[.x]`` whenever ``source[.x]`` is asked for."""
    real_import = builtins.__import__

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == source or name.startswith(source + ".")):
            name = target + name[len(source):]
        return real_import(name, globals, locals, fromlist, level)

    return __import__


def _builtins_with_import(source: str, target: str) -> dict:
    return {**builtins.__dict__, "__import__": _redirecting_import(source, target)}


def _has_cuda(module_name: str) -> bool:
    try:
        module = importlib.import_module(module_name)
        return bool(module.cuda.is_available())
    except Exception:  # engine missing or without a cuda module: no GPU examples
        return False


def _engine_setup(engine: str):
    """Namespace setup for one engine: route ``import torch`` to ``engine``."""

    def setup(namespace: dict) -> None:
        if engine == "reftorch":
            # ``import torch`` -> reftorch
            namespace["__builtins__"] = _builtins_with_import("torch", "reftorch")
        else:
            # Real PyTorch; a page that writes ``import reftorch as torch`` gets torch too,
            # so both engines print comparable output.
            namespace["__builtins__"] = _builtins_with_import("reftorch", "torch")
        namespace["ENGINE"] = engine
        namespace["HAS_CUDA"] = _has_cuda(ENGINES[engine])

    return setup


class EngineClearNamespaceParser(ClearNamespaceParser):
    """``<!-- clear-namespace -->`` that keeps the engine binding in place.

    The stock directive empties the namespace, which would silently send a later
    ``import torch`` in a reftorch run to real PyTorch.
    """

    def __init__(self, setup):
        super().__init__()
        self._setup = setup

    def evaluate(self, example):  # type: ignore[override]
        example.document.namespace.clear()
        self._setup(example.document.namespace)


def markdown_sybil(engine: str, path: str = "docs") -> Sybil:
    setup = _engine_setup(engine)
    return Sybil(
        name=engine,
        path=path,
        patterns=["*.md"],  # PurePath.match: "*.md" matches at any depth below `path`
        setup=setup,
        parsers=[
            PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS),
            SkipParser(),
            EngineClearNamespaceParser(setup),
        ],
    )


class ReftorchDocStringDocument(PythonDocStringDocument):
    """Docstring document whose namespace keeps ``torch`` meaning reftorch.

    Sybil fills the namespace with the module's globals (including the real
    ``__builtins__``) before the first example runs; re-apply the binding after that.
    """

    def import_document(self, example):
        try:
            super().import_document(example)  # always ends by raising NotEvaluated
        finally:
            ns = self.namespace
            ns["__builtins__"] = _builtins_with_import("torch", "reftorch")
            if "torch" not in ns:
                ns["torch"] = importlib.import_module("reftorch")


def docstring_setup(namespace: dict) -> None:
    namespace["HAS_CUDA"] = _has_cuda("reftorch")


docs_reftorch = markdown_sybil("reftorch")
docs_torch = markdown_sybil("torch")
docstrings = Sybil(
    name="docstrings",
    path="reftorch",
    patterns=["*.py"],
    setup=docstring_setup,
    parsers=[DocTestParser(optionflags=DOCTEST_FLAGS)],  # bare >>> in "Examples:" sections
    document_types={".py": ReftorchDocStringDocument},
)

#: Every Sybil, for tests/test_docs_site.py.
SYBILS = {"reftorch": docs_reftorch, "torch": docs_torch, "docstrings": docstrings}

pytest_collect_file = SybilCollection([docs_reftorch, docs_torch, docstrings]).pytest()


# --------------------------------------------------------------------------- process state

@pytest.fixture(autouse=True)
def _distribution_validation_restored():
    """Each test (and docs example) starts and ends with ``torch.distributions``' default
    argument validation as it found it: ``torch.compile`` turns it off for the whole
    process in PyTorch (and so in reftorch), which would leak into the tests after it."""
    import torch.distributions
    import reftorch.distributions
    saved = [(d, d._validate_args) for d in (torch.distributions.Distribution, reftorch.distributions.Distribution)]
    yield
    for d, value in saved:
        d._validate_args = value
