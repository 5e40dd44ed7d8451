"""Checks on the documentation site itself (not on the examples' output).

* every ```python fence in docs/ is collected by the Sybil conftest, for both engines;
* docs/en and docs/zh hold the same pages with the same examples;
* ``mkdocs build --strict`` succeeds and produces both languages;
* the conftest collects a sensible number of examples (a broken conftest fails here).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("en", "zh")

# A page set smaller than this, or fewer examples than this, means collection broke.
MIN_PAGES_PER_LANG = 6
MIN_EXAMPLES_PER_ENGINE = 300


def _load_docs_conftest():
    """Import the repository-root conftest.py under a private name."""
    spec = importlib.util.spec_from_file_location("_reftorch_docs_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOCS_CONFTEST = _load_docs_conftest()
ENGINE_SYBILS = {name: DOCS_CONFTEST.SYBILS[name] for name in ("reftorch", "torch")}


def md_pages(lang: str | None = None) -> list[Path]:
    base = DOCS / lang if lang else DOCS
    return sorted(base.rglob("*.md"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# ---------------------------------------------------------------- fence scanning

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")


def python_fences(text: str) -> list[tuple[int, int, int, str]]:
    """Return ``(start, end, line, source)`` for every fenced ```python block.

    Written independently of Sybil's lexers, so that a fence Sybil fails to see (for
    example ```python title="x.py", or a fence indented inside an admonition) is noticed.
    ``start``/``end`` are character offsets of the whole fence in ``text``.
    """
    fences = []
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i].rstrip("\n"))
        if not m:
            i += 1
            continue
        indent, fence, info = m["indent"], m["fence"], m["info"].strip()

        def closes(line: str) -> bool:
            stripped = line.strip()
            return len(stripped) >= len(fence) and set(stripped) == {fence[0]}

        j = i + 1
        while j < len(lines) and not closes(lines[j]):
            j += 1
        language = info.split()[0].lstrip("{.").rstrip("}") if info else ""
        if language == "python":
            body = "".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                           for line in lines[i + 1:j])
            fences.append((offsets[i], offsets[min(j + 1, len(lines))], i + 1, body))
        i = j + 1
    return fences


def python_fence_count(path: Path) -> int:
    return len(python_fences(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- (a) collection


def test_docs_pages_exist():
    for lang in LANGS:
        assert len(md_pages(lang)) >= MIN_PAGES_PER_LANG, f"too few pages in docs/{lang}"


@pytest.mark.parametrize("engine", sorted(ENGINE_SYBILS))
@pytest.mark.parametrize("page", md_pages(), ids=_rel)
def test_every_python_fence_is_collected(page: Path, engine: str):
    """Each ```python fence in a page yields at least one Sybil example, for each engine."""
    sybil = ENGINE_SYBILS[engine]
    assert sybil.should_parse(page), f"the {engine} Sybil does not collect {_rel(page)}"
    document = sybil.parse(page)
    starts = [example.start for example in document.examples()]
    missed = [
        f"line {line}"
        for start, end, line, _ in python_fences(document.text)
        if not any(start <= s < end for s in starts)
    ]
    assert not missed, f"{_rel(page)}: ```python blocks not collected by sybil ({engine}): {missed}"


def test_docstring_sybil_collects_reftorch_sources():
    sybil = DOCS_CONFTEST.SYBILS["docstrings"]
    sources = sorted((ROOT / "reftorch").rglob("*.py"))
    if not sources:
        pytest.skip("reftorch has no Python sources yet")
    assert all(sybil.should_parse(p) for p in sources)
    assert not sybil.should_parse(DOCS / "en" / "index.md")


# ---------------------------------------------------------------- (b) zh/en parity


def _tree(lang: str) -> set[str]:
    return {p.relative_to(DOCS / lang).as_posix() for p in md_pages(lang)}


def test_zh_en_same_pages():
    en, zh = _tree("en"), _tree("zh")
    assert en - zh == set(), f"pages without a Chinese twin (add docs/zh/...): {sorted(en - zh)}"
    assert zh - en == set(), f"pages without an English twin (add docs/en/...): {sorted(zh - en)}"


@pytest.mark.parametrize("page", sorted(_tree("en") & _tree("zh")))
def test_zh_en_same_number_of_examples(page: str):
    en = python_fence_count(DOCS / "en" / page)
    zh = python_fence_count(DOCS / "zh" / page)
    assert en == zh, f"{page}: {en} python blocks in docs/en but {zh} in docs/zh"


_COMMENT = re.compile(r"(^|[ \t])#[^\n]*")


def _code_without_comments(source: str) -> str:
    lines = (_COMMENT.sub("", line).rstrip() for line in source.splitlines())
    return "\n".join(line for line in lines if line)


@pytest.mark.parametrize("page", sorted(_tree("en") & _tree("zh")))
def test_zh_en_same_examples(page: str):
    """The two languages show the same code and output (comments may be translated)."""
    en = [_code_without_comments(f[3]) for f in python_fences((DOCS / "en" / page).read_text("utf-8"))]
    zh = [_code_without_comments(f[3]) for f in python_fences((DOCS / "zh" / page).read_text("utf-8"))]
    if len(en) != len(zh):
        pytest.skip("different number of blocks; reported by test_zh_en_same_number_of_examples")
    for n, (a, b) in enumerate(zip(en, zh), start=1):
        assert a == b, f"{page}: python block #{n} differs between docs/en and docs/zh"


_AUTODOC = re.compile(r"^:::[ \t]+(\S+)", re.MULTILINE)


@pytest.mark.parametrize("page", sorted(_tree("en") & _tree("zh")))
def test_zh_en_same_api_entries(page: str):
    """mkdocstrings blocks (``::: reftorch.x``) are the same, in the same order, in both languages."""
    en = _AUTODOC.findall((DOCS / "en" / page).read_text("utf-8"))
    zh = _AUTODOC.findall((DOCS / "zh" / page).read_text("utf-8"))
    assert en == zh, f"{page}: API entries differ between docs/en and docs/zh"


# ---------------------------------------------------------------- (d) minimum counts


@pytest.mark.parametrize("engine", sorted(ENGINE_SYBILS))
def test_minimum_number_of_examples(engine: str):
    sybil = ENGINE_SYBILS[engine]
    total = 0
    for page in md_pages():
        n = len(list(sybil.parse(page).examples()))
        if python_fence_count(page):
            assert n > 0, f"{_rel(page)} has python blocks but no examples"
        total += n
    assert total >= MIN_EXAMPLES_PER_ENGINE, f"only {total} examples collected for {engine}"


def test_pytest_collects_both_engines():
    """End to end: pytest itself collects one page under both engine ids."""
    page = DOCS / "en" / "guide" / "squeeze.md"
    if not page.exists():
        page = md_pages("en")[0]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", str(page)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ids = [line for line in result.stdout.splitlines() if "::sybil:" in line]
    reftorch_ids = [i for i in ids if "::sybil:reftorch," in i]
    torch_ids = [i for i in ids if "::sybil:torch," in i]
    expected = len(list(ENGINE_SYBILS["reftorch"].parse(page).examples()))
    assert len(reftorch_ids) == expected > 0
    assert len(torch_ids) == expected


# ---------------------------------------------------------------- (c) site build


def _mkdocs_missing() -> str | None:
    for module in ("mkdocs", "material", "mkdocs_static_i18n", "mkdocstrings"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    missing = _mkdocs_missing()
    if missing:
        pytest.skip(f"{missing} is not installed (pip install -e '.[docs]'); site build not tested")
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site


def test_site_builds_both_languages(built_site: Path):
    assert (built_site / "index.html").is_file()
    assert (built_site / "zh" / "index.html").is_file()
    zh_home = (built_site / "zh" / "index.html").read_text("utf-8")
    assert '<html lang="zh"' in zh_home
    # translated navigation
    assert "指南" in zh_home and "首页" in zh_home


def test_every_page_built_in_both_languages(built_site: Path):
    for lang in LANGS:
        prefix = built_site if lang == "en" else built_site / "zh"
        for page in _tree(lang):
            html = prefix / ("index.html" if page == "index.md" else page[: -len(".md")] + "/index.html")
            if page.endswith("/index.md"):
                html = prefix / page[: -len("index.md")] / "index.html"
            assert html.is_file(), f"{lang}/{page} was not built ({html})"


def test_language_switcher_points_to_same_page(built_site: Path):
    html = (built_site / "guide" / "tensors" / "index.html")
    if not html.is_file():
        pytest.skip("no guide/tensors page")
    text = html.read_text("utf-8")
    assert re.search(r'href="[^"]*/zh/guide/tensors/"[^>]*hreflang="zh"', text), "switcher does not link to /zh/guide/tensors/"


def test_chinese_search_index(built_site: Path):
    """jieba segmented the Chinese pages (words joined by U+200B) for the search index."""
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    zh_text = "".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("zh/"))
    assert "张量" in zh_text, "no Chinese pages in the search index"
    assert "\u200b" in zh_text, "Chinese text was not segmented (is jieba installed?)"
    assert "\\u200b" in index["config"]["separator"], "search separator does not split on U+200B"


def test_api_page_section_titles(built_site: Path):
    if not (DOCS / "zh" / "api" / "index.md").exists():
        pytest.skip("no API page")
    en = (built_site / "api" / "index.html").read_text("utf-8")
    zh = (built_site / "zh" / "api" / "index.html").read_text("utf-8")
    if "doc-heading" not in en:
        pytest.skip("the API page documents no objects yet")
    assert "Parameters:" in en
    assert "参数：" in zh, "mkdocstrings did not switch to Chinese section titles on /zh/"
    assert "Parameters:" not in zh


# ---------------------------------------------------------------- Chinese line breaks


def _load_hooks():
    spec = importlib.util.spec_from_file_location("_reftorch_mkdocs_hooks", ROOT / "tools" / "mkdocs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:  # mkdocs not installed
        pytest.skip(f"mkdocs is not installed: {exc}")
    return module


def test_join_cjk_lines():
    join = _load_hooks().join_cjk_lines
    src = "\n".join([
        "中文段落的第一行，",
        "第二行接着写 `dim`",
        "这一维。",
        "",
        "English lines",
        "stay apart.",
        "",
        "```python",
        ">>> x = 1  # 中文",
        ">>> x",
        "1",
        "```",
        "<!-- invisible-code-block: python",
        "a = 1",
        "-->",
        "- 列表项",
        "  的续行",
        "- 第二项",
        "| 表格 | 行 |",
        "| 第二 | 行 |",
    ])
    out = join(src).split("\n")
    assert out[0] == "中文段落的第一行，第二行接着写 `dim` 这一维。"
    assert out[2:4] == ["English lines", "stay apart."]
    assert out[5:10] == ["```python", ">>> x = 1  # 中文", ">>> x", "1", "```"]
    assert out[10:13] == ["<!-- invisible-code-block: python", "a = 1", "-->"]
    assert out[13:15] == ["- 列表项的续行", "- 第二项"]
    assert out[15:17] == ["| 表格 | 行 |", "| 第二 | 行 |"]


def test_no_line_breaks_between_chinese_characters(built_site: Path):
    broken = []
    for html in sorted((built_site / "zh").rglob("*.html")):
        text = re.sub(r"<pre.*?</pre>", "", html.read_text("utf-8"), flags=re.S)
        for m in re.finditer(r"[\u4e00-\u9fff，。：；、）]\n[\u4e00-\u9fff（]", text):
            broken.append(f"{html.relative_to(built_site)}: {text[m.start() - 10:m.end() + 10]!r}")
    assert not broken, "\n".join(broken[:20])
