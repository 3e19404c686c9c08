#!/usr/bin/env python3
"""Draw spectrograms of mixture, solo and accompaniment of a few synthesised tracks.

Usage::

    python scripts/plot_dataset.py                     # make 3 tracks in a temp dir, plot to docs/
    python scripts/plot_dataset.py --data DIR --tracks track_00000 track_00001

Writes ``docs/dataset_<track>.png``: three log-frequency spectrograms (mid channel, dB)
stacked, with the solo's activity spans from meta.json marked on the solo panel.
Needs matplotlib (training/dev dependency).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import stft

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def spectrogram_db(x: np.ndarray, rate: int):
    """Mid-channel STFT magnitude in dB: (freqs (f,), times (t,), S (f, t))."""
    mid = x.mean(axis=1)
    f, t, Z = stft(mid, rate, nperseg=2048, noverlap=1536)
    return f, t, 20 * np.log10(np.abs(Z) + 1e-7)


def plot_track(track_dir: Path, out_png: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    meta = json.loads((track_dir / "meta.json").read_text())
    fig, axes = plt.subplots(3, 1, figsize=(11, 8.5), sharex=True, constrained_layout=True)
    ref = None
    for ax, stem in zip(axes, ("mixture", "solo", "accompaniment")):
        x, rate = sf.read(str(track_dir / f"{stem}.wav"), dtype="float32", always_2d=True)
        f, t, S = spectrogram_db(x, rate)
        ref = S.max() if ref is None else ref
        ax.pcolormesh(t, f, S, vmin=ref - 80, vmax=ref, shading="auto", cmap="magma")
        ax.set_yscale("symlog", linthresh=200)
        ax.set_ylim(40, rate / 2)
        ax.set_ylabel("Hz")
        label = stem
        if stem == "solo":
            label += f" ({meta['instrument']}, pan {meta['pan_deg']:+.0f} deg, {meta['solo_level_db']:+.1f} dB)"
            for s, e in meta["activity"]:
                ax.axvspan(s, e, ymin=0.0, ymax=0.03, color="cyan")
        if stem == "accompaniment":
            label += " (" + ", ".join(meta["accompaniment_instruments"]) + ")"
        ax.set_title(label, loc="left", fontsize=10)
    axes[-1].set_xlabel("seconds")
    degr = ", ".join(d["type"] for d in meta["degradations"]) or "clean"
    fig.suptitle(f"{meta['track']}: {meta['style']}, {meta['tempo']:.0f} bpm, {meta['key']}, "
                 f"{meta['form']} | {degr}", fontsize=11)
    fig.savefig(out_png, dpi=80)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="existing dataset folder (default: make 3 tracks)")
    ap.add_argument("--tracks", nargs="*", help="track folder names to plot")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            from jazzremix_gui.training.synth.dataset import generate_dataset
            data = Path(tmp)
            generate_dataset(data, 3, args.seconds, args.seed, jobs=2)
        names = args.tracks or sorted(p.name for p in data.glob("track_*") if (p / "meta.json").is_file())[:3]
        for name in names:
            png = args.out / f"dataset_{name}.png"
            plot_track(data / name, png)
            print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
