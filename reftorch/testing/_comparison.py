"""``torch.testing.assert_close``: compare two (nested) inputs element by element, with
PyTorch's rules, tolerances and error messages.

The inputs are walked first (sequences item by item, mappings key by key), each leaf pair
becoming a comparison — ``None``, bools, numbers or tensor-likes (tensors, NumPy arrays);
a structure that does not match (lengths, keys) or a pair no kind handles fails before
any value is compared. Then the pairs are compared in order and the first failure raises,
its message ending with the item where it occurred (``The failure occurred for item
[1]['a']``).
"""
from __future__ import annotations

import cmath
import collections.abc

import numpy as np

from .. import _dtype as D
from .._ops.creation import as_tensor
from .._tensor import Tensor, typename

#: default ``(rtol, atol)`` per dtype (any other dtype: exact, ``(0, 0)``)
_PRECISIONS = {D.float16: (0.001, 1e-5), D.bfloat16: (0.016, 1e-5), D.float32: (1.3e-6, 1e-5),
               D.float64: (1e-7, 1e-7), D.complex64: (1.3e-6, 1e-5), D.complex128: (1e-7, 1e-7)}
#: the dtype whose tolerances a Python number gets
_NUMBER_DTYPES = {int: D.int64, float: D.float64, complex: D.complex128}


class _Failure(Exception):
    """A failed check: the exception class to raise, its message, and where (the keys and
    indices leading to the pair)."""

    def __init__(self, kind, msg, where=()):
        super().__init__(msg)
        self.kind, self.msg, self.where = kind, msg, where

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.msg
        if self.where:
            text += "\n\nThe failure occurred for item " + "".join(str([k]) for k in self.where)
        return self.kind(msg(text) if callable(msg) else text)


class _Unsupported(Exception):
    """This kind of pair does not handle these inputs: try the next."""


def _class_name(obj):
    return f"<class '{typename(type(obj))}'>"


def _tolerances(dtypes, rtol, atol, where):
    if (rtol is None) != (atol is None):
        raise _Failure(ValueError, f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                                   f"{'rtol' if rtol is None else 'atol'}.", where)
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*(_PRECISIONS.get(d, (0.0, 0.0)) for d in dtypes))
    return max(rtols), max(atols)


def _mismatch_msg(identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def line(kind, diff, idx, tol):
        text = f"{kind.title()} difference: {diff}" if idx is None else f"Greatest {kind} difference: {diff} at index {idx}"
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, atol, rel_diff, None,
                         rtol)


def _tensor_msg(actual, expected, matches, rtol, atol):
    shape = tuple(matches.shape)

    def unravel(flat):
        idx = []
        for size in reversed(shape):
            flat, mod = divmod(flat, size)
            idx.append(mod)
        return tuple(reversed(idx))

    total = matches.numel()
    bad = total - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"
    a, e = actual.flatten(), expected.flatten()
    if not (a.dtype.is_floating_point or a.dtype.is_complex):
        a, e = a.to(D.int64), e.to(D.int64)
    ok = matches.flatten()
    abs_diff = (a - e).abs()
    abs_diff[ok] = 0  # (only mismatches count)
    max_abs, abs_at = abs_diff.max(0)
    rel_diff = abs_diff / e.abs()
    rel_diff[ok] = 0
    max_rel, rel_at = rel_diff.max(0)
    return _mismatch_msg("Tensor-likes", extra, max_abs.item(), unravel(int(abs_at)), atol, max_rel.item(),
                         unravel(int(rel_at)), rtol)


# ------------------------------------------------------------------ the kinds of pairs
def _none_pair(actual, expected, where, **options):
    if actual is not None and expected is not None:
        raise _Unsupported

    def compare():
        if not (actual is None and expected is None):
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", where)
    return compare


def _bool_pair(actual, expected, where, **options):
    kinds = (bool, np.bool_)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    a, e = bool(actual), bool(expected)

    def compare():
        if a is not e:
            raise _Failure(AssertionError, f"Booleans mismatch: {a} is not {e}", where)
    return compare


def _number_pair(actual, expected, where, *, rtol, atol, equal_nan, check_dtype, **options):
    kinds = (int, float, complex, np.number)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    a, e = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (a, e)], rtol, atol, where)

    def compare():
        if check_dtype and type(a) is not type(e):
            raise _Failure(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", where)
        if a == e or (equal_nan and cmath.isnan(a) and cmath.isnan(e)):
            return
        diff = abs(a - e)
        if cmath.isfinite(diff) and diff <= atol + rtol * abs(e):
            return
        raise _Failure(AssertionError, _scalar_msg(a, e, rtol, atol), where)
    return compare


def _tensor_pair(actual, expected, where, *, allow_subclasses, rtol, atol, equal_nan, check_device, check_dtype,
                 check_stride, **options):
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        raise _Unsupported
    if not allow_subclasses and type(actual) is not type(expected):
        raise _Unsupported
    tensors = []
    for x in (actual, expected):
        if isinstance(x, Tensor):
            tensors.append(x)
            continue
        try:
            tensors.append(as_tensor(x))
        except Exception:
            raise _Unsupported from None
    a, e = tensors
    rtol, atol = _tolerances([a.dtype, e.dtype], rtol, atol, where)

    def fail(attribute, mine, theirs):
        raise _Failure(AssertionError, f"The values for attribute '{attribute}' do not match: {mine} != {theirs}.",
                       where)

    def compare():
        nonlocal a, e
        if a.shape != e.shape:
            fail("shape", a.shape, e.shape)
        if check_stride and a.stride() != e.stride():
            fail("stride()", a.stride(), e.stride())
        if check_device and a.device != e.device:
            fail("device", a.device, e.device)
        if check_dtype and a.dtype != e.dtype:
            fail("dtype", a.dtype, e.dtype)
        a, e = a.detach(), e.detach()
        if a.device != e.device:
            a, e = a.cpu(), e.cpu()
        if a.dtype != e.dtype:
            common = D.promote_types(a.dtype, e.dtype)
            a, e = a.to(common), e.to(common)
        matches = a.isclose(e, rtol=rtol, atol=atol, equal_nan=equal_nan)
        if bool(matches.all()):
            return
        if a.dim() == 0:
            msg = _scalar_msg(a.item(), e.item(), rtol, atol)
        else:
            msg = _tensor_msg(a, e, matches, rtol, atol)
        raise _Failure(AssertionError, msg, where)
    return compare


_PAIRS = (_none_pair, _bool_pair, _number_pair, _tensor_pair)


def _pairs(actual, expected, where, options):
    """The comparisons of ``actual`` and ``expected`` (nested sequences and mappings walked)."""
    seq = collections.abc.Sequence
    if isinstance(actual, seq) and not isinstance(actual, str) and isinstance(expected, seq) \
            and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                           where)
        return [c for i in range(len(actual)) for c in _pairs(actual[i], expected[i], (*where, i), options)]
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        mine, theirs = set(actual.keys()), set(expected.keys())
        if mine != theirs:
            raise _Failure(AssertionError, f"The keys of the mappings do not match:\n"
                                           f"Missing keys in the actual mapping: {sorted(theirs - mine)}\n"
                                           f"Additional keys in the actual mapping: {sorted(mine - theirs)}", where)
        try:
            keys = sorted(mine)
        except Exception:
            keys = mine
        return [c for k in keys for c in _pairs(actual[k], expected[k], (*where, k), options)]
    for make in _PAIRS:
        try:
            return [make(actual, expected, where, **options)]
        except _Unsupported:
            continue
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {_class_name(actual)} and "
                              f"{_class_name(expected)}.", where)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Assert that ``actual`` and ``expected`` are close: ``|actual - expected| <= atol +
    rtol * |expected|`` element-wise, infinities only close to themselves, NaNs only to
    NaNs and only with ``equal_nan``. Mirrors ``torch.testing.assert_close``.

    Tensors (and NumPy arrays, compared with each other) must also have the same shape, and
    by default the same dtype and device (``check_dtype``, ``check_device``) and, with
    ``check_stride``, the same strides; with those checks off, the values are compared
    after moving both to the CPU and promoting them to a common dtype. Python numbers must
    be of one type (with ``check_dtype``). Sequences and mappings are compared item by item.

    Without ``rtol`` and ``atol`` (give both or neither), each pair gets the looser of its
    two dtypes' defaults: ``(rtol, atol)`` = float16 ``(1e-3, 1e-5)``, bfloat16
    ``(1.6e-2, 1e-5)``, float32 and complex64 ``(1.3e-6, 1e-5)``, float64 and complex128
    ``(1e-7, 1e-7)``, any other dtype ``(0, 0)`` (exact). A Python int counts as int64, a
    float as float64, a complex as complex128.

    Args:
        actual: the actual input.
        expected: the expected input.
        allow_subclasses: whether a tensor and an instance of a subclass (``Parameter``)
            may be compared.
        rtol: relative tolerance (with ``atol``).
        atol: absolute tolerance (with ``rtol``).
        equal_nan: whether two NaNs are equal.
        check_device: whether the devices must match.
        check_dtype: whether the dtypes (types of numbers) must match.
        check_layout: accepted for PyTorch's signature; reftorch tensors are all strided.
        check_stride: whether the strides must match.
        msg: a message replacing the generated one, or a function of the generated one.

    Raises:
        AssertionError: when the inputs are not close, with PyTorch's message (``Tensor-likes
            are not close!``, the number of mismatched elements, the greatest absolute and
            relative differences and where), or their structure or attributes differ.
        ValueError: when only one of ``rtol`` and ``atol`` is given.
        TypeError: for inputs no comparison handles (a tensor and a list …).

    Examples:
        >>> import reftorch as torch
        >>> torch.testing.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-6]))
        >>> torch.testing.assert_close(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0, 2.5, 3.0]))
        Traceback (most recent call last):
        ...
        AssertionError: Tensor-likes are not close!
        <BLANKLINE>
        Mismatched elements: 1 / 3 (33.3%)
        Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
        Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    try:
        comparisons = _pairs(actual, expected, (), options)
    except _Failure as failure:
        raise failure.to_error() from None
    for compare in comparisons:
        try:
            compare()
        except _Failure as failure:
            raise failure.to_error(msg) from None
