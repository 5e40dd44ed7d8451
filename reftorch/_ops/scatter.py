"""``scatter``, ``scatter_add`` and ``scatter_reduce``: the inverse of ``gather``.

For a 2-D ``self`` and ``dim == 1``, ``self[i][index[i][j]] = src[i][j]`` (``scatter``),
``+= src[i][j]`` (``scatter_add``) or a reduction over all ``src`` values landing on the
same place (``scatter_reduce``: ``sum``, ``prod``, ``mean``, ``amax``, ``amin``).

The kernels work on flattened arrays: every ``index`` element names one flat position of
``self`` (:func:`flat_positions`). Sums use the backend's scatter-add; the other
reductions sort the positions and run a segmented scan, written once over ``xp``. When
several values land on one place ``scatter`` keeps the last one along ``dim``, as
PyTorch's CPU kernel does.
"""
from __future__ import annotations

from .. import _dtype as D
from .._layout import broadcast_shape, contiguous_strides, sum_to_shape
from .._scalar import check_fill_value, store_value
from .._tensor import Tensor, _wrap_dim
from ..autograd._graph import DelayedError
from ..autograd.function import OpFunction
from ..autograd.grad_mode import no_grad
from ._common import tensor_input
from ._inplace import commit

_REDUCE_MODES = ("sum", "prod", "mean", "amax", "amin")


def flat_positions(b, shape, dim, idx):
    """The flat (row-major) position in an array of ``shape`` of each element of the index
    array ``idx``: its own coordinates, except ``idx``'s value along ``dim``."""
    xp = b.xp
    nd = len(shape)
    strides = contiguous_strides(shape)  # an empty shape has no positions to compute
    pos = xp.astype(idx, xp.int64, copy=False) * strides[dim]
    for k in range(nd):
        if k == dim:
            continue
        n = idx.shape[k]
        ar = xp.arange(n, dtype=xp.int64, **b._dev_kw()) * strides[k]
        pos = pos + xp.reshape(ar, tuple(n if j == k else 1 for j in range(nd)))
    return pos


def _combine(xp, op, a, c):
    if op == "prod":
        return a * c
    if op == "amax":
        return xp.maximum(a, c)
    if op == "amin":
        return xp.minimum(a, c)
    return c  # "last": the later value wins


def _segment_reduce(b, pos, vals, op):
    """Reduce ``vals`` by flat output position with ``op`` (``prod``/``amax``/``amin``/``last``),
    in index order. Returns ``(where, reduced)``: each distinct position once (ascending) and
    its reduced value, read at the last entry of its run after a stable sort."""
    xp = b.xp
    order = xp.argsort(pos, stable=True)
    ps, vs = b.take_in_range(pos, order), b.take_in_range(vals, order)
    m = ps.shape[0]
    k = 1
    while k < m and op != "last":  # segmented inclusive scan by doubling
        same = ps[k:] == ps[:-k]
        vs = xp.concat([vs[:k], xp.where(same, _combine(xp, op, vs[k:], vs[:-k]), vs[k:])])
        k *= 2
    if m < 2:
        return ps, vs
    ends = xp.concat([ps[1:] != ps[:-1], xp.ones((1,), dtype=xp.bool, **b._dev_kw())])  # the last of each run
    return ps[ends], vs[ends]


def _count(b, pos, n_out, dtype):
    xp = b.xp
    ones = xp.ones(pos.shape, dtype=b.dtype(dtype), **b._dev_kw())
    return b.scatter_add((n_out,), dtype, pos, ones)


def ordered_sum(b, init, pos, vals):
    """``init`` (a flat array) with each ``vals[i]`` added at ``pos[i]``, one after another
    in index order from ``init``, as PyTorch's CPU scatter-add loop does; float16 and
    bfloat16 in a float32 buffer rounded once at the end (PyTorch's accumulation buffer)."""
    xp = b.xp
    native = init.dtype
    if b.dtype_of(init) in D.REDUCED_FLOATS:
        f32 = b.dtype(D.float32)
        init, vals = xp.astype(init, f32), xp.astype(vals, f32)
    acc = b.scatter_add(init.shape, None, xp.astype(pos, xp.int64, copy=False), vals, into=init)
    return acc if acc.dtype == native else xp.astype(acc, native)


def reduce_flat(b, self_flat, pos, vals, op, include_self, dtype):
    """``self.scatter_reduce`` on flat arrays. ``op`` is one of ``_REDUCE_MODES`` or
    ``"last"`` (plain ``scatter``)."""
    xp = b.xp
    n = self_flat.shape[0]
    if op == "sum" and include_self and dtype.is_floating_point:  # (scatter_add: nothing to mask)
        return ordered_sum(b, self_flat, pos, vals)
    if op in ("sum", "mean") and dtype.is_floating_point:  # (in order, from self or from 0)
        cnt = _count(b, pos, n, dtype)
        hit = cnt > 0
        init = self_flat if include_self else xp.where(hit, xp.zeros((), dtype=self_flat.dtype, **b._dev_kw()),
                                                       self_flat)
        acc = ordered_sum(b, init, pos, vals)
    elif op in ("sum", "mean"):
        acc = b.scatter_add((n,), dtype, pos, vals)
        cnt = _count(b, pos, n, dtype)
        hit = cnt > 0
        if include_self:
            acc = acc + self_flat
    if op in ("sum", "mean"):
        if op == "sum":
            return xp.where(hit, acc, self_flat)
        if include_self:
            cnt = cnt + 1
        cnt = xp.where(cnt == 0, xp.ones_like(cnt), cnt)
        if dtype.is_floating_point or dtype.is_complex:
            mean = acc / cnt
        else:
            mean = acc // cnt
        return xp.where(hit, mean, self_flat)
    where, red = _segment_reduce(b, pos, vals, op)
    if include_self and op != "last":
        red = _combine(xp, op, b.take_in_range(self_flat, where), red)
    out = b.copy(self_flat)
    b.setitem(out, where, red)  # (each position once: no repeated index)
    return out


def _prepare(name, input, dim, index, src):
    """Check the arguments as PyTorch does; return ``(dim, src_block or None)``."""
    nd = input.dim()
    d = _wrap_dim(dim, nd)
    if not index._data.size:  # PyTorch checks nothing more of an empty index: nothing is written
        return d
    if index.dtype is not D.int64 and index.dtype is not D.int32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if max(index.dim(), 1) != max(nd, 1):  # PyTorch counts a 0-dim tensor as 1-dim here
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(src, Tensor):
        if max(src.dim(), 1) != max(index.dim(), 1):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if src.dtype is not input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        ishape, sshape, shape = tuple(index.shape), tuple(src.shape), tuple(input.shape)
        bad = any(i > s for i, s in zip(ishape, sshape)) or any(
            i > s for k, (i, s) in enumerate(zip(ishape, shape)) if k != d)
        if bad:
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(shape)} apart "
                               f"from dimension {d} and to be no larger size than src {list(sshape)}")
    else:
        ishape, shape = tuple(index.shape), tuple(input.shape)
        if any(i > s for k, (i, s) in enumerate(zip(ishape, shape)) if k != d):
            raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(shape)} apart "
                               f"from dimension {d}")
    size = input.shape[d] if nd else 1
    if index._data.size and not index._backend.indices_in_range(index._data, size):  # (one pass)
        xp = index._backend.xp
        lo, hi = int(xp.min(index._data)), int(xp.max(index._data))
        if lo < 0 or hi >= size:
            bad_value = lo if lo < 0 else hi
            raise RuntimeError(f"index {bad_value} is out of bounds for dimension {d} with size {size}")
    return d


def _src_block(src, index):
    """The part of ``src`` that ``index`` addresses (``src`` may be larger)."""
    a = src._data
    ishape, sshape = tuple(index.shape) or (1,), tuple(src.shape) or (1,)  # 0-dim counts as 1-dim
    if sshape == ishape:
        return a
    if sshape != tuple(src.shape):
        a = src._backend.xp.reshape(a, sshape)
    return a[tuple(slice(0, n) for n in ishape)]


def _shape_nd(t):
    return tuple(t.shape) if t.dim() else (1,)


def _pad_to(b, g, shape):
    """``g`` (the index-shaped gradient of ``src``) zero-padded to ``src``'s ``shape``."""
    if tuple(g.shape) == tuple(shape):
        return g
    xp = b.xp
    if isinstance(g, Tensor):  # under create_graph: pad by concatenating zeros, recorded
        for k, n in enumerate(shape):
            if g.shape[k] < n:
                pad = tuple(n - g.shape[k] if j == k else m for j, m in enumerate(g.shape))
                g = xp.concat([g, xp.zeros(pad, dtype=g.dtype)], axis=k)
        return g
    out = xp.zeros(tuple(shape), dtype=g.dtype, **b._dev_kw())
    key = tuple(slice(0, n) for n in g.shape)
    out[key] = g
    return out


class Scatter(OpFunction):
    """``scatter``/``scatter_add``/``scatter_reduce``; ``src`` is a tensor, or a scalar
    ``value`` (then there is no second input)."""

    name = "ScatterBackward0"
    nondiff = (1,)
    create_graph = True  # prod's formula reduces again: a recorded scatter_reduce (_reduce)

    @staticmethod
    def forward(ctx, x, index, *src, dim, op, include_self, value=None):
        b = x._backend
        xp = b.xp
        shape = _shape_nd(x)
        ishape = _shape_nd(index)
        idx = xp.reshape(index._data, ishape)
        native = x._data.dtype
        if not idx.size:  # (of any shape and dtype, as PyTorch takes it: nothing is written)
            pos = xp.zeros((0,), dtype=xp.int64, **b._dev_kw())
            vals = xp.zeros((0,), dtype=native, **b._dev_kw())
        else:
            pos = xp.reshape(flat_positions(b, shape, dim, idx), (-1,))
            if src:
                vals = xp.reshape(_src_block(src[0], index) if src[0].dim() else src[0]._data, (-1,))
            else:
                vals = b.full(pos.shape, native, value)
        self_flat = xp.reshape(x._data, (-1,))
        out = reduce_flat(b, self_flat, pos, vals, op, include_self, x.dtype)
        ctx.pos, ctx.op, ctx.include_self, ctx.x_shape = pos, op, include_self, x._data.shape
        ctx.ishape, ctx.backend = index._data.shape, b
        if op in ("prod", "amax", "amin"):
            ctx.save_for_backward(x, src[0])
            ctx.save_output()
        elif op == "mean":
            ctx.save_for_backward(x)
        return xp.reshape(out, x._data.shape)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        op, pos, inc = ctx.op, ctx.pos, ctx.include_self
        undefined = False
        gf = xp.reshape(g, (-1,))
        n = gf.shape[0]
        saved = ctx.saved_tensors
        b = ctx.backend
        kw = b._dev_kw()

        def touched():
            return _mark(xp, n, pos, kw)

        def gather(a):
            return xp.take(a, pos)

        if op == "last":
            gs = xp.where(touched(), xp.zeros((), dtype=g.dtype, **kw), gf)
            gsrc = gather(gf)
        elif op == "sum":
            gs = gf if inc else xp.where(touched(), xp.zeros((), dtype=g.dtype, **kw), gf)
            gsrc = gather(gf)
        elif op == "mean":
            x = saved[0]
            cnt = _count(b, pos, n, x.dtype)
            if inc:
                cnt = cnt + 1
            cnt = xp.where(cnt == 0, xp.ones_like(cnt), cnt)
            gs = gf / cnt
            gsrc = gather(gf) / gather(cnt)
            if not inc:
                gs = xp.where(touched(), xp.zeros((), dtype=g.dtype, **kw), gs)
        elif op in ("amax", "amin"):
            _check_src_shape(ctx)
            x, src, result = saved
            xs, res = xp.reshape(x._data, (-1,)), xp.reshape(result._data, (-1,))
            sv = xp.reshape(_src_block(src, _Shape(ctx.ishape)), (-1,))
            value = gather(res)
            self_is = xp.astype(xs == res, g.dtype)
            src_is = xp.astype(sv == value, g.dtype)
            nd = self_is + b.scatter_add((n,), x.dtype, pos, src_is)
            dist = gf / nd  # (a NaN result matches nothing: 0 * (g / 0), NaN gradients, as in PyTorch)
            gs = self_is * dist
            gsrc = src_is * gather(dist)
            if not inc:
                gs = xp.where(touched(), xp.zeros((), dtype=g.dtype, **kw), gs)
        else:  # prod
            _check_src_shape(ctx)
            x, src, result = saved
            xs, res = xp.reshape(x._data, (-1,)), xp.reshape(result._data, (-1,))
            sv = xp.reshape(_src_block(src, _Shape(ctx.ishape)), (-1,))
            one = xp.ones((), dtype=g.dtype, **kw)
            masked_self = xp.where(xs == 0, one, xs)
            msr = _reduce(b, masked_self, pos, sv, "prod", inc, x.dtype)
            gs = gf * msr / masked_self
            src_zero = sv == 0
            nz = gather(b.scatter_add((n,), x.dtype, pos, xp.astype(src_zero, g.dtype)))
            single = src_zero & (nz == 1)
            masked_src = xp.where(single, one, sv)
            msrc_res = _reduce(b, xs, pos, masked_src, "prod", inc, x.dtype)
            gsrc = xp.where(single, gather(gf * msrc_res), gather(gf * res) / xp.where(src_zero, one, sv))
            # PyTorch's gradient of src is first-order only where several zeros meet
            undefined = isinstance(gsrc, Tensor) and bool((nz > 1).any())
            if not inc:
                gs = xp.where(touched(), xp.zeros((), dtype=g.dtype, **kw), gs)
        gs = xp.reshape(gs, ctx.x_shape)
        if len(ctx.needs_input_grad) < 3:
            return gs, None
        src_t = ctx.src_shape_dtype
        gsrc = xp.reshape(gsrc, ctx.ishape)
        if tuple(ctx.ishape) != tuple(src_t):
            if _expandable(tuple(src_t), tuple(ctx.ishape)):  # 0-dim against one element: PyTorch's engine sums
                gsrc = xp.reshape(sum_to_shape(xp, gsrc, src_t), src_t)
            elif op not in ("prod", "amax", "amin"):
                # ``src`` larger than ``index``: PyTorch's gradient of ``src`` has the index's shape,
                # which its engine then rejects
                raise RuntimeError(f"Function {ctx.grad_name} returned an invalid gradient at index 1 - got "
                                   f"[{', '.join(map(str, ctx.ishape))}] but expected shape compatible with "
                                   f"[{', '.join(map(str, src_t))}]")
            else:
                gsrc = _pad_to(b, gsrc, src_t)
        if undefined:
            gsrc = DelayedError.apply(gsrc, msg="scatter_reduce(): Double backward is unsupported for src when "
                                                ">1 zeros in src are scattered to the same position in self")
        return gs, None, gsrc


def _reduce(b, self_flat, pos, vals, op, include_self, dtype):
    """:func:`reduce_flat` inside a backward formula: on tensors (``create_graph``) a
    recorded ``scatter_reduce`` of the flat tensors, so that its own gradient reaches
    ``self_flat`` and ``vals``."""
    if isinstance(self_flat, Tensor):
        res = Scatter.apply(self_flat, pos, vals, dim=0, op=op, include_self=include_self,
                            _name="ScatterReduceBackward0")
        if res.grad_fn is not None:
            res.grad_fn.ctx.src_shape_dtype = tuple(vals.shape)
        return res
    return reduce_flat(b, self_flat, pos, vals, op, include_self, dtype)


def _expandable(shape, to):
    """True when ``shape`` broadcasts to ``to`` (PyTorch's ``is_expandable_to``)."""
    return len(shape) <= len(to) and all(a in (1, b) for a, b in zip(reversed(shape), reversed(to)))


def _check_src_shape(ctx):
    """PyTorch's prod/amax/amin gradient compares ``src`` with the result gathered at
    ``index`` element-wise: a ``src`` larger than ``index`` fails to broadcast there (the
    values of the two that do broadcast are padded here)."""
    src_t = getattr(ctx, "src_shape_dtype", None)
    if src_t is not None and tuple(src_t) != tuple(ctx.ishape) and src_t and ctx.ishape:
        broadcast_shape(tuple(src_t), tuple(ctx.ishape))


class _Shape:
    """Stands in for an index tensor in :func:`_src_block` (only ``.shape`` is read)."""

    def __init__(self, shape):
        self.shape = shape


def _mark(xp, n, pos, kw):
    """A bool mask of length ``n``: which flat positions ``pos`` names."""
    if isinstance(pos, Tensor):  # under create_graph: a constant mask, computed on the arrays
        b = pos._backend
        return Tensor._wrap(_mark(b.xp, n, pos._data, b._dev_kw()), pos._device, b)
    ar = xp.arange(n, dtype=xp.int64, **kw)
    if pos.shape[0] == 0:
        return ar < 0
    order = xp.sort(pos)
    i = xp.clip(xp.searchsorted(order, ar, side="left"), 0, order.shape[0] - 1)
    return xp.take(order, i) == ar


def _scatter(name, input, dim, index, src, op, include_self, value=None, grad_name=None):
    d = _prepare(name, input, dim, index, src)
    params = {"dim": d if input.dim() else 0, "op": op, "include_self": include_self}
    if src is None:
        return _ScatterValue.apply(input, index, value=value, **params)
    res = Scatter.apply(input, index, src, _name=grad_name, **params)
    if res.grad_fn is not None:
        res.grad_fn.ctx.src_shape_dtype = tuple(src.shape)
        res.grad_fn.ctx.grad_name = res.grad_fn.name()
    return res


class _ScatterValue(Scatter):
    name = "ScatterBackward1"
    arity = 2

    @staticmethod
    def forward(ctx, x, index, *, dim, op, include_self, value):
        return Scatter.forward(ctx, x, index, dim=dim, op=op, include_self=include_self, value=value)

    @staticmethod
    def backward(ctx, g):
        gs, _ = Scatter.backward(ctx, g)[:2]
        return gs, None


def _value_of(value, input):
    if isinstance(value, Tensor):
        return value.item()
    check_fill_value(value, input.dtype)  # a number is stored as a fill stores it (checked,
    return store_value(value, input.dtype)  # truncated, wrapped, float16 through float32)


@tensor_input
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """Write ``src`` (a tensor, or the number ``value``) into a copy of ``input`` at the
    positions ``index`` names along ``dim``: for 2-D input and ``dim=1``,
    ``out[i][index[i][j]] = src[i][j]``.

    Args:
        input: the tensor to copy and write into.
        dim: the dimension ``index`` points along.
        index: int64 tensor with as many dimensions as ``input``; no larger than ``src``,
            nor than ``input`` outside ``dim``; values in ``[0, input.size(dim))``.
        src: a tensor of ``input``'s dtype, or a Python number.
        value: a Python number (keyword form of a scalar ``src``).
        reduce: ``"add"`` or ``"multiply"`` (deprecated in PyTorch; prefer
            :func:`scatter_reduce`).

    Returns:
        A new tensor; ``grad_fn`` ``ScatterBackward0`` (tensor ``src``) or ``ScatterBackward1``.
        Where several values land on one place, the last one along ``dim`` wins.

    Raises:
        RuntimeError: for a non-integer index, mismatched dims or dtypes, an index too large
            or out of range (PyTorch's messages).

    Mirrors ``torch.scatter`` and ``Tensor.scatter``.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(2, 4).scatter(1, torch.tensor([[0, 1], [2, 2]]), torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[1., 2., 0., 0.],
                [0., 0., 4., 0.]])
    """
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if not isinstance(index, Tensor):
        raise TypeError(f"scatter(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        op = "sum" if reduce == "add" else "prod"
        with no_grad():
            if src is None:
                src = Tensor._wrap(input._backend.xp.full(tuple(index.shape), _value_of(value, input),
                                                          dtype=input._data.dtype, **input._backend._dev_kw()),
                                   input.device, input._backend)
            return _scatter("scatter", input, dim, index, src, op, True)
    if src is None:
        return _scatter("scatter", input, dim, index, None, "last", False, value=_value_of(value, input))
    return _scatter("scatter", input, dim, index, src, "last", False)


@tensor_input
def scatter_add(input, dim, index, src):
    """``scatter`` that adds: ``out[i][index[i][j]] += src[i][j]`` (repeated indices
    accumulate). Mirrors ``torch.scatter_add`` (``grad_fn`` ``ScatterAddBackward0``).

    Args:
        input: the tensor to copy and add into.
        dim: the dimension ``index`` points along.
        index: int64 tensor, with the size rules of :func:`scatter`.
        src: the values to add, of ``input``'s dtype.

    Examples:
        >>> import reftorch as torch
        >>> torch.zeros(4).scatter_add(0, torch.tensor([0, 2, 2]), torch.tensor([1., 2., 3.]))
        tensor([1., 0., 5., 0.])
    """
    return _scatter("scatter", input, dim, index, src, "sum", True, grad_name="ScatterAddBackward0")


@tensor_input
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce every ``src`` value into the place ``index`` names along ``dim``.

    Args:
        input: the tensor to copy and reduce into.
        dim: the dimension ``index`` points along.
        index: int64 tensor, with the size rules of :func:`scatter`.
        src: the values to reduce, of ``input``'s dtype.
        reduce: ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``.
        include_self: whether ``input``'s own values take part (places no index names
            always keep them).

    Integer ``"mean"`` rounds down, as PyTorch does. The gradient of ``amax``/``amin`` is
    shared evenly between equal winners. Mirrors ``torch.scatter_reduce``
    (``grad_fn`` ``ScatterReduceBackward0``).

    Raises:
        RuntimeError: for an unknown ``reduce`` (and the checks of :func:`scatter`).

    Examples:
        >>> import reftorch as torch
        >>> idx = torch.tensor([0, 1, 0, 1])
        >>> torch.zeros(2).scatter_reduce(0, idx, torch.tensor([1., 2., 3., 4.]), "amax")
        tensor([3., 4.])
        >>> torch.zeros(2).scatter_reduce(0, idx, torch.tensor([1., 2., 3., 4.]), "mean", include_self=False)
        tensor([2., 3.])
    """
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # PyTorch's older spellings
    if reduce not in _REDUCE_MODES:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got " + str(reduce))
    return _scatter("scatter_reduce", input, dim, index, src, reduce, bool(include_self),
                    grad_name="ScatterReduceBackward0")


def _inplace(fn):
    def method(self, *args, **kwargs):
        return commit(self, fn(self, *args, **kwargs))
    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place :func:`{fn.__name__}`."
    return method


scatter_ = _inplace(scatter)
scatter_add_ = _inplace(scatter_add)
scatter_reduce_ = _inplace(scatter_reduce)
