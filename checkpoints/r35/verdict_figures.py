"""Rule r35's figures from rule_run.py's lines: per transfer, the paired solo / accompaniment gains on the four test
sets pooled (and on the tuning set), the worst track, and the stereo tracks' lowest block.

    python checkpoints/r35/verdict_figures.py
"""
import glob
import json

import numpy as np


def load(sets):
    return [json.loads(line) for s in sets for f in sorted(glob.glob(f"checkpoints/r35/rule-{s}-[01].jsonl"))
            for line in open(f)]


for label, sets in (("tuning", ["val-unseen"]), ("test", [f"val-unseen-{i}" for i in range(57, 61)])):
    rows = load(sets)
    for kind in "ab":
        d = np.array([[x[f"{kind}_near"][i] - x[f"{kind}_product"][i] for i in (0, 1)] for x in rows])
        se = d[:, 0].std(ddof=1) / np.sqrt(len(d))
        print(f"{label} {kind}: {len(d)} tracks, solo {d[:, 0].mean():+.3f} (SE {se:.3f}, mean - 2 SE "
              f"{d[:, 0].mean() - 2 * se:+.3f}), {(d[:, 0] > 0).sum()} better, worst {d[:, 0].min():+.2f}; "
              f"accompaniment {d[:, 1].mean():+.3f}; median solo "
              f"{np.median([x[f'{kind}_product'][0] for x in rows]):.2f} -> "
              f"{np.median([x[f'{kind}_near'][0] for x in rows]):.2f}")
    stereo = [x for x in rows if x["stereo"]]
    print(f"{label} stereo: {len(stereo)} tracks, lowest block {min(x['lowest_db'] for x in stereo):.1f} dB, "
          f"any block taken as mono: {sum(x['any_block_mono'] for x in stereo)}")
