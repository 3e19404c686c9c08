"""Diagnostic r32e: rule r32's turn-down guarded for real records. On the nine real segments downmixed to mono YIN
calls 40-78 % of the separated solo's frames unvoiced in five of them, holding 40-71 % of its energy (the
synthetic sets: 14-62 %, 1-38 %): there the turn-down would take 6 dB off the solo itself. Guards, each paired
against r28's comb (``yin``) on a set read in mono, or (``real``) the share of the solo each moves:

``level<D>``: only unvoiced frames more than ``D`` dB under the loudest frame of the solo within 1 s either side;
``thr<T>``: YIN's threshold ``T`` for voicing (the comb where voiced), every other frame turned down.

    PYTHONPATH=. python checkpoints/r32/guards.py data/SET 0|1 OUT.jsonl
    PYTHONPATH=. python checkpoints/r32/guards.py real - OUT.jsonl
"""
import json
import sys
from pathlib import Path

import numpy as np
from scipy.ndimage import maximum_filter1d

sys.path.insert(0, "checkpoints/r32")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from unvoiced import edit  # noqa: E402
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.models import without_mono_comb  # noqa: E402
from jazzremix_gui.core.audio.audio_io import read_audio  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch, pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import istft, stft  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402

W = 43  # frames either side: 1 s


def weighted(solo, w):
    return solo - np.asarray(istft(stft(solo, pitch_comb.HOP) * (1 - w), pitch_comb.HOP, solo.shape[0]),
                             np.float32).reshape(-1)


def variants(s):
    n = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
    f0 = pitch_comb.frame_f0(s, 0, n)
    e = (np.abs(stft(s, pitch_comb.HOP)) ** 2).sum(axis=1) + 1e-20
    peak = maximum_filter1d(e, 2 * W + 1)
    out = {"yin": edit(s, f0), "flat": edit(s, f0, 0.5)}
    for d in (6, 10, 15):
        w = pitch_comb.weights(f0)
        w[f0 <= 0] = 1.0
        w[(f0 <= 0) & (e < peak * 10 ** (-d / 10))] = 0.5
        out[f"level{d}"] = weighted(s, w)
    saved = pitch.THRESHOLD
    for t in (0.25, 0.35):
        pitch.THRESHOLD = t
        out[f"thr{t}"] = edit(s, pitch_comb.frame_f0(s, 0, n), 0.5)
    pitch.THRESHOLD = saved
    return out


def main():
    if sys.argv[1] == "real":
        base = without_mono_comb(teacher_session("models/separator.onnx", None, 1))
        out = open(sys.argv[3], "a")
        for p in sorted(Path("../shared/real-jazz").glob("seg?.mp3")):
            x, rate = read_audio(p)
            s = pipeline.separate(x.mean(axis=1, keepdims=True), rate, base).solo
            rec = {"track": p.name}
            for k, e in variants(s).items():
                rec[k] = round(float(10 * np.log10(((s - e) ** 2).sum() / (s ** 2).sum())), 2)
            out.write(json.dumps(rec) + "\n")
            out.flush()
        return
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        rec = {"track": folder.name}
        for k, e in variants(s).items():
            rec[k] = global_sdr(ref, e)
        line(rec)


if __name__ == "__main__":
    main()
