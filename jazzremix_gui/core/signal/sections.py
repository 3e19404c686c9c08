"""Per-section suggestions: split a track where the solo enters, leaves or changes character.

Sections follow the solo's activity (short gaps are bridged, short bursts absorbed);
inside a long active stretch a further split is made where the frame-wise argmax of the
smoothed posterior settles on a different cell for a long time (a change of character,
e.g. another instrument taking the solo). Each section gets its own posterior, summed
over its active frames only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.signal import codebook

#: Gaps in the solo shorter than this are bridged (seconds): a breath or a short break is not an exit.
MIN_GAP_S = 3.0
#: Solo bursts shorter than this are dropped (seconds): a fill or a leak is not an entry.
MIN_BURST_S = 3.0
#: A change of character splits a stretch only when both sides last at least this long (seconds).
MIN_SECTION_S = 8.0
#: A decision needs at least this much solo (seconds of active frames) ...
MIN_ACTIVE_S = 3.0
#: ... and at least this much posterior mass within one cell of its top cell (see :func:`decide`): 3.5 times
#: a flat posterior's 9 / 399 = 0.023. The shipped mixer gives 0.10 .. 0.46 on the nine real segments.
MIN_CONFIDENCE = 0.08


@dataclass
class Decision:
    """What to propose from a posterior: the top cell when it is clear, else the recording as it is.

    ``confidence`` is the posterior mass within one cell (pan and gain) of the top cell;
    ``clear`` False means "no clear suggestion: kept as recorded" (recorded pan to 0.1 deg, gain 1.0).
    """

    pan_deg: float
    gain: float
    confidence: float
    clear: bool


def decide(posterior: np.ndarray, active_s: float, recorded_pan_deg: float = 0.0) -> Decision:
    """Decision for a (19, 21) posterior built from ``active_s`` seconds of solo.

    Clear when ``active_s >= MIN_ACTIVE_S`` and the confidence is at least
    :data:`MIN_CONFIDENCE` (a flat posterior has 9 / 399 = 0.023).
    """
    cell = codebook.argmax_cell(posterior)
    conf = codebook.neighbourhood_mass(posterior, cell)
    if active_s >= MIN_ACTIVE_S and conf >= MIN_CONFIDENCE:
        pan, gain = codebook.cell_to_pan_gain(cell)
        return Decision(pan, gain, conf, True)
    return Decision(round(float(recorded_pan_deg), 1), 1.0, conf, False)


@dataclass
class Section:
    """A stretch of the track with its own suggestion.

    start, end in seconds; ``active`` False for a stretch where the solo is silent (its
    pan/gain then follow the track's suggestion); posterior (19, 21); ``confidence`` and
    ``clear`` as in :class:`Decision`.
    """

    start: float
    end: float
    active: bool
    posterior: np.ndarray
    pan_deg: float
    gain: float
    confidence: float = 1.0
    clear: bool = True

    def to_json(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "active": self.active,
                "pan_deg": self.pan_deg, "gain": self.gain, "confidence": round(float(self.confidence), 4),
                "clear": bool(self.clear)}


def _runs(mask: np.ndarray) -> list[tuple[int, int, bool]]:
    """Runs of equal values: (start, end, value) with end exclusive."""
    if mask.size == 0:
        return []
    change = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    bounds = np.concatenate([[0], change, [mask.size]])
    return [(int(a), int(b), bool(mask[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def _smooth_activity(active: np.ndarray, frames_gap: int, frames_burst: int) -> np.ndarray:
    """Bridge short gaps, drop short bursts, then fold any stretch still too short into its neighbour."""
    act = active.copy()
    for a, b, v in _runs(act):
        if not v and b - a < frames_gap and a > 0 and b < act.size:
            act[a:b] = True
    for a, b, v in _runs(act):
        if v and b - a < frames_burst and not (a == 0 and b == act.size):  # a whole short track is not a burst
            act[a:b] = False
    runs = _runs(act)
    if len(runs) > 1:
        for i, (a, b, v) in enumerate(runs):
            if b - a < frames_burst:  # e.g. a few silent frames at the very start or end of the track
                act[a:b] = runs[i - 1][2] if i > 0 else runs[1][2]
    return act


def _character_splits(posts: np.ndarray, a: int, b: int, frames_min: int) -> list[int]:
    """Frame indices inside [a, b) where the dominant pan class moves by more than one class for good.

    Both sides of a split last at least ``frames_min`` frames.
    """
    if b - a < 2 * frames_min:
        return []
    pan_post = posts[a:b].reshape(b - a, codebook.N_PANS, codebook.N_GAINS).sum(axis=2, dtype=np.float32)
    kernel = np.ones(frames_min, np.float32) / frames_min
    smooth = np.stack([np.convolve(pan_post[:, k], kernel, mode="same") for k in range(codebook.N_PANS)], axis=1)
    best = smooth.argmax(axis=1)
    splits = []
    last, current = a, int(best[0])
    for s, e, label in _runs_of_labels(best):
        if abs(label - current) <= 1:  # a neighbouring pan class: the same place, not a new character
            continue
        if e - s >= frames_min and a + s - last >= frames_min and b - (a + s) >= frames_min:
            splits.append(a + s)
            last, current = a + s, label
    return splits


def _runs_of_labels(labels: np.ndarray):
    change = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.concatenate([[0], change, [labels.size]])
    return [(int(s), int(e), int(labels[s])) for s, e in zip(bounds[:-1], bounds[1:])]


def _same_choice(d1: Decision, d2: Decision) -> bool:
    """Equal, or both firm and within one cell of each other (the merged stretch is decided afresh)."""
    if (d1.pan_deg, d1.gain) == (d2.pan_deg, d2.gain):
        return True
    if not (d1.clear and d2.clear):
        return False
    p1, g1 = codebook.cell_classes(codebook.pan_gain_to_cell(d1.pan_deg, d1.gain))
    p2, g2 = codebook.cell_classes(codebook.pan_gain_to_cell(d2.pan_deg, d2.gain))
    return abs(int(p1) - int(p2)) <= 1 and abs(int(g1) - int(g2)) <= 1


def find_sections(posts: np.ndarray, active: np.ndarray, times: np.ndarray, recorded_pan_deg: float = 0.0,
                  track: Decision | None = None, duration: float | None = None) -> list[Section]:
    """Sections of a track with their own posteriors and decisions.

    Parameters
    ----------
    posts : np.ndarray [shape=(T, 399)]
        Per-frame posteriors.
    active : np.ndarray [shape=(T,), dtype=bool or float]
        Frames where the solo plays, or each row's share of voting frames (0 .. 1) when the
        rows are means over slots of frames.
    times : np.ndarray [shape=(T,)]
        Row centres in seconds (equally spaced).
    recorded_pan_deg : float
        The solo's recorded pan (what an unclear section keeps).
    track : Decision, optional
        The whole track's decision, which silent sections follow (default: computed here).
    duration : float, optional
        The recording's length in seconds: no section ends after it, and none hears more solo than it lasts (the
        last rows' frames reach past the end).

    Returns
    -------
    list of Section, covering the track from 0 to the last frame without gaps; neighbours
    with the same activity and the same (or a neighbouring) cell are merged.
    """
    n = posts.shape[0]
    if n == 0:
        return []
    dt = float(times[1] - times[0]) if n > 1 else 1.0
    weights = np.asarray(active, np.float64)
    track_post = codebook.aggregate(posts, weights)
    if track is None:
        track = decide(track_post, float(weights.sum()) * dt, recorded_pan_deg)
    act = _smooth_activity(weights >= 0.5, int(MIN_GAP_S / dt), int(MIN_BURST_S / dt))
    bounds: list[list] = []
    for a, b, v in _runs(act):
        cuts = [a] + (_character_splits(posts, a, b, int(MIN_SECTION_S / dt)) if v else []) + [b]
        bounds += [[s, e, v] for s, e in zip(cuts[:-1], cuts[1:])]

    end_s = float(times[-1] + dt / 2) if duration is None else float(duration)

    def judge(a: int, b: int, v: bool):
        if not v:
            return track_post, track
        post = codebook.aggregate(posts[a:b], weights[a:b])
        return post, decide(post, min(float(weights[a:b].sum()) * dt, end_s), recorded_pan_deg)

    judged = []  # [a, b, active, posterior, decision], neighbours with the same outcome merged
    for a, b, v in bounds:
        post, d = judge(a, b, v)
        if judged and judged[-1][2] == v and _same_choice(judged[-1][4], d):
            a = judged.pop()[0]
            post, d = judge(a, b, v)
        judged.append([a, b, v, post, d])
    sections = []
    for a, b, v, post, d in judged:
        start = 0.0 if a == 0 else float(times[a] - dt / 2)
        end = min(float(times[b - 1] + dt / 2), end_s)
        sections.append(Section(min(max(0.0, start), end), end, v, post, d.pan_deg, d.gain, d.confidence, d.clear))
    return sections
