"""Shared drawing helpers: a cell-grid canvas over matplotlib that writes SVG text.

Every picture is laid out on a grid of abstract units (one tensor cell = 1 x 1), with
``y`` growing downwards like a table.  The SVG keeps its text as text
(``svg.fonttype: none``) with a font-family list that includes common CJK fonts, so the
Chinese labels render in the reader's browser whether or not the build machine has a CJK
font.  The background is transparent; cells are filled with light tints and carry dark
text, free-standing labels and arrows use a mid-contrast slate that stays readable on
Material's light (white) and dark (slate) backgrounds.
"""

from __future__ import annotations

import io
import logging
import re
import warnings

# matplotlib logs "building the font cache" on a fresh machine, and every font of the
# family list below that this machine lacks (the reader's browser picks the first one it
# has): neither is news to someone building the site.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # noqa: E402  (no display at build time)

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

#: Font families written into the SVG, first match wins in the browser.
FONT_FAMILY = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
               "Microsoft YaHei", "PingFang SC", "DejaVu Sans", "sans-serif"]

#: Free-standing text, arrows and outlines: readable on white and on Material's slate.
INK = "#7b8797"
#: Text inside filled cells (the fills are light, so dark text works in both modes).
CELL_INK = "#1d2430"
#: Cell outlines.
EDGE = "#5c6b80"

#: Light tints for cells; each names what it marks in the pictures.
FILL = {
    "plain": "#e8ecf2",
    "picked": "#ffd166",   # the cells an index reads
    "a": "#9ad1f5",        # first input
    "b": "#b8e0a8",        # second input
    "c": "#f5b5c8",        # third input
    "pad": "#d5d9e0",      # padding
    "index": "#d9c8f5",    # index tensors and ids
    "muted": "#f1f3f6",
}

#: Text is drawn this much larger than the nominal sizes used in the layouts, so that it
#: stays readable once the browser fits a picture to the content column (about 700 px).
TEXT_SCALE = 1.2

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "reftorch-figures",
    "font.family": FONT_FAMILY,
    "font.sans-serif": ["DejaVu Sans"],
    "font.monospace": ["DejaVu Sans Mono"],
    "font.size": 11,
}


class Canvas:
    """A picture ``width`` x ``height`` units large (``scale`` inches per unit)."""

    def __init__(self, width: float, height: float, scale: float = 0.42):
        self.width, self.height = width, height
        with matplotlib.rc_context(_RC):
            self.fig = Figure(figsize=(width * scale, height * scale))
            FigureCanvasSVG(self.fig)
            self.ax = self.fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(height, 0)
        self.ax.axis("off")
        self.fig.patch.set_alpha(0)
        self.ax.patch.set_alpha(0)

    # ------------------------------------------------------------------ primitives

    def text(self, x, y, s, *, size=11, ha="center", va="center", color=INK,
             weight="normal", family=None, rotation=0):
        self.ax.text(x, y, str(s), ha=ha, va=va, fontsize=size * TEXT_SCALE, color=color,
                     fontweight=weight, rotation=rotation,
                     family=family or FONT_FAMILY)

    def code(self, x, y, s, **kw):
        """Text in a monospace face (calls, shapes)."""
        kw.setdefault("size", 10.5)
        self.text(x, y, s, family=["DejaVu Sans Mono", "Consolas", "monospace"], **kw)

    def cell(self, x, y, value="", *, fill="plain", w=1.0, h=1.0, size=10.5,
             edge=EDGE, lw=0.8, bold=False, dashed=False):
        """One tensor cell with its top-left corner at (x, y)."""
        self.ax.add_patch(Rectangle((x, y), w, h, facecolor=FILL.get(fill, fill),
                                    edgecolor=edge, linewidth=lw,
                                    linestyle="--" if dashed else "-"))
        if value != "":
            self.text(x + w / 2, y + h / 2, value, size=size, color=CELL_INK,
                      weight="bold" if bold else "normal")

    def grid(self, x, y, values, *, fill="plain", fills=None, size=10.5, cw=1.0, ch=1.0):
        """A 2-D (list of rows) or 1-D grid of cells; ``fills[(r, c)]`` overrides the fill."""
        rows = values if values and isinstance(values[0], (list, tuple)) else [values]
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                f = (fills or {}).get((r, c), fill)
                self.cell(x + c * cw, y + r * ch, v, fill=f, w=cw, h=ch, size=size)

    def outline(self, x, y, w, h, *, color="#e07a1f", lw=2.2, dashed=False):
        self.ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=color,
                                    linewidth=lw, linestyle="--" if dashed else "-"))

    def box(self, x, y, w, h, label="", *, fill="plain", size=10.5, lines=None):
        """A rounded box with centred text (one or several lines)."""
        self.ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.25",
                                         facecolor=FILL.get(fill, fill), edgecolor=EDGE,
                                         linewidth=0.9))
        lines = lines if lines is not None else [label]
        n = len(lines)
        for i, line in enumerate(lines):
            yy = y + h / 2 + (i - (n - 1) / 2) * 0.55
            self.text(x + w / 2, yy, line, size=size, color=CELL_INK)

    def arrow(self, x0, y0, x1, y1, *, color=INK, lw=1.3, rad=0.0, style="-|>"):
        self.ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle=style,
                                          mutation_scale=11, color=color, linewidth=lw,
                                          connectionstyle=f"arc3,rad={rad}",
                                          shrinkA=1, shrinkB=1))

    def line(self, xs, ys, *, color=INK, lw=1.0, dashed=False):
        self.ax.plot(xs, ys, color=color, linewidth=lw, linestyle="--" if dashed else "-")

    # ------------------------------------------------------------------ output

    def svg(self, title: str = "") -> str:
        """The picture as SVG text (no XML declaration, deterministic ids)."""
        return to_svg(self.fig, title)


def figure(width_in: float, height_in: float) -> Figure:
    """A bare matplotlib figure (for plots with axes) with the site's settings."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        FigureCanvasSVG(fig)
    fig.patch.set_alpha(0)
    return fig


def style_axes(ax) -> None:
    """Mid-contrast axes that read on light and dark backgrounds."""
    ax.patch.set_alpha(0)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    for spine in ("left", "bottom"):
        ax.spines[spine].set_color(INK)
    ax.tick_params(colors=INK, labelsize=9.5)
    ax.grid(True, color=INK, alpha=0.25, linewidth=0.6)


def to_svg(fig, title: str = "") -> str:
    """A figure as SVG text (no XML declaration, deterministic ids), with a <title>."""
    buf = io.StringIO()
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # Measuring CJK text on a machine without a CJK font warns about missing
        # glyphs; the SVG keeps the text as text, so the reader's font draws it.
        warnings.filterwarnings("ignore", message=r".*Glyph \d+ .*missing from font")
        warnings.filterwarnings("ignore", message=r".*[Ff]ont family .* not found")
        fig.savefig(buf, format="svg", transparent=True,
                    metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    if title:
        esc = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = re.sub(r"(<svg[^>]*>)", lambda m: f"{m.group(1)}\n <title>{esc}</title>",
                      text, count=1)
    return text


def fmt(v) -> str:
    """A number as a short label: integers plainly, floats with up to 4 decimals."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s
