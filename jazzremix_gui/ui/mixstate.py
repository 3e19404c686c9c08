"""The engineer's pan/gain choices for one track, and undoable commands that change them.

A track has one pan/gain for the whole file (the seed's decoding) and, when the mixer
found sections, one pan/gain per section; ``automation`` says which one plays and is
exported. ``silent`` holds the spans where the engineer says the solo rests
(:mod:`core.signal.solo_rests`: the solo silent there, the accompaniment the recording).
Every change goes through a :class:`QUndoCommand` on the track's undo stack.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from jazzremix_gui.core.signal import automation, solo_rests
from jazzremix_gui.core.signal.panlaw import clamp_gain, clamp_pan
from jazzremix_gui.core.signal.mixer import Suggestion
from jazzremix_gui.services import remix_writer

#: Target index meaning "the whole track" (not a section).
WHOLE = -1


class MixState(QObject):
    """Pan (degrees, -45..45) and gain (linear, 0..2) for the whole track and for each section.

    Each change says what changed, so a view redraws only that (a pan drag moves the marks,
    not the heat map's image).

    Signals
    -------
    pan_gain_changed(int, float, float)
        One target's pan and gain: target (:data:`WHOLE` or a section index), pan (deg), gain.
    target_changed(int)
        What the controls edit changed (the automation flag or the selected section): the new
        :attr:`target`, whose posterior and values the views show.
    values_reset()
        Every value and the automation flag at once (reset all, a session applied).
    silent_changed()
        The spans where the solo is silent (:attr:`silent`, seconds).
    changed()
        After any of the above (autosave listens to this one).
    """

    pan_gain_changed = Signal(int, float, float)
    target_changed = Signal(int)
    values_reset = Signal()
    silent_changed = Signal()
    changed = Signal()

    def __init__(self, suggestion: Suggestion, parent: QObject | None = None):
        super().__init__(parent)
        self.suggestion = suggestion
        self.suggested = [(float(suggestion.pan_deg), float(suggestion.gain))]
        self.bounds = []
        for s in suggestion.sections:
            self.bounds.append((float(s.start), float(s.end), bool(s.active)))
            self.suggested.append((float(s.pan_deg), float(s.gain)))
        self.values = [list(v) for v in self.suggested]  # [whole, section 0, section 1, ...]
        self.automation = False
        self.selected = WHOLE
        self.silent: tuple = ()  # ((start_s, end_s), ...): where the solo rests, sorted and apart

    # ---- reading ------------------------------------------------------------------------
    @property
    def has_sections(self) -> bool:
        return len(self.bounds) > 1

    @property
    def target(self) -> int:
        """What the controls edit: :data:`WHOLE` or a section index."""
        return self.selected if self.automation and self.selected >= 0 else WHOLE

    def value(self, target: int = None) -> tuple[float, float]:
        t = self.target if target is None else target
        pan, gain = self.values[t + 1]
        return pan, gain

    def suggested_value(self, target: int = None) -> tuple[float, float]:
        t = self.target if target is None else target
        return self.suggested[t + 1]

    def posterior(self, target: int = None) -> np.ndarray:
        """The (19, 21) posterior behind the target's suggestion."""
        t = self.target if target is None else target
        return self.suggestion.posterior if t == WHOLE else self.suggestion.sections[t].posterior

    def section_at(self, t_s: float) -> int:
        for i, (a, b, _) in enumerate(self.bounds):
            if a <= t_s < b:
                return i
        return len(self.bounds) - 1 if self.bounds and t_s >= self.bounds[-1][1] else WHOLE

    def rows(self) -> list[tuple[float, float, float, float]]:
        """Automation rows ``(start_s, end_s, pan_deg, gain)``; the last section runs to the end."""
        rows = []
        for i, (a, b, _) in enumerate(self.bounds):
            end = 1e9 if i == len(self.bounds) - 1 else b
            rows.append((a, end, *self.values[i + 1]))
        return rows

    def mix(self, n: int, rate: int) -> remix_writer.Mix:
        """What is played and exported, read a window at a time (the automation as :class:`automation.Curves`:
        nothing whole-length)."""
        if not (self.automation and self.bounds):
            return remix_writer.Mix((self.values[0][0], self.values[0][1]), solo_silent=self.silent)
        return remix_writer.Mix(automation.Curves([a for a, _, _ in self.bounds], self.values[1:], n, rate),
                                solo_silent=self.silent)

    def automation_curves(self, n: int, rate: int):
        """Pan and gain for :func:`services.remix_writer.render_remix`: floats, or per-sample arrays [shape=(n,)]."""
        return self.mix(n, rate).window(0, n)

    # ---- writing (called by the undo commands) ---------------------------------------------
    def set_value(self, target: int, pan: float, gain: float) -> None:
        self.values[target + 1] = [float(clamp_pan(pan)), float(clamp_gain(gain))]
        self.pan_gain_changed.emit(target, *self.values[target + 1])
        self.changed.emit()

    def set_automation(self, on: bool) -> None:
        self.automation = bool(on) and bool(self.bounds)
        if self.automation and self.selected < 0:
            self.selected = 0
        self.target_changed.emit(self.target)
        self.changed.emit()

    def select(self, index: int) -> None:
        self.selected = index
        self.target_changed.emit(self.target)
        self.changed.emit()

    def replace_all(self, values, automation: bool) -> None:
        """Set every value (``[whole, section 0, ...]``, each ``(pan, gain)``) and the automation flag at once."""
        self.values = [list(v) for v in values]
        self.automation = bool(automation) and bool(self.bounds)
        if self.automation and self.selected < 0:  # the controls edit a section, as export and playback use
            self.selected = 0
        self.values_reset.emit()
        self.changed.emit()

    def set_silent(self, spans) -> None:
        """Where the solo rests: ``spans`` ``((start_s, end_s), ...)``, sorted and merged here."""
        self.silent = solo_rests.merge(spans) if spans else ()
        self.silent_changed.emit()
        self.changed.emit()

    # ---- sessions ----------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"pan_deg": self.values[0][0], "gain": self.values[0][1], "automation": self.automation,
                "sections": [{"start": a, "end": b, "active": act, "pan_deg": v[0], "gain": v[1],
                              "suggested_pan_deg": s[0], "suggested_gain": s[1]}
                             for (a, b, act), v, s in zip(self.bounds, self.values[1:], self.suggested[1:])],
                "solo_silent": [[a, b] for a, b in self.silent]}

    def apply_json(self, data: dict) -> None:
        """Restore saved values (sections matched by position; extra or missing ones are ignored)."""
        values = [list(v) for v in self.values]
        values[0] = [float(data.get("pan_deg", values[0][0])), float(data.get("gain", values[0][1]))]
        for i, s in enumerate(data.get("sections", [])[: len(self.bounds)]):
            values[i + 1] = [float(s["pan_deg"]), float(s["gain"])]
        self.replace_all(values, bool(data.get("automation", False)))
        self.set_silent([(float(a), float(b)) for a, b in data.get("solo_silent", [])])


class SetPanGain(QUndoCommand):
    """Set pan and gain of one target; consecutive drags on the same target merge into one step."""

    ID = 1001
    MERGE_WINDOW_S = 1.0

    def __init__(self, state: MixState, target: int, pan: float, gain: float, text: str = "Set pan/gain",
                 mergeable: bool = False):
        super().__init__(text)
        self.state, self.target = state, target
        self.old = state.value(target)
        self.new = (float(clamp_pan(pan)), float(clamp_gain(gain)))
        self.mergeable = mergeable
        self.stamp = time.monotonic()

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other) -> bool:
        if not (self.mergeable and isinstance(other, SetPanGain) and other.mergeable and other.target == self.target
                and other.stamp - self.stamp < self.MERGE_WINDOW_S):
            return False
        self.new, self.stamp = other.new, other.stamp
        return True

    def redo(self) -> None:
        self.state.set_value(self.target, *self.new)

    def undo(self) -> None:
        self.state.set_value(self.target, *self.old)


class SetAutomation(QUndoCommand):
    """Switch per-section automation on or off."""

    def __init__(self, state: MixState, on: bool):
        super().__init__("Per-section automation " + ("on" if on else "off"))
        self.state, self.on = state, on

    def redo(self) -> None:
        self.state.set_automation(self.on)

    def undo(self) -> None:
        self.state.set_automation(not self.on)


class ResetAll(QUndoCommand):
    """Every value (whole track and each section) back to the mixer's suggestion, automation as suggested (off)."""

    def __init__(self, state: MixState):
        super().__init__("Reset all to the suggestion")
        self.state = state
        self.old = ([list(v) for v in state.values], state.automation)

    def redo(self) -> None:
        self.state.replace_all(self.state.suggested, False)

    def undo(self) -> None:
        self.state.replace_all(*self.old)


class SetSoloSilent(QUndoCommand):
    """The solo silent in ``start``..``end`` (seconds), or with ``silent`` False playing there again."""

    def __init__(self, state: MixState, start: float, end: float, silent: bool = True):
        change = solo_rests.added if silent else solo_rests.removed
        super().__init__(f"Solo {'silent' if silent else 'plays again'} {solo_rests.format_spans([(start, end)])}")
        self.state, self.old = state, state.silent
        self.new = change(state.silent, start, end)

    def redo(self) -> None:
        self.state.set_silent(self.new)

    def undo(self) -> None:
        self.state.set_silent(self.old)
