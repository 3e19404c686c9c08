"""Diagnostic r30: the pitch comb (rule r28's, mono material) on stereo tracks whose solo is read near the centre.

r24 found the comb losing on stereo tracks as a whole but gaining on the four whose solo sits at the centre, where
the pan-aware step cannot tell the solo from the centred bass and drums by direction. Per stereo track: the product's
stems (``base``, with the solo's reading ``found_deg``), and the product's comb (``core.signal.pitch_comb.comb_solo``)
on its solo, what that takes out given to both accompaniment channels as the product's comb gives it (``comb``);
``summary.py`` applies it below a threshold on ``|found_deg|``.

    python checkpoints/r30/centre_comb.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal.pitch_comb import comb_solo
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        if np.array_equal(mix[:, 0], mix[:, 1]):
            continue
        stems = pipeline.separate(mix, rate, base)
        ref = solo.mean(axis=1)
        diagnostic_runs.score(rec, "base", ref, acc, stems)
        rec["found_deg"] = round(float(stems.recorded_pan_deg), 1)
        rec["true_deg"] = json.loads((Path(a.set) / name / "meta.json").read_text())["pan_deg"]
        edited = comb_solo(stems.solo, rate)
        taken = stems.solo - edited
        rec["comb"] = [diagnostic_runs.global_sdr(ref, edited),
                       diagnostic_runs.global_sdr(acc, stems.accompaniment + taken[:, None])]
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
