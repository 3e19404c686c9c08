"""Diagnostic r7: the separator's SDR against the recording's absolute level, with and without an input gain.

Every WAV of each track of a set is scaled alike by OFFSET dB in memory (so SDR compares the same task); the
network's input is optionally scaled by a gain G (dB) chosen from the mixture's measured level by RULE, the output
magnitudes scaled back (the mask applies to the recording as it is). Prints one JSON line per (track, offset, rule).

    python checkpoints/r7/level_curve.py data/val-unseen OUT.jsonl --offsets 10,0,-10,-20,-30 --rules none,clamp:-28:-12
"""
import argparse
import json
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate


class Scaled:
    def __init__(self, session, gain):
        self._s, self.gain = session, np.float32(gain)
        self.meta, self.path = session.meta, session.path

    providers = property(lambda self: self._s.providers)
    provider = property(lambda self: self._s.provider)

    def run(self, features):
        if self.gain == 1:
            return self._s.run(features)
        return self._s.run(features * self.gain) / self.gain


def level_db(mix, rate, seconds):
    m = mix[: int(seconds * rate)].mean(axis=1) if seconds else mix.mean(axis=1)
    return 10 * np.log10(np.mean(m.astype(np.float64) ** 2) + 1e-20)


def gain_db(rule, level):
    if rule == "none":
        return 0.0
    kind, *args = rule.split(":")
    if kind == "clamp":
        lo, hi = float(args[0]), float(args[1])
        return lo - level if level < lo else (hi - level if level > hi else 0.0)
    if kind == "to":
        return float(args[0]) - level
    raise SystemExit(f"rule {rule}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dataset")
    p.add_argument("out")
    p.add_argument("--offsets", default="0")
    p.add_argument("--rules", default="none")
    p.add_argument("--seconds", type=float, default=0.0, help="measure the level on the first S seconds (0: all)")
    a = p.parse_args()
    model = load_model(None, "separator")
    offsets = [float(x) for x in a.offsets.split(",")]
    rules = a.rules.split(",")
    with open(a.out, "a") as out:
        for folder in list_tracks(a.dataset):
            mix, solo, acc, rate = read_track(folder)
            for off in offsets:
                s = np.float32(10 ** (off / 20))
                m, so, ac = mix * s, solo.mean(axis=1) * s, acc * s
                lev = level_db(m, rate, a.seconds)
                for rule in rules:
                    g = gain_db(rule, lev)
                    stems = separate(m, rate, Scaled(model, 10 ** (g / 20)))
                    row = {"track": folder.name, "offset": off, "rule": rule, "level": round(lev, 2),
                           "gain": round(g, 2), "solo": global_sdr(so, stems.solo),
                           "acc": global_sdr(ac, stems.accompaniment)}
                    out.write(json.dumps(row) + "\n")
                    out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
