"""The timing loop every benchmark here uses: calls timed in rounds, the libraries (or
formulations) interleaved round by round, so that a change in the machine's speed touches
all of them alike; a figure is the best round, per call.

It imports nothing heavy: the benchmarks that set thread counts before NumPy loads can
import it first.
"""
from __future__ import annotations

import gc
import statistics
import time

#: the clocks a benchmark can time with: the wall clock, or this process's CPU time
#: (user + system: page faults of fresh results count; what other processes do on a
#: shared machine counts less, though they still share its caches)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = [time.perf_counter]


def use_clock(name: str) -> None:
    """Time with ``CLOCKS[name]`` from now on (``"wall"`` at start)."""
    _clock[0] = CLOCKS[name]


def loop_time(fn, number: int = 1) -> float:
    """Seconds per call of ``fn()`` over a loop of ``number`` calls."""
    clock = _clock[0]
    start = clock()
    for _ in range(number):
        fn()
    return (clock() - start) / number


def calibrate(fn, min_time: float) -> int:
    """Calls per round so that one round lasts about ``min_time`` seconds (1 for 0); calls
    ``fn`` at least once (a warm-up)."""
    fn()
    number = 1
    while True:
        t = loop_time(fn, number) * number
        if t >= min_time or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * min_time / max(t, 1e-9) * 1.2))


def race(fns: dict, rounds: int, min_time: float = 0.0, number: int | None = None,
         gc_off: bool = True) -> dict:
    """Time each ``fns[label]()`` for ``rounds`` rounds, the labels in turn within each round.

    Args:
        fns: ``{label: callable}``.
        rounds: samples per label.
        min_time: seconds a round of one label lasts at least (its number of calls is
            calibrated once, before timing; 0: one call per round, after one warm-up call).
        number: calls per round instead of calibrating (after one warm-up call).
        gc_off: keep the cyclic garbage collector off while timing (after a collection).

    Returns:
        ``{label: [seconds per call, one per round]}``.
    """
    if number is None:
        numbers = {k: calibrate(f, min_time) for k, f in fns.items()}
    else:
        for f in fns.values():
            f()
        numbers = dict.fromkeys(fns, number)
    samples = {k: [] for k in fns}
    was_on = gc.isenabled()
    if gc_off:
        gc.collect()
        gc.disable()
    try:
        for _ in range(rounds):
            for k, f in fns.items():
                samples[k].append(loop_time(f, numbers[k]))
    finally:
        if was_on:
            gc.enable()
    return samples


def best(samples: dict) -> dict:
    """``{label: best round}`` of :func:`race`'s samples."""
    return {k: min(v) for k, v in samples.items()}


def best_and_median(samples: dict) -> dict:
    """``{label: (best round, median round)}`` of :func:`race`'s samples."""
    return {k: (min(v), statistics.median(v)) for k, v in samples.items()}


def best_of(fn, rounds: int, number: int = 1, gc_off: bool = False) -> float:
    """The best of ``rounds`` rounds of ``number`` calls of ``fn`` (after one warm-up
    call), in seconds per call."""
    return min(race({"": fn}, rounds, number=number, gc_off=gc_off)[""])
