#!/usr/bin/env bash
# Continue e42 in the background (checkpoints/e42/rule.txt): the committed checkpoint is copied back when this machine
# has none newer, then the run's own command resumes it. Run from the repository root, after the five training sets
# are rendered (docs/SEPARATOR_V3.md, "Continuing it"). Stop it with checkpoints/e42/stop.sh.
set -euo pipefail
E=checkpoints/e42
JR=${JR:-.venv/bin/jazzremix}
for d in data/train-v5 data/train-v13 data/train-v15 data/train-v16 data/train-v17 data/val-v2-20s; do
  [ -d "$d" ] || { echo "$d is missing: render it first (scripts/reproduce_separator.sh)" >&2; exit 2; }
done
if pgrep -f "train-separator.*$E/run" >/dev/null; then echo "e42 is running already" >&2; exit 2; fi
mkdir -p $E/run
step_of() { python3 -c "import json,sys; print(max([r['step'] for r in map(json.loads, open(sys.argv[1])) if 'step' in r] or [0]))" "$1"; }
if [ ! -f $E/run/last.pt ] || [ "$(step_of models/wip/e42-log.jsonl)" -gt "$(step_of $E/run/log.jsonl)" ]; then
  cp models/wip/e42-last.pt $E/run/last.pt
  cp models/wip/e42-log.jsonl $E/run/log.jsonl
fi
nohup $JR train-separator $(cat $E/command.txt) --average-last 30 --out $E/mean/separator-v3.onnx \
    --card $E/mean/separator-v3.json >> $E/train.log 2>&1 &
echo "e42 resumed from step $(step_of $E/run/log.jsonl) (pid $!); its log: $E/run/log.jsonl"
