"""Mixers side by side on one validation set, against the same labels, decoded as the app decodes.

Each mixer (an ONNX file; with ``--members`` also each member of an ensemble alone, from the
``.pt`` beside it) suggests one cell per track through :func:`core.pipeline.analyse` with the
installed separator (:func:`training.mixer_eval.track_predictions`). The labels are the mixing
policy's with one listener draw (``--label-seed``; a card's are ``seed + 500``), so every mixer
is scored against the same labels. Prints the track figures and, against the first mixer,
paired differences with their standard errors.

Usage: ``python scripts/mixer_compare.py --val data/mixer-val-2 --label-seed 508 A.onnx B.onnx
[--members] [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.core.signal import codebook  # noqa: E402
from jazzremix_gui.training import mixer_eval, mixer_policy  # noqa: E402
from jazzremix_gui.training.mixer_finetune import load_base  # noqa: E402
from jazzremix_gui.training.torch_session import TorchSession  # noqa: E402


def labels(val_dir, seed: int) -> np.ndarray:
    """The policy's label cell of every track (as :func:`training.train_mixer.load_tracks` draws it)."""
    out = []
    for f in list_tracks(val_dir):
        solo, rate = audio_io.read_audio(f / "solo.wav")
        acc, _ = audio_io.read_audio(f / "accompaniment.wav")
        meta = json.loads((f / "meta.json").read_text()) if (f / "meta.json").is_file() else {}
        out.append(mixer_policy.policy_label(solo, acc, meta, f.name, seed, rate).cell)
    return np.array(out)


def per_track(pred: np.ndarray, label: np.ndarray) -> dict:
    """Per-track within-one-cell (0/1), pan error (deg) and gain error (dB), as :func:`cell_figures` averages them."""
    pp, pg = codebook.cell_classes(pred)
    lp, lg = codebook.cell_classes(label)
    gains = [np.maximum(codebook.GAINS[g], 0.05) for g in (pg, lg)]
    return {"within_one_cell_accuracy": ((abs(pp - lp) <= 1) & (abs(pg - lg) <= 1)).astype(float),
            "pan_error_deg": np.abs(codebook.PANS_DEG[pp] - codebook.PANS_DEG[lp]).astype(float),
            "gain_error_db": np.abs(20 * np.log10(gains[0] / gains[1]))}


def sessions(paths, members: bool) -> list[tuple[str, object]]:
    out = []
    for p in paths:
        s = ModelSession(p, "mixer", prefer_gpu=False)
        out.append((f"{s.meta.version} ({p})", s))
        model, _ = load_base(p) if members else (None, None)
        for m, member in enumerate(getattr(model, "members", [])):
            meta = mixer_eval.meta_for(member.eval(), f"{p}#member{m}", f"member {m}",
                                       accompaniment_from=s.meta.accompaniment_from)
            out.append((f"  member {m} alone", TorchSession(member, meta)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mixers", nargs="+")
    ap.add_argument("--val", required=True)
    ap.add_argument("--label-seed", type=int, required=True)
    ap.add_argument("--members", action="store_true", help="also each member of an ensemble alone")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args()
    separator = pipeline.load_model(None, "separator")
    truth = labels(args.val, args.label_seed)
    print(f"{len(truth)} tracks of {args.val}, labels seed {args.label_seed}, separator {separator.meta.version}")
    rows, first = [], None
    for name, session in sessions(args.mixers, args.members):
        cells, _ = mixer_eval.track_predictions(session, args.val, separator)
        each = per_track(cells, truth)
        row = {"mixer": name, **mixer_eval.cell_figures(cells, truth)}
        if first is None:
            first = each
        else:  # paired against the first mixer: mean difference and its standard error
            row["paired"] = {k: {"diff": round(float(np.mean(each[k] - first[k])), 4),
                                 "se": round(float(np.std(each[k] - first[k], ddof=1) / np.sqrt(len(truth))), 4)}
                             for k in each}
        rows.append(row)
        paired = "" if "paired" not in row else "; vs first: " + ", ".join(
            f"{k.split('_')[0]} {v['diff']:+.3f} (SE {v['se']:.3f})" for k, v in row["paired"].items())
        print(f"{name}: exact {100 * row['exact_accuracy']:.1f} %, within one {100 * row['within_one_cell_accuracy']:.1f} %, "
              f"pan {row['pan_error_deg']:.2f} deg, gain {row['gain_error_db']:.2f} dB{paired}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"val": args.val, "label_seed": args.label_seed,
                                               "separator": separator.meta.version, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
