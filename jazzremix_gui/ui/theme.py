"""Dark theme shared by Qt widgets (Fusion palette + ``resources/style.qss``) and pyqtgraph plots."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from jazzremix_gui.core.files import paths

BACKGROUND = "#1e1f22"
PLOT_BACKGROUND = "#18191b"
FOREGROUND = "#d0d0d0"
ACCENT = "#5b9bf0"
SOLO_COLOUR = "#f0a35b"
ACC_COLOUR = "#6fcf97"
SUGGESTED_COLOUR = "#ffffff"
CURRENT_COLOUR = "#33e0ff"
#: Links in the heat map's legend (readable on the dark theme).
LINK_COLOUR = "#7fb8ff"
#: Colour map of the spectrograms and the codebook heat map.
COLORMAP = "inferno"


def configure_pyqtgraph() -> None:
    """Global pyqtgraph options (row-major images, dark colours, antialiasing)."""
    pg.setConfigOptions(imageAxisOrder="row-major", background=PLOT_BACKGROUND, foreground=FOREGROUND,
                        antialias=True)


def dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1e1f22", QPalette.ColorRole.WindowText: "#dcdcdc",
        QPalette.ColorRole.Base: "#232428", QPalette.ColorRole.AlternateBase: "#2a2b2f",
        QPalette.ColorRole.ToolTipBase: "#2e3035", QPalette.ColorRole.ToolTipText: "#e8e8e8",
        QPalette.ColorRole.Text: "#dcdcdc", QPalette.ColorRole.Button: "#2e3035",
        QPalette.ColorRole.ButtonText: "#dcdcdc", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d5a80", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: ACCENT, QPalette.ColorRole.PlaceholderText: "#7d7f85",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6d72"))
    return p


def apply(app: QApplication) -> None:
    """Fusion style, dark palette and the style sheet (when the resource exists)."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    qss = paths.resources_dir() / "style.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text())
    configure_pyqtgraph()
