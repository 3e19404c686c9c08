#!/bin/bash
# Rule p2's measurements (checkpoints/r7/rule.txt), two processes, each waiting for its sets to be rendered
# (R7_SETS_1, R7_SETS_2, R7_OUT and R7_CONFIGS: rule p3's, judge-p3.sh).
cd "$(dirname "$0")/../.."
OUT=${R7_OUT:-checkpoints/r7/judge}
run() {
  out=$1; shift
  for ds in "$@"; do
    n=23; [ "$ds" = data/val-v2-20s ] || n=35
    until test -f $ds/track_000$n/meta.json; do sleep 10; done
    sleep 5
    .venv/bin/python checkpoints/r7/judge.py $out $ds
  done
}
run $OUT-1.jsonl ${R7_SETS_1:-data/val-unseen-18 data/val-unseen-20 data/val-unseen-22} data/val-v2-20s 2> $OUT-1.log &
run $OUT-2.jsonl ${R7_SETS_2:-data/val-unseen-19 data/val-unseen-21 data/val-unseen-23} 2> $OUT-2.log &
wait
echo judged
