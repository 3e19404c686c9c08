"""``jazzremix gui [FILE ...]`` (or plain ``jazzremix``): open the desktop app."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("gui", help="open the desktop app (default when no command is given)")
    p.add_argument("files", nargs="*", metavar="FILE", help="recordings to open")
    p.set_defaults(func=run)


def run(args) -> int:
    from jazzremix_gui.ui.app import run_app

    return run_app(list(getattr(args, "files", []) or []))
