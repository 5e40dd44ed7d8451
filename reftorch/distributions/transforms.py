"""Transforms: invertible maps with a computable log-Jacobian, from which
``TransformedDistribution`` builds new distributions (``LogNormal`` is ``Normal`` through
``ExpTransform``). Mirrors ``torch.distributions.transforms``.

Elementwise transforms (``ExpTransform``, ``SigmoidTransform``, ``TanhTransform`` …), maps
onto the simplex and onto (correlation) Cholesky factors, and functors that combine
transforms (``ComposeTransform``, ``IndependentTransform``, ``CatTransform``,
``StackTransform``).
"""
from __future__ import annotations

import functools
import math
import numbers
import operator

from .._ops.creation import eye, full_like, zeros_like
from .._ops.join import cat, stack
from .._ops.linalg_decomp import cholesky
from .._ops.shape import broadcast_shapes
from .._size import Size
from .._type_info import finfo
from ..nn.functional import logsigmoid, pad, softplus
from . import constraints
from .utils import _sum_rightmost, broadcast_all, lazy_property, tril_matrix_to_vec, vec_to_tril_matrix

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
           "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform", "Transform",
           "identity_transform"]


class Transform:
    """Base class of the invertible transformations ``x -> y`` with a computable
    ``log |dy/dx|``.

    Subclasses implement ``_call`` (and ``_inverse``, ``log_abs_det_jacobian``) and set
    ``domain``, ``codomain`` (constraints), ``bijective`` and ``sign``. With
    ``cache_size=1`` the last pair ``(x, y)`` is remembered, so ``t.inv(t(x))`` returns
    ``x`` itself.

    Args:
        cache_size (int): 0 (no cache) or 1 (remember the latest value).

    Raises:
        ValueError: if ``cache_size`` is not 0 or 1.

    Mirrors ``torch.distributions.transforms.Transform``.
    """

    bijective = False

    def __init__(self, cache_size=0):
        self._cache_size = cache_size
        self._inv = None
        if cache_size == 1:
            self._cached_x_y = None, None
        elif cache_size != 0:
            raise ValueError("cache_size must be 0 or 1")

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_inv"] = None
        return state

    @property
    def event_dim(self):
        """The number of event dimensions, when domain and codomain agree on it.

        Raises:
            ValueError: if they differ.
        """
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform (``t.inv.inv is t``)."""
        inv = self._inv
        if inv is None:
            inv = _InverseTransform(self)
            self._inv = inv
        return inv

    @property
    def sign(self):
        """The sign of the Jacobian's determinant (+1 or -1) of a bijective univariate
        transform."""
        raise NotImplementedError

    def with_cache(self, cache_size=1):
        """This transform with the given cache size (itself when it already has it)."""
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        raise NotImplementedError(f"{type(self)}.with_cache is not implemented")

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    def __call__(self, x):
        if self._cache_size == 0:
            return self._call(x)
        x_old, y_old = self._cached_x_y
        if x is x_old:
            return y_old
        y = self._call(x)
        self._cached_x_y = x, y
        return y

    def _inv_call(self, y):
        if self._cache_size == 0:
            return self._inverse(y)
        x_old, y_old = self._cached_x_y
        if y is y_old:
            return x_old
        x = self._inverse(y)
        self._cached_x_y = x, y
        return x

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        """``log |dy/dx|`` for the input ``x`` and output ``y``."""
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__ + "()"

    def forward_shape(self, shape):
        """The output shape for an input of ``shape`` (the same by default)."""
        return shape

    def inverse_shape(self, shape):
        """The input shape for an output of ``shape`` (the same by default)."""
        return shape


class _InverseTransform(Transform):
    """The inverse of a transform (use ``Transform.inv``)."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return self._inv.codomain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return self._inv.domain

    @property
    def bijective(self):
        return self._inv.bijective

    @property
    def sign(self):
        return self._inv.sign

    @property
    def inv(self):
        return self._inv

    def with_cache(self, cache_size=1):
        return self.inv.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    def __repr__(self):
        return f"{type(self).__name__}({self._inv!r})"

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)


class ComposeTransform(Transform):
    """The transforms ``parts`` applied one after the other (the empty composition is the
    identity, ``identity_transform``).

    Args:
        parts (list of Transform): the transforms, first applied first.
        cache_size (int): 0 or 1 (passed on to the parts).

    Mirrors ``torch.distributions.transforms.ComposeTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import AffineTransform, ComposeTransform, ExpTransform
        >>> t = ComposeTransform([AffineTransform(1.0, 2.0), ExpTransform()])
        >>> t(torch.tensor([0.0, -0.5]))
        tensor([2.7183, 1.0000])
        >>> t.inv(torch.tensor([1.0]))
        tensor([-0.5000])
    """

    def __init__(self, parts, cache_size=0):
        if cache_size:
            parts = [part.with_cache(cache_size) for part in parts]
        super().__init__(cache_size=cache_size)
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        if not self.parts:
            return constraints.real
        domain = self.parts[0].domain
        event_dim = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            event_dim = max(event_dim + part.domain.event_dim - part.codomain.event_dim, part.domain.event_dim)
        if event_dim > domain.event_dim:
            domain = constraints.independent(domain, event_dim - domain.event_dim)
        return domain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        if not self.parts:
            return constraints.real
        codomain = self.parts[-1].codomain
        event_dim = self.parts[0].domain.event_dim
        for part in self.parts:
            event_dim = max(event_dim + part.codomain.event_dim - part.domain.event_dim, part.codomain.event_dim)
        if event_dim > codomain.event_dim:
            codomain = constraints.independent(codomain, event_dim - codomain.event_dim)
        return codomain

    @lazy_property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @lazy_property
    def sign(self):
        sign = 1
        for p in self.parts:
            sign = sign * p.sign
        return sign

    @property
    def inv(self):
        inv = self._inv
        if inv is None:
            inv = ComposeTransform([p.inv for p in reversed(self.parts)])
            self._inv = inv
            inv._inv = self
        return inv

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __call__(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return zeros_like(x)
        xs = [x]
        for part in self.parts[:-1]:
            xs.append(part(xs[-1]))
        xs.append(y)
        terms = []
        event_dim = self.domain.event_dim
        for part, a, b in zip(self.parts, xs[:-1], xs[1:]):
            terms.append(_sum_rightmost(part.log_abs_det_jacobian(a, b), event_dim - part.domain.event_dim))
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return functools.reduce(operator.add, terms)

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return shape

    def __repr__(self):
        return type(self).__name__ + "(\n    " + ",\n    ".join(repr(p) for p in self.parts) + "\n)"


identity_transform = ComposeTransform([])


class ExpTransform(Transform):
    """``y = exp(x)``, from the real line onto the positive numbers; ``log |dy/dx| = x``.

    Mirrors ``torch.distributions.transforms.ExpTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import ExpTransform
        >>> t = ExpTransform()
        >>> t(torch.tensor([0.0, 1.0])), t.inv(torch.tensor([1.0]))
        (tensor([1.0000, 2.7183]), tensor([0.]))
    """

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, ExpTransform)

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


def _clipped_sigmoid(x):
    info = finfo(x.dtype)
    return x.sigmoid().clamp(min=info.tiny, max=1.0 - info.eps)


class SigmoidTransform(Transform):
    """``y = sigmoid(x)`` (clamped into ``[tiny, 1 - eps]`` of the dtype), inverse
    ``logit``; ``log |dy/dx| = -softplus(-x) - softplus(x)``.

    Mirrors ``torch.distributions.transforms.SigmoidTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import SigmoidTransform
        >>> t = SigmoidTransform()
        >>> t(torch.tensor([0.0, 2.0])), t.inv(torch.tensor([0.5]))
        (tensor([0.5000, 0.8808]), tensor([0.]))
    """

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, SigmoidTransform)

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        info = finfo(y.dtype)
        y = y.clamp(min=info.tiny, max=1.0 - info.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x) - softplus(x)


class AbsTransform(Transform):
    """``y = |x|`` (not bijective: its ``inv`` returns ``y``).

    Mirrors ``torch.distributions.transforms.AbsTransform``.
    """

    domain = constraints.real
    codomain = constraints.positive

    def __eq__(self, other):
        return isinstance(other, AbsTransform)

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """``y = loc + scale * x`` elementwise; ``log |dy/dx| = log |scale|`` (summed over the
    ``event_dim`` rightmost dimensions).

    Args:
        loc (Tensor or float): the shift.
        scale (Tensor or float): the scale.
        event_dim (int): how many rightmost dimensions form one event (default 0).
        cache_size (int): 0 or 1.

    Mirrors ``torch.distributions.transforms.AffineTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import AffineTransform
        >>> t = AffineTransform(1.0, torch.tensor([2.0, -0.5]))
        >>> x = torch.tensor([1.0, 4.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x)), t.sign
        (tensor([ 3., -1.]), tensor([ 0.6931, -0.6931]), tensor([ 1., -1.]))
    """

    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real, self.event_dim)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.real if self.event_dim == 0 else constraints.independent(constraints.real, self.event_dim)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self.event_dim, cache_size=cache_size)

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False
        for a, b in ((self.loc, other.loc), (self.scale, other.scale)):
            if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
                if a != b:
                    return False
            elif not (a == b).all().item():
                return False
        return True

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Number):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = x.shape
        if isinstance(self.scale, numbers.Number):
            result = full_like(x, math.log(abs(self.scale)))
        else:
            result = self.scale.abs().log()
        if self.event_dim:
            result = result.view(result.size()[:-self.event_dim] + (-1,)).sum(-1)
            shape = shape[:-self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape):
        return broadcast_shapes(shape, getattr(self.loc, "shape", ()), getattr(self.scale, "shape", ()))

    def inverse_shape(self, shape):
        return broadcast_shapes(shape, getattr(self.loc, "shape", ()), getattr(self.scale, "shape", ()))



class IndependentTransform(Transform):
    """``base_transform`` with ``reinterpreted_batch_ndims`` more rightmost dimensions
    counted as one event: the values are the same, ``log_abs_det_jacobian`` sums those
    dimensions out.

    Args:
        base_transform (Transform): the transform to wrap.
        reinterpreted_batch_ndims (int): how many extra rightmost dimensions form an event.
        cache_size (int): 0 or 1.

    Raises:
        ValueError: if the input has fewer dimensions than the domain's ``event_dim``.

    Mirrors ``torch.distributions.transforms.IndependentTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import ExpTransform, IndependentTransform
        >>> t = IndependentTransform(ExpTransform(), 1)
        >>> x = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
        >>> t.log_abs_det_jacobian(x, t(x)), t.event_dim
        (tensor([1., 5.]), 1)
    """

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size)

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"{type(self).__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)


class ReshapeTransform(Transform):
    """Reshapes the rightmost ``in_shape`` of a tensor into ``out_shape`` (unit Jacobian,
    ``log_abs_det_jacobian`` is zero per batch element).

    Args:
        in_shape (torch.Size): the input event shape.
        out_shape (torch.Size): the output event shape (same number of elements).
        cache_size (int): 0 or 1.

    Raises:
        ValueError: if the shapes have different numbers of elements, or (``forward_shape``,
            ``inverse_shape``) a shape does not end with the expected event shape.

    Mirrors ``torch.distributions.transforms.ReshapeTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import ReshapeTransform
        >>> t = ReshapeTransform((4,), (2, 2))
        >>> t(torch.arange(8.0).view(2, 4)).shape, t.inverse_shape((3, 2, 2))
        (torch.Size([2, 2, 2]), torch.Size([3, 4]))
    """

    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape = Size(in_shape)
        self.out_shape = Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def _call(self, x):
        return x.reshape(x.shape[:x.dim() - len(self.in_shape)] + self.out_shape)

    def _inverse(self, y):
        return y.reshape(y.shape[:y.dim() - len(self.out_shape)] + self.in_shape)

    def log_abs_det_jacobian(self, x, y):
        return x.new_zeros(x.shape[:x.dim() - len(self.in_shape)])

    @staticmethod
    def _swap_event(shape, old, new):
        if len(shape) < len(old):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(old)
        if shape[cut:] != old:
            raise ValueError(f"Shape mismatch: expected {shape[cut:]} but got {old}")
        return shape[:cut] + new

    def forward_shape(self, shape):
        return self._swap_event(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._swap_event(shape, self.out_shape, self.in_shape)


class PowerTransform(Transform):
    """``y = x ** exponent`` on the positive numbers; ``log |dy/dx| = log |exponent y / x|``.

    Args:
        exponent (Tensor or float): the power (a number becomes a 0-d tensor).
        cache_size (int): 0 or 1.

    Mirrors ``torch.distributions.transforms.PowerTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import PowerTransform
        >>> t = PowerTransform(2.0)
        >>> x = torch.tensor([1.0, 3.0])
        >>> t(x), t.inv(torch.tensor([4.0])), t.log_abs_det_jacobian(x, t(x))
        (tensor([1., 9.]), tensor([2.]), tensor([0.6931, 1.7918]))
    """

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @lazy_property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and self.exponent.eq(other.exponent).all().item()

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return broadcast_shapes(shape, self.exponent.shape)

    def inverse_shape(self, shape):
        return broadcast_shapes(shape, self.exponent.shape)


class SoftplusTransform(Transform):
    """``y = log(1 + exp(x))`` (linear above 20), from the real line onto the positive
    numbers; inverse ``y + log(-expm1(-y))``; ``log |dy/dx| = -softplus(-x)``.

    Mirrors ``torch.distributions.transforms.SoftplusTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import SoftplusTransform
        >>> t = SoftplusTransform()
        >>> t(torch.tensor([0.0, 2.0])), t.inv(torch.tensor([1.0]))
        (tensor([0.6931, 2.1269]), tensor([0.5413]))
    """

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, SoftplusTransform)

    def _call(self, x):
        return softplus(x)

    def _inverse(self, y):
        return (-y).expm1().neg().log() + y

    def log_abs_det_jacobian(self, x, y):
        return -softplus(-x)


class TanhTransform(Transform):
    """``y = tanh(x)``, from the real line onto ``(-1, 1)``; inverse ``atanh`` (not clamped:
    use ``cache_size=1`` where ``y`` reaches ±1); ``log |dy/dx| = 2 (log 2 - x - softplus(-2x))``.

    Mirrors ``torch.distributions.transforms.TanhTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import TanhTransform
        >>> t = TanhTransform()
        >>> x = torch.tensor([0.0, 1.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x))
        (tensor([0.0000, 0.7616]), tensor([ 0.0000, -0.8676]))
    """

    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, TanhTransform)

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


def _needs_event(shape):
    if len(shape) < 1:
        raise ValueError("Too few dimensions on input")


class SoftmaxTransform(Transform):
    """``y = exp(x) / sum(exp(x))`` over the last dimension, onto the simplex (not
    bijective; ``inv`` is ``log``, one of the preimages).

    Raises:
        ValueError: from ``forward_shape``/``inverse_shape`` of a 0-d shape.

    Mirrors ``torch.distributions.transforms.SoftmaxTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import SoftmaxTransform
        >>> SoftmaxTransform()(torch.tensor([0.0, 1.0, 2.0]))
        tensor([0.0900, 0.2447, 0.6652])
    """

    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other):
        return isinstance(other, SoftmaxTransform)

    def _call(self, x):
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _needs_event(shape)
        return shape

    def inverse_shape(self, shape):
        _needs_event(shape)
        return shape


def _stick_offset(x):
    """``log`` of the offsets ``K, K-1, ..., 1`` of a stick-breaking over ``K`` logits,
    which make ``x = 0`` the centre of the simplex."""
    return (x.shape[-1] + 1 - x.new_ones(x.shape[-1]).cumsum(-1)).log()


class StickBreakingTransform(Transform):
    """From ``K`` real numbers onto the simplex of ``K + 1`` entries by stick breaking: the
    ``i``-th (offset) sigmoid takes its share of what is left. Bijective (the transform
    ``biject_to(constraints.simplex)`` gives).

    Raises:
        ValueError: from ``forward_shape``/``inverse_shape`` of a 0-d shape.

    Mirrors ``torch.distributions.transforms.StickBreakingTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import StickBreakingTransform
        >>> t = StickBreakingTransform()
        >>> x = torch.tensor([0.0, 1.0])
        >>> t(x), t.log_abs_det_jacobian(x, t(x)), t.forward_shape((3, 2))
        (tensor([0.3333, 0.4874, 0.1793]), tensor(-3.5361), (3, 3))
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other):
        return isinstance(other, StickBreakingTransform)

    def _call(self, x):
        z = _clipped_sigmoid(x - _stick_offset(x))
        z_cumprod = (1 - z).cumprod(-1)
        return pad(z, [0, 1], value=1) * pad(z_cumprod, [1, 0], value=1)

    def _inverse(self, y):
        y_crop = y[..., :-1]
        offset = y.shape[-1] - y.new_ones(y_crop.shape[-1]).cumsum(-1)
        # the stick left over, kept positive where y[-1] ~ 0 rounds it to 0 or below
        sf = (1 - y_crop.cumsum(-1)).clamp(min=finfo(y.dtype).tiny)
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x, y):
        x = x - _stick_offset(x)
        # 1 - sigmoid(x) = exp(-x) sigmoid(x)
        return (-x + logsigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _needs_event(shape)
        return shape[:-1] + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        _needs_event(shape)
        return shape[:-1] + (shape[-1] - 1,)


class LowerCholeskyTransform(Transform):
    """From square matrices onto lower-triangular ones with a positive diagonal: keeps the
    strict lower triangle, exponentiates the diagonal (not bijective: the upper triangle is
    dropped; no ``log_abs_det_jacobian``).

    Mirrors ``torch.distributions.transforms.LowerCholeskyTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import LowerCholeskyTransform
        >>> LowerCholeskyTransform()(torch.tensor([[0.0, 5.0], [2.0, 1.0]]))
        tensor([[1.0000, 0.0000],
                [2.0000, 2.7183]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def __eq__(self, other):
        return isinstance(other, LowerCholeskyTransform)

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(Transform):
    """From square matrices onto positive-definite ones: ``L L^T`` for ``L`` the
    ``LowerCholeskyTransform`` of the input; the inverse goes through ``linalg.cholesky``.

    Mirrors ``torch.distributions.transforms.PositiveDefiniteTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import PositiveDefiniteTransform
        >>> PositiveDefiniteTransform()(torch.tensor([[0.0, 5.0], [2.0, 0.0]]))
        tensor([[1., 2.],
                [2., 5.]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def __eq__(self, other):
        return isinstance(other, PositiveDefiniteTransform)

    def _call(self, x):
        x = LowerCholeskyTransform()(x)
        return x @ x.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(cholesky(y))


class CorrCholeskyTransform(Transform):
    """From ``D (D - 1) / 2`` real numbers onto the ``D x D`` Cholesky factors of
    correlation matrices (lower triangular, positive diagonal, rows of unit norm): the
    numbers fill the strict lower triangle row by row through ``tanh``, then each row is
    completed to unit length by a signed stick breaking. ``log_abs_det_jacobian`` is taken
    against the flattened strict lower triangle of ``y``.

    Raises:
        ValueError: from ``forward_shape`` if the last size is not a triangular number,
            from ``inverse_shape`` if the matrices are not square.

    Mirrors ``torch.distributions.transforms.CorrCholeskyTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import CorrCholeskyTransform
        >>> CorrCholeskyTransform()(torch.tensor([0.5, 0.0, 1.0]))
        tensor([[1.0000, 0.0000, 0.0000],
                [0.4621, 0.8868, 0.0000],
                [0.0000, 0.7616, 0.6481]])
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        x = x.tanh()
        eps = finfo(x.dtype).eps
        r = vec_to_tril_matrix(x.clamp(min=-1 + eps, max=1 - eps), diag=-1)
        # y = sign(r) sqrt(z * (1 - z) cumprod) = r sqrt((1 - z) cumprod) with z = r^2
        z1m_cumprod_sqrt = (1 - r ** 2).sqrt().cumprod(-1)
        r = r + eye(r.shape[-1], dtype=r.dtype, device=r.device)
        return r * pad(z1m_cumprod_sqrt[..., :-1], [1, 0], value=1)

    def _inverse(self, y):
        y_cumsum = 1 - (y * y).cumsum(dim=-1)
        y_cumsum_shifted = pad(y_cumsum[..., :-1], [1, 0], value=1)
        t = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(y_cumsum_shifted, diag=-1).sqrt()
        return (t.log1p() - t.neg().log1p()) / 2  # atanh

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        y1m_cumsum = 1 - (y * y).cumsum(dim=-1)
        # diagonal -2 reads the cumulative sums already shifted one place to the right
        stick_breaking_logdet = 0.5 * tril_matrix_to_vec(y1m_cumsum, diag=-2).log().sum(-1)
        tanh_logdet = -2 * (x + softplus(-2 * x) - math.log(2.0)).sum(dim=-1)
        return stick_breaking_logdet + tanh_logdet

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return shape[:-1] + (d, d)

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return shape[:-2] + (d * (d - 1) // 2,)


def _check_dim(name, tensor, dim):
    if not -tensor.dim() <= dim < tensor.dim():
        raise AssertionError(f"dim {dim} out of range for {name} with {tensor.dim()} dimensions")


def _check_transforms(tseq):
    if not all(isinstance(t, Transform) for t in tseq):
        raise AssertionError("All elements of tseq must be Transform instances")


class CatTransform(Transform):
    """The transforms ``tseq`` applied to consecutive pieces of lengths ``lengths`` (all 1
    by default) along ``dim``, the results joined as ``torch.cat`` would.

    Args:
        tseq (list of Transform): one transform per piece.
        dim (int): the dimension cut into pieces (default 0).
        lengths (list of int, optional): the pieces' sizes along ``dim``.
        cache_size (int): 0 or 1 (passed on to the parts).

    Raises:
        AssertionError: if an element of ``tseq`` is not a ``Transform``, ``lengths`` and
            ``tseq`` differ in length, or (when called) ``dim`` is out of range or the size
            along ``dim`` is not ``sum(lengths)``.

    Mirrors ``torch.distributions.transforms.CatTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import CatTransform, ExpTransform, identity_transform
        >>> t = CatTransform([ExpTransform(), identity_transform], dim=0, lengths=[1, 2])
        >>> t(torch.tensor([0.0, 1.0, 2.0]))
        tensor([1., 1., 2.])
    """

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        _check_transforms(tseq)
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match transforms ({len(self.transforms)})")
        self.dim = dim

    @lazy_property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @lazy_property
    def length(self):
        return sum(self.lengths)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _check(self, tensor, name, kind):
        _check_dim(kind, tensor, self.dim)
        if tensor.size(self.dim) != self.length:
            raise AssertionError(f"{name}.size({self.dim}) = {tensor.size(self.dim)} must equal length {self.length}")

    def _pieces(self, tensor):
        start = 0
        for length in self.lengths:
            yield tensor.narrow(self.dim, start, length)
            start += length

    def _call(self, x):
        self._check(x, "x", "tensor")
        return cat([t(piece) for t, piece in zip(self.transforms, self._pieces(x))], dim=self.dim)

    def _inverse(self, y):
        self._check(y, "y", "tensor")
        return cat([t.inv(piece) for t, piece in zip(self.transforms, self._pieces(y))], dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        self._check(x, "x", "x")
        self._check(y, "y", "y")
        terms = []
        for t, xs, ys in zip(self.transforms, self._pieces(x), self._pieces(y)):
            term = t.log_abs_det_jacobian(xs, ys)
            if t.event_dim < self.event_dim:
                term = _sum_rightmost(term, self.event_dim - t.event_dim)
            terms.append(term)
        # pieces along a batch dimension are joined; along an event dimension, summed
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        if dim < 0:
            return cat(terms, dim=dim)
        return sum(terms)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(Transform):
    """The transforms ``tseq`` applied to the slices of ``dim`` (one each), the results
    joined as ``torch.stack`` would.

    Args:
        tseq (list of Transform): one transform per slice.
        dim (int): the dimension sliced (default 0).
        cache_size (int): 0 or 1 (passed on to the parts).

    Raises:
        AssertionError: if an element of ``tseq`` is not a ``Transform``, or (when called)
            ``dim`` is out of range or its size is not ``len(tseq)``.

    Mirrors ``torch.distributions.transforms.StackTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions.transforms import ExpTransform, StackTransform, identity_transform
        >>> t = StackTransform([ExpTransform(), identity_transform], dim=1)
        >>> t(torch.tensor([[0.0, 0.0], [1.0, 1.0]]))
        tensor([[1.0000, 0.0000],
                [2.7183, 1.0000]])
    """

    def __init__(self, tseq, dim=0, cache_size=0):
        _check_transforms(tseq)
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    def _slice(self, z):
        return [z.select(self.dim, i) for i in range(z.size(self.dim))]

    def _check(self, tensor, name, kind):
        _check_dim(kind, tensor, self.dim)
        if tensor.size(self.dim) != len(self.transforms):
            raise AssertionError(f"{name}.size({self.dim}) = {tensor.size(self.dim)} must equal "
                                 f"len(transforms) {len(self.transforms)}")

    def _call(self, x):
        self._check(x, "x", "tensor")
        return stack([t(s) for s, t in zip(self._slice(x), self.transforms)], dim=self.dim)

    def _inverse(self, y):
        self._check(y, "y", "tensor")
        return stack([t.inv(s) for s, t in zip(self._slice(y), self.transforms)], dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        self._check(x, "x", "x")
        self._check(y, "y", "y")
        return stack([t.log_abs_det_jacobian(xs, ys)
                      for xs, ys, t in zip(self._slice(x), self._slice(y), self.transforms)], dim=self.dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class CumulativeDistributionTransform(Transform):
    """``y = distribution.cdf(x)``, from the distribution's support onto ``[0, 1]``;
    inverse ``icdf``; ``log |dy/dx| = distribution.log_prob(x)``.

    Args:
        distribution (Distribution): the distribution whose CDF is used.
        cache_size (int): 0 or 1.

    Mirrors ``torch.distributions.transforms.CumulativeDistributionTransform``.

    Examples:
        >>> import reftorch as torch
        >>> from reftorch.distributions import Normal
        >>> from reftorch.distributions.transforms import CumulativeDistributionTransform
        >>> t = CumulativeDistributionTransform(Normal(0.0, 1.0))
        >>> t(torch.tensor([0.0, 1.0])), t.inv(torch.tensor([0.5]))
        (tensor([0.5000, 0.8413]), tensor([0.]))
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)
