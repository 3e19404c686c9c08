"""Diagnostic r6: where the mixer's gain error comes from (2026-12-06, twenty-fifth session).

Per track of a mixer validation set: the policy's label (listener draw --label-seed), the
shipped pair's suggestion (as the app decodes it), the recorded balance B measured by the
policy on the ground-truth stems and on the separated stems (stereo solo = mixture minus the
separated accompaniment, the policy's own BS.1770 measurement over the solo's spans), and
what the policy itself would choose if it knew the instrument and style but read B from the
separated stems ("policy on separated B"), or knew B but not the instrument and style
("policy without target"). Gain errors in dB as the cards count them.

Usage: python checkpoints/r6/gain_parts.py data/mixer-val-2 508 OUT.json
"""
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks  # noqa: E402
from jazzremix_gui.core.signal import codebook  # noqa: E402
from jazzremix_gui.training import mixer_policy as mp  # noqa: E402


def gain_class(gain):
    return codebook.cell_classes(codebook.pan_gain_to_cell(0.0, float(gain)))[1]


def db_err(ga, gb):
    a, b = (max(codebook.GAINS[int(g)], 0.05) for g in (ga, gb))
    return abs(20 * np.log10(a / b))


def main():
    val, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sep = pipeline.load_model(None, "separator")
    mix = pipeline.load_model(None, "mixer")
    rows = []
    targets = []
    for f in list_tracks(val):
        meta = json.loads((f / "meta.json").read_text())
        solo, rate = audio_io.read_audio(f / "solo.wav")
        acc, _ = audio_io.read_audio(f / "accompaniment.wav")
        mixture, _ = audio_io.read_audio(f / "mixture.wav")
        lab = mp.policy_label(solo, acc, meta, f.name, seed, rate)
        an = pipeline.analyse(f / "mixture.wav", separator=sep, mixer=mix, keep_stems=True)
        st = an.stems
        n = min(mixture.shape[0], st.accompaniment.shape[0])
        acc_sep = st.accompaniment[:n].astype(np.float64)
        solo_sep = mixture[:n].astype(np.float64) - acc_sep
        mask = mp.active_mask(n, meta["activity"], rate)
        b_sep = mp.recorded_balance(solo_sep, acc_sep, mask, rate)
        t0 = mp.TARGET_LU.get(meta["instrument"], mp.DEFAULT_LU) + mp.STYLE_LU.get(meta.get("style", ""), 0.0)
        targets.append(t0)
        _, pg = codebook.cell_classes(an.suggestion.cell)
        _, lg = codebook.cell_classes(lab.cell)
        rows.append({"track": f.name, "instrument": meta["instrument"], "style": meta.get("style", ""),
                     "label_gain_class": int(lg), "mixer_class": int(pg),
                     "b_true": lab.recorded_balance_lu, "b_sep": round(b_sep, 3), "t0": t0,
                     "solo_level_db": meta.get("solo_level_db")})
        print(f.name, meta["instrument"], f"B {lab.recorded_balance_lu:+.2f} sep {b_sep:+.2f}", flush=True)
    tmean = float(np.mean(targets))
    for r in rows:
        r["policy_sep_class"] = int(gain_class(10 ** (mp.limit_change_db(r["t0"] - r["b_sep"]) / 20)))
        r["policy_noT_class"] = int(gain_class(10 ** (mp.limit_change_db(tmean - r["b_true"]) / 20)))
        r["noiseless_class"] = int(gain_class(10 ** (mp.limit_change_db(r["t0"] - r["b_true"]) / 20)))
    res = {"val": val, "label_seed": seed, "n": len(rows), "target_mean": tmean}
    for k in ("mixer", "policy_sep", "policy_noT", "noiseless"):
        e = np.array([db_err(r[f"{k}_class"], r["label_gain_class"]) for r in rows])
        res[f"{k}_gain_error_db"] = round(float(e.mean()), 3)
        res[f"{k}_gain_within_one"] = round(float(np.mean([abs(r[f"{k}_class"] - r["label_gain_class"]) <= 1 for r in rows])), 3)
    d = np.array([r["b_sep"] - r["b_true"] for r in rows])
    res["b_sep_minus_true"] = {"median": round(float(np.median(d)), 3), "mean": round(float(d.mean()), 3),
                               "std": round(float(d.std()), 3),
                               "std_after_linear_fit": round(float(np.std(d - np.polyval(np.polyfit([r["b_sep"] for r in rows], d, 1), [r["b_sep"] for r in rows]))), 3)}
    # what the mixer asked vs what it should have: correlation of its error with the B error
    mixer_db = np.array([20 * np.log10(max(codebook.GAINS[r["mixer_class"]], 0.05)) for r in rows])
    nl_db = np.array([20 * np.log10(max(codebook.GAINS[r["noiseless_class"]], 0.05)) for r in rows])
    res["corr_mixer_error_vs_b_error"] = round(float(np.corrcoef(mixer_db - nl_db, -d)[0, 1]), 3)
    res["rows"] = rows
    Path(out).write_text(json.dumps(res, indent=1) + "\n")
    print({k: v for k, v in res.items() if k != "rows"})


if __name__ == "__main__":
    main()
