"""Diagnostic r21: a band break (the accompaniment silent for two seconds while the solo plays) and an edit for it.

Jazz solos often start with a break: the band stops for a bar or two. The validation tracks have none, so one is cut
into each track's stems: the accompaniment faded out over the middle two seconds of the solo's longest phrase
(10 ms ramps), the mixture made again from the stems. Per track: the shipped separator on that mixture (``base``);
the same stems with an engineer's "the band is silent here" applied, where the solo becomes the recording's
projection on the solo's recorded pan and level (least squares of ``x = w s``) and the accompaniment is either
silent (``cut``) or what the projection leaves of the recording (``rest``: the stems still add up to it).

    python checkpoints/r21/band_break.py data/SET OUT.jsonl [--every 2 --offset 0|1]

Not a product path: it reads the true stems to make the break.
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.core.signal.panlaw import place_solo, solo_weights
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

BREAK_S = 2.0


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        phrases = json.loads((Path(a.set) / name / "meta.json").read_text())["activity"]
        start, end = max(phrases, key=lambda p: p[1] - p[0])
        if end - start < BREAK_S + 1.0:
            continue
        mid = (start + end) / 2
        span = ((mid - BREAK_S / 2, mid + BREAK_S / 2),)
        n = len(mix)
        band = solo_rests.keep_curve(span, 0, n, rate)  # 0 in the break
        acc_b = (acc * band[:, None]).astype(np.float32)
        mix_b = (solo + acc_b).astype(np.float32)
        stems = pipeline.separate(mix_b, rate, base)
        ref = solo.mean(axis=1)
        rec["break_s"] = [round(s, 3) for s in span[0]]
        rec["base"] = [global_sdr(ref, stems.solo), global_sdr(acc_b, stems.accompaniment)]
        k = band[: len(stems.solo)]
        w_l, w_r = solo_weights(stems.recorded_pan_deg, 1.0, stems.solo_level)
        x = mix_b[: len(k)]
        proj = ((w_l * x[:, 0] + w_r * x[:, 1]) / (w_l ** 2 + w_r ** 2)).astype(np.float32)
        solo_e = (k * stems.solo + (1 - k) * proj).astype(np.float32)
        left = x - place_solo(proj, stems.recorded_pan_deg, 1.0, stems.solo_level)
        for label, acc_e in (("cut", stems.accompaniment * k[:, None]),
                             ("rest", stems.accompaniment * k[:, None] + left * (1 - k)[:, None])):
            edited = dataclasses.replace(stems, solo=solo_e, accompaniment=acc_e.astype(np.float32))
            rec[label] = [global_sdr(ref, edited.solo), global_sdr(acc_b, edited.accompaniment)]
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
