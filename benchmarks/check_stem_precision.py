"""Would float16 stems in the cache be precise enough? The remix error it introduces, in dBFS.

Reads a solo and an accompaniment stem (as ``jazzremix separate`` writes them), remixes them
at pan 0, gain 1 (the gain convention's k = sqrt 2) from float32 and from float16 copies, and
prints the error's peak and RMS in dBFS, as they are and scaled so the remix peaks at 0 dBFS
(a loud master). The bar (issue #22): below -90 dBFS, or the 24-bit floor.

    python benchmarks/check_stem_precision.py OUT/name.solo.wav OUT/name.accompaniment.wav
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def db(x: float) -> float:
    return 20 * math.log10(max(float(x), 1e-12))


def main() -> None:
    from jazzremix_gui.core.signal.panlaw import place_solo

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("solo")
    ap.add_argument("accompaniment")
    args = ap.parse_args()
    solo, _ = sf.read(args.solo, dtype="float32")
    acc, _ = sf.read(args.accompaniment, dtype="float32")

    def remix(s, a):
        return place_solo(s, 0.0, 1.0, math.sqrt(2)) + a

    def half(x):
        return x.astype(np.float16).astype(np.float32)

    exact = remix(solo, acc)
    for label, g in (("as written", 1.0), ("scaled to a 0 dBFS remix", 1.0 / float(np.abs(exact).max()))):
        err = remix(half(solo * g), half(acc * g)) - exact * g
        print(f"float16 stems, {label}: remix error peak {db(np.abs(err).max()):.1f} dBFS, "
              f"RMS {db(np.sqrt(np.mean(err ** 2))):.1f} dBFS (bar: -90 dBFS)")
    print(f"24-bit floor (RMS of 1 LSB rounding): {db(2 ** -23 / math.sqrt(12)):.1f} dBFS")


if __name__ == "__main__":
    main()
