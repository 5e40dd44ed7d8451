"""The recurrent sequence operators of the torch namespace: ``torch.lstm``, ``torch.gru``,
``torch.rnn_tanh`` and ``torch.rnn_relu``.

They are what ``nn.LSTM``, ``nn.GRU`` and ``nn.RNN`` call in PyTorch (``_VF.lstm`` ...),
with the weights given as one flat list. Each has two overloads, told apart by their
argument types as PyTorch's argument parser does:

* padded: ``(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
  batch_first)`` with ``input`` ``(T, B, F)`` (``(B, T, F)`` with ``batch_first``);
* packed: ``(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
  bidirectional)`` with the data and the int64 ``batch_sizes`` of a ``PackedSequence``.

``hx`` is the tensor ``h_0`` for the GRU and the RNNs and the pair ``(h_0, c_0)`` for the
LSTM; the LSTM has projections when ``h_0`` and ``c_0`` differ in their last size. The
computation is the modules' own (:func:`reftorch.nn.modules.rnn.sequence_forward`).
"""
from __future__ import annotations

import numbers

from . import _dtype as D
from ._tensor import Tensor
from .nn.modules.rnn import sequence_forward

_OPTIONS = "bool has_biases, int num_layers, float dropout, bool train, bool bidirectional"


def _is_tensors(v):
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(t, Tensor) for t in v)


def _is_float(v):
    return isinstance(v, numbers.Real)


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_bool(v):
    return isinstance(v, bool)


def _parse(name, lstm, args, kwargs):
    """Bind the arguments to the overload they fit: ``(packed, values)`` with ``values`` in
    the order of that overload's parameters. A TypeError with PyTorch's text otherwise."""
    hx_type = "tuple of Tensors" if lstm else "Tensor"
    hx_ok = _is_tensors if lstm else (lambda v: isinstance(v, Tensor))
    tensor_ok = (lambda v: isinstance(v, Tensor))
    opts = [("has_biases", _is_bool), ("num_layers", _is_int), ("dropout", _is_float), ("train", _is_bool),
            ("bidirectional", _is_bool)]
    packed = [("data", tensor_ok), ("batch_sizes", tensor_ok), ("hx", hx_ok), ("params", _is_tensors)] + opts
    padded = [("input", tensor_ok), ("hx", hx_ok), ("params", _is_tensors)] + opts + [("batch_first", _is_bool)]
    for is_packed, params in ((True, packed), (False, padded)):
        names = [p for p, _ in params]
        if len(args) > len(names) or any(k not in names for k in kwargs):
            continue
        values = dict(zip(names, args))
        if any(k in values for k in kwargs):
            continue
        values.update(kwargs)
        if len(values) == len(names) and all(ok(values[p]) for p, ok in params):
            return is_packed, [values[p] for p in names]
    got = ", ".join([type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    raise TypeError(f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:\n"
                    f" * (Tensor data, Tensor batch_sizes, {hx_type} hx, tuple of Tensors params, {_OPTIONS})\n"
                    f" * (Tensor input, {hx_type} hx, tuple of Tensors params, {_OPTIONS}, bool batch_first)\n")


def _sequence_op(name, mode, args, kwargs):
    lstm = mode == "LSTM"
    is_packed, values = _parse(name, lstm, args, kwargs)
    if is_packed:
        input, batch_sizes, hx, *rest = values
        if batch_sizes.dtype is not D.int64:
            raise RuntimeError(f"expected scalar type Long but found {D.scalar_name(batch_sizes.dtype)}")
        batch_sizes = [int(v) for v in batch_sizes.tolist()]
        batch_first = False
    else:
        input, hx, *rest = values
        batch_sizes, batch_first = None, rest.pop()
    params, has_biases, num_layers, dropout, train, bidirectional = rest
    if lstm:
        if len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        hx, cx = hx
    else:
        cx = None
    output, h_n, c_n = sequence_forward(mode, input, batch_sizes, hx, cx, list(params), has_biases, num_layers,
                                        float(dropout), train, bidirectional, batch_first)
    return (output, h_n, c_n) if lstm else (output, h_n)


def lstm(*args, **kwargs):
    """A stack of LSTM layers over a sequence, the operator behind :class:`~reftorch.nn.LSTM`.

    ``torch.lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)`` for a padded ``input`` ``(T, B, F)``, or ``torch.lstm(data, batch_sizes,
    hx, params, has_biases, num_layers, dropout, train, bidirectional)`` for packed data.
    ``hx`` is ``(h_0, c_0)``, ``(L*D, B, H_out)`` and ``(L*D, B, H)``; ``params`` lists
    ``w_ih, w_hh[, b_ih, b_hh][, w_hr]`` for every layer and direction, in the order of
    ``nn.LSTM.parameters()`` (``w_hr`` when ``H_out != H``). Dropout is applied between
    the layers when ``train`` is true. Mirrors ``torch.lstm``.

    Returns:
        tuple: ``(output, h_n, c_n)``.

    Raises:
        RuntimeError: a wrong number of states or weights, mismatched dtypes or sizes,
            an empty sequence, a dropout probability outside [0, 1] (with ``train``).
        TypeError: arguments that fit neither overload.

    Examples:
        >>> import reftorch as torch
        >>> lstm = torch.nn.LSTM(2, 3)
        >>> x, h0 = torch.randn(4, 1, 2), torch.zeros(1, 1, 3)
        >>> params = list(lstm.parameters())
        >>> out, h_n, c_n = torch.lstm(x, (h0, h0), params, True, 1, 0.0, False, False, False)
        >>> torch.equal(out, lstm(x)[0])
        True
    """
    return _sequence_op("lstm", "LSTM", args, kwargs)


def gru(*args, **kwargs):
    """A stack of GRU layers over a sequence, the operator behind :class:`~reftorch.nn.GRU`.

    The arguments are those of :func:`lstm` with ``hx`` the tensor ``h_0`` ``(L*D, B, H)``
    and ``params`` ``w_ih, w_hh[, b_ih, b_hh]`` per layer and direction. Mirrors
    ``torch.gru``.

    Returns:
        tuple: ``(output, h_n)``.
    """
    return _sequence_op("gru", "GRU", args, kwargs)


def rnn_tanh(*args, **kwargs):
    """A stack of Elman RNN layers with ``tanh``, the operator behind
    :class:`~reftorch.nn.RNN`; the arguments are those of :func:`gru`. Mirrors
    ``torch.rnn_tanh``.

    Returns:
        tuple: ``(output, h_n)``.
    """
    return _sequence_op("rnn_tanh", "RNN_TANH", args, kwargs)


def rnn_relu(*args, **kwargs):
    """:func:`rnn_tanh` with ``relu``. Mirrors ``torch.rnn_relu``.

    Returns:
        tuple: ``(output, h_n)``.
    """
    return _sequence_op("rnn_relu", "RNN_RELU", args, kwargs)
