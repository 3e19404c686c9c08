#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/jazzremix/ with PyInstaller (packaging/jazzremix.spec).
# Usage: packaging/build-bundle.sh PYTHON     (a Python with jazzremix-gui and its `package` extra installed)
set -euo pipefail
PY=${1:-.venv/bin/python}
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$PY" -m PyInstaller --version >/dev/null 2>&1 || { echo "PyInstaller missing: pip install -e '.[package]'" >&2; exit 1; }
rm -rf dist/jazzremix build/pyinstaller   # a clean build: PyInstaller can reuse stale module code from its work folder
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/jazzremix.spec
echo "bundle: dist/jazzremix ($(du -sh dist/jazzremix | cut -f1)); check it with: bash packaging/test-bundle.sh"
