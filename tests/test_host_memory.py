"""The NumPy backend starts glibc's malloc at the thresholds it reaches with large arrays
(reftorch/_backends/_host_memory.py), so a step that frees and re-allocates a few
megabytes of arrays does not take the memory back from the system each time (a page fault
per 4 KiB page on the next write)."""
import pathlib
import platform
import subprocess
import sys

import pytest

from reftorch._backends import _host_memory

ROOT = pathlib.Path(__file__).resolve().parents[1]

# Three 3 MiB arrays written and freed per step (under NumPy's 4 MiB huge-page advice).
# With glibc's starting thresholds each one is mapped afresh, and after the first free
# the 9 MiB freed at the heap's top exceed twice the raised mmap threshold and are
# trimmed: every step faults its pages in again (~2300 faults of 4 KiB).
_STEPS = """
import resource, numpy as np
import reftorch
reftorch.zeros(1)  # the NumPy backend is created with the first CPU tensor
def step():
    arrays = [np.ones(3 << 18, np.float32) for _ in range(3)]
    del arrays
step(); step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc = pytest.mark.skipif(sys.platform != "linux" or platform.libc_ver()[0] != "glibc",
                           reason="the thresholds are glibc's")


def _faults(env_extra):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env_extra}
    run = subprocess.run([sys.executable, "-c", _STEPS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    return int(run.stdout.split()[-1])


@glibc
def test_freed_arrays_are_reused_without_page_faults():
    # 5 steps x 9 MiB would be ~11500 faults if the memory went back to the system each time
    assert _faults({}) < 500


def _huge_pages_always():
    path = pathlib.Path("/sys/kernel/mm/transparent_hugepage/enabled")
    return path.exists() and "[always]" in path.read_text()


@glibc
@pytest.mark.skipif(_huge_pages_always(), reason="with huge pages always on, mapped memory faults per 2 MiB")
def test_a_users_malloc_settings_are_left_alone():
    # The user's own setting (the mmap threshold at its 128 KiB start) wins: each array is
    # mapped afresh, and faults its pages in every step.
    assert _faults({"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"}) > 5 * 3 * 600


def test_settings_in_the_environment_turn_it_off(monkeypatch):
    for name in _host_memory._USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert _host_memory.start_at_steady_state() is False
