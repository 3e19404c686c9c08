#!/bin/bash
# An experiment's judgement (its rule.txt): candidates paired against sep-mask-3.3's evaluations in $E/base_SET.json.
# E=checkpoints/e26 checkpoints/e25/judge.sh pair MODEL SET TAG  (E defaults to checkpoints/e25; e26 was judged so)
set -e
cd "$(dirname "$0")/../.."
JR=.venv/bin/jazzremix
E=${E:-checkpoints/e25}
pair() {  # pair MODEL SET TAG
  $JR evaluate data/$2 --model $1 --json --against $E/base_$2.json > $E/$3_$2.json 2> $E/$3_$2.err
  .venv/bin/python - "$E/$3_$2.json" "$E/base_$2.json" <<'PY'
import json, sys, numpy as np
new, base = (json.load(open(p)) for p in sys.argv[1:3])
b = {t["track"]: t for t in base["tracks"]}
d = {k: np.array([t[k] - b[t["track"]][k] for t in new["tracks"]]) for k in ("solo", "accompaniment")}
m = new["median"]
print(f"{sys.argv[1]}: {m['solo']:.2f} / {m['accompaniment']:.2f}; solo median {np.median(d['solo']):+.3f} mean "
      f"{d['solo'].mean():+.3f}; acc median {np.median(d['accompaniment']):+.3f} mean {d['accompaniment'].mean():+.3f}; "
      f"better/worse (solo) {(d['solo'] > 0).sum()}/{(d['solo'] < 0).sum()}; worst {d['solo'].min():+.2f} / "
      f"{d['accompaniment'].min():+.2f}; sides {new.get('sides', {}).get('read_right')}/{new.get('sides', {}).get('stereo')}")
PY
}
"$@"
