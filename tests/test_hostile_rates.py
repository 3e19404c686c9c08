"""Every output format at sample rates it can and cannot hold (issue #13 item 6, rates from 8 kHz to 768 kHz);
rates outside that range refused in one line before any work (issue #23 item 5).

Outputs keep the input's rate (DESIGN.md), so a format that cannot hold it must be refused in one
line before any work, never crash: libvorbis above 200 kHz took the whole process down (SIGSEGV)
inside libsndfile. The commands run in a child process, so a crash fails this test, not the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import soundfile as sf

from hostile_corpus import tone

RATES = (1, 7999, 8000, 44100, 200000, 200001, 384000, 768000, 768001)
#: The rates Jazz Remix reads (core.audio.audio_io.MIN_RATE .. MAX_RATE).
ACCEPTED = range(8000, 768001)
FORMATS = ("wav", "aiff", "flac", "ogg", "mp3")
#: Whether a format holds a rate: WAV and AIFF any; FLAC up to 65,535 Hz and multiples of 10 up to 655,350 Hz;
#: Vorbis up to 200 kHz; MP3 its nine rates.
HOLDS = {"wav": lambda r: True, "aiff": lambda r: True, "ogg": lambda r: r <= 200000,
         "flac": lambda r: r <= 65535 or (r % 10 == 0 and r <= 655350),
         "mp3": lambda r: r in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)}

CHILD = r"""
import contextlib, io, json, os, sys
from jazzremix_gui.cli.main import main
for line in sys.stdin:
    argv = json.loads(line)
    print(json.dumps({"start": argv}), flush=True)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(argv)
    print(json.dumps({"argv": argv, "rc": rc, "err": err.getvalue()}), flush=True)
"""


def test_every_output_format_at_extreme_rates(tmp_path):
    runs = []
    for rate in RATES:
        src = tmp_path / f"in-{rate}.wav"
        n = max(2, min(2048, rate // 20))
        sf.write(src, tone(n, rate), rate, subtype="PCM_16")
        for fmt in FORMATS:
            out = tmp_path / f"{rate}-{fmt}"
            runs.append((rate, fmt, n, ["separate", str(src), "--out", str(out), "--format", fmt]))
        runs.append((rate, "ogg", n, ["remix", str(src), "--out", str(tmp_path / f"remix-{rate}.ogg")]))
    proc = subprocess.run([sys.executable, "-c", CHILD], input="".join(json.dumps(r[3]) + "\n" for r in runs),
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[1])
    lines = [json.loads(ln) for ln in proc.stdout.splitlines()]
    done = [ln for ln in lines if "rc" in ln]
    assert proc.returncode == 0, f"the commands crashed (status {proc.returncode}) in {lines[-1] if lines else '?'}"
    assert proc.stderr == "", proc.stderr  # nothing from a library below the CLI's own lines
    problems = []
    for (rate, fmt, n, argv), result in zip(runs, done, strict=True):
        out = Path(argv[3])
        written = sorted(p.name for p in (out.iterdir() if out.is_dir() else [out] if out.exists() else []))
        said = result["err"].splitlines()
        if rate not in ACCEPTED:
            errors = [ln for ln in said if ln.startswith("jazzremix: error: ")]
            if result["rc"] != 1 or len(errors) != 1 or f"{rate:,} Hz is outside the rates" not in errors[0] \
                    or written:
                problems.append(f"{argv[0]} {rate} Hz {fmt}: exit {result['rc']}, {said}, left {written}")
        elif HOLDS[fmt](rate):
            if result["rc"] != 0:
                problems.append(f"{argv[0]} {rate} Hz {fmt}: {said}")
                continue
            for name in written:
                info = sf.info(str(out / name if out.is_dir() else out))
                if info.samplerate != rate or (fmt not in ("mp3", "ogg") and info.frames != n):
                    problems.append(f"{argv[0]} {rate} Hz {fmt}: {name} {info.samplerate} Hz, {info.frames} frames")
        else:
            errors = [ln for ln in said if ln.startswith("jazzremix: error: ")]
            if result["rc"] != 1 or len(errors) != 1 or f"{rate:,} Hz" not in errors[0] or written:
                problems.append(f"{argv[0]} {rate} Hz {fmt}: exit {result['rc']}, {said}, left {written}")
    assert not problems, "\n".join(problems)
