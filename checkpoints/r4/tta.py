"""Diagnostic r4: does test-time averaging help a separator? Per track SDR of the plain separation, the mean of
time-shifted separations (input delayed by s samples, output advanced by s), of the left/right-swapped one, and
of both. Usage: python checkpoints/r4/tta.py data/SET OUT.json [MODEL]"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.evaluation import _stereo, global_sdr, list_tracks, stem_path
from jazzremix_gui.core.pipeline import load_model, separate

SHIFTS = (0, 256, 512, 768)


def run(mix, rate, model, shift=0, swap=False):
    x = mix[:, ::-1] if swap else mix
    if shift:
        x = np.concatenate([np.zeros((shift, 2), x.dtype), x])
    st = separate(np.ascontiguousarray(x), rate, model)
    solo, acc = st.solo[shift:], st.accompaniment[shift:]
    if swap:
        acc = acc[:, ::-1]
    return solo.astype(np.float64), acc.astype(np.float64)


def main():
    folder, out = Path(sys.argv[1]), sys.argv[2]
    model = load_model(sys.argv[3] if len(sys.argv) > 3 else None, "separator", threads=1)
    rows = []
    for t in list_tracks(folder):
        mix, rate = audio_io.read_audio(stem_path(t, "mixture"))
        solo, _ = audio_io.read_audio(stem_path(t, "solo"))
        acc, _ = audio_io.read_audio(stem_path(t, "accompaniment"))
        mix, solo, acc = _stereo(mix), _stereo(solo), _stereo(acc)
        ref = solo.mean(axis=1)
        outs = {(s, w): run(mix, rate, model, s, w) for s in SHIFTS for w in (False, True)}

        def score(keys):
            so = np.mean([outs[k][0] for k in keys], axis=0)
            ac = np.mean([outs[k][1] for k in keys], axis=0)
            return [global_sdr(ref, so), global_sdr(acc, ac)]

        row = {"track": t.name,
               "plain": score([(0, False)]),
               "shift2": score([(0, False), (512, False)]),
               "shift4": score([(s, False) for s in SHIFTS]),
               "swap": score([(0, False), (0, True)]),
               "swap_shift2": score([(0, False), (512, True)]),
               "all8": score(list(outs))}
        rows.append(row)
        print(t.name, {k: [round(v, 2) for v in row[k]] for k in row if k != "track"}, flush=True)
    summary = {}
    for k in rows[0]:
        if k in ("track", "plain"):
            continue
        d = np.array([[r[k][i] - r["plain"][i] for i in (0, 1)] for r in rows])
        summary[k] = {"solo_mean": d[:, 0].mean(), "solo_se": d[:, 0].std(ddof=1) / np.sqrt(len(d)),
                      "solo_median": float(np.median(d[:, 0])), "acc_mean": d[:, 1].mean(),
                      "acc_median": float(np.median(d[:, 1]))}
    for k, v in summary.items():
        print(k, {a: round(float(b), 3) for a, b in v.items()})
    json.dump({"rows": rows, "summary": summary}, open(out, "w"), indent=1, default=float)


if __name__ == "__main__":
    main()
