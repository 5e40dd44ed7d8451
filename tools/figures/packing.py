"""Padding a batch of sentences, then packing it (nn/rnn-batches)."""

from __future__ import annotations

from ._draw import Canvas

NAME = "packing"
PAGE = "nn/rnn-batches.md"
EXAMPLE = [
    '>>> sentences = ["The cat sat.", "Dogs bark!", "A bird sang at dawn."]',
    ">>> ids = [torch.tensor([vocab.get(w, UNK) for w in tokens] + [EOS]) for tokens in batch]",
    ">>> padded = pad_sequence(ids, padding_value=PAD)",
    ">>> packed_ids = pack_padded_sequence(padded, lengths, enforce_sorted=False)",
]

TEXT = {
    "en": {"title": "pad_sequence fills the short sentences with PAD; packing keeps only the real steps",
           "padded": "padded (T, B): a column per sentence", "sentence": "sentence {b}",
           "packed": "packed_ids.data: step by step, longest sentence first",
           "sizes": "batch_sizes", "sorted": "sorted_indices",
           "step": "t = {t}", "pad": "PAD = 0"},
    "zh": {"title": "pad_sequence 用 PAD 补齐较短的句子；打包只保留真实的时间步",
           "padded": "padded：(T, B)，每个句子占一列", "sentence": "句子 {b}",
           "packed": "packed_ids.data：按时间步排列，最长的句子在前",
           "sizes": "batch_sizes", "sorted": "sorted_indices",
           "step": "t = {t}", "pad": "PAD = 0"},
}


def data(torch) -> dict:
    rnn_utils = __import__(torch.__name__ + ".nn.utils.rnn", fromlist=["pad_sequence"])
    sentences = ["The cat sat.", "Dogs bark!", "A bird sang at dawn."]

    def tokenize(text):
        for mark in ".,!?":
            text = text.replace(mark, " " + mark)
        return text.lower().split()

    batch = [tokenize(s) for s in sentences]
    PAD, EOS, UNK = 0, 1, 2
    vocab = {"<pad>": PAD, "<eos>": EOS, "<unk>": UNK}
    for tokens in batch:
        for word in tokens:
            vocab.setdefault(word, len(vocab))
    ids = [torch.tensor([vocab.get(w, UNK) for w in tokens] + [EOS]) for tokens in batch]
    lengths = [len(s) for s in ids]
    padded = rnn_utils.pad_sequence(ids, padding_value=PAD)
    packed = rnn_utils.pack_padded_sequence(padded, lengths, enforce_sorted=False)
    return {
        "lengths": lengths,
        "padded": padded.tolist(),
        "data": packed.data.tolist(),
        "batch_sizes": packed.batch_sizes.tolist(),
        "sorted_indices": packed.sorted_indices.tolist(),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    fills = ["a", "b", "c"]
    T = len(d["padded"])
    cv = Canvas(22.5, 10.8)
    cv.text(11.25, 0.55, t["title"], size=11.5, weight="bold")

    # padded (T, B)
    y0 = 2.9
    cv.text(0.4, 1.6, t["padded"], ha="left", size=10)
    for b in range(len(d["lengths"])):
        cv.code(2.2 + b * 1.2 + 0.5, y0 - 0.45, str(b), size=9.5)
    for step, row in enumerate(d["padded"]):
        cv.code(1.6, y0 + step + 0.5, t["step"].format(t=step), ha="right", size=9)
        for b, v in enumerate(row):
            real = step < d["lengths"][b]
            cv.cell(2.2 + b * 1.2, y0 + step, str(v), fill=fills[b] if real else "pad", dashed=not real)
    cv.text(2.2, y0 + T + 0.5, t["pad"], ha="left", size=9.5)

    # packed data, grouped by time step
    x0, yp = 7.4, 4.0
    w = 0.8
    cv.code(x0 - 0.2, yp - 0.9, "t", ha="right", size=9)
    cv.text(x0, 1.6, t["packed"], ha="left", size=10)
    order = d["sorted_indices"]
    k, x = 0, x0
    for step, n in enumerate(d["batch_sizes"]):
        cv.code(x + n * w / 2, yp - 0.9, str(step), size=8.5)
        cv.line([x, x + n * w], [yp - 0.45, yp - 0.45], lw=1.2)
        for j in range(n):
            b = order[j]
            cv.cell(x, yp, str(d["data"][k]), fill=fills[b], w=w, size=9)
            k += 1
            x += w
        x += 0.25
    # batch_sizes and sorted_indices
    cv.code(x0, yp + 2.0, t["sizes"] + " = " + str(d["batch_sizes"]), ha="left", size=10)
    cv.code(x0, yp + 2.8, t["sorted"] + " = " + str(d["sorted_indices"]), ha="left", size=10)
    for j, b in enumerate(order):
        cv.cell(x0 + j * 2.6, yp + 3.6, t["sentence"].format(b=b), fill=fills[b], w=2.4, h=0.8, size=9)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """Every id of the padded batch (pads included) and of the packed data."""
    ids = [str(v) for row in d["padded"] for v in row] + [str(v) for v in d["data"]]
    return ids + ["batch_sizes = " + str(d["batch_sizes"]),
                  "sorted_indices = " + str(d["sorted_indices"])]
