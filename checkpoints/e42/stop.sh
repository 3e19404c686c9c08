#!/usr/bin/env bash
# Stop e42 right after its next checkpoint (one every 5 minutes) and copy that checkpoint and its log to
# models/wip/e42-last.pt and e42-log.jsonl, for the session's commit (git add -f). Run from the repository root.
set -euo pipefail
E=checkpoints/e42
pid=$(pgrep -f "train-separator.*$E/run" | head -1) || { echo "e42 is not running" >&2; exit 2; }
lines=$(grep -c '"loss"' $E/run/log.jsonl || true)
echo "waiting for e42's next checkpoint (pid $pid)..."
while [ "$(grep -c '"loss"' $E/run/log.jsonl || true)" -le "$lines" ]; do
  kill -0 "$pid" 2>/dev/null || { echo "e42 ended" >&2; break; }
  sleep 5
done
kill "$pid" 2>/dev/null || true
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
cp $E/run/last.pt models/wip/e42-last.pt
cp $E/run/log.jsonl models/wip/e42-log.jsonl
tail -1 $E/run/log.jsonl
