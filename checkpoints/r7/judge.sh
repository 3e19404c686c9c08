#!/bin/bash
# Rule p2's measurements (checkpoints/r7/rule.txt), two processes, each waiting for its sets to be rendered.
cd "$(dirname "$0")/../.."
run() {
  out=$1; shift
  for ds in "$@"; do
    n=23; [ "$ds" = data/val-v2-20s ] || n=35
    until test -f $ds/track_000$n/meta.json; do sleep 10; done
    sleep 5
    .venv/bin/python checkpoints/r7/judge.py $out $ds
  done
}
run checkpoints/r7/judge-1.jsonl data/val-unseen-18 data/val-unseen-20 data/val-unseen-22 data/val-v2-20s \
    2> checkpoints/r7/judge-1.log &
run checkpoints/r7/judge-2.jsonl data/val-unseen-19 data/val-unseen-21 data/val-unseen-23 2> checkpoints/r7/judge-2.log &
wait
echo judged
