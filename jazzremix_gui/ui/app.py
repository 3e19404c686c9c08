"""Application entry point: ``run_app(files) -> int`` (used by ``jazzremix gui`` and ``jazzremix FILE...``)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from jazzremix_gui import __version__
from jazzremix_gui.core import device
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.process_end import leave
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.ui import theme

log = logging.getLogger(__name__)

#: The desktop entry's name without ``.desktop`` (packaging/), also the AppStream id.
DESKTOP_ID = "io.github.jazzremix.JazzRemix"


def app_icon() -> QIcon:
    """The application icon: the SVG, plus the rendered PNG sizes for platforms without an SVG plug-in."""
    icon = QIcon()
    icons = paths.resources_dir() / "icons"
    for png in sorted(icons.glob("jazzremix-*.png")):
        icon.addFile(str(png))
    svg = icons / "jazzremix.svg"
    if svg.exists():
        icon.addFile(str(svg))
    return icon


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with high-DPI rounding off, the dark theme and the icon."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("Jazz Remix")
        app.setOrganizationName("JazzRemix")
        app.setApplicationVersion(__version__)
    if app.windowIcon().isNull():  # also when a test harness made the QApplication
        app.setDesktopFileName(DESKTOP_ID)  # Wayland shows the desktop entry's icon
        app.setWindowIcon(app_icon())
    theme.apply(app)
    return app


def run_app(files: list[str], device_override: str | None = None) -> int:
    """Open the main window on ``files`` (audio files or ``.jrs`` sessions) and run the event loop.

    Parameters
    ----------
    files : list of str
    device_override : {'auto', 'cpu', 'cuda'}, optional
        ``--device`` from the command line; else the Preferences' choice.

    Returns
    -------
    int
        The exit status (0 on a normal quit). In practice the function does not return: the process
        ends in :func:`leave` once the window has shut down.
    """
    app = make_app()
    from jazzremix_gui.ui import actions, excepthook
    from jazzremix_gui.ui.main_window import MainWindow

    excepthook.install()
    excepthook.watch_signals(app)  # SIGTERM, SIGHUP, Ctrl+C: noted, and acted on by a timer of the event loop
    window = MainWindow()
    try:
        device.set_device(device_override or window.settings["device"])
    except JazzRemixError as exc:  # a hand-edited settings file
        log.warning("%s; using auto", exc)
    log.info("app started (%s)", device.describe())
    window.show()
    audio = [f for f in files if not f.endswith(".jrs")]
    for f in files:
        if f.endswith(".jrs"):
            actions.open_session(window, f)
    if audio:
        window.open_files([str(Path(f)) for f in audio])
    # a signal while a box was up at start (a session that cannot be read) closed that box's loop only
    status = excepthook.exit_asked[0] if excepthook.exit_asked else int(app.exec())
    clean = window.shutdown()  # after Ctrl+Q it ran already; after a signal it runs here (no question asked)
    log.info("app quit (status %d%s)", status, "" if clean else ", a worker still running")
    leave(status)  # Python's teardown would take seconds after a long file, and crashed on a signal at the wrong moment
