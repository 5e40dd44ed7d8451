"""Six learning-rate schedules over 30 epochs, one panel each (train/lr-scheduler)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "lr-schedules"
PAGE = "train/lr-scheduler.md"
EXAMPLE = [
    ">>> shapes = {",
    '...     "StepLR(step_size=10, gamma=0.5)": lambda opt: lr_scheduler.StepLR(opt, 10, 0.5),',
    '...     "ExponentialLR(gamma=0.9)": lambda opt: lr_scheduler.ExponentialLR(opt, 0.9),',
    '...     "CosineAnnealingLR(T_max=30)": lambda opt: lr_scheduler.CosineAnnealingLR(opt, 30),',
    '...     "CosineAnnealingWarmRestarts(T_0=5, T_mult=2)":',
    "...         lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2),",
    '...     "SequentialLR(LinearLR, CosineAnnealingLR)": warmup_then_cosine_30,',
    '...     "OneCycleLR(max_lr=0.1, total_steps=30)":',
    "...         lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=30),",
    "... }",
    ">>> curves = {name: lrs(make, epochs=30) for name, make in shapes.items()}",
]

TEXT = {
    "en": {"title": "The learning rate of each epoch (0 to 29) under six schedulers, starting from lr=0.1",
           "epoch": "epoch"},
    "zh": {"title": "六个调度器下每个 epoch（0 到 29）的学习率，初始学习率 lr=0.1",
           "epoch": "轮次（epoch）"},
}


def data(torch) -> dict:
    """The page's example: the rounded lr each epoch trained with, per scheduler."""
    sched = torch.optim.lr_scheduler

    def lrs(make, epochs):
        w = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([w], lr=0.1)
        s = make(opt)
        seen = []
        for _ in range(epochs):
            seen.append(round(opt.param_groups[0]["lr"], 5))
            opt.step()
            s.step()
        return seen

    def warmup_then_cosine_30(opt):
        warmup = sched.LinearLR(opt, start_factor=0.1, total_iters=5)
        cosine = sched.CosineAnnealingLR(opt, T_max=25)
        return sched.SequentialLR(opt, [warmup, cosine], milestones=[5])

    shapes = {
        "StepLR(step_size=10, gamma=0.5)": lambda opt: sched.StepLR(opt, 10, 0.5),
        "ExponentialLR(gamma=0.9)": lambda opt: sched.ExponentialLR(opt, 0.9),
        "CosineAnnealingLR(T_max=30)": lambda opt: sched.CosineAnnealingLR(opt, 30),
        "CosineAnnealingWarmRestarts(T_0=5, T_mult=2)":
            lambda opt: sched.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2),
        "SequentialLR(LinearLR, CosineAnnealingLR)": warmup_then_cosine_30,
        "OneCycleLR(max_lr=0.1, total_steps=30)": lambda opt: sched.OneCycleLR(opt, max_lr=0.1, total_steps=30),
    }
    return {"curves": [[name, lrs(make, 30)] for name, make in shapes.items()]}


def shown(d) -> list[str]:
    """Each panel's name, and its first and last learning rate."""
    out = []
    for name, curve in d["curves"]:
        out += [name, fmt(curve[0]), fmt(curve[-1])]
    return out


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(28.6, 13.6)
    cv.text(14.3, 0.6, t["title"], size=11.5, weight="bold")
    w, h = 6.6, 3.6
    colors = ["#2f6db5", "#c0392b", "#27865a", "#8e44ad", "#d35400", "#16708a"]
    for k, (name, curve) in enumerate(d["curves"]):
        x0 = 1.6 + (k % 3) * 9.3
        y0 = 2.6 + (k // 3) * 6.2
        cv.code(x0 + w / 2, y0 - 0.8, name, size=7.8)
        cv.line([x0, x0, x0 + w], [y0, y0 + h, y0 + h], lw=0.9)          # axes
        cv.line([x0 - 0.12, x0], [y0, y0], lw=0.9)
        cv.text(x0 - 0.2, y0, "0.1", size=8, ha="right")
        cv.text(x0 - 0.2, y0 + h, "0", size=8, ha="right")
        cv.text(x0, y0 + h + 0.35, "0", size=8)
        cv.text(x0 + w, y0 + h + 0.35, "29", size=8)
        cv.text(x0 + w / 2, y0 + h + 0.45, t["epoch"], size=8.5)
        n = len(curve)
        xs = [x0 + i / (n - 1) * w for i in range(n)]
        ys = [y0 + h - lr / 0.1 * h for lr in curve]
        cv.line(xs, ys, color=colors[k], lw=1.8)
        cv.ax.plot(xs, ys, "o", color=colors[k], markersize=2.4)
        cv.text(xs[0] + 0.1, ys[0] - 0.3, fmt(curve[0]), size=8, ha="left", color=colors[k])
        cv.text(xs[-1], ys[-1] - 0.3, fmt(curve[-1]), size=8, ha="right", color=colors[k])
    return cv.svg(t["title"])
