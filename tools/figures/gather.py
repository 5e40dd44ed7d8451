"""The cells ``index_select`` slices and the cells ``gather`` reads (guide/index-select-gather)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "gather"
PAGE = "guide/index-select-gather.md"
EXAMPLE = [
    ">>> x = torch.tensor([[10, 11, 12],",
    ">>> torch.index_select(x, 0, torch.tensor([2, 0]))",
    ">>> torch.gather(x, 1, torch.tensor([[0], [2], [1]]))",
]

TEXT = {
    "en": {
        "title": "index_select takes whole rows; gather reads one cell per output position",
        "isel": "torch.index_select(x, 0, torch.tensor([2, 0]))",
        "isel_note": "the index picks rows: every column of row 2, then of row 0",
        "gather": "torch.gather(x, 1, torch.tensor([[0], [2], [1]]))",
        "gather_note": "row i of the index names the column read in row i",
        "index": "index", "result": "result",
    },
    "zh": {
        "title": "index_select 取整行；gather 为每个输出位置读取一个元素",
        "isel": "torch.index_select(x, 0, torch.tensor([2, 0]))",
        "isel_note": "索引选的是行：先取第 2 行的所有列，再取第 0 行",
        "gather": "torch.gather(x, 1, torch.tensor([[0], [2], [1]]))",
        "gather_note": "索引的第 i 行给出在 x 的第 i 行读取哪一列",
        "index": "索引", "result": "结果",
    },
}


def data(torch) -> dict:
    """Run the page's example; also run it on the flat positions to learn which cells are read."""
    x = torch.tensor([[10, 11, 12],
                      [20, 21, 22],
                      [30, 31, 32]])
    isel_index = torch.tensor([2, 0])
    gather_index = torch.tensor([[0], [2], [1]])
    positions = torch.arange(9).view(3, 3)  # positions[r, c] = 3*r + c
    return {
        "x": x.tolist(),
        "isel_index": isel_index.tolist(),
        "isel": torch.index_select(x, 0, isel_index).tolist(),
        "isel_read": torch.index_select(positions, 0, isel_index).tolist(),
        "gather_index": gather_index.tolist(),
        "gather": torch.gather(x, 1, gather_index).tolist(),
        "gather_read": torch.gather(positions, 1, gather_index).tolist(),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(16, 12.2)
    cv.text(8, 0.55, t["title"], size=12, weight="bold")
    palette = ["a", "b", "c"]

    # --- index_select: whole rows
    y0 = 2.7
    cv.code(0.4, 1.6, t["isel"], ha="left")
    cv.text(0.4, 2.15, t["isel_note"], ha="left", size=10)
    cv.code(2.0, y0 + 1.5, "x", ha="right", size=12)
    fills = {}
    for k, row in enumerate(d["isel_read"]):
        for p in row:
            fills[(p // 3, p % 3)] = palette[k]
    cv.grid(2.3, y0, [[fmt(v) for v in r] for r in d["x"]], fills=fills)
    cv.text(10.4, y0 - 0.35, t["index"], size=10)
    cv.text(13.4, y0 - 0.35, t["result"], size=10)
    for k, (i, row) in enumerate(zip(d["isel_index"], d["isel"])):
        cv.cell(9.9, y0 + k * 1.2, fmt(i), fill="index")
        cv.grid(11.9, y0 + k * 1.2, [fmt(v) for v in row], fill=palette[k])
        src_row = d["isel_read"][k][0] // 3
        cv.arrow(5.4, y0 + src_row + 0.5, 9.8, y0 + k * 1.2 + 0.5, rad=0.0)

    # --- gather: one cell per output position
    y1 = 8.3
    cv.code(0.4, 7.1, t["gather"], ha="left")
    cv.text(0.4, 7.65, t["gather_note"], ha="left", size=10)
    cv.code(2.0, y1 + 1.5, "x", ha="right", size=12)
    fills = {}
    for r, row in enumerate(d["gather_read"]):
        for p in row:
            fills[(p // 3, p % 3)] = palette[r]
    cv.grid(2.3, y1, [[fmt(v) for v in r] for r in d["x"]], fills=fills)
    cv.text(10.4, y1 - 0.35, t["index"], size=10)
    cv.text(12.4, y1 - 0.35, t["result"], size=10)
    for r, (irow, orow, prow) in enumerate(zip(d["gather_index"], d["gather"], d["gather_read"])):
        cv.grid(9.9, y1 + r, [fmt(v) for v in irow], fill="index")
        cv.grid(11.9, y1 + r, [fmt(v) for v in orow], fill=palette[r])
        p = prow[0]
        cv.outline(2.3 + p % 3, y1 + p // 3, 1, 1, color="#e07a1f")
        cv.arrow(10.9, y1 + r + 0.5, 11.9, y1 + r + 0.5)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """Every number the picture writes out: x, both indices and both results."""
    cells = [v for row in d["x"] + d["isel"] + d["gather"] + d["gather_index"] for v in row]
    return [fmt(v) for v in cells + d["isel_index"]]
