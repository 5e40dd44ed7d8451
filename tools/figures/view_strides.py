"""One block of memory, two ways of reading it: ``view`` and ``t()`` (guide/view-reshape)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "view-strides"
PAGE = "guide/view-reshape.md"
EXAMPLE = [
    ">>> m = torch.arange(6).view(2, 3)",
    ">>> t = m.t()",
    ">>> t.stride()",
    ">>> t.is_contiguous()",
]

TEXT = {
    "en": {"title": "The same six numbers in memory, read with different strides",
           "colon": ": ", "memory": "memory", "order": "reading order, row by row",
           "stride": "stride", "contiguous": "contiguous", "yes": "yes: one step of 1 each time",
           "no": "no: the steps jump back and forth; t.view(6) fails"},
    "zh": {"title": "内存中同样的六个数，用不同的步长读取",
           "colon": "：", "memory": "内存", "order": "逐行读取的顺序",
           "stride": "步长", "contiguous": "连续", "yes": "是，每次都前进 1 个位置",
           "no": "否，位置来回跳动，所以 t.view(6) 无法实现"},
}


def data(torch) -> dict:
    m = torch.arange(6).view(2, 3)
    t = m.t()
    return {
        "memory": m.flatten().tolist(),          # arange: the values are the memory positions
        "m": m.tolist(), "m_stride": list(m.stride()), "m_contiguous": m.is_contiguous(),
        "t": t.tolist(), "t_stride": list(t.stride()), "t_contiguous": t.is_contiguous(),
    }


def _fill(position: int) -> str:
    return ["a", "a", "a", "b", "b", "b"][position] if position < 6 else "plain"


def _panel(cv, y, name, call, grid, stride, contiguous, t, ok_text):
    cv.code(0.5, y, call, ha="left", size=11)
    rows = len(grid)
    cv.code(1.6, y + 0.8 + rows / 2, name, ha="right", size=12)
    for r, row in enumerate(grid):
        for c, v in enumerate(row):
            cv.cell(2.0 + c, y + 0.8 + r, fmt(v), fill=_fill(v))
    cv.text(2.0, y + 1.3 + rows, t["stride"], ha="left", size=10)
    cv.code(2.0 + 1.9, y + 1.3 + rows, str(tuple(stride)), ha="left", size=10)
    # the memory strip, with the order in which reading row by row visits it
    x0, ym = 8.0, y + 1.6
    cv.text(x0 - 0.2, ym + 0.5, t["memory"], ha="right", size=10)
    for p in range(6):
        cv.cell(x0 + p, ym, fmt(p), fill=_fill(p))
    order = [v for row in grid for v in row]
    for k, (p, q) in enumerate(zip(order, order[1:])):
        rad = -0.5 if q > p else -0.5
        cv.arrow(x0 + p + 0.5, ym, x0 + q + 0.5, ym, rad=rad if q > p else 0.5, lw=1.1)
    cv.text(x0, ym + 1.55, t["order"] + t["colon"] + ", ".join(fmt(v) for v in order), ha="left", size=10)
    cv.text(x0, ym + 2.2, t["contiguous"] + t["colon"] + (t["yes"] if contiguous else t["no"]),
            ha="left", size=10)
    cv.code(x0 + 6.3, ym + 0.5, f"{name}.is_contiguous()", ha="left", size=10)
    cv.code(x0 + 6.3, ym + 1.1, str(contiguous), ha="left", size=10)


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(20.6, 11.8)
    cv.text(10.3, 0.55, t["title"], size=12, weight="bold")
    _panel(cv, 1.6, "m", "m = torch.arange(6).view(2, 3)", d["m"], d["m_stride"],
           d["m_contiguous"], t, t["yes"])
    _panel(cv, 6.6, "t", "t = m.t()", d["t"], d["t_stride"], d["t_contiguous"], t, t["no"])
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """Both tensors' values, their strides and contiguity flags."""
    cells = [fmt(v) for v in d["memory"]]
    return cells + [str(tuple(d["m_stride"])), str(tuple(d["t_stride"])),
                    str(d["m_contiguous"]), str(d["t_contiguous"])]
