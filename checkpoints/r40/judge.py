"""Diagnostic r40, step 3: the mono comb (rule r32's weights) with F0s from the pitch network (``pitchnet.py``) instead
of YIN's, on SET read in mono; each variant paired against the product (YIN). ``net``: the network's F0s and
voicing; ``fix``: YIN's, but the network's where both are voiced and more than a semitone apart; ``fill``: YIN's,
and the network's where YIN hears none; ``both``: fix and fill; ``netvoice``: the network's voicing, YIN's F0 where
within a semitone of the network's; ``clean``: the clean solo's F0; ``yinvoice``: YIN's voicing, the network's
likeliest pitch where YIN's is more than a semitone from it; ``cleanvoice``: the clean solo's voicing, YIN's F0 or
else the network's likeliest; ``soft``: the weights of the network's likeliest pitch and those of an unvoiced frame
mixed by the network's probability of a voiced frame; ``gateP``: voiced where that probability is over P, YIN's F0
where within a semitone of the network's likeliest, else the likeliest; ``gateyinP``: YIN's, unvoiced where that
probability is at most P; ``softyin``: the same with YIN's F0 where it is within a semitone. ``right_*``: the share
of frames voiced by both the variant and the clean solo within a semitone of the clean F0; ``voiced_*``: the share
voiced.

    PYTHONPATH=. python checkpoints/r40/judge.py data/SET 0|1 OUT.jsonl --model .../w<WIDTH>.pt
"""
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r40")
sys.path.insert(0, "checkpoints/r34")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
import pitchnet  # noqa: E402
from features import mags  # noqa: E402
from sieve import edit, right  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, read_track  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import istft  # noqa: E402


def near(a, b):
    ok = (a > 0) & (b > 0)
    out = np.zeros(a.shape, bool)
    out[ok] = np.abs(np.log2(b[ok] / a[ok])) <= 1 / 12
    return out


def main():
    path = sys.argv[sys.argv.index("--model") + 1]
    model = pitchnet.load_model(path, int(path.rsplit("w", 1)[1].split(".")[0]))  # run/w<width>.pt
    argv = sys.argv[:4]
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(argv):
        m = diagnostic_runs.mono_solo(stems, solo)
        s, ref, spec, y, c = m.solo, m.ref, m.spec, m.yin, m.clean
        mid = read_track(folder)[0].mean(axis=1)
        lg = pitchnet.logits(model, mags(s), mags(mid))
        net, pv = pitchnet.decode(lg), pitchnet.voiced_probability(lg)
        full = pitchnet.decode(lg, voiced_only=True)
        yv, nv = y > 0, net > 0
        variants = {"product": y, "clean": c, "net": net,
                    "fix": np.where(yv & nv & ~near(y, net), net, y),
                    "fill": np.where(~yv & nv, net, y),
                    "netvoice": np.where(near(y, net), y, net)}
        variants["both"] = np.where(~yv & nv, net, variants["fix"])
        variants["yinvoice"] = np.where(yv, np.where(near(y, full), y, full), 0.0)
        variants["cleanvoice"] = np.where(c > 0, np.where(y > 0, y, full), 0.0)
        for tau in (0.2, 0.3, 0.4):  # the network's voicing at a lower bar, YIN's F0 where near its likeliest
            variants[f"gate{tau}"] = np.where(pv > tau, np.where(near(y, full), y, full), 0.0)
            variants[f"gateyin{tau}"] = np.where((pv > tau) & yv, y, 0.0)  # only turning YIN's voicing off
        rec = {"track": folder.name}
        for k, f in variants.items():
            rec[k] = global_sdr(ref, edit(s, spec, f))
            rec["right_" + k] = right(f, c)
            rec["voiced_" + k] = round(float((f > 0).mean()), 3)
        for name, f in (("soft", full), ("softyin", np.where(near(y, full) | (y <= 0), full, y))):
            w = pv[:, None] * pitch_comb.weights(f) + (1 - pv[:, None]) * pitch_comb.UNVOICED
            rec[name] = global_sdr(ref, s - np.asarray(istft(spec * (1 - w), pitch_comb.HOP, s.shape[0]),
                                                       np.float32).reshape(-1))
            variants[name] = None
        line(rec)
        print(folder.name, {k: round(rec[k] - rec["product"], 2) for k in variants}, flush=True)


if __name__ == "__main__":
    main()
