"""Diagnostic r9b: the Wiener power on mono recordings (the plain step: a mono block has no side to read).
Each track's channels averaged; SDR of the solo and the accompaniment's mid for each alpha. One JSON line a track.

    python checkpoints/r9/mono_alpha.py data/val-unseen OUT.jsonl
"""
import json
import sys

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate

ALPHAS = (0.7, 1.0, 1.3, 1.6, 2.0, 2.5)


def main():
    dataset, out_path = sys.argv[1], sys.argv[2]
    model = load_model(None, "separator")
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, acc, rate = read_track(folder)
            mono = mix.mean(axis=1, keepdims=True)
            solo, acc = solo.mean(axis=1), acc.mean(axis=1)
            row = {"set": dataset, "track": folder.name}
            for alpha in ALPHAS:
                st = separate(mono, rate, model, alpha=alpha)
                row[str(alpha)] = [global_sdr(solo, st.solo), global_sdr(acc, st.accompaniment.mean(axis=1))]
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
