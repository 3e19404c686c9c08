cd /work/main
J=".venv/bin/jazzremix"
c=$1; shift
for s in "$@"; do
  n=$(basename $s)
  taskset -c $c $J evaluate $s --json > checkpoints/r10/step3/base_$n.json 2> checkpoints/r10/step3/base_$n.err
  taskset -c $c $J evaluate $s --json --adapt 75 > checkpoints/r10/step3/ad75_$n.json 2> checkpoints/r10/step3/ad75_$n.err
  echo "$(date -u +%H:%M) done $n"
done
