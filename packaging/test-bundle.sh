#!/usr/bin/env bash
# Check a built bundle as a user without Python would run it: each step in an empty environment
# (env -i: no PYTHONPATH, no venv, a fresh HOME), exit status non-zero on the first failure.
#   1. `jazzremix --version`
#   2. `jazzremix separate` on a 3 s generated WAV: both stems written, input length and rate kept
#   3. no display: one error line and exit 1
#   4. `jazzremix FILE` (what a file manager runs) under Xvfb: the window is up and alive after 10 s
# The test WAV is written and the outputs are read with the system python3's standard library
# (test scaffolding only; the bundle itself needs no Python).
# Usage: packaging/test-bundle.sh [BUNDLE_DIR]     (default dist/jazzremix); needs Xvfb (package xvfb)
set -uo pipefail
bundle="$(cd "${1:-dist/jazzremix}" && pwd)"
exe="$bundle/jazzremix"
[ -x "$exe" ] || { echo "test-bundle: no executable $exe (run make package)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'kill $xvfb_pid $app_pid 2>/dev/null; rm -rf "$work"' EXIT
xvfb_pid=""; app_pid=""
fail() { echo "test-bundle: FAIL: $*" >&2; exit 1; }
run() { env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
mkdir -p "$work/home"

version="$(run "$exe" --version)" || fail "--version exited $?"
[[ "$version" == jazzremix\ * ]] || fail "--version printed '$version'"
echo "ok 1 --version: $version"

python3 -I - "$work/in.wav" <<'PY' || fail "cannot write the test WAV"
import math, struct, sys, wave
rate, n = 44100, 3 * 44100
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(rate)
    w.writeframes(b"".join(struct.pack("<hh", int(8000 * math.sin(2 * math.pi * 440 * i / rate)),
                                       int(6000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n)))
PY
start=$(date +%s%N)
run "$exe" separate "$work/in.wav" --out "$work/out" 2>"$work/separate.err" || fail "separate: $(cat "$work/separate.err")"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
python3 -I - "$work/in.wav" "$work/out/in.solo.wav" "$work/out/in.accompaniment.wav" <<'PY' || fail "stems do not match the input"
import sys, wave
def info(p):
    with wave.open(p) as w:
        return w.getnchannels(), w.getframerate(), w.getnframes()
src, solo, acc = map(info, sys.argv[1:])
assert solo == (1, src[1], src[2]), (src, solo)
assert acc == (2, src[1], src[2]), (src, acc)
PY
echo "ok 2 separate: both stems, same rate and length (${took_ms} ms for a 3 s file)"

run "$exe" gui >"$work/nodisplay.out" 2>"$work/nodisplay.err"
status=$?
[ $status -eq 1 ] || fail "with no display the app exited $status (want 1)"
[ "$(wc -l <"$work/nodisplay.err")" -eq 1 ] || fail "with no display: $(cat "$work/nodisplay.err")"
echo "ok 3 no display: exit 1, '$(cat "$work/nodisplay.err")'"

command -v Xvfb >/dev/null || fail "Xvfb is not installed (apt install xvfb)"
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
run DISPLAY="$display" "$exe" "$work/in.wav" >"$work/gui.out" 2>"$work/gui.err" &
app_pid=$!
sleep 10
kill -0 $app_pid 2>/dev/null || fail "the app quit within 10 s: $(tail -5 "$work/gui.err")"
if command -v import >/dev/null && [ -n "${SHOT:-}" ]; then   # SHOT=file.png: keep a picture (ImageMagick)
  DISPLAY="$display" import -window root "$SHOT" 2>/dev/null && echo "   screenshot: $SHOT"
fi
if command -v xwininfo >/dev/null; then
  DISPLAY="$display" xwininfo -root -tree | grep -q '"Jazz Remix' || fail "no 'Jazz Remix' window on $display"
fi
kill $app_pid; wait $app_pid 2>/dev/null; app_pid=""
grep -q "Traceback" "$work/gui.err" && fail "the app printed a traceback: $(cat "$work/gui.err")"
log=$(find "$work/home" -name jazzremix.log | head -1)
[ -n "$log" ] || fail "no log file under the fresh HOME"
grep -q "app started" "$log" || fail "the log file has no 'app started' line: $(tail -3 "$log")"
echo "ok 4 gui: window up for 10 s on a file, log at ${log#$work/home/}"
echo "bundle OK: $bundle ($(du -sh "$bundle" | cut -f1))"
