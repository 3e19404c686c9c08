"""Mixer decoding: per-frame posteriors -> per-track and per-section pan/gain suggestions.

The paper sums the per-frame posteriors over the track and takes the maximum. Here
frames where the solo is silent do not vote (their weight is 0), and on top of the
per-track choice the track is split into sections where the solo enters or leaves,
each with its own posterior and choice (pan/gain automation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jazzremix_gui.core import audio_io, codebook, features
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.sections import Section, find_sections
from jazzremix_gui.core.stft import frame_count

#: A frame votes when its solo energy is within this many dB of the loud frames.
ACTIVITY_RANGE_DB = 35.0
#: Frames per mixer call.
MIXER_BLOCK = 1024


@dataclass
class Suggestion:
    """What the mixer proposes.

    Attributes
    ----------
    posterior : np.ndarray [shape=(19, 21)]
        Joint distribution over (pan, gain), rows pan -45..45 deg, columns gain 0..2; sums to 1.
    pan_deg, gain : float
        The argmax cell's pan (degrees) and linear gain.
    frame_posteriors : np.ndarray [shape=(T, 399), dtype=float32]
    frame_times : np.ndarray [shape=(T,)]
        Centre of each frame in seconds.
    active : np.ndarray [shape=(T,), dtype=bool]
        Frames where the solo plays (the voters).
    sections : list of Section
    model_version : str
    """

    posterior: np.ndarray
    pan_deg: float
    gain: float
    frame_posteriors: np.ndarray
    frame_times: np.ndarray
    active: np.ndarray
    sections: list = field(default_factory=list)
    model_version: str = ""

    @property
    def cell(self) -> int:
        return codebook.pan_gain_to_cell(self.pan_deg, self.gain)

    def to_json(self) -> dict:
        """JSON-ready dict: ``pan_deg``, ``gain``, ``cell``, ``posterior`` (19 x 21 list), ``sections``, model."""
        return {
            "pan_deg": self.pan_deg,
            "gain": self.gain,
            "gain_db": float(20 * np.log10(max(self.gain, 1e-6))),
            "cell": self.cell,
            "posterior": self.posterior.tolist(),
            "sections": [s.to_json() for s in self.sections],
            "model_version": self.model_version,
        }


def activity(solo_mag: np.ndarray, range_db: float = ACTIVITY_RANGE_DB) -> np.ndarray:
    """Frames where the solo plays: frame energy within ``range_db`` of the 95th percentile.

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]

    Returns
    -------
    np.ndarray [shape=(T,), dtype=bool]
    """
    energy = (solo_mag.astype(np.float64) ** 2).sum(axis=1)
    db = 10 * np.log10(energy + 1e-20)
    if energy.size == 0 or energy.max() <= 1e-14:
        return np.zeros(energy.shape, bool)
    ref = np.percentile(db, 95)
    return db > ref - range_db


def run_mixer(model: SessionLike, solo: np.ndarray, accompaniment: np.ndarray, rate: int,
              report: Reporter | None = None, solo_level: float = features.SOLO_LEVEL_MIN) -> Suggestion:
    """Run the mixer over stems and decode its suggestion.

    Parameters
    ----------
    solo : np.ndarray [shape=(n,)]
    accompaniment : np.ndarray [shape=(n, 2)]
    rate : int
        Sample rate of the stems in Hz.
    solo_level : float
        The solo's recorded-level factor ``k`` (``Stems.solo_level``; gain convention).
    """
    report = report or Reporter()
    solo44 = audio_io.resample(solo, rate, MODEL_RATE)
    acc44 = audio_io.resample(accompaniment, rate, MODEL_RATE)
    hop, ctx = model.meta.hop, model.meta.context_frames
    n_frames = frame_count(solo44.shape[0], hop)
    posts = np.zeros((n_frames, codebook.N_CELLS), np.float32)
    energy = np.zeros(n_frames)
    for a in range(0, n_frames, MIXER_BLOCK):
        b = min(a + MIXER_BLOCK, n_frames)
        lo, hi = max(0, a - ctx), min(n_frames, b + ctx)
        feats, solo_mag = features.mixer_features(solo44, acc44, hop, model.meta.input_kind, lo, hi, solo_level)
        posts[a:b] = model.run(feats)[a - lo : b - lo]
        energy[a:b] = (solo_mag[a - lo : b - lo].astype(np.float64) ** 2).sum(axis=1)
        report(b / max(n_frames, 1), "suggesting pan and gain")
    posts = np.maximum(posts, 0)
    posts /= np.maximum(posts.sum(axis=1, keepdims=True), 1e-12)
    active = activity(np.sqrt(energy)[:, None])
    posterior = codebook.aggregate(posts, active.astype(np.float64))
    choice = codebook.Choice.from_posterior(posterior)
    times = features.frame_times(n_frames, hop)
    sections = find_sections(posts, active, times)
    return Suggestion(posterior, choice.pan_deg, choice.gain, posts, times, active, sections, model.meta.version)


__all__ = ["Suggestion", "Section", "run_mixer", "activity"]
