#!/usr/bin/env bash
# Build and serve the bilingual site at http://127.0.0.1:8000/ (English) and /zh/ (Chinese).
# Installs what it needs into .venv on first use. Extra arguments go to `mkdocs serve`.
set -euo pipefail
. "$(dirname "$0")/_venv.sh" docs
export NO_MKDOCS_2_WARNING=1
exec mkdocs serve --strict -a "${DOCS_ADDR:-127.0.0.1:8000}" "$@"
