"""Diagnostic r9c: a mono recording transferred in stereo (a mono LP played with a stereo cartridge): both channels
the mono mixture, one 0.5 dB louder, each with its own hiss 50 dB under the music. Against the exact mono reading.
One JSON line a track.

    python checkpoints/r9/near_mono.py data/val-unseen OUT.jsonl
"""
import json
import sys

import numpy as np

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate


def main():
    dataset, out_path = sys.argv[1], sys.argv[2]
    model = load_model(None, "separator")
    rng = np.random.default_rng(9)
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, acc, rate = read_track(folder)
            mono = mix.mean(axis=1)
            solo, acc = solo.mean(axis=1), acc.mean(axis=1)
            rms = np.sqrt(np.mean(mono ** 2))
            hiss = rng.standard_normal((mono.shape[0], 2)).astype(np.float32) * np.float32(rms * 10 ** (-50 / 20))
            near = np.stack([mono * np.float32(10 ** (0.5 / 20)), mono], axis=1) + hiss
            row = {"set": dataset, "track": folder.name}
            for name, x in (("mono", mono[:, None]), ("near", near)):
                st = separate(x, rate, model)
                # the references as the near-mono transfer holds them: the mid of the two channels' copies
                k = np.float32((10 ** (0.5 / 20) + 1) / 2) if name == "near" else np.float32(1)
                row[name] = [global_sdr(solo * k, st.solo), global_sdr(acc * k, st.accompaniment.mean(axis=1))]
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
