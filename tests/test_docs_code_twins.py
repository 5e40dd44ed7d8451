"""docs/en and docs/zh pages show the very same code: every fenced block (```python,
```text, …) of a page is identical, byte for byte, to the block at the same place in its
twin. Comments inside code are English in both languages; the prose around a block is what
gets translated. (tests/test_docs_site.py compares python blocks without their comments;
this is the stricter check.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")


def fenced_blocks(text: str) -> list[tuple[int, str, str]]:
    """``(line, info string, body)`` of every fenced block; the body loses the fence's
    indentation (a block inside an admonition compares equal to the same block outside)."""
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if len(stripped) >= len(fence) and set(stripped) == {fence[0]}:
                break
            j += 1
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines[i + 1:j])
        blocks.append((i + 1, m["info"].strip(), body))
        i = j + 1
    return blocks


def _twins() -> list[str]:
    en = {p.relative_to(DOCS / "en").as_posix() for p in (DOCS / "en").rglob("*.md")}
    zh = {p.relative_to(DOCS / "zh").as_posix() for p in (DOCS / "zh").rglob("*.md")}
    return sorted(en & zh)


def test_fence_scanner():
    text = "a\n```python\n>>> 1  # one\n1\n```\n!!! note\n    ```text\n    x\n    ```\n"
    assert fenced_blocks(text) == [(2, "python", ">>> 1  # one\n1"), (7, "text", "x")]


def test_there_are_twin_pages():
    assert len(_twins()) >= 6


@pytest.mark.parametrize("page", _twins())
def test_en_zh_code_blocks_identical(page: str):
    en = fenced_blocks((DOCS / "en" / page).read_text("utf-8"))
    zh = fenced_blocks((DOCS / "zh" / page).read_text("utf-8"))
    assert len(en) == len(zh), f"{page}: {len(en)} code blocks in docs/en but {len(zh)} in docs/zh"
    for (line_en, info_en, body_en), (line_zh, info_zh, body_zh) in zip(en, zh):
        assert (info_en, body_en) == (info_zh, body_zh), (
            f"{page}: the code block at docs/en line {line_en} differs from docs/zh line {line_zh} "
            "(code, comments included, must be the same in both languages)")
