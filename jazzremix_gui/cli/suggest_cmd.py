"""``jazzremix suggest INPUT [--json]``: the mixer's pan/gain suggestion for a recording."""

from __future__ import annotations

import json
from pathlib import Path

from jazzremix_gui.cli.common import progress_bar
from jazzremix_gui.core import audio_io, codebook, pipeline


def register(sub) -> None:
    p = sub.add_parser("suggest", help="print the mixer's pan/gain suggestion for the solo")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--json", action="store_true", help="one JSON object: pan_deg, gain, posterior (19 x 21), sections")
    p.add_argument("--model", metavar="PATH", help="separator ONNX model (default: the shipped one)")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model (default: your fine-tuned one, else the shipped one)")
    p.set_defaults(func=run)


def analyse_file(path, separator=None, mixer=None) -> pipeline.Analysis:
    """:func:`core.pipeline.analyse` of one file, with a progress bar; model paths None for the defaults."""
    audio, rate = audio_io.read_audio(path)
    sep = pipeline.load_model(separator, "separator")
    mix = pipeline.load_model(mixer, "mixer")
    with progress_bar(Path(path).name) as bar:
        return pipeline.analyse(audio, rate, sep, mix, progress=bar)


def run(args) -> int:
    result = analyse_file(args.input, args.model, args.mixer)
    sugg, mix = result.suggestion, result.mixer
    if args.json:
        data = sugg.to_json()
        data["mixer"] = str(mix.path)
        print(json.dumps(data))
        return 0
    pan_m, gain_m = codebook.marginals(sugg.posterior)
    side = "centre" if sugg.pan_deg == 0 else ("left" if sugg.pan_deg < 0 else "right")
    print(f"mixer: {mix.meta.version} ({mix.path})")
    print(f"suggestion: pan {sugg.pan_deg:+.0f} deg ({side}), gain {sugg.gain:.1f} "
          f"({20 * __import__('math').log10(max(sugg.gain, 1e-6)):+.1f} dB), "
          f"p = {sugg.posterior.max():.3f}")
    for s in sugg.sections:
        state = f"pan {s.pan_deg:+.0f} deg, gain {s.gain:.1f}" if s.active else "solo silent"
        print(f"  {s.start:7.1f} - {s.end:7.1f} s: {state}")
    return 0
