"""A histogram of seeded ``Normal`` samples under the density ``log_prob(x).exp()``
(guide/distributions)."""

from __future__ import annotations

import matplotlib

from ._draw import _RC, INK, figure, fmt, style_axes, to_svg

NAME = "normal-samples"
PAGE = "guide/distributions.md"
EXAMPLE = [
    ">>> d = Normal(torch.tensor(1.0), torch.tensor(0.5))",
    ">>> _ = torch.manual_seed(0)",
    ">>> x = d.sample((1000,))",
    ">>> counts = torch.histc(x, bins=20, min=-1.0, max=3.0)",
    ">>> grid = torch.linspace(-1.0, 3.0, 81)",
    ">>> density = d.log_prob(grid).exp()",
]

LOW, HIGH, BINS, N = -1.0, 3.0, 20, 1000

TEXT = {
    "en": {"title": "1000 samples of Normal(loc=1, scale=0.5) and its density",
           "hist": "histogram of d.sample((1000,)), area 1",
           "density": "d.log_prob(x).exp()",
           "mean": "sample mean", "std": "sample std",
           "x": "x", "y": "density"},
    "zh": {"title": "Normal(loc=1, scale=0.5) 的 1000 个样本与它的概率密度",
           "hist": "d.sample((1000,)) 的直方图（面积为 1）",
           "density": "d.log_prob(x).exp()",
           "mean": "样本均值", "std": "样本标准差",
           "x": "x", "y": "概率密度"},
}


def data(torch) -> dict:
    """The page's example: the bin counts, the density on the grid, the sample moments."""
    d = torch.distributions.Normal(torch.tensor(1.0), torch.tensor(0.5))
    torch.manual_seed(0)
    x = d.sample((N,))
    counts = torch.histc(x, bins=BINS, min=LOW, max=HIGH)
    grid = torch.linspace(LOW, HIGH, 81)
    density = d.log_prob(grid).exp()
    return {
        "counts": [int(c) for c in counts.tolist()],
        "grid": [round(g, 4) for g in grid.tolist()],
        "density": [round(p, 4) for p in density.tolist()],   # last-bit differences of exp
        "mean": round(x.mean().item(), 4),
        "std": round(x.std().item(), 4),
    }


def shown(d) -> list[str]:
    """The sample moments, as the page prints them."""
    return [fmt(d["mean"]), fmt(d["std"])]


def draw(d, lang: str) -> str:
    with matplotlib.rc_context(_RC):  # the site's fonts for every label made below
        return _draw_chart(d, lang)


def _draw_chart(d, lang: str) -> str:
    t = TEXT[lang]
    width = (HIGH - LOW) / BINS
    edges = [LOW + k * width for k in range(BINS)]
    heights = [c / (N * width) for c in d["counts"]]      # counts scaled to unit area
    fig = figure(8.0, 4.2)
    ax = fig.add_axes([0.09, 0.13, 0.88, 0.74])
    style_axes(ax)
    ax.bar(edges, heights, width=width, align="edge", color="#9ad1f5", edgecolor="#5c6b80",
           linewidth=0.6, label=t["hist"])
    ax.plot(d["grid"], d["density"], color="#c0392b", linewidth=2.0, label=t["density"])
    ax.set_xlim(LOW, HIGH)
    ax.set_xlabel(t["x"], color=INK, fontsize=9.5)
    ax.set_ylabel(t["y"], color=INK, fontsize=9.5)
    ax.legend(loc="upper right", fontsize=8.5, frameon=False, labelcolor=INK)
    for k, key in enumerate(("mean", "std")):
        y = 0.62 - 0.09 * k
        ax.text(0.03, y, t[key], transform=ax.transAxes, ha="left", va="center",
                fontsize=8.5, color=INK)
        ax.text(0.2, y, fmt(d[key]), transform=ax.transAxes, ha="left", va="center",
                fontsize=8.5, color=INK, family="DejaVu Sans Mono")
    fig.suptitle(t["title"], color=INK, fontsize=10.5, x=0.5, y=0.99, va="top")
    return to_svg(fig, t["title"])
