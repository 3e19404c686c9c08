"""Diagnostic r8: the network heard at several input gains, its solo magnitudes averaged (each scaled back), against
one hearing (sep-mask-3.4 as shipped, with the separation's level range). Prints one JSON line per (track, config).

    python checkpoints/r8/level_average.py data/val-unseen OUT.jsonl
"""
import json
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate

CONFIGS = {"one": (0.0,), "0,-6": (0.0, -6.0), "+3,-3,-9": (3.0, -3.0, -9.0), "0,-6,-12": (0.0, -6.0, -12.0),
           "+6,0": (6.0, 0.0)}


class Averaged:
    def __init__(self, session, gains_db):
        self._s, self.meta, self.path = session, session.meta, session.path
        self.gains = [np.float32(10 ** (g / 20)) for g in gains_db]

    providers = property(lambda self: self._s.providers)
    provider = property(lambda self: self._s.provider)

    def run(self, features):
        if len(self.gains) == 1 and self.gains[0] == 1:
            return self._s.run(features)
        return sum(self._s.run(features * g) / g for g in self.gains) / np.float32(len(self.gains))


def main():
    dataset, out_path = sys.argv[1], sys.argv[2]
    model = load_model(None, "separator")
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, acc, rate = read_track(folder)
            solo = solo.mean(axis=1)
            for name, gains in CONFIGS.items():
                st = separate(mix, rate, Averaged(model, gains))
                out.write(json.dumps({"set": dataset, "track": folder.name, "config": name,
                                      "solo": global_sdr(solo, st.solo), "acc": global_sdr(acc, st.accompaniment)})
                          + "\n")
                out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
