"""The track list panel: open tracks with their status, progress of the selected one, and track commands.

Remove (Delete key or context menu), Retry (a failed or cancelled track) and Reveal in the file
manager act on the selected track; selecting one shows it in the window.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Qt, Signal
from PySide6.QtGui import QAction, QDesktopServices, QIcon, QKeySequence
from PySide6.QtWidgets import (QInputDialog, QLabel, QListWidget, QListWidgetItem, QProgressBar, QPushButton, QStyle,
                               QVBoxLayout, QWidget)

from jazzremix_gui.core.constants import SOLO_SIDE_AUTO
from jazzremix_gui.services import adaptation
from jazzremix_gui.ui import tracks
from jazzremix_gui.core.signal.near_mono import mono_throughout
from jazzremix_gui.core.signal.panlaw import pan_text

#: The Solo side action's tip, and its tip where the track was separated as mono throughout.
SIDE_TIP = ("Separate again with the solo where you hear it (a pan), for a recording whose solo was found on another "
            "part's side")
SIDE_TIP_MONO = ("A mono recording (or a mono record transferred in stereo) has no sides: the solo's side changes "
                 "nothing")


class TrackPanel(QWidget):
    """List of :class:`TrackManager` tracks.

    Signals
    -------
    selected(object): the selected track changed (a Track, or None when the list is empty).
    """

    selected = Signal(object)

    def __init__(self, manager: tracks.TrackManager, parent=None):
        super().__init__(parent)
        self.manager = manager
        self.setMinimumWidth(160)
        col = QVBoxLayout(self)
        title = QLabel("Tracks")
        col.addWidget(title)
        self.list = QListWidget()
        self.list.setToolTip("Open tracks: drop audio files here or use File > Open. Right-click for more.")
        self.list.setAccessibleName("Tracks")
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(True)  # a status with a warning wraps rather than hiding it
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        title.setBuddy(self.list)
        col.addWidget(self.list, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Progress of the selected track")
        self.progress_label = QLabel("")
        self.progress_label.setWordWrap(True)
        self.warning_label = QLabel("")  # the selected track's damage / downmix warnings, in full
        self.warning_label.setObjectName("trackWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning_label.setAccessibleName("Warnings about the selected track")
        self.warning_label.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop processing the selected track")
        for w in (self.warning_label, self.progress, self.progress_label, self.cancel_button):
            col.addWidget(w)
        self.act_remove = self._action("Remove from the list", self.remove_current, QKeySequence.StandardKey.Delete)
        self.act_retry = self._action("Retry", self.retry_current)
        self.act_solo_side = self._action("Solo side...", self.solo_side_current)
        self.act_solo_side.setToolTip(SIDE_TIP)
        self.act_adapt = self._action("Adapt the separator to this recording", self.adapt_current)
        self.act_adapt.setCheckable(True)
        self.cannot_adapt = adaptation.missing()  # no PyTorch: the action says why it is off
        self.act_adapt.setToolTip(self.cannot_adapt[0].upper() + self.cannot_adapt[1:] if self.cannot_adapt else
                                  "Separate again with the separator fine-tuned on this recording's own stems first "
                                  "(about 30 s more on two cores; +0.2 dB of solo on average on instruments it "
                                  "never heard, though about half the recordings lose a little: listen). "
                                  "Untick to go back to the separator as shipped")
        self.act_reveal = self._action("Show in the file manager", self.reveal_current)
        self.list.currentRowChanged.connect(self._row_changed)
        manager.added.connect(self._added)
        manager.changed.connect(self._changed)
        manager.removed.connect(self._removed)
        self.update_actions()

    def _action(self, text: str, slot, key=None) -> QAction:
        a = QAction(text, self.list)
        if key is not None:
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # Delete elsewhere stays the widget's own
        a.triggered.connect(lambda *_: slot())
        self.list.addAction(a)
        return a

    # ---- the list ------------------------------------------------------------------------------
    def current(self):
        row = self.list.currentRow()
        return self.manager.tracks[row] if 0 <= row < len(self.manager.tracks) else None

    def select(self, track) -> None:
        if track in self.manager.tracks:
            self.list.setCurrentRow(self.manager.tracks.index(track))

    def _added(self, track) -> None:
        item = QListWidgetItem(track.name)
        item.setToolTip(str(track.path))
        self.list.addItem(item)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(self.list.count() - 1)

    def _changed(self, track) -> None:
        if track in self.manager.tracks:
            item = self.list.item(self.manager.tracks.index(track))
            item.setText(f"{track.name}\n  {track.status_text()}")
            warned = track.warnings
            item.setToolTip("\n".join([str(track.path), *warned]))
            icon = QStyle.StandardPixmap.SP_MessageBoxWarning
            item.setIcon(self.style().standardIcon(icon) if warned else QIcon())
        if track is self.current():
            self.show_progress(track)
            self.update_actions()

    def _removed(self, track, index: int) -> None:
        self.list.takeItem(index)
        self.update_actions()
        self.selected.emit(self.current())

    def _row_changed(self, row: int) -> None:
        self.update_actions()
        self.selected.emit(self.current())

    def show_progress(self, track) -> None:
        busy = track is not None and track.busy
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress_label.setText(track.status_text() if track is not None else "")
        warned = track.warnings if track is not None else []
        self.warning_label.setText("\n".join(f"⚠ {w[0].upper()}{w[1:]}" for w in warned))
        self.warning_label.setVisible(bool(warned))
        if busy:
            self.progress.setValue(int(track.progress * 1000))

    def update_actions(self) -> None:
        t = self.current()
        self.act_remove.setEnabled(t is not None)
        self.act_retry.setEnabled(t is not None and t.status in (tracks.FAILED, tracks.CANCELLED))
        stereo = t is not None and t.decoded is not None and t.decoded.channels >= 2
        mono = stereo and t.processed is not None and mono_throughout(
            t.processed.stems.pitch_comb_s, len(t.processed.stems) / t.processed.stems.rate)
        self.act_solo_side.setEnabled(stereo and not mono and not t.busy)
        self.act_solo_side.setToolTip(SIDE_TIP_MONO if mono else SIDE_TIP)
        self.act_adapt.setEnabled(t is not None and t.processed is not None and not t.busy and not self.cannot_adapt)
        self.act_adapt.setChecked(t is not None and bool(t.asked_adapt[0] if t.asked_adapt is not None else t.adapted))
        self.act_reveal.setEnabled(t is not None)

    # ---- commands ------------------------------------------------------------------------------
    def remove_current(self) -> None:
        t = self.current()
        if t is not None:
            self.manager.remove(t)

    def retry_current(self) -> None:
        t = self.current()
        if t is not None and t.status in (tracks.FAILED, tracks.CANCELLED):
            self.manager.retry(t)

    def solo_side_current(self) -> None:
        """Ask where the solo sits and separate the track again toward it (or let the separator read it)."""
        t = self.current()
        if t is None or t.busy:
            return
        side = ask_solo_side(self, t)
        if side is not False:
            self.manager.set_solo_side(t, side)

    def adapt_current(self) -> None:
        """Separate the track again with the separator adapted to it (ticked) or as shipped (unticked)."""
        t = self.current()
        if t is not None and not t.busy and t.processed is not None:
            self.manager.set_adapted(t, not t.adapted)
        self.update_actions()

    def reveal_current(self) -> None:
        """Open the track's folder in the desktop's file manager."""
        t = self.current()
        if t is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(t.path.parent)))


#: The Solo side dialog's choice that lets the pitch choose between the sides (where another part holds its place).
BY_PITCH = "Chosen by pitch: each side separated, the one whose solo is more often a single line"


def ask_solo_side(parent, track):
    """The solo's side for ``track`` as the engineer gives it: a pan in degrees, None to let the separator read it,
    :data:`core.constants.SOLO_SIDE_AUTO` to let the pitch choose, or False when cancelled."""
    stems = track.processed.stems if track.processed is not None else None
    found = stems.recorded_pan_deg if stems is not None else 0.0
    current = track.solo_side if track.solo_side is not None else found
    items = ["Where I hear it (a pan below)", "Read by the separator"]
    others = {f"Where another part holds its place: {pan_text(p)}": p for p in (stems.others_deg if stems else ())}
    items += list(others)
    if others:  # each side separated and heard: the one whose solo is more often a single line
        items.append(BY_PITCH)
    choice, ok = QInputDialog.getItem(parent, "Solo side", f"{track.name}: where is the solo?", items,
                                      1 if track.solo_side is None else 0, False)
    if not ok:
        return False
    if choice == items[1]:
        return None
    if choice in others:
        return others[choice]
    if choice == BY_PITCH:
        return SOLO_SIDE_AUTO
    pan, ok = QInputDialog.getDouble(parent, "Solo side", "The solo's pan in degrees (-45 hard left .. +45 hard "
                                     "right):", round(current, 1), -45.0, 45.0, 1)
    return pan if ok else False
