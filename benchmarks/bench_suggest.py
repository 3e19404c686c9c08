"""``suggest`` speed and memory: a long 44.1 kHz stereo file, streamed through separator and mixer.

Generates the input on the fly (the same deterministic signal as ``bench_separate.py``),
then runs, each in its own subprocess so peak resident memory is its own:

- ``suggest``: :func:`core.pipeline.analyse` with ``keep_stems=False``, exactly what
  ``jazzremix suggest`` runs (separation and mixer in one streaming pass);
- ``separate`` (the baseline, same command, same file): :func:`core.pipeline.separate_file`,
  separation alone, file to files.

    python benchmarks/bench_suggest.py [--minutes 60] [--separator PATH] [--mixer PATH]

Targets (issue #10): a 60-minute file at >= 50x real time with peak RSS < 500 MB. Wall time
depends on what else runs on the machine; the CPU time and the ratio to ``separate`` less so.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_one(kind: str, src: str, separator: str, mixer: str) -> dict:
    from jazzremix_gui.core import pipeline

    sep = pipeline.load_model(separator, "separator")
    mix = pipeline.load_model(mixer, "mixer")
    start = time.perf_counter()
    result = {}
    if kind == "suggest":
        result = pipeline.analyse(src, separator=sep, mixer=mix, keep_stems=False)
        stems, sugg = result.stems, result.suggestion
        result = {"pan_deg": sugg.pan_deg, "gain": sugg.gain, "clear": sugg.clear, "sections": len(sugg.sections),
                  "solo_level": stems.solo_level}
    else:
        pipeline.separate_file(src, tempfile.mkdtemp(), "wav", 24, sep)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    return {"kind": kind, "seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_rss_mb": peak_mb, "separator": sep.meta.version,
            "mixer": mix.meta.version, **result}


def main() -> None:
    from whole_commands import compare_commands, machine_line, network_alone, row

    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
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

    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "input.wav"
        make_input(src, args.minutes)
        audio_s = args.minutes * 60
        print(f"{audio_s:.0f} s of 44.1 kHz stereo; before: {machine_line()}")
        net = network_alone(args.separator, src)
        print(row(f"{net['version']}: network alone", net, audio_s))
        cmd_res = compare_commands("jazzremix suggest (whole command)",
                                   ["-q", "suggest", str(src), "--model", args.separator, "--mixer", args.mixer],
                                   audio_s, args.source)
        print(f"  whole command / network alone: {cmd_res['seconds'] / net['seconds']:.2f} x the wall time, "
              f"{cmd_res['cpu_seconds'] / net['cpu_seconds']:.2f} x the CPU time")
        times = {}
        for kind in ("suggest", "separate"):
            cmd = [sys.executable, __file__, "--one", kind, str(src), "--separator", args.separator,
                   "--mixer", args.mixer]
            out = subprocess.run(cmd, text=True, check=True, stdout=subprocess.PIPE).stdout
            res = json.loads(out.strip().splitlines()[-1])
            extra = (f"; {res['sections']} sections, clear={res['clear']}" if kind == "suggest" else "")
            print(f"{kind:<9} ({res['separator']} + {res['mixer']}): {res['seconds']:7.1f} s for {audio_s:.0f} s "
                  f"of audio: {audio_s / res['seconds']:6.1f} x real time ({res['cpu_seconds']:.0f} CPU-s, "
                  f"{audio_s / res['cpu_seconds']:.1f} x per CPU-s), peak RSS {res['peak_rss_mb']:.0f} MB"
                  + extra, flush=True)
            times[kind] = res["seconds"], res["cpu_seconds"]
        (ws, cs), (wb, cb) = times["suggest"], times["separate"]
        print(f"suggest / separate: {ws / wb:.2f} x the wall time, {cs / cb:.2f} x the CPU time")


if __name__ == "__main__":
    main()
