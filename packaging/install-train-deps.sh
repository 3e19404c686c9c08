#!/usr/bin/env bash
# Install what training needs: the Debian packages of the synthesiser (FluidSynth and the
# General-MIDI soundfonts it draws from), then the Python training extra.
# Idempotent: packages already installed are skipped.
# The soundfont musescore-general-soundfont is deliberately NOT installed here: it is
# reserved for the independent test set and the synthesiser refuses it.
#
# Usage: packaging/install-train-deps.sh [PYTHON]     (default: .venv/bin/python, else python3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bash "$here/apt-install.sh" fluidsynth fluid-soundfont-gm timgm6mb-soundfont
py="${1:-}"
if [ -z "$py" ]; then
  if [ -x "$root/.venv/bin/python" ]; then py="$root/.venv/bin/python"; else py="python3"; fi
fi
# torch pinned to the CPU build: an unpinned torch would pull a multi-GB CUDA build
"$py" -m pip install -q torch==2.13.0
"$py" -m pip install -q -e "$root[train]"
command -v fluidsynth >/dev/null || { echo "fluidsynth still missing" >&2; exit 1; }
echo "training dependencies ready ($py)"
