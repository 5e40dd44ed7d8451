"""The package, its tests and its tools pass pyflakes' checks (ruff's ``F`` rules: undefined
names, unused imports and variables, redefinitions) and have no syntax errors (``E9``). ruff
is pinned in the ``docs`` extra, which the test command installs."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("folder", ["reftorch", "tests", "tools"])
def test_code_passes_pyflakes_rules(folder):
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "E9,F",
                          "--output-format", "concise", folder],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
