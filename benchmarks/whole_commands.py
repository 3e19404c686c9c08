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
- :func:`compile_package` gives a measured checkout its bytecode before its first run, as an installed
  package has it;
- :func:`compare_commands` runs a command here and, with ``--source DIR`` (an export of an earlier
  commit: ``git archive COMMIT | tar -x -C DIR``), the same command of that checkout, and prints both.

Run as a script, it is issue #22's table in one run: the network alone (one thread,
two, and the threads a command gets now), then ``jazzremix separate``, ``suggest`` and ``remix`` whole, each
``--repeats`` times, interleaved with the ``--source`` checkout's, on one generated file;
the best and the median of each, as real-time factors and as ratios to the network alone:

    python benchmarks/whole_commands.py [--minutes 3] [--repeats 5] [--source DIR] [--real-jazz DIR] [--pan-aware]

The generated input (tones and noise at a constant level) is the true-peak measurement's worst
case: every stretch is loud enough to be measured. ``--real-jazz ../shared/real-jazz`` runs the
same commands on real music instead: the segments ``seg1.mp3 .. seg9.mp3`` decoded and joined
into one ``--minutes`` long 16-bit WAV in the temporary folder (never copied into the project).

On a machine shared with other jobs the wall times vary from run to run (the best run is the
one the others disturbed least); the CPU times much less. The load average is printed before
and after.
"""

from __future__ import annotations

import functools
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
    compile_package(Path(source) if source else ROOT)
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


def _network_child(model: str, src: str, threads: int | None = None) -> dict:
    """In the child: the separator's session over all frames of ``src`` (44.1 kHz), timed around ``run`` only.

    ``threads``: ONNX Runtime intra-op threads; None: what a command gets (:func:`core.pipeline.load_model`).
    """
    import numpy as np

    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import audio_io
    from jazzremix_gui.core.signal.features import separator_input
    from jazzremix_gui.core.signal.separation import BLOCK_FRAMES
    from jazzremix_gui.core.signal.stft import frame_count, stft

    session = pipeline.load_model(model, "separator", threads)
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
    threads = session.session.get_session_options().intra_op_num_threads
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu,
            "version": session.meta.version, "provider": session.provider, "frames": n, "threads": threads}


def _mixer_child(model: str, src: str, threads: int | None = None) -> dict:
    """In the child: the mixer's session over as many frames as ``src`` has, in the calls a command makes
    (:data:`core.signal.mixer.MIXER_BLOCK` frames each), timed around ``run`` only. The features are random around
    zero: the mixers' cost does not depend on their values."""
    import numpy as np

    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.audio import audio_io
    from jazzremix_gui.core.signal.features import MIXER_N_FEATURES
    from jazzremix_gui.core.signal.mixer import MIXER_BLOCK
    from jazzremix_gui.core.signal.stft import frame_count

    session = pipeline.load_model(model, "mixer", threads)
    n = frame_count(audio_io.info(src).frames, session.meta.hop)
    x = np.random.default_rng(0).standard_normal((n, MIXER_N_FEATURES)).astype(np.float32)
    session.run(x[:8])
    cpu, wall = time.process_time(), time.perf_counter()
    for a in range(0, n, MIXER_BLOCK):
        session.run(x[a:a + MIXER_BLOCK])
    threads = session.session.get_session_options().intra_op_num_threads
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu,
            "version": session.meta.version, "provider": session.provider, "frames": n, "threads": threads}


def network_alone(model: str, src: Path, threads: int | None = None, child: str = "_network_child") -> dict:
    """The separator network alone over ``src`` (see :func:`_network_child`; ``child="_mixer_child"``: the mixer's,
    :func:`_mixer_child`), in its own process."""
    code = (f"import json, sys; sys.path.insert(0, sys.argv[3]); from whole_commands import {child}; "
            f"print(json.dumps({child}(sys.argv[1], sys.argv[2], int(sys.argv[4]) or None)))")
    out = subprocess.run([sys.executable, "-c", code, str(model), str(src), str(Path(__file__).parent),
                          str(threads or 0)], cwd=ROOT, text=True, check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out.strip().splitlines()[-1])


_LAST_CPU_TIMES: list = []


def _cpu_times() -> tuple[int, int] | None:
    """``(steal, total)`` clock ticks of all CPUs since boot (``/proc/stat``); None where there is none."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def machine_line() -> str:
    """``AMD EPYC ..., 2 cores, load average 1.2 0.9 0.7, 0.4 % stolen`` at the time of the call.

    The share of CPU time the hypervisor gave other guests (``steal``) is counted since the
    previous call (since boot for the first): a VM whose host is busy runs everything slower
    while its own load average says idle, so figures from two runs compare only with it.
    """
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    one, five, fifteen = os.getloadavg()
    line = f"{model}, {os.cpu_count()} cores, load average {one:.2f} {five:.2f} {fifteen:.2f}"
    now = _cpu_times()
    if now is not None:
        steal, total = (now[0] - _LAST_CPU_TIMES[-1][0], now[1] - _LAST_CPU_TIMES[-1][1]) if _LAST_CPU_TIMES else now
        since = "since the line above" if _LAST_CPU_TIMES else "since boot"
        _LAST_CPU_TIMES.append(now)
        line += f", {100 * steal / max(total, 1):.1f} % of the CPU time stolen by the host ({since})"
    return line


def row(label: str, res: dict, audio_s: float) -> str:
    """One printed line: wall time, real-time factor, CPU time, peak RSS."""
    rss = f", peak RSS {res['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in res else ""
    return (f"{label:<34} {res['seconds']:7.2f} s wall ({audio_s / res['seconds']:6.1f} x real time), "
            f"{res['cpu_seconds']:6.2f} CPU-s{rss}")


@functools.lru_cache(maxsize=None)
def compile_package(checkout: Path) -> None:
    """Bytecode for ``checkout/jazzremix_gui``, as a wheel install (and ``make install``) has it: without it every
    command compiles each module again (0.1 s of start-up; an editable install where ``PYTHONDONTWRITEBYTECODE``
    is set never writes any)."""
    import compileall

    compileall.compile_dir(str(checkout / "jazzremix_gui"), quiet=1)


def compare_commands(label: str, args: list[str], audio_s: float, source: str | None) -> dict:
    """Run ``jazzremix ARGS`` (and, with ``source``, the same of that checkout first) and print a row for each."""
    if source:
        print(row(f"{label} ({source})", run_command(args, source), audio_s), flush=True)
    res = run_command(args)
    print(row(label, res, audio_s), flush=True)
    return res


def _summary(label: str, runs: list[dict], audio_s: float, net: dict) -> str:
    """Best and median wall time of ``runs`` as real-time factors, their CPU time, and the ratio to the network."""
    walls = sorted(r["seconds"] for r in runs)
    cpus = sorted(r["cpu_seconds"] for r in runs)
    best, median = walls[0], walls[len(walls) // 2]
    return (f"{label:<34} best {best:5.2f} s ({audio_s / best:5.1f}x real time), median {median:5.2f} s "
            f"({audio_s / median:5.1f}x); CPU {cpus[0]:.2f}-{cpus[-1]:.2f} s; best wall / network alone "
            f"{best / net['seconds']:.2f}, peak RSS {max(r['peak_rss_mb'] for r in runs):.0f} MB")


def paired(label: str, before: list[dict], now: list[dict]) -> str:
    """The paired difference of wall time, ``now`` minus ``before`` run by run (each pair ran one after the other,
    in alternating order): its mean with the standard error, its median, and how many pairs ``now`` won."""
    import statistics

    d = [n["seconds"] - b["seconds"] for b, n in zip(before, now)]
    se = statistics.stdev(d) / len(d) ** 0.5 if len(d) > 1 else float("nan")
    return (f"{label:<34} paired, now - before: mean {statistics.mean(d) * 1e3:+.0f} ms (SE {se * 1e3:.0f}), "
            f"median {statistics.median(d) * 1e3:+.0f} ms; now faster in {sum(x < 0 for x in d)} of {len(d)}")


def join_segments(folder: Path, out: Path, minutes: float) -> str:
    """``folder/seg1.mp3, seg2.mp3, ...`` decoded (as the commands decode them) and joined, in order and again
    from the first, into ``minutes`` of 44.1 kHz stereo 16-bit WAV at ``out``; returns what it used."""
    import soundfile as sf

    from jazzremix_gui.core.audio import audio_io

    segs = sorted(folder.glob("seg[0-9].mp3"), key=lambda p: p.name)
    if not segs:
        raise SystemExit(f"{folder}: no seg*.mp3")
    need, used = int(minutes * 60 * 44100), []
    with sf.SoundFile(out, "w", 44100, 2, subtype="PCM_16") as f:
        while need > 0:
            for seg in segs:
                audio, rate = audio_io.read_audio(seg)
                if rate != 44100 or audio.ndim != 2 or audio.shape[1] != 2:
                    raise SystemExit(f"{seg}: expected 44.1 kHz stereo")
                f.write(audio[:need])
                used.append(seg.name)
                need -= min(need, audio.shape[0])
                if need <= 0:
                    break
    return f"input: {', '.join(used)} joined into {minutes:g} minutes of 16-bit WAV"


def write_mono(src: Path, out: Path) -> None:
    """``src``'s channels averaged into a mono 16-bit WAV at ``out``: a mono record, the pitch comb's material."""
    import soundfile as sf

    audio, rate = sf.read(src, dtype="float32", always_2d=True)
    sf.write(out, audio.mean(axis=1), rate, subtype="PCM_16")


def main() -> None:
    import argparse
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_separate import make_input

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--separator", default=str(ROOT / "models" / "separator.onnx"))
    ap.add_argument("--mixer", default=str(ROOT / "models" / "mixer.onnx"))
    ap.add_argument("--source", metavar="DIR", help="also run the commands of another checkout, interleaved")
    ap.add_argument("--real-jazz", metavar="DIR", help="real music: DIR/seg*.mp3 joined into the input")
    ap.add_argument("--pan-aware", action="store_true", help="also run separate --pan-aware (the step's cost)")
    ap.add_argument("--mono", action="store_true",
                    help="also run separate on mono material: the input's channels averaged into a mono 16-bit WAV")
    ap.add_argument("--only", action="append", choices=["separate", "suggest", "remix"],
                    help="run only this command (repeatable): more pairs in the same time")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "input.wav"
        if args.real_jazz:
            print(join_segments(Path(args.real_jazz), src, args.minutes))
        else:
            make_input(src, args.minutes)
        audio_s = args.minutes * 60
        print(f"{audio_s:.0f} s of 44.1 kHz stereo, {args.repeats} runs each; before: {machine_line()}", flush=True)
        nets = {}
        for threads in (1, 2, None):  # None: what a command gets now (core.device.model_threads)
            nets[threads] = min((network_alone(args.separator, src, threads) for _ in range(args.repeats)),
                                key=lambda r: r["seconds"])
            label = f"network alone, {nets[threads]['threads']} thread(s)" + (", as commands" if threads is None else "")
            print(row(label + ", best", nets[threads], audio_s), flush=True)
        net = nets[1]
        mixer = min((network_alone(args.mixer, src, 1, "_mixer_child") for _ in range(args.repeats)),
                    key=lambda r: r["seconds"])
        print(row("mixer network alone, 1 thread, best", mixer, audio_s), flush=True)
        models = ["--model", args.separator]
        commands = {"separate": ["-q", "separate", str(src), "--out", str(Path(d) / "out"), "--overwrite"] + models,
                    "suggest": ["-q", "suggest", str(src)] + models + ["--mixer", args.mixer],
                    "remix": ["-q", "remix", str(src), "--out", str(Path(d) / "remix.wav"), "--overwrite"] + models
                    + ["--mixer", args.mixer]}
        if args.pan_aware:
            commands["separate --pan-aware"] = ["-q", "separate", str(src), "--out", str(Path(d) / "out-pa"),
                                                "--pan-aware", "--overwrite"] + models
        if args.mono:
            mono = Path(d) / "input-mono.wav"
            write_mono(src, mono)
            commands["separate (mono material)"] = ["-q", "separate", str(mono), "--out", str(Path(d) / "out-mono"),
                                                    "--overwrite"] + models
        if args.only:
            commands = {name: argv for name, argv in commands.items() if name.split()[0] in args.only}
        wheres = ([args.source] if args.source else []) + [None]
        runs = {(name, where): [] for name in commands for where in wheres}
        for i in range(args.repeats):
            for name, argv in commands.items():
                for where in (wheres if i % 2 == 0 else wheres[::-1]):  # neither tree always first
                    runs[name, where].append(run_command(argv, where))
        for (name, where), got in runs.items():
            print(_summary(f"jazzremix {name}" + (f" ({where})" if where else ""), got, audio_s, net))
        if args.source:
            for name in commands:
                print(paired(f"jazzremix {name}", runs[name, args.source], runs[name, None]))
        print(f"after: {machine_line()}")


if __name__ == "__main__":
    main()
