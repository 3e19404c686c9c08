"""Nothing lost: autosave of every track's edits, the restored-edits notice, and the question on quit.

Each change of a ready track's :class:`MixState` starts a short timer; when it fires, the
edits of every changed track are written with :mod:`services.edits` (so a crash loses at most
:data:`AUTOSAVE_MS`). Quitting with edits not saved to a session file asks Save / Discard /
Cancel; Discard takes each track back to its state when it was opened or last saved.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from jazzremix_gui.services import edits
from jazzremix_gui.ui import actions

log = logging.getLogger(__name__)

#: Milliseconds between a change and its autosave.
AUTOSAVE_MS = 1000
#: How the notice line begins when edits cannot be autosaved.
AUTOSAVE_FAILED = "Cannot autosave the edits"


class EditKeeper(QObject):
    """Autosaves the tracks of ``window.manager``; :meth:`confirm_quit` asks about unsaved edits."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.changed: set = set()
        self.failing: set = set()  # tracks whose last autosave failed (said on the notice line)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_MS)
        self.timer.timeout.connect(self.flush)

    def watch(self, track) -> None:
        """Autosave ``track`` (ready) from now on."""
        track.state.changed.connect(lambda t=track: self._touched(t))

    def _touched(self, track) -> None:
        self.changed.add(track)
        self.timer.start()

    def flush(self) -> None:
        """Write the edits of every changed track now; the notice line says when they cannot be (and clears once they
        can again)."""
        self.timer.stop()
        for track in list(self.changed):
            if track.state is None or track.decoded is None:
                continue
            if edits.save(track) is None:
                log.warning("cannot autosave the edits of %s", track.path)
                self.failing.add(track)
            else:
                self.failing.discard(track)
        self.changed.clear()
        self.failing &= set(self.window.manager.tracks)  # closed since: nothing left to say about them
        said = self.window.message.text().startswith(AUTOSAVE_FAILED)
        if self.failing:
            folder = edits.edits_path(next(iter(self.failing)).decoded.sha256).parent
            names = ", ".join(sorted(t.name for t in self.failing))
            self.window.set_message(f"{AUTOSAVE_FAILED} of {names}: {folder} cannot be written. File > Save Session "
                                    "keeps them.")
        elif said:
            self.window.set_message("")

    def confirm_quit(self) -> bool:
        """Ask about unsaved edits (Save / Discard / Cancel); returns whether quitting may go on."""
        unsaved = [t for t in self.window.manager.tracks if t.unsaved]
        if not unsaved:
            return True
        names = "\n".join(t.name for t in unsaved)
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved edits",
                          f"These tracks have edits that are not saved in a session file:\n{names}",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setInformativeText("Save keeps them in session files; Discard takes each track back to how it was "
                               "opened or last saved.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = self.ask(box)
        if answer == QMessageBox.StandardButton.Save:
            return all(actions.save_session(self.window, track=t, ask=False) for t in unsaved)
        if answer == QMessageBox.StandardButton.Discard:
            for t in unsaved:
                t.state.apply_json(t.clean_mix)
            self.flush()
            return True
        return False

    def ask(self, box: QMessageBox):
        """Show ``box`` and return the button pressed (tests replace this)."""
        return box.exec()
