"""Variable-length sequences for the recurrent layers: padding and packing.

Mirrors ``torch.nn.utils.rnn``. A batch of sequences of different lengths can be given to
:class:`~reftorch.nn.RNN`, :class:`~reftorch.nn.LSTM` or :class:`~reftorch.nn.GRU` in two
ways:

* **padded**: one tensor ``(T, B, *)`` (or ``(B, T, *)`` with ``batch_first``) where the
  short sequences are filled up with a padding value (:func:`pad_sequence`);
* **packed**: a :class:`PackedSequence`, which stores only the real time steps. Its
  ``data`` holds time step 0 of every sequence, then time step 1 of every sequence that is
  still running, and so on; ``batch_sizes[t]`` says how many sequences are still running
  at step ``t``. The sequences are ordered longest first, so the ones still running at
  step ``t`` are always the first ``batch_sizes[t]``.

:func:`pack_padded_sequence` and :func:`pack_sequence` build packed batches,
:func:`pad_packed_sequence` turns a packed batch (for example an RNN's packed output)
back into a padded tensor plus the lengths.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ... import _dtype as D
from ..._tensor import Tensor
from ..._ops import creation
from ..._ops.shape import transpose
from ...autograd._graph import linear_grad
from ...autograd.function import OpFunction as Function

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences with the padding left out.

    Mirrors ``torch.nn.utils.rnn.PackedSequence``. Do not build one by hand: use
    :func:`pack_padded_sequence` or :func:`pack_sequence`. It is a named tuple, so
    ``data, batch_sizes, sorted_indices, unsorted_indices = packed`` works.

    Attributes:
        data (Tensor): ``(sum(lengths), *)``, the time steps of all sequences, time-major:
            step 0 of every sequence, then step 1 of the sequences that are long enough,
            and so on.
        batch_sizes (Tensor): int64, on the CPU; ``batch_sizes[t]`` is the number of
            sequences that have a step ``t``.
        sorted_indices (Tensor or None): with ``enforce_sorted=False``, the order (longest
            first) in which the original batch entries were packed.
        unsorted_indices (Tensor or None): the inverse permutation, which restores the
            original order.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.rnn import pack_sequence
        >>> p = pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])])
        >>> p.data, p.batch_sizes
        (tensor([1, 4, 2, 5, 3]), tensor([2, 2, 1]))
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(
            data, batch_sizes, sorted_indices, unsorted_indices))

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          None if self.sorted_indices is None else self.sorted_indices.pin_memory(),
                          None if self.unsorted_indices is None else self.unsorted_indices.pin_memory())

    def to(self, *args, **kwargs):
        """Move or convert ``data`` (like ``Tensor.to``); the index tensors follow its
        device, ``batch_sizes`` stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def call_to(t):
            return None if t is None else t.to(data.device)

        return type(self)(data, self.batch_sizes, call_to(self.sorted_indices),
                          call_to(self.unsorted_indices))

    def cuda(self, *args, **kwargs):
        if self.data.is_cuda and not args and not kwargs:
            return self
        kwargs.setdefault("device", "cuda") if not args else None
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=D.float64)

    def float(self):
        return self.to(dtype=D.float32)

    def half(self):
        return self.to(dtype=D.float16)

    def long(self):
        return self.to(dtype=D.int64)

    def int(self):
        return self.to(dtype=D.int32)

    def short(self):
        return self.to(dtype=D.int16)

    def char(self):
        return self.to(dtype=D.int8)

    def byte(self):
        return self.to(dtype=D.uint8)

    @property
    def is_cuda(self):
        """True if ``data`` is on a CUDA device."""
        return self.data.is_cuda

    def is_pinned(self):
        """True if ``data`` is in pinned memory."""
        return self.data.is_pinned()


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                "created manually. They should be instantiated by functions like pack_sequence and "
                "pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse of a permutation tensor (``None`` gives ``None``).

    Args:
        permutation (Tensor or None): a 1-D integer tensor holding a permutation of
            ``0 .. n-1``.

    Returns:
        Tensor or None: ``inv`` with ``inv[permutation[i]] == i``.
    """
    if permutation is None:
        return None
    xp = permutation._backend.xp
    inv = xp.astype(xp.argsort(permutation._data, stable=True), permutation._data.dtype)
    return Tensor._wrap(inv, permutation.device, permutation._backend)


def _int_list(t):
    return [int(v) for v in t._host().tolist()]


def _lengths_tensor(lengths):
    """``lengths`` as a CPU int64 tensor (a list, a tuple or a tensor)."""
    if not isinstance(lengths, Tensor):
        return creation.as_tensor(lengths, dtype=D.int64, device="cpu")
    return lengths.to(device="cpu", dtype=D.int64)


def _check_long_tensor(t, what):
    if t.dim() != 1 or t.device.type != "cpu" or t.dtype is not D.int64:
        kind = D.scalar_name(t.dtype)
        raise RuntimeError(f"'{what}' argument should be a 1D CPU int64 tensor, but got "
                           f"{t.dim()}D {t.device} {kind} tensor")


# --------------------------------------------------------------------------- kernels
class _PackPadded(Function):
    """Gather the real time steps of a padded ``(T, B, *)`` batch into packed rows."""

    name = "PackPaddedSequenceBackward0"
    create_graph = True  # linear: the gradient is a LinearMap node (autograd/_graph.py)
    arity = 1

    @staticmethod
    def forward(ctx, input, batch_sizes, batch_first):
        ctx.state = state = (tuple(input.shape), batch_sizes, batch_first)
        return _pack(input._backend, input._data, state)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's gradient writes the steps into zeros by slices (a CopySlices node)
        return linear_grad(ctx, g, _unpack, _pack, ctx.state, "torch::autograd::CopySlices",
                           "PackPaddedSequenceBackward0")


def _pack(backend, x, state):
    """The packed rows of the padded array ``x``."""
    xp = backend.xp
    _, batch_sizes, batch_first = state
    if batch_first:
        x = xp.permute_dims(x, (1, 0) + tuple(range(2, x.ndim)))
    # Consecutive steps with the same batch size form one block x[t0:t1, :n].
    parts = []
    t0 = 0
    for t1 in range(1, len(batch_sizes) + 1):
        if t1 == len(batch_sizes) or batch_sizes[t1] != batch_sizes[t0]:
            n = batch_sizes[t0]
            block = x[t0:t1, :n, ...]
            parts.append(xp.reshape(block, (block.shape[0] * n,) + tuple(x.shape[2:])))
            t0 = t1
    if len(parts) == 1:
        return xp.asarray(parts[0], copy=True)
    return xp.concat(parts, axis=0)


def _unpack(backend, g, state):
    """The adjoint of :func:`_pack`: packed rows back in a zero-padded array."""
    xp = backend.xp
    shape, batch_sizes, batch_first = state
    if batch_first:
        shape = (shape[1], shape[0]) + tuple(shape[2:])
    out = xp.zeros(shape, dtype=g.dtype, device=g.device)
    off = 0
    for t, n in enumerate(batch_sizes):
        if t >= shape[0]:
            break
        out[t, :n, ...] = g[off:off + n, ...]
        off += n
    if batch_first:
        out = xp.permute_dims(out, (1, 0) + tuple(range(2, out.ndim)))
    return out


class _PadPacked(Function):
    """Scatter packed rows into a ``(total_length, B, *)`` tensor filled with padding."""

    name = "torch::autograd::CopySlices"
    create_graph = True  # slices and a concatenation, recorded under create_graph
    arity = 1

    @staticmethod
    def forward(ctx, data, batch_sizes, padding_value, total_length):
        xp = data._backend.xp
        d = data._data
        B = batch_sizes[0]
        out = xp.full((total_length, B) + tuple(d.shape[1:]), padding_value, dtype=d.dtype,
                      device=d.device)
        ctx.batch_sizes, ctx.shape = batch_sizes, d.shape
        off = 0
        for t, n in enumerate(batch_sizes):
            out[t, :n, ...] = d[off:off + n, ...]
            off += n
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        parts = [g[t, :n, ...] for t, n in enumerate(ctx.batch_sizes)]
        return xp.concat(parts, axis=0)


class _PadSequence(Function):
    """Stack sequences of different lengths into one tensor filled with padding."""

    name = "torch::autograd::CopySlices"
    create_graph = True  # slices and a concatenation, recorded under create_graph

    @staticmethod
    def forward(ctx, *seqs, batch_first, padding_value, left):
        xp = seqs[0]._backend.xp
        first = seqs[0]._data
        max_len = max(s._data.shape[0] for s in seqs)
        trailing = tuple(first.shape[1:])
        shape = ((len(seqs), max_len) if batch_first else (max_len, len(seqs))) + trailing
        out = xp.full(shape, padding_value, dtype=first.dtype, device=first.device)
        spans = []
        ctx.spans, ctx.batch_first, ctx.dtypes = spans, batch_first, [s._data.dtype for s in seqs]
        for i, s in enumerate(seqs):
            arr = s._data
            n = arr.shape[0]
            start = max_len - n if left else 0
            if tuple(arr.shape[1:]) != trailing:
                _broadcast_error(tuple(arr.shape[1:]), trailing)
            if arr.dtype != first.dtype:
                arr = xp.astype(arr, first.dtype)
            if batch_first:
                out[i, start:start + n, ...] = arr
            else:
                out[start:start + n, i, ...] = arr
            spans.append((start, n))
        return out

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        grads = []
        for i, ((start, n), dt) in enumerate(zip(ctx.spans, ctx.dtypes)):
            gi = g[i, start:start + n, ...] if ctx.batch_first else g[start:start + n, i, ...]
            grads.append(xp.astype(gi, dt) if gi.dtype != dt else gi)
        return tuple(grads)


def _broadcast_error(src, dst):
    """The error ``copy_`` raises when a sequence's trailing shape differs from the first's."""
    n = max(len(src), len(dst))
    a = (1,) * (n - len(dst)) + dst
    b = (1,) * (n - len(src)) + src
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and b[i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b "
                               f"({b[i]}) at non-singleton dimension {i + 1}")
    raise RuntimeError(f"output with shape {list(dst)} doesn't match the broadcast shape {list(src)}")


# --------------------------------------------------------------------------- public API
def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch of variable-length sequences.

    Mirrors ``torch.nn.utils.rnn.pack_padded_sequence``.

    Args:
        input (Tensor): padded batch of shape ``(T, B, *)``, or ``(B, T, *)`` with
            ``batch_first=True``.
        lengths (Tensor or list[int]): the length of each sequence (on the CPU).
        batch_first (bool): whether ``input`` has the batch dimension first.
        enforce_sorted (bool): if True, ``lengths`` must already be in decreasing order.
            If False the batch is sorted here and the permutation is kept in
            ``sorted_indices``/``unsorted_indices``, so the original order comes back
            after unpacking.

    Returns:
        PackedSequence: the packed batch. Gradients flow back to ``input``.

    Raises:
        RuntimeError: if ``enforce_sorted=True`` and the lengths are not sorted, if a
            length is 0, if the number of lengths differs from the batch size, or if the
            input is empty.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.rnn import pack_padded_sequence
        >>> padded = torch.tensor([[1, 4], [2, 5], [3, 0]])     # (T=3, B=2)
        >>> pack_padded_sequence(padded, [3, 2]).data
        tensor([1, 4, 2, 5, 3])
    """
    lengths = _lengths_tensor(lengths)
    if enforce_sorted:
        sorted_indices = None
    else:
        xp = lengths._backend.xp
        order = xp.argsort(-lengths._data, stable=True)
        lengths = Tensor._wrap(lengths._data[order], lengths.device, lengths._backend)
        sorted_indices = Tensor._wrap(xp.astype(order, lengths._data.dtype), lengths.device, lengths._backend)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    _check_long_tensor(lengths, "lengths")
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch_size = input.shape[0 if batch_first else 1]
    ls = _int_list(lengths)
    if len(ls) != batch_size:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(ls)} "
                           f"(batch_size={batch_size})")
    if ls[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if any(ls[i + 1] > ls[i] for i in range(len(ls) - 1)):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")
    batch_sizes = [sum(1 for v in ls if v > t) for t in range(ls[0])]
    data = _PackPadded.apply(input, batch_sizes=batch_sizes, batch_first=batch_first)
    bs = creation.tensor(batch_sizes, dtype=D.int64, device="cpu")
    return PackedSequence(data, bs, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Turn a :class:`PackedSequence` back into a padded tensor.

    The inverse of :func:`pack_padded_sequence`. Mirrors
    ``torch.nn.utils.rnn.pad_packed_sequence``.

    Args:
        sequence (PackedSequence): the packed batch.
        batch_first (bool): return ``(B, T, *)`` instead of ``(T, B, *)``.
        padding_value (float): the value written at the padded positions.
        total_length (int or None): pad to this many time steps instead of the longest
            length (useful to get back the padded length the batch had before packing).

    Returns:
        tuple[Tensor, Tensor]: the padded tensor and an int64 tensor with the length of
        each sequence, both in the original batch order.

    Raises:
        ValueError: if ``total_length`` is smaller than the longest sequence.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> p = pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])])
        >>> pad_packed_sequence(p, batch_first=True)
        (tensor([[1, 2, 3],
                [4, 5, 0]]), tensor([3, 2]))
    """
    bs = _int_list(sequence.batch_sizes)
    max_seq_length = len(bs)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being "
                             f"{max_seq_length}")
        max_seq_length = total_length
    padded = _PadPacked.apply(sequence.data, batch_sizes=bs, padding_value=padding_value,
                              total_length=max_seq_length)
    B = bs[0]
    lengths = [sum(1 for n in bs if n > b) for b in range(B)]
    lengths_t = creation.tensor(lengths, dtype=D.int64, device="cpu")
    if batch_first:
        padded = transpose(padded, 0, 1)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        lengths_t = lengths_t[unsorted.cpu()]
    return padded, lengths_t


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of different lengths into one tensor, padding the short ones.

    Mirrors ``torch.nn.utils.rnn.pad_sequence``. Every sequence is a tensor of shape
    ``(L_i, *)`` with the same trailing shape ``*``.

    Args:
        sequences (list[Tensor]): the sequences.
        batch_first (bool): return ``(B, T, *)`` instead of the default ``(T, B, *)``.
        padding_value (float): the fill value for the padded positions.
        padding_side (str): ``"right"`` (default) pads after each sequence, ``"left"``
            before it.

    Returns:
        Tensor: ``(T, B, *)`` or ``(B, T, *)`` with ``T = max(L_i)``, of the first
        sequence's dtype.

    Raises:
        RuntimeError: for an empty list, an unknown ``padding_side``, or sequences whose
            trailing shapes differ.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.rnn import pad_sequence
        >>> pad_sequence([torch.tensor([1, 2, 3]), torch.tensor([4])], batch_first=True)
        tensor([[1, 2, 3],
                [4, 0, 0]])
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if len(sequences) == 0:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    for s in sequences:
        if s.dim() == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _PadSequence.apply(*sequences, batch_first=bool(batch_first), padding_value=padding_value,
                              left=padding_side == "left")


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of sequences without padding.

    Mirrors ``torch.nn.utils.rnn.unpad_sequence``.

    Args:
        padded_sequences (Tensor): ``(T, B, *)``, or ``(B, T, *)`` with ``batch_first``.
        lengths (Tensor): the length of each sequence.
        batch_first (bool): the layout of ``padded_sequences``.

    Returns:
        list[Tensor]: ``B`` tensors of shape ``(L_i, *)``.
    """
    if not batch_first:
        padded_sequences = transpose(padded_sequences, 0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_int_list(_lengths_tensor(lengths)))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences of different lengths.

    Equivalent to ``pack_padded_sequence(pad_sequence(sequences), lengths,
    enforce_sorted=enforce_sorted)``. Mirrors ``torch.nn.utils.rnn.pack_sequence``.

    Args:
        sequences (list[Tensor]): tensors of shape ``(L_i, *)``; with
            ``enforce_sorted=True`` they must come longest first.
        enforce_sorted (bool): see :func:`pack_padded_sequence`.

    Returns:
        PackedSequence: the packed batch.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.nn.utils.rnn import pack_sequence
        >>> pack_sequence([torch.tensor([1]), torch.tensor([2, 3])], enforce_sorted=False).data
        tensor([2, 1, 3])
    """
    lengths = creation.as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Turn a :class:`PackedSequence` back into a list of tensors without padding.

    Mirrors ``torch.nn.utils.rnn.unpack_sequence``.

    Args:
        packed_sequences (PackedSequence): the packed batch.

    Returns:
        list[Tensor]: the sequences, in the original order.
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
