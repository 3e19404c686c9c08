"""``remix`` memory and speed: a long 44.1 kHz stereo file, separated, placed per section and written, streaming.

Generates the input on the fly (the same deterministic signal as ``bench_separate.py``),
then runs, each in its own subprocess so peak resident memory is its own:

- ``remix``: :func:`services.remix_writer.remix_file`, exactly what ``jazzremix remix`` runs
  (separation and mixer in one pass with the stems spooled beside the output, then the
  per-section placement through the default clip mode, 24-bit WAV);
- ``separate`` (the baseline, same command, same file): :func:`core.pipeline.separate_file`,
  separation alone, file to files;
- ``whole`` (only with ``--whole-minutes M``, on the first M minutes): the remix as it was
  computed before it streamed (whole stems in memory, :func:`core.pipeline.render_remix`),
  to show what streaming saves.

    python benchmarks/bench_remix.py [--minutes 60] [--whole-minutes 10] [--separator PATH] [--mixer PATH]

Target (issue #13): a 60-minute file under 500 MB peak RSS. Wall time depends on what else
runs on the machine; the ratios to ``separate`` less so.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from jazzremix_gui.services.remix_writer import render_remix

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_one(kind: str, src: str, separator: str, mixer: str) -> dict:
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.services import remix_writer
    from jazzremix_gui.core.signal import automation
    from jazzremix_gui.core.audio.formats import OutputSpec
    from jazzremix_gui.core.audio.headroom import write_mastered

    sep = pipeline.load_model(separator, "separator")
    mix = pipeline.load_model(mixer, "mixer")
    out = Path(tempfile.mkdtemp(dir=Path(src).parent))
    start = time.perf_counter()
    extra = {}
    if kind == "remix":
        res = remix_writer.remix_file(src, out / "remix.wav", OutputSpec("wav", 24), "limit", separator=sep,
                                      mixer=mix)
        extra = {"sections": len(res.suggestion.sections), "limited": res.report.limited}
    elif kind == "whole":
        result = pipeline.analyse(src, None, sep, mix, keep_stems=True)
        stems = result.stems
        pan, gain = automation.suggestion_curves(result.suggestion, len(stems), stems.rate)
        write_mastered(out / "remix.wav", render_remix(stems, pan, gain), stems.rate, OutputSpec("wav", 24))
        extra = {"sections": len(result.suggestion.sections)}
    else:
        pipeline.separate_file(src, out, "wav", 24, sep)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"kind": kind, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "separator": sep.meta.version, "mixer": mix.meta.version, **extra}


def measure(kind: str, src: Path, minutes: float, args) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, str(src), "--separator", args.separator, "--mixer", args.mixer]
    res = json.loads(subprocess.run(cmd, text=True, check=True, stdout=subprocess.PIPE).stdout.strip().splitlines()[-1])
    audio_s = minutes * 60
    extra = f"; {res['sections']} sections" if "sections" in res else ""
    print(f"{kind:<9} {minutes:4.0f} min ({res['separator']} + {res['mixer']}): {res['seconds']:7.1f} s, "
          f"{audio_s / res['seconds']:6.1f} x real time ({res['cpu_seconds']:.0f} CPU-s), "
          f"peak RSS {res['peak_rss_mb']:.0f} MB{extra}", flush=True)
    return res


def main() -> None:
    from whole_commands import compare_commands, machine_line, network_alone, row

    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--whole-minutes", type=float, default=0.0,
                    help="also run the old whole-file remix on this many minutes (0: skip)")
    ap.add_argument("--separator", default=str(ROOT / "models" / "separator.onnx"))
    ap.add_argument("--mixer", default=str(ROOT / "models" / "mixer.onnx"))
    ap.add_argument("--source", metavar="DIR", help="also run the whole command of another checkout (an export "
                    "of an earlier commit: git archive COMMIT | tar -x -C DIR) in the same run, for a before/after")
    ap.add_argument("--one", nargs=2, metavar=("KIND", "SRC"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], args.one[1], args.separator, args.mixer)))
        return
    from bench_separate import make_input

    with tempfile.TemporaryDirectory(dir=Path.cwd()) as d:
        src = Path(d) / "input.wav"
        make_input(src, args.minutes)
        audio_s = args.minutes * 60
        print(f"{audio_s:.0f} s of 44.1 kHz stereo; before: {machine_line()}")
        net = network_alone(args.separator, src)
        print(row(f"{net['version']}: network alone", net, audio_s))
        cmd_res = compare_commands("jazzremix remix (whole command)",
                                   ["-q", "remix", str(src), "--out", str(Path(d) / "remix.wav"), "--overwrite",
                                    "--model", args.separator, "--mixer", args.mixer],
                                   audio_s, args.source)
        print(f"  whole command / network alone: {cmd_res['seconds'] / net['seconds']:.2f} x the wall time, "
              f"{cmd_res['cpu_seconds'] / net['cpu_seconds']:.2f} x the CPU time")
        remix = measure("remix", src, args.minutes, args)
        base = measure("separate", src, args.minutes, args)
        print(f"remix / separate: {remix['seconds'] / base['seconds']:.2f} x the wall time, "
              f"{remix['cpu_seconds'] / base['cpu_seconds']:.2f} x the CPU time, "
              f"{remix['peak_rss_mb'] / base['peak_rss_mb']:.2f} x the peak RSS")
        if args.whole_minutes > 0:
            short = Path(d) / "short.wav"
            make_input(short, args.whole_minutes)
            whole = measure("whole", short, args.whole_minutes, args)
            streamed = measure("remix", short, args.whole_minutes, args)
            print(f"whole-file remix / streamed remix on {args.whole_minutes:g} min: "
                  f"{whole['peak_rss_mb'] / streamed['peak_rss_mb']:.1f} x the peak RSS")


if __name__ == "__main__":
    main()
