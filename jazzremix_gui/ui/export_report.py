"""The report after an export: the files written, what each one's clip mode did with its overs, where the solo was
silent, the folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from jazzremix_gui.core.signal import solo_rests


def format_size(n_bytes: int) -> str:
    """``1536`` -> ``1.5 kB``; decimal units as file managers show them."""
    size = float(n_bytes)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def silent_text(spans) -> str:
    """What the report says of the spans where the solo was silent ('' for none)."""
    if not spans:
        return ""
    n = len(spans)
    return (f"The solo is silent in {n} span{'s' if n != 1 else ''} ({solo_rests.silenced_seconds(spans):.1f} s: "
            f"{solo_rests.format_spans(spans)}); there the accompaniment is the recording.")


class ExportReportDialog(QDialog):
    """Non-modal report of one export, with "Show in folder".

    Parameters
    ----------
    reports : list of ClipReport
        One per file written (:func:`services.exporting.export_track`).
    solo_silent : sequence of (float, float)
        Spans (seconds) where the solo was silent in what was written (*Solo silent in the loop region*).
    """

    def __init__(self, reports, parent=None, solo_silent=()):
        super().__init__(parent)
        self.setWindowTitle("Export finished")
        self.reports = list(reports)
        self.folders = list(dict.fromkeys(Path(r.path).parent for r in self.reports))
        col = QVBoxLayout(self)
        n = len(self.reports)
        self.summary = QLabel(f"{n} file{'s' if n != 1 else ''} written to "
                              + ", ".join(str(f) for f in self.folders) + ":")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.summary)
        self.silent = QLabel(silent_text(solo_silent))
        self.silent.setWordWrap(True)
        self.silent.setVisible(bool(solo_silent))
        col.addWidget(self.silent)
        self.files = QListWidget()
        for r in self.reports:
            path = Path(r.path)
            size = format_size(path.stat().st_size) if path.exists() else "missing"
            item = QListWidgetItem(f"{r.describe()} ({size})")
            item.setToolTip(str(path))
            self.files.addItem(item)
        self.files.setWordWrap(True)
        self.files.setAccessibleName("Files written")
        col.addWidget(self.files, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.show_button = QPushButton("Show in folder")
        self.show_button.setToolTip("Open the folder holding the files in the file manager")
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.show_button.clicked.connect(self.show_in_folder)
        col.addWidget(buttons)
        self.resize(560, 260)

    def show_in_folder(self) -> bool:
        """Open each folder the files went to in the desktop's file manager; returns whether all opened."""
        return all([QDesktopServices.openUrl(QUrl.fromLocalFile(str(f))) for f in self.folders])
