"""Diagnostic r5: can richer features of the separated solo name its instrument better than the mixer's?

The mixer's pan is the policy's stage position of the instrument, so its pan error is mostly a failure to name
the instrument from the 48 band-shape features its pan head reads (features.SHAPE_INDEX: 24 log-band shapes per
frame and pooled over +-10 s). Per track, pooled over the solo's active frames:
  (a) the pan head's inputs as the app computes them (mean over active frames);
  (b) a finer spectral shape of the same separated solo: 96 log-frequency bands 60 Hz-16 kHz, each frame's
      shape (minus its mean), their mean and standard deviation over active frames, plus the distribution
      (10/50/90 %) of the frame's strongest-partial frequency in octaves;
  (c) (a) and (b) together.
A multinomial logistic regression (torch, L2, standardised inputs) learns the 14 instruments on
data/mixer-train-2 (500 tracks) and names those of data/mixer-val-2 (160 fresh tracks), separated by the
shipped separator exactly as the mixer's training separates them. Also on the ground-truth solo (oracle).
Prints the accuracy and the pan error the policy's instrument pans would give.
"""

import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks  # noqa: E402
from jazzremix_gui.core.signal import features  # noqa: E402
from jazzremix_gui.core.signal.mixer import activity  # noqa: E402
from jazzremix_gui.training import mixer_policy  # noqa: E402
from jazzremix_gui.training.train_mixer import HOP, separated_features, stem_features  # noqa: E402

RATE = 44100
FREQS = np.fft.rfftfreq(4096, 1 / RATE)
EDGES = np.geomspace(60, 16000, 97)


def fine_shape(mag: np.ndarray, active: np.ndarray) -> np.ndarray:
    """(b): pooled 96-band log shape (mean, std) and the strongest partial's octave percentiles."""
    m = mag[active] if active.any() else mag
    p = m.astype(np.float64) ** 2
    idx = np.digitize(FREQS, EDGES) - 1
    bands = np.stack([p[:, idx == b].sum(axis=1) for b in range(96)], axis=1)
    logb = np.log10(bands + 1e-10)
    shape = logb - logb.mean(axis=1, keepdims=True)
    lo = (FREQS > 60) & (FREQS < 5000)
    peak = FREQS[lo][np.argmax(p[:, lo], axis=1)]
    octv = np.log2(peak / 55.0)
    return np.concatenate([shape.mean(axis=0), shape.std(axis=0), np.percentile(octv, [10, 50, 90])])


def track_rows(folder: Path, separator) -> dict:
    meta = json.loads((folder / "meta.json").read_text())
    feats, act, mag = separated_features(folder / "mixture.wav", separator)
    solo, _ = audio_io.read_audio(folder / "solo.wav")
    acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
    gfeats, gact, gmag = stem_features(solo, acc)
    pooled = lambda f, a: (f[a] if a.any() else f)[:, features.SHAPE_INDEX].mean(axis=0)  # noqa: E731
    return {"instrument": meta["instrument"],
            "a": pooled(feats, act), "b": fine_shape(mag, act),
            "a_truth": pooled(gfeats, gact), "b_truth": fine_shape(gmag, gact)}


def load(dataset: str, separator, cache: Path) -> list[dict]:
    if cache.exists():
        return np.load(cache, allow_pickle=True)["rows"].tolist()
    rows = [track_rows(f, separator) for f in list_tracks(dataset)]
    np.savez(cache, rows=np.array(rows, dtype=object))
    return rows


def fit_predict(xtr, ytr, xte, n_classes, l2=1e-2, steps=2000):
    mu, sd = xtr.mean(axis=0), xtr.std(axis=0) + 1e-6
    a, b = torch.tensor((xtr - mu) / sd, dtype=torch.float32), torch.tensor((xte - mu) / sd, dtype=torch.float32)
    y = torch.tensor(ytr)
    torch.manual_seed(0)
    lin = torch.nn.Linear(a.shape[1], n_classes)
    opt = torch.optim.LBFGS(lin.parameters(), max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(lin(a), y) + l2 * (lin.weight ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return lin(b).argmax(dim=1).numpy()


def main() -> int:
    torch.set_num_threads(1)
    here = Path(__file__).parent
    separator = pipeline.load_model(None, "separator")
    train = load("data/mixer-train-2", separator, here / "train_rows.npz")
    val = load("data/mixer-val-2", separator, here / "val_rows.npz")
    names = sorted({r["instrument"] for r in train})
    ytr = np.array([names.index(r["instrument"]) for r in train])
    yte = np.array([names.index(r["instrument"]) for r in val])
    pan = {n: mixer_policy.PREFERRED_PAN.get(n, mixer_policy.DEFAULT_PAN) for n in names}  # before the register
    out = {}
    for tag, keys in (("a", ["a"]), ("b", ["b"]), ("a+b", ["a", "b"])):
        for stems in ("", "_truth"):
            xtr = np.stack([np.concatenate([r[k + stems] for k in keys]) for r in train])
            xte = np.stack([np.concatenate([r[k + stems] for k in keys]) for r in val])
            pred = fit_predict(xtr, ytr, xte, len(names))
            acc = float(np.mean(pred == yte))
            line = {"accuracy": round(acc, 3), "dims": int(xtr.shape[1])}
            if pan:
                line["pan_error_deg"] = round(float(np.mean([abs(pan[names[p]] - pan[names[t]])
                                                             for p, t in zip(pred, yte)])), 2)
            out[tag + (" (ground-truth solo)" if stems else " (separated)")] = line
            print(tag, "truth" if stems else "separated", line, flush=True)
    (here / "result.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
