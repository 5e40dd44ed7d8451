"""Attention weights without and with the causal mask, as heat maps (nn/attention)."""

from __future__ import annotations

from ._draw import Canvas

NAME = "attention-weights"
PAGE = "nn/attention.md"
EXAMPLE = [
    ">>> x = torch.tensor([[1., 0.], [0., 1.], [1., 1.], [-1., 0.]])",
    ">>> scores = x @ x.T / 2 ** 0.5",
    ">>> torch.softmax(scores, dim=-1)",
    ">>> causal = torch.ones(4, 4, dtype=torch.bool).tril()",
    '>>> torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)',
]

TEXT = {
    "en": {"title": "Attention weights: each row (a query) sums to 1 over the keys",
           "full": "torch.softmax(scores, dim=-1)", "causal": "with the causal mask (tril)",
           "query": "query", "key": "key", "hidden": "hidden: -inf before the softmax"},
    "zh": {"title": "注意力权重：每一行（一个查询）在各个键上之和为 1",
           "full": "torch.softmax(scores, dim=-1)", "causal": "加上因果掩码（tril）",
           "query": "查询", "key": "键", "hidden": "被屏蔽：softmax 之前为 -inf"},
}


def data(torch) -> dict:
    x = torch.tensor([[1., 0.], [0., 1.], [1., 1.], [-1., 0.]])
    scores = x @ x.T / 2 ** 0.5
    causal = torch.ones(4, 4, dtype=torch.bool).tril()
    def rounded(w):  # (as printed: the last bits of a softmax are the engine's own)
        return [[round(v, 4) for v in row] for row in w.tolist()]
    return {"full": rounded(torch.softmax(scores, dim=-1)),
            "causal": rounded(torch.softmax(scores.masked_fill(~causal, float("-inf")), dim=-1)),
            "mask": causal.tolist()}


def _shade(w: float) -> str:
    """A light-to-mid blue for a weight in [0, 1] (dark text stays readable)."""
    lo, hi = (0xf1, 0xf3, 0xf6), (0x5f, 0xa8, 0xe0)
    return "#" + "".join(f"{round(a + (b - a) * w):02x}" for a, b in zip(lo, hi))


def _heatmap(cv, x0, y0, weights, mask, t, title, code):
    (cv.code if code else cv.text)(x0 + 2, y0 - 1.25, title, size=9.5)
    cv.text(x0 + 2, y0 - 0.5, t["key"] + " →", size=9)
    cv.text(x0 - 0.6, y0 + 1.6, t["query"], size=9, rotation=90)
    cv.text(x0 - 0.6, y0 + 3.0, "↓", size=9)
    for r, row in enumerate(weights):
        for c, w in enumerate(row):
            hidden = mask is not None and not mask[r][c]
            cv.cell(x0 + c, y0 + r, "" if hidden else f"{w:.2f}", fill="pad" if hidden else _shade(w), size=8.5)


def shown(d) -> list[str]:
    """Every weight of the full map and every unmasked weight of the causal one."""
    causal = [w for row, keep in zip(d["causal"], d["mask"]) for w, k in zip(row, keep) if k]
    return [f"{w:.2f}" for row in d["full"] for w in row] + [f"{w:.2f}" for w in causal]


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(16, 8.2)
    cv.text(8, 0.5, t["title"], size=10.5, weight="bold")
    _heatmap(cv, 1.6, 2.6, d["full"], None, t, t["full"], True)
    _heatmap(cv, 9.6, 2.6, d["causal"], d["mask"], t, t["causal"], False)
    cv.cell(9.6, 7.1, "", fill="pad", w=0.6, h=0.6)
    cv.text(10.4, 7.4, t["hidden"], ha="left", size=9)
    return cv.svg(t["title"])
