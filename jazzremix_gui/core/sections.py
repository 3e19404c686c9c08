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

from jazzremix_gui.core import codebook

#: Gaps in the solo shorter than this are bridged (seconds).
MIN_GAP_S = 2.0
#: Sections shorter than this are merged into their neighbour (seconds).
MIN_SECTION_S = 4.0


@dataclass
class Section:
    """A stretch of the track with its own suggestion.

    start, end in seconds; ``active`` False for a stretch where the solo is silent (its
    pan/gain then follow the track's suggestion); posterior (19, 21).
    """

    start: float
    end: float
    active: bool
    posterior: np.ndarray
    pan_deg: float
    gain: float

    def to_json(self) -> dict:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "active": self.active,
                "pan_deg": self.pan_deg, "gain": self.gain}


def _runs(mask: np.ndarray) -> list[tuple[int, int, bool]]:
    """Runs of equal values: (start, end, value) with end exclusive."""
    if mask.size == 0:
        return []
    change = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    bounds = np.concatenate([[0], change, [mask.size]])
    return [(int(a), int(b), bool(mask[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def _smooth_activity(active: np.ndarray, frames_gap: int, frames_min: int) -> np.ndarray:
    """Bridge short gaps, drop short bursts, then fold any stretch still too short into its neighbour."""
    act = active.copy()
    for a, b, v in _runs(act):
        if not v and b - a < frames_gap and a > 0 and b < act.size:
            act[a:b] = True
    for a, b, v in _runs(act):
        if v and b - a < frames_min:
            act[a:b] = False
    runs = _runs(act)
    if len(runs) > 1:
        for i, (a, b, v) in enumerate(runs):
            if b - a < frames_min:  # e.g. a few silent frames at the very start or end of the track
                act[a:b] = runs[i - 1][2] if i > 0 else runs[1][2]
    return act


def _character_splits(posts: np.ndarray, a: int, b: int, frames_min: int) -> list[int]:
    """Frame indices inside [a, b) where the dominant pan cell changes for good."""
    if b - a < 2 * frames_min:
        return []
    pan_post = posts[a:b].reshape(b - a, codebook.N_PANS, codebook.N_GAINS).sum(axis=2)
    kernel = np.ones(frames_min) / frames_min
    smooth = np.stack([np.convolve(pan_post[:, k], kernel, mode="same") for k in range(codebook.N_PANS)], axis=1)
    best = smooth.argmax(axis=1)
    splits = []
    last = a
    for s, e, _ in _runs_of_labels(best):
        if s > 0 and e - s >= frames_min and a + s - last >= frames_min and b - (a + s) >= frames_min:
            splits.append(a + s)
            last = a + s
    return splits


def _runs_of_labels(labels: np.ndarray):
    change = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.concatenate([[0], change, [labels.size]])
    return [(int(s), int(e), int(labels[s])) for s, e in zip(bounds[:-1], bounds[1:])]


def find_sections(posts: np.ndarray, active: np.ndarray, times: np.ndarray) -> list[Section]:
    """Sections of a track with their own posteriors.

    Parameters
    ----------
    posts : np.ndarray [shape=(T, 399)]
        Per-frame posteriors.
    active : np.ndarray [shape=(T,), dtype=bool]
        Frames where the solo plays.
    times : np.ndarray [shape=(T,)]
        Frame centres in seconds.

    Returns
    -------
    list of Section, covering the track from 0 to the last frame without gaps.
    """
    n = posts.shape[0]
    if n == 0:
        return []
    dt = float(times[1] - times[0]) if n > 1 else 1.0
    act = _smooth_activity(active, int(MIN_GAP_S / dt), int(MIN_SECTION_S / dt))
    track_post = codebook.aggregate(posts, active.astype(float))
    bounds: list[tuple[int, int, bool]] = []
    for a, b, v in _runs(act):
        cuts = [a] + (_character_splits(posts, a, b, int(MIN_SECTION_S / dt)) if v else []) + [b]
        bounds += [(s, e, v) for s, e in zip(cuts[:-1], cuts[1:])]
    sections = []
    for a, b, v in bounds:
        post = codebook.aggregate(posts[a:b], active[a:b].astype(float)) if v else track_post
        choice = codebook.Choice.from_posterior(post)
        start = 0.0 if a == 0 else float(times[a] - dt / 2)
        end = float(times[b - 1] + dt / 2)
        sections.append(Section(max(0.0, start), end, v, post, choice.pan_deg, choice.gain))
    return sections
