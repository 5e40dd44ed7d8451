"""``reftorch.cuda.streams``: CUDA events for timing GPU work. Mirrors ``torch.cuda.streams``."""
from __future__ import annotations


class Event:
    """A marker in the GPU's stream of work, for timing and synchronization
    (``cupy.cuda.Event`` underneath).

    GPU kernels run asynchronously, so a host clock around a GPU computation measures
    the launch, not the work. Record one event before and one after, wait for the
    second, and read the time between them::

        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        y = x @ x
        end.record()
        end.synchronize()
        ms = start.elapsed_time(end)

    Args:
        enable_timing: the event measures time (needed by :meth:`elapsed_time`).
        blocking: :meth:`synchronize` blocks the CPU thread instead of spinning.
        interprocess: the event can be shared between processes.
        external: accepted for PyTorch compatibility (CUDA graphs).

    Raises:
        RuntimeError: without a GPU ("Tried to instantiate dummy base class Event"), as
            PyTorch's CPU build.

    Mirrors ``torch.cuda.Event``.
    """

    def __new__(cls, enable_timing=False, blocking=False, interprocess=False, external=False):
        from . import is_available  # (torch.cuda's own __init__, which imports this module)
        if not is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")
        return super().__new__(cls)

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, external=False):
        import cupy
        self.enable_timing = bool(enable_timing)
        self._event = cupy.cuda.Event(block=bool(blocking), disable_timing=not enable_timing,
                                      interprocess=bool(interprocess))
        self._recorded = False

    def record(self, stream=None) -> None:
        """Record the event in ``stream`` (default: the current stream)."""
        self._event.record(getattr(stream, "_stream", stream))
        self._recorded = True

    def wait(self, stream=None) -> None:
        """Make later work on ``stream`` (default: the current stream) wait for this event."""
        import cupy
        s = getattr(stream, "_stream", stream) or cupy.cuda.get_current_stream()
        s.wait_event(self._event)

    def query(self) -> bool:
        """Whether all the work recorded before this event has finished."""
        return bool(self._event.done)

    def synchronize(self) -> None:
        """Wait (on the CPU) until the work recorded before this event has finished."""
        self._event.synchronize()

    def elapsed_time(self, end_event) -> float:
        """Milliseconds between this event and ``end_event`` (both recorded, both with
        ``enable_timing=True``; ``end_event`` must have completed).

        Raises:
            RuntimeError: if an event does not time or was not recorded (PyTorch's texts).
        """
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if not (self._recorded and end_event._recorded):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        import cupy
        return float(cupy.cuda.get_elapsed_time(self._event, end_event._event))

    def __repr__(self):
        if not self._recorded:
            return "<torch.cuda.Event uninitialized>"
        return f"<torch.cuda.Event {self._event.ptr:#x}>"
