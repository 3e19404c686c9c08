"""Diagnostic r13: can a recording tell, without its true stems, whether the adapted separator helps it?

About half the fresh tracks lose a little to a 75-step adaptation (docs/SEPARATOR_V3.md, "How many steps"). For each
track: the shipped separator's stems (the teacher), the 75-step adaptation exactly as the product runs it, and what
the product could see without the true stems: how far the adapted stems moved from the teacher's (SDR of one against
the other, solo and accompaniment), the training loss over the first and last ten steps, the solo's share of the
energy and its pan as each separation found them; then both separations scored against the true stems.

    python checkpoints/r13/guard.py SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, read_track
from jazzremix_gui.core.models import adapted_meta
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune, teacher_session
from jazzremix_gui.training.torch_session import TorchSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

STEPS = 75


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    for track in diagnostic_runs.pending(a):
        t0 = time.time()
        mix, solo, acc, rate = read_track(track)
        teacher = pipeline.separate(mix, rate, base)
        model, _, _ = weights.load_init(base.meta.path)
        losses = fine_tune(model, teacher, STEPS, 1)
        adapted = pipeline.separate(mix, rate, TorchSession(model, adapted_meta(base.meta, STEPS)))
        ref = solo.mean(axis=1)
        rec = {"track": track.name,
               "base": [global_sdr(ref, teacher.solo), global_sdr(acc, teacher.accompaniment)],
               "a75": [global_sdr(ref, adapted.solo), global_sdr(acc, adapted.accompaniment)],
               "moved_solo_db": global_sdr(teacher.solo, adapted.solo),
               "moved_acc_db": global_sdr(teacher.accompaniment, adapted.accompaniment),
               "loss_first": float(np.mean(losses[:10])), "loss_last": float(np.mean(losses[-10:])),
               "share_db": [float(teacher.solo_share_db), float(adapted.solo_share_db)],
               "pan_deg": [float(teacher.recorded_pan_deg), float(adapted.recorded_pan_deg)],
               "others": [len(teacher.others_deg), len(adapted.others_deg)],
               "seconds": round(time.time() - t0, 1)}
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(track.name, f"gain {rec['a75'][0] - rec['base'][0]:+.2f} moved {rec['moved_solo_db']:.1f} dB "
              f"loss {rec['loss_first']:.4f}->{rec['loss_last']:.4f}", rec["seconds"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
