# Shared by scripts/docs.sh and scripts/test.sh: create .venv once and install extras into it.
# Usage: . scripts/_venv.sh EXTRAS   (e.g. "docs" or "test,docs")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
# shellcheck disable=SC1091
. .venv/bin/activate
stamp=".venv/.installed-$1-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    python -m pip install -qq --upgrade pip   # -qq: errors only (no notices a newcomer has to wonder about)
    python -m pip install -qq -e ".[$1]"
    touch "$stamp"
fi
