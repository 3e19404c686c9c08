"""The app's memory on a long recording: opened, separated, then played through to the end (issue #22 item 3).

For each length (``--minutes``, several give the growth per minute), a generated 44.1 kHz
stereo WAV (the signal of ``bench_separate.py``) is opened in the real main window,
offscreen, in a child process of its own; the script waits until the track is ready
(decoded, separated and suggested, stems in the cache, pictures drawn), then plays it
the way the player does, with no sound device: the material the player streams
(:func:`services.processing.prepare_playback`: the mapped stems and recording at the file's
rate) goes to a :class:`playback.stream.Feeder`, which resamples it for a device at
``--rate`` into the ring that :class:`playback.renderer.BlockRenderer` renders every
512-sample block from, start to end (the feeder's filling is called between blocks here
instead of from its thread, so the run is as fast as the machine allows). Resident memory
(current and peak, from ``/proc/self/status``) is read at each stage and every 2000 blocks
while playing, and the size of the cache entry.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_app_memory.py --minutes 5 10 [--rate 48000]

Target: under 1.0 GB for a 60-minute file. On a busy machine measure 10-20 minutes and
read the growth per minute.
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
sys.path.insert(0, os.environ.get("JAZZREMIX_BENCH_SOURCE", str(ROOT)))  # the package measured (--source)
sys.path.insert(0, str(Path(__file__).resolve().parent))


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB (VmRSS, VmHWM)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def run_one(src: str, rate: int, work: str) -> dict:
    """In the child: open ``src`` in the main window, wait until ready, prepare playback, render it to the end."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["JAZZREMIX_DATA_DIR"] = str(Path(work) / "data")
    os.environ["JAZZREMIX_CACHE_DIR"] = str(Path(work) / "cache")  # a cache miss: real separation
    import numpy as np
    from PySide6.QtCore import QTimer

    from jazzremix_gui.playback.renderer import BlockRenderer
    from jazzremix_gui.playback.stream import Feeder, Ring
    from jazzremix_gui.services import cache
    from jazzremix_gui.services.processing import prepare_playback
    from jazzremix_gui.ui.app import make_app
    from jazzremix_gui.ui.main_window import MainWindow
    from jazzremix_gui.ui.settings import Settings

    import jazzremix_gui

    print(f"measuring {Path(jazzremix_gui.__file__).parent}", file=sys.stderr)
    stages = {"started": rss_mb()}
    import threading

    trace = {"peak": (0.0, "")}  # the highest RSS seen every 0.2 s and what the track was doing then
    tracing = threading.Event()

    def sample():
        while not tracing.wait(0.2):
            track = w.manager.tracks[0] if w.manager.tracks else None
            doing = f"{track.message} {track.progress * 100:.0f} %" if track is not None else ""
            now = rss_mb()[0]
            if now > trace["peak"][0]:
                trace["peak"] = (now, doing)

    app = make_app()
    w = MainWindow(Settings(Path(work) / "settings.ini"))
    w.show()
    stages["window"] = rss_mb()
    threading.Thread(target=sample, daemon=True).start()
    start = time.perf_counter()
    done = {}

    def check():
        track = w.manager.tracks[0] if w.manager.tracks else None
        if track is not None and not track.busy and "ready" not in done:
            done["ready"] = time.perf_counter() - start
            done["status"] = track.status + (f" ({track.error})" if track.error else "")
            QTimer.singleShot(100, app.quit)

    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(check)
    poll.start()
    QTimer.singleShot(100, lambda: w.open_files([src]))
    QTimer.singleShot(3_600_000, app.quit)
    app.exec()
    poll.stop()
    stages["ready"] = rss_mb()
    tracing.set()
    track = w.manager.tracks[0]
    decoded, processed = track.decoded, track.processed
    solo, acc, mix, file_rate = prepare_playback(decoded, processed.stems)
    renderer = BlockRenderer()
    ring = Ring()
    feeder = Feeder(renderer, ring, solo, acc, mix, file_rate, rate)
    renderer.attach(ring, feeder.length, rate, processed.stems.solo_level)
    feeder.fill()
    stages["playback prepared"] = rss_mb()
    renderer.start()
    out = np.zeros((512, 2), np.float32)
    t = time.perf_counter()
    blocks, playing_peak = 0, 0.0
    while renderer.playing and renderer.position < renderer.length:
        feeder.fill()
        renderer.render(out)
        blocks += 1
        if blocks % 2000 == 0:
            playing_peak = max(playing_peak, rss_mb()[0])
    stages["played to the end"] = rss_mb()
    stages["highest while playing"] = (max(playing_peak, stages["played to the end"][0]), stages["played to the end"][1])
    entry = sum(p.stat().st_size for p in cache.entries())
    w.close()
    return {"status": done.get("status", "timeout"), "ready_s": done.get("ready", float("nan")),
            "play_s": time.perf_counter() - t, "cache_mb": entry / 1e6, "underruns": renderer.underruns,
            "peak_while": f"{trace['peak'][1]} ({trace['peak'][0]:.0f} MB)",
            "stages": {k: [round(v, 1) for v in vals] for k, vals in stages.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, nargs="+", default=[5.0, 10.0])
    ap.add_argument("--rate", type=int, default=48000, help="the sound device's rate the playback material is made for")
    ap.add_argument("--source", metavar="DIR", help="also measure the app of another checkout (an export of an "
                    "earlier commit: git archive COMMIT | tar -x -C DIR), each length in the same run")
    ap.add_argument("--one", nargs=2, metavar=("SRC", "WORK"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.rate, args.one[1])))
        return
    from bench_separate import make_input
    from whole_commands import machine_line

    print(f"before: {machine_line()}")
    peaks = {}
    builds = [("this checkout", None)] + ([(f"{args.source}", args.source)] if args.source else [])
    for minutes in args.minutes:
        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "input.wav"
            make_input(src, minutes)
            for label, source in builds:
                work = Path(tempfile.mkdtemp(dir=d))
                env = {**os.environ, **({"JAZZREMIX_BENCH_SOURCE": source} if source else {})}
                cmd = [sys.executable, __file__, "--one", str(src), str(work), "--rate", str(args.rate)]
                out = subprocess.run(cmd, text=True, check=True, stdout=subprocess.PIPE, env=env, cwd=source or ROOT)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                stages = ", ".join(f"{k} {v[0]:.0f}" for k, v in res["stages"].items())
                peak = max(v[1] for v in res["stages"].values())
                peaks.setdefault(label, []).append((minutes, peak))
                print(f"{label}, {minutes:g} min: {res['status']} after {res['ready_s']:.1f} s "
                      f"({minutes * 60 / res['ready_s']:.1f} x real time), played in {res['play_s']:.1f} s "
                      f"({res.get('underruns', 0)} underruns); peak RSS "
                      f"{peak:.0f} MB (seen while {res.get('peak_while', '?')}), "
                      f"RSS by stage (MB): {stages}; cache entry {res['cache_mb']:.0f} MB "
                      f"({res['cache_mb'] / minutes * 60:.0f} MB per hour)", flush=True)
    for label, rows in peaks.items():
        if len(rows) > 1:
            (m0, p0), (m1, p1) = rows[0], rows[-1]
            slope = (p1 - p0) / (m1 - m0)
            print(f"{label}: peak RSS grows {slope:.1f} MB per minute: {p0 + slope * (60 - m0):.0f} MB projected "
                  "for 60 minutes")
    print(f"after: {machine_line()}")


if __name__ == "__main__":
    main()
