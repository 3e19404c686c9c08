"""Side-by-side spectrograms on the real recordings of ../shared/real-jazz/.

For each segment: the mixture, our solo, our accompaniment, and the paper system's own
solo (``segN_solo.mp3``), drawn into ``docs/real_segN.png``; with ``--previous`` the
previous model's solo and accompaniment too, so a new version can be judged beside it.

    python scripts/plot_real_jazz.py [--segments 1 4 7] [--model models/separator.onnx]
        [--previous checkpoints/sep-mask-1.1/separator.onnx]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.signal import features  # noqa: E402
from jazzremix_gui.core.constants import MODEL_RATE, N_FFT  # noqa: E402

REAL = ROOT.parent / "shared" / "real-jazz"


def log_spec(x: np.ndarray, rate: int):
    """dB magnitude (hop 1024) of a mono signal, frequencies up to 16 kHz."""
    x44 = audio_io.resample(x, rate, MODEL_RATE)
    mag = features.mid_magnitude(x44, 1024)
    db = 20 * np.log10(mag + 1e-7)
    freqs = np.arange(mag.shape[1]) * MODEL_RATE / N_FFT
    keep = (freqs >= 40) & (freqs <= 16000)
    return db[:, keep].T, freqs[keep], features.frame_times(mag.shape[0], 1024)


def leak_figures(mix: np.ndarray, solo: np.ndarray, rate: int) -> dict:
    """Two figures of what a solo estimate lets through, in dB relative to the mixture's mid.

    ``low_end_db``: energy below 120 Hz (bass, kick drum). ``hits_db``: energy from 5 to 12 kHz in the
    frames where the mixture's 5-12 kHz energy jumps by more than 6 dB (drum hits, cymbal attacks).
    Lower is cleaner; the solo's own harmonics above 5 kHz set a floor for the second.
    """
    m = features.mid_magnitude(audio_io.resample(mix, rate, MODEL_RATE), 1024) ** 2
    s = features.mid_magnitude(audio_io.resample(solo, rate, MODEL_RATE), 1024) ** 2
    f = np.arange(m.shape[1]) * MODEL_RATE / N_FFT
    low, high = f < 120, (f >= 5000) & (f <= 12000)
    hm = m[:, high].sum(axis=1) + 1e-12
    hit = np.concatenate([[False], 10 * np.log10(hm[1:] / hm[:-1]) > 6])
    db = lambda a, b: float(10 * np.log10((a + 1e-12) / (b + 1e-12)))  # noqa: E731
    return {"low_end_db": db(s[:, low].sum(), m[:, low].sum()),
            "hits_db": db(s[hit][:, high].sum(), m[hit][:, high].sum()), "hit_frames": int(hit.sum())}


def draw(seg: int, model, out: Path, previous=None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mix, rate = audio_io.read_audio(REAL / f"seg{seg}.mp3")
    stems = pipeline.separate(mix, rate, model)
    paper, prate = audio_io.read_audio(REAL / f"seg{seg}_solo.mp3")
    rows = [("mixture (mid)", mix.mean(axis=1), rate), (f"our solo ({model.meta.version})", stems.solo, rate),
            (f"our accompaniment (mid, {model.meta.version})", stems.accompaniment.mean(axis=1), rate)]
    if previous is not None:
        old = pipeline.separate(mix, rate, previous)
        print(f"seg{seg} solo leaks (dB re mixture): {model.meta.version} {leak_figures(mix, stems.solo, rate)}, "
              f"{previous.meta.version} {leak_figures(mix, old.solo, rate)}", flush=True)
        rows += [(f"previous solo ({previous.meta.version})", old.solo, rate),
                 (f"previous accompaniment (mid, {previous.meta.version})", old.accompaniment.mean(axis=1), rate)]
    rows.append(("paper system's solo (segN_solo.mp3)", paper.mean(axis=1), prate))
    fig, axes = plt.subplots(len(rows), 1, figsize=(11, 2.5 * len(rows)), sharex=True)
    vmax = None
    for ax, (title, x, r) in zip(axes, rows):
        db, f, t = log_spec(x, r)
        vmax = vmax if vmax is not None else np.percentile(db, 99.5)
        ax.pcolormesh(t, f, db, vmin=vmax - 80, vmax=vmax, cmap="magma", shading="auto")
        ax.set_yscale("log")
        ax.set_ylabel("Hz")
        ax.set_title(title, loc="left", fontsize=10)
    axes[-1].set_xlabel("seconds")
    fig.suptitle(f"real-jazz seg{seg}", fontsize=11)
    fig.tight_layout()
    path = out / f"real_seg{seg}.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--segments", type=int, nargs="+", default=[1, 4, 7])
    ap.add_argument("--model", default=None)
    ap.add_argument("--previous", default=None, help="also draw this model's solo and accompaniment")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    args = ap.parse_args()
    if not REAL.exists():
        sys.exit(f"{REAL}: not found")
    model = pipeline.load_model(args.model, "separator")
    previous = pipeline.load_model(args.previous, "separator") if args.previous else None
    for seg in args.segments:
        print(draw(seg, model, Path(args.out), previous))


if __name__ == "__main__":
    main()
