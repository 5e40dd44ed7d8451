"""``reftorch.nn``: modules, parameters, initialisation and functional forms.

Mirrors ``torch.nn``: ``from reftorch import nn`` gives ``nn.Module``, ``nn.Parameter``,
``nn.Linear``, ``nn.Embedding``, the activations, the losses, the containers, the
recurrent layers, ``nn.functional``, ``nn.init`` and ``nn.utils``.
"""
from __future__ import annotations

from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import modules as _modules
from .modules.linear_cross_entropy_options import LinearCrossEntropyOptions  # noqa: F401

for _k in dir(_modules):
    _v = getattr(_modules, _k)
    if isinstance(_v, type) and issubclass(_v, Module):
        globals()[_k] = _v
del _k, _v

import importlib.util as _ilu  # noqa: E402

for _sub in ("functional", "init", "utils", "grad"):
    if _ilu.find_spec(f"{__name__}.{_sub}") is not None:
        __import__(f"{__name__}.{_sub}")
del _sub, _ilu

from . import parallel  # noqa: F401,E402
from .parallel import DataParallel  # noqa: F401,E402
from .modules import utils as _modules_utils  # noqa: E402  (makes nn.modules.utils reachable, as in torch)
del _modules_utils
