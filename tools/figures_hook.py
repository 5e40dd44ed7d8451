"""MkDocs hook: draw the site's pictures from reftorch at build time.

For the language being built, every module in :mod:`tools.figures` runs its page's example
on reftorch and draws the result as SVG.  ``on_files`` adds each SVG to MkDocs' file list
as a generated file at ``figures/<name>.svg`` beside that language's pages, so a page
links it as ``![alt text](../figures/<name>.svg)`` and ``mkdocs build --strict`` checks
the link like any other.  Nothing is written into ``docs/``.

The language comes from ``theme.language`` (set per language build by the i18n plugin
through tools/mkdocs_hooks.py, or by a per-language config).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path, PurePosixPath

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import figures  # noqa: E402

# The SVGs live in a temporary folder (removed when the build process exits): the i18n
# plugin expects every file to have a real source path.
_tmp = tempfile.TemporaryDirectory(prefix="reftorch-figures-")
_cache: dict[tuple[str, str], str] = {}


def _language(config) -> str:
    lang = str(config.theme.get("language") or "en")
    return "zh" if lang.lower().startswith("zh") else "en"


def _home(files, lang: str):
    """The language's home page file: its folder holds the language's pages."""
    pages = {f.src_uri: f for f in files.documentation_pages()}
    for candidate in (f"{lang}/index.md", "index.md"):
        if candidate in pages:
            return pages[candidate]
    return None


def svg_for(module, lang: str) -> str:
    """The SVG text of one picture in one language (drawn once per build process)."""
    key = (module.NAME, lang)
    if key not in _cache:
        _cache[key] = figures.render(module, lang)
    return _cache[key]


def _svg_path(module, lang: str) -> str:
    path = Path(_tmp.name) / lang / f"{module.NAME}.svg"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg_for(module, lang), encoding="utf-8")
    return str(path)


@event_priority(-150)  # after the i18n plugin (-100) has rearranged the files for this language
def on_files(files, config):
    lang = _language(config)
    home = _home(files, lang)
    src_dir = PurePosixPath(home.src_uri).parent if home else PurePosixPath(".")
    dest_dir = PurePosixPath(home.dest_uri).parent if home else PurePosixPath(".")
    for module in figures.figures():
        name = f"figures/{module.NAME}.svg"
        src_uri = (src_dir / name).as_posix()
        if files.get_file_from_path(src_uri) is not None:
            continue
        generated = File.generated(config, src_uri, abs_src_path=_svg_path(module, lang))
        generated.dest_uri = (dest_dir / name).as_posix()
        files.append(generated)
    return files


# --------------------------------------------------------------------------- coverage page

COVERAGE_MARKER = "<!-- coverage-tables -->"


def _nav_pages(nav) -> list[str]:
    out = []
    for item in nav or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                out.extend(_nav_pages(value) if isinstance(value, list) else [value])
    return out


def on_page_markdown(markdown, page, config, files):
    """Fill guide/coverage.md's marker with the tables computed from reftorch, and
    guide/benchmarks.md's with the table of ``benchmarks/results.json``."""
    from tools.figures import benchmarks

    if benchmarks.TABLE_MARKER in markdown:
        markdown = markdown.replace(benchmarks.TABLE_MARKER, benchmarks.table(_language(config)))
    if COVERAGE_MARKER not in markdown:
        return markdown
    from tools.figures import _coverage

    lang = _language(config)
    docs = ROOT / "docs" / lang
    tables = _coverage.markdown(docs, _nav_pages(config["nav"]), lang)
    return markdown.replace(COVERAGE_MARKER, tables)
