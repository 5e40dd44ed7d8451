"""The ``grad_fn`` graph of ``s = (x * x).sum()``, walked through ``next_functions`` (guide/autograd)."""

from __future__ import annotations

from ._draw import Canvas, fmt

NAME = "autograd-graph"
PAGE = "guide/autograd.md"
EXAMPLE = [
    ">>> x = torch.tensor([1., 2., 3.], requires_grad=True)",
    ">>> y = x * x",
    ">>> s = y.sum()",
    ">>> s.grad_fn.next_functions",
    ">>> y.grad_fn.next_functions",
]

TEXT = {
    "en": {"title": "The graph behind s = (x * x).sum(): each grad_fn points to its inputs' nodes",
           "backward": "backward() walks the arrows from s down to the leaf",
           "leaf": "leaf tensor", "adds": "adds the gradient into x.grad",
           "twice": "x is used twice: two edges to one node"},
    "zh": {"title": "s = (x * x).sum() 背后的计算图：每个 grad_fn 指向其输入对应的节点",
           "backward": "backward() 沿箭头从 s 走到叶子张量",
           "leaf": "叶子张量", "adds": "把梯度累加到 x.grad",
           "twice": "x 被用了两次：两条边指向同一个节点"},
}


def _name(fn) -> str:
    return "AccumulateGrad" if hasattr(fn, "variable") else fn.name()


def walk(root):
    """Nodes (in breadth-first order) and edges ``(parent, child, input_number)`` of a graph."""
    nodes, index, edges, queue = [], {}, [], [root]
    index[id(root)] = 0
    nodes.append(root)
    while queue:
        fn = queue.pop(0)
        for k, (child, _) in enumerate(fn.next_functions):
            if child is None:
                continue
            if id(child) not in index:
                index[id(child)] = len(nodes)
                nodes.append(child)
                queue.append(child)
            edges.append((index[id(fn)], index[id(child)], k))
    return nodes, edges


def data(torch) -> dict:
    x = torch.tensor([1., 2., 3.], requires_grad=True)
    y = x * x
    s = y.sum()
    nodes, edges = walk(s.grad_fn)
    return {
        "nodes": [_name(fn) for fn in nodes],
        "edges": edges,
        "leaf": next(fn.variable.tolist() for fn in nodes if hasattr(fn, "variable")),
        "y": y.tolist(),
        "s": s.item(),
    }


def draw(d, lang: str) -> str:
    t = TEXT[lang]
    cv = Canvas(20, 12.4)
    cv.text(9.5, 0.55, t["title"], size=11.5, weight="bold")
    tensors = [("s", [d["s"]]), ("y", d["y"]), ("x", d["leaf"])]
    ys = [2.0, 5.2, 8.4]
    bx, bw, bh = 7.0, 4.6, 1.3
    for level, (name, y) in enumerate(zip(d["nodes"], ys)):
        cv.box(bx, y, bw, bh, name, fill="index" if name != "AccumulateGrad" else "b")
        tname, values = tensors[level]
        cv.code(1.2, y + bh / 2, f"{tname} =", ha="right")
        cv.grid(1.5, y + 0.15, [fmt(v) for v in values], fill="a")
        cv.arrow(1.5 + len(values) + 0.2, y + bh / 2, bx - 0.1, y + bh / 2, style="-", lw=0.9)
        cv.code(bx - 0.3, y - 0.25, f"{tname}.grad_fn" if level < 2 else "", ha="left", size=9)
    # edges: node -> its next_functions, labelled with the input number
    by_child = {}
    for parent, child, k in d["edges"]:
        by_child.setdefault((parent, child), []).append(k)
    for (parent, child), ks in by_child.items():
        for j, k in enumerate(ks):
            off = (j - (len(ks) - 1) / 2) * 1.6
            x = bx + bw / 2 + off
            cv.arrow(x, ys[parent] + bh, x, ys[child], lw=1.4)
            left = len(ks) > 1 and j < (len(ks) - 1) / 2
            cv.code(x - 0.15 if left else x + 0.15, (ys[parent] + bh + ys[child]) / 2,
                    f"next_functions[{k}]", ha="right" if left else "left", size=8.5)
    cv.text(bx + bw + 0.4, ys[2] + 0.35, t["leaf"] + " x", ha="left", size=10)
    cv.text(bx + bw + 0.4, ys[2] + 1.0, t["adds"], ha="left", size=10)
    if any(len(ks) > 1 for ks in by_child.values()):
        cv.text(bx + bw + 0.4, ys[2] + 1.65, t["twice"], ha="left", size=10)
    cv.text(9.5, 11.4, t["backward"], size=10.5)
    return cv.svg(t["title"])


def shown(d) -> list[str]:
    """Every node's name, and the values of s, y and x."""
    return d["nodes"] + [fmt(v) for v in d["y"] + d["leaf"] + [d["s"]]]
