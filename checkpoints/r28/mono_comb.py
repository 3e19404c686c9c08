"""Diagnostic r28: on mono recordings, the harmonic comb of the separated solo's own pitch (r24's edit).

r24's edit (the solo's STFT times ``floor + (1 - floor) comb(f0)`` where YIN calls the separated solo voiced, what
it takes out given to the accompaniment) lost on stereo tracks, where the pan-aware step already tells the solo
apart, and gained on all six mono tracks of the tuning set (+0.02 to +0.40 dB at floor 0.3). A mono recording has
no side: the network alone separates it (r9). Here every track is read in mono as r9 reads it (the channels
averaged; the solo and the accompaniment's mid scored against the references' mids): ``base``, the shipped
separation; ``stem<floor>``, the edit with the F0 of the separated solo; ``clean<floor>``, with the clean solo's.

    python checkpoints/r28/mono_comb.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--floors 0.3,0.5]
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr
from jazzremix_gui.core.signal.stft import istft, stft
from jazzremix_gui.training.adapt import teacher_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402
from r24.stem_comb import HOP, comb, pitch  # noqa: E402


def main():
    a = diagnostic_runs.arguments(floors="0.3,0.5")
    floors = [float(f) for f in a.floors.split(",")]
    base = teacher_session("models/separator.onnx", None, 1)
    for name, mix, solo, acc, rate, rec in diagnostic_runs.tracks(a):
        x = mix.mean(axis=1, keepdims=True)
        ref, acc_ref = solo.mean(axis=1), acc.mean(axis=1)
        stems = pipeline.separate(x, rate, base)
        n = len(stems.solo)
        acc_mid = stems.accompaniment.mean(axis=1)
        rec["base"] = [global_sdr(ref[:n], stems.solo), global_sdr(acc_ref[:n], acc_mid)]
        spec = stft(stems.solo, HOP)
        for label, f0 in (("stem", pitch(stems.solo, spec.shape[0])), ("clean", pitch(ref[:n], spec.shape[0]))):
            c, voiced = comb(f0), (f0 > 0)[:, None]
            for floor in floors:
                m = np.where(voiced, floor + (1 - floor) * c, 1.0).astype(np.float32)
                solo_e = np.asarray(istft(spec * m, HOP, n), np.float32).reshape(-1)
                acc_e = acc_mid + (stems.solo - solo_e)  # mono: what leaves the solo is the accompaniment's
                rec[f"{label}{floor:g}"] = [global_sdr(ref[:n], solo_e), global_sdr(acc_ref[:n], acc_e)]
        diagnostic_runs.write(a, rec)


if __name__ == "__main__":
    sys.exit(main())
