"""Several files of one input written through one clip mode with one gain: the stems keep their sum.

``separate`` writes the solo and the accompaniment through a :class:`SharedGainWriter`: their
channels side by side are one signal for the clip mode (:mod:`core.audio.headroom`), so

- ``limit``: one look-ahead limiter sees the true peaks of both files and applies one gain
  curve to both; where it acts, solo + accompaniment is the input under that same curve
  (``g(t) x(t)``), and everywhere else exactly the input;
- ``rescale``: both files are scaled by the same factor (the larger file's true peak sets it;
  each report and each comment tag give it);
- ``clamp``: each sample beyond full scale is clipped, in whichever file it is (the sum is
  broken there, and counted);
- ``none``: written as computed (32-bit float), so the sum is exact to float precision.

MP3 and OGG files are decoded once written and, where the encoder pushed the true peak above the
ceiling, encoded again lower, both files by one gain (:mod:`core.audio.encoded`).

Each file's report keeps its own count of overs and its own true peak (before processing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio.columns import join_columns, take_columns
from jazzremix_gui.core.audio.encoded import EncodedOutputs
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import (DEFAULT_CLIP_MODE, ClipReport, MasteredWriter, channel_overs,
                                               output_ceiling)
from jazzremix_gui.core.audio.limiter import lin_to_db


def _with_said(tags: list, joint_tags: dict) -> list:
    """Each file's tags, with what the joint clip mode did (rescale's comment) said in its comment too."""
    said = joint_tags.get("comment")
    if not said:
        return tags
    said += " (one gain for all stems)" if len(tags) > 1 else ""
    return [{**t, "comment": f"{t['comment']}; {said}" if t.get("comment") else said} for t in tags]


class SharedGainWriter:
    """Write several aligned signals of one input, each to its own file, through one clip mode and one gain.

    Parameters
    ----------
    paths : sequence of str or Path
        One target per signal.
    rate : int
        Sample rate in Hz (all files).
    channels : sequence of int
        Channels of each file (1 or 2).
    spec : OutputSpec
    mode : str
        A clip mode of :mod:`core.audio.headroom`.
    tags : sequence of dict
        Each file's tags.
    loudness : bool
        Measure each file's integrated loudness as written (``ClipReport.written_lufs``).
    known_peak : float, optional
        One file only: the true peak of what will be written, measured by the caller
        (:class:`core.audio.headroom.MasteredWriter`).

    Use like :class:`core.audio.headroom.MasteredWriter`: :meth:`write` the blocks of every file
    at once, then :func:`core.audio.headroom.commit_all` (all files or none); leaving the
    ``with`` block without committing removes every temporary file.
    """

    def __init__(self, paths, rate: int, channels, spec: OutputSpec, mode: str = DEFAULT_CLIP_MODE, tags=None,
                 loudness: bool = False, known_peak: float | None = None):
        self.paths = [Path(p) for p in paths]
        self.parts = [int(c) for c in channels]
        tags = list(tags) if tags is not None else [{} for _ in self.paths]
        self._over = [0 for _ in self.parts]
        self._frames = 0
        self._committed = False
        self._joint = MasteredWriter(
            self.paths[0], rate, sum(self.parts), spec, mode, None,
            open_output=lambda joint_tags: EncodedOutputs(self.paths, rate, self.parts, spec,
                                                          _with_said(tags, joint_tags), output_ceiling(mode),
                                                          loudness),
            groups=self.parts,  # each file's true peak comes from the joint measurement
            known_peak=known_peak if len(self.paths) == 1 else None)

    def write(self, *blocks: np.ndarray) -> None:
        """Append one block per file, ``(m,)`` or ``(m, c)`` each, all of the same length ``m``."""
        parts = [np.asarray(b, np.float32).reshape(len(b), c) for b, c in zip(blocks, self.parts)]
        if len(parts) != len(self.parts) or len({p.shape[0] for p in parts}) != 1:
            raise ValueError("SharedGainWriter.write: one block per file, all of the same length")
        joint = join_columns(parts) if len(parts) > 1 else take_columns(parts[0], 0, self.parts[0])
        over = channel_overs(joint)  # per channel, counted once for the files and the joint
        start = 0
        for i, c in enumerate(self.parts if len(parts) > 1 else []):  # one file: the joint report is its own
            self._over[i] += int(over[start: start + c].sum())
            start += c
        self._frames += joint.shape[0]
        self._joint.write(joint, over=int(over.sum()))

    def finish(self) -> list[ClipReport]:
        """Finish processing and the temporary files; one report per file (nothing renamed yet)."""
        joint = self._joint.finish()
        if len(self.paths) == 1:
            return [joint]
        reports, peaks, lufs = [], self._joint.group_peaks, self._joint.written_lufs
        for i, path in enumerate(self.paths):
            others = tuple(p.name for j, p in enumerate(self.paths) if j != i)
            clamped = self._over[i] if joint.mode == "clamp" else 0
            reports.append(ClipReport(path, joint.mode, self._over[i], lin_to_db(peaks[i]), joint.gain_db,
                                      joint.limited, joint.reduction_db, clamped, self._frames, others,
                                      joint.encoded_gain_db, joint.decoded_peak_dbtp, written_lufs=lufs[i]))
        return reports

    @property
    def temp(self) -> list:
        """The finished temporary files, in the order of ``paths``."""
        return self._joint.temp

    def abort(self) -> None:
        self._joint.abort()

    def __enter__(self) -> "SharedGainWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self._committed:
            self.abort()
