"""Checks on the documentation site itself (not on the examples' output).

* every ```python fence in docs/ is collected by the Sybil conftest, for both engines;
* docs/en and docs/zh hold the same pages with the same examples;
* ``mkdocs build --strict`` succeeds, quietly, and builds each language as a site of its
  own (search index, sitemap.xml, 404 page), with math, API titles and translations;
* the Chinese API translations match the English docstrings they translate;
* the conftest collects a sensible number of examples (a broken conftest fails here).
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _site import LANGS, build_site, language_root, mkdocs_missing

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

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


@pytest.fixture(scope="module")
def built_site() -> Path:
    missing = mkdocs_missing()
    if missing:
        pytest.fail(f"{missing} is not installed (pip install -e '.[docs]'): the site cannot be built")
    site, result = build_site()
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site


def test_build_is_quiet(built_site: Path):
    """No warnings a newcomer has to wonder about (jieba's dictionary messages, black/ruff)."""
    _, result = build_site()
    noise = [line for line in (result.stdout + result.stderr).splitlines()
             if line.strip() and not line.startswith("INFO")]
    assert not noise, "the build printed:\n" + "\n".join(noise[:20])


def test_site_builds_both_languages(built_site: Path):
    assert (built_site / "index.html").is_file()
    assert (built_site / "zh" / "index.html").is_file()
    zh_home = (built_site / "zh" / "index.html").read_text("utf-8")
    assert '<html lang="zh"' in zh_home
    # translated navigation
    assert "指南" in zh_home and "首页" in zh_home


def test_every_page_built_in_both_languages(built_site: Path):
    for lang in LANGS:
        prefix = language_root(built_site, lang)
        for page in _tree(lang):
            html = prefix / ("index.html" if page == "index.md" else page[: -len(".md")] + "/index.html")
            if page.endswith("/index.md"):
                html = prefix / page[: -len("index.md")] / "index.html"
            assert html.is_file(), f"{lang}/{page} was not built ({html})"


def test_each_language_is_a_site_of_its_own(built_site: Path):
    """Own search index (only its own pages), sitemap.xml and 404 page per language."""
    for lang in LANGS:
        root = language_root(built_site, lang)
        index = json.loads((root / "search" / "search_index.json").read_text("utf-8"))
        prefix = "https://reftorch.example.org/" + ("" if lang == "en" else f"{lang}/")
        sitemap = (root / "sitemap.xml").read_text("utf-8")
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        assert len(locs) == len(_tree(lang)), f"{lang}: sitemap.xml lists {len(locs)} pages"
        assert all(loc.startswith(prefix) for loc in locs)
        if lang == "en":
            assert not any(loc.startswith(prefix + "zh/") for loc in locs)
            assert not any(doc["location"].startswith("zh/") for doc in index["docs"])
        assert len({doc["location"].split("#")[0] for doc in index["docs"]}) == len(_tree(lang))
        assert (root / "404.html").is_file()
    zh_index = json.loads((built_site / "zh" / "search" / "search_index.json").read_text("utf-8"))
    assert all(re.search(r"[\u4e00-\u9fff]", doc["title"] + doc["text"])
               for doc in zh_index["docs"] if doc["location"] and "#" not in doc["location"]), \
        "a page in the Chinese search index has no Chinese text"
    assert "找不到页面" in (built_site / "zh" / "404.html").read_text("utf-8")
    assert "Not found" in (built_site / "404.html").read_text("utf-8")
    assert not (built_site / "zh" / "api" / "_translations").exists()


def test_language_switcher_points_to_same_page(built_site: Path):
    en = (built_site / "guide" / "tensors" / "index.html").read_text("utf-8")
    zh = (built_site / "zh" / "guide" / "tensors" / "index.html").read_text("utf-8")
    assert re.search(r'href="../../zh/guide/tensors/"[^>]*hreflang="zh"', en), "en -> zh switcher"
    assert re.search(r'href="../../../guide/tensors/"[^>]*hreflang="en"', zh), "zh -> en switcher"


def test_search_index_per_language(built_site: Path):
    """English words split at punctuation; Chinese segmented by jieba (words joined by U+200B)."""
    en = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    assert re.match(en["config"]["separator"], "(") and not re.match(en["config"]["separator"], "\u200b")
    zh = json.loads((built_site / "zh" / "search" / "search_index.json").read_text("utf-8"))
    zh_text = "".join(doc["text"] for doc in zh["docs"])
    assert "张量" in zh_text, "no Chinese pages in the search index"
    assert "\u200b" in zh_text, "Chinese text was not segmented (is jieba installed?)"
    assert "\\u200b" in zh["config"]["separator"], "search separator does not split on U+200B"


def test_api_page_section_titles(built_site: Path):
    en = (built_site / "api" / "index.html").read_text("utf-8")
    zh = (built_site / "zh" / "api" / "index.html").read_text("utf-8")
    assert "Parameters:" in en
    assert "参数：" in zh, "mkdocstrings did not switch to Chinese section titles on /zh/"
    assert "Parameters:" not in zh


_HEADING = re.compile(r'<h[2-6] id="(reftorch\.[\w.]+)" class="doc doc-heading">\s*(.*?)\s*<', re.S)


def test_api_objects_titled_by_public_torch_path(built_site: Path):
    """Headings show ``torch.nn.LSTM``, not ``reftorch.nn.modules.rnn.LSTM``; each such
    path exists in PyTorch and names the same kind of object."""
    import torch  # the test extra's oracle
    import torch.nn.utils.prune  # noqa: F401 (a submodule that torch.nn.utils does not import)

    seen = 0
    for lang in LANGS:
        for page in (language_root(built_site, lang) / "api").rglob("index.html"):
            html = page.read_text("utf-8")
            headings = re.findall(r'class="doc doc-heading">(.*?)</h[2-6]>', html, re.S)
            assert not [h for h in headings if "reftorch." in re.sub(r'href="[^"]*"', "", h)]
            for ident, title in _HEADING.findall(html):
                if not title:  # a member (method, property): titled by its short name
                    continue
                seen += 1
                assert title.startswith("torch."), f"{page}: {ident} is titled {title!r}"
                obj = torch
                for name in title.split(".")[1:]:
                    obj = getattr(obj, name, None)
                    assert obj is not None, f"{title} does not exist in PyTorch"
                assert title.rsplit(".", 1)[1] == ident.rsplit(".", 1)[1]
    assert seen >= 2 * 60


def test_api_pages_show_no_sphinx_roles(built_site: Path):
    """Docstrings' ``:class:`X``` roles render as plain code, not as ":class:" text."""
    for lang in LANGS:
        for page in (language_root(built_site, lang) / "api").rglob("index.html"):
            html = page.read_text("utf-8")
            assert "doc doc-heading" in html
            assert not re.findall(r":(?:class|func|meth|math|mod|attr):<code>", html), page
            assert "::</p>" not in html, page


def test_math_rendered_as_mathml(built_site: Path):
    for lang in LANGS:
        html = (language_root(built_site, lang) / "nn" / "rnn" / "index.html").read_text("utf-8")
        assert html.count("<math") >= 6, f"{lang}: no MathML on the RNN page"
        assert "\\begin{array}" not in html, f"{lang}: unconverted LaTeX on the RNN page"
        prose = re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.S)
        assert "$" not in re.sub(r"<[^>]+>", "", prose), f"{lang}: a $ left in the RNN page's text"
        losses = (language_root(built_site, lang) / "nn" / "losses" / "index.html").read_text("utf-8")
        assert losses.count("<math") >= 4


# ---------------------------------------------------------------- API translations


def _load_tool(name: str):
    spec = importlib.util.spec_from_file_location(f"_reftorch_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


API_TRANSLATIONS = _load_tool("api_translations")
_ARG = re.compile(r"^    (\*{0,2}\w+)(?: \([^)]*\))?:", re.MULTILINE)


def _args(docstring: str) -> list[str]:
    m = re.search(r"^Args:\n((?:    .*\n?|\n)*)", docstring, re.MULTILINE)
    return _ARG.findall(m.group(1)) if m else []


def test_api_translations_are_up_to_date():
    """Each Chinese docstring stores the hash of the English prose it translates; a
    changed English docstring fails here until its translation is updated."""
    objects = API_TRANSLATIONS.documented_objects()
    translations = API_TRANSLATIONS.load_translations()
    assert translations, "no API translations found"
    unknown = sorted(set(translations) - set(objects))
    assert not unknown, f"translations of objects that no API page documents: {unknown}"
    outdated = []
    for public, entry in translations.items():
        english = inspect.getdoc(API_TRANSLATIONS.resolve(objects[public])) or ""
        if entry.get("source_sha") != API_TRANSLATIONS.prose_hash(english):
            outdated.append(f"{public} ({entry['file']})")
        assert _args(inspect.cleandoc(entry["docstring"])) == _args(english), \
            f"{public}: the translation documents other parameters than the English docstring"
        assert "Examples:" not in entry["docstring"], f"{public}: examples are shared, not translated"
    assert not outdated, (
        "English docstrings changed since these were translated (update the text and its "
        "source_sha; `python tools/api_translations.py NAME` prints both):\n" + "\n".join(outdated))


def test_every_api_object_translated():
    """/zh/api/ reads in Chinese: every documented object with a docstring has a translation."""
    translations = API_TRANSLATIONS.load_translations()
    missing = [public for public, source in API_TRANSLATIONS.documented_objects().items()
               if public not in translations and inspect.getdoc(API_TRANSLATIONS.resolve(source))]
    assert not missing, (
        "API objects without Chinese text: add them to docs/zh/api/_translations/*.yml "
        "(`python tools/api_translations.py NAME` prints the English prose and its hash):\n"
        + "\n".join(missing))


def test_public_paths():
    public = API_TRANSLATIONS.public_path
    assert public("reftorch.nn.modules.rnn.LSTM") == "torch.nn.LSTM"
    assert public("reftorch.utils.data.dataloader.DataLoader") == "torch.utils.data.DataLoader"
    assert public("reftorch.cat") == "torch.cat"
    split = API_TRANSLATIONS.split_examples("Sum.\n\nArgs:\n    x: a.\n\nExamples:\n    >>> 1\n    1\n\nRaises:\n    E: b.")
    assert split == ("Sum.\n\nArgs:\n    x: a.\n\nRaises:\n    E: b.", "Examples:\n    >>> 1\n    1")


def test_nav_sections_translated():
    import yaml

    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=yaml.BaseLoader)
    titles = []

    def walk(entries):
        for entry in entries:
            if isinstance(entry, dict):
                for title, value in entry.items():
                    titles.append(title)
                    if isinstance(value, list):
                        walk(value)

    walk(config["nav"])
    table = config["extra"]["nav_translations"]["zh"]
    assert [t for t in titles if t not in table] == [], "nav titles without a zh translation"


# ---------------------------------------------------------------- Chinese line breaks


def _load_hooks():
    spec = importlib.util.spec_from_file_location("_reftorch_mkdocs_hooks", ROOT / "tools" / "mkdocs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:  # mkdocs not installed: the test command installs it
        pytest.fail(f"mkdocs is not installed (pip install -e '.[docs]'): {exc}")
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


def test_serve_sends_each_language_its_own_404_page(built_site: Path):
    """``mkdocs serve``: the hook in tools/site_languages.py answers a missing page under
    /zh/ with zh/404.html (mkdocs' dev server alone sends the English 404.html)."""
    from mkdocs.livereload import LiveReloadServer

    spec = importlib.util.spec_from_file_location("_site_languages", ROOT / "tools" / "site_languages.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(built_site))

    def english_404(code):  # what `mkdocs serve` installs: <site>/<code>.html
        return (built_site / f"{code}.html").read_bytes() if code == 404 else None

    server.error_handler = english_404
    server = hooks.on_serve(server, config=None, builder=None)
    try:
        def get(path):
            status = []
            body = b"".join(server.get_app()({"PATH_INFO": path}, lambda s, h: status.append(s)))
            return status[0], body.decode("utf-8")

        status, body = get("/zh/no-such-page/")
        assert status.startswith("404") and '<html lang="zh"' in body and "找不到页面" in body
        status, body = get("/no-such-page/")
        assert status.startswith("404") and '<html lang="en"' in body and "Not found" in body
        status, body = get("/zh/guide/cat-stack/")
        assert status.startswith("200") and '<html lang="zh"' in body
    finally:
        server.server_close()
