"""The package passes pyflakes' checks (ruff's ``F`` rules: undefined names, unused
imports and variables, redefinitions) and has no syntax errors (``E9``). ruff is pinned in
the ``docs`` extra, which the test command installs."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_package_passes_pyflakes_rules():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "E9,F",
                          "--output-format", "concise", "reftorch"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
