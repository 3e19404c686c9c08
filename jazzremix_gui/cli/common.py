"""Helpers shared by the sub-commands: error lines, model options (progress bars: :mod:`cli.progress`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.core.files import atomic, folders, interrupts
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.oserrors import describe_os_error, human_bytes
from jazzremix_gui.cli.progress import progress_bar  # noqa: F401 (the commands' bars live in cli/progress.py)
from jazzremix_gui.cli.streams import one_line


def error(message: str) -> None:
    """Print one error line on stderr (and put it in the log file)."""
    message = one_line(message)
    print(f"jazzremix: error: {message}", file=sys.stderr)
    logging.getLogger("jazzremix_gui.cli").error("%s", message, extra={"file_only": True})


def note(message: str) -> None:
    """Print a status line on stderr (what was written), except under ``-q``."""
    from jazzremix_gui.core import logs

    if not logs.quiet():
        print(one_line(message), file=sys.stderr)  # a newline in a file name does not break the line


def add_model_option(parser, kind: str) -> None:
    parser.add_argument("--model", metavar="PATH", help=f"{kind} ONNX model (default: the shipped one)")


def add_pan_aware_option(parser) -> None:
    """``--pan-aware [SIGMA,FLOOR[,STEER[,HYPOTHESES]]]`` and ``--plain-wiener``: which Wiener step separates
    (:mod:`core.signal.spatial`)."""
    parser.add_argument("--pan-aware", nargs="?", const="", default=None, metavar="SIGMA,FLOOR[,STEER[,H]]",
                        help="use where the solo sits between the speakers to separate it (stereo recordings; a mono "
                             "one is left as it is): each channel gets the solo's share by the pan law and bins from "
                             "other directions count less (default: the separator's own settings, else 15,0.1,1: "
                             "spread in degrees, weight of other directions, and STEER, 0..1: the network hears the "
                             "channels weighted toward the solo's direction instead of the mid; 0 when left out; H, 0 or 1: "
                             "with a STEER, the first block's direction is chosen among hypotheses). A "
                             "separator that carries the step (its metadata's pan_aware) uses it without this option")
    parser.add_argument("--solo-side", type=side_value, default=None, metavar="DEG|auto",
                        help="where the solo sits, when the separation takes another part's side for it (a horn "
                             "section or a comping part): its pan in degrees, -45 hard left .. +45 hard right. A "
                             "stereo recording is then separated toward it with the pan-aware step (the separator's "
                             "own settings, else 15,0.1,1) instead of toward the side the separator reads. auto: "
                             "where another part holds its place as the solo does, each side is separated and the "
                             "one whose solo is more often a single line (its pitch) is kept; the first 70 s once more "
                             "for every recording, the whole two or three more times where another part holds its "
                             "place (measured +0.2 dB of solo a track on unseen instruments, docs/SEPARATOR_V3.md)")
    parser.add_argument("--no-mono-comb", action="store_true",
                        help="leave mono material (a mono file, a mono record transferred in stereo) as the network "
                             "separates it, without keeping the solo to the partials of its own pitch and turning it "
                             "down where it has none (rules r28 and r32): to hear what that does")
    parser.add_argument("--plain-wiener", action="store_true",
                        help="separate with the plain Wiener step (both channels the same solo magnitude) even when "
                             "the separator carries the pan-aware one; the app has both in Preferences > Separation")


def side_value(text: str):
    """``--solo-side``'s value: a pan in degrees (float) or :data:`SOLO_SIDE_AUTO`."""
    if text.strip().lower() == SOLO_SIDE_AUTO:
        return SOLO_SIDE_AUTO
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a pan in degrees, -45 .. 45, or auto") from None


def given_side(args) -> float | None:
    """The solo's side the options give in degrees (None: read, or chosen per recording with ``auto``)."""
    side = getattr(args, "solo_side", None)
    return None if side == SOLO_SIDE_AUTO else side


def pan_aware_setting(args):
    """The Wiener step the options ask for: a :class:`core.signal.spatial.PanAware` (``--pan-aware``), True
    (``--pan-aware`` alone: the separator's own settings, else ``spatial.PREFERRED``), False (``--plain-wiener``)
    or None (the separator's own step); ValueError when malformed or when both are given."""
    text, plain = getattr(args, "pan_aware", None), getattr(args, "plain_wiener", False)
    if text is not None and plain:
        raise ValueError("--pan-aware and --plain-wiener exclude each other")
    side = getattr(args, "solo_side", None)
    if side is not None and plain:
        raise ValueError("--solo-side and --plain-wiener exclude each other (the side is the pan-aware step's)")
    if given_side(args) is not None:
        from jazzremix_gui.core.signal.spatial import PanAware

        try:
            PanAware(side_deg=side)  # the settings' own range check (NaN fails it too)
        except ValueError as exc:
            raise ValueError(f"--solo-side: {exc}") from None
    if plain:
        return False
    if text is None:
        return None
    if not text.strip():
        return True
    from jazzremix_gui.core.signal.spatial import PanAware

    try:
        return PanAware.parse(text)
    except ValueError as exc:
        raise ValueError(f"--pan-aware: {exc}") from None


def load_separator(path, args):
    """The separator at ``path`` (None: the shipped one), with the Wiener step ``args`` ask for."""
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.models import with_solo_side, with_wiener_step, without_mono_comb

    session = pipeline.load_model(path, "separator")
    if getattr(args, "no_mono_comb", False):
        session = without_mono_comb(session)
    return with_solo_side(with_wiener_step(session, pan_aware_setting(args)), given_side(args))


def side_chosen(args, model, path, where: str = ""):
    """``(separator, SideChoice or None)``: with ``--solo-side auto``, ``model`` separating toward the side chosen
    by pitch for the recording at ``path`` (:func:`core.pipeline.choose_solo_side`; a progress bar, a line said);
    otherwise ``model`` as it is."""
    if getattr(args, "solo_side", None) != SOLO_SIDE_AUTO:
        return model, None
    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.models import with_solo_side
    from jazzremix_gui.core.progress import Reporter

    with progress_bar(f"{where}choosing the solo's side of {Path(path).name}") as bar:
        choice = pipeline.choose_solo_side(path, model, progress=Reporter(bar))
    note(f"{where}{path}: {choice.describe()}")
    return with_solo_side(model, choice.side_deg), choice


def bad_pan_aware(args) -> bool:
    """Say a malformed ``--pan-aware`` value (one line) and return True; False when it is fine or absent."""
    try:
        pan_aware_setting(args)
    except ValueError as exc:
        error(str(exc))
        return True
    return False


#: Exit statuses of every command (the README's CLI section lists them).
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(JazzRemixError):
    """An option's value, or a combination of options, the command cannot take: one line, exit status 2."""


def run_guarded(func, args) -> int:
    """Run a command with SIGINT, SIGTERM and SIGHUP stopping it cleanly; every error is one stderr line.

    Returns 0, 1 (a Jazz Remix or operating-system error, or some inputs failed), or
    128 + the signal's number when interrupted (temporary files are removed on the way out).
    """
    previous = interrupts.install()
    try:
        return int(func(args) or 0)
    except UsageError as exc:
        error(str(exc))
        return EXIT_USAGE
    except JazzRemixError as exc:
        error(str(exc))
        return EXIT_FAILED
    except OSError as exc:
        error(describe_os_error(exc))
        return EXIT_FAILED
    except KeyboardInterrupt as exc:
        atomic.discard_all()
        error(interrupts.describe(exc))
        return interrupts.exit_status(exc)
    finally:
        removed = folders.remove_empty()  # what this job created and left empty, deepest first: no debris
        if removed:
            made = removed[0] if len(removed) == 1 else \
                f"{removed[0]} (and the folders made for it, up to {removed[-1]})"
            note(f"removed the output folder {made} again: nothing was written in it")
        interrupts.restore(previous)


def input_failure(path, exc: BaseException, prefix: str = "") -> str:
    """The one line for an input that failed: ``PREFIX PATH: cause`` (a bug's traceback goes to the log file only).

    Any ``Exception`` counts (a Jazz Remix error, an operating-system error, a bug); the
    caller prints it with :func:`error` and goes on with the other inputs.
    """
    if isinstance(exc, JazzRemixError):
        text = str(exc)
    elif isinstance(exc, OSError):
        text = describe_os_error(exc)
    else:
        logging.getLogger("jazzremix_gui.cli").error("unexpected error on %s", path, exc_info=exc,
                                                     extra={"file_only": True})
        text = f"unexpected {type(exc).__name__}: {exc}"
    text = text if str(path) in text else f"{path}: {text}"
    return f"{prefix}{text}"


def input_warnings(args, path, heard=None) -> list[str]:
    """What the user should know of one input, for ``--json``'s ``warnings``: damage, downmix and samples that are
    not numbers (:meth:`core.audio.audio_io.AudioInfo.warnings`, said on stderr as the file is read), and
    ``--solo-side`` given for mono material, which has no sides to steer toward (said here: the files' tags name
    the side all the same, as the settings the command ran with): a mono file, or, from the separation's record
    ``heard`` (``pitch_comb_s``, ``transferred_s``: :class:`core.signal.separation.RecordedSolo`), two channels
    separated as mono, all of them or some seconds."""
    from jazzremix_gui.core.audio import audio_io
    from jazzremix_gui.core.signal.near_mono import mono_throughout

    meta = audio_io.probe(path)
    out = meta.warnings()
    side = getattr(args, "solo_side", None)
    mono_s = heard.pitch_comb_s if heard is not None else 0.0
    if side is not None and (meta.channels == 1 or mono_s > 0):
        given = side if side == SOLO_SIDE_AUTO else f"{side:g}"
        there = ""
        if meta.channels == 1:
            what = "a mono recording has no sides"
        elif not mono_throughout(mono_s, meta.frames / meta.rate):  # mono stretches in a stereo recording
            what, there = f"{mono_s:.0f} s of it are mono material, with no sides", " there"
        elif heard.transferred_s > 0:
            what = "a mono record transferred in stereo has no sides"
        else:
            what = "a mono recording in two identical channels has no sides"
        line = f"{path}: {what}: --solo-side {given} changed nothing{there}"
        logging.getLogger("jazzremix_gui.cli").warning("warning: %s", one_line(line))
        out.append(line)
    return out


def note_swept(folders) -> None:
    """Remove what interrupted jobs left in ``folders`` (:func:`core.files.atomic.sweep`) and say so."""
    removed = [r for folder in dict.fromkeys(map(str, folders)) for r in atomic.sweep(folder)]
    if removed:
        size = sum(n for _, n in removed)
        shown = ", ".join(f"{p} ({human_bytes(n)})" for p, n in removed[:3]) + (", ..." if len(removed) > 3 else "")
        note(f"removed {len(removed)} temporary file{'s' * (len(removed) != 1)} ({human_bytes(size)}) left by "
             f"an interrupted job: {shown}")
