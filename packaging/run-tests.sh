#!/usr/bin/env bash
# Start a JACK dummy audio server, run pytest with Qt offscreen, stop jackd, return pytest's status.
set -uo pipefail
PY=${1:-.venv/bin/python}
RATE=${2:-48000}
export QT_QPA_PLATFORM=offscreen
export JACK_NO_AUDIO_RESERVATION=1
jackd --no-realtime -d dummy -r "$RATE" -p 1024 >/tmp/jazzremix-jackd.log 2>&1 &
JACK_PID=$!
trap 'kill $JACK_PID 2>/dev/null; wait $JACK_PID 2>/dev/null' EXIT
for _ in $(seq 1 50); do
  jack_lsp >/dev/null 2>&1 && break
  sleep 0.2
done
if ! jack_lsp >/dev/null 2>&1; then
  echo "warning: JACK dummy server did not start (see /tmp/jazzremix-jackd.log); audio tests will skip" >&2
fi
export JAZZREMIX_JACK=1
"$PY" -m pytest -q "${@:3}"
status=$?
exit $status
