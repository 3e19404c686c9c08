"""``jazzremix separate INPUT ... --out DIR [--format wav|flac] [--bits 16|24|32] [--model PATH]``."""

from __future__ import annotations

from pathlib import Path

from jazzremix_gui.cli.common import add_model_option, error, note, progress_bar
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.errors import AudioWriteError, JazzRemixError


def register(sub) -> None:
    p = sub.add_parser("separate", help="split recordings into solo (mono) and accompaniment (stereo) stems",
                       description="Writes DIR/<name>.solo.<ext> and DIR/<name>.accompaniment.<ext> for each input, "
                                   "at the input's sample rate and length.")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files (WAV, FLAC, OGG, AIFF, MP3, ...)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--format", choices=["wav", "flac"], default="wav")
    p.add_argument("--bits", type=int, choices=[16, 24, 32], default=24, help="bit depth (32 = float, WAV only)")
    add_model_option(p, "separator")
    p.set_defaults(func=run)


def prepare_out_dir(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioWriteError(f"{out}: cannot create output folder ({exc.strerror})") from None
    if not out.is_dir():
        raise AudioWriteError(f"{out}: not a folder")
    return out


def run(args) -> int:
    out = prepare_out_dir(args.out)
    model = pipeline.load_model(args.model, "separator")
    failures = 0
    for path in args.inputs:
        try:
            with progress_bar(Path(path).name) as bar:
                solo, acc = pipeline.separate_file(path, out, args.format, args.bits, model, progress=bar)
            note(f"{path}: {solo.name}, {acc.name}")
        except JazzRemixError as exc:
            error(str(exc))
            failures += 1
    return 1 if failures else 0
