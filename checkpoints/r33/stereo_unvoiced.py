"""Diagnostic r33: rule r32's turn-down of the frames YIN calls unvoiced, on stereo tracks (where the pan-aware step
separates and the comb on voiced frames lost, r24 and r30). Per stereo track: the product's stems (``base``, the
solo's reading ``found_deg``), the solo weighted by ``g`` in its unvoiced frames and left as it is elsewhere
(``flat<g>``), and r32's whole mono edit (``mono_edit``); what the solo loses goes to both accompaniment channels.

    python checkpoints/r33/stereo_unvoiced.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def turned_down(solo, f0, g):
    """``solo`` [shape=(n,)] with its unvoiced frames (``f0`` 0) weighted by ``g``, voiced ones as they are."""
    spec = stft(solo, pitch_comb.HOP)
    w = np.where(np.asarray(f0)[:, None] > 0, 1.0, g).astype(np.float32)
    return solo - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, solo.shape[0]), np.float32).reshape(-1)


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
        s = stems.solo
        f0 = pitch_comb.frame_f0(s, 0, pitch_comb.frame_count(s.shape[0], pitch_comb.HOP))
        edits = {f"flat{g}": turned_down(s, f0, g) for g in (0.5, 0.7)}
        edits["mono_edit"] = pitch_comb.comb_solo(s, rate)
        for label, edited in edits.items():
            rec[label] = [diagnostic_runs.global_sdr(ref, edited),
                          diagnostic_runs.global_sdr(acc, stems.accompaniment + (s - edited)[:, None])]
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
