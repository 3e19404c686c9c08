# Shell functions the rules' judge scripts share (rules e40, e41, e42); source it after setting JR, PY and E.
# both SET OUT_PREFIX MODEL: `evaluate` of data/SET as rendered (core 0) and read in mono (core 1), at once
both() {
  taskset -c 0 $JR evaluate data/$1 --json --model $3 > $2.json 2>/dev/null &
  taskset -c 1 $JR evaluate data/$1 --mono --json --model $3 > $2-mono.json 2>/dev/null &
  wait
}
# pick C1 C2 ...: each candidate $E/C/separator-v3.onnx on the tuning set data/val-unseen as rendered and in mono,
# paired against sep-mask-3.4's readings; sets best and best_v (the largest pooled solo mean) and writes $E/pick.txt
pick() {
  best=""; best_v=-1e9
  local c v
  for c in "$@"; do
    both val-unseen $E/$c-val-unseen $E/$c/separator-v3.onnx
    $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-unseen.json $E/$c-val-unseen.json \
      checkpoints/e37/shipped-val-unseen-mono.json $E/$c-val-unseen-mono.json | tee $E/pick-$c.txt
    v=$(grep pooled $E/pick-$c.txt | sed 's/.*solo \([-+0-9.]*\).*/\1/')
    if awk "BEGIN {exit !($v > $best_v)}"; then best=$c; best_v=$v; fi
  done
  echo "pick: $best ($best_v)" | tee $E/pick.txt
}
# test N1 N2 ...: the pick on data/val-unseen-N (as rendered and in mono) and data/val-v2-20s, paired against
# $E/shipped-val-unseen-N[-mono].json and sep-mask-3.4's val-v2-20s reading; the figures into $E/test.txt
test_pick() {
  local N
  for N in "$@"; do both val-unseen-$N $E/test-$N $E/$best/separator-v3.onnx; done
  $JR evaluate data/val-v2-20s --json --model $E/$best/separator-v3.onnx > $E/test-v2-20s.json 2>/dev/null
  {
    echo "as rendered:"
    $PY checkpoints/e37/paired.py $(for N in "$@"; do echo $E/shipped-val-unseen-$N.json $E/test-$N.json; done)
    echo "read in mono:"
    $PY checkpoints/e37/paired.py \
      $(for N in "$@"; do echo $E/shipped-val-unseen-$N-mono.json $E/test-$N-mono.json; done)
    echo "data/val-v2-20s as rendered:"
    $PY checkpoints/e37/paired.py checkpoints/e38/shipped-val-v2-20s.json $E/test-v2-20s.json
  } | tee $E/test.txt
}
