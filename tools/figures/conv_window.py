"""The window a Conv1d slides along the length, across all channels (pitfalls: Conv1d layout)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "conv-window"
#: Window brackets, one colour per output (darker than the output cells' fills).
STRONG = ["#3b82c4", "#4f9a3a", "#c2477a"]
PAGE = "pitfalls/index.md"
EXAMPLE = [
    ">>> conv = nn.Conv1d(in_channels=3, out_channels=1, kernel_size=2, bias=False)",
    "...     _ = conv.weight.fill_(1.)",
    ">>> x = torch.arange(12.).view(1, 4, 3)     # (batch, length, channels)",
    ">>> conv(x.permute(0, 2, 1))               # (batch, channels, length)",
]

TEXT = {
    "en": {"title": "Conv1d(3, 1, kernel_size=2): each window covers every channel and 2 steps of the length",
           "input": "x.permute(0, 2, 1)[0]: channels × length", "channel": "channel {c}",
           "out": "conv(...)[0]", "weights": "all weights 1, no bias: each output is its window's sum",
           "step": "t = {t}"},
    "zh": {"title": "Conv1d(3, 1, kernel_size=2)：每个窗口覆盖全部通道和长度方向上的 2 步",
           "input": "x.permute(0, 2, 1)[0]：通道 × 长度", "channel": "通道 {c}",
           "out": "conv(...)[0]", "weights": "权重全为 1、无偏置：每个输出就是其窗口内元素之和",
           "step": "t = {t}"},
}


def data(torch) -> dict:
    nn = __import__(torch.__name__ + ".nn", fromlist=["Conv1d"])
    conv = nn.Conv1d(in_channels=3, out_channels=1, kernel_size=2, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.)
    x = torch.arange(12.).view(1, 4, 3)
    inp = x.permute(0, 2, 1).detach().requires_grad_()
    out = conv(inp)
    windows = []  # the input cells each output reads: where its gradient reaches
    for j in range(out.shape[-1]):
        inp.grad = None
        out[0, 0, j].backward(retain_graph=True)
        cols = sorted({t for row in (inp.grad[0] != 0).tolist() for t, hit in enumerate(row) if hit})
        windows.append(cols)
    return {
        "input": inp[0].tolist(),
        "out": out[0, 0].tolist(),
        "windows": windows,
        "weight_shape": list(conv.weight.shape),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    fills = ["a", "b", "c"]
    C, L = len(d["input"]), len(d["input"][0])
    cv = Canvas(20, 9.2)
    cv.text(10, 0.55, t["title"], size=11, weight="bold")
    x0, y0 = 3.4, 2.4
    cv.text(x0, y0 - 0.9, t["input"], ha="left", size=10)
    for step in range(L):
        cv.code(x0 + step + 0.5, y0 - 0.3, str(step), size=9)
    for c, row in enumerate(d["input"]):
        cv.text(x0 - 0.3, y0 + c + 0.5, t["channel"].format(c=c), ha="right", size=9.5)
        cv.grid(x0, y0 + c, [fmt(v) for v in row], fill="plain")
    # each window as a coloured bracket under the grid, and its output cell
    yo = y0 + C + 2.6
    cv.text(x0 + 0.8, yo + 0.5, t["out"], ha="right", size=10)
    for j, cols in enumerate(d["windows"]):
        lo, hi = min(cols), max(cols) + 1
        yb = y0 + C + 0.35 + j * 0.4
        cv.line([x0 + lo + 0.1, x0 + hi - 0.1], [yb, yb], color=STRONG[j % 3], lw=3)
        cv.cell(x0 + 1.0 + j * 1.6, yo, fmt(d["out"][j]), fill=fills[j % 3], w=1.4)
        cv.arrow((x0 * 2 + lo + hi) / 2, yb + 0.1, x0 + 1.7 + j * 1.6, yo - 0.05,
                 color=STRONG[j % 3], lw=1.1)
    # the middle window, outlined over every channel
    mid = d["windows"][1]
    cv.outline(x0 + min(mid), y0, len(mid), C, color=STRONG[1])
    cv.text(x0 + L + 0.8, y0 + 1.0, t["weights"], ha="left", size=9.5)
    cv.code(x0 + L + 0.8, y0 + 1.8, "conv.weight.shape = " + str(tuple(d["weight_shape"])),
            ha="left", size=9.5)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """The input values, the outputs and the weight's shape."""
    return [fmt(v) for row in d["input"] for v in row] + [fmt(v) for v in d["out"]] + \
        ["conv.weight.shape = " + str(tuple(d["weight_shape"]))]
