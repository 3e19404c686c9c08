"""What the user waits for: a ``jazzremix`` command run whole (start-up, decode, models, write), and the network alone.

Shared by ``bench_separate.py``, ``bench_suggest.py`` and ``bench_remix.py``, so that every
benchmark puts the whole command beside the separator network's own time, measured in the
same run on the same file:

- :func:`run_command` runs ``python -m jazzremix_gui ARGS`` (what the console script runs) in
  a child process and returns its wall time, CPU time (user + system, from ``wait4``) and
  peak resident memory;
- :func:`network_alone` runs only the separator's ONNX session over every frame of a file
  (its inputs computed first, untimed), in a child process, with the session's default
  threads (one per core), as the commands use it;
- :func:`machine_line` says what the figures were measured on: CPU, cores, load average;
- :func:`compare_commands` runs a command here and, with ``--source DIR`` (an export of an earlier
  commit: ``git archive COMMIT | tar -x -C DIR``), the same command of that checkout, and prints both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_command(args: list[str], source: str | None = None) -> dict:
    """Run ``jazzremix ARGS`` whole in a child process (``source``: the package of another checkout, for a before/after).

    Returns
    -------
    dict
        ``seconds`` (wall), ``cpu_seconds`` (user + system of the child and its threads),
        ``peak_rss_mb``, ``rc`` (exit status), ``stderr`` (its last lines).
    """
    start = time.perf_counter()
    # ``-m`` puts the working folder first on sys.path: run in the checkout whose package is measured
    proc = subprocess.Popen([sys.executable, "-m", "jazzremix_gui", *args], cwd=source or ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **({"PYTHONPATH": str(source)} if source else {})})
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"jazzremix {' '.join(args)} failed ({proc.returncode}): {err.strip()[-400:]}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024,
            "rc": proc.returncode, "stderr": "\n".join(err.strip().splitlines()[-3:])}


def _network_child(model: str, src: str) -> dict:
    """In the child: the separator's session over all frames of ``src`` (44.1 kHz), timed around ``run`` only."""
    import numpy as np

    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import audio_io
    from jazzremix_gui.core.signal.features import separator_input
    from jazzremix_gui.core.signal.separation import BLOCK_FRAMES
    from jazzremix_gui.core.signal.stft import frame_count, stft

    session = pipeline.load_model(model, "separator")
    audio, rate = audio_io.read_audio(src)
    assert rate == 44100, "the benchmark files are written at 44.1 kHz"
    audio = np.repeat(audio, 2, axis=1) if audio.shape[1] == 1 else audio
    hop, ctx = session.meta.hop, session.meta.context_frames
    n = frame_count(audio.shape[0], hop)
    blocks = [separator_input(stft(audio, hop, max(0, a - ctx), min(n, a + BLOCK_FRAMES + ctx)))
              for a in range(0, n, BLOCK_FRAMES)]
    session.run(blocks[0][:8])  # first-run allocations out of the timing, as in a command's first block
    cpu, wall = time.process_time(), time.perf_counter()
    for block in blocks:
        session.run(block)
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu,
            "version": session.meta.version, "provider": session.provider, "frames": n}


def network_alone(model: str, src: Path) -> dict:
    """The separator network alone over ``src`` (see :func:`_network_child`), in its own process."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[3]); from whole_commands import _network_child; "
            "print(json.dumps(_network_child(sys.argv[1], sys.argv[2])))")
    out = subprocess.run([sys.executable, "-c", code, str(model), str(src), str(Path(__file__).parent)], cwd=ROOT,
                         text=True, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine_line() -> str:
    """``AMD EPYC ..., 2 cores, load average 1.2 0.9 0.7 (uptime)`` at the time of the call."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    one, five, fifteen = os.getloadavg()
    return f"{model}, {os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"


def row(label: str, res: dict, audio_s: float) -> str:
    """One printed line: wall time, real-time factor, CPU time, peak RSS."""
    rss = f", peak RSS {res['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in res else ""
    return (f"{label:<34} {res['seconds']:7.2f} s wall ({audio_s / res['seconds']:6.1f} x real time), "
            f"{res['cpu_seconds']:6.2f} CPU-s{rss}")


def compare_commands(label: str, args: list[str], audio_s: float, source: str | None) -> dict:
    """Run ``jazzremix ARGS`` (and, with ``source``, the same of that checkout first) and print a row for each."""
    if source:
        print(row(f"{label} ({source})", run_command(args, source), audio_s), flush=True)
    res = run_command(args)
    print(row(label, res, audio_s), flush=True)
    return res
