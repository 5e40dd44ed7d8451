"""Chinese prose uses Chinese punctuation: no ASCII quotes, commas, colons, semicolons or
parentheses inside Chinese text on the zh pages.

Only prose is checked: code blocks, inline code, HTML comments (Sybil directives), link
targets and heading ids are removed first, so ``torch.cat([a, b], dim=1)`` in a code span
is fine while ``拼接(沿第 0 维)`` or ``例如:张量`` is not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ZH_PAGES = sorted((ROOT / "docs" / "zh").rglob("*.md"))

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
RULES = [
    # a comma, colon or semicolon with Chinese text on both sides
    ("ASCII , : ; between Chinese text", re.compile(rf"{CJK}[ \t]*[,:;][ \t]*{CJK}")),
    # a comma, colon or semicolon right after a Chinese character
    ("ASCII , : ; after a Chinese character", re.compile(rf"{HAN}[,:;](?=\s|$)")),
    # parentheses around Chinese text, or opened right after a Chinese character
    ("ASCII parentheses around Chinese text", re.compile(rf"\([^()\n]*{HAN}[^()\n]*\)")),
    ("ASCII parenthesis next to a Chinese character", re.compile(rf"{HAN}\(|\){HAN}")),
    # straight quotes around or next to Chinese text
    ('ASCII quotes in Chinese text', re.compile(rf"\"[^\"\n]*{HAN}[^\"\n]*\"|{HAN}[\"']|[\"']{HAN}")),
    ("ASCII ? ! after a Chinese character", re.compile(rf"{HAN}[?!]")),
]


def prose_lines(text: str):
    """(line number, prose text) for every line outside code, with code spans removed."""
    fence = None
    in_comment = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        m = re.match(r"(`{3,}|~{3,})", stripped)
        if m:
            fence = m.group(1)
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in line
            continue
        # an admonition's title is quoted by Markdown syntax: check the title, not the quotes
        line = re.sub(r'^(\s*(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+[\w-]+)*\s+)"(.*)"\s*$', r"\1\2", line)
        prose = re.sub(r"(`+)(.+?)\1", " ", line)           # inline code
        prose = re.sub(r"<!--.*?-->", " ", prose)           # inline comments
        prose = re.sub(r"\]\([^)\s]*\)", "]", prose)        # link targets
        prose = re.sub(r"\{#[\w-]+\}", " ", prose)           # heading ids
        prose = re.sub(r"<[^>]+>", " ", prose)              # HTML tags
        yield number, prose


def violations(text: str) -> list[str]:
    found = []
    for number, prose in prose_lines(text):
        for name, rule in RULES:
            for m in rule.finditer(prose):
                found.append(f"line {number}: {name}: {m.group(0)!r}")
    return found


@pytest.mark.parametrize("page", ZH_PAGES, ids=[p.relative_to(ROOT / "docs").as_posix() for p in ZH_PAGES])
def test_chinese_punctuation(page):
    problems = violations(page.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("bad", [
    "拼接(沿第 0 维)的结果", "例如:张量", "张量,形状", '所谓"视图"就是', "对吗?", "维度;其余",
])
def test_rules_catch_ascii_punctuation(bad):
    assert violations(bad)


@pytest.mark.parametrize("good", [
    "拼接（沿第 0 维）的结果", "`torch.cat([a, b], dim=1)` 沿第 1 维拼接", "所谓“视图”就是",
    "```python\n>>> x = (1, 2)  # 中文,注释\n```", "[张量](../guide/tensors.md)", "形状为 (2, 3) 的张量",
    "<!-- skip: next if(not HAS_CUDA, reason=\"需要 GPU\") -->", '!!! warning "整数张量不能需要梯度"',
])
def test_rules_leave_code_and_numbers_alone(good):
    assert not violations(good)
