"""The level the separator's network hears: its input brought into a level range (rules p3, p4; docs/SEPARATOR_V3.md).

The network reads ``log(1 + 1000 |X|)`` of the mixture's magnitudes, so what it hears depends on the recording's
absolute level: measured on ``data/val-unseen`` (diagnostic r7), sep-mask-3.4's solo loses 0.2-0.4 dB 10-15 dB
above the level it was trained at and 1.9 / 3.4 / 4.6 dB 20 / 25 / 30 dB below it (a transfer with much headroom).
The masks apply to the recording as it is, so scaling the network's input by ``g`` and its output magnitudes by
``1 / g`` (:func:`core.signal.separation.run_network`) changes what the network hears and nothing else: the stems
are still parts of the recording at its own level.

The level is measured once, before the first block is heard, on the recording's start (:class:`LevelMeter`): the
mean power of the mid ``(L + R) / 2`` at 44.1 kHz over :data:`LEVEL_SECONDS` from the first 100 ms window above
:data:`ONSET_DBFS` (leading silence does not count), waiting for at most :data:`WAIT_SECONDS` of input (what came
counts then; a shorter recording: all of it). A start with nothing above :data:`ONSET_DBFS` gets no gain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jazzremix_gui.core.constants import MODEL_RATE

#: Seconds of sound from the onset whose mean power is the recording's level.
LEVEL_SECONDS = 30.0

#: At most this much input (seconds) is held before the level is decided (what came counts then).
WAIT_SECONDS = 60.0

#: A window (100 ms) of the mid above this power (dBFS) starts the sound: leading silence or hum is not measured.
ONSET_DBFS = -60.0

#: Samples per window at 44.1 kHz (100 ms).
WINDOW = 4410


@dataclass(frozen=True)
class LevelRange:
    """The levels (dBFS, the mid's mean power) the network hears a recording at: one measured outside
    ``low_db .. high_db`` is heard at the nearer end, one inside as it is (``low_db == high_db``: every recording
    at that level)."""

    low_db: float
    high_db: float

    def __post_init__(self):
        if not (np.isfinite(self.low_db) and np.isfinite(self.high_db) and self.low_db <= self.high_db):
            raise ValueError(f"LevelRange: {self.low_db} .. {self.high_db} dBFS is not a range")

    def gain_db(self, level_db: float | None) -> float:
        """The gain (dB) the network's input gets for a recording measured at ``level_db`` (None: not measured, 0)."""
        if level_db is None or not np.isfinite(level_db):
            return 0.0
        return float(min(max(level_db, self.low_db), self.high_db) - level_db)

    def to_text(self) -> str:
        """``"-30,-14"``: what reports and metadata say."""
        return f"{self.low_db:g},{self.high_db:g}"


#: The range every separation uses unless told otherwise (rule p3; docs/SEPARATOR_V3.md, "The level the network
#: hears").
DEFAULT_RANGE = LevelRange(-30.0, -14.0)

#: The most the default range lifts a recording (dB): one measured just above the onset heard at its low end.
MAX_BOOST_DB = DEFAULT_RANGE.low_db - ONSET_DBFS


class LevelMeter:
    """The level of a recording's start, measured as its 44.1 kHz stereo samples arrive (:meth:`push`).

    Everything is counted in 100 ms windows from the recording's first sample, so the result does not depend on
    how the samples were split into blocks (nor on the input's own rate): :attr:`decided` once
    :data:`LEVEL_SECONDS` from the onset have come, or :data:`WAIT_SECONDS` from the start (windows after that are
    not measured, a start found after it does not count), or at :meth:`finish`.
    """

    def __init__(self):
        self._partial = np.zeros(0, np.float64)  # mid samples of the window being filled
        self._powers: list[float] = []  # mean power of each complete window, from the first (at most the wait's)
        self._onset: int | None = None  # index of the first window above ONSET_DBFS
        self._tail = (0.0, 0)  # (sum of squares, samples) after the last complete window, at finish
        self.decided = False
        self.level_db: float | None = None

    def push(self, block: np.ndarray) -> None:
        """Measure ``(m, 2)`` more samples (nothing once decided)."""
        if self.decided or not block.shape[0]:
            return
        limit = _windows(WAIT_SECONDS)
        mid = (block[:, 0].astype(np.float64) + block[:, 1]) * 0.5
        mid = np.concatenate([self._partial, mid]) if self._partial.size else mid
        whole = min(mid.shape[0] // WINDOW, limit - len(self._powers)) * WINDOW
        if whole:
            powers = np.mean(np.square(mid[:whole].reshape(-1, WINDOW)), axis=1)
            if self._onset is None:
                loud = np.flatnonzero(powers > 10 ** (ONSET_DBFS / 10))
                if loud.size:
                    self._onset = len(self._powers) + int(loud[0])
            self._powers.extend(powers.tolist())
        self._partial = mid[whole:].copy()
        need = _windows(LEVEL_SECONDS)
        if (self._onset is not None and len(self._powers) - self._onset >= need) or len(self._powers) >= limit:
            self._decide(need)

    def finish(self) -> None:
        """The input has ended: decide with what came (the last, shorter window counts by its samples, within the
        wait)."""
        if not self.decided:
            if len(self._powers) < _windows(WAIT_SECONDS):
                self._tail = (float(np.sum(np.square(self._partial))), int(self._partial.size))
            if self._onset is None and self._tail[1] and self._tail[0] / self._tail[1] > 10 ** (ONSET_DBFS / 10):
                self._onset = len(self._powers)
            self._decide(_windows(LEVEL_SECONDS))

    def _decide(self, need: int) -> None:
        self.decided = True
        self._partial = np.zeros(0, np.float64)
        if self._onset is None:
            return
        powers = self._powers[self._onset: self._onset + need]
        tail = self._tail if self._onset + need > len(self._powers) else (0.0, 0)
        total = float(np.sum(powers)) * WINDOW + tail[0]
        count = len(powers) * WINDOW + tail[1]
        if count and total > 0:
            self.level_db = float(10 * np.log10(total / count))


def _windows(seconds: float) -> int:
    """Windows of :data:`WINDOW` samples in ``seconds`` (read when measuring, so that a diagnostic may set them)."""
    return int(round(seconds * MODEL_RATE / WINDOW))


def card_entry(rule: str) -> dict:
    """What a separator's card says of the level its network hears (``rule``: the decision that set the range)."""
    return {"range_dbfs": [DEFAULT_RANGE.low_db, DEFAULT_RANGE.high_db],
            "measured": (f"the mid's mean power over the first {LEVEL_SECONDS:g} s of sound (from the first 100 ms "
                         f"window above {ONSET_DBFS:g} dBFS; at most {WAIT_SECONDS:g} s waited for)"),
            "applied": ("a recording measured outside the range is heard at its nearer end: the network's input "
                        "scaled, its output scaled back, the stems at the recording's own level "
                        "(core/signal/input_level.py, every separation)"),
            "rule": rule}


def heard_text(gain_db: float) -> str:
    """What the gain the network heard a recording with means, in words; "" where it heard it as it is."""
    if abs(gain_db) < 0.05:
        return ""
    how = f"{gain_db:.1f} dB louder" if gain_db > 0 else f"{-gain_db:.1f} dB quieter"
    kind = "a quiet recording" if gain_db > 0 else "a loud recording"
    return f"{kind}: the separator heard it {how} (the stems keep the recording's own level)"


def level_of(level: LevelRange | bool | None) -> LevelRange | None:
    """The range a separation uses: None: :data:`DEFAULT_RANGE`; False: none (the recording as it is)."""
    if level is None:
        return DEFAULT_RANGE
    return level or None


def parse_range(text: str) -> LevelRange | None:
    """``"LOW,HIGH"`` or ``"LEVEL"`` (dBFS) -> a range; ``"none"`` -> None (heard as it is).

    Raises
    ------
    ValueError
        A one-line reason.
    """
    text = text.strip()
    if text.lower() == "none":
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ValueError(f"level range {text!r}: give LOW,HIGH or LEVEL in dBFS (e.g. -30,-14), or none") from None
    if len(values) not in (1, 2):
        raise ValueError(f"level range {text!r}: give LOW,HIGH or LEVEL in dBFS (e.g. -30,-14), or none")
    if not all(np.isfinite(values)):
        raise ValueError(f"level range {text!r}: the levels must be finite numbers of dBFS (e.g. -30,-14)")
    if max(values) > 0:
        raise ValueError(f"level range {text!r}: a level is at most 0 dBFS (e.g. -30,-14)")
    try:
        return LevelRange(values[0], values[-1])
    except ValueError as exc:
        raise ValueError(f"level range {text!r}: {exc}") from None
