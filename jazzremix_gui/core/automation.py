"""Per-section pan/gain automation as per-sample curves, the same for the app, its export and the CLI.

Each section holds its pan and gain from its start to the next section's start (the
first from sample 0, the last to the end); a 50 ms linear crossfade is centred on each
boundary so a change never clicks.
"""

from __future__ import annotations

import numpy as np

#: Seconds of linear crossfade between sections.
SECTION_RAMP_S = 0.05


def curves(starts_s, values, n: int, rate: int):
    """Pan and gain per sample for sections starting at ``starts_s``.

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

    Returns
    -------
    pan, gain : np.ndarray [shape=(n,), float64]
    """
    pan = np.empty(n)
    gain = np.empty(n)
    starts = [int(round(a * rate)) for a in starts_s] + [n]
    starts[0] = 0
    for i, (p, g) in enumerate(values):
        pan[starts[i]:starts[i + 1]] = p
        gain[starts[i]:starts[i + 1]] = g
    ramp = max(1, int(SECTION_RAMP_S * rate))
    for s in starts[1:-1]:  # linear crossfade centred on each boundary
        a, b = max(0, s - ramp // 2), min(n, s + ramp // 2)
        if b - a > 1:
            for arr in (pan, gain):
                arr[a:b] = np.linspace(arr[a], arr[b - 1], b - a)
    return pan, gain


def suggestion_curves(suggestion, n: int, rate: int, whole_track: bool = False):
    """The mixer's suggestion as ``render_remix`` takes it: per-section curves, or one pan/gain.

    ``whole_track`` (or a suggestion with fewer than two sections) gives the whole-track cell as floats.
    """
    if whole_track or len(suggestion.sections) < 2:
        return float(suggestion.pan_deg), float(suggestion.gain)
    return curves([s.start for s in suggestion.sections], [(s.pan_deg, s.gain) for s in suggestion.sections],
                  n, rate)


def session_curves(mix: dict, suggestion, n: int, rate: int):
    """A saved session's mix (``.jrs`` ``"mix"``) over the suggestion's sections, as the app applies it.

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
    return curves([s.start for s in sections], values, n, rate)
