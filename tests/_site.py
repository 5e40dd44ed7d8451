"""Build the documentation site once per test session (used by test_docs_site.py and
test_browser.py)."""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "zh")


def mkdocs_missing() -> str | None:
    """The first docs dependency that is not installed, or None."""
    for module in ("mkdocs", "material", "mkdocstrings", "latex2mathml", "jieba"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


@functools.cache
def build_site() -> tuple[Path, subprocess.CompletedProcess]:
    """``mkdocs build --strict`` of both languages into a temporary folder."""
    site = Path(tempfile.mkdtemp(prefix="reftorch-site-"))
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=600,
    )
    return site, result


def language_root(site: Path, lang: str) -> Path:
    return site if lang == "en" else site / lang
