#!/usr/bin/env bash
# Put the recorded sample libraries that `jazzremix synth --sampled-solo P --samples DIR` plays under data/samples/
# (never committed). Karoryfer's Weresax: an alto saxophone, every note of its range (MIDI 49-80) at two
# dynamics, two takes, two microphones; CC0 (https://github.com/sfzinstruments/karoryfer.weresax, 200 MB).
# Usage: scripts/get_sample_libraries.sh [DEST]   (default data/samples); needs git and the network, or
# WERESAX_GIT=/path/to/a/clone (a bare mirror works too).
set -euo pipefail
DEST=${1:-data/samples}
SRC=${WERESAX_GIT:-https://github.com/sfzinstruments/karoryfer.weresax}
if [ -d "$DEST/weresax" ] && [ "$(ls "$DEST/weresax" | wc -l)" -ge 256 ]; then
  echo "$DEST/weresax is there"; exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -d "$SRC" ]; then
  git --git-dir="$( [ -d "$SRC/.git" ] && echo "$SRC/.git" || echo "$SRC")" archive HEAD Samples/alto | tar -x -C "$tmp"
else
  git clone -q --depth 1 "$SRC" "$tmp/clone"
  mv "$tmp/clone/Samples" "$tmp/Samples"
fi
mkdir -p "$DEST"
rm -rf "$DEST/weresax.partial"
mv "$tmp/Samples/alto" "$DEST/weresax.partial"
mv "$DEST/weresax.partial" "$DEST/weresax"
echo "$(ls "$DEST/weresax" | wc -l) samples in $DEST/weresax"
