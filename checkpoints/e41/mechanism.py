"""Rule e41's mechanism, reported beside the test: ``python checkpoints/e41/mechanism.py SHIPPED.json PICK.json [...]``
(pairs of ``jazzremix evaluate SET --json`` outputs): the solo's mean gain on the tracks whose solo is a trumpet, muted
trumpet, trombone or clarinet against the other tracks, and per instrument."""
import collections
import json
import sys

import numpy as np

BRASS_AND_CLARINET = {"trumpet", "muted_trumpet", "trombone", "clarinet"}
by = collections.defaultdict(list)
args = sys.argv[1:]
for before, after in zip(args[::2], args[1::2]):
    a = {t["track"]: t for t in json.load(open(before))["tracks"]}
    for t in json.load(open(after))["tracks"]:
        by[t["conditions"]["instrument"]].append(t["solo"] - a[t["track"]]["solo"])
for label, keep in (("trumpet, muted trumpet, trombone, clarinet", lambda i: i in BRASS_AND_CLARINET),
                    ("the other instruments", lambda i: i not in BRASS_AND_CLARINET)):
    d = np.concatenate([np.array(v) for i, v in by.items() if keep(i)] or [np.zeros(0)])
    if d.size:
        print(f"{label:45s} n={d.size:3d} solo {d.mean():+.3f} (SE {d.std(ddof=1) / np.sqrt(d.size):.3f})")
for i in sorted(by):
    print(f"  {i:20s} n={len(by[i]):3d} solo {np.mean(by[i]):+.3f}")
