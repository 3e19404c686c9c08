"""Diagnostic r5, second part: the pan a track-level instrument guess gives, scored as the mixer is scored.

The instrument is named as in instrument_id.py from (a), the mixer pan head's own 48 pooled features of the
separated solo (linear classifier trained on data/mixer-train-2). The pan is the policy's preferred pan of the
named instrument times its register factor (register from the ground-truth solo's centroid: an upper bound on
that part, or "middle" for all), on the 5-degree grid. Scored against data/mixer-val-2's labels (seed 508, the
listener spread included) as mixer_eval.cell_figures scores pan, beside the policy's noiseless choice (the
ceiling) and the shipped mixer's 5.97 deg (scripts/mixer_compare.py, the same labels).
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).parent))
import json  # noqa: E402

from instrument_id import fit_predict  # noqa: E402
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks  # noqa: E402
from jazzremix_gui.core.signal import codebook  # noqa: E402
from jazzremix_gui.training import mixer_policy as P  # noqa: E402

here = Path(__file__).parent
train = np.load(here / "train_rows.npz", allow_pickle=True)["rows"].tolist()
val = np.load(here / "val_rows.npz", allow_pickle=True)["rows"].tolist()
names = sorted({r["instrument"] for r in train})
pred = fit_predict(np.stack([r["a"] for r in train]), np.array([names.index(r["instrument"]) for r in train]),
                   np.stack([r["a"] for r in val]), len(names))
label_pan, noiseless_pan, ours, ours_mid = [], [], [], []
for k, f in enumerate(list_tracks("data/mixer-val-2")):
    solo, rate = audio_io.read_audio(f / "solo.wav")
    acc, _ = audio_io.read_audio(f / "accompaniment.wav")
    meta = json.loads((f / "meta.json").read_text())
    lab = P.policy_label(solo, acc, meta, f.name, 508, rate).to_json()
    (pl, _), (pn, _) = codebook.cell_classes(np.array([lab["cell"]])), codebook.cell_classes(np.array([lab["noiseless_cell"]]))
    label_pan.append(codebook.PANS_DEG[pl[0]])
    noiseless_pan.append(codebook.PANS_DEG[pn[0]])
    mono = solo.mean(axis=1)
    env = np.convolve(mono.astype(np.float64) ** 2, np.ones(4096) / 4096, mode="same")
    mask = env > 1e-3 * env.max()
    inst = names[pred[k]]
    reg = P.register_of(inst, P.spectral_centroid_hz(mono, mask, rate))
    for out, factor in ((ours, P.REGISTER_FACTOR[reg]), (ours_mid, 1.0)):
        p = P.clamp_pan(P.PREFERRED_PAN.get(inst, P.DEFAULT_PAN) * factor)
        out.append(codebook.PANS_DEG[np.argmin(np.abs(codebook.PANS_DEG - p))])
lp = np.array(label_pan)
res = {"instrument_accuracy": round(float(np.mean(pred == np.array([names.index(r["instrument"]) for r in val]))), 3),
       "pan_error_deg": {"ceiling (policy's noiseless choice)": round(float(np.mean(np.abs(np.array(noiseless_pan) - lp))), 2),
                         "instrument named from (a), register from the true solo": round(float(np.mean(np.abs(np.array(ours) - lp))), 2),
                         "instrument named from (a), register middle": round(float(np.mean(np.abs(np.array(ours_mid) - lp))), 2),
                         "shipped mixer (scripts/mixer_compare.py)": 5.97}}
print(json.dumps(res, indent=1))
(here / "pan_result.json").write_text(json.dumps(res, indent=1) + "\n")
