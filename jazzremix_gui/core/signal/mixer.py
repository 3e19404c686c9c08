"""Mixer decoding: per-frame posteriors -> per-track and per-section pan/gain suggestions.

The paper sums the per-frame posteriors over the track and takes the maximum. Here
frames where the solo is silent do not vote (their weight is 0), and on top of the
per-track choice the track is split into sections where the solo enters or leaves,
each with its own posterior and choice (pan/gain automation).

The mixer runs as a stream (:class:`MixerStream`): 44.1 kHz solo and accompaniment blocks
go in as the separator produces them, so a recording of any length is analysed in one
pass with bounded memory (the per-frame posteriors are kept as means over slots of
:data:`SLOT` frames, 0.2 kB a frame).

A suggestion is *clear* when the solo is present (at least :data:`MIN_SOLO_SHARE_DB` of the
recording's energy), plays for at least :data:`MIN_ACTIVE_S` seconds and
the posterior's mass within one cell of its top cell (the *confidence*, see
:func:`confidence`) is at least :data:`MIN_CONFIDENCE`. Otherwise the mixer has nothing
firm to say and the suggestion is "kept as recorded": the solo's recorded pan, gain 1.0.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import codebook, features
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.signal.panlaw import SOLO_LEVEL_DEFAULT
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal.sections import MIN_ACTIVE_S, Section, decide, find_sections
from jazzremix_gui.core.signal.stft import HALF, first_centre, frame_centre, frame_count

#: A frame votes when its solo energy is within this many dB of the loud frames.
ACTIVITY_RANGE_DB = 35.0
#: Frames per mixer call (a multiple of :data:`SLOT`).
MIXER_BLOCK = 512
#: Frames per stored posterior: the per-frame posteriors are kept as means over slots of this many
#: frames (0.19 s at hop 1024), so an hour keeps 31 MB of them; votes still count frame by frame.
SLOT = 8
#: Samples fed per step when the stems are already in memory (:func:`run_mixer`).
FEED_BLOCK = 1 << 17

#: The solo counts as absent when the separator finds less than this share of the recording's energy in it
#: (dB). Measured with sep-mask-1.1: mixtures of the nine real segments -2.7 .. -10.8 dB, accompaniment-only
#: synthetic tracks -11 .. -22 dB (a comping piano or horn backgrounds still read partly as "solo").
#: Rechecked with sep-mask-2.0 (scripts/solo_share_check.py, docs/solo_share_check.json): real segments
#: -2.7 .. -12.4 dB, 12 synth-2.0 mixtures -14.2 .. -3.0 dB (2 under), their accompaniments alone
#: -29.2 .. -8.1 dB (2 over): no threshold separates the two, -13 dB still errs least. Again with sep-mask-3.0
#: (``--synth data/val-v2-20s``): real segments -2.6 .. -12.6 dB, mixtures -13.2 .. -3.2 dB (1 under),
#: accompaniments alone -23.3 .. -8.0 dB (3 over); -13 dB kept. With sep-mask-3.2: real segments -2.6 .. -11.7 dB,
#: mixtures -13.3 .. -3.0 dB (1 under), accompaniments alone -23.2 .. -8.2 dB (4 over); -13 dB kept. With
#: sep-mask-3.3: real segments -2.6 .. -11.5 dB, mixtures -13.2 .. -2.9 dB (1 under), accompaniments alone
#: -22.9 .. -8.0 dB (3 over); -13 dB kept. With sep-mask-3.4: real segments -2.6 .. -11.8 dB, mixtures
#: -13.1 .. -2.8 dB (1 under), accompaniments alone -24.0 .. -8.1 dB (3 over); -13 dB kept.
MIN_SOLO_SHARE_DB = -13.0
#: Text shown when there is nothing firm to suggest.
KEPT_AS_RECORDED = "no clear suggestion: kept as recorded"
#: Below this much solo (seconds) a recording has "no solo heard"; from it on, too little to judge.
HEARD_S = 0.05


def short_of_solo(active_s: float) -> str:
    """Why ``active_s`` seconds of solo (below :data:`MIN_ACTIVE_S`) give no suggestion."""
    if active_s < HEARD_S:
        return f"no solo heard (solo active {active_s:.1f} s)"
    # rounded down: 2.97 s is not "3.0 s heard, a suggestion needs 3 s"; 0.05 s is not "0.1 s"
    heard = f"{math.floor(active_s * 10) / 10:.1f}" if active_s >= 1 else f"{math.floor(active_s * 100) / 100:.2f}"
    return f"too little solo to judge: {heard} s heard, a suggestion needs {MIN_ACTIVE_S:g} s"


@dataclass
class Suggestion:
    """What the mixer proposes.

    Attributes
    ----------
    posterior : np.ndarray [shape=(19, 21)]
        Joint distribution over (pan, gain), rows pan -45..45 deg, columns gain 0..2; sums to 1.
    pan_deg, gain : float
        What the app proposes: the top cell's pan (degrees) and gain (relative to the
        recording) when the suggestion is clear, else the recorded pan and gain 1.0.
    frame_posteriors : np.ndarray [shape=(T, 399), dtype=float32]
        Posteriors over time: means over slots of :data:`SLOT` frames.
    frame_times : np.ndarray [shape=(T,)]
        Centre of each slot in seconds.
    active : np.ndarray [shape=(T,), dtype=bool]
        Slots where the solo plays (most of their frames vote).
    sections : list of Section
    model_version : str
    confidence : float
        Posterior mass within one cell of the top cell (0..1).
    clear : bool
        False: "no clear suggestion: kept as recorded".
    recorded_pan_deg : float
        The solo's pan in the recording (degrees).
    """

    posterior: np.ndarray
    pan_deg: float
    gain: float
    frame_posteriors: np.ndarray
    frame_times: np.ndarray
    active: np.ndarray
    sections: list = field(default_factory=list)
    model_version: str = ""
    confidence: float = 1.0
    clear: bool = True
    recorded_pan_deg: float = 0.0
    #: Seconds of solo the decision heard (at most the recording's length); None: not kept (see ``active_seconds``).
    active_s: float | None = None

    @property
    def cell(self) -> int:
        """The mixer's own choice: the posterior's top cell (whether or not the suggestion is clear)."""
        return codebook.argmax_cell(self.posterior)

    @property
    def active_seconds(self) -> float:
        """Seconds of solo the decision heard (``active_s``; a suggestion made before it was kept: from the slots)."""
        if self.active_s is not None:
            return self.active_s
        if self.frame_times.shape[0] < 2:
            return 0.0
        return float(self.active.sum() * (self.frame_times[1] - self.frame_times[0]))

    @property
    def status(self) -> str:
        """One line for people: the confidence, or why nothing firm is suggested."""
        if self.clear:
            return f"confidence {100 * self.confidence:.0f} %"
        return KEPT_AS_RECORDED

    @property
    def reason(self) -> str:
        """Why the suggestion is not clear ('' when it is)."""
        if self.clear:
            return ""
        if self.active_seconds < MIN_ACTIVE_S:
            return short_of_solo(self.active_seconds)
        return f"the mixer is unsure (confidence {100 * self.confidence:.0f} %)"

    def to_json(self) -> dict:
        """JSON-ready dict: ``pan_deg``, ``gain``, ``posterior`` (19 x 21), confidence, clarity, sections, model."""
        mix_pan, mix_gain = codebook.cell_to_pan_gain(self.cell)
        return {
            "pan_deg": self.pan_deg,
            "gain": self.gain,
            "gain_db": float(20 * np.log10(max(self.gain, 1e-6))),
            "clear": self.clear,
            "kept_as_recorded": not self.clear,
            "status": self.status,
            "reason": self.reason,
            "confidence": round(float(self.confidence), 4),
            "recorded_pan_deg": round(float(self.recorded_pan_deg), 2),
            "mixer_pan_deg": mix_pan,
            "mixer_gain": mix_gain,
            "cell": self.cell,
            "solo_active_s": round(self.active_seconds, 2),
            "posterior": self.posterior.tolist(),
            "sections": [s.to_json() for s in self.sections],
            "model_version": self.model_version,
        }


def activity_from_energy(energy: np.ndarray, range_db: float = ACTIVITY_RANGE_DB) -> np.ndarray:
    """Frames where the solo plays: frame energy within ``range_db`` of the 95th percentile.

    Parameters
    ----------
    energy : np.ndarray [shape=(T,)]
        Solo energy per frame (sum of squared magnitudes).

    Returns
    -------
    np.ndarray [shape=(T,), dtype=bool]
    """
    energy = np.asarray(energy, np.float64)
    if energy.size == 0 or energy.max() <= 1e-14:
        return np.zeros(energy.shape, bool)
    db = 10 * np.log10(energy + 1e-20)
    return db > np.percentile(db, 95) - range_db


def activity(solo_mag: np.ndarray, range_db: float = ACTIVITY_RANGE_DB) -> np.ndarray:
    """:func:`activity_from_energy` of a magnitude spectrogram ``solo_mag`` [shape=(T, F)]."""
    return activity_from_energy((solo_mag.astype(np.float64) ** 2).sum(axis=1), range_db)


class MixerStream:
    """Push 44.1 kHz solo and accompaniment blocks in as they come; :meth:`finish` decodes the suggestion.

    Parameters
    ----------
    model : SessionLike
        A mixer.
    n_samples : int
        Total length of the stems at 44.1 kHz.
    solo_level : float or callable
        The solo's recorded-level factor ``k`` (gain convention; the ``mixer_features`` input
        depends on it), or a function returning the current estimate (while separating, the
        engine's running :attr:`core.signal.separation.RecordedSolo.level`), read at each block.
    """

    def __init__(self, model: SessionLike, n_samples: int, solo_level=SOLO_LEVEL_DEFAULT):
        self.model, self.n = model, int(n_samples)
        self.solo_level = solo_level
        self.hop, self.ctx = model.meta.hop, model.meta.context_frames
        self.n_frames = frame_count(self.n, self.hop)
        self.n_slots = -(-self.n_frames // SLOT)
        self.posts = np.zeros((self.n_slots, codebook.N_CELLS), np.float32)  # sums over each slot's frames
        self.energy = np.zeros(self.n_frames)
        self._solo = np.zeros(0, np.float32)
        self._acc = np.zeros((0, 2), np.float32)  # stereo: mixer inputs may read each channel
        self._off = 0  # global index of the buffers' first sample
        self._received = 0
        self._t = 0  # next frame to compute
        # the rows of frames _kept_from .. (already computed: the next block's left context)
        self._kept_from, self._kept = 0, None
        # push_accompaniment_rows: the accompaniment's rows of frames _acc_from .. _acc_end - 1 (None: from push())
        self._acc_rows, self._acc_from, self._acc_end = None, 0, 0

    @property
    def fraction_done(self) -> float:
        return self._t / self.n_frames if self.n_frames else 1.0

    def push(self, solo: np.ndarray, accompaniment: np.ndarray) -> None:
        """Add ``solo`` [shape=(m,)] and ``accompaniment`` [shape=(m, 2)] samples at 44.1 kHz."""
        self._solo = np.concatenate([self._solo, np.asarray(solo, np.float32)])
        if self._acc_rows is None:
            acc = np.asarray(accompaniment, np.float32)
            self._acc = np.concatenate([self._acc, acc if acc.ndim == 2 else np.repeat(acc[:, None], 2, axis=1)])
        self._received += solo.shape[0]
        self._run(final=self._all_in())

    def push_accompaniment_rows(self, first: int, rows: np.ndarray) -> None:
        """Take the accompaniment's rows of frames ``first ..`` from the separator's own spectra
        (:func:`core.signal.features.separation_accompaniment`, made by the separation's synthesiser) instead
        of transforming the accompaniment :meth:`push` gets (which it then ignores). Frames come in order, once."""
        if first != self._acc_end:
            raise ValueError(f"MixerStream: accompaniment rows from frame {first}, expected {self._acc_end}")
        self._acc_rows = rows if self._acc_rows is None else np.concatenate([self._acc_rows, rows])
        self._acc_end += rows.shape[0]
        self._run(final=self._all_in())

    def _all_in(self) -> bool:
        return self._received >= self.n and (self._acc_rows is None or self._acc_end >= self.n_frames)

    def _ready(self, final: bool) -> int:
        """Frames whose model input (with context) is fully available."""
        if final:
            return self.n_frames
        last = (self._received - 1 - HALF - first_centre(self.hop)) // self.hop - self.ctx
        if self._acc_rows is not None:
            last = min(last, self._acc_end - 1 - self.ctx)
        return int(max(0, min(self.n_frames, last + 1)))

    def _run(self, final: bool) -> None:
        ready = self._ready(final)
        while self._t < ready and (ready - self._t >= MIXER_BLOCK or final):
            a, b = self._t, min(self._t + MIXER_BLOCK, ready)
            lo, hi = max(0, a - self.ctx), min(self.n_frames, b + self.ctx)
            level = self.solo_level() if callable(self.solo_level) else self.solo_level
            rows = self._rows(lo, hi, max(lo, b - self.ctx))
            # the context frames only feed the features' running means: the mixers are per frame, so the
            # network hears the block's own frames (a third of the rows a block's features span)
            feats = features.features_from_rows(rows, self.model.meta.input_kind, level)[a - lo : b - lo]
            post = np.maximum(self.model.run(feats), 0)
            post /= np.maximum(post.sum(axis=1, keepdims=True), 1e-12)
            self.posts[a // SLOT : a // SLOT + -(-(b - a) // SLOT)] = np.add.reduceat(post, np.arange(0, b - a, SLOT))
            self.energy[a:b] = rows[2][a - lo : b - lo]
            self._t = b
            # rows of frames up to hi are kept (:meth:`_rows`): the next block transforms frames from hi on,
            # so the samples before hi's window can go (keeping 2 ctx frames of samples cost a copy of them a push)
            drop = max(0, frame_centre(hi, self.hop) - HALF - self._off)
            if drop:
                self._solo, self._acc = self._solo[drop:], self._acc[drop:]
                self._off += drop

    def _rows(self, lo: int, hi: int, keep_from: int) -> tuple:
        """:func:`core.signal.features.rows_from_spectra` of frames ``lo .. hi-1``: the frames a block shares with
        the previous one (the context, ``2 ctx`` frames) are kept from it, only the new ones are transformed and
        summed; frames from ``keep_from`` on are kept for the next block. Each frame's row depends on that frame
        alone, so the rows are the same bits as those of all frames computed at once."""
        start, parts, kind = lo, [], self.model.meta.input_kind
        if self._kept is not None and self._kept_from <= lo < self._kept_from + len(self._kept[0]):
            k = lo - self._kept_from
            parts.append(tuple(None if x is None else x[k:hi - self._kept_from] for x in self._kept))
            start = self._kept_from + len(self._kept[0])
        if start < hi and self._acc_rows is not None:  # the accompaniment's rows came from the separator
            solo, energy = features.solo_rows(features.mid_magnitude(self._solo, self.hop, start, hi, self._off),
                                              kind)
            acc = self._acc_rows[start - self._acc_from:hi - self._acc_from]
            self._acc_rows, self._acc_from = self._acc_rows[hi - self._acc_from:], hi
            parts.append((solo, acc, energy))
        elif start < hi:
            spectra = features.frame_spectra(self._solo, self._acc, self.hop, kind, start, hi, self._off)
            parts.append(features.rows_from_spectra(*spectra, kind))
        rows = parts[0] if len(parts) == 1 else tuple(
            None if parts[0][i] is None else np.concatenate([p[i] for p in parts]) for i in range(3))
        k = keep_from - lo
        self._kept_from, self._kept = keep_from, tuple(None if x is None else x[k:].copy() for x in rows)
        return rows

    def finish(self, recorded_pan_deg: float = 0.0, solo_share_db: float = 0.0) -> Suggestion:
        """Compute what is left and decode: the track's posterior, its choice, the sections.

        ``solo_share_db`` (:attr:`core.signal.separation.RecordedSolo.share_db`) below
        :data:`MIN_SOLO_SHARE_DB` means no soloist: no frame votes, nothing firm is suggested.
        """
        self._run(final=True)
        active = activity_from_energy(self.energy)
        if not solo_share_db >= MIN_SOLO_SHARE_DB:
            active[:] = False
        starts = np.arange(0, self.n_frames, SLOT)
        count = np.diff(np.append(starts, self.n_frames)).astype(np.float64)
        posts = self.posts / count[:, None].astype(np.float32)
        votes = np.add.reduceat(active.astype(np.float64), starts) / count if self.n_frames else np.zeros(0)
        times = np.add.reduceat(features.frame_times(self.n_frames, self.hop), starts) / count if self.n_frames else votes
        posterior = codebook.aggregate(posts, votes * count)
        dt, duration = self.hop / MODEL_RATE, self.n / MODEL_RATE
        active_s = min(float(active.sum()) * dt, duration)  # the frames reach past the ends: never more than heard
        d = decide(posterior, active_s, recorded_pan_deg)
        sections = find_sections(posts, votes, times, recorded_pan_deg, d, duration)
        if active_s < MIN_ACTIVE_S:  # too little solo for the track: none of its parts is judged either (a section
            # of 2.97 s once read clear under a track that said "too little solo")
            sections = [dataclasses.replace(s, pan_deg=d.pan_deg, gain=d.gain, clear=False) for s in sections]
        return Suggestion(posterior, d.pan_deg, d.gain, posts, times, votes >= 0.5, sections,
                          self.model.meta.version, d.confidence, d.clear, float(recorded_pan_deg), active_s)


def run_mixer(model: SessionLike, solo: np.ndarray, accompaniment: np.ndarray, rate: int,
              report: Reporter | None = None, recorded_pan_deg: float = 0.0,
              solo_share_db: float = 0.0, solo_level: float = SOLO_LEVEL_DEFAULT) -> Suggestion:
    """Run the mixer over stems held in memory and decode its suggestion.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
    accompaniment : np.ndarray [shape=(n, 2)]
    rate : int
        Sample rate of the stems in Hz.
    recorded_pan_deg : float
        The solo's recorded pan (what "kept as recorded" keeps).
    solo_share_db : float
        The solo's share of the recording's energy (0: assume present).
    solo_level : float
        The solo's recorded-level factor ``k`` (``Stems.solo_level``).
    """
    report = report or Reporter()
    solo44 = audio_io.resample(solo, rate, MODEL_RATE)
    acc44 = audio_io.resample(accompaniment, rate, MODEL_RATE)
    stream = MixerStream(model, solo44.shape[0], solo_level)
    for i in range(0, solo44.shape[0], FEED_BLOCK):
        stream.push(solo44[i : i + FEED_BLOCK], acc44[i : i + FEED_BLOCK])
        report(stream.fraction_done, "suggesting pan and gain")
    return stream.finish(recorded_pan_deg, solo_share_db)


__all__ = ["Suggestion", "Section", "MixerStream", "run_mixer", "activity", "activity_from_energy",
           "KEPT_AS_RECORDED", "MIN_ACTIVE_S"]
