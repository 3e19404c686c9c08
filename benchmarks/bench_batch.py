"""Batch throughput on a local Dask cluster: 1 worker vs N workers on the same generated set.

Runs ``jazzremix batch SET --out DIR --remix --workers W`` as a user does (a subprocess,
shipped models) for each worker count, in the same command, and prints:

- audio hours processed per wall-clock hour while the cluster works (the command's own
  figure: from the first task submitted to the last result) and end to end (process start
  to exit: interpreter, cluster start, model loading included);
- the scaling ratio of the largest worker count over 1 worker;
- the CPU time the workers spent per audio hour (user + system, sampled every 0.1 s): on a
  machine shared with other jobs, the wall-clock figures depend on the load, this one little;
- the peak resident memory of the largest worker process (sampled every 0.1 s);
- the scheduler's round trip for an empty task (the per-task overhead), and the time one
  worker takes to load both models.

    python benchmarks/bench_batch.py [--tracks 6] [--minutes 3] [--workers 1 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_set(folder: Path, tracks: int, minutes: float) -> float:
    """``tracks`` distinct 'busy' stereo 16-bit WAVs of ``minutes`` each; returns the audio seconds."""
    import soundfile as sf

    rate, n, piece = 44100, int(minutes * 60 * 44100), 10 * 44100
    for k in range(tracks):
        rng = np.random.default_rng(k)
        with sf.SoundFile(folder / f"track{k:03d}.wav", "w", rate, 2, subtype="PCM_16") as f:
            for start in range(0, n, piece):
                t = np.arange(start, min(n, start + piece)) / rate
                x = np.stack([0.2 * np.sin(2 * np.pi * (220 + 10 * k) * t * (1 + 0.1 * np.sin(t))),
                              0.2 * np.sin(2 * np.pi * 330 * t)], axis=1)
                f.write((x + 0.05 * rng.standard_normal(x.shape)).astype(np.float32))
    return tracks * n / rate


def run_batch(src: Path, out: Path, workers: int) -> dict:
    import psutil

    cmd = [sys.executable, "-m", "jazzremix_gui", "batch", str(src), "--out", str(out), "--remix",
           "--loudness", "keep", "--workers", str(workers)]  # as measured in docs/BATCH.md (before match was the default)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak, cpu = 0, {}
    me = psutil.Process(proc.pid)
    while proc.poll() is None:
        for k in me.children(recursive=True):
            try:
                peak = max(peak, k.memory_info().rss)
                t = k.cpu_times()
                cpu[k.pid] = t.user + t.system
            except psutil.Error:
                pass
        time.sleep(0.1)
    wall = time.perf_counter() - start
    err = proc.stderr.read()
    found = re.search(r"(\d+) done, (\d+) failed .* at ([\d.]+) audio hours per hour", err)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"batch with {workers} workers failed:\n{err}")
    return {"workers": workers, "wall_s": wall, "done": int(found.group(1)), "in_run_hph": float(found.group(3)),
            "peak_worker_rss_mb": peak / 2**20, "worker_cpu_s": sum(cpu.values())}


def overheads() -> dict:
    """Empty-task round trip on a 1-worker local cluster, and one worker's model loading time."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, silence_logs=40) as cluster, Client(cluster) as client:
        client.submit(int, 0, pure=False).result()
        n, t0 = 200, time.perf_counter()
        for f in [client.submit(int, i, pure=False) for i in range(n)]:
            f.result()
        per_task_ms = (time.perf_counter() - t0) / n * 1000

        def load():
            from jazzremix_gui.core import pipeline

            t = time.perf_counter()
            pipeline.load_model(None, "separator", 2)
            pipeline.load_model(None, "mixer", 2)
            return time.perf_counter() - t

        load_s = client.submit(load, pure=False).result()
    return {"per_task_ms": per_task_ms, "model_load_s": load_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracks", type=int, default=6)
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--keep", metavar="DIR", help="keep the set and outputs here")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_batch_"))
    (base / "set").mkdir(parents=True, exist_ok=True)
    audio_s = make_set(base / "set", args.tracks, args.minutes)
    print(f"set: {args.tracks} tracks x {args.minutes:g} min = {audio_s / 60:.0f} min of 44.1 kHz stereo; "
          "separate + suggest + remix, 24-bit WAV")
    rows = []
    for w in args.workers:
        shutil.rmtree(base / f"out{w}", ignore_errors=True)
        r = run_batch(base / "set", base / f"out{w}", w)
        r["end_to_end_hph"] = audio_s / r["wall_s"]
        r["cpu_per_audio_h"] = r["worker_cpu_s"] / (audio_s / 3600)
        rows.append(r)
        print(f"{w} worker(s): {r['in_run_hph']:.0f} audio h/h while working, {r['end_to_end_hph']:.0f} end to end "
              f"({r['wall_s']:.1f} s wall); workers' CPU {r['cpu_per_audio_h']:.0f} s per audio hour; "
              f"peak worker RSS {r['peak_worker_rss_mb']:.0f} MB")
    first, last = rows[0], rows[-1]
    print(f"scaling {last['workers']} vs {first['workers']} workers: {last['in_run_hph'] / first['in_run_hph']:.2f}x "
          f"while working, {last['end_to_end_hph'] / first['end_to_end_hph']:.2f}x end to end; CPU per audio hour "
          f"{last['cpu_per_audio_h'] / first['cpu_per_audio_h']:.2f}x")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"CPU-bound ceiling of this machine ({cores} cores, nothing else running): "
          f"{cores * 3600 / last['cpu_per_audio_h']:.0f} audio h/h; load average now {os.getloadavg()[0]:.1f} "
          "(other jobs included)")
    o = overheads()
    print(f"scheduler round trip per empty task: {o['per_task_ms']:.1f} ms; model loading per worker: "
          f"{o['model_load_s']:.2f} s")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
