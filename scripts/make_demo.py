#!/usr/bin/env python3
"""Render the demo clip ``resources/demo.flac`` with the synthesiser.

One 18 s stereo track: medium swing, tenor-sax solo, FluidR3 GM soundfont, with a few
mild old-recording touches (room reverb, electrical-era band-limit, light hiss). Only the
mixture is written, 16-bit FLAC, 44.1 kHz. Deterministic.

Usage: python scripts/make_demo.py [--out resources/demo.flac]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import sosfilt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from jazzremix_gui.training.synth import degrade as D
    from jazzremix_gui.training.synth.dataset import render_track
    from jazzremix_gui.training.synth.render import check_soundfonts

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "demo.flac")
    ap.add_argument("--seconds", type=float, default=18.0)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args(argv)
    sfs = [s for s in check_soundfonts(None) if "FluidR3" in s] or check_soundfonts(None)
    stems, meta = render_track(args.seed, 0, args.seconds, sfs[:1], degradation_strength=0.0,
                               force={"style": "medium_swing", "instrument": "tenor_sax"})
    x = stems["mixture"].astype(np.float64)
    rng = np.random.default_rng(args.seed)
    x = D.reverb(x, D.room_ir(rng, 0.9, 0.015, mono=False), 0.18)
    sos, _ = D.band_sos("electrical", rng)
    x = sosfilt(sos, x, axis=0)
    hiss = rng.standard_normal(x.shape)
    x = x + hiss / D._rms(hiss) * D._rms(x) * 10 ** (-50 / 20)
    x *= 0.89 / np.max(np.abs(x))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(args.out), x.astype(np.float32), 44100, subtype="PCM_16", format="FLAC")
    print(f"{args.out}: {meta['style']}, {meta['instrument']}, {meta['tempo']:.0f} bpm, key {meta['key']}, "
          f"{args.out.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
