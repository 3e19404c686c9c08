"""``jazzremix gui [FILE ...]``, plain ``jazzremix`` or ``jazzremix FILE ...``: open the desktop app."""

from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path

from jazzremix_gui.core.errors import JazzRemixError

#: Qt platforms that need no display server.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "vkkhrdisplay", "eglfs", "linuxfb")
#: System libraries Qt's X11 plug-in loads (PySide6's wheels do not carry them), with their Debian packages.
#: A missing one makes Qt abort (exit 134) with a message that blames the installation.
X11_LIBRARIES = {"xcb-cursor": "libxcb-cursor0", "xkbcommon-x11": "libxkbcommon-x11-0", "xcb-icccm": "libxcb-icccm4",
                 "xcb-keysyms": "libxcb-keysyms1", "xcb-image": "libxcb-image0", "xcb-render-util": "libxcb-render-util0",
                 "xcb-shape": "libxcb-shape0", "xcb-randr": "libxcb-randr0", "xcb-xkb": "libxcb-xkb1"}
_find_library = ctypes.util.find_library


def register(sub) -> None:
    p = sub.add_parser("gui", help="open the desktop app (default when no command is given; "
                                   "'jazzremix FILE...' does the same)")
    p.add_argument("files", nargs="*", metavar="FILE", help="recordings or .jrs sessions to open")
    p.set_defaults(func=run)


#: Seconds to wait for an X server over TCP to accept a connection.
X11_CONNECT_S = 1.0


def _x11_socket_missing(display: str) -> bool:
    """True when ``display`` names a local X server (``:N``) whose socket is absent, or a server over TCP
    (``host:N``, an ssh forwarding's ``localhost:10.0``) that does not answer on port 6000 + N."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit() or host.startswith("/"):
        return False  # unusual display (a launchd path): let Qt try
    if host in ("", "unix"):
        return not Path(f"/tmp/.X11-unix/X{number}").exists()
    import socket

    try:
        socket.create_connection((host, 6000 + int(number)), timeout=X11_CONNECT_S).close()
    except OSError:  # refused, unreachable, no such host (a forwarding whose ssh session is gone)
        return True
    return False


def _wayland_socket_missing(env) -> bool:
    """True when ``WAYLAND_DISPLAY`` names a socket that is absent (no compositor runs)."""
    name = env.get("WAYLAND_DISPLAY", "")
    folder = env.get("XDG_RUNTIME_DIR", "")
    path = Path(name) if name.startswith("/") else Path(folder) / name if folder else None
    return path is not None and not path.exists()


def display_problem(environ=None, platform: str | None = None) -> str | None:
    """Why the app cannot open a window here, in one line, or None.

    Only Linux and the BSDs need a display server (macOS and Windows always have a
    desktop); Qt would abort with exit 134 where this returns a reason.
    """
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if qpa in HEADLESS_PLATFORMS:
        return None
    wayland, x11 = env.get("WAYLAND_DISPLAY"), env.get("DISPLAY")
    if qpa == "wayland" and not wayland:
        return "QT_QPA_PLATFORM=wayland but WAYLAND_DISPLAY is not set"
    if wayland and qpa != "xcb" and not _wayland_socket_missing(env):
        return None
    if wayland and qpa == "wayland":
        return f"no Wayland compositor runs (no socket for WAYLAND_DISPLAY={wayland})"
    if x11 and not _x11_socket_missing(x11):
        missing = [] if getattr(sys, "frozen", False) else \
            [pkg for lib, pkg in X11_LIBRARIES.items() if _find_library(lib) is None]  # the bundle carries them
        if missing:
            return f"Qt's X11 plug-in needs system libraries that are missing (Debian/Ubuntu: sudo apt install {' '.join(missing)})"
        return None
    if x11 and x11.rpartition(":")[0] not in ("", "unix"):
        return f"the X display {x11} does not answer (nothing on port {6000 + int(x11.split(':')[-1].split('.')[0])})"
    if x11:
        return f"the X display {x11} is not running (no socket /tmp/.X11-unix/X{x11.split(':')[-1].split('.')[0]})"
    if wayland:
        return f"no Wayland compositor runs (no socket for WAYLAND_DISPLAY={wayland}) and DISPLAY is not set"
    return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def run(args) -> int:
    reason = display_problem()
    if reason:
        raise JazzRemixError(f"cannot open the app: {reason}. Run it in a desktop session; the commands "
                             "(jazzremix separate, suggest, remix...) work without one")
    from jazzremix_gui.ui.app import run_app

    return run_app(list(getattr(args, "files", []) or []), device_override=getattr(args, "device", None))
