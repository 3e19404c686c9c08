"""Separation speed and memory: a 3-minute 44.1 kHz stereo file, decode to both stems written.

Runs each model in its own subprocess (so peak resident memory is that model's alone)
on the same generated file, in the same command, and prints the real-time factor of the
shipped default beside the seed architecture's:

    python benchmarks/bench_separate.py [--minutes 3] [--model models/separator.onnx]
        [--baseline checkpoints/separator-seed.onnx] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_input(path: Path, minutes: float) -> None:
    """A deterministic 'busy' stereo signal (tones + noise) as 16-bit WAV, written in 10 s pieces.

    Writing in pieces keeps this process small: on Linux a child's peak RSS starts from its
    parent's, so a large parent would inflate the measured figure.
    """
    import soundfile as sf

    rate, n = 44100, int(minutes * 60 * 44100)
    rng = np.random.default_rng(0)
    piece = 10 * rate
    with sf.SoundFile(path, "w", rate, 2, subtype="PCM_16") as f:
        for start in range(0, n, piece):
            t = np.arange(start, min(n, start + piece)) / rate
            x = np.stack([0.2 * np.sin(2 * np.pi * 220 * t * (1 + 0.1 * np.sin(t))),
                          0.2 * np.sin(2 * np.pi * 330 * t)], axis=1)
            x += 0.05 * rng.standard_normal(x.shape)
            f.write(x.astype(np.float32))


def run_one(model: str, src: str, profile: bool) -> dict:
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.models import ModelSession

    session = ModelSession(model, "separator")
    out = tempfile.mkdtemp()
    start = time.perf_counter()
    if profile:
        prof = cProfile.Profile()
        prof.enable()
    pipeline.separate_file(src, out, "wav", 24, session)
    seconds = time.perf_counter() - start
    if profile:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(18)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"model": model, "version": session.meta.version, "provider": session.provider, "seconds": seconds,
            "peak_rss_mb": peak_mb}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--model", default=str(ROOT / "models" / "separator.onnx"))
    ap.add_argument("--baseline", default=str(ROOT / "checkpoints" / "separator-seed.onnx"))
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--one", nargs=2, metavar=("MODEL", "SRC"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.profile)))
        return
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "input.wav"
        make_input(src, args.minutes)
        audio_s = args.minutes * 60
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (others' jobs slow every figure)")
        for model in (args.model, args.baseline):
            if not Path(model).exists():
                print(f"{model}: not found (train it first; see README)")
                continue
            cmd = [sys.executable, __file__, "--one", model, str(src)] + (["--profile"] if args.profile else [])
            res = json.loads(subprocess.run(cmd, text=True, check=True, stdout=subprocess.PIPE).stdout.strip().splitlines()[-1])
            print(f"{res['version']:<22} {res['provider']:<5} {res['seconds']:7.2f} s for {audio_s:.0f} s of audio: "
                  f"{audio_s / res['seconds']:6.1f} x real time, peak RSS {res['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
