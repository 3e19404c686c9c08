"""How much the mixer's suggestion on real records depends on its training seed, alone and averaged.

Loads the members of one or more mixer ensembles (``train-mixer --members K``; their ``.pt``
weights beside the ONNX files) and, on each real segment, decodes the suggestion exactly as
the app does (:func:`core.pipeline.analyse`, the installed separator) for every single member,
every pair and every set of four. For each size ``K`` it reports how far apart two suggestions
of disjoint member sets lie (pan degrees, gain dB, the same cell, opposite directions: one
lifts the solo by more than 0.5 dB where the other turns it down by more), averaged over all
such couples and the segments. A smaller spread at ``K = 4`` than at ``K = 1`` means the
averaged mixer's suggestion rests less on the seed it was trained from.

Usage: ``python scripts/mixer_seed_spread.py A.onnx [B.onnx ...] [--dir ../shared/real-jazz]
[--sizes 1,2,4] [--json OUT]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.training.mixer_eval import meta_for  # noqa: E402
from jazzremix_gui.training.mixer_finetune import load_base  # noqa: E402
from jazzremix_gui.training.torch_session import TorchSession  # noqa: E402

#: Gains under this floor count as it when a difference is measured in dB.
GAIN_FLOOR = 0.05


class Mean(torch.nn.Module):
    """The mean posterior ``[frames, 399]`` of some members (what a :class:`GaussEnsemble` of them computes)."""

    def __init__(self, members):
        super().__init__()
        self.members = torch.nn.ModuleList(members)
        self.input_kind, self.context_frames = members[0].input_kind, members[0].context_frames
        self.architecture = f"mean of {len(members)}"

    def forward(self, x):
        return torch.stack([m(x) for m in self.members]).mean(dim=0)


def members_of(paths) -> list:
    """Every member (single :class:`GaussMixer`) of the mixers at ``paths``, in order."""
    out = []
    for p in paths:
        model, _ = load_base(p)
        out += list(getattr(model, "members", [model]))
    return [m.eval() for m in out]


def suggest(audio, rate, separator, members, accompaniment_from: str) -> dict:
    model = Mean(members)
    session = TorchSession(model, meta_for(model, "mean", "mean", accompaniment_from=accompaniment_from))
    s = pipeline.analyse(audio, rate, separator=separator, mixer=session, keep_stems=False).suggestion
    pan, gain = (s.pan_deg, s.gain) if s.clear else (s.recorded_pan_deg, 1.0)
    return {"pan_deg": float(pan), "gain": float(gain), "clear": bool(s.clear), "confidence": float(s.confidence)}


def apart(a: dict, b: dict) -> dict:
    """How far two suggestions lie apart."""
    db = [20 * np.log10(max(x["gain"], GAIN_FLOOR)) for x in (a, b)]
    return {"pan_deg": abs(a["pan_deg"] - b["pan_deg"]), "gain_db": abs(db[0] - db[1]),
            "same_cell": float(a["pan_deg"] == b["pan_deg"] and a["gain"] == b["gain"]),
            "opposite": float(max(db) > 0.5 and min(db) < -0.5)}


def couples(n: int, k: int):
    """Unordered couples of disjoint ``k``-subsets of ``range(n)``."""
    for a in itertools.combinations(range(n), k):
        for b in itertools.combinations([i for i in range(n) if i not in a], k):
            if a < b:
                yield a, b


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mixers", nargs="+", help="mixer ONNX files (weights .pt beside each)")
    ap.add_argument("--dir", default=str(ROOT.parent / "shared" / "real-jazz"))
    ap.add_argument("--sizes", default="1,2,4")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args()
    torch.set_num_threads(1)
    members = members_of(args.mixers)
    sizes = [int(k) for k in args.sizes.split(",") if 2 * int(k) <= len(members)]
    separator = pipeline.load_model(None, "separator")
    source = pipeline.accompaniment_source(separator, 1024, "spectra")
    print(f"{len(members)} members from {', '.join(args.mixers)}; separator {separator.meta.version}")
    segments = sorted(Path(args.dir).glob("seg[0-9].mp3"))
    per_size = {k: [] for k in sizes}
    rows = []
    for seg in segments:
        audio, rate = audio_io.read_audio(seg)
        got = {}
        for k in sizes:
            for subset in itertools.combinations(range(len(members)), k):
                got[subset] = suggest(audio, rate, separator, [members[i] for i in subset], source)
        everyone = suggest(audio, rate, separator, members, source)
        row = {"segment": seg.stem, "all_members": everyone,
               "single": [got[(i,)] for i in range(len(members))] if 1 in sizes else []}
        for k in sizes:
            d = [apart(got[a], got[b]) for a, b in couples(len(members), k)]
            per_size[k] += d
            row[f"apart_{k}"] = {key: float(np.mean([x[key] for x in d])) for key in d[0]}
        rows.append(row)
        singles = " ".join(f"{s['pan_deg']:+.0f}/{s['gain']:.1f}" for s in row["single"])
        print(f"{seg.stem}: all {everyone['pan_deg']:+.0f} deg / {everyone['gain']:.2f} "
              f"({100 * everyone['confidence']:.0f} %); singles {singles}", flush=True)
    summary = {k: {key: round(float(np.mean([x[key] for x in v])), 3) for key in v[0]} | {"couples": len(v)}
               for k, v in per_size.items()}
    print("\n| members averaged | couples (x segments) | pan apart (deg) | gain apart (dB) | same cell "
          "| opposite directions |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k, s in summary.items():
        print(f"| {k} | {s['couples'] // len(segments)} x {len(segments)} | {s['pan_deg']:.2f} | {s['gain_db']:.2f} "
              f"| {100 * s['same_cell']:.0f} % | {100 * s['opposite']:.0f} % |")
    if args.json:
        Path(args.json).write_text(json.dumps({"mixers": args.mixers, "separator": separator.meta.version,
                                               "summary": summary, "segments": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
