"""Diagnostic r34c: a learnt pitch tracker on the separated mono solo: CREPE (Kim et al. 2018; torchcrepe's
``tiny`` and ``full`` weights, diagnostic only, installed outside the project) at 16 kHz every 10 ms, its F0 taken
at each comb frame's centre (nearest 10 ms frame), voiced where its periodicity is at least ``v`` (0.3 / 0.5);
the comb and rule r32's weights applied to the solo as the product does. Paired against the product (YIN);
``right`` and ``voiced`` as in highpass.py; ``cpu``: CREPE's CPU seconds per track.

    PYTHONPATH=.:/tmp/tc:/tmp/libr python checkpoints/r34/crepe.py data/val-unseen 0|1 OUT.jsonl
"""
import sys
import time

import numpy as np
import soxr
import torch

sys.path.insert(0, "checkpoints/r34")
sys.path.insert(0, "checkpoints")
import diagnostic_runs  # noqa: E402
from sieve import edit, right  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr  # noqa: E402
from jazzremix_gui.core.signal import pitch_comb  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402


def crepe(s, n, model):
    import types
    sys.modules.setdefault("torchaudio", types.ModuleType("torchaudio"))  # only its file loading wants it
    import torchcrepe
    x = soxr.resample(s.astype(np.float32), 44100, 16000)
    f, per = torchcrepe.predict(torch.from_numpy(x)[None], 16000, 160, 65.4, 1975.5, model, return_periodicity=True,
                                batch_size=512, device="cpu", decoder=torchcrepe.decode.viterbi)
    f, per = f[0].numpy(), per[0].numpy()
    idx = np.minimum(np.rint(np.arange(n) * pitch_comb.HOP / 44100 / 0.01).astype(int), f.shape[0] - 1)
    return f[idx], per[idx]


def main():
    torch.set_num_threads(1)
    for folder, stems, solo, acc, rate, line in diagnostic_runs.mono_runs(sys.argv):
        s = stems.solo
        ref = solo.mean(axis=1)[: s.shape[0]]
        spec = stft(s, pitch_comb.HOP)
        n = spec.shape[0]
        f0 = pitch_comb.frame_f0(s, 0, n)
        c0 = pitch_comb.frame_f0(ref, 0, n)
        rec = {"track": folder.name, "product": global_sdr(ref, edit(s, spec, f0)), "product_right": right(f0, c0),
               "product_voiced": round(float((f0 > 0).mean()), 3)}
        for model in ("tiny", "full"):
            t = time.process_time()
            f, per = crepe(s, n, model)
            rec[f"{model}_cpu"] = round(time.process_time() - t, 2)
            for v in (0.3, 0.5):
                g = np.where(per >= v, f, 0.0)
                k = f"{model}{v}"
                rec[k] = global_sdr(ref, edit(s, spec, g))
                rec[k + "_right"], rec[k + "_voiced"] = right(g, c0), round(float((g > 0).mean()), 3)
            g = np.where(f0 > 0, f, 0.0)  # YIN's voicing, CREPE's pitch
            rec[f"{model}_yinvoicing"] = global_sdr(ref, edit(s, spec, g))
            rec[f"{model}_yinvoicing_right"] = right(g, c0)
        line(rec)


if __name__ == "__main__":
    main()
