"""Rule r32's measurement: each track read in mono (r9's reading), the product's mono comb (``yin``) against the
candidate (``flat0.5``: also YIN's unvoiced frames weighted by 0.5), solo and accompaniment mid SDR.

    PYTHONPATH=. python checkpoints/r32/rule_run.py data/SET 0|1 OUT.jsonl
"""
import sys


sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from unvoiced import edit  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402


def main():
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        n = s.shape[0]
        ref, acc_ref = solo.mean(axis=1)[:n], acc.mean(axis=1)[:n]
        acc_mid = stems.accompaniment.mean(axis=1)
        f0 = pitch_comb.frame_f0(s, 0, pitch_comb.frame_count(n, pitch_comb.HOP))
        rec = {"track": folder.name}
        for name, g in (("yin", 1.0), ("flat0.5", 0.5)):
            e = edit(s, f0, g)
            rec[name] = [global_sdr(ref, e), global_sdr(acc_ref, acc_mid + (s - e))]
        line(rec)


if __name__ == "__main__":
    main()
