"""MkDocs hook: API objects are titled by their public PyTorch path.

An API page documents ``::: reftorch.nn.modules.rnn.LSTM`` (the module that defines it, so
the links and anchors are stable); the heading and the table of contents show what a
reader types instead: ``torch.nn.LSTM`` (``heading`` / ``toc_label`` options added to
each block; the path is computed by tools/api_translations.public_path).  The Chinese
docstrings themselves are swapped in by the griffe extension in tools/api_translations.py
(enabled in mkdocs.zh.yml).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_reftorch_api_translations", Path(__file__).with_name("api_translations.py"))
api_translations = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_translations)

_BLOCK = re.compile(r"^(?P<indent>[ \t]*):::[ \t]+(?P<path>reftorch[\w.]*)[ \t]*\n"
                    r"(?P<options>(?P=indent)[ \t]+options:[ \t]*\n)?", re.MULTILINE)


def title_api_blocks(markdown: str) -> str:
    """Add ``heading``/``toc_label`` options (the public torch path) to each ``:::`` block."""
    def replace(m):
        indent = m["indent"]
        public = api_translations.public_path(m["path"])
        options = (f"{indent}      heading: '{public}'\n"
                   f"{indent}      toc_label: '{public}'\n")
        return f"{indent}::: {m['path']}\n{indent}    options:\n{options}"
    return _BLOCK.sub(replace, markdown)


# Sphinx cross-reference roles written in docstrings (``:class:`Adam```, ``:math:`g```)
# are not Markdown: mkdocstrings renders the role name as text before the code span.
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|exc|data|obj|math):(?=<code>)")


def strip_sphinx_roles(html: str) -> str:
    """``:class:<code>Adam</code>`` -> ``<code>Adam</code>`` in rendered API pages; a
    paragraph that introduces a literal block (``...as follows::``) ends in one colon."""
    return _ROLE.sub("", html).replace("::</p>", ":</p>")


def on_page_content(html, page, config, files):
    if "doc doc-heading" not in html:
        return html
    return strip_sphinx_roles(html)


def on_page_markdown(markdown, page, config, files):
    if ":::" not in markdown:
        return markdown
    return title_api_blocks(markdown)
