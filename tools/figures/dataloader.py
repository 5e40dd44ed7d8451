"""The DataLoader pipeline: sampler -> batch sampler -> workers -> collate (data/dataloader)."""

from __future__ import annotations

from ._draw import Canvas

NAME = "dataloader"
PAGE = "data/dataloader.md"
EXAMPLE = [
    ">>> class WhoLoadsIt:",
    "...         return i, -1 if info is None else info.id",
    ">>> for indices, worker in DataLoader(WhoLoadsIt(), batch_size=2, num_workers=2):",
]

TEXT = {
    "en": {"title": "DataLoader(WhoLoadsIt(), batch_size=2, num_workers=2): where each batch comes from",
           "sampler": "sampler", "sampler_note": "indices in order",
           "batch_sampler": "batch_sampler", "bs_note": "groups of batch_size",
           "worker": "worker {w}", "worker_note": "dataset[i] per index, then collate_fn",
           "out": "the loop receives", "order": "in sampler order, workers taking turns"},
    "zh": {"title": "DataLoader(WhoLoadsIt(), batch_size=2, num_workers=2)：每个批次从哪里来",
           "sampler": "sampler（采样器）", "sampler_note": "按顺序给出索引",
           "batch_sampler": "batch_sampler", "bs_note": "每 batch_size 个分为一组",
           "worker": "worker {w}", "worker_note": "对每个索引取 dataset[i]，再调用 collate_fn",
           "out": "循环收到的批次", "order": "按采样顺序返回，各 worker 轮流加载"},
}


class WhoLoadsIt:
    """The page's dataset: each sample says which worker loaded it."""

    def __init__(self, get_worker_info):
        self.get_worker_info = get_worker_info

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = self.get_worker_info()          # None in the main process
        return i, -1 if info is None else info.id


def data(torch) -> dict:
    data_mod = __import__(torch.__name__ + ".utils.data", fromlist=["DataLoader"])
    loader = data_mod.DataLoader(WhoLoadsIt(data_mod.get_worker_info), batch_size=2, num_workers=2)
    batches = [(indices.tolist(), worker.tolist()) for indices, worker in loader]
    return {
        "sampler": list(loader.sampler),
        "batch_sampler": [list(b) for b in loader.batch_sampler],
        "batches": batches,
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    fills = ["a", "b", "c", "index"]
    cv = Canvas(22, 12.8)
    cv.text(11, 0.55, t["title"], size=11.5, weight="bold")

    # sampler
    cv.text(0.4, 1.7, t["sampler"], ha="left", size=10.5, weight="bold")
    cv.text(0.4, 2.3, t["sampler_note"], ha="left", size=9.5)
    for k, i in enumerate(d["sampler"]):
        cv.cell(0.4 + k * 0.9, 2.8, str(i), fill="plain", w=0.9, size=9.5)

    # batch sampler
    x = 9.2
    cv.text(x, 1.7, t["batch_sampler"], ha="left", size=10.5, weight="bold")
    cv.text(x, 2.3, t["bs_note"], ha="left", size=9.5)
    centers = []
    for b, group in enumerate(d["batch_sampler"]):
        cv.grid(x, 2.8, [str(i) for i in group], fill=fills[b % 4], cw=0.9)
        centers.append(x + 0.45 * len(group))
        x += 0.9 * len(group) + 0.35
    cv.arrow(7.7, 3.3, 9.0, 3.3)

    # workers
    workers = sorted({w[0] for _, w in d["batches"]})
    for w in workers:
        y = 5.6 + w * 2.5
        cv.box(2.2, y, 7.2, 1.7, lines=[t["worker"].format(w=w), t["worker_note"]], size=9.5,
               fill="muted")
        mine = [(b, idx) for b, (idx, who) in enumerate(d["batches"]) if who[0] == w]
        for j, (b, idx) in enumerate(mine):
            cv.grid(10.2 + j * 2.4, y + 0.35, [str(i) for i in idx], fill=fills[b % 4], cw=0.9)
            cv.arrow(centers[b], 3.85, 10.2 + j * 2.4 + 0.9, y + 0.3, lw=0.9, color="#a3acb9")
        cv.arrow(10.1, y + 0.85, 9.3, y + 0.85, lw=0.9)

    # what the loop sees
    y = 11.2
    cv.text(0.4, y - 0.6, t["out"], ha="left", size=10.5, weight="bold")
    cv.text(6.0, y - 0.6, t["order"], ha="left", size=9.5)
    x = 0.4
    for b, (idx, who) in enumerate(d["batches"]):
        cv.code(x + 0.9, y - 0.05, f"{t['worker'].format(w=who[0])}", size=8, va="bottom")
        cv.grid(x, y, [str(i) for i in idx], fill=fills[b % 4], cw=0.9)
        x += 2.4
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """The sampler's indices and every batch's indices."""
    return [str(i) for i in d["sampler"]] + [str(i) for idx, _ in d["batches"] for i in idx]
