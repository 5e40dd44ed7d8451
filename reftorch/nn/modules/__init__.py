"""The layers of ``reftorch.nn`` (mirrors ``torch/nn/modules/``)."""
from __future__ import annotations

import importlib.util as _ilu

from .module import Module  # noqa: F401

for _name in ("container", "linear", "activation", "dropout", "flatten", "sparse", "loss", "conv", "pooling",
              "batchnorm", "normalization", "distance", "padding", "upsampling", "transformer", "pixelshuffle", "instancenorm",
              "fold", "adaptive"):
    if _ilu.find_spec(f"{__name__}.{_name}") is not None:
        _mod = __import__(f"{__name__}.{_name}", fromlist=["__all__"])
        for _k in getattr(_mod, "__all__", ()):
            globals()[_k] = getattr(_mod, _k)

# The recurrent layers live in rnn.py, written alongside this package; importing works
# before that file exists (only the "module not found" case is tolerated).
if _ilu.find_spec(f"{__name__}.rnn") is not None:
    from .rnn import RNNBase, RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell  # noqa: F401
    from . import rnn as _rnn
    if hasattr(_rnn, "RNNCellBase"):
        RNNCellBase = _rnn.RNNCellBase
    del _rnn

del _ilu
