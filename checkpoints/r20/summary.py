"""r20 paired with r18's adapted runs of the same tracks: ``python checkpoints/r20/summary.py`` (sets 24 and 25)."""
import glob
import json

import numpy as np

r18 = {(f.split("val-unseen-")[1][:2], json.loads(line)["track"]): json.loads(line)
       for f in glob.glob("checkpoints/r18/adapted-val-unseen-*.jsonl") for line in open(f)}
rows = [(json.loads(line), r18[(f.split("val-unseen-")[1][:2], json.loads(line)["track"])])
        for f in sorted(glob.glob("checkpoints/r20/val-unseen-*.jsonl")) for line in open(f)]
print(f"{len(rows)} tracks")


def paired(label, pick):
    d = np.array([pick(r20, r) for r20, r in rows])
    print(f"{label:38s} {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(len(d)):.3f}) better {int((d > 0).sum())} "
          f"worst {d.min():+.2f}")


paired("side - shipped", lambda a, b: a["side"][0] - b["base"][0])
paired("adaptation - shipped", lambda a, b: b["a75"][0] - b["base"][0])
paired("side, adapted - side", lambda a, b: a["side_a75"][0] - a["side"][0])
paired("side, adapted - adaptation", lambda a, b: a["side_a75"][0] - b["a75"][0])
paired("side, adapted - shipped", lambda a, b: a["side_a75"][0] - b["base"][0])
far = [(a, b) for a, b in rows if a["side"][0] - b["base"][0] > 1.0]
print(f"{len(far)} tracks where the side given gains over 1 dB:",
      f"adaptation alone {np.mean([b['a75'][0] - b['base'][0] for a, b in far]):+.2f},",
      f"side {np.mean([a['side'][0] - b['base'][0] for a, b in far]):+.2f},",
      f"side adapted {np.mean([a['side_a75'][0] - b['base'][0] for a, b in far]):+.2f}" if far else "")
