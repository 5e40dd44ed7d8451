"""A 2-layer bidirectional GRU unrolled over time, with every tensor's shape (nn/rnn)."""

from __future__ import annotations

from ._draw import Canvas

NAME = "rnn-unrolled"
PAGE = "nn/rnn.md"
EXAMPLE = [
    ">>> x = torch.randn(5, 2, 4)",
    ">>> deep = nn.GRU(4, 3, num_layers=2, bidirectional=True)",
    ">>> output, h_n = deep(x)",
    ">>> h_n.view(2, 2, 2, 3).shape               # (L, D, B, H)",
]

TEXT = {
    "en": {"title": "nn.GRU(4, 3, num_layers=2, bidirectional=True) on x of shape (T, B, F) = (5, 2, 4)",
           "layer": "layer {l}", "fwd": "forward", "bwd": "backward",
           "x": "x[t]", "out": "output[t]", "hn": "h_n, direction fastest",
           "step": "t = {t}", "shape": "shape"},
    "zh": {"title": "nn.GRU(4, 3, num_layers=2, bidirectional=True)，输入 x 的形状 (T, B, F) = (5, 2, 4)",
           "layer": "第 {l} 层", "fwd": "正向", "bwd": "反向",
           "x": "x[t]", "out": "output[t]", "hn": "h_n：方向变化最快",
           "step": "t = {t}", "shape": "形状"},
}


def data(torch) -> dict:
    nn = __import__(torch.__name__ + ".nn", fromlist=["GRU"])
    torch.manual_seed(0)
    nn.RNN(4, 3, num_layers=2)
    x = torch.randn(5, 2, 4)
    nn.RNN(4, 3, bidirectional=True)
    deep = nn.GRU(4, 3, num_layers=2, bidirectional=True)
    output, h_n = deep(x)
    T, H = x.shape[0], deep.hidden_size
    # Which layer and direction each h_n[k] is, found by running the layers one at a time
    # with deep's own weights: layer 0 on x, layer 1 on layer 0's output.
    sd = deep.state_dict()
    layer_out, where = x, []
    for layer in range(deep.num_layers):
        single = nn.GRU(layer_out.shape[-1], H, bidirectional=True)
        single.load_state_dict({k.replace(f"_l{layer}", "_l0"): v for k, v in sd.items()
                                if k.endswith(f"_l{layer}") or k.endswith(f"_l{layer}_reverse")})
        layer_out, h_layer = single(layer_out)
        for direction in range(2):
            for k in range(h_n.shape[0]):
                if (h_n[k] - h_layer[direction]).abs().max().item() < 1e-6:
                    where.append((k, layer, direction))
    last = output.view(T, x.shape[1], 2, H)
    return {
        "x_shape": list(x.shape), "output_shape": list(output.shape),
        "h_n_shape": list(h_n.shape), "h_n_view": list(h_n.view(2, 2, 2, 3).shape),
        "h_n_order": sorted(where),  # (k, layer, direction)
        # the last layer's states inside output: forward ends at t=T-1, backward at t=0
        "fwd_is_last_step": (last[-1, :, 0] - h_n[-2]).abs().max().item() < 1e-6,
        "bwd_is_first_step": (last[0, :, 1] - h_n[-1]).abs().max().item() < 1e-6,
        "T": T, "layers": deep.num_layers, "H": H,
        "x_t_shape": list(x[0].shape), "output_t_shape": list(output[0].shape),
        "h_shape": list(h_n[0].shape),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    T, L = d["T"], d["layers"]
    cv = Canvas(25.5, 14.4)
    cv.text(12.75, 0.55, t["title"], size=11, weight="bold")
    x0, dx = 4.6, 2.6
    rows = {}  # (layer, direction) -> y
    for layer in range(L):
        for direction in range(2):
            rows[(layer, direction)] = 9.6 - layer * 3.4 - direction * 1.4
    for step in range(T):
        cx = x0 + step * dx
        cv.code(cx + 0.8, 13.6, t["step"].format(t=step), size=9.5)
        cv.cell(cx + 0.2, 12.2, "x", fill="a", w=1.2, h=0.9)
        cv.cell(cx + 0.2, 1.5, "out", fill="b", w=1.2, h=0.9, size=9)
        cv.arrow(cx + 0.8, 12.2, cx + 0.8, rows[(0, 0)] + 0.9, lw=0.8)
        for (layer, direction), y in rows.items():
            cv.cell(cx + 0.2, y, "h", fill="index" if direction == 0 else "c", w=1.2, h=0.9)
            if step < T - 1:
                if direction == 0:
                    cv.arrow(cx + 1.4, y + 0.45, cx + dx + 0.2, y + 0.45, lw=0.9)
                else:
                    cv.arrow(cx + dx + 0.2, y + 0.45, cx + 1.4, y + 0.45, lw=0.9)
        cv.arrow(cx + 0.8, rows[(L - 1, 1)], cx + 0.8, 2.4, lw=0.8)
        for layer in range(1, L):
            cv.arrow(cx + 0.8, rows[(layer - 1, 1)], cx + 0.8, rows[(layer, 0)] + 0.9, lw=0.8)
    for (layer, direction), y in rows.items():
        cv.text(x0 - 0.3, y + 0.45, t["layer"].format(l=layer) + " " + (t["fwd"] if direction == 0 else t["bwd"]),
                ha="right", size=9.5)
    cv.code(2.4, 12.65, t["x"], size=10)
    cv.code(2.4, 1.95, t["out"], size=10)
    # shapes
    cv.code(2.4, 2.7, "output " + str(tuple(d["output_shape"])), size=9)
    cv.code(2.4, 13.35, "x " + str(tuple(d["x_shape"])), size=9)
    # one step's tensors
    last = x0 + (T - 1) * dx
    cv.code(last + 1.6, 12.65, str(tuple(d["x_t_shape"])), ha="left", size=8.5)
    cv.code(last + 1.6, 1.95, str(tuple(d["output_t_shape"])), ha="left", size=8.5)
    cv.code(last + 1.6, rows[(0, 0)] + 1.25, "h " + str(tuple(d["h_shape"])), ha="left", size=8.5)
    # h_n, in its real order
    hx = x0 + T * dx + 1.6
    cv.text(hx + 1.6, 1.9, t["hn"], size=10)
    cv.code(hx + 1.6, 2.6, "h_n " + str(tuple(d["h_n_shape"])), size=9.5)
    for k, layer, direction in d["h_n_order"]:
        y = 3.4 + k * 1.2
        cv.cell(hx, y, f"h_n[{k}]", fill="index" if direction == 0 else "c", w=1.7, h=0.9, size=9)
        cv.text(hx + 1.9, y + 0.45, t["layer"].format(l=layer) + " " + (t["fwd"] if direction == 0 else t["bwd"]),
                ha="left", size=9.5)
        # the state after the direction's last step: t = T-1 forwards, t = 0 backwards
        src_step = T - 1 if direction == 0 else 0
        src = rows[(layer, direction)]
        cv.outline(x0 + src_step * dx + 0.2, src, 1.2, 0.9, lw=1.8)
        cv.code(x0 + src_step * dx + 0.8, src - 0.3, f"h_n[{k}]", size=8.5, color="#e07a1f")
    cv.code(hx + 1.6, 8.6, "h_n.view(2, 2, 2, 3)", size=9.5)
    cv.code(hx + 1.6, 9.2, "(L, D, B, H) = " + str(tuple(d["h_n_view"])), size=9.5)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """The shapes, and h_n's entries in their real order."""
    return [str(tuple(d["x_t_shape"])), str(tuple(d["output_t_shape"])), "h " + str(tuple(d["h_shape"])),
            "output " + str(tuple(d["output_shape"])), "x " + str(tuple(d["x_shape"])),
            "h_n " + str(tuple(d["h_n_shape"])), "(L, D, B, H) = " + str(tuple(d["h_n_view"]))] + \
        [f"h_n[{k}]" for k, _, _ in d["h_n_order"]]
