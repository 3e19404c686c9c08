cd /work/main
c=$1; shift
for s in "$@"; do
  n=$(basename $s)
  taskset -c $c .venv/bin/python checkpoints/r12/steps.py $s checkpoints/r12/confirm_$n.jsonl --snapshots 40,75 > /tmp/r12c_$n.log 2>&1
  echo "$(date -u +%H:%M) done $n"
done
