"""Learning-rate curves of the schedulers on train/lr-scheduler, from the page's ``lrs`` helper."""

from __future__ import annotations

import matplotlib

from ._draw import FONT_FAMILY, INK, figure, style_axes, to_svg

NAME = "lr-scheduler"
PAGE = "train/lr-scheduler.md"
EXAMPLE = [
    ">>> def lrs(make, epochs=10, lr=0.1, **opt_options):",
    "...         seen.append(round(opt.param_groups[0][\"lr\"], 5))",
    ">>> lrs(lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5))",
    ">>> lrs(lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 6], gamma=0.1))",
    ">>> lrs(lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.8))",
    ">>> lrs(lambda opt: lr_scheduler.LinearLR(opt, start_factor=0.2, total_iters=4), epochs=7)",
    ">>> lrs(lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=8, eta_min=0.01))",
    ">>> lrs(lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2), epochs=14)",
    ">>> lrs(warmup_then_cosine)",
]

#: panel title -> (the call, epochs)
CURVES = [
    ("StepLR(step_size=3, gamma=0.5)", "StepLR", dict(step_size=3, gamma=0.5), 10),
    ("MultiStepLR(milestones=[2, 5, 6], gamma=0.1)", "MultiStepLR", dict(milestones=[2, 5, 6], gamma=0.1), 10),
    ("ExponentialLR(gamma=0.8)", "ExponentialLR", dict(gamma=0.8), 10),
    ("LinearLR(start_factor=0.2, total_iters=4)", "LinearLR", dict(start_factor=0.2, total_iters=4), 7),
    ("CosineAnnealingLR(T_max=8, eta_min=0.01)", "CosineAnnealingLR", dict(T_max=8, eta_min=0.01), 10),
    ("CosineAnnealingWarmRestarts(T_0=2, T_mult=2)", "CosineAnnealingWarmRestarts", dict(T_0=2, T_mult=2), 14),
    ("SequentialLR: LinearLR(0.25, 3) → CosineAnnealingLR(6)", None, None, 10),
]

TEXT = {
    "en": {"title": "The learning rate at each epoch (SGD, lr=0.1), as the page's lrs() records it",
           "epoch": "epoch", "lr": "lr"},
    "zh": {"title": "每个 epoch 的学习率（SGD，lr=0.1），即本页 lrs() 记录的值",
           "epoch": "epoch", "lr": "学习率"},
}


def data(torch) -> dict:
    nn = __import__(torch.__name__ + ".nn", fromlist=["Parameter"])
    lr_scheduler = __import__(torch.__name__ + ".optim.lr_scheduler", fromlist=["StepLR"])

    def lrs(make, epochs=10, lr=0.1, **opt_options):
        w = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([w], lr=lr, **opt_options)
        sched = make(opt)
        seen = []
        for epoch in range(epochs):
            seen.append(round(opt.param_groups[0]["lr"], 5))
            opt.step()
            sched.step()
        return seen

    def warmup_then_cosine(opt):
        warmup = lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=3)
        cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=6)
        return lr_scheduler.SequentialLR(opt, [warmup, cosine], milestones=[3])

    curves = []
    for label, cls, kwargs, epochs in CURVES:
        if cls is None:
            curves.append((label, lrs(warmup_then_cosine, epochs=epochs)))
        else:
            make = getattr(lr_scheduler, cls)
            curves.append((label, lrs(lambda opt: make(opt, **kwargs), epochs=epochs)))
    return {"curves": curves}


def _value_lines(values, per_line=5):
    return [", ".join(str(v) for v in values[i:i + per_line]) for i in range(0, len(values), per_line)]


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    curves = d["curves"]
    cols = 2
    rows = (len(curves) + cols - 1) // cols
    fig = figure(8.4, 3.0 * rows + 0.5)
    with matplotlib.rc_context({"font.family": FONT_FAMILY, "svg.fonttype": "none"}):
        fig.suptitle(t["title"], color=INK, fontsize=12.5, fontweight="bold", y=0.995)
        for k, (label, values) in enumerate(curves):
            ax = fig.add_subplot(rows, cols, k + 1)
            style_axes(ax)
            epochs = list(range(len(values)))
            ax.step(epochs, values, where="post", color="#3b82c4", linewidth=1.8)
            ax.plot(epochs, values, "o", color="#e07a1f", markersize=3.5)
            ax.set_title(label, fontsize=8.8, color=INK, family=["DejaVu Sans Mono", "monospace"])
            ax.set_ylim(0, max(values) * 1.15)
            ax.set_xlim(-0.4, len(values) - 0.6)
            ax.set_xlabel(t["epoch"], fontsize=10, color=INK, labelpad=1)
            ax.set_ylabel(t["lr"], fontsize=10, color=INK, labelpad=1)
            # the exact values, as the page prints them
            for j, line in enumerate(_value_lines(values)):
                ax.text(-0.12, -0.44 - j * 0.15, line, transform=ax.transAxes, fontsize=9,
                        color=INK, family=["DejaVu Sans Mono", "monospace"], ha="left", va="top")
        fig.subplots_adjust(left=0.09, right=0.97, top=0.93, bottom=0.1, hspace=1.6, wspace=0.32)
    return to_svg(fig, t["title"])


def shown(d) -> list[str]:
    """Every curve's exact list of learning rates."""
    return [line for _, values in d["curves"] for line in _value_lines(values)]
