"""Render the quality guard's clip: one 8-second synth-2.0 track with its stems, bundled in tests/data/guard/.

Usage: python scripts/make_guard_clip.py [--seed 4243] [--index 0] [--seconds 8]

The stems are stored as 16-bit FLAC; the solo and accompaniment are quantised first and the
mixture is their sum, so mixture = solo + accompaniment holds exactly in the files too.
Seed 4243 is used by no training or validation set. Needs the training extra and FluidSynth.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.training.synth.dataset import render_track
from jazzremix_gui.training.synth.render import check_soundfonts

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "guard"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=4243)
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    stems, meta = render_track(args.seed, args.index, args.seconds, check_soundfonts(None), variety=1.0,
                               level_profile="wide")
    q = {k: np.round(stems[k].astype(np.float64) * 32767) for k in ("solo", "accompaniment")}
    q["mixture"] = q["solo"] + q["accompaniment"]
    if np.max(np.abs(q["mixture"])) > 32767:
        raise SystemExit("mixture clips in 16 bits; use another --index")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, x in q.items():
        sf.write(OUT / f"{name}.flac", x.astype(np.int16), 44100, subtype="PCM_16")
    (OUT / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    print({p.name: p.stat().st_size for p in sorted(OUT.iterdir())})


if __name__ == "__main__":
    main()
