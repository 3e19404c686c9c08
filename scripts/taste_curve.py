"""Taste learning measured (issue #10 item 5): a scripted engineer annotates K tracks, the mixer learns.

The engineer has a consistent taste that differs from the policy: every solo
``--pan-shift`` degrees (default -20: left) and ``--gain-shift`` dB (default -3: under)
from the shipped mixer's suggestion. For each K, a fresh annotation file gets K exports
recorded through the app's own export path (:func:`services.annotations.record_export`,
stems from the shipped separator), then ``jazzremix train-mixer --annotations FILE`` runs
(the CLI, in process), and on ``--test`` unseen tracks the share of the user model's
suggestions within one cell of the engineer's taste is measured, with the mean pan and gain
moves towards it.

``python scripts/taste_curve.py --data data/mixer-taste --out docs/taste_curve.json --plot docs/taste_curve.png``
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from jazzremix_gui.cli.main import main as cli_main
from jazzremix_gui.core import machine
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.signal import codebook, features
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.pipeline import load_model, separate, suggest
from jazzremix_gui.services.annotations import ExportRecord, record_export


def taste(pan: float, gain: float, pan_shift: float, gain_shift_db: float) -> int:
    """The engineer's cell for a suggestion."""
    return codebook.pan_gain_to_cell(float(np.clip(pan + pan_shift, -45, 45)),
                                     float(np.clip(gain * 10 ** (gain_shift_db / 20), 0, 2)))


def within_one(a: int, b: int) -> bool:
    pa, ga = codebook.cell_classes(np.array([a]))
    pb, gb = codebook.cell_classes(np.array([b]))
    return bool(abs(pa - pb)[0] <= 1 and abs(ga - gb)[0] <= 1)


def separated(folder: Path, sep):
    """Stems of a track's mixture by the shipped separator, with the solo's recorded level."""
    mix, rate = audio_io.read_audio(folder / "mixture.wav")
    stems = separate(mix, rate, sep)
    if getattr(stems, "solo_level", None) is None:  # engines without the estimate: from the masked channels
        stems.solo_level = features.solo_level(mix.astype(np.float64) - stems.accompaniment)
    return stems


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="dataset: the first --pool tracks are annotated, the next --test tested")
    p.add_argument("--out", required=True)
    p.add_argument("--plot")
    p.add_argument("--work", default="data/mixer-work/taste")
    p.add_argument("--ks", default="1,3,5,10")
    p.add_argument("--pool", type=int, default=10)
    p.add_argument("--test", type=int, default=20)
    p.add_argument("--pan-shift", type=float, default=-20.0)
    p.add_argument("--gain-shift", type=float, default=-3.0)
    p.add_argument("--annotation-weight", type=float, default=2.0)
    p.add_argument("--base", default=str(paths.shipped_model("mixer")), help="mixer to start from (default: the shipped one)")
    a = p.parse_args(argv)
    ks = [int(k) for k in a.ks.split(",")]
    folders = list_tracks(a.data)
    if len(folders) < a.pool + a.test or max(ks) > a.pool:
        print(f"need {a.pool + a.test} tracks and K <= {a.pool}", file=sys.stderr)
        return 1
    sep, base = load_model(None, "separator"), load_model(a.base, "mixer")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    tracks = []
    for f in folders[: a.pool + a.test]:
        stems = separated(f, sep)
        s = suggest(stems, base)
        tracks.append({"folder": f, "stems": stems, "pan": s.pan_deg, "gain": s.gain,
                       "taste": taste(s.pan_deg, s.gain, a.pan_shift, a.gain_shift)})
    pool, test = tracks[: a.pool], tracks[a.pool:]
    base_hits = np.mean([within_one(codebook.pan_gain_to_cell(t["pan"], t["gain"]), t["taste"]) for t in test])
    results = {"pan_shift_deg": a.pan_shift, "gain_shift_db": a.gain_shift, "annotation_weight": a.annotation_weight,
               "separator": sep.meta.version, "base_mixer": base.meta.version, "test_tracks": len(test),
               "base_within_one_of_taste": round(float(base_hits), 3), "curve": []}
    for k in ks:
        ann = work / f"annotations-K{k}.jsonl"
        ann.unlink(missing_ok=True)
        for t in pool[:k]:
            pan, gain = codebook.cell_to_pan_gain(t["taste"])
            record_export(ExportRecord(t["folder"] / "mixture.wav", None, t["stems"], pan, gain, [],
                                       sep.meta.version, base.meta.version, base.meta.hop), path=ann)
        user = work / f"mixer.user-K{k}.onnx"
        t0 = time.process_time()
        rc = cli_main(["train-mixer", "--annotations", str(ann), "--out", str(user),
                       "--annotation-weight", f"{a.annotation_weight:g}"] + ["--base", a.base])
        cpu = time.process_time() - t0
        if rc != 0:
            return rc
        model = ModelSession(user, "mixer", prefer_gpu=False)
        hits, dpan, dgain = [], [], []
        for t in test:
            s = suggest(t["stems"], model)
            tp, tg = codebook.cell_to_pan_gain(t["taste"])
            hits.append(within_one(codebook.pan_gain_to_cell(s.pan_deg, s.gain), t["taste"]))
            dpan.append(s.pan_deg - t["pan"])
            dgain.append(20 * np.log10(max(s.gain, 0.05) / max(t["gain"], 0.05)))
        row = {"k": k, "within_one_of_taste": round(float(np.mean(hits)), 3),
               "mean_pan_move_deg": round(float(np.mean(dpan)), 2), "mean_gain_move_db": round(float(np.mean(dgain)), 2),
               "finetune_cpu_s": round(cpu, 2), "annotation_bytes_per_line": round(ann.stat().st_size / k)}
        results["curve"].append(row)
        print(row, file=sys.stderr, flush=True)
    results["machine"] = machine.describe()
    Path(a.out).write_text(json.dumps(results, indent=1) + "\n")
    if a.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 3.4), dpi=110)
        xs = [r["k"] for r in results["curve"]]
        ax.plot(xs, [100 * r["within_one_of_taste"] for r in results["curve"]], "o-", label="fine-tuned mixer")
        ax.axhline(100 * base_hits, color="grey", ls=":", label="shipped mixer")
        ax.axhline(80, color="tab:red", ls="--", lw=0.8, label="target at K = 5")
        ax.set_xlabel("annotated tracks K")
        ax.set_ylabel("suggestions within one cell\nof the taste (%)")
        ax.set_ylim(0, 105)
        ax.set_xticks(xs)
        ax.set_title(f"Learning a taste ({a.pan_shift:+g} deg, {a.gain_shift:+g} dB), {len(test)} unseen tracks",
                     fontsize=9)
        ax.legend(fontsize=8, loc="center right")
        fig.tight_layout()
        fig.savefig(a.plot)
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
