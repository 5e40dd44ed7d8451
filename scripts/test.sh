#!/usr/bin/env bash
# Run the whole test suite: unit and differential tests (against PyTorch 2.13), every
# example on the site in both languages (on reftorch and on PyTorch), every docstring
# example, and a strict build of the site. Installs what it needs into .venv on first use.
# Extra arguments go to pytest (e.g. `scripts/test.sh docs/en/guide/cat-stack.md`).
set -euo pipefail
. "$(dirname "$0")/_venv.sh" test,docs
export NO_MKDOCS_2_WARNING=1
exec python -m pytest -q "$@"
