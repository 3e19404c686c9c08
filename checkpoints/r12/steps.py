"""Diagnostic r12: how many adaptation steps (r11 found 40 ahead of 75 on its first 14 tracks).

One adaptation trajectory a track, exactly as the product runs it (training/adapt.py's recipe and teacher, one
thread: ``evaluate --adapt N`` gives the same SDR to the third decimal), its copy snapshotted after each count of
steps in ``--snapshots``; each snapshot separates the track and is scored beside the shipped separator. The learning
rate depends only on the step, so the snapshot after N steps is an N-step adaptation.

    python checkpoints/r12/steps.py SET OUT.jsonl [--snapshots 10,20,30,40,50,60,75] [--every 2 --offset 0|1]

Only the mixture is read before scoring.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r11"))
from variants import adapt  # noqa: E402  (r11's loop: the product's recipe, with snapshots)

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, read_track  # noqa: E402
from jazzremix_gui.core.models import adapted_meta  # noqa: E402
from jazzremix_gui.training import separator_weights as weights  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402
from jazzremix_gui.training.torch_session import TorchSession  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--snapshots", default="10,20,30,40,50,60,75")
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    a = p.parse_args()
    counts = sorted(int(s) for s in a.snapshots.split(","))
    torch.set_num_threads(1)
    tracks = sorted(t for t in Path(a.set).iterdir() if (t / "mixture.wav").is_file())[a.offset::a.every]
    done = {json.loads(line)["track"] for line in open(a.out)} if Path(a.out).is_file() else set()
    base = teacher_session("models/separator.onnx", None, 1)
    for track in tracks:
        if track.name in done:
            continue
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
