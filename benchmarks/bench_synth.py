#!/usr/bin/env python3
"""Benchmark the training-data synthesiser: wall time to make N seconds of audio.

Usage::

    python benchmarks/bench_synth.py --out /tmp/bench_synth --tracks 120 --seconds 30 --jobs 2

Generates into an empty folder (removed first; never inside the repo's data/), then
prints one JSON line: tracks, audio seconds, wall seconds, minutes per hour of audio,
CPU count and model. Target (issue 3): one hour of audio (mixture + solo +
accompaniment) in at most 10 minutes on a 2-core machine with ``--jobs 2``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jazzremix_gui.core.machine import cpu_model  # noqa: E402


def main(argv=None) -> int:
    from jazzremix_gui.training.synth.dataset import generate_dataset

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench_synth"))
    ap.add_argument("--tracks", type=int, default=120)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    t0 = time.perf_counter()
    generate_dataset(args.out, args.tracks, args.seconds, args.seed, jobs=args.jobs)
    wall = time.perf_counter() - t0
    audio = args.tracks * args.seconds
    res = {"tracks": args.tracks, "seconds_per_track": args.seconds, "audio_s": audio, "jobs": args.jobs,
           "wall_s": round(wall, 1), "minutes_per_audio_hour": round(wall / 60 / (audio / 3600), 2),
           "realtime_factor": round(audio / wall, 1), "cpus": os.cpu_count(), "cpu": cpu_model()}
    print(json.dumps(res))
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
