"""Estimate the pan and gain the seed paper's system chose on its nine real-jazz demo segments.

The paper's remix is ``[gain g_L solo, gain g_R solo] + accompaniment`` with its own solo
(``segN_solo.mp3``, mono) and accompaniment (``segN_acc.mp3``, stereo). So per channel c,
``remixed_c - acc_c = (gain g_c) solo``: a least-squares fit of ``remixed_c - acc_c`` on the
solo (after finding the small MP3 decoder offset between the files by cross-correlation)
gives ``a_c = gain g_c``; then ``pan = atan2(a_R, a_L) - 45 deg`` and ``gain = sqrt(a_L^2 + a_R^2)``
(constant-power law). The residual energy tells how well the model explains the file.

Optionally (``--ours``) also prints our mixer's suggestion on the same paper stems (which
takes the separator out of the comparison) and, when a separator is installed, the
output of ``jazzremix suggest --json`` on ``segN.mp3``.

Usage: ``python scripts/paper_pan_estimates.py [--dir ../shared/real-jazz] [--ours] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.signal.panlaw import pan_from_gains  # noqa: E402


def best_offset(a: np.ndarray, b: np.ndarray, max_lag: int = 4096) -> int:
    """Lag (samples) that best aligns ``b`` to ``a`` (``a[t] ~ b[t + lag]``), from a 20 s excerpt."""
    n = min(len(a), len(b), 20 * 44100)
    x, y = a[:n] - a[:n].mean(), b[:n] - b[:n].mean()
    spec = np.fft.rfft(x, 2 * n) * np.conj(np.fft.rfft(y, 2 * n))
    cc = np.fft.irfft(spec)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    vals = np.concatenate([cc[: max_lag + 1], cc[-max_lag:]])
    return int(-lags[np.argmax(vals)])


def shift(x: np.ndarray, lag: int) -> np.ndarray:
    """``x`` delayed by ``-lag`` samples (zero filled), same length."""
    out = np.zeros_like(x)
    if lag >= 0:
        out[: len(x) - lag] = x[lag:]
    else:
        out[-lag:] = x[: len(x) + lag]
    return out


def estimate(folder: Path, n: int) -> dict:
    remix, rate = audio_io.read_audio(folder / f"seg{n}_remixed.mp3")
    acc, _ = audio_io.read_audio(folder / f"seg{n}_acc.mp3")
    solo, _ = audio_io.read_audio(folder / f"seg{n}_solo.mp3")
    m = min(len(remix), len(acc), len(solo))
    remix, acc, solo = remix[:m].astype(np.float64), acc[:m].astype(np.float64), solo[:m, 0].astype(np.float64)
    lag_acc = best_offset(remix.mean(axis=1), acc.mean(axis=1))
    acc = np.stack([shift(acc[:, c], lag_acc) for c in range(2)], axis=1)
    diff = remix - acc
    lag_solo = best_offset(diff.mean(axis=1), solo)
    solo = shift(solo, lag_solo)
    a = [float(diff[:, c] @ solo / max(solo @ solo, 1e-12)) for c in range(2)]
    resid = diff - np.outer(solo, a)
    explained = 1 - float((resid ** 2).sum() / max((diff ** 2).sum(), 1e-12))
    e_l, e_r = float((diff[:, 0] ** 2).sum()), float((diff[:, 1] ** 2).sum())
    return {"segment": f"seg{n}", "pan_deg_fit": round(pan_from_gains(max(a[0], 0), max(a[1], 0)), 1),
            "gain_fit": round(float(np.hypot(*a)), 2),
            "pan_deg_energy": round(pan_from_gains(np.sqrt(e_l), np.sqrt(e_r)), 1),
            "fit_explained": round(explained, 3), "lags": [lag_acc, lag_solo]}


def ours_on_paper_stems(folder: Path, n: int, mixer=None) -> dict:
    """Our mixer's track-level suggestion and section count on the paper's own stems."""
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.signal.mixer import run_mixer

    acc, rate = audio_io.read_audio(folder / f"seg{n}_acc.mp3")
    solo, _ = audio_io.read_audio(folder / f"seg{n}_solo.mp3")
    m = min(len(acc), len(solo))
    sugg = run_mixer(pipeline.load_model(mixer, "mixer"), solo[:m, 0], acc[:m], rate)
    return {"pan_deg": sugg.pan_deg, "gain": sugg.gain, "p": round(float(sugg.posterior.max()), 3),
            "sections": [(round(s.start, 1), round(s.end, 1), s.pan_deg, s.gain) for s in sugg.sections if s.active]}


def suggest_cli(path: Path) -> dict | None:
    """``jazzremix suggest --json`` on a file (None when it fails, e.g. no separator installed)."""
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui.cli.main", "suggest", str(path), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[:200]}
    data = json.loads(proc.stdout)
    post = np.array(data["posterior"])
    cells = {(s["pan_deg"], s["gain"]) for s in data["sections"] if s.get("active")}
    return {"pan_deg": data["pan_deg"], "gain": data["gain"], "posterior_shape": list(post.shape),
            "posterior_sum": round(float(post.sum()), 6), "sections": len(data["sections"]),
            "distinct_section_cells": len(cells), "mixer": data.get("mixer")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default=str(ROOT.parent / "shared" / "real-jazz"))
    ap.add_argument("--ours", action="store_true", help="also our mixer on the paper stems and jazzremix suggest")
    ap.add_argument("--mixer", help="mixer ONNX for --ours (default: as the app chooses)")
    ap.add_argument("--json", metavar="OUT", help="write all rows as JSON")
    args = ap.parse_args()
    folder = Path(args.dir)
    rows = []
    for n in range(1, 10):
        row = estimate(folder, n)
        if args.ours:
            row["ours_on_paper_stems"] = ours_on_paper_stems(folder, n, args.mixer)
            row["suggest_cli"] = suggest_cli(folder / f"seg{n}.mp3")
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
