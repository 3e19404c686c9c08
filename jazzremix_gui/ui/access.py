"""Accessible names and tooltips of the window's controls, in one table.

Screen readers read the accessible name; sighted users hover for the tooltip. Each entry is
``(attribute path from the window, accessible name, tooltip or None to keep the widget's own)``.
:func:`describe` applies them; ``tests/test_ui_day.py`` checks that every control has both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

PAN_TIP = ("Where the solo sits: −45° hard left, 0° centre, +45° hard right. Arrow keys: 1° (Shift: 0.1°); "
           "Alt+Left / Alt+Right anywhere")
VIEW_TIP = ("Click to play from there. Ctrl++ / Ctrl+− zoom, Ctrl+0 shows all, Ctrl+Left / Ctrl+Right scroll "
            "(with the view focused: Left / Right scroll, Up / Down zoom)")

ENTRIES = (
    ("mix_controls", "Solo placement", "Pan and gain of the solo for the whole track or the selected section"),
    ("mix_controls.target_label", "What the controls edit", "The whole track, or the section selected in the strip"),
    ("mix_controls.pan_slider", "Pan", PAN_TIP),
    ("mix_controls.pan_spin", "Pan in degrees", PAN_TIP),
    ("mix_controls.pan_text", "Pan in words", PAN_TIP),
    ("mix_controls.gain_slider", "Gain", None),
    ("mix_controls.gain_spin", "Gain, linear", None),
    ("mix_controls.gain_db", "Gain in decibels", None),
    ("mix_controls.reset_button", "Reset to suggestion", None),
    ("mix_controls.automation", "Per-section automation", None),
    ("transport.play", "Play or pause", None),
    ("transport.stop", "Stop", None),
    ("transport.loop", "Loop", None),
    ("transport.original", "Original or remix", None),
    ("transport.match", "Match loudness", None),
    ("transport.mute_solo", "Mute solo", None),
    ("transport.solo_only", "Solo only", None),
    ("transport.mute_acc", "Mute accompaniment", None),
    ("transport.time", "Playback position", "Position / length (minutes:seconds)"),
    ("transport.meter", "Output level", "Peak level of each channel, −60 to 0 dBFS; red above −1 dBFS"),
    ("codebook", "Pan and gain map",
     "The mixer's probability of every pan/gain cell: click or drag to place the solo (□ suggestion, ● current). "
     "Gain is relative to the recording: 1 = as recorded (0 dB), 2 = +6 dB. With the map focused: Up / Down "
     "pan 1°, Right / Left gain 0.5 dB (Shift: 0.1° / 0.1 dB)"),
    ("timeline.wave_widget", "Waveform", VIEW_TIP + "; drag the loop region's edges to set the loop"),
    ("timeline.sec_widget", "Sections", None),
    ("timeline.spec_widgets.mixture", "Mixture spectrogram", VIEW_TIP),
    ("timeline.spec_widgets.solo", "Solo spectrogram", VIEW_TIP),
    ("timeline.spec_widgets.accompaniment", "Accompaniment spectrogram", VIEW_TIP),
    ("track_list", "Tracks", None),
    ("progress", "Progress", "Progress of the selected track's processing or of the export"),
    ("cancel_button", "Cancel", "Stop processing the selected track, or the export under way"),
    ("message", "Notice", None),
    ("error", "Error", "What went wrong, in words (select to copy)"),
    ("restored_label", "Restored edits", "Your pan/gain edits are kept for each recording and restored on opening"),
    ("back_to_suggestion", "Back to the suggestion", None),
    ("provider_label", "Where the models run", None),
)


def _find(window, path: str):
    obj = window
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def describe(window) -> None:
    """Give every listed control of ``window`` its accessible name and tooltip; the transport takes Tab focus."""
    for path, name, tip in ENTRIES:
        w = _find(window, path)
        w.setAccessibleName(name)
        if tip is not None:
            w.setToolTip(tip)
    t = window.transport
    for b in (t.play, t.stop, t.loop, t.original, t.match, t.mute_solo, t.solo_only, t.mute_acc):
        b.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable with Tab; a click leaves the focus on the views
        b.setMinimumWidth(b.sizeHint().width())  # never a cut word: the splitter gives the room or the window grows
    fm = t.original.fontMetrics()
    t.original.setMinimumWidth(t.original.sizeHint().width() + fm.horizontalAdvance("original") -
                               fm.horizontalAdvance("remix"))  # fits "Hearing: original" too
