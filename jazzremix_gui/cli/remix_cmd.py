"""``jazzremix remix INPUT --out FILE [--pan DEG] [--gain G]``: write the stereo remix."""

from __future__ import annotations

from jazzremix_gui.cli.common import note
from jazzremix_gui.cli.suggest_cmd import analyse_file, db_text
from jazzremix_gui.core import audio_io, pipeline
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG


def register(sub) -> None:
    p = sub.add_parser("remix", help="separate, place the solo and write the stereo remix")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--out", required=True, metavar="FILE", help="output .wav or .flac")
    p.add_argument("--pan", type=float, metavar="DEG", help="solo pan in degrees, -45 (left) .. +45 (right)")
    p.add_argument("--gain", type=float, metavar="G",
                   help="solo gain relative to the recording, 0 .. 2 (linear; 1 = as recorded, 2 = +6 dB)")
    p.add_argument("--bits", type=int, choices=[16, 24, 32], default=24)
    p.add_argument("--model", metavar="PATH", help="separator ONNX model")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.pan is not None and not PAN_MIN_DEG <= args.pan <= PAN_MAX_DEG:
        raise AudioWriteError(f"--pan {args.pan}: must be between {PAN_MIN_DEG:g} and {PAN_MAX_DEG:g} degrees")
    if args.gain is not None and not GAIN_MIN <= args.gain <= GAIN_MAX:
        raise AudioWriteError(f"--gain {args.gain}: must be between {GAIN_MIN:g} and {GAIN_MAX:g}")
    audio_io.output_format(args.out)
    if args.pan is None or args.gain is None:
        result = analyse_file(args.input, args.model, args.mixer)
        stems, sugg = result.stems, result.suggestion
        if not sugg.clear:
            note(f"{args.input}: {sugg.status} ({sugg.reason})")
        pan = sugg.pan_deg if args.pan is None else args.pan
        gain = sugg.gain if args.gain is None else args.gain
    else:
        audio, rate = audio_io.read_audio(args.input)
        stems = pipeline.separate(audio, rate, pipeline.load_model(args.model, "separator"))
        pan, gain = args.pan, args.gain
    remix = pipeline.render_remix(stems, pan, gain)
    audio_io.write_audio(args.out, remix, stems.rate, args.bits)
    note(f"{args.out}: solo at pan {pan:+.0f} deg, gain {gain:.2f} ({db_text(gain)} vs the recording)")
    return 0
