#!/usr/bin/env bash
# Run the whole test suite: unit and differential tests (against PyTorch 2.13), every
# example on the site in both languages (on reftorch and on PyTorch), every docstring
# example, a strict build of the site in both languages, and the site in a real browser
# (tests/test_browser.py: Playwright driving Debian's chromium, installed here if missing).
# Installs what it needs into .venv on first use.
# Extra arguments go to pytest (e.g. `scripts/test.sh docs/en/guide/cat-stack.md`).
set -euo pipefail
. "$(dirname "$0")/_venv.sh" test,docs
if ! command -v chromium >/dev/null 2>&1; then
    # Playwright's own browser downloads are not used: the browser tests drive Debian's
    # chromium (and need a CJK font for the Chinese pages).
    packages="chromium fonts-wqy-zenhei"
    if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else sudo="none"; fi
    if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing $packages for the browser tests (apt-get) ..."
        export DEBIAN_FRONTEND=noninteractive
        $sudo apt-get install -y -qq $packages >/dev/null 2>&1 \
            || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq $packages >/dev/null 2>&1; } \
            || echo "Could not install $packages: tests/test_browser.py will fail and say so."
    else
        echo "chromium is not installed (apt-get install $packages, as root): tests/test_browser.py will fail and say so."
    fi
fi
export NO_MKDOCS_2_WARNING=1
exec python -m pytest -q "$@"
