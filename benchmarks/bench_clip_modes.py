"""Cost of each clip mode when writing a long file, as a ratio to ``clamp`` (the old plain write).

Writes the same deterministic hot stereo signal (44.1 kHz, 24-bit WAV) through
:func:`core.audio.headroom.write_mastered` with each clip mode, in this one process, and prints
CPU seconds, real-time factor and the ratio to ``clamp``. Every mode measures true peaks
(4x oversampling), so even ``clamp`` pays for the report.

    python benchmarks/bench_clip_modes.py [--minutes 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jazzremix_gui.core.audio.formats import OutputSpec  # noqa: E402
from jazzremix_gui.core.audio.headroom import write_mastered  # noqa: E402

RATE = 44100


def signal(minutes: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    n = int(minutes * 60 * RATE)
    t = np.arange(n) / RATE
    x = (0.4 * np.sin(2 * np.pi * 110 * t) + 0.15 * rng.standard_normal(n))[:, None] * np.array([1.0, 0.9])
    x[::RATE // 3] *= 3.0  # an over three times a second
    return x.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=5.0)
    args = ap.parse_args()
    x = signal(args.minutes)
    rows = {}
    with tempfile.TemporaryDirectory() as d:
        for mode in ("clamp", "limit", "rescale"):
            t0 = time.process_time()
            r = write_mastered(Path(d) / f"{mode}.wav", x, RATE, OutputSpec("wav", 24), mode)
            cpu = time.process_time() - t0
            rows[mode] = {"cpu_s": round(cpu, 2), "x_realtime": round(args.minutes * 60 / cpu, 1), "over": r.over}
    for mode, row in rows.items():
        row["ratio_to_clamp"] = round(row["cpu_s"] / rows["clamp"]["cpu_s"], 2)
    print(json.dumps({"minutes": args.minutes, "modes": rows}, indent=1))


if __name__ == "__main__":
    main()
