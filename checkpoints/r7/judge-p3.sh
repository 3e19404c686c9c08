#!/bin/bash
# Rule p3's measurements (checkpoints/r7/rule-p3.txt): base and A on sets 24 ... 29, as judge.sh runs p2's.
cd "$(dirname "$0")/../.."
R7_CONFIGS=base,A R7_SETS_1="data/val-unseen-24 data/val-unseen-26 data/val-unseen-28" \
    R7_SETS_2="data/val-unseen-25 data/val-unseen-27 data/val-unseen-29" R7_OUT=checkpoints/r7/judge-p3 \
    checkpoints/r7/judge.sh
.venv/bin/python checkpoints/r7/report.py p3 > checkpoints/r7/report-p3.txt
