#!/bin/bash
# Rule p4's measurements (checkpoints/r7/rule-p4.txt): base and A (30 s measurement) on sets 30 ... 35.
cd "$(dirname "$0")/../.."
R7_CONFIGS=base,A R7_SETS_1="data/val-unseen-30 data/val-unseen-32 data/val-unseen-34" \
    R7_SETS_2="data/val-unseen-31 data/val-unseen-33 data/val-unseen-35" R7_OUT=checkpoints/r7/judge-p4 \
    checkpoints/r7/judge.sh
.venv/bin/python checkpoints/r7/report.py p4 > checkpoints/r7/report-p4.txt
