"""``jazzremix render SESSION.jrs --out DIR``: write what the app's export writes for a saved session.

Streams (:func:`services.session_render.render_session`): without a cache entry, memory stays
bounded for any length. An output that would be the session, its recording or lie outside
``--out`` is refused before any work.
"""

from __future__ import annotations

from pathlib import Path

from jazzremix_gui.cli.common import UsageError, note, note_swept, progress_bar
from jazzremix_gui.cli.output_options import add_output_options, spec_from
from jazzremix_gui.cli.separate_cmd import prepare_out_dir
from jazzremix_gui.core.audio.loudness_match import LOUDNESS_MODES
from jazzremix_gui.services.exporting import KINDS, SOLO_MODES, ExportPlan
from jazzremix_gui.services.session import load_session
from jazzremix_gui.services.session_render import render_session


def register(sub) -> None:
    p = sub.add_parser("render", help="render a saved session (.jrs) exactly as the app's export does",
                       description="Separates the session's recording with the same models as the app (or reuses "
                                   "the app's cache), applies the session's pan/gain (per section when its "
                                   "automation is on) and writes the chosen files: the same bytes as the app's "
                                   "Export with the same options.")
    p.add_argument("session", metavar="SESSION.jrs", help="a session saved by the app (File > Save session)")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--stems", default=",".join(KINDS), metavar="LIST",
                   help=f"comma-separated files to write, of {', '.join(KINDS)} (default: all, as the app)")
    p.add_argument("--solo", choices=SOLO_MODES, default="mono",
                   help="the solo file as the app's export writes it: mono (default), remix (stereo, panned as in "
                        "the remix), stereo (as recorded), residual (the input minus the accompaniment)")
    p.add_argument("--solo-stereo", action="store_const", const="remix", dest="solo", help="the same as --solo remix")
    p.add_argument("--keep-mono", action="store_true", help="a mono recording gives a mono accompaniment")
    p.add_argument("--loudness", choices=LOUDNESS_MODES, default="match",
                   help="the remix as loud as the recording (match, default: BS.1770, peaks kept under the "
                        "ceiling) or as computed (keep), as the app's export offers")
    add_output_options(p)
    p.add_argument("--model", metavar="PATH", help="separator ONNX model (default: the shipped one)")
    p.add_argument("--mixer", metavar="PATH", help="mixer ONNX model (default: your fine-tuned one, else shipped)")
    p.set_defaults(func=run)


def run(args) -> int:
    kinds = tuple(k.strip() for k in args.stems.split(",") if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise UsageError(f"--stems {args.stems}: choose from {', '.join(KINDS)}")
    spec = spec_from(args)
    plan = ExportPlan(Path(args.out), tuple(k for k in KINDS if k in kinds), spec.fmt, spec.bits, args.solo,
                      args.clip, spec.bitrate, args.filename, args.keep_mono, args.loudness)
    load_session(args.session)  # a bad session is refused before the output folder is made
    note_swept([prepare_out_dir(args.out)])  # what a killed run left (its stems spool): removed, and said
    plan.check()
    with progress_bar(Path(args.session).name) as bar:
        reports, notes = render_session(args.session, plan, args.model, args.mixer, bar, args.overwrite)
    for line in notes:
        note(line)
    for r in reports:
        note(r.describe())
    return 0
