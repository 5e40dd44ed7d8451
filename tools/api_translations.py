"""The Chinese API reference: one translation per documented object, checked for drift.

The English docstrings in reftorch's code are the source.  The Chinese text of each object
lives in ``docs/zh/api/_translations/<module>.yml`` (one file per reftorch module that
the API pages document), keyed by the object's public PyTorch path::

    torch.nn.LSTM:
      source_sha: 0123456789ab   # prose_hash() of the English docstring translated
      docstring: |
        对输入序列应用多层长短期记忆（LSTM）循环网络。
        ...
        Args:
            input_size: 输入 `x` 的特征数。

The translation is a Google-style docstring with the English one's sections except
``Examples:``: the code examples are shared, so the English ``Examples:`` section is
appended to the Chinese text when the zh site is built (griffe extension
``ChineseDocstrings`` below, enabled in mkdocs.zh.yml).  ``source_sha`` is the hash of the
English docstring *without* its examples; when the English prose changes, the hash no
longer matches and tests/test_docs_site.py fails (and the zh build warns) until the
translation is updated.

Command line (run from the repository root)::

    python tools/api_translations.py            # status of every object on the API pages
    python tools/api_translations.py torch.nn.LSTM   # the English prose and its hash
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "docs" / "zh" / "api" / "_translations"
API_PAGES = ROOT / "docs" / "en" / "api"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_SECTION = re.compile(r"^(?P<title>[A-Z][A-Za-z ]*):\s*$")
_EXAMPLES = {"Example", "Examples"}
_AUTODOC = re.compile(r"^:::[ \t]+(\S+)[ \t]*\n((?:[ \t]+\S.*\n?)*)", re.MULTILINE)
_MEMBER = re.compile(r"^[ \t]+- (\w+)[ \t]*$", re.MULTILINE)


# ------------------------------------------------------------------- English side


def resolve(path: str):
    """The Python object at a dotted ``reftorch...`` path."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def public_path(path: str) -> str:
    """``reftorch.nn.modules.rnn.LSTM`` -> ``torch.nn.LSTM``: the shortest public module
    path (no ``_private`` part) under which reftorch exports the same object."""
    obj = resolve(path)
    parts = path.split(".")
    name = parts[-1]
    for i in range(1, len(parts)):
        module_path = parts[:i]
        if any(p.startswith("_") for p in module_path[1:]):
            break
        try:
            module = importlib.import_module(".".join(module_path))
        except ImportError:
            break
        if getattr(module, name, None) is obj:
            return ".".join(["torch", *module_path[1:], name])
    return "torch" + path[len("reftorch"):]


def split_examples(docstring: str) -> tuple[str, str]:
    """Split a Google-style docstring into (prose, the ``Examples:`` section)."""
    lines = docstring.splitlines()
    start = end = None
    for i, line in enumerate(lines):
        m = _SECTION.match(line)
        if m and start is None and m["title"] in _EXAMPLES:
            start = i
        elif m and start is not None:
            end = i
            break
    if start is None:
        return docstring.strip(), ""
    end = len(lines) if end is None else end
    prose = "\n".join(lines[:start] + lines[end:]).strip()
    return prose, "\n".join(lines[start:end]).strip()


def prose_hash(docstring: str) -> str:
    """Hash of a docstring's prose (the examples are shared, not translated)."""
    prose = split_examples(inspect.cleandoc(docstring))[0]
    return hashlib.sha256(prose.encode("utf-8")).hexdigest()[:12]


def documented_objects() -> dict[str, str]:
    """Public path -> reftorch path of every object on the API pages (``::: reftorch.x``),
    and of the members listed in a block's ``members:`` option (``torch.Tensor.size``)."""
    out = {}
    for page in sorted(API_PAGES.glob("*.md")):
        for path, options in _AUTODOC.findall(page.read_text("utf-8")):
            public = public_path(path)
            out[public] = path
            members = options.split("members:", 1)[1] if "members:" in options else ""
            for name in _MEMBER.findall(members):
                out[f"{public}.{name}"] = f"{path}.{name}"
    return out


def canonical_path(path: str) -> str:
    """Where the object at ``path`` is defined (the path griffe gives it)."""
    obj = resolve(path)
    if isinstance(obj, property):
        parent, _, name = path.rpartition(".")
        return f"{canonical_path(parent)}.{name}"
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else path


# ------------------------------------------------------------------- Chinese side


def load_translations() -> dict[str, dict]:
    """Public path -> {"source_sha": ..., "docstring": ...} from every translation file."""
    out: dict[str, dict] = {}
    for file in sorted(TRANSLATIONS.glob("*.yml")):
        data = yaml.safe_load(file.read_text("utf-8")) or {}
        for key, entry in data.items():
            if key in out:
                raise ValueError(f"{file.name}: {key} is translated twice")
            out[key] = {**entry, "file": file.name}
            if "source_sha" in entry:  # (YAML reads an all-digit hash as an int)
                out[key]["source_sha"] = str(entry["source_sha"])
    return out


def chinese_docstring(entry: dict, english: str) -> str:
    """The zh docstring: the translated prose followed by the English examples."""
    examples = split_examples(inspect.cleandoc(english))[1]
    text = inspect.cleandoc(entry["docstring"])
    return f"{text}\n\n{examples}" if examples else text


try:
    from griffe import Extension
except ImportError:  # griffe comes with mkdocstrings-python (docs extra)
    Extension = object


class ChineseDocstrings(Extension):
    """Griffe extension: replace each translated object's docstring by its translation.

    A translation whose ``source_sha`` no longer matches the English docstring is still
    used but logged as a warning (so the strict build fails).
    """

    def __init__(self, language: str = "zh") -> None:
        super().__init__()
        self.language = language
        self.by_source, self.titles = {}, {}
        translations = load_translations()
        for public, source in documented_objects().items():
            for path in {source, canonical_path(source)}:
                self.titles[path] = public
                if public in translations:
                    self.by_source[path] = translations[public]

    def on_instance(self, *, obj, **kwargs) -> None:
        entry = self.by_source.get(obj.path)
        if entry is None or obj.docstring is None:
            return
        english = obj.docstring.value
        if prose_hash(english) != entry.get("source_sha"):
            import logging

            logging.getLogger("mkdocs.plugins.api_translations").warning(
                f"docs/zh/api/_translations/{entry['file']}: the translation of "
                f"{self.titles[obj.path]} is out of date (English docstring changed; "
                f"run `python tools/api_translations.py {self.titles[obj.path]}`)"
            )
        obj.docstring.value = chinese_docstring(entry, english)


# ------------------------------------------------------------------- command line


def main(argv: list[str]) -> int:
    objects = documented_objects()
    translations = load_translations()
    if argv:
        for public in argv:
            doc = inspect.getdoc(resolve(objects[public])) or ""
            print(f"{public}:\n  source_sha: {prose_hash(doc)}\n")
            print(split_examples(doc)[0])
        return 0
    bad = 0
    for public, source in objects.items():
        english = inspect.getdoc(resolve(source)) or ""
        sha = prose_hash(english)
        entry = translations.get(public)
        state = "missing" if entry is None else ("ok" if entry["source_sha"] == sha else "OUTDATED")
        if entry is None and not english:
            state = "no text"
        bad += state in ("OUTDATED", "missing")
        print(f"{state:9} {public:45} {sha}  ({source})")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
