"""Rule p2's measurements (checkpoints/r7/rule.txt): every track of the named sets, read at offsets 0, -20 and +10 dB
(every WAV alike, in memory), separated by sep-mask-3.4 with the network hearing it as it is (base), in -30..-14
(A) and at -23 (B), through the pipeline's own level step. One JSON line per (track, offset, config).

    python checkpoints/r7/judge.py OUT.jsonl data/val-unseen-18 ...
"""
import json
import os
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate
from jazzremix_gui.core.signal.input_level import LevelRange

CONFIGS = {"base": False, "A": LevelRange(-30, -14), "B": LevelRange(-23, -23)}
if os.environ.get("R7_CONFIGS"):  # rule p3: base and A only
    CONFIGS = {k: CONFIGS[k] for k in os.environ["R7_CONFIGS"].split(",")}
OFFSETS = (0.0, -20.0, 10.0)


def main():
    out_path, sets = sys.argv[1], sys.argv[2:]
    done = set()
    try:
        for line in open(out_path):
            r = json.loads(line)
            done.add((r["set"], r["track"]))
    except FileNotFoundError:
        pass
    model = load_model(None, "separator")
    with open(out_path, "a") as out:
        for ds in sets:
            for folder in list_tracks(ds):
                if (ds, folder.name) in done:
                    continue
                mix, solo, acc, rate = read_track(folder)
                solo = solo.mean(axis=1)
                rows = []
                for off in OFFSETS:
                    s = np.float32(10 ** (off / 20))
                    for name, level in CONFIGS.items():
                        st = separate(mix * s, rate, model, level=level)
                        rows.append({"set": ds, "track": folder.name, "offset": off, "config": name,
                                     "gain": round(st.heard_gain_db, 2), "solo": global_sdr(solo * s, st.solo),
                                     "acc": global_sdr(acc * s, st.accompaniment)})
                out.write("".join(json.dumps(r) + "\n" for r in rows))  # a track's rows together
                out.flush()
                print(ds, folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
