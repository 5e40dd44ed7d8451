"""MkDocs hook: math as MathML, made at build time.

``pymdownx.arithmatex`` (generic mode) wraps ``$...$`` in ``<span class="arithmatex">``
and ``$$...$$`` in ``<div class="arithmatex">``, with the LaTeX between ``\\(``/``\\)`` or
``\\[``/``\\]``.  This hook converts that LaTeX to MathML with ``latex2mathml`` (docs
extra), which browsers render natively (MathML Core): no JavaScript, no fonts or scripts
from a CDN, so the pages work offline and in mainland China.  LaTeX that cannot be
converted is a warning (so it fails the strict build).
"""

from __future__ import annotations

import html
import logging
import re

from latex2mathml.converter import convert

log = logging.getLogger("mkdocs.hooks.site_math")

_MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<block>.*?)\\\])\s*</(?P=tag)>',
    re.S,
)


def latex_to_mathml(latex: str, display: str = "inline") -> str:
    """Return the ``<math>`` element for ``latex`` (raises on LaTeX it cannot read)."""
    return convert(latex.strip(), display=display)


def on_page_content(html_text, page, config, files):
    def replace(m):
        block = m["block"] is not None
        latex = html.unescape(m["block"] if block else m["inline"])
        try:
            mathml = latex_to_mathml(latex, "block" if block else "inline")
        except Exception as exc:  # latex2mathml raises its own exception types
            log.warning(f"{page.file.src_uri}: cannot convert math {latex!r}: {exc}")
            return m.group(0)
        return f'<{m["tag"]} class="arithmatex">{mathml}</{m["tag"]}>'

    if "arithmatex" not in html_text:
        return html_text
    return _MATH.sub(replace, html_text)
