#!/usr/bin/env bash
# Rule e41: rule e40's judging (the two soups exported with --lr 0, the pick on the tuning set, the pick on
# data/val-unseen-70 ... -73 as rendered and in mono and on data/val-v2-20s), then the mechanism the rule names.
# Run from the repository root once checkpoints/e41/run has ended (checkpoints/e39/run/last.pt must be there too).
set -euo pipefail
PY=${PY:-.venv/bin/python}
E=checkpoints/e41
SETS="70 71 72 73"
E=$E SETS=$SETS bash checkpoints/e40/judge.sh
[ -f $E/test.txt ] || exit 0
echo "mechanism (as rendered):" | tee -a $E/test.txt
$PY $E/mechanism.py $(for N in $SETS; do echo $E/shipped-val-unseen-$N.json $E/test-$N.json; done) | tee -a $E/test.txt
