#!/usr/bin/env bash
# Start a JACK dummy audio server, run pytest with Qt offscreen, stop jackd, return pytest's status.
set -uo pipefail
PY=${1:-.venv/bin/python}
RATE=${2:-48000}
export QT_QPA_PLATFORM=offscreen
export JACK_NO_AUDIO_RESERVATION=1
# A server of its own name (JACK_DEFAULT_SERVER, which libjack and so PortAudio read): two suites on one
# machine (two checkouts, CI beside a developer) never share or fight over the default server.
export JACK_DEFAULT_SERVER="jazzremix-tests-$$"
JACK_LOG="$(mktemp -t jazzremix-jackd.XXXXXX.log)"
jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r "$RATE" -p 1024 >"$JACK_LOG" 2>&1 &
JACK_PID=$!
trap 'kill $JACK_PID 2>/dev/null; wait $JACK_PID 2>/dev/null; rm -f "$JACK_LOG"' EXIT
for _ in $(seq 1 50); do
  jack_lsp >/dev/null 2>&1 && break
  sleep 0.2
done
if ! jack_lsp >/dev/null 2>&1; then
  echo "warning: JACK dummy server did not start; audio tests will skip. jackd said:" >&2; cat "$JACK_LOG" >&2
fi
export JAZZREMIX_JACK=1
# One test process per core, at least two and at most four (pytest-xdist; JAZZREMIX_TEST_WORKERS=N sets it, 0 runs
# them in this one): on the 2-core VM the suite took 6 min 13 s alone and 3 min 31 s on two (2026-12-03); each
# worker plays into the same JACK server.
CORES=$(nproc 2>/dev/null || echo 2)
WORKERS=${JAZZREMIX_TEST_WORKERS:-$(( CORES < 2 ? 2 : (CORES > 4 ? 4 : CORES) ))}
if [ "$WORKERS" != "0" ] && "$PY" -c "import xdist" 2>/dev/null; then
  set -- "$@" -n "$WORKERS"
fi
"$PY" -m pytest -q "${@:3}"
status=$?
exit $status
