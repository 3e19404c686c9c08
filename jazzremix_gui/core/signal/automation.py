"""Per-section pan/gain automation as per-sample curves, the same for the app, its export and the CLI.

Each section holds its pan and gain from its start to the next section's start (the
first from sample 0, the last to the end); a 50 ms linear crossfade is centred on each
boundary so a change never clicks.
"""

from __future__ import annotations

import numpy as np

#: Seconds of linear crossfade between sections.
SECTION_RAMP_S = 0.05


class Curves:
    """Pan and gain per sample for sections starting at ``starts_s``, computed for any window of samples.

    ``Curves(...).window(a, b)`` equals ``curves(...)`` sliced ``[a:b]`` exactly, so a long
    file can be rendered block by block (``jazzremix remix`` streams) with the same numbers as
    the whole-file curves.

    Parameters
    ----------
    starts_s : sequence of float
        Section starts in seconds (the first is taken as 0).
    values : sequence of (pan_deg, gain)
        One per section.
    n : int
        Length in samples.
    rate : int
        Sample rate in Hz.
    """

    def __init__(self, starts_s, values, n: int, rate: int):
        self.n = n
        self.values = [(float(p), float(g)) for p, g in values]
        self.starts = [int(round(a * rate)) for a in starts_s] + [n]
        self.starts[0] = 0
        ramp = max(1, int(SECTION_RAMP_S * rate))
        self.ramps = []  # (first, end, (pan0, gain0), (pan1, gain1)): linear crossfades, later ones on top
        for s in self.starts[1:-1]:
            a, b = max(0, s - ramp // 2), min(n, s + ramp // 2)
            if b - a > 1:
                self.ramps.append((a, b, self._at(a), self._at(b - 1)))

    def _at(self, i: int) -> tuple[float, float]:
        """The value at sample ``i`` given the sections and the ramps laid so far."""
        for a, b, v0, v1 in reversed(self.ramps):
            if a <= i < b:
                return tuple(float(np.linspace(v0[k], v1[k], b - a)[i - a]) for k in (0, 1))
        held = (0.0, 0.0)
        for k, (p, g) in enumerate(self.values):
            if self.starts[k] <= i < self.starts[k + 1]:
                held = (p, g)
        return held

    def window(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Pan and gain for samples ``a`` to ``b``: two ``(b - a,)`` float64 arrays."""
        pan, gain = np.empty(b - a), np.empty(b - a)
        for k, (p, g) in enumerate(self.values):
            lo, hi = max(self.starts[k], a), min(self.starts[k + 1], b)
            if lo < hi:
                pan[lo - a: hi - a] = p
                gain[lo - a: hi - a] = g
        for ra, rb, v0, v1 in self.ramps:
            lo, hi = max(ra, a), min(rb, b)
            if lo < hi:
                pan[lo - a: hi - a] = np.linspace(v0[0], v1[0], rb - ra)[lo - ra: hi - ra]
                gain[lo - a: hi - a] = np.linspace(v0[1], v1[1], rb - ra)[lo - ra: hi - ra]
        return pan, gain


def curves(starts_s, values, n: int, rate: int):
    """Pan and gain per sample for sections starting at ``starts_s`` (:class:`Curves` over the whole length).

    Each section holds its values from its start to the next one's; a linear crossfade of
    :data:`SECTION_RAMP_S` is centred on each boundary.

    Returns
    -------
    pan, gain : np.ndarray [shape=(n,), float64]
    """
    return Curves(starts_s, values, n, rate).window(0, n)


def suggestion_automation(suggestion, n: int, rate: int, whole_track: bool = False):
    """The mixer's suggestion as one pan/gain (floats) or per-section :class:`Curves`.

    ``whole_track`` (or a suggestion with fewer than two sections) gives the whole-track cell.
    """
    if whole_track or len(suggestion.sections) < 2:
        return float(suggestion.pan_deg), float(suggestion.gain)
    return Curves([s.start for s in suggestion.sections], [(s.pan_deg, s.gain) for s in suggestion.sections],
                  n, rate)


def suggestion_curves(suggestion, n: int, rate: int, whole_track: bool = False):
    """The mixer's suggestion as ``remix_writer.render_remix`` takes it: per-sample curves ``(n,)``, or one pan/gain (floats)."""
    auto = suggestion_automation(suggestion, n, rate, whole_track)
    return auto.window(0, n) if isinstance(auto, Curves) else auto


def session_automation(mix: dict, suggestion, n: int, rate: int):
    """A saved session's mix (``.jrs`` ``"mix"``) over the suggestion's sections, as the app applies it:
    one pan/gain (floats), or per-section :class:`Curves` (read a window at a time: nothing whole-length).

    Sections are matched by position (as :meth:`ui.mixstate.MixState.apply_json` does);
    without automation the whole-track pan/gain is returned as floats.
    """
    whole = (float(mix.get("pan_deg", suggestion.pan_deg)), float(mix.get("gain", suggestion.gain)))
    sections = suggestion.sections
    if not (mix.get("automation") and sections):
        return whole
    values = [(float(s.pan_deg), float(s.gain)) for s in sections]
    for i, s in enumerate(mix.get("sections", [])[: len(sections)]):
        values[i] = (float(s["pan_deg"]), float(s["gain"]))
    return Curves([s.start for s in sections], values, n, rate)


def session_curves(mix: dict, suggestion, n: int, rate: int):
    """:func:`session_automation` as per-sample curves ``(n,)``, or one pan/gain (floats)."""
    auto = session_automation(mix, suggestion, n, rate)
    return auto.window(0, n) if isinstance(auto, Curves) else auto
