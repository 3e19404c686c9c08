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

The same samples give the recording's DC offset (:meth:`LevelMeter._find_dc`: the median of its 100 ms windows'
means, from the onset). Old transfers often carry one (a converter's or a preamplifier's offset), and the separator
heard it as part of the solo: the solo's stem took the DC, its direction was read toward the centre and its share of
the recording grew, which moved the mixer's suggestion (0.02 full scale moved seg7's gain from 1.2 to 1.6). An offset
the separator would hear above :data:`DC_DBFS` is taken out of what it hears, except from the digital silence a
recording may open with (:class:`core.signal.separation.Analyser`), and left in the accompaniment, so the stems still
add up to the recording. The level is each window's power about its own mean, so an offset neither starts the sound
nor counts in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

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

#: A DC offset that the separator would hear above this (dBFS, either channel's, at the gain it hears the recording
#: with) is taken out of what it hears; below it, the samples heard are the recording's own, bit for bit.
DC_DBFS = -60.0

#: Fewest windows (100 ms each) a DC offset is measured on: a shorter excerpt has none.
DC_MIN_WINDOWS = 10

#: Standard errors of the window means' median an offset must lie from zero (the music's own slow movement: bass).
DC_SIGNIFICANCE = 4.0


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
        self._partial = np.zeros((0, 2), np.float32)  # samples of the window being filled
        self._powers: list[float] = []  # each complete window's power about its own mean, from the first window
        self._means: list[np.ndarray] = []  # each complete window's mean of each channel, (2,)
        self._onset: int | None = None  # index of the first window above ONSET_DBFS
        self._tail = (0.0, 0)  # (sum of squares about its mean, samples) after the last complete window, at finish
        self.decided = False
        self.level_db: float | None = None
        self._count = 0  # samples pushed
        #: The index of the recording's first sample that is not digital silence (both channels exactly zero);
        #: None while there is none.
        self.first_sound: int | None = None
        #: The recording's DC offset, ``(2,)`` float32 (full scale; 0 for a channel without one), once decided;
        #: None: none found (:meth:`_find_dc`). Whether the separator hears the recording without it depends on the
        #: gain it hears it with (:func:`offset_heard`).
        self.dc: np.ndarray | None = None

    def push(self, block: np.ndarray) -> None:
        """Measure ``(m, 2)`` more samples (nothing once decided)."""
        if self.decided or not block.shape[0]:
            return
        if self.first_sound is None:
            sound = np.flatnonzero(np.any(block[:, :2] != 0, axis=1))
            self.first_sound = self._count + int(sound[0]) if sound.size else None
        self._count += block.shape[0]
        limit = _windows(WAIT_SECONDS)
        both = np.concatenate([self._partial, block[:, :2]]) if self._partial.size else block[:, :2]
        whole = min(both.shape[0] // WINDOW, limit - len(self._powers)) * WINDOW
        if whole:
            windows = both[:whole].reshape(-1, WINDOW, 2)
            left = windows[:, :, 0].astype(np.float64)
            mid = (left + windows[:, :, 1]) * 0.5
            left_means, mid_means = left.mean(axis=1), mid.mean(axis=1)
            powers = np.maximum(np.mean(np.square(mid), axis=1) - np.square(mid_means), 0.0)
            if self._onset is None:
                loud = np.flatnonzero(powers > 10 ** (ONSET_DBFS / 10))
                if loud.size:
                    self._onset = len(self._powers) + int(loud[0])
            self._powers.extend(powers.tolist())
            self._means.extend(np.stack([left_means, 2 * mid_means - left_means], axis=1))
        self._partial = both[whole:].copy()
        need = _windows(LEVEL_SECONDS)
        if (self._onset is not None and len(self._powers) - self._onset >= need) or len(self._powers) >= limit:
            self._decide(need)

    def finish(self) -> None:
        """The input has ended: decide with what came (the last, shorter window counts by its samples, within the
        wait)."""
        if not self.decided:
            if len(self._powers) < _windows(WAIT_SECONDS) and self._partial.shape[0]:
                mid = (self._partial[:, 0].astype(np.float64) + self._partial[:, 1]) * 0.5
                self._tail = (float(np.sum(np.square(mid - mid.mean()))), int(mid.size))
            if self._onset is None and self._tail[1] and self._tail[0] / self._tail[1] > 10 ** (ONSET_DBFS / 10):
                self._onset = len(self._powers)
            self._decide(_windows(LEVEL_SECONDS))

    def _decide(self, need: int) -> None:
        self.decided = True
        self._partial = np.zeros((0, 2), np.float32)
        self._find_dc(need)
        if self._onset is None:
            return
        powers = self._powers[self._onset: self._onset + need]
        tail = self._tail if self._onset + need > len(self._powers) else (0.0, 0)
        total = float(np.sum(powers)) * WINDOW + tail[0]
        count = len(powers) * WINDOW + tail[1]
        if count and total > 0:
            self.level_db = float(10 * np.log10(total / count))

    def _find_dc(self, need: int) -> None:
        """:attr:`dc`: each channel's median of the window means from the onset (from the first window where there is
        none) to where the decision stopped reading: as many windows however the samples came in blocks, leading
        silence (digital or not) and a fade-in too short to be half of them left out. A channel's offset counts only
        where the music's own slow movement cannot explain it: at least :data:`DC_MIN_WINDOWS` windows, and the
        median more than :data:`DC_SIGNIFICANCE` of its standard errors (from the windows' spread about it) from
        zero; a short excerpt's mean is its bass's."""
        first = self._onset if self._onset is not None else 0
        means = np.array(self._means[first: first + need]).reshape(-1, 2)
        if means.shape[0] < DC_MIN_WINDOWS:
            return
        dc = np.median(means, axis=0)
        spread = 1.4826 * np.median(np.abs(means - dc), axis=0)  # a robust standard deviation of the window means
        error = 1.2533 * spread / np.sqrt(means.shape[0])  # the median's standard error
        dc = np.where(np.abs(dc) > DC_SIGNIFICANCE * error, dc, 0.0)
        if np.any(dc):
            self.dc = dc.astype(np.float32)


def offset_heard(dc: np.ndarray | None, gain: float) -> np.ndarray | None:
    """The DC offset to take out of what the separator hears: ``dc`` where, at the ``gain`` the separator hears the
    recording with, it would reach :data:`DC_DBFS` (a quiet recording heard 20 dB louder carries its offset up with
    it); None below."""
    if dc is None or not np.max(np.abs(dc)) * gain > 10 ** (DC_DBFS / 20):
        return None
    return dc


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


def dc_text(dc_offset: tuple) -> str:
    """What a DC offset taken out of what the separator heard (``(left, right)``, full scale) means, in words; ""
    where there was none."""
    if not dc_offset or not any(dc_offset):
        return ""
    left, right = dc_offset
    db = 20 * np.log10(max(abs(left), abs(right)))
    where = f"{left:+.4f}" if f"{left:+.4f}" == f"{right:+.4f}" else f"{left:+.4f} left, {right:+.4f} right"
    return (f"a DC offset ({where} of full scale, {db:.0f} dBFS): the separator heard the recording without it; "
            "it stays in the accompaniment")


def heard_lines(heard) -> list[str]:
    """What the separator heard differently from the recording as it is (:func:`heard_text`, :func:`dc_text`), and
    mono material's solo kept to its own pitch (:func:`core.signal.pitch_comb.comb_text`). ``heard``: a separation's
    :class:`core.signal.separation.RecordedSolo` or :class:`core.pipeline.Stems`, or :func:`heard_of` a record."""
    # imported here: this module loads while the CLI's parser is built, the comb's transforms need not
    from jazzremix_gui.core.signal.pitch_comb import comb_text

    lines = (heard_text(heard.heard_gain_db), dc_text(heard.dc_offset),
             comb_text(heard.pitch_comb_s, heard.transferred_s))
    return [line for line in lines if line]


def heard_json(heard) -> dict:
    """The same for ``--json`` and the batch manifest: ``heard_gain_db`` (dB, 0 as it is), ``dc_offset``
    (``[left, right]`` full scale, or None), ``pitch_comb_s`` (seconds of mono material, 0: none) and
    ``transferred_s`` (of those, seconds of a mono record transferred in stereo)."""
    return {"heard_gain_db": round(heard.heard_gain_db, 2), "dc_offset": [round(v, 6) for v in heard.dc_offset] or None,
            "pitch_comb_s": round(heard.pitch_comb_s, 1), "transferred_s": round(heard.transferred_s, 1)}


def heard_of(record: dict) -> SimpleNamespace:
    """What :func:`heard_json` wrote, read back (a batch manifest's record; keys missing in older ones: none)."""
    return SimpleNamespace(heard_gain_db=record.get("heard_gain_db") or 0.0,
                           dc_offset=tuple(record.get("dc_offset") or ()),
                           pitch_comb_s=record.get("pitch_comb_s") or 0.0,
                           transferred_s=record.get("transferred_s") or 0.0)


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
