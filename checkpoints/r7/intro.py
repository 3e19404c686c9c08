"""Diagnostic r7b: a quiet opening. Each track of a set preceded by its own first 10 s, INTRO dB quieter (every
WAV alike); the solo's SDR scored on the track itself after the opening. Configs: the network hearing it as it is,
and the level range with the level measured over the first 10 s of sound (waiting 30 s) or 30 s (waiting 60 s).
Also each track alone (no opening). One JSON line a track.

    python checkpoints/r7/intro.py data/val-unseen -30 OUT.jsonl
"""
import json
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate
from jazzremix_gui.core.signal import input_level

CONFIGS = {"none": None, "10s": (10.0, 30.0), "30s": (30.0, 60.0)}


def run(x, rate, model, config):
    if config is None:
        return separate(x, rate, model, level=False)
    input_level.LEVEL_SECONDS, input_level.WAIT_SECONDS = config
    return separate(x, rate, model)


def main():
    dataset, intro_db, out_path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    model = load_model(None, "separator")
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, _, rate = read_track(folder)
            solo = solo.mean(axis=1)
            n10, g = 10 * rate, np.float32(10 ** (intro_db / 20))
            x = np.concatenate([mix[:n10] * g, mix])
            row = {"set": dataset, "track": folder.name, "intro_db": intro_db}
            for name, config in CONFIGS.items():
                st = run(x, rate, model, config)
                alone = run(mix, rate, model, config)
                row[name] = {"body": global_sdr(solo, st.solo[n10:]), "gain": round(st.heard_gain_db, 2),
                             "alone": global_sdr(solo, alone.solo), "alone_gain": round(alone.heard_gain_db, 2)}
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
