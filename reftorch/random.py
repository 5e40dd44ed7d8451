"""Random number generators and global seeding. Mirrors ``torch.random`` and ``torch.Generator``.

reftorch's CPU generator reproduces PyTorch's CPU random streams bit for bit (see
``reftorch/_rng.py``), so ``manual_seed(0)`` followed by ``rand``/``randint``/``randperm``
gives exactly PyTorch's numbers. CUDA tensors draw on the host with the same generator
and are copied to the device (PyTorch's CUDA generator, Philox, is not reproduced).
"""
from __future__ import annotations

import contextlib
import warnings

from . import _rng
from ._backends.cupy_backend import _NO_CUDA, cupy_available, gpu_count
from ._device import device as _dev
from ._tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "default_generator", "fork_rng"]


class Generator:
    """A random number generator whose state can be seeded, saved and restored.

    Mirrors ``torch.Generator``. Pass it as ``generator=`` to random functions and to
    ``DataLoader``/samplers for reproducible draws that do not disturb the global stream.

    Args:
        device: only ``"cpu"`` generators exist in reftorch.

    Examples:
        >>> import reftorch as torch
        >>> g = torch.Generator().manual_seed(42)
        >>> torch.randint(0, 10, (5,), generator=g)
        tensor([2, 7, 6, 4, 6])
    """

    def __init__(self, device="cpu", *, _engine=None):
        self.device = _dev(device)
        self._engine = _engine if _engine is not None else _rng.CPUGenerator()

    def manual_seed(self, seed) -> "Generator":
        """Seed the generator (any int in ``[-2**63, 2**64)``) and return it."""
        self._engine.manual_seed(int(seed))
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source and return the new seed."""
        return self._engine.seed()

    def initial_seed(self) -> int:
        """The seed last set with :meth:`manual_seed` or :meth:`seed`."""
        return self._engine.initial_seed()

    def get_state(self):
        """The generator state as a uint8 tensor (PyTorch's byte layout)."""
        return Tensor._wrap(self._engine.get_state().copy())  # (a CPU uint8 tensor over the array)

    def set_state(self, new_state) -> "Generator":
        """Restore a state returned by :meth:`get_state`."""
        self._engine.set_state(new_state._host() if hasattr(new_state, "_host") else new_state)
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator(_engine=_rng.default_generator)


#: Called (outermost first) with the engine of every random draw, before it draws:
#: ``torch.func.vmap`` uses them to refuse random operations or to replay them per sample.
_draw_hooks: list = []


def _engine(generator):
    engine = (default_generator if generator is None else generator)._engine
    for hook in _draw_hooks:
        hook(engine)
    return engine


def manual_seed(seed) -> Generator:
    """Seed the global generator so that random results repeat from run to run.

    Mirrors ``torch.manual_seed``; returns the default generator.

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> torch.rand(3)
        tensor([0.4963, 0.7682, 0.0885])
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the global generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The global generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the global generator's state."""
    default_generator.set_state(new_state)


_fork_rng_warned_already = False


def _warn_many_devices(device_type, num_devices, caller, devices_kw):
    global _fork_rng_warned_already
    if num_devices > 1 and not _fork_rng_warned_already:
        d = device_type.upper()
        warnings.warn(
            f"{d} reports that you have {num_devices} available devices, and you have used {caller} without "
            f"explicitly specifying which devices are being used. For safety, we initialize *every* {d} device by "
            f"default, which can be quite slow if you have a lot of {d}s. If you know that you are only making use "
            f"of a few {d} devices, set the environment variable {d}_VISIBLE_DEVICES or the '{devices_kw}' keyword "
            f"argument of {caller} with the set of devices you are actually using. For example, if you are using "
            "CPU only, set device.upper()_VISIBLE_DEVICES= or devices=[]; if you are using device 0 only, set "
            f"{d}_VISIBLE_DEVICES=0 or devices=[0].  To initialize all devices and suppress this warning, set the "
            f"'{devices_kw}' keyword argument to `range(torch.{device_type}.device_count())`.", stacklevel=4)
        _fork_rng_warned_already = True


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """A context in which random draws do not disturb the global random stream: the CPU
    generator's state is saved on entry and restored on exit (also after an exception).

    Mirrors ``torch.random.fork_rng``. reftorch draws the numbers of CUDA tensors from the
    CPU generator, so restoring it restores CUDA draws too; as in PyTorch, naming GPU
    ``devices`` on a machine without a GPU raises, and with ``devices=None`` and several GPUs
    PyTorch's warning is given once.

    Args:
        devices: the GPU indices whose generators to fork (default: all); the CPU
            generator is always forked. ``[]`` for CPU only.
        enabled: ``False`` makes the context do nothing.
        device_type: the accelerator type (default ``"cuda"``); ``"meta"`` does nothing.

    Raises:
        AssertionError: ``devices`` not empty without a GPU ("Torch not compiled with CUDA
            enabled").

    Examples:
        >>> import reftorch as torch
        >>> _ = torch.manual_seed(0)
        >>> with torch.random.fork_rng():
        ...     _ = torch.rand(100)
        >>> torch.rand(2)
        tensor([0.4963, 0.7682])
    """
    if device_type == "meta" or not enabled:
        yield
        return
    device_type = device_type or "cuda"
    if devices is None:
        num_devices = gpu_count()
        _warn_many_devices(device_type, num_devices, _caller, _devices_kw)
        devices = list(range(num_devices))
    else:
        devices = list(devices)
    if devices and not cupy_available():
        raise AssertionError(_NO_CUDA)
    # (the GPUs draw from the CPU generator: its state is all there is to save)
    cpu_rng_state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(cpu_rng_state)
