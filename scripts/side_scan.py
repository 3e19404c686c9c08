"""Experiment s1 (issue #21): the first block of each stereo track heard steered at a grid of directions, with
what each pass says about the part it found, for a classifier of the solo's side.

For every track of each SET (a folder of track_*/mixture.wav + meta.json), the first block (BLOCK_FRAMES frames with
the model's context) is heard steered fully (steer 1) at each of GRID directions from -45 to +45 degrees of pan; per
direction it keeps features of the network's solo there (see FEATURES), and the track's true solo pan and its
accompaniment parts' pans (meta.json). Writes one .npz per call.

    python scripts/side_scan.py OUT.npz data/train-v13 [data/...] [--model models/separator.onnx] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.signal.features import separator_input
from jazzremix_gui.core.signal.separation import BLOCK_FRAMES, Analyser, run_network
from jazzremix_gui.core.signal.spatial import BINS, direction_histogram, directions, peak_direction, steering_gains
from jazzremix_gui.core.signal.stft import frame_centre

GRID = np.linspace(-45.0, 45.0, 13)  # pan, degrees (7.5 degrees apart)
FEATURES = ("share_db", "self_dist", "near_mass", "conc", "active", "peaky", "centroid", "flux", "abs_pan",
            "mix_mass", "low_share", "steady", "read_pan")


def first_work(x: np.ndarray, hop: int, ctx: int):
    an = Analyser(x.shape[0], hop, ctx, BLOCK_FRAMES, steered=True)
    need = frame_centre(BLOCK_FRAMES + ctx + 2, hop) + 4096
    works = an.push(x[:need]) or an.finish()
    return works[0]


def pass_features(solo: np.ndarray, mag: np.ndarray, theta: np.ndarray, pan: float) -> list[float]:
    """Features of the network's solo ``solo`` (T, F) heard steered at ``pan`` (degrees)."""
    mid = (mag[:, 0] + mag[:, 1]) / 2
    e_s = np.square(solo, dtype=np.float64)
    e_m = np.square(mid, dtype=np.float64)
    share_db = 10 * np.log10((e_s.sum() + 1e-12) / (e_m.sum() + 1e-12))
    hist = direction_histogram(solo, mag, theta)
    read = np.rad2deg(peak_direction(hist)) - 45.0
    b = int(np.clip((pan + 45.0) / 2.0, 0, BINS - 1))
    tot = hist.sum() + 1e-12
    near_mass = hist[max(0, b - 4): b + 5].sum() / tot
    peak = int(np.argmax(np.convolve(hist, [0.25, 0.5, 0.25], mode="same")))
    conc = hist[max(0, peak - 4): peak + 5].sum() / tot
    fr = e_s.sum(axis=1)  # per-frame energy
    active = float(np.mean(fr > fr.max() * 0.01)) if fr.max() > 0 else 0.0
    act = fr > fr.max() * 0.01
    s = e_s[act] if act.any() else e_s
    top = np.sort(s, axis=1)[:, -24:].sum(axis=1) / (s.sum(axis=1) + 1e-12)
    peaky = float(np.median(top))
    f = np.arange(s.shape[1])
    centroid = float(np.log2(1 + (s @ f).sum() / (s.sum() + 1e-12)))
    low_share = float(s[:, :24].sum() / (s.sum() + 1e-12))
    sm = solo[act] if act.any() else solo
    d = np.diff(np.log1p(sm * 100), axis=0)
    flux = float(np.mean(np.maximum(d, 0).mean(axis=1))) if sm.shape[0] > 1 else 0.0
    mixhist = direction_histogram(mid, mag, theta)
    mix_mass = mixhist[max(0, b - 4): b + 5].sum() / (mixhist.sum() + 1e-12)
    # steadiness: correlation of successive frames' spectra (a held line) among active frames
    if sm.shape[0] > 2:
        a0, a1 = sm[:-1], sm[1:]
        num = (a0 * a1).sum(axis=1)
        den = np.sqrt((a0 * a0).sum(axis=1) * (a1 * a1).sum(axis=1)) + 1e-12
        steady = float(np.median(num / den))
    else:
        steady = 0.0
    return [share_db, abs(read - pan), near_mass, conc, active, peaky, centroid, flux, abs(pan), mix_mass,
            low_share, steady, read]


def scan_track(model, x: np.ndarray) -> np.ndarray | None:
    meta = model.meta
    w = first_work(x, meta.hop, meta.context_frames)
    if w.mono:
        return None
    mag = np.abs(w.spec)
    theta = directions(mag)
    rows = []
    for pan in GRID:
        gains = steering_gains(np.deg2rad(pan + 45.0), 1.0)
        done = run_network(model, replace(w, features=separator_input(w.context, gains), context=None))
        rows.append(pass_features(done.solo_mag, mag, theta, float(pan)))
    mid_done = run_network(model, replace(w, features=separator_input(w.context), context=None))
    rows.append(pass_features(mid_done.solo_mag, mag, theta, 0.0))  # the mid's pass (last row)
    return np.asarray(rows, np.float64)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("sets", nargs="+")
    p.add_argument("--model", default="models/separator.onnx")
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args(argv)
    model = ModelSession(Path(a.model), "separator", threads=1)
    feats, pans, acc, names = [], [], [], []
    for s in a.sets:
        tracks = sorted(Path(s).glob("track_*"))
        if a.limit:
            tracks = tracks[: a.limit]
        for t in tracks:
            meta = json.loads((t / "meta.json").read_text())
            info = sf.info(str(t / "mixture.wav"))
            n = min(info.frames, int(12 * info.samplerate))
            x, sr = sf.read(str(t / "mixture.wav"), frames=n, dtype="float32", always_2d=True)
            if sr != 44100 or x.shape[1] != 2:
                continue
            f = scan_track(model, x)
            if f is None:
                continue
            feats.append(f)
            pans.append(float(meta["pan_deg"]))
            parts = meta.get("accompaniment_mix", {})
            pans = [float(v.get("pan_deg", 0.0)) for _, v in sorted(parts.items())][:6]
            acc.append(pans + [np.nan] * (6 - len(pans)))
            names.append(f"{s}/{t.name}")
        print(s, len(names), file=sys.stderr, flush=True)
    np.savez(a.out, feats=np.asarray(feats), pans=np.asarray(pans), acc=np.asarray(acc, np.float64),
             names=np.asarray(names), grid=GRID, features=np.asarray(FEATURES))


if __name__ == "__main__":
    main()
