"""Diagnostic r41: fewer frames voiced for the mono comb. r40 found that the clean solo's voicing with YIN's F0 would
gain +0.31 dB a track (YIN calls 44 % of the clean solo's unvoiced frames voiced: the band's bleed has pitches
too), and rule r32 weights unvoiced frames flat at 0.5. Variants, each paired against the product (rule r32's comb):
``thrX``: YIN's threshold X instead of 0.15 (stricter: fewer voiced frames); ``lvlX``: YIN-voiced frames whose
separated solo lies more than X dB under its loudest frame of the 2 s before (causal) taken as unvoiced; ``ratioX``:
those whose separated solo holds less than X dB of the mid's energy in the frame; ``bound``: YIN's F0 only where
the clean solo is voiced (what a perfect voicing gate on YIN's frames would give).

    PYTHONPATH=. python checkpoints/r41/voicing.py data/val-unseen 0|1 OUT.jsonl
"""
import sys

import numpy as np
from scipy.ndimage import maximum_filter1d

sys.path.insert(0, "checkpoints/r34")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from sieve import edit, right  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, read_track  # noqa: E402
from jazzremix_gui.core.signal import pitch, pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402

PAST = 86  # frames in 2 s


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        m = diagnostic_runs.mono_solo(stems, solo)
        s, ref, spec, f0, c0 = m.solo, m.ref, m.spec, m.yin, m.clean
        n = spec.shape[0]
        rec = {"track": folder.name, "product": global_sdr(ref, edit(s, spec, f0)), "right_product": right(f0, c0),
               "voiced_product": round(float((f0 > 0).mean()), 3)}
        variants = {"bound": np.where(c0 > 0, f0, 0.0)}
        for thr in (0.05, 0.08, 0.1, 0.12):
            pitch.THRESHOLD = thr
            variants[f"thr{thr}"] = pitch_comb.frame_f0(s, 0, n)
        pitch.THRESHOLD = 0.15
        e = 10 * np.log10(np.sum(np.abs(spec) ** 2, axis=1) + 1e-12)
        # the loudest of the frame and the PAST before it
        peak = maximum_filter1d(e, PAST + 1, origin=PAST // 2)
        for db in (10, 20, 30):
            variants[f"lvl{db}"] = np.where(e < peak - db, 0.0, f0)
        mid = read_track(folder)[0].mean(axis=1)
        em = 10 * np.log10(np.sum(np.abs(stft(mid, pitch_comb.HOP)[:n]) ** 2, axis=1) + 1e-12)
        for db in (-20, -15, -10, -6):
            variants[f"ratio{db}"] = np.where(e - em < db, 0.0, f0)
        for k, g in variants.items():
            rec[k] = global_sdr(ref, edit(s, spec, g))
            rec["right_" + k] = right(g, c0)
            rec["voiced_" + k] = round(float((g > 0).mean()), 3)
        line(rec)
        print(folder.name, {k: round(rec[k] - rec["product"], 2) for k in variants}, flush=True)


if __name__ == "__main__":
    main()
