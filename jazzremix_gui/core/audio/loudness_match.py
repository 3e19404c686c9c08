"""``remix --loudness match``: the remix as loud as the recording (ITU-R BS.1770 integrated loudness).

Turning the solo down or up changes the programme loudness: a remix of seg2 with the solo 6 dB
down came out 7.3 LU quieter than the record. ``match`` measures the recording and the remix as
computed, and applies one gain to the whole remix so that their integrated loudness agrees, but
never more gain than the remix's own true peak leaves below the -1 dBTP ceiling: a loudness match
must not make the limiter work. When the ceiling stops it short, the remix stays quieter and the
report says by how much. ``keep`` writes the remix as computed (gain 1.0 = as recorded, so
solo + accompaniment sum to the remix sample for sample).

Why ``match`` is the default: an engineer rebalancing a finished master (iZotope RX's Music
Rebalance, a mix engineer riding a fader on a stem) compares against the original at the same
loudness and delivers at it; a quieter remix reads as "worse" in every A/B and gets turned up by
streaming normalisation anyway, without the true-peak care taken here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jazzremix_gui.core.audio.limiter import TruePeakTracker, db_to_lin, lin_to_db
from jazzremix_gui.core.audio.loudness import GATE_BLOCK_S, MIN_RATE, BackgroundMeter

LOUDNESS_MODES = ("match", "keep")
#: How close ``match`` gets (LU); a result further off is said.
TOLERANCE_LU = 0.5


#: Why a match fell short other than the ceiling, by clip mode (``{}``: the ceiling in dBTP).
TOOK_THE_REST = {"limit": "the limiter took the rest", "rescale": "rescaling to {:g} dBTP took the rest"}


class RemixMeter:
    """Loudness and true peak of a stereo signal pushed block by block (``write``, like a writer).

    The loudness is measured on a thread of its own (:class:`core.audio.loudness.BackgroundMeter`)
    beside the true peak; :meth:`close` ends it when the pass is abandoned.
    """

    def __init__(self, rate: int, channels: int = 2):
        self.loudness = BackgroundMeter(rate, channels)
        self.tracker = TruePeakTracker(channels)
        self.peak = 0.0

    def write(self, block) -> None:
        self.loudness.push(block)
        _, tp = self.tracker.push(block)
        self.peak = max(self.peak, float(tp.max(initial=0.0)))

    def finish(self) -> tuple[float, float]:
        """``(integrated loudness LUFS, true peak linear)``."""
        self.peak = max(self.peak, float(self.tracker.finish()[1].max(initial=0.0)))
        return self.loudness.integrated(), self.peak

    def close(self) -> None:
        """End the loudness thread without a figure (idempotent)."""
        self.loudness.close()


@dataclass
class LoudnessMatch:
    """What ``match`` found and did (LUFS, dB)."""

    input_lufs: float
    remix_lufs: float  # the remix as computed, before the gain
    gain_db: float
    ceiling_db: float
    output_lufs: float | None = None  # measured in the written file
    unmeasurable: str = ""  # why nothing could be matched (a rate too low for BS.1770)
    remix_peak: float = 0.0  # the remix's true peak as computed, before the gain (linear; 0: not measured)

    @property
    def output_peak(self) -> float | None:
        """The true peak of the remix times the gain (linear): what the writer gets; None when not measured."""
        return self.remix_peak * db_to_lin(self.gain_db) if self.remix_peak > 0 else None

    @property
    def wanted_db(self) -> float:
        return self.input_lufs - self.remix_lufs

    @property
    def held_by_ceiling(self) -> bool:
        return self.gain_db < self.wanted_db - 1e-6

    def describe(self, clip_mode: str = "limit") -> str:
        """One line: the loudness of the recording and of the remix, and what the ceiling and the clip mode
        (:mod:`core.audio.headroom`) allowed."""
        if self.unmeasurable:
            return f"loudness: {self.unmeasurable}; kept as computed"
        if not (math.isfinite(self.input_lufs) and math.isfinite(self.remix_lufs)):
            return "loudness: silent, nothing to match"
        out = self.output_lufs if self.output_lufs is not None else self.remix_lufs + self.gain_db
        line = (f"loudness: recording {self.input_lufs:.1f} LUFS, remix {out:.1f} LUFS "
                f"({self.gain_db:+.1f} dB to match)")
        short = self.input_lufs - out
        if short > TOLERANCE_LU:
            why = f"the {self.ceiling_db:g} dBTP ceiling allowed no more" if self.held_by_ceiling else \
                TOOK_THE_REST.get(clip_mode, f"the clip mode {clip_mode} took the rest").format(self.ceiling_db)
            line += f"; {short:.1f} LU quieter than the recording: {why}"
        return line


def match_gain(input_lufs: float, remix_lufs: float, remix_peak: float, ceiling_db: float) -> LoudnessMatch:
    """The gain that brings ``remix_lufs`` to ``input_lufs`` without lifting the true peak ``remix_peak`` (linear)
    above ``ceiling_db``; a remix already above the ceiling is only ever turned down."""
    if not (math.isfinite(input_lufs) and math.isfinite(remix_lufs)):
        return LoudnessMatch(input_lufs, remix_lufs, 0.0, ceiling_db)
    wanted = input_lufs - remix_lufs
    room = max(0.0, ceiling_db - lin_to_db(remix_peak)) if remix_peak > 0 else wanted
    return LoudnessMatch(input_lufs, remix_lufs, min(wanted, room), ceiling_db, remix_peak=remix_peak)


def not_measurable(rate: int, ceiling_db: float, frames: int | None = None) -> LoudnessMatch | None:
    """A match that did nothing because BS.1770 cannot measure at ``rate`` Hz (below :data:`MIN_RATE`) or, with
    ``frames``, a recording shorter than its first 400 ms gating block; else None."""
    if rate >= MIN_RATE and (frames is None or frames >= GATE_BLOCK_S * rate):
        return None
    why = (f"not measurable at {rate:,} Hz (BS.1770 needs {MIN_RATE:,} Hz or more)" if rate < MIN_RATE else
           f"too short to measure ({frames / rate:.2f} s; BS.1770 needs {GATE_BLOCK_S:g} s or more)")
    return LoudnessMatch(math.nan, math.nan, 0.0, ceiling_db, unmeasurable=why)


def apply(block, match: LoudnessMatch | None):
    """``block`` times the match's gain (unchanged without a match)."""
    if match is None or match.gain_db == 0.0:
        return block
    return block * db_to_lin(match.gain_db)
