"""``Embedding``: a lookup table of vectors. Mirrors ``torch/nn/modules/sparse.py``."""
from __future__ import annotations

from ... import _dtype as D
from ..._ops.creation import empty
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter
from .. import functional as F
from .. import init
from .module import Module

__all__ = ["Embedding", "EmbeddingBag"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, indexed by integer ids.

    ``emb(ids)`` returns ``emb.weight[ids]``: for input of any shape ``(*)`` the output has
    shape ``(*, embedding_dim)``. This is the same as ``one_hot(ids) @ weight``, without
    building the one-hot matrix.

    Args:
        num_embeddings: the number of rows (the vocabulary size, counting the padding id).
        embedding_dim: the size of each vector.
        padding_idx: a row that is initialised to zeros and never receives a gradient, so it
            stays as it is during training. Negative values count from the end.
        max_norm: if given, each row that is looked up and has a norm above ``max_norm`` is
            rescaled in ``weight`` (in place) to norm ``max_norm``.
        norm_type: the p of the p-norm used with ``max_norm`` (default 2).
        scale_grad_by_freq: divide the gradient of each row by how often its id occurs in
            the mini-batch.
        sparse: sparse gradients are not implemented in reftorch; the module can be built
            and run forward, but backward raises ``NotImplementedError``.
        _weight: an initial ``(num_embeddings, embedding_dim)`` tensor used as the weight
            (shared, not copied; the padding row is not zeroed).
        _freeze: create the weight with ``requires_grad=False``.
        device: where to create the weight.
        dtype: the weight's dtype (default float32).

    Raises:
        AssertionError: "Padding_idx must be within num_embeddings" for a ``padding_idx``
            outside ``[-num_embeddings, num_embeddings)``, or "Shape of weight does not match
            num_embeddings and embedding_dim" for a ``_weight`` of the wrong shape.

    Examples:
        >>> import reftorch as torch
        >>> emb = torch.nn.Embedding(10, 3, padding_idx=0)
        >>> emb
        Embedding(10, 3, padding_idx=0)
        >>> emb(torch.tensor([[0, 2], [4, 0]])).shape
        torch.Size([2, 2, 3])
        >>> emb.weight[0]
        tensor([0., 0., 0.], grad_fn=<SelectBackward0>)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx=None, max_norm=None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight=None, _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                assert padding_idx < self.num_embeddings, "Padding_idx must be within num_embeddings"
            elif padding_idx < 0:
                assert padding_idx >= -self.num_embeddings, "Padding_idx must be within num_embeddings"
                padding_idx = self.num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            dtype = D.get_default_dtype() if dtype is None else dtype
            self.weight = Parameter(empty((num_embeddings, embedding_dim), dtype=dtype, device=device),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            assert list(_weight.shape) == [num_embeddings, embedding_dim], \
                "Shape of weight does not match num_embeddings and embedding_dim"
            self.weight = Parameter(_weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        """Re-draw the weight from ``N(0, 1)`` and zero the padding row."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx=None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False):
        """Build an ``Embedding`` whose weight is ``embeddings`` (shared, not copied).

        Args:
            embeddings: a 2-D ``(num_embeddings, embedding_dim)`` tensor.
            freeze: if true (the default) the weight does not require grad.
            padding_idx: as in the constructor, but the row keeps its pretrained values
                (it is not zeroed); it still receives no gradient.
            max_norm: see the constructor.
            norm_type: see the constructor.
            scale_grad_by_freq: see the constructor.
            sparse: see the constructor.

        Raises:
            AssertionError: if ``embeddings`` is not 2-D.

        Examples:
            >>> import reftorch as torch
            >>> w = torch.tensor([[1., 2.], [3., 4.]])
            >>> emb = torch.nn.Embedding.from_pretrained(w)
            >>> emb(torch.tensor([1]))
            tensor([[3., 4.]])
            >>> emb.weight.requires_grad
            False
        """
        rows, cols = _pretrained_shape(embeddings)
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def _pretrained_shape(embeddings):
    """``(rows, cols)`` of a pretrained table; ``AssertionError`` unless it is 2-D (as PyTorch)."""
    if embeddings.dim() != 2:
        raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
    return tuple(embeddings.shape)


class EmbeddingBag(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by bags of
    indices, each bag reduced to one vector (``mode``: ``"mean"`` by default, ``"sum"``,
    ``"max"``): :func:`~reftorch.nn.functional.embedding_bag` on ``self.weight``.

    ``forward(input, offsets=None, per_sample_weights=None)``: a 2-D ``input`` is one bag per
    row; a 1-D one is cut at ``offsets``. Mirrors ``torch.nn.EmbeddingBag``.

    Args:
        num_embeddings: the number of rows.
        embedding_dim: the size of each row.
        max_norm: renormalise looked-up rows whose norm exceeds it.
        norm_type: the p of that norm (default 2).
        scale_grad_by_freq: scale gradients by the inverse frequency of each index.
        mode: ``"sum"``, ``"mean"`` (default) or ``"max"``.
        sparse: sparse gradients (not implemented: raises when a gradient is needed).
        include_last_offset: ``offsets`` ends with the end of the last bag.
        padding_idx: an index left out of every bag; its row starts at zero.
        device: where to create the weight.
        dtype: its dtype.

    Attributes:
        weight: ``(num_embeddings, embedding_dim)`` from ``N(0, 1)``.

    Raises:
        AssertionError: if ``padding_idx`` is out of range.

    Examples:
        >>> import reftorch as torch
        >>> bag = torch.nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag
        EmbeddingBag(10, 3, mode='sum')
        >>> bag(torch.tensor([1, 2, 4, 5, 4]), torch.tensor([0, 2])).shape
        torch.Size([2, 3])
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if padding_idx is not None:
            if padding_idx > 0 and padding_idx >= num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            if padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(empty((num_embeddings, embedding_dim),
                                          dtype=D.get_default_dtype() if dtype is None else dtype, device=device))
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight)
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    def reset_parameters(self) -> None:
        """Re-draw the weight from ``N(0, 1)``; the padding row is zeroed."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset,
                               self.padding_idx)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, max_norm=None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                        include_last_offset: bool = False, padding_idx=None):
        """Build an ``EmbeddingBag`` whose weight is ``embeddings`` (shared, not copied).

        Mirrors ``torch.nn.EmbeddingBag.from_pretrained`` (note the argument order differs
        from :meth:`Embedding.from_pretrained`: ``padding_idx`` comes last).

        Args:
            embeddings: a 2-D ``(num_embeddings, embedding_dim)`` tensor.
            freeze: if true (the default) the weight does not require grad.
            max_norm: see the constructor.
            norm_type: see the constructor.
            scale_grad_by_freq: see the constructor.
            mode: see the constructor (default ``"mean"``).
            sparse: see the constructor.
            include_last_offset: see the constructor.
            padding_idx: as in the constructor, but the row keeps its pretrained values
                (it is not zeroed); it is still left out of every bag.

        Raises:
            AssertionError: if ``embeddings`` is not 2-D, or ``padding_idx`` is out of range.

        Examples:
            >>> import reftorch as torch
            >>> w = torch.tensor([[1., 2.], [3., 4.]])
            >>> bag = torch.nn.EmbeddingBag.from_pretrained(w, mode="sum")
            >>> bag(torch.tensor([[0, 1]]))
            tensor([[4., 6.]])
            >>> bag.weight.requires_grad
            False
        """
        rows, cols = _pretrained_shape(embeddings)
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, max_norm=max_norm,
                  norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s
