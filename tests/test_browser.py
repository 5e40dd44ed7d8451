"""The built site in a real browser: headless Chromium driven by Playwright for Python.

The browser is Debian's ``chromium`` package (Playwright's own browser downloads are not
used); ``scripts/test.sh`` installs it where it is missing.  Without Playwright or
Chromium these tests FAIL and say what to install: they never pass silently.

The site is built once (tests/_site.py), served from 127.0.0.1 on a free port, and
checked in both languages at 1280 px:

* every page loads with no console error, no failed or 404 request, every ``<img>``
  loaded, and no code block (or the page) wider than the content column;
* search finds the right page first and only pages of the current language;
* the language switcher keeps the page and the ``#anchor``;
* the copy button of a ``>>>`` example copies code that runs as Python (prompts and
  output removed); the ``>>>`` toggle hides prompts and output;
* math is rendered (MathML), the 404 page is in the site's language.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _site import LANGS, build_site, language_root, mkdocs_missing

WIDTH, HEIGHT = 1280, 900
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PREFIX = {"en": "/", "zh": "/zh/"}


def _why_no_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed: pip install -e '.[test]'"
    if shutil.which("chromium") is None:
        return ("Debian's chromium is not installed: as root, apt-get install -y chromium "
                "fonts-wqy-zenhei (scripts/test.sh does this where it can)")
    return None


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def site() -> Path:
    missing = mkdocs_missing()
    if missing:
        pytest.fail(f"{missing} is not installed (pip install -e '.[docs]'): cannot build the site")
    path, result = build_site()
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site: Path):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    why = _why_no_browser()
    if why:
        pytest.fail(f"the browser tests cannot run: {why}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page plus what went wrong while it loaded."""

    def __init__(self, page, base: str):
        self.page, self.base, self.problems = page, base, []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"error: {e}"))
        # (ERR_ABORTED: a request cut short because the test moved on to the next page)
        page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                and self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))

    def goto(self, path: str):
        self.problems.clear()
        self.page.goto(self.base + path, wait_until="load")

    def path(self) -> str:
        url = urlsplit(self.page.url)
        return url.path + (f"#{url.fragment}" if url.fragment else "")


@pytest.fixture
def tab(browser, server):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield Tab(context.new_page(), server)
    context.close()


def _pages(site: Path, lang: str) -> list[str]:
    """Every page of one language, as URL paths, from that language's sitemap.xml."""
    sitemap = (language_root(site, lang) / "sitemap.xml").read_text("utf-8")
    return [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)]


# ---------------------------------------------------------------- every page

_PAGE_CHECKS = """() => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) out.push(`page scrolls sideways: ${doc.scrollWidth}px`);
  const content = document.querySelector(".md-content__inner");
  const width = content ? content.clientWidth : window.innerWidth;
  for (const pre of document.querySelectorAll(".md-content pre")) {
    if (pre.scrollWidth > pre.clientWidth + 1 || pre.getBoundingClientRect().width > width + 1)
      out.push(`code block wider than the content (${pre.scrollWidth}px > ${pre.clientWidth}px): `
               + pre.innerText.split("\\n").sort((a, b) => b.length - a.length)[0].slice(0, 80));
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.complete || img.naturalWidth === 0) out.push(`image not loaded: ${img.src}`);
    if (!img.getAttribute("alt")) out.push(`image without alt text: ${img.src}`);
  }
  return out;
}"""


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_loads_cleanly(site, browser, server, lang):
    """Every page of the language's sitemap: five tabs load pages side by side."""
    pages = _pages(site, lang)
    assert len(pages) > 10
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    # Every page starts the search worker, which builds the whole index again: give it an
    # empty one here (the search tests use the real one) to keep this test fast.
    index = json.loads((language_root(site, lang) / "search" / "search_index.json").read_text("utf-8"))
    empty = json.dumps({**index, "docs": []})
    context.route("**/search/search_index.json",
                  lambda route: route.fulfill(status=200, content_type="application/json", body=empty))
    tabs = [Tab(context.new_page(), server) for _ in range(5)]
    problems, pictures = [], 0
    try:
        for start in range(0, len(pages), len(tabs)):
            batch = list(zip(tabs, pages[start:start + len(tabs)]))
            for tab, path in batch:
                assert path.startswith(PREFIX[lang]), f"{path} in the {lang} sitemap"
                tab.problems.clear()
                tab.page.goto(server + path, wait_until="commit")
            for tab, path in batch:
                tab.page.wait_for_load_state("load")
                assert tab.page.evaluate("document.documentElement.lang") == lang, path
                found = tab.problems + tab.page.evaluate(_PAGE_CHECKS)
                problems += [f"{path}: {p}" for p in found]
                pictures += tab.page.evaluate("document.querySelectorAll('.md-content img').length")
    finally:
        context.close()
    assert not problems, "\n".join(problems[:30])
    assert pictures >= 5, f"only {pictures} pictures on the {lang} pages"


def test_404_page_in_each_language(tab):
    tab.goto("/404.html")
    assert "Not found" in tab.page.inner_text("h1")
    tab.goto("/zh/404.html")
    assert "找不到页面" in tab.page.inner_text("h1")
    assert tab.page.evaluate("document.documentElement.lang") == "zh"
    home = tab.page.evaluate("document.querySelector('.md-content p a').href")
    assert home == tab.base + "/zh/", home
    assert not [p for p in tab.problems if not p.startswith("404: ")], tab.problems


# ---------------------------------------------------------------- search


def _search(tab, query: str) -> list[str]:
    field = tab.page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")  # Material searches on keyup
    tab.page.wait_for_selector("li.md-search-result__item", timeout=10_000)
    links = tab.page.eval_on_selector_all(
        "li.md-search-result__item > a.md-search-result__link", "els => els.map(e => e.href)")
    return [urlsplit(link).path for link in links]


@pytest.mark.parametrize("lang, query, expected", [
    ("en", "DataLoader", "/data/dataloader/"),
    ("en", "gather", "/guide/index-select-gather/"),
    ("en", "LSTM", "/nn/rnn/"),
    ("en", "clip_grad_norm_", "/nn/clip-grad/"),
    ("zh", "拼接", "/zh/guide/cat-stack/"),
    ("zh", "采样器", "/zh/data/samplers/"),
    ("zh", "裁剪", "/zh/nn/clip-grad/"),
    ("zh", "cat", "/zh/guide/cat-stack/"),
    ("zh", "DataLoader", "/zh/data/dataloader/"),
])
def test_search_finds_the_page_in_the_current_language(tab, lang, query, expected):
    tab.goto(PREFIX[lang])
    results = _search(tab, query)
    assert results[0] == expected, f"{query!r} on {PREFIX[lang]}: first result {results[0]}"
    if lang == "zh":
        assert all(r.startswith("/zh/") for r in results), f"English pages in zh results: {results}"
    else:
        assert not any(r.startswith("/zh/") for r in results), f"Chinese pages in en results: {results}"
    assert not tab.problems, tab.problems


# ---------------------------------------------------------------- language switcher


def _switch(tab, lang: str):
    # Once idle, Material has read both sitemaps and its own language-link handler is armed
    # (it used to send the reader to the other language's home page instead).
    tab.page.wait_for_load_state("networkidle")
    tab.page.hover(".md-header__option .md-select")
    with tab.page.expect_navigation():
        tab.page.click(f"a.md-select__link[hreflang={lang}]")


def test_language_switcher_keeps_page_and_anchor(tab):
    tab.goto("/guide/cat-stack/#pitfalls")
    _switch(tab, "zh")
    assert tab.path() == "/zh/guide/cat-stack/#pitfalls"
    assert tab.page.evaluate("document.documentElement.lang") == "zh"
    _switch(tab, "en")
    assert tab.path() == "/guide/cat-stack/#pitfalls"
    tab.goto("/zh/nn/rnn/")  # no anchor: the same page
    _switch(tab, "en")
    assert tab.path() == "/nn/rnn/"
    assert not tab.problems, tab.problems


# ---------------------------------------------------------------- copy button

_RUN_SESSIONS = textwrap.dedent("""
    import json, sys
    for session in json.load(sys.stdin):
        namespace = {"__name__": "__main__"}
        for source in session:
            try:
                exec(compile(source, "<copied>", "exec"), namespace)
            except Exception as exc:
                print("@@", json.dumps(type(exc).__name__))
            else:
                print("@@", json.dumps(None))
""")



def _copy_every_example(tab, path: str) -> tuple[list[str], list[bool]]:
    """The clipboard text of each ``>>>`` block's copy button, and whether it shows a traceback."""
    tab.goto(path)
    blocks = tab.page.locator("pre.rt-doctest")
    assert blocks.count() >= 5, path
    copies, raises = [], []
    for i in range(blocks.count()):
        block = blocks.nth(i)
        block.hover()
        tab.page.evaluate("navigator.clipboard.writeText('')")
        block.locator("button.md-code__button[data-md-type=copy]").click()
        tab.page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''")
        text = tab.page.evaluate("navigator.clipboard.readText()")
        assert ">>>" not in text and "\n..." not in text, f"{path} block {i}: prompts copied:\n{text}"
        copies.append(text)
        raises.append("Traceback (most recent call last)" in block.inner_text())
    assert not tab.problems, tab.problems
    return copies, raises


def test_copy_button_gives_runnable_code(tab):
    """Copy every ``>>>`` example of a page (both languages) through the real clipboard and
    run the copies in order, one Python session per page, on PyTorch: each runs, and
    raises exactly when the page shows a traceback."""
    pages = {lang: _copy_every_example(tab, PREFIX[lang] + "nn/losses/") for lang in LANGS}
    result = subprocess.run([sys.executable, "-c", _RUN_SESSIONS],
                            input=json.dumps([copies for copies, _ in pages.values()]),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outcome = [json.loads(line[3:]) for line in result.stdout.splitlines() if line.startswith("@@ ")]
    expected = [(lang, i, copied, raises)
                for lang, (copies, shows) in pages.items()
                for i, (copied, raises) in enumerate(zip(copies, shows))]
    assert len(outcome) == len(expected), result.stdout
    for (lang, i, copied, raises), error in zip(expected, outcome):
        assert (error is not None) == raises, f"{lang} block {i} ({error=}):\n{copied}"


def test_prompt_toggle_hides_prompts_and_output(tab):
    tab.goto("/nn/losses/")
    block = tab.page.locator("pre.rt-doctest").nth(1)
    before = block.locator("code").inner_text()
    assert ">>>" in before
    block.hover()
    block.locator("button.rt-prompt-toggle").click()
    after = block.locator("code").inner_text()
    assert ">>>" not in after and "tensor(0.1667)" in before and "tensor(0.1667)" not in after
    def lines(text):  # (each line is a block: innerText doubles the newlines)
        return [line for line in text.splitlines() if line.strip()]

    assert lines(after) == lines(block.locator("code").get_attribute("data-copy"))
    block.locator("button.rt-prompt-toggle").click()
    assert block.locator("code").inner_text() == before


# ---------------------------------------------------------------- math


@pytest.mark.parametrize("lang", LANGS)
def test_math_is_rendered(tab, lang):
    tab.goto(PREFIX[lang] + "nn/rnn/")
    formulas = tab.page.evaluate("""() => [...document.querySelectorAll('.md-content math')].map(m => ({
        display: getComputedStyle(m).display, height: m.getBoundingClientRect().height,
        block: m.getAttribute('display') === 'block'}))""")
    blocks = [f for f in formulas if f["block"]]
    assert len(blocks) >= 3 and len(formulas) > len(blocks), formulas
    # laid out as MathML by Chromium: the LSTM equations are a table of six rows
    assert max(f["height"] for f in blocks) > 100, blocks
