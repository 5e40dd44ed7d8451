"""reftorch's time over PyTorch's for each workload of guide/benchmarks.md, at both
thread settings, drawn from the committed measurements in ``benchmarks/results.json``.

The numbers are timings, so they are not computed while the site builds or the tests
run: ``python benchmarks/bench_user.py --write`` measures them and writes the file, and
this module only reads it (``data`` ignores the engine it is given).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
from matplotlib.ticker import NullLocator

from ._draw import _RC, INK, figure, style_axes, to_svg

NAME = "benchmarks"
PAGE = "guide/benchmarks.md"
EXAMPLE = ["python benchmarks/bench_user.py --write"]
RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results.json"

TEXT = {
    "en": {"title": "reftorch's time / PyTorch's time per workload (below 1: reftorch is faster)",
           "default": "default threads", "one": "one thread", "axis": "reftorch / PyTorch (log scale)",
           "target": "1.5x"},
    "zh": {"title": "各项任务中 reftorch 用时与 PyTorch 用时之比（小于 1 表示 reftorch 更快）",
           "default": "默认线程数", "one": "单线程", "axis": "reftorch / PyTorch（对数坐标）",
           "target": "1.5x"},
}


def data(torch=None) -> dict:
    """The ratios per workload, rounded to two decimals, from ``benchmarks/results.json``."""
    runs = json.loads(RESULTS.read_text(encoding="utf-8"))["runs"]
    by = {r["threads"]: {row["name"]: row for row in r["rows"]} for r in runs}
    names = [row["name"] for row in runs[0]["rows"]]

    def ratio(threads, name):
        row = by.get(threads, {}).get(name)
        return round(row["reftorch"] / row["torch"], 2) if row else None

    return {"rows": [[name, ratio("default", name), ratio("1", name)] for name in names]}


def shown(d) -> list[str]:
    """Every workload's name and its default-threads ratio."""
    out = []
    for name, default, _ in d["rows"]:
        out.append(name)
        if default is not None:
            out.append(f"{default:.2f}x")
    return out


def draw(d, lang: str) -> str:
    with matplotlib.rc_context(_RC):  # the site's fonts for every label made below
        return _draw_chart(d, lang)


def _draw_chart(d, lang: str) -> str:
    t = TEXT[lang]
    rows = d["rows"]
    n = len(rows)
    fig = figure(9.0, 0.42 * n + 1.4)
    ax = fig.add_axes([0.42, 0.9 / (0.42 * n + 1.4), 0.52, 1 - 1.4 / (0.42 * n + 1.4)])
    style_axes(ax)
    ax.set_xscale("log")
    ys = list(range(n))
    h = 0.38
    default = [r[1] or 0 for r in rows]
    one = [r[2] or 0 for r in rows]
    ax.barh([y - h / 2 for y in ys], default, height=h, color="#2f6db5", label=t["default"])
    ax.barh([y + h / 2 for y in ys], one, height=h, color="#9ad1f5", label=t["one"])
    for y, v in zip(ys, default):
        if v:
            ax.text(v * 1.04, y - h / 2, f"{v:.2f}x", va="center", ha="left", fontsize=8.5, color=INK)
    ax.axvline(1.0, color=INK, linewidth=1.0)
    ax.axvline(1.5, color="#c0392b", linewidth=1.0, linestyle="--")
    ax.text(1.5, -0.9, t["target"], color="#c0392b", fontsize=8.5, ha="center", va="bottom")
    ax.set_yticks(ys)
    ax.set_yticklabels([r[0] for r in rows], fontsize=8.5)
    ax.invert_yaxis()
    top = max([v for v in default + one if v] + [2.0]) * 1.6
    low = min([v for v in default + one if v] + [0.25]) / 1.3
    ticks = [v for v in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32) if low <= v <= top]
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{v:g}" for v in ticks])
    ax.set_xlim(low, top)
    ax.set_xlabel(t["axis"], color=INK, fontsize=9.5)
    ax.legend(loc="upper right", fontsize=8.5, frameon=False, labelcolor=INK)
    fig.suptitle(t["title"], color=INK, fontsize=10.5, x=0.5, y=0.995, va="top")
    return to_svg(fig, t["title"])


# --------------------------------------------------------------------------- the table

TABLE_MARKER = "<!-- benchmark-table -->"

TABLE_TEXT = {
    "en": {"head": ["workload", "reftorch", "PyTorch", "bare NumPy", "reftorch / PyTorch", "reftorch / NumPy",
                    "reftorch / PyTorch, 1 thread", "reftorch / NumPy, 1 thread"],
           "when": "Measured {date} on {cpus} CPUs (Python {python}); load average {load} (default threads) "
                   "and {load1} (one thread) at the start and end of each run; {clock}."},
    "zh": {"head": ["任务", "reftorch", "PyTorch", "纯 NumPy", "reftorch / PyTorch", "reftorch / NumPy",
                    "reftorch / PyTorch（单线程）", "reftorch / NumPy（单线程）"],
           "when": "测量时间：{date}，{cpus} 个 CPU（Python {python}）；每次运行开始和结束时的平均负载："
                   "默认线程数 {load}，单线程 {load1}；计时方式：{clock}。"},
}


def _time(seconds) -> str:
    if seconds is None:
        return "–"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} µs"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a and b else "–"


def table(lang: str) -> str:
    """The results table of guide/benchmarks.md (markdown), computed from
    ``benchmarks/results.json``: default-threads times, then the ratios at both settings."""
    doc = json.loads(RESULTS.read_text(encoding="utf-8"))
    runs = {r["threads"]: r for r in doc["runs"]}
    default, one = runs["default"], runs.get("1", {"rows": [], "load_start": None, "load_end": None})
    one_rows = {row["name"]: row for row in one["rows"]}
    t = TABLE_TEXT[lang]
    lines = ["| " + " | ".join(t["head"]) + " |", "| --- |" + " ---: |" * (len(t["head"]) - 1)]
    for row in default["rows"]:
        o = one_rows.get(row["name"], {})
        cells = [row["name"], _time(row["reftorch"]), _time(row["torch"]), _time(row.get("numpy")),
                 _ratio(row["reftorch"], row["torch"]), _ratio(row["reftorch"], row.get("numpy")),
                 _ratio(o.get("reftorch"), o.get("torch")), _ratio(o.get("reftorch"), o.get("numpy"))]
        lines.append("| " + " | ".join(cells) + " |")

    def load(run):  # the one-minute load averages at the start and the end of the run
        if run.get("load_start") is None:
            return "–"
        return f"{run['load_start'][0]:.1f}–{run['load_end'][0]:.1f}"

    meta = doc["meta"]
    when = t["when"].format(date=meta["date"], cpus=meta["cpus"], python=meta["python"], load=load(default),
                            load1=load(one), clock=meta["clock"])
    return "\n".join(lines) + "\n\n" + when
