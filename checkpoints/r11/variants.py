"""Diagnostic r11: what to do with the adaptation's steps (tuning set only, data/val-unseen).

For each track, one adaptation trajectory as the product runs it (training/adapt.py's recipe, the teacher made as
``services.adaptation`` makes it, one thread), and variants scored against the true stems beside the shipped
separator, all from the same run:

- ``a40``, ``a75``: the copy after 40 and 75 steps (the learning rate depends on the step only, so the 40-step
  snapshot is a 40-step adaptation);
- ``avg``: the mean of the shipped separator's stems and a75's (an ensemble of the two);
- ``r2c``: a second round, taught by a75's stems, continuing from a75's weights for 75 more steps (fresh optimiser,
  warm-up again);
- ``r2b``: a second round taught by a75's stems, from the shipped weights (75 steps).

    python checkpoints/r11/variants.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1]

Only the mixture is read before scoring.
"""
import json
import sys
import time
from pathlib import Path

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, read_track
from jazzremix_gui.core.models import adapted_meta
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune, teacher_session
from jazzremix_gui.training.torch_session import TorchSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402


def adapt(model, teacher: pipeline.Stems, steps: int, snapshots=()) -> dict:
    """Fine-tune ``model`` (in place) on ``teacher``'s stems for ``steps`` steps (the product's loop,
    ``training.adapt.fine_tune``); its state dicts after each count of steps in ``snapshots``."""
    saved = {}

    def keep(done, m):
        if done in snapshots:
            saved[done] = {k: v.clone() for k, v in m.state_dict().items()}
    fine_tune(model, teacher, steps, 1, after_step=keep)
    return saved


def main():
    a = diagnostic_runs.arguments()
    base = teacher_session("models/separator.onnx", None, 1)
    meta = adapted_meta(base.meta, 75)
    for track in diagnostic_runs.pending(a):
        t0 = time.time()
        mix, solo, acc, rate = read_track(track)
        ref = solo.mean(axis=1)
        stems = {"base": pipeline.separate(mix, rate, base)}
        model, _, _ = weights.load_init(base.meta.path)
        snaps = adapt(model, stems["base"], 75, snapshots=(40,))
        stems["a75"] = pipeline.separate(mix, rate, TorchSession(model, meta))
        a75_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(snaps[40])
        stems["a40"] = pipeline.separate(mix, rate, TorchSession(model, meta))
        model.load_state_dict(a75_state)
        adapt(model, stems["a75"], 75)
        stems["r2c"] = pipeline.separate(mix, rate, TorchSession(model, meta))
        model, _, _ = weights.load_init(base.meta.path)
        adapt(model, stems["a75"], 75)
        stems["r2b"] = pipeline.separate(mix, rate, TorchSession(model, meta))
        rec = {"track": track.name}
        for name, s in stems.items():
            rec[name] = [global_sdr(ref, s.solo), global_sdr(acc, s.accompaniment)]
        b, c = stems["base"], stems["a75"]
        rec["avg"] = [global_sdr(ref, (b.solo + c.solo) / 2), global_sdr(acc, (b.accompaniment + c.accompaniment) / 2)]
        rec["seconds"] = round(time.time() - t0, 1)
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(track.name, " ".join(f"{k} {v[0]:6.2f}" for k, v in rec.items() if isinstance(v, list)),
              rec["seconds"], flush=True)


if __name__ == "__main__":
    sys.exit(main())
