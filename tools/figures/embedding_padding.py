"""An Embedding lookup: each id selects a row of the weight; the pad row is zeros (nn/padding-idx)."""

from __future__ import annotations

from ._draw import Canvas


def f4(v) -> str:
    """Four decimals, as PyTorch prints these weights."""
    return f"{v:.4f}"

NAME = "embedding-padding"
PAGE = "nn/padding-idx.md"
EXAMPLE = [
    '>>> vocab = {"<pad>": 0, "i": 1, "like": 2, "green": 3, "tea": 4, "you": 5}',
    '>>> sentences = [["i", "like", "green", "tea"], ["you", "like", "tea"], ["i"]]',
    ">>> batch = torch.tensor([s + [PAD] * (longest - len(s)) for s in ids])",
    ">>> _ = torch.manual_seed(0)",
    ">>> emb = nn.Embedding(len(vocab), 2, padding_idx=PAD)",
]
SENTENCE = 1  # the row of the batch whose lookup is drawn

TEXT = {
    "en": {"title": "nn.Embedding looks up one weight row per id; the padding_idx row is all zeros",
           "batch": "batch (ids)", "weight": "emb.weight", "out": f"emb(batch)[{SENTENCE}]",
           "pad": "padding_idx = 0: zero row, never updated", "word": "word", "id": "id"},
    "zh": {"title": "nn.Embedding 为每个 id 取出权重的一行；padding_idx 那一行全为 0",
           "batch": "batch（id）", "weight": "emb.weight", "out": f"emb(batch)[{SENTENCE}]",
           "pad": "padding_idx = 0：全零行，训练中不更新", "word": "词", "id": "id"},
}


def data(torch) -> dict:
    from_nn = __import__(torch.__name__ + ".nn", fromlist=["Embedding"])
    vocab = {"<pad>": 0, "i": 1, "like": 2, "green": 3, "tea": 4, "you": 5}
    sentences = [["i", "like", "green", "tea"], ["you", "like", "tea"], ["i"]]
    PAD = vocab["<pad>"]
    ids = [[vocab[word] for word in s] for s in sentences]
    longest = max(len(s) for s in ids)
    batch = torch.tensor([s + [PAD] * (longest - len(s)) for s in ids])
    torch.manual_seed(0)
    emb = from_nn.Embedding(len(vocab), 2, padding_idx=PAD)
    with torch.no_grad():
        out = emb(batch)[SENTENCE]
    r4 = lambda rows: [[round(v, 4) for v in row] for row in rows]  # noqa: E731
    return {
        "words": list(vocab),
        "batch": batch.tolist(),
        "weight": r4(emb.weight.tolist()),
        "padding_idx": emb.padding_idx,
        "out": r4(out.tolist()),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(20, 9.8)
    cv.text(10, 0.55, t["title"], size=11.5, weight="bold")
    row_fill = ["pad", "a", "b", "c", "index", "picked"]

    # the batch of ids: the drawn sentence outlined
    y0 = 2.4
    cv.text(0.5, y0 - 0.5, t["batch"], ha="left", size=10)
    for r, row in enumerate(d["batch"]):
        for c, i in enumerate(row):
            cv.cell(0.5 + c, y0 + r, str(i), fill=row_fill[i])
    cv.outline(0.5, y0 + SENTENCE, len(d["batch"][0]), 1)

    # the weight table
    xw = 8.0
    cv.code(xw + 1.1, y0 - 0.5, t["weight"], size=10)
    cv.text(xw - 2.4, y0 - 0.5, t["word"], size=9.5)
    cv.text(xw - 0.6, y0 - 0.5, t["id"], size=9.5)
    for i, (word, row) in enumerate(zip(d["words"], d["weight"])):
        cv.code(xw - 2.4, y0 + i * 1.0 + 0.5, word, size=10)
        cv.code(xw - 0.6, y0 + i * 1.0 + 0.5, str(i), size=10)
        cv.grid(xw, y0 + i * 1.0, [f4(v) for v in row], fill=row_fill[i], cw=1.6, size=9.5)
    cv.text(xw, y0 + len(d["words"]) + 0.5, t["pad"], ha="left", size=10)

    # the lookup of one sentence
    xo = 15.4
    cv.code(xo + 1.6, y0 - 0.5, t["out"], size=10)
    for k, (i, row) in enumerate(zip(d["batch"][SENTENCE], d["out"])):
        cv.grid(xo, y0 + k * 1.3, [f4(v) for v in row], fill=row_fill[i], cw=1.6, size=9.5)
        cv.arrow(xw + 3.3, y0 + i + 0.5, xo - 0.1, y0 + k * 1.3 + 0.5, lw=1.0)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """Every id of the batch, every weight entry and the looked-up vectors."""
    ids = [str(i) for row in d["batch"] for i in row]
    weights = [f4(v) for row in d["weight"] + d["out"] for v in row]
    return ids + weights + d["words"]
