"""``render`` memory and speed: the whole ``jazzremix render SESSION.jrs --out DIR`` command on a long file.

Generates a 44.1 kHz stereo input (the deterministic signal of ``bench_separate.py``) and a
session over it with per-section automation on (the mixer's sections, the second one
edited), then runs the command in a subprocess with an empty cache (what a user without
the app's cache entry waits for) and reports its wall time and peak resident memory
(``ru_maxrss`` of the child: everything the command held, models included).

    python benchmarks/bench_render.py [--minutes 10 20] [--root DIR] [--cached]

``--cached`` also measures ``render`` once the app has analysed the recording (its cache entry, filled
by ``services.processing.process_track`` in another process): the stems are then mapped from the entry.

``--root`` runs another checkout's code on the same inputs (e.g. ``git archive main`` unpacked
into a folder) for a before/after figure on the same machine. Target (#22.4): a 60-minute
session at most 500 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def session_for(src: Path, minutes: float) -> Path:
    """A version-2 session with automation on: three sections, the second one set to -30 deg, gain 1.6."""
    span = minutes * 60
    cuts = [0.0, span / 3, 2 * span / 3, span]
    sections = [{"start": a, "end": b, "active": True, "pan_deg": p, "gain": g, "suggested_pan_deg": p,
                 "suggested_gain": g} for a, b, (p, g) in zip(cuts, cuts[1:], [(0, 1.0), (-30, 1.6), (10, 0.8)])]
    jrs = src.with_suffix(".jrs")
    jrs.write_text(json.dumps({"format": "jazzremix-session", "version": 2, "input": str(src),
                               "mix": {"pan_deg": 0.0, "gain": 1.0, "automation": True, "sections": sections}}))
    return jrs


#: Runs a command and prints its exit status and peak RSS (kB): a fresh parent per measurement, so the
#: figure is that command's alone (``RUSAGE_CHILDREN`` keeps the largest child a process ever waited for).
_WRAP = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
         "sys.stderr.write(p.stderr); print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _env(root: Path, work: Path) -> dict:
    return dict(os.environ, JAZZREMIX_CACHE_DIR=str(work / "cache"), JAZZREMIX_DATA_DIR=str(work / "data"),
                PYTHONPATH=str(root))


#: What the app's worker runs when a track is opened: decode, separate, suggest, store the cache entry.
_ANALYSE = ("import sys; from jazzremix_gui.services.processing import process_track\n"
            "class Job:\n    progress = partial = staticmethod(lambda *a: None)\n"
            "    is_cancelled = staticmethod(lambda: False)\n"
            "process_track(sys.argv[1], Job())")


def fill_cache(root: Path, src: Path, work: Path) -> None:
    """The app's analysis of ``src`` into the cache of ``work`` (as opening the track in the app does)."""
    subprocess.run([sys.executable, "-c", _ANALYSE, str(src)], cwd=root, env=_env(root, work), check=True)


def measure(root: Path, jrs: Path, out: Path, work: Path) -> dict:
    env = _env(root, work)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAP, sys.executable, "-m", "jazzremix_gui", "render", str(jrs),
                           "--out", str(out)], cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    status, peak_kb = map(int, proc.stdout.split())
    if status != 0:
        raise SystemExit(f"render failed ({status}): {proc.stderr[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": peak_kb / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, nargs="+", default=[10.0])
    ap.add_argument("--root", default=str(ROOT), help="checkout whose code runs (default: this one)")
    ap.add_argument("--cached", action="store_true", help="also render with the app's cache entry")
    args = ap.parse_args()
    from bench_separate import make_input

    print(f"code: {args.root}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_render_") as d:  # outside the checkout
        for minutes in args.minutes:
            work = Path(d) / f"{minutes:g}"
            work.mkdir()
            src = work / "input.wav"
            make_input(src, minutes)
            res = measure(Path(args.root), session_for(src, minutes), work / "out", work)
            print(f"render {minutes:5.1f} min: {res['seconds']:7.1f} s ({minutes * 60 / res['seconds']:.1f} x real "
                  f"time), peak RSS {res['peak_rss_mb']:.0f} MB", flush=True)
            if args.cached:
                fill_cache(Path(args.root), src, work)
                res = measure(Path(args.root), src.with_suffix(".jrs"), work / "out-cached", work)
                print(f"render {minutes:5.1f} min with the app's cache entry: {res['seconds']:7.1f} s, "
                      f"peak RSS {res['peak_rss_mb']:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
