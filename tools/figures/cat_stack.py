"""``cat`` joins along an existing dimension, ``stack`` along a new one (guide/cat-stack)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "cat-stack"
PAGE = "guide/cat-stack.md"
EXAMPLE = [
    ">>> a = torch.arange(6).reshape(2, 3)",
    ">>> b = torch.arange(6, 12).reshape(2, 3)",
    ">>> torch.cat([a, b])",
    ">>> torch.cat([a, b], dim=1)",
    ">>> torch.stack([a, b])",
]

TEXT = {
    "en": {"title": "cat joins along an existing dimension; stack adds a new one",
           "inputs": "inputs, shape (2, 3) each", "shape": "shape"},
    "zh": {"title": "cat 沿已有维度拼接；stack 先新增一个维度再拼接",
           "inputs": "输入：形状均为 (2, 3)", "shape": "形状"},
}


def data(torch) -> dict:
    a = torch.arange(6).reshape(2, 3)
    b = torch.arange(6, 12).reshape(2, 3)
    cat0, cat1, st = torch.cat([a, b]), torch.cat([a, b], dim=1), torch.stack([a, b])
    return {
        "a": a.tolist(), "b": b.tolist(),
        "cat0": cat0.tolist(), "cat0_shape": list(cat0.shape),
        "cat1": cat1.tolist(), "cat1_shape": list(cat1.shape),
        "stack": st.tolist(), "stack_shape": list(st.shape),
    }


def _fills(values, a_values):
    """Colour each cell by the input it came from."""
    a_set = {v for row in a_values for v in row}
    return {(r, c): ("a" if v in a_set else "b")
            for r, row in enumerate(values) for c, v in enumerate(row)}


def _shape(cv, x, y, label, shape):
    cv.text(x, y, label, ha="left", size=10)
    cv.code(x + 1.5, y, str(tuple(shape)), ha="left", size=10)


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(19.4, 10.4)
    cv.text(9.7, 0.55, t["title"], size=12, weight="bold")
    as_text = lambda rows: [[fmt(v) for v in r] for r in rows]  # noqa: E731

    # inputs
    cv.text(0.5, 1.6, t["inputs"], ha="left", size=10)
    cv.code(1.0, 3.0, "a", size=12)
    cv.grid(1.5, 2.0, as_text(d["a"]), fill="a")
    cv.code(1.0, 5.4, "b", size=12)
    cv.grid(1.5, 4.4, as_text(d["b"]), fill="b")

    # cat dim=0
    x0 = 6.6
    cv.code(x0, 1.6, "torch.cat([a, b])", ha="left")
    cv.grid(x0, 2.0, as_text(d["cat0"]), fills=_fills(d["cat0"], d["a"]))
    _shape(cv, x0, 6.5, t["shape"], d["cat0_shape"])

    # cat dim=1
    x1 = 11.4
    cv.code(x1, 1.6, "torch.cat([a, b], dim=1)", ha="left")
    cv.grid(x1, 2.0, as_text(d["cat1"]), fills=_fills(d["cat1"], d["a"]))
    _shape(cv, x1, 4.5, t["shape"], d["cat1_shape"])

    # stack dim=0: a new leading dimension; result[0] is a, result[1] is b
    y = 6.6
    cv.code(x1, y - 0.9, "torch.stack([a, b])", ha="left")
    for k, slab in enumerate(d["stack"]):
        xs = x1 + 0.3 + k * 3.6
        cv.code(xs + 1.5, y - 0.1, f"[{k}]", size=10)
        cv.grid(xs, y + 0.3, as_text(slab), fill="a" if k == 0 else "b")
    cv.outline(x1, y - 0.45, 7.5, 2.95, color="#7b8797", lw=1.2, dashed=True)
    _shape(cv, x1, y + 3.1, t["shape"], d["stack_shape"])

    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """The joined values and the three result shapes."""
    cells = [fmt(v) for row in d["cat0"] + d["cat1"] for v in row]
    shapes = [str(tuple(d[k])) for k in ("cat0_shape", "cat1_shape", "stack_shape")]
    return cells + shapes
