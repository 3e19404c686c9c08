"""Application entry point: ``run_app(files) -> int`` (used by ``jazzremix gui``)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from jazzremix_gui import __version__
from jazzremix_gui.ui import theme


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with high-DPI rounding off and the dark theme applied."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("Jazz Remix")
        app.setOrganizationName("JazzRemix")
        app.setApplicationVersion(__version__)
    theme.apply(app)
    return app


def run_app(files: list[str]) -> int:
    """Open the main window on ``files`` (audio files or ``.jrs`` sessions) and run the event loop.

    Returns
    -------
    int
        The exit status (0 on a normal quit).
    """
    app = make_app()
    from jazzremix_gui.ui import actions
    from jazzremix_gui.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    audio = [f for f in files if not f.endswith(".jrs")]
    for f in files:
        if f.endswith(".jrs"):
            actions.open_session(window, f)
    if audio:
        window.open_files([str(Path(f)) for f in audio])
    return int(app.exec())
