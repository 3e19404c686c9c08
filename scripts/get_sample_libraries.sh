#!/usr/bin/env bash
# Put the recorded sample libraries that `jazzremix synth --sampled-solo P --sampled-bass P --samples DIR,...`
# plays under data/samples/ (never committed). Karoryfer's are CC0, Headroom Piano and MuldjordKit CC BY 4.0:
#   weresax     an alto saxophone, every note of MIDI 49-80 at two dynamics, two takes, two microphones
#               (https://github.com/sfzinstruments/karoryfer.weresax, 200 MB; its folder Samples/alto)
#   emilyguitar an Epiphone electric guitar with flatwound strings recorded direct, every third semitone at four
#               dynamics, three takes (https://github.com/sfzinstruments/karoryfer.emilyguitar, 126 MB; notes/)
#   meatbass    a 1958 double bass played pizzicato, every third semitone at four velocity layers, four takes
#               (https://github.com/sfzinstruments/karoryfer.meatbass, 296 MB; Samples/pizz without its noises)
#   headroom    Bengt Nilsson's Headroom Piano, a Yamaha C3 grand at five velocity layers, close and Decca-tree
#               microphones, every third semitone (https://github.com/sfzinstruments/BengtNilsson.HeadroomPiano,
#               CC BY 4.0, 156 MB; its Samples/, renamed to <note><octave>_vl<L>_rr1_<mic>.flac), the chord part
#   bearsax     Karoryfer's Bear Sax, a 1926 Conn baritone saxophone, its sustained notes at two dynamics, every
#               semitone (https://github.com/sfzinstruments/karoryfer.bear-sax, CC0, 143 MB; Samples/*_looped_[pf].wav
#               only, renamed to <note><octave>_<p|f>_rr1.wav), a solo
#   muldjord    Lars Muldjord's MuldjordKit, a Tama Superstar drum kit recorded with 16 microphones, its SFZ version
#               (https://github.com/sfzinstruments/DrumGizmo.MuldjordKit, CC BY 4.0, 347 MB; Samples/<Piece>/ with the
#               overhead and room pairs only: <N>-<Piece>-{OHL,OHR,AmbL,AmbR}.flac, N soft to loud), the drums
#   emilyguitar-comp  Emilyguitar's files again (hard links), as a chord part: a guitar comping
#   weresax-horn, bearsax-horn  the saxophones' files again (hard links), as horn backgrounds and counter-lines
# Usage: [PYTHON=.venv/bin/python] scripts/get_sample_libraries.sh [DEST]   (default data/samples); needs git and the
# network, or WERESAX_GIT, EMILYGUITAR_GIT, MEATBASS_GIT, HEADROOM_GIT, BEARSAX_GIT, MULDJORD_GIT, MTGSAX_GIT,
# IXOXFLUTE_GIT, TONEJS_GIT=/path/to/a/clone (a bare mirror works too); PYTHON: one with numpy, soundfile and soxr
# (the SFZ ones) and the project installed (notes_to_library.py checks pitches with its YIN).
set -euo pipefail
DEST=${1:-data/samples}
mkdir -p "$DEST"

# Headroom's "HEADROOM PIANO LEVEL3 CLOSE 60.flac" -> c4_vl3_rr1_close.flac (MIDI key 60 = c4)
rename_headroom() {
  local names=(c db d eb e f gb g ab a bb b) f base level mic key
  for f in "$1"/*.flac; do
    base=$(basename "$f" .flac)
    read -r _ _ level mic key <<<"$base"
    mv "$f" "$1/${names[$((key % 12))]}$((key / 12 - 1))_vl${level#LEVEL}_rr1_${mic,,}.flac"
  done
}

# Bear Sax's "d2_looped_f.wav" -> d2_f_rr1.wav; its staccato, growl, subtone and noise samples are dropped
rename_bearsax() {
  local f
  find "$1" -maxdepth 1 -type f ! -name '*_looped_[pf].wav' -delete
  for f in "$1"/*_looped_[pf].wav; do
    mv "$f" "${f%_looped_?.wav}_${f: -5:1}_rr1.wav"
  done
}

# MuldjordKit: keep the overhead and room microphone pairs of every hit (the close microphones are dropped)
keep_muldjord_pairs() {
  find "$1" -type f -name '*.flac' ! -name '*-OHL.flac' ! -name '*-OHR.flac' ! -name '*-AmbL.flac' \
    ! -name '*-AmbR.flac' -delete
}

# get NAME SOURCE FOLDER_IN_REPO MIN_FILES LAYOUT_JSON [RENAME_FUNCTION]
get() {
  local name=$1 src=$2 folder=$3 min=$4 layout=$5 rename=${6:-}
  if [ -d "$DEST/$name" ] && [ "$(ls "$DEST/$name" | wc -l)" -ge "$min" ]; then
    echo "$DEST/$name is there"; return
  fi
  local tmp
  tmp=$(mktemp -d)
  if [ -d "$src" ]; then
    git --git-dir="$( [ -d "$src/.git" ] && echo "$src/.git" || echo "$src")" archive HEAD "$folder" | tar -x -C "$tmp"
  else
    git clone -q --depth 1 "$src" "$tmp/clone"
    mkdir -p "$tmp/$(dirname "$folder")"
    mv "$tmp/clone/$folder" "$tmp/$folder"
  fi
  find "$tmp/$folder" -maxdepth 1 -name 'perc*' -delete  # Meatbass's string noises are not notes
  if [ -n "$rename" ]; then "$rename" "$tmp/$folder"; fi
  if [ -n "$layout" ]; then echo "$layout" > "$tmp/$folder/layout.json"; fi
  rm -rf "$DEST/$name.partial"
  mv "$tmp/$folder" "$DEST/$name.partial"
  mv "$DEST/$name.partial" "$DEST/$name"
  rm -rf "$tmp"
  echo "$(ls "$DEST/$name" | wc -l) files in $DEST/$name"
}

get weresax "${WERESAX_GIT:-https://github.com/sfzinstruments/karoryfer.weresax}" Samples/alto 256 ""
get emilyguitar "${EMILYGUITAR_GIT:-https://github.com/sfzinstruments/karoryfer.emilyguitar}" notes 216 \
  '{"c4_key": 60, "role": "solo"}'
get meatbass "${MEATBASS_GIT:-https://github.com/sfzinstruments/karoryfer.meatbass}" Samples/pizz 224 \
  '{"c4_key": 60, "role": "bass"}'
get headroom "${HEADROOM_GIT:-https://github.com/sfzinstruments/BengtNilsson.HeadroomPiano}" Samples 300 \
  '{"c4_key": 60, "role": "comp"}' rename_headroom
get bearsax "${BEARSAX_GIT:-https://github.com/sfzinstruments/karoryfer.bear-sax}" Samples 64 \
  '{"c4_key": 72, "role": "solo"}' rename_bearsax
get muldjord "${MULDJORD_GIT:-https://github.com/sfzinstruments/DrumGizmo.MuldjordKit}" DrumGizmo/MuldjordKit/Samples \
  17 '{"role": "drums"}' keep_muldjord_pairs

# Another part from a library's files (hard links, no second copy) under another layout:
# alias NAME FROM LAYOUT_JSON
alias_library() {
  local name=$1 from=$2 layout=$3
  if [ -d "$DEST/$name" ]; then
    echo "$DEST/$name is there"; return
  fi
  rm -rf "$DEST/$name.partial"
  mkdir "$DEST/$name.partial"
  find "$DEST/$from" -maxdepth 1 \( -name '*.wav' -o -name '*.flac' \) -exec ln {} "$DEST/$name.partial/" \;
  echo "$layout" > "$DEST/$name.partial/layout.json"
  mv "$DEST/$name.partial" "$DEST/$name"
  echo "$(ls "$DEST/$name" | wc -l) files in $DEST/$name"
}

# The guitar also comps; the saxophones also play horn backgrounds and counter-lines (a recorded saxophone in
# the accompaniment: `jazzremix synth --sampled-horns P`)
alias_library emilyguitar-comp emilyguitar '{"c4_key": 60, "role": "comp"}'
alias_library weresax-horn weresax '{"c4_key": 72, "role": "horn"}'
alias_library bearsax-horn bearsax '{"c4_key": 72, "role": "horn"}'

# Libraries laid out by SFZ region files (notes by index, 48 kHz, per-note tuning and level): converted by
# scripts/sfz_to_library.py (experiment e38, docs/SEPARATOR_V3.md):
#   mtg-soprano, mtg-tenor  MTG Solo Saxophones' soprano and tenor (https://github.com/sfzinstruments/MTG.SoloSax,
#               CC BY 4.0, 110 MB; the Music Technology Group's Freesound packs programmed by kinwie), every semitone at
#               two dynamics, solos
#   ixox-flute  Xavier Hosxe's Ixox Flute (https://github.com/sfzinstruments/Ixox.Flute, CC BY 4.0, 11 MB), every
#               third semitone at three dynamics, a solo
# MTGSAX_GIT, IXOXFLUTE_GIT=/path/to/a/clone or bare mirror; otherwise each is cloned (shallow) into a temporary folder.
# convert SCRIPT PRESET SRC: a library converted by scripts/SCRIPT from SRC (a clone or mirror, or a URL to clone)
convert() {
  local script=$1 preset=$2 src=$3 tmp=""
  if [ -d "$DEST/$preset" ]; then
    echo "$DEST/$preset is there"; return
  fi
  if [ ! -d "$src" ]; then
    tmp=$(mktemp -d)
    git clone -q --depth 1 "$src" "$tmp/clone"
    src=$tmp/clone
  fi
  "${PYTHON:-python3}" "$(dirname "$0")/$script" "$preset" "$src" "$DEST"
  if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
convert sfz_to_library.py mtg-soprano "${MTGSAX_GIT:-https://github.com/sfzinstruments/MTG.SoloSax}"
convert sfz_to_library.py mtg-tenor "${MTGSAX_GIT:-https://github.com/sfzinstruments/MTG.SoloSax}"
convert sfz_to_library.py ixox-flute "${IXOXFLUTE_GIT:-https://github.com/sfzinstruments/Ixox.Flute}"

# Libraries of one note per file named by pitch (the Tone.js instruments' samples, CC BY 3.0, edited by N. Brosowsky
# from public sources: trumpet and trombone from VSCO 2 Community Edition; https://github.com/nbrosowsky/tonejs-
# instruments, 1.7 GB whole, so its 107 MB copy https://github.com/Reveille33/jamtrack-samples), converted by
# scripts/notes_to_library.py (experiment e41, docs/SEPARATOR_V3.md): every note's pitch checked by YIN, one dynamic:
#   tonejs-trumpet   a trumpet, every semitone E3-E6, a solo
#   tonejs-trombone  a tenor trombone, Bb1-F4 about every third semitone, a solo
#   tonejs-clarinet  a clarinet, D3-Bb5 every third or fourth semitone (its F#6 is an F6 and is left out), a solo
#   tonejs-trumpet-horn, tonejs-trombone-horn  the brass files again (hard links), as horn backgrounds
# TONEJS_GIT=/path/to/a/clone or bare mirror of either repository; otherwise the copy is cloned (shallow).
for p in tonejs-trumpet tonejs-trombone tonejs-clarinet; do
  convert notes_to_library.py $p "${TONEJS_GIT:-https://github.com/Reveille33/jamtrack-samples}"
done
alias_library tonejs-trumpet-horn tonejs-trumpet '{"c4_key": 60, "role": "horn"}'
alias_library tonejs-trombone-horn tonejs-trombone '{"c4_key": 60, "role": "horn"}'
