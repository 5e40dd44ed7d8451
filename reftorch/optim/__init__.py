"""``reftorch.optim``: optimizers and learning-rate schedulers. Mirrors ``torch.optim``.

* ``optimizer.py`` — the ``Optimizer`` base (param groups, state, state_dict);
* ``sgd.py``, ``adam.py``, ``adamw.py``, ``nadam.py``, ``rmsprop.py``, ``adagrad.py`` … — one
  optimizer each, with its update written once over the backend's array namespace;
* ``adafactor.py``, ``sparse_adam.py`` — Adafactor (tensor operations, as PyTorch) and
  SparseAdam (its checks; reftorch has no sparse gradients);
* ``_muon.py`` — Muon, whose Newton–Schulz step emulates PyTorch's bfloat16 arithmetic;
* ``lbfgs.py`` — L-BFGS, which evaluates its closure several times per step, written with
  tensor operations;
* ``lr_scheduler.py`` — the schedulers;
* ``_stateless.py`` — ``swap_in_optimizer_params_and_state`` (step on other tensors);
* ``swa_utils.py`` — weight averaging (SWA, EMA) and its lr scheduler.
"""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from ._muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam
from ._stateless import swap_in_optimizer_params_and_state

__all__ = ["ASGD", "SGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Muon", "NAdam", "Optimizer", "RAdam",
           "RMSprop", "Rprop", "SparseAdam", "lr_scheduler", "swa_utils",
           "swap_in_optimizer_params_and_state"]
