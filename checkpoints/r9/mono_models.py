"""Diagnostic r9d: which separator separates mono recordings best? Each track's channels averaged (a mono file);
SDR of the solo and the accompaniment's mid for each model given. One JSON line a track.

    python checkpoints/r9/mono_models.py data/val-unseen OUT.jsonl MODEL.onnx ...
"""
import json
import sys

from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.pipeline import load_model, separate


def main():
    dataset, out_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    models = {p: load_model(p, "separator") for p in paths}
    with open(out_path, "a") as out:
        for folder in list_tracks(dataset):
            mix, solo, acc, rate = read_track(folder)
            mono = mix.mean(axis=1, keepdims=True)
            solo, acc = solo.mean(axis=1), acc.mean(axis=1)
            row = {"set": dataset, "track": folder.name}
            for p, m in models.items():
                st = separate(mono, rate, m)
                row[p] = [global_sdr(solo, st.solo), global_sdr(acc, st.accompaniment.mean(axis=1))]
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(folder.name, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
