"""MkDocs hooks for the reftorch site: text of the pages.

1. A quiet build.  jieba (used by Material's search plugin to segment Chinese) prints
   "Building prefix dict ..." messages to stderr on every build; its logger is turned
   down to warnings.

2. Chinese line breaks.  Markdown turns a line break inside a paragraph into a space,
   which is right for English but shows up as a stray space between two Chinese
   characters (Chromium-based browsers do not remove it).  ``on_page_markdown`` joins
   such soft line breaks when a Chinese character or punctuation mark is on either side,
   so the Chinese sources may be wrapped like the English ones.  Code fences, HTML
   comments (Sybil directives), tables, headings, lists and other block starts are left
   alone.

The other hooks (listed in mkdocs.yml): tools/site_languages.py (one complete site per
language), tools/site_math.py (LaTeX to MathML), tools/api_reference.py (API titles and
translations).
"""

from __future__ import annotations

import logging
import re

try:
    import jieba
except ImportError:  # the docs extra installs it; without it Chinese search is unsegmented
    jieba = None


if jieba is not None:
    jieba.setLogLevel(logging.WARNING)


# --------------------------------------------------------------------------- CJK lines

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef]")
# A line that starts a new block (or must stay on its own line).
_BLOCK_START = re.compile(
    r"^\s*(?:[-*+][ \t]|\d+[.)][ \t]|#|\||!!!|\?\?\?|:::|```|~~~|<|>|\[\^|\*\[|"
    r"(?:-{3,}|={3,}|\*{3,}|_{3,})\s*$|$)"
)


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch) or _CJK_PUNCT.match(ch))


def join_cjk_lines(markdown: str) -> str:
    """Join soft line breaks that sit next to Chinese text (see the module docstring)."""
    out: list[str] = []
    fence: str | None = None  # the fence string while inside a code block
    in_comment = False
    joinable = False  # whether out[-1] is a paragraph line that the next line may extend
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            out.append(line)
            joinable = False
            continue
        if in_comment:
            in_comment = "-->" not in line
            out.append(line)
            joinable = False
            continue
        m = re.match(r"^\s*(`{3,}|~{3,})", line)
        if m:
            fence = m.group(1)
            out.append(line)
            joinable = False
            continue
        if stripped.startswith("<!--") and "-->" not in stripped:
            in_comment = True
            out.append(line)
            joinable = False
            continue
        if joinable and not _BLOCK_START.match(line):
            prev = out[-1]
            hard_break = prev.endswith("  ") or prev.endswith("\\")
            if not hard_break and (_is_cjk(prev.rstrip()[-1]) or _is_cjk(stripped[0])):
                a, b = prev.rstrip()[-1], stripped[0]
                both_text = _CJK_CHAR.match(a) and _CJK_CHAR.match(b)
                punct = _CJK_PUNCT.match(a) or _CJK_PUNCT.match(b)
                # between Chinese and Latin text (or code) keep one space
                out[-1] = prev.rstrip() + ("" if both_text or punct else " ") + stripped
                continue
        out.append(line)
        # headings, tables, admonition titles, blank lines... do not continue
        joinable = bool(stripped) and not re.match(r"^\s*(?:#|\||!!!|\?\?\?|:::|<)", line) \
            and not re.match(r"^\s*(?:-{3,}|={3,}|\*{3,}|_{3,})\s*$", line)
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files):
    if _CJK_CHAR.search(markdown):
        return join_cjk_lines(markdown)
    return markdown
