"""Entry point of the ``jazzremix`` console script (DESIGN.md §3)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
from pathlib import Path

from jazzremix_gui import __version__
from jazzremix_gui.cli import process_tuning, streams
from jazzremix_gui.cli.common import EXIT_FAILED, error, run_guarded
from jazzremix_gui.core.files import interrupts
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.core.process_end import leave

log = logging.getLogger(__name__)

#: Sub-command modules, in the order ``--help`` lists them. Each imports heavy or
#: optional dependencies (Qt, torch) only when it runs.
COMMANDS = ("gui", "separate", "suggest", "remix", "render", "batch", "evaluate", "synth", "train_separator",
            "train_mixer")


def add_common_options(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    """``-v``, ``-q``, ``--debug`` and ``--device``, accepted before or after the command name.

    ``suppress`` (for the sub-commands) leaves a value given before the command untouched
    when the option is not repeated after it.
    """
    def default(value):
        return argparse.SUPPRESS if suppress else value

    g = parser.add_argument_group("output and device")
    taken = parser._option_string_actions  # a command's own option of the same name wins (synth --quiet)

    def add(*flags, **kw):
        if not any(f in taken for f in flags):
            g.add_argument(*flags, **kw)

    add("-v", "--verbose", action="count", default=default(0),
        help="say more on the terminal (models, execution provider; -vv: debug)")
    add("-q", "--quiet", action="store_true", default=default(False), help="errors only")
    add("--debug", action="store_true", default=default(False), help="everything, on the terminal and in the log file")
    add("--device", choices=("auto", "cpu", "cuda"), default=default(None),
        help="where the models run (default: auto = CUDA when it works, else the CPU; in the app: Preferences)")


def looks_like_a_file(token: str) -> bool:
    """Whether a token argparse took for an unknown option reads as a file name (``-x.wav``), not a number."""
    if not token.startswith("-") or token.startswith("--") or len(token) < 3:
        return False
    try:
        float(token)
        return False
    except ValueError:
        return "." in token or "/" in token or os.path.exists(token)


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error that names a file name taken for an option (``jazzremix separate -x.wav``)."""

    #: The command line being parsed (set by :func:`main`).
    argv: list[str] = []

    def error(self, message: str):
        known = {flag for flag in self._option_string_actions}
        odd = [t for t in Parser.argv if t not in known and looks_like_a_file(t.split("=", 1)[0])]
        if odd:
            message = (f"{odd[0]}: this file name looks like an option; write ./{odd[0]} or put -- before it "
                       f"({message})")
        elif "expected one argument" in message or "unrecognized arguments" in message:
            # --gain-db -inf, --pan-aware -5,-1,9: a value that starts with - reads as an option
            flags = known | {f for a in self._actions if isinstance(a, argparse._SubParsersAction)
                             for sub in a.choices.values() for f in sub._option_string_actions}
            argv = Parser.argv
            given = [(a, b) for a, b in zip(argv, argv[1:]) if a in flags and b.startswith("-") and b not in flags]
            if given:
                message += f" (a value that starts with '-' goes after '=': {given[0][0]}={given[0][1]})"
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="jazzremix", description="Separate jazz recordings into solo and accompaniment, and remix them. "
        "'jazzremix FILE...' opens the app on the files.")
    parser.add_argument("--version", action="version", version=f"jazzremix {__version__}")
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if importlib.util.find_spec(f"jazzremix_gui.cli.{name}_cmd") is None:
            continue  # command not part of this build
        importlib.import_module(f"jazzremix_gui.cli.{name}_cmd").register(sub)
    for p in sub.choices.values():
        add_common_options(p, suppress=True)
    return parser


def _looks_like_file(token: str) -> bool:
    return Path(token).exists() or "." in Path(token).name or "/" in token or "\\" in token


#: Arguments that name files or folders (their ``dest``): an empty one would mean the current folder.
PATH_ARGUMENTS = ("inputs", "sources", "files", "session", "dataset", "out", "model", "mixer", "against", "train",
                  "val")


def refuse_empty_paths(args, command_parser: argparse.ArgumentParser | None) -> None:
    """A usage error (status 2) for an empty file or folder name: ``-o ''`` wrote into the current folder and an
    empty input read it whole, where the user most likely meant a variable that was not set."""
    for dest in PATH_ARGUMENTS:
        value = getattr(args, dest, None)
        if any(isinstance(v, str) and not v.strip() for v in (value if isinstance(value, list) else [value])):
            action = next((a for a in command_parser._actions if a.dest == dest), None) if command_parser else None
            name = "/".join(action.option_strings) if action is not None and action.option_strings else dest
            (command_parser or Parser()).error(f"argument {name}: an empty name is not a file or folder "
                                               "(write . for the current folder)")


def files_mean_gui(argv: list[str], commands) -> list[str]:
    """``jazzremix [OPTIONS] FILE...`` (how a file manager calls the app) -> ``jazzremix [OPTIONS] gui FILE...``.

    The first argument that is not an option (nor ``--device``'s value) decides: a command
    name is left alone, a file path gets ``gui`` put before it; anything else is left for
    argparse to reject as an unknown command.
    """
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return argv[:i] + ["gui", "--"] + argv[i + 1:] if i + 1 < len(argv) else argv
        if token.startswith("-") and token != "-":
            i += 2 if token == "--device" else 1
            continue
        if token not in commands and _looks_like_file(token):
            return argv[:i] + ["gui"] + argv[i:]
        return argv
    return argv


def asks_version(argv: list[str]) -> bool:
    """``--version`` among the options before the command (as argparse reads it: it prints and exits there).

    Answered before the parser is built, so that ``jazzremix --version`` imports nothing of
    numpy, soundfile, scipy, ONNX Runtime or Qt (the sub-commands' options need soundfile).
    """
    i = 0
    while i < len(argv) and argv[i] != "--" and argv[i].startswith("-") and argv[i] != "-":
        if argv[i] == "--version":
            return True
        i += 2 if argv[i] == "--device" else 1
    return False


def _setup(args) -> None:
    """Logging, moving files from the old folders, and the device, before any command runs."""
    from jazzremix_gui.core import device, logs
    from jazzremix_gui.core.files import paths

    logs.configure(args.verbose, args.quiet, args.debug)
    paths.migrate_old_locations()
    log.debug("jazzremix %s, Python %s, %s", __version__, sys.version.split()[0], sys.executable)
    if args.device:
        device.set_device(args.device)


def main(argv: list[str] | None = None) -> int:
    """Run the ``jazzremix`` command line; returns its exit status.

    Closed or broken stdout and stderr never stop a command (:mod:`cli.streams`): its files
    are written, and when its own output on stdout was lost the status is 1 (said on stderr).
    """
    if argv is None:
        streams.fill_closed_descriptors()
        process_tuning.one_blas_thread()  # before the commands' modules import numpy
    with streams.guarded() as (out, _):
        status = _main(sys.argv[1:] if argv is None else argv, own_process=argv is None)
        lost = streams.lost_output(out)
        if lost:
            error(lost)
            status = status or EXIT_FAILED
    return status


def run() -> None:
    """The ``jazzremix`` console script and ``python -m jazzremix_gui``: :func:`main`, then the process ends without
    Python's teardown (:func:`core.process_end.leave`: 60-100 ms after a ``separate`` of 3 minutes, docs/SPEED.md).
    ``leave`` is imported with this module, inside the entry's guard (:mod:`cli.entry`): a signal landing while it
    was imported here was a traceback (seen once, SIGTERM 0.1-0.7 s into a run)."""
    try:
        status = main()
    except KeyboardInterrupt as exc:  # a signal landing between the command's own handling and here: one line
        error(interrupts.describe(exc))
        status = interrupts.exit_status(exc)
    try:
        leave(status, finish_threads=True)
    except KeyboardInterrupt as exc:  # one landing as leave() set its own handlers: end now, no traceback
        leave(interrupts.exit_status(exc))


def _main(argv: list[str], own_process: bool = False) -> int:
    if asks_version(argv):
        print(f"jazzremix {__version__}")
        return 0
    # until the log is set up (_setup), error() lines go nowhere but the terminal: not Python's last-resort handler
    logging.getLogger("jazzremix_gui").addHandler(logging.NullHandler())
    previous: dict = {}
    try:
        # before the parser imports numpy and soundfile: Ctrl+C is one line from here (inside the try: the console
        # script's entry installed the same handlers already, and a signal can land while they are installed again)
        previous = interrupts.install()
        # the commands' modules import native extensions (soxr's nanobind module ran Python code in its init: a
        # SIGTERM raised there was a C++ abort, "terminate called after throwing ..."): held until they are in
        with interrupts.deferred():
            parser = build_parser()
        Parser.argv = list(argv)
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
        args = parser.parse_args(files_mean_gui(list(argv), commands))
        if args.command is None:
            args = parser.parse_args([*argv, "gui"])
        refuse_empty_paths(args, commands.get(args.command))
        if own_process and args.command != "gui":  # the app keeps glibc's defaults (it runs for hours)
            process_tuning.keep_freed_memory()
        _setup(args)
        return run_guarded(args.func, args)
    except BrokenPipeError as exc:  # a pipe written directly, outside sys.stdout and sys.stderr
        error(describe_os_error(exc, "cannot write"))
        return EXIT_FAILED
    except KeyboardInterrupt as exc:  # before the command started
        error(interrupts.describe(exc))
        return interrupts.exit_status(exc)
    except Exception as exc:  # last resort: one line, never a traceback in the user's face
        log.error("unexpected error", exc_info=True, extra={"file_only": True})
        from jazzremix_gui.core import logs

        where = f" (details in {logs.log_file()})" if logs.log_file() else ""
        error(f"unexpected {type(exc).__name__}: {exc}{where}")
        return 2
    finally:
        interrupts.restore(previous)


if __name__ == "__main__":
    run()
