"""Diagnostic r12: how many adaptation steps (r11 found 40 ahead of 75 on its first 14 tracks).

One adaptation trajectory a track, exactly as the product runs it (training/adapt.py's recipe and teacher, one
thread: ``evaluate --adapt N`` gives the same SDR to the third decimal), its copy snapshotted after each count of
steps in ``--snapshots``; each snapshot separates the track and is scored beside the shipped separator. The learning
rate depends only on the step, so the snapshot after N steps is an N-step adaptation.

    python checkpoints/r12/steps.py SET OUT.jsonl [--snapshots 10,20,30,40,50,60,75] [--every 2 --offset 0|1]

Only the mixture is read before scoring.
"""
import json
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "r11")]
import diagnostic_runs  # noqa: E402
from variants import adapt  # noqa: E402  (r11's loop: the product's recipe, with snapshots)

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, read_track  # noqa: E402
from jazzremix_gui.core.models import adapted_meta  # noqa: E402
from jazzremix_gui.training import separator_weights as weights  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402
from jazzremix_gui.training.torch_session import TorchSession  # noqa: E402


def main():
    a = diagnostic_runs.arguments(snapshots="10,20,30,40,50,60,75")
    counts = sorted(int(s) for s in a.snapshots.split(","))
    base = teacher_session("models/separator.onnx", None, 1)
    for track in diagnostic_runs.pending(a):
        t0 = time.time()
        mix, solo, acc, rate = read_track(track)
        ref = solo.mean(axis=1)
        teacher = pipeline.separate(mix, rate, base)
        rec = {"track": track.name, "base": [global_sdr(ref, teacher.solo), global_sdr(acc, teacher.accompaniment)]}
        model, _, _ = weights.load_init(base.meta.path)
        snaps = adapt(model, teacher, counts[-1], snapshots=tuple(counts))
        for n in counts:
            model.load_state_dict(snaps[n])
            s = pipeline.separate(mix, rate, TorchSession(model, adapted_meta(base.meta, n)))
            rec[f"a{n}"] = [global_sdr(ref, s.solo), global_sdr(acc, s.accompaniment)]
        rec["seconds"] = round(time.time() - t0, 1)
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(track.name, " ".join(f"{k} {v[0]:6.2f}" for k, v in rec.items() if isinstance(v, list)),
              rec["seconds"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
