"""Separation speed and memory: ``jazzremix separate`` on a 3-minute 44.1 kHz stereo file, whole, beside the network.

In one run, on the same generated file, each in its own process (peak resident memory is
its own; :mod:`whole_commands`):

- the separator network alone (its inputs computed first, untimed);
- ``jazzremix separate IN --out DIR``, the whole command as a user runs it (start-up,
  decode, network, STFT and Wiener filter, true-peak limiter, 24-bit WAV written);
- the same work as a library call (:func:`core.pipeline.separate_file`, the network on one
  thread), with the CPU time of the separation's steps (STFT, network, Wiener filter and
  inverse STFT, each on its thread) and of the true-peak measurement taken apart, to check
  that the measurement stays at most 10 % of the separation;
- start-up alone: ``jazzremix --version``, ``--help`` and ``separate --help``;
- with ``--baseline MODEL`` (default: the seed architecture, if present), its network and
  whole command too.

    python benchmarks/bench_separate.py [--minutes 3] [--model models/separator.onnx]
        [--baseline checkpoints/separator-seed.onnx] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from whole_commands import compare_commands, machine_line, network_alone, row, run_command  # noqa: E402


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
    """``separate_file`` in this process, with the separation's and the true peak's CPU time taken apart."""
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import limiter
    from jazzremix_gui.core.models import ModelSession
    from jazzremix_gui.core.signal.separation import Analyser, Synthesiser

    # each step runs on one thread (its own, or this one): its thread's CPU time, one key per step (no race)
    from jazzremix_gui.core.audio import headroom, shared_gain

    spent = {"stft": 0.0, "network": 0.0, "wiener_istft": 0.0, "true_peak": 0.0, "writer": 0.0}

    def timed(func, key):
        def wrapper(*a, **kw):
            t = time.thread_time()
            try:
                return func(*a, **kw)
            finally:
                spent[key] += time.thread_time() - t
        return wrapper

    Analyser._work = timed(Analyser._work, "stft")
    pipeline.run_network = timed(pipeline.run_network, "network")  # one intra-op thread below: all on this thread
    Synthesiser.process = timed(Synthesiser.process, "wiener_istft")
    limiter.grouped_true_peaks = timed(limiter.grouped_true_peaks, "true_peak")  # what the trackers call
    # the caller's thread: true peaks, limiter, quantisation, the files (true_peak is part of it)
    shared_gain.SharedGainWriter.write = timed(shared_gain.SharedGainWriter.write, "writer")
    headroom.commit_all = timed(headroom.commit_all, "writer")
    session = ModelSession(model, "separator", threads=1)
    out = tempfile.mkdtemp()
    start, cpu = time.perf_counter(), time.process_time()
    if profile:
        prof = cProfile.Profile()
        prof.enable()
    pipeline.separate_file(src, out, "wav", 24, session)
    seconds = time.perf_counter() - start
    if profile:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(18)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    spent["separation"] = spent["stft"] + spent["network"] + spent["wiener_istft"]
    return {"model": model, "version": session.meta.version, "provider": session.provider, "seconds": seconds,
            "cpu_seconds": time.process_time() - cpu, "peak_rss_mb": peak_mb, **spent}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--model", default=str(ROOT / "models" / "separator.onnx"))
    ap.add_argument("--baseline", default=str(ROOT / "checkpoints" / "separator-seed.onnx"))
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up rows")
    ap.add_argument("--source", metavar="DIR", help="also run the commands of another checkout (an export of an "
                    "earlier commit: git archive COMMIT | tar -x -C DIR) in the same run, for a before/after")
    ap.add_argument("--one", nargs=2, metavar=("MODEL", "SRC"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.profile)))
        return
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "input.wav"
        make_input(src, args.minutes)
        audio_s = args.minutes * 60
        print(f"{audio_s:.0f} s of 44.1 kHz stereo; before: {machine_line()}")
        second = Path(d) / "one_second.wav"  # a command on 1 s of audio: what it costs before it starts working
        make_input(second, 1 / 60)
        out1 = str(Path(d) / "out1")
        for label, argv in (("jazzremix --version", ["--version"]), ("jazzremix --help", ["--help"]),
                            ("jazzremix separate --help", ["separate", "--help"]),
                            ("separate, 1 s of audio", ["-q", "separate", str(second), "--out", out1, "--overwrite"]),
                            ("suggest, 1 s of audio", ["-q", "suggest", str(second)]),
                            ("remix, 1 s of audio", ["-q", "remix", str(second), "--out", f"{out1}/r.wav", "--overwrite"])):
            for where in ([args.source] if args.source else []) + [None]:
                res = run_command(argv, where)
                print(f"{label + (f' ({where})' if where else ''):<34} {res['seconds']:7.2f} s wall, "
                      f"{res['cpu_seconds']:.2f} CPU-s, peak RSS {res['peak_rss_mb']:.0f} MB")
        if args.startup_only:
            return
        for model in (args.model, args.baseline):
            if not Path(model).exists():
                print(f"{model}: not found (train it first; see README)")
                continue
            net = network_alone(model, src)
            print(row(f"{net['version']}: network alone", net, audio_s))
            whole = compare_commands(f"{net['version']}: jazzremix separate",
                                     ["-q", "separate", str(src), "--out", str(Path(d) / "out"), "--model", model, "--overwrite"],
                                     audio_s, args.source)
            cmd = [sys.executable, __file__, "--one", model, str(src)] + (["--profile"] if args.profile else [])
            res = json.loads(subprocess.run(cmd, text=True, check=True, stdout=subprocess.PIPE).stdout.strip().splitlines()[-1])
            print(row(f"{net['version']}: separate_file (library)", res, audio_s))
            print(f"  whole command / network alone: {whole['seconds'] / net['seconds']:.2f} x the wall time, "
                  f"{whole['cpu_seconds'] / net['cpu_seconds']:.2f} x the CPU time; true peak "
                  f"{res['true_peak']:.2f} CPU-s = {100 * res['true_peak'] / res['separation']:.1f} % of the "
                  f"separation's {res['separation']:.2f} CPU-s (target <= 10 %): STFT {res['stft']:.2f}, "
                  f"network {res['network']:.2f}, Wiener filter and inverse STFT {res['wiener_istft']:.2f}")
        print(f"after: {machine_line()}")


if __name__ == "__main__":
    main()
