"""Remixing augmentation: new mixtures from the known stems of different tracks.

Because every synthesised track comes with exact stems, a training example can pair
the solo of one track with the accompaniment of another, at a random offset and a
random level, and mix them in the time domain before the core's STFT. This multiplies
the variety of a one-hour dataset (the separator otherwise learns the 120 mixtures by
heart) at the cost of one STFT per example. A share ``1 - p_remix`` of the examples
stays the original, unaltered mixture.
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core import audio_io
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.features import mid_magnitude
from jazzremix_gui.core.stft import WIN_LEN, first_centre


class RemixSampler:
    """Random windows of ``length`` frames, half of them remixed across tracks.

    Parameters
    ----------
    dataset : path
        A DESIGN.md §3 dataset.
    length : int
        Frames per window.
    hop : int
    seed : int
    p_remix : float
        Share of examples whose solo and accompaniment come from different tracks.
    gain_db : float
        Remixed solos are scaled by a uniform random gain in ``[-gain_db, +gain_db]`` dB.

    Returns (from :meth:`batch`) ``(mix, solo)`` magnitudes, each ``(B, length, 2049)`` float32.
    """

    def __init__(self, dataset, length: int, hop: int, seed: int, p_remix: float = 0.5, gain_db: float = 6.0,
                 log=print):
        self.length, self.hop, self.p_remix, self.gain_db = length, hop, p_remix, gain_db
        self.rng = np.random.default_rng(seed)
        self.solo, self.acc = [], []
        for i, folder in enumerate(list_tracks(dataset)):
            s, _ = audio_io.read_audio(folder / "solo.wav")
            a, _ = audio_io.read_audio(folder / "accompaniment.wav")
            self.solo.append(s.mean(axis=1))
            self.acc.append(a.mean(axis=1))
            if (i + 1) % 40 == 0:
                log(f"remix sampler: {i + 1} tracks loaded")
        self.span = (length - 1) * hop + WIN_LEN  # samples covering `length` frames
        self.tracks = [i for i, s in enumerate(self.solo) if s.shape[0] > self.span]
        if not self.tracks:
            raise ValueError(f"no track is long enough for {length} frames")

    def _window(self, x: np.ndarray) -> np.ndarray:
        start = int(self.rng.integers(0, x.shape[0] - self.span))
        return x[start : start + self.span]

    def _pair(self) -> tuple[np.ndarray, np.ndarray]:
        i = int(self.rng.choice(self.tracks))
        if self.rng.random() >= self.p_remix:
            start = int(self.rng.integers(0, self.solo[i].shape[0] - self.span))
            return self.solo[i][start : start + self.span], self.acc[i][start : start + self.span]
        j = int(self.rng.choice(self.tracks))
        gain = np.float32(10 ** (self.rng.uniform(-self.gain_db, self.gain_db) / 20))
        return self._window(self.solo[i]) * gain, self._window(self.acc[j])

    def batch(self, size: int):
        solos, mixes = [], []
        for _ in range(size):
            s, a = self._pair()
            solos.append(s)
            mixes.append(s + a)
        # frames of a segment that starts at the first frame's left edge: frame k is centred at
        # sample 1024 + k hop of the segment, i.e. global frame k of a signal offset by first_centre
        offset = first_centre(self.hop) - (WIN_LEN // 2)
        both = np.stack(solos + mixes)  # (2B, span)
        mags = np.stack([mid_magnitude(x, self.hop, 0, self.length, offset) for x in both])
        return mags[size:].astype(np.float32), mags[:size].astype(np.float32)
