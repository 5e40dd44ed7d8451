"""``reftorch.optim``: optimizers and learning-rate schedulers. Mirrors ``torch.optim``.

* ``optimizer.py`` — the ``Optimizer`` base (param groups, state, state_dict);
* ``sgd.py``, ``adam.py``, ``adamw.py``, ``rmsprop.py``, ``adagrad.py`` — one optimizer each,
  with its update written once over the backend's array namespace;
* ``lr_scheduler.py`` — the schedulers.
"""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
from .adam import Adam  # noqa: F401
from .adamw import AdamW  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .adagrad import Adagrad  # noqa: F401
from . import lr_scheduler  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
