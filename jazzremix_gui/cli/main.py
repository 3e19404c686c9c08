"""Entry point of the ``jazzremix`` console script (DESIGN.md §3)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from jazzremix_gui import __version__
from jazzremix_gui.cli.common import error, run_guarded

#: Sub-command modules, in the order ``--help`` lists them. Each imports heavy or
#: optional dependencies (Qt, torch) only when it runs.
COMMANDS = ("gui", "separate", "suggest", "remix", "evaluate", "synth", "train_separator", "train_mixer")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jazzremix", description="Separate jazz recordings into solo and "
                                     "accompaniment, and remix them.")
    parser.add_argument("--version", action="version", version=f"jazzremix {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if importlib.util.find_spec(f"jazzremix_gui.cli.{name}_cmd") is None:
            continue  # command not part of this build
        importlib.import_module(f"jazzremix_gui.cli.{name}_cmd").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        return run_guarded(args.func, args)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line, never a traceback in the user's face
        error(f"unexpected {type(exc).__name__}: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
