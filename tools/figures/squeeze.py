"""``unsqueeze`` adds a size-1 dimension, ``squeeze`` removes them (guide/squeeze)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "squeeze"
PAGE = "guide/squeeze.md"
EXAMPLE = [
    ">>> x = torch.zeros(2, 1, 3, 1)",
    ">>> x.squeeze().shape",
    ">>> x.squeeze(1).shape",
    ">>> v = torch.tensor([1, 2, 3])",
    ">>> v.unsqueeze(0)",
    ">>> v.unsqueeze(1)",
]

TEXT = {
    "en": {"title": "unsqueeze(d) inserts a dimension of size 1 at index d; squeeze removes size-1 dimensions",
           "shape": "shape", "dims": "sizes of x, dimension by dimension",
           "all": "every size-1 dimension goes", "one": "only dimension 1 goes"},
    "zh": {"title": "unsqueeze(d) 在位置 d 插入一个大小为 1 的维度；squeeze 去掉大小为 1 的维度",
           "shape": "形状", "dims": "x 各维度的大小",
           "all": "去掉所有大小为 1 的维度", "one": "只去掉第 1 维"},
}


def data(torch) -> dict:
    v = torch.tensor([1, 2, 3])
    x = torch.zeros(2, 1, 3, 1)
    return {
        "v": v.tolist(), "v_shape": list(v.shape),
        "u0": v.unsqueeze(0).tolist(), "u0_shape": list(v.unsqueeze(0).shape),
        "u1": v.unsqueeze(1).tolist(), "u1_shape": list(v.unsqueeze(1).shape),
        "x_shape": list(x.shape),
        "squeeze_shape": list(x.squeeze().shape),
        "squeeze1_shape": list(x.squeeze(1).shape),
    }


def _sizes(cv, x, y, sizes, *, removed=()):
    """A shape drawn as one cell per dimension, its index above."""
    for k, n in enumerate(sizes):
        cv.code(x + k + 0.5, y - 0.3, str(k), size=8.5)
        gone = k in removed
        cv.cell(x + k, y, str(n), fill="pad" if gone else ("picked" if n == 1 else "index"), dashed=gone)
        if gone:
            cv.line([x + k + 0.15, x + k + 0.85], [y + 0.85, y + 0.15], color="#c0392b", lw=1.6)


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(22, 11.6)
    cv.text(11, 0.55, t["title"], size=11.5, weight="bold")

    # unsqueeze
    y = 2.2
    cv.code(0.5, y - 0.5, "v = torch.tensor([1, 2, 3])", ha="left")
    cv.grid(0.5, y, [fmt(a) for a in d["v"]], fill="a")
    cv.text(0.5, y + 1.55, t["shape"], ha="left", size=10)
    cv.code(2.2, y + 1.55, str(tuple(d["v_shape"])), ha="left", size=10)

    x0 = 8.0
    cv.code(x0, y - 0.5, "v.unsqueeze(0)", ha="left")
    cv.grid(x0, y, [[fmt(a) for a in row] for row in d["u0"]], fill="a")
    cv.outline(x0 - 0.15, y - 0.15, 3.3, 1.3, color="#e07a1f", lw=1.6)
    cv.text(x0, y + 1.55, t["shape"], ha="left", size=10)
    cv.code(x0 + 1.7, y + 1.55, str(tuple(d["u0_shape"])), ha="left", size=10)

    x1 = 15.0
    cv.code(x1, y - 0.5, "v.unsqueeze(1)", ha="left")
    cv.grid(x1, y, [[fmt(a) for a in row] for row in d["u1"]], fill="a")
    cv.outline(x1 - 0.15, y - 0.15, 1.3, 3.3, color="#e07a1f", lw=1.6)
    cv.text(x1 + 1.6, y + 1.5, t["shape"], ha="left", size=10)
    cv.code(x1 + 3.3, y + 1.5, str(tuple(d["u1_shape"])), ha="left", size=10)

    # squeeze, on shapes
    y = 7.4
    cv.code(0.5, y - 1.0, "x = torch.zeros(2, 1, 3, 1)", ha="left")
    cv.text(0.5, y + 1.6, t["dims"], ha="left", size=10)
    _sizes(cv, 0.5, y, d["x_shape"])
    ones = [k for k, n in enumerate(d["x_shape"]) if n == 1]
    cv.code(x0, y - 1.0, "x.squeeze().shape", ha="left")
    _sizes(cv, x0, y, d["x_shape"], removed=ones)
    cv.text(x0, y + 1.6, t["all"], ha="left", size=10)
    cv.code(x0, y + 2.3, str(tuple(d["squeeze_shape"])), ha="left", size=10)
    cv.code(x1, y - 1.0, "x.squeeze(1).shape", ha="left")
    _sizes(cv, x1, y, d["x_shape"], removed=[1])
    cv.text(x1, y + 1.6, t["one"], ha="left", size=10)
    cv.code(x1, y + 2.3, str(tuple(d["squeeze1_shape"])), ha="left", size=10)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """The shapes before and after, and the values of v."""
    shapes = [str(tuple(d[k])) for k in ("v_shape", "u0_shape", "u1_shape", "squeeze_shape",
                                         "squeeze1_shape")]
    return shapes + [fmt(a) for a in d["v"]] + [str(n) for n in d["x_shape"]]
