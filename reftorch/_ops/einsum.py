"""``einsum``: sums of products written in Einstein notation.

The equation is parsed into one list of labels per operand (``...`` becomes one label per
broadcast dimension), then computed with differentiable reftorch ops, as PyTorch does:

* a label repeated within one operand takes the diagonal;
* labels that appear in one operand only and not in the output are summed first;
* operands are combined left to right: a plain broadcast product when no label is
  contracted, otherwise a ``bmm`` over (batch, free, contracted) groups of labels;
* the result is permuted into the output order.

So the gradients come from the ops used (``ViewBackward0`` after a ``bmm``,
``MulBackward0`` for outer products, ``PermuteBackward0``/``SumBackward1`` for a single
operand), as in PyTorch.
"""
from __future__ import annotations

import math

from .._tensor import Tensor
from . import creation, linalg, reduction, shape as S
from .._dtype import scalar_name


def _label_key(c):
    """PyTorch orders implicit output labels A-Z before a-z."""
    return (0, c) if c.isupper() else (1, c)


def _parse(equation, operands):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ell_n = 0
    labels = []
    for k, (term, op) in enumerate(zip(terms, operands)):
        if "." in term and (term.count("...") != 1 or term.replace("...", "").count(".")):
            raise RuntimeError("einsum(): found '.' for operand " + str(k) + " that is not part of any ellipsis")
        for c in term.replace("...", ""):
            if not c.isalpha():
                raise RuntimeError(f"einsum(): invalid subscript given at index {lhs.index(c)} in the equation "
                                   "string, subscripts must be in [a-zA-Z]")
        explicit = len(term.replace("...", ""))
        if "..." in term:
            n = op.dim() - explicit
            if n < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({explicit}) is more than "
                                   f"the number of dimensions ({op.dim()}) for operand {k}")
            ell_n = max(ell_n, n)
        elif explicit != op.dim():
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({explicit}) does not match "
                               f"the number of dimensions ({op.dim()}) for operand {k} and no ellipsis was given")
        labels.append(term)
    ell = [chr(0x3B1 + i) for i in range(ell_n)]  # private labels for the broadcast dims
    op_labels = []
    for term, op in zip(labels, operands):
        if "..." in term:
            pre, _, post = term.partition("...")
            n = op.dim() - len(pre) - len(post)
            op_labels.append(list(pre) + ell[ell_n - n:] + list(post))
        else:
            op_labels.append(list(term))
    counts = {}
    for ls in op_labels:
        for c in ls:
            counts[c] = counts.get(c, 0) + 1
    if arrow:
        for c in rhs.replace("...", ""):
            if not c.isalpha():
                raise RuntimeError("einsum(): invalid subscript given in the output, subscripts must be in [a-zA-Z]")
            if c not in counts:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
            if rhs.replace("...", "").count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        pre, dots, post = rhs.partition("...")
        out = list(pre) + (ell if dots else []) + list(post)
    else:
        out = ell + sorted((c for c, n in counts.items() if n == 1 and c not in ell), key=_label_key)
    return op_labels, out


def _diagonals(t, labels):
    """Take the diagonal for every label repeated within one operand."""
    labels = list(labels)
    while True:
        dup = next((c for c in labels if labels.count(c) > 1), None)
        if dup is None:
            return t, labels
        p = labels.index(dup)
        q = labels.index(dup, p + 1)
        n = t.shape[p]
        if t.shape[q] != n:
            raise RuntimeError(f"einsum(): subscript {dup} is repeated for operand but the sizes don't match, "
                               f"{t.shape[q]} != {n}")
        eye = creation.eye(n, dtype=t.dtype, device=t.device)
        shape = [1] * t.dim()
        shape[p] = shape[q] = n
        t = reduction.sum(t * eye.reshape(shape), dim=q)
        del labels[q]


def einsum(equation, *operands):
    """Sum of products over the labelled dimensions of ``operands``.

    ``"ij,jk->ik"`` is a matrix product, ``"bij,bjk->bik"`` a batched one, ``"ii"`` a
    trace, ``"i,j->ij"`` an outer product, ``"...ij->...ji"`` a batched transpose. Without
    ``->`` the output holds the labels that appear once, in alphabetical order
    (uppercase first), after the ``...`` dimensions. Size-1 dimensions broadcast.

    Args:
        equation: the subscripts, e.g. ``"bij,bjk->bik"``.
        *operands: tensors of one dtype (or a single list of them), one per term.

    Raises:
        RuntimeError: for a wrong number of operands or subscripts, sizes that do not
            broadcast, output subscripts that are unknown or repeated, mixed dtypes
            (PyTorch's messages).

    Mirrors ``torch.einsum``.

    Examples:
        >>> import reftorch as torch
        >>> a = torch.arange(6.).view(2, 3)
        >>> torch.einsum("ij,kj->ik", a, a)
        tensor([[ 5., 14.],
                [14., 50.]])
        >>> torch.einsum("ii", torch.eye(3))
        tensor(3.)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'operands' must be tuple of Tensors, not {type(t).__name__}")
    op_labels, out = _parse(equation, operands)
    for t in operands[1:]:
        if t.dtype is not operands[0].dtype:
            raise RuntimeError(f"expected scalar type {scalar_name(operands[0].dtype)} but found "
                               f"{scalar_name(t.dtype)}")
    sizes = {}
    for k, (t, ls) in enumerate(zip(operands, op_labels)):
        for c, n in zip(ls, t.shape):
            seen = sizes.get(c)
            if seen is not None and seen != n and seen != 1 and n != 1:
                name = c if c.isalpha() and c.isascii() else "..."
                raise RuntimeError(f"einsum(): subscript {name} has size {n} for operand {k} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[c] = n if seen in (None, 1) else seen
    ts, lbs = [], []
    for t, ls in zip(operands, op_labels):
        t, ls = _diagonals(t, ls)
        ts.append(t)
        lbs.append(ls)
    # Sum out labels that occur in one operand only and not in the output.
    for k in range(len(ts)):
        others = set(out)
        for j, ls in enumerate(lbs):
            if j != k:
                others.update(ls)
        gone = [i for i, c in enumerate(lbs[k]) if c not in others]
        if gone and len(ts) > 1:
            ts[k] = reduction.sum(ts[k], dim=tuple(gone))
            lbs[k] = [c for c in lbs[k] if c in others]
    if len(ts) == 1:
        t, ls = ts[0], lbs[0]
        rest = [c for c in ls if c not in out]
        perm = [ls.index(c) for c in out] + [ls.index(c) for c in rest]
        t = S.permute(t, *perm)
        if rest:
            t = reduction.sum(t, dim=tuple(range(len(out), len(out) + len(rest))))
        return t
    order = {c: i for i, c in enumerate(out)}
    res, rl = ts[0], lbs[0]
    for k in range(1, len(ts)):
        t, tl = ts[k], lbs[k]
        later = set(out)
        for ls in lbs[k + 1:]:
            later.update(ls)
        contract = [c for c in rl if c in tl and c not in later]
        if not contract:
            union = rl + [c for c in tl if c not in rl]
            union.sort(key=lambda c: order.get(c, len(order)))
            res = _align(res, rl, union) * _align(t, tl, union)
            rl = union
            continue
        batch = sorted((c for c in rl if c in tl and c in later), key=lambda c: order.get(c, len(order)))
        fa = sorted((c for c in rl if c not in tl), key=lambda c: order.get(c, len(order)))
        fb = sorted((c for c in tl if c not in rl), key=lambda c: order.get(c, len(order)))
        a, al, bt, bl = res, rl, t, tl
        if k == len(ts) - 1 and fa and fb and batch + fb + fa == out:
            a, al, bt, bl, fa, fb = t, tl, res, rl, fb, fa  # computed as (B A), no final permute
        a = _expand_to(a, al, sizes)
        bt = _expand_to(bt, bl, sizes)
        pa = [al.index(c) for c in batch + fa + contract]
        pb = [bl.index(c) for c in batch + contract + fb]
        nb = math.prod(sizes[c] for c in batch)
        nfa = math.prod(sizes[c] for c in fa)
        nfb = math.prod(sizes[c] for c in fb)
        nc = math.prod(sizes[c] for c in contract)
        am = S.reshape(_permute_if(a, pa), (nb, nfa, nc))
        bm = S.reshape(_permute_if(bt, pb), (nb, nc, nfb))
        res = S.view(linalg.bmm(am, bm), tuple([sizes[c] for c in batch + fa + fb]))
        rl = batch + fa + fb
    rest = [c for c in rl if c not in out]
    if rest:
        res = reduction.sum(res, dim=tuple(rl.index(c) for c in rest))
        rl = [c for c in rl if c in out]
    perm = [rl.index(c) for c in out]
    if perm != list(range(len(perm))):
        res = S.permute(res, *perm)
    return res


def _permute_if(t, perm):
    return t if perm == list(range(len(perm))) else S.permute(t, *perm)


def _expand_to(t, labels, sizes):
    """Expand size-1 (broadcast) dimensions to the label's full size."""
    want = [sizes[c] for c in labels]
    return t if list(t.shape) == want else S.expand(t, *want)


def _align(t, labels, union):
    """``t`` with its dimensions permuted into ``union``'s order and size-1 dims for the
    labels it lacks (views only)."""
    present = [c for c in union if c in labels]
    t = _permute_if(t, [labels.index(c) for c in present])
    for i, c in enumerate(union):
        if c not in labels:
            t = S.unsqueeze(t, i)
    return t
