"""The site's pictures (tools/figures) show what the pages' examples compute.

For every picture:

* the example it draws is on its page, verbatim, in both languages (so editing the
  example without the picture fails here);
* the page embeds it with alt text in the page's language;
* its data, computed on reftorch, equals the same code run on PyTorch (and Sybil checks
  that PyTorch prints what the page shows, so the picture's numbers are the page's);
* the drawn SVG (each language) is well-formed, keeps its text as text, shows every
  number the data says it shows, and has labels in its own language.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import reftorch  # noqa: E402
from tools import figures  # noqa: E402

MODULES = figures.figures()
IDS = [m.NAME for m in MODULES]
LANGS = ("en", "zh")
CJK = re.compile(r"[\u4e00-\u9fff]")
SVG_NS = "{http://www.w3.org/2000/svg}"


def _page(module, lang: str) -> str:
    return (ROOT / "docs" / lang / module.PAGE).read_text(encoding="utf-8")


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter(f"{SVG_NS}text")]


@pytest.fixture(scope="module")
def reftorch_data():
    return {m.NAME: m.data(reftorch) for m in MODULES}


@pytest.fixture(scope="module")
def svgs(reftorch_data):
    return {(m.NAME, lang): m.draw(reftorch_data[m.NAME], lang) for m in MODULES for lang in LANGS}


def test_every_module_is_registered():
    on_disk = {p.stem for p in (ROOT / "tools" / "figures").glob("*.py") if not p.stem.startswith("_")}
    assert on_disk == set(figures.MODULES)
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_example_is_on_the_page(module, lang):
    page = _page(module, lang)
    for line in module.EXAMPLE:
        assert line in page, f"docs/{lang}/{module.PAGE} lost the example line {line!r}"


@pytest.mark.parametrize("module", MODULES, ids=IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_page_embeds_the_picture_with_alt_text(module, lang):
    depth = len(PurePosixPath(module.PAGE).parts) - 1
    target = "../" * depth + f"figures/{module.NAME}.svg"
    images = re.findall(r"!\[(.*?)\]\(((?:\.\./)*figures/[\w.-]+\.svg)\)", _page(module, lang))
    alts = [alt for alt, src in images if src == target]
    assert alts, f"docs/{lang}/{module.PAGE} does not show {target}"
    for alt in alts:
        assert len(alt) > 20, "alt text should describe the picture"
        assert bool(CJK.search(alt)) == (lang == "zh"), "alt text in the page's language"


@pytest.mark.torch
@pytest.mark.parametrize("module", MODULES, ids=IDS)
def test_data_matches_pytorch(module, reftorch_data):
    import torch  # the oracle: its absence must fail loudly
    assert reftorch_data[module.NAME] == module.data(torch)


@pytest.mark.parametrize("module", MODULES, ids=IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_svg_shows_the_numbers(module, lang, reftorch_data, svgs):
    svg = svgs[(module.NAME, lang)]
    texts = _svg_texts(svg)
    assert texts, "text must stay text (svg.fonttype: none)"
    for expected in module.shown(reftorch_data[module.NAME]):
        assert expected in texts, f"{module.NAME}.{lang}.svg does not show {expected!r}"
    root = ET.fromstring(svg)
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text
    labels = " ".join(texts) + title.text
    assert bool(CJK.search(labels)) == (lang == "zh"), "labels in the page's language"
    assert "font-family: 'Noto Sans CJK SC'" in svg


def test_pictures_are_deterministic(reftorch_data, svgs):
    module = MODULES[0]
    assert module.draw(reftorch_data[module.NAME], "zh") == svgs[(module.NAME, "zh")]


# --------------------------------------------------------------------------- coverage page

def test_coverage_lists_only_real_pytorch_names():
    """Every curated name exists in PyTorch, and 'implemented' means reftorch has it."""
    import torch  # noqa: F401 (the oracle, which _resolve reads: its absence must fail loudly)
    from tools.figures import _coverage

    for namespace, (module, names) in _coverage.NAMESPACES.items():
        real = _coverage._resolve(namespace)
        assert real is not None, namespace
        for name in names.split():
            assert hasattr(real, name), f"{namespace}.{name} is not a PyTorch name"
    table = _coverage.coverage(ROOT / "docs" / "en", ["guide/cat-stack.md"])
    rows = dict((name, ok) for name, ok, _, _ in table["torch"])
    assert rows["cat"] is True and rows["cat"] == hasattr(reftorch, "cat")
    assert rows["einsum"] == hasattr(reftorch, "einsum")
    assert dict((n, p) for n, _, p, _ in table["torch"])["stack"] == "guide/cat-stack.md"


@pytest.mark.parametrize("lang", LANGS)
def test_coverage_page_has_the_marker(lang):
    text = (ROOT / "docs" / lang / "guide" / "coverage.md").read_text(encoding="utf-8")
    assert "<!-- coverage-tables -->" in text


# --------------------------------------------------------------------------- README example

def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using reftorch as a library"):]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def _run(source: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "README.md", "exec"), {"__name__": "__readme__"})
    return out.getvalue()


def test_readme_example_runs_the_same_on_both_engines():
    """The README's library example prints on reftorch what PyTorch prints, as its comment says."""
    import torch  # noqa: F401 (the oracle: its absence must fail loudly)
    source = _readme_example()
    assert "import reftorch as torch" in source
    ours = _run(source)
    theirs = _run(source.replace("import reftorch as torch", "import torch"))
    assert ours == theirs
    promised = re.search(r"#\s*(.*)$", source.strip().splitlines()[-1]).group(1)
    assert " ".join(ours.split()) == " ".join(promised.replace("],", "],\n").split())


def test_benchmark_table_is_computed_from_the_results_file():
    """guide/benchmarks.md's table comes from benchmarks/results.json: each row's ratio
    columns are the file's reftorch time over PyTorch's / NumPy's, at both settings."""
    import json

    from tools.figures import benchmarks
    doc = json.loads(benchmarks.RESULTS.read_text(encoding="utf-8"))
    runs = {r["threads"]: {row["name"]: row for row in r["rows"]} for r in doc["runs"]}
    for lang in ("en", "zh"):
        rows = [line for line in benchmarks.table(lang).splitlines() if line.startswith("| ")][2:]
        assert [r.split(" | ")[0][2:] for r in rows] == list(runs["default"])
        for line in rows:
            cells = [c.strip() for c in line.strip("|").split("|")]
            d, o = runs["default"][cells[0]], runs["1"][cells[0]]
            assert cells[4] == f"{d['reftorch'] / d['torch']:.2f}x"
            assert cells[5] == f"{d['reftorch'] / d['numpy']:.2f}x"
            assert cells[6] == f"{o['reftorch'] / o['torch']:.2f}x"
    root = benchmarks.RESULTS.parents[1]
    for lang in ("en", "zh"):
        assert benchmarks.TABLE_MARKER in (root / "docs" / lang / "guide" / "benchmarks.md").read_text(encoding="utf-8")
