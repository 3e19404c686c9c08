"""Calibrate the synthesiser's ``real`` solo-level profile on real records (issue #10 item 2).

How: every input is separated with the shipped separator; the stereo solo estimate is
``mixture - accompaniment`` (the Wiener-masked channels, ``M_c X_c``); the recorded
balance is ``L(stereo solo) - L(accompaniment)`` (BS.1770, over the frames where the
solo estimate plays), exactly as the policy measures it on ground-truth stems
(:func:`training.mixer_policy.recorded_balance`). On synthetic validation tracks the
same estimate is compared with the ground-truth balance: the mean difference is the
separator's bias (leakage of the band into the solo estimate raises it), removed from
the real measurements. The synthetic tracks' ``solo_level_db`` (the synth's drawn level)
is regressed on the true balance to map a wanted balance to a synth level.

``python scripts/calibrate_solo_level.py --real ../shared/real-jazz --synth data/val --out docs/solo_level_calibration.json``
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.pipeline import load_model, separate
from jazzremix_gui.training.mixer_policy import active_mask, recorded_balance
from jazzremix_gui.training.synth.mixdown import activity


def estimated_balance(audio: np.ndarray, rate: int, model) -> float:
    """Recorded balance (LU) of a mixture ``(n, 2)`` measured on the separator's stems."""
    if audio.ndim == 1:
        audio = np.stack([audio, audio], axis=1)
    stems = separate(audio, rate, model)
    solo_st = audio.astype(np.float64) - stems.accompaniment
    mask = active_mask(audio.shape[0], activity(stems.solo.astype(np.float64), rate), rate)
    return recorded_balance(solo_st, stems.accompaniment, mask, rate)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--real", required=True, help="folder with seg1.mp3 .. seg9.mp3")
    p.add_argument("--synth", required=True, help="synthetic dataset with ground truth (DESIGN.md §3)")
    p.add_argument("--out", required=True)
    p.add_argument("--max-synth", type=int, default=24)
    a = p.parse_args(argv)
    model = load_model(None, "separator")
    real = {}
    for k in range(1, 10):
        path = Path(a.real) / f"seg{k}.mp3"
        audio, rate = audio_io.read_audio(path)
        real[path.stem] = round(estimated_balance(audio, rate, model), 3)
        print(path.stem, real[path.stem], file=sys.stderr, flush=True)
    synth = []
    for folder in list_tracks(a.synth)[: a.max_synth]:
        meta = json.loads((folder / "meta.json").read_text())
        mix, rate = audio_io.read_audio(folder / "mixture.wav")
        solo, _ = audio_io.read_audio(folder / "solo.wav")
        acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
        mask = active_mask(mix.shape[0], meta.get("activity"), rate)
        true = recorded_balance(solo, acc, mask, rate)
        est = estimated_balance(mix, rate, model)
        synth.append({"track": folder.name, "solo_level_db": meta["solo_level_db"], "true_lu": round(true, 3),
                      "estimated_lu": round(est, 3)})
        print(synth[-1], file=sys.stderr, flush=True)
    lv = np.array([s["solo_level_db"] for s in synth])
    tr = np.array([s["true_lu"] for s in synth])
    es = np.array([s["estimated_lu"] for s in synth])
    slope, offset = np.polyfit(lv, tr, 1)
    resid = tr - (slope * lv + offset)
    bias = es - tr
    r = np.array(list(real.values())) - float(np.median(bias))
    out = {
        "separator": model.meta.version,
        "real_estimated_lu": real,
        "separator_bias_lu": {"median": round(float(np.median(bias)), 3), "mean": round(float(bias.mean()), 3),
                              "std": round(float(bias.std()), 3), "n": int(bias.size)},
        "real_corrected_lu": {"mean": round(float(r.mean()), 3), "std": round(float(r.std(ddof=1)), 3),
                              "min": round(float(r.min()), 3), "max": round(float(r.max()), 3)},
        "synth_fit": {"slope": round(float(slope), 4), "offset_lu": round(float(offset), 3),
                      "residual_std_lu": round(float(resid.std()), 3)},
        "synth_tracks": synth,
    }
    Path(a.out).write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "synth_tracks"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
