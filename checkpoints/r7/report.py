"""Rule p2's judgement (checkpoints/r7/rule.txt) from checkpoints/r7/judge-*.jsonl."""
import glob
import json
import sys

import numpy as np

RULE = sys.argv[1] if sys.argv[1:] else "p2"  # p3: A on sets 24 ... 29, p1's single-track bound; p4: the same on 30 ... 35
P3 = RULE in ("p3", "p4")
PATTERN = f"checkpoints/r7/judge-{RULE}-*.jsonl" if P3 else "checkpoints/r7/judge-[12].jsonl"
rows = [json.loads(line) for f in sorted(glob.glob(PATTERN)) for line in open(f)]
by = {(r["set"], r["track"], r["offset"], r["config"]): r for r in rows}
unseen = sorted({r["set"] for r in rows if "val-unseen" in r["set"]})
V2 = "data/val-v2-20s"


def diffs(sets, offset, config, stem):
    out = []
    for (s, t, o, c), r in by.items():
        if s in sets and o == offset and c == config:
            base = by.get((s, t, o, "base"))
            if base is not None:
                out.append(r[stem] - base[stem])
    return np.array(out)


def line(name, d):
    se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
    return (f"{name:28s} n={len(d):3d} mean {d.mean():+.3f} (SE {se:.3f}, lower {d.mean() - 2.24 * se:+.3f}) "
            f"median {np.median(d):+.3f} better/worse {(d > 0.001).sum()}/{(d < -0.001).sum()} worst {d.min():+.2f}")


verdict = {}
print("unseen sets:", ", ".join(unseen))
for config in (("A",) if P3 else ("A", "B")):
    ok = {}
    print(f"\n{config}")
    for off in (0.0, -20.0, 10.0):
        for stem in ("solo", "acc"):
            d = diffs(unseen, off, config, stem)
            print(line(f"{off:+.0f} dB {stem}", d))
    for stem in ("solo", "acc"):
        print(line(f"val-v2-20s {stem}", diffs([V2], 0.0, config, stem)))
    s0, a0 = diffs(unseen, 0.0, config, "solo"), diffs(unseen, 0.0, config, "acc")
    s20, a20 = diffs(unseen, -20.0, config, "solo"), diffs(unseen, -20.0, config, "acc")
    s10, a10 = diffs(unseen, 10.0, config, "solo"), diffs(unseen, 10.0, config, "acc")
    v2 = [diffs([V2], 0.0, config, k) for k in ("solo", "acc")]
    se20 = s20.std(ddof=1) / np.sqrt(len(s20))
    ok["2 (-20 dB)"] = s20.mean() >= 1 and s20.mean() - 2.24 * se20 > 0 and a20.mean() > 0
    ok["3 (+10 dB)"] = s10.mean() >= 0 and a10.mean() >= 0
    ok["4 (val-v2-20s)"] = all(len(d) and d.mean() >= -0.1 and np.median(d) >= -0.1 for d in v2)
    if config == "A":
        bound = -3.0 if P3 else -0.5
        ok["1 (as rendered)"] = s0.mean() >= -0.01 and a0.mean() >= -0.01 and min(s0.min(), a0.min()) >= bound
    else:
        se0 = s0.std(ddof=1) / np.sqrt(len(s0))
        ok["p1.1 solo"] = s0.mean() >= 0.05 and s0.mean() - 2.24 * se0 > 0 and np.median(s0) >= 0
        ok["p1.2 acc"] = a0.mean() >= 0 and np.median(a0) >= 0
        ok["p1.3 worst"] = min(s0.min(), a0.min()) >= -3
    for k, v in ok.items():
        print(f"  condition {k}: {'pass' if v else 'FAIL'}")
    verdict[config] = all(ok.values())
print("\nverdict:", "B ships" if verdict.get("B") else ("A ships" if verdict["A"] else "nothing ships"))
