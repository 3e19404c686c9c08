"""Diagnostic r9: the shipped separation on mono recordings. Each track of a set read as it is (stereo) and as
mono (every WAV's channels averaged, the mixture given as one channel); SDR of the mono solo and of the
accompaniment's mid against the references' mids, so the two readings score the same thing. One JSON line a track.

    python checkpoints/r9/mono.py data/val-unseen OUT.jsonl
"""
import json
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, oracle_irm, read_track
from jazzremix_gui.core.pipeline import load_model, separate


def main():
    dataset, out_path = sys.argv[1], sys.argv[2]
    model = load_model(None, "separator")
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, acc, rate = read_track(folder)
            solo, acc = solo.mean(axis=1), acc.mean(axis=1)
            row = {"set": dataset, "track": folder.name}
            for name, x in (("stereo", mix), ("mono", mix.mean(axis=1, keepdims=True))):
                st = separate(x, rate, model)
                row[name] = [global_sdr(solo, st.solo), global_sdr(acc, st.accompaniment.mean(axis=1))]
            both = [np.repeat(x[:, None], 2, axis=1) for x in (mix.mean(axis=1), solo, acc)]  # mono in two channels
            o_solo, o_acc = oracle_irm(*both, model.meta.hop)
            row["oracle_mono"] = [global_sdr(solo, o_solo), global_sdr(acc, o_acc.mean(axis=1))]
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
