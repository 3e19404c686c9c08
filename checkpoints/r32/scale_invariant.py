"""Rule r32's sets again, scored scale-invariantly (SI-SDR: the estimate's best global scale taken first), to see
whether the turn-down's gain is more than a separation shrunk toward its best scale: ``yin`` (r28's comb) against
``flat0.5`` (r32), the solo read in mono.

    PYTHONPATH=. python checkpoints/r32/scale_invariant.py data/SET 0|1 OUT.jsonl
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from unvoiced import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402


def si_sdr(ref, est):
    ref, est = np.asarray(ref, np.float64), np.asarray(est, np.float64)
    target = ref * (est @ ref) / max(ref @ ref, 1e-20)
    return float(10 * np.log10((target @ target) / max((est - target) @ (est - target), 1e-20)))


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        f0 = pitch_comb.frame_f0(s, 0, pitch_comb.frame_count(s.shape[0], pitch_comb.HOP))
        rec = {"track": folder.name}
        for name, g in (("yin", 1.0), ("flat0.5", 0.5)):
            e = edit(s, f0, g)
            rec[name] = [global_sdr(ref, e), si_sdr(ref, e)]
        line(rec)


if __name__ == "__main__":
    main()
