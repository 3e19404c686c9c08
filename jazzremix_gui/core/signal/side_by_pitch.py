"""Which of two self-consistent sides is the solo's: the one whose separated solo is one line (diagnostic r26).

Where the separator finds another part that holds its place as the solo does (``RecordedSolo.others_deg``: a horn
riff, a comping part voiced like a line), the solo is at its own reading or at the other part's. A solo is one
melodic line; chords and sections are not, so YIN (:mod:`core.signal.pitch`) calls more of a solo's loud frames
voiced. Each side is heard by separating toward it (``core.models.with_solo_side``); :class:`VoicedShare` reads
its separated solo as it streams by, and :func:`pick_side` takes another part's side only when its solo is voiced
in at least :data:`VOICED_MARGIN` more of its loud frames than the own reading's and its share of the recording is
at most :data:`SHARE_DROP_DB` lower (rule r26b, docs/SEPARATOR_V3.md, "The side whose solo is one line").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.signal.panlaw import pan_text
from jazzremix_gui.core.signal.pitch import WINDOW, f0_hz

#: YIN's hop (samples) over the separated solo.
HOP = 1024
#: Loud frames: within this many dB of the 95th percentile of the frames' energies.
LOUD_RANGE_DB = 30.0
#: Another side is taken when its solo is voiced in at least this much more of its loud frames (a share, 0..1) ...
VOICED_MARGIN = 0.01
#: ... and its solo's share of the recording is at most this much lower (dB).
SHARE_DROP_DB = 3.0
#: Frames read by one call of YIN (bounded memory whatever the recording's length).
_CHUNK = 512


class VoicedShare:
    """Push a mono solo block by block; :meth:`share` is the part of its loud frames YIN calls voiced.

    Frame ``k`` spans samples ``k HOP .. k HOP + 2048``; only whole frames count. The same figures whatever the
    blocks (tested against one call of :func:`core.signal.pitch.f0_hz` on the whole signal).

    Parameters
    ----------
    rate : int
        The solo's sample rate (Hz): YIN's lags are read in it.
    """

    def __init__(self, rate: int):
        self.rate = int(rate)
        self._buf = np.zeros(0, np.float64)
        self._energy: list[np.ndarray] = []
        self._voiced: list[np.ndarray] = []

    def push(self, solo: np.ndarray) -> None:
        """Add ``solo`` [shape=(m,)] samples."""
        self._buf = np.concatenate([self._buf, np.asarray(solo, np.float64).reshape(-1)])
        self._run()

    def _whole(self) -> int:
        """Whole frames in the buffer."""
        return (self._buf.shape[0] - WINDOW) // HOP + 1 if self._buf.shape[0] >= WINDOW else 0

    def _run(self) -> None:
        while self._whole() >= _CHUNK:
            self._frames(_CHUNK)

    def _frames(self, n: int) -> None:
        x = self._buf[: (n - 1) * HOP + WINDOW]
        frames = np.lib.stride_tricks.sliding_window_view(x, WINDOW)[::HOP][:n]
        self._energy.append((frames ** 2).mean(axis=1))
        self._voiced.append(f0_hz(x, HOP, n, self.rate) > 0)
        self._buf = self._buf[n * HOP:]

    def share(self) -> float:
        """The share (0..1) of the loud frames YIN calls voiced, every whole frame pushed so far (0.0: none)."""
        if self._whole():
            self._frames(self._whole())
        if not self._energy:
            return 0.0
        db = 10 * np.log10(np.concatenate(self._energy) + 1e-20)
        loud = db > np.percentile(db, 95) - LOUD_RANGE_DB
        return float(np.concatenate(self._voiced)[loud].mean())


@dataclass(frozen=True)
class SideReading:
    """A side the solo may be at (pan, degrees), heard: the voiced share of its separated solo's loud frames
    (0..1) and that solo's share of the recording's energy (dB)."""

    pan_deg: float
    voiced: float
    share_db: float


def pick_side(own: SideReading, others: list[SideReading]) -> SideReading:
    """The side rule r26b takes: among the ``others`` whose solo is voiced in at least :data:`VOICED_MARGIN` more
    of its loud frames than ``own``'s and whose share is at most :data:`SHARE_DROP_DB` lower, the most voiced;
    ``own`` where none is."""
    fit = [o for o in others
           if o.voiced - own.voiced >= VOICED_MARGIN and o.share_db - own.share_db >= -SHARE_DROP_DB]
    return max(fit, key=lambda o: o.voiced) if fit else own


@dataclass(frozen=True)
class SideChoice:
    """What :func:`core.pipeline.choose_solo_side` found: the side to separate toward (``side_deg``; None: the
    separator's own reading ``read_deg`` stands), and each side it heard (``own``, ``others``; empty where no
    other part holds its place or the recording is mono)."""

    side_deg: float | None
    read_deg: float | None
    own: SideReading | None = None
    others: tuple[SideReading, ...] = ()

    def describe(self) -> str:
        """One line: which side, and why."""
        if self.own is None:
            where = "" if self.read_deg is None else f" (the solo stays at {pan_text(self.read_deg)})"
            return f"solo side by pitch: no other part holds its place as the solo does{where}"
        heard = ", ".join(f"{pan_text(r.pan_deg)} {100 * r.voiced:.0f} %" for r in (self.own, *self.others))
        if self.side_deg is None:
            return (f"solo side by pitch: the solo stays at {pan_text(self.own.pan_deg)}, where the separator read "
                    f"it (one line in this much of each side's loud frames: {heard})")
        return (f"solo side by pitch: separated toward {pan_text(self.side_deg)}, not {pan_text(self.own.pan_deg)} "
                f"where the separator read it (one line in this much of each side's loud frames: {heard})")

    def to_json(self) -> dict:
        return {"side_deg": self.side_deg, "read_deg": None if self.read_deg is None else round(self.read_deg, 1),
                "heard": [{"pan_deg": round(r.pan_deg, 1), "voiced": round(r.voiced, 3),
                           "share_db": round(r.share_db, 2)}
                          for r in ((self.own, *self.others) if self.own is not None else ())]}
