"""Training features: STFT magnitudes of a synthesised dataset (:mod:`core.signal.features`, as in use).

Each track of a DESIGN.md §3 dataset becomes arrays of frames (hop from the model):
the mixture's mid magnitude ``|(X_L + X_R) / 2|`` (the separator's input), the solo's
mid magnitude (its target) and the accompaniment's mid magnitude, stored as float16 in
one ``.npz`` cache per dataset and hop so later runs start at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.signal.features import mid_magnitude


@dataclass
class TrackFeatures:
    """Frames of one track.

    mix, solo, acc : np.ndarray [shape=(T, 2049), dtype=float16]
        Mid magnitudes of mixture, solo and accompaniment.
    """

    name: str
    mix: np.ndarray
    solo: np.ndarray
    acc: np.ndarray


def track_features(folder: Path, hop: int) -> TrackFeatures:
    mags = {}
    for stem in ("mixture", "solo", "accompaniment"):
        audio, _ = audio_io.read_audio(folder / f"{stem}.wav")
        mags[stem] = mid_magnitude(audio, hop).astype(np.float16)
    return TrackFeatures(folder.name, mags["mixture"], mags["solo"], mags["accompaniment"])


def _cache_key(tracks: list[Path], hop: int) -> str:
    h = hashlib.sha256(str(hop).encode())
    for t in tracks:
        st = (t / "mixture.wav").stat()
        h.update(f"{t.name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:16]


def load_dataset(dataset, hop: int, cache_dir: Path | None = None, log=print) -> list[TrackFeatures]:
    """Features of every track of a dataset, from the cache when it is current."""
    tracks = list_tracks(dataset)
    cache_dir = Path(cache_dir or Path(dataset))
    cache = cache_dir / f".features-hop{hop}-{_cache_key(tracks, hop)}.npz"
    if cache.exists():
        data = np.load(cache)
        return [TrackFeatures(t.name, data[f"{i}_mix"], data[f"{i}_solo"], data[f"{i}_acc"])
                for i, t in enumerate(tracks)]
    feats = []
    for i, t in enumerate(tracks):
        feats.append(track_features(t, hop))
        if (i + 1) % 20 == 0:
            log(f"features: {i + 1}/{len(tracks)} tracks")
    arrays = {}
    for i, f in enumerate(feats):
        arrays.update({f"{i}_mix": f.mix, f"{i}_solo": f.solo, f"{i}_acc": f.acc})
    with atomic_path(cache, ".npz") as tmp:
        np.savez(tmp, **arrays)
    return feats


class WindowSampler:
    """Random windows of ``length`` frames from a list of tracks, seeded.

    Returns batches ``(mix, solo)`` of shape ``(B, length, 2049)`` float32.
    """

    def __init__(self, tracks: list[TrackFeatures], length: int, seed: int):
        self.tracks = [t for t in tracks if t.mix.shape[0] >= length]
        if not self.tracks:
            raise ValueError(f"no track has {length} frames")
        self.length = length
        self.rng = np.random.default_rng(seed)
        sizes = np.array([t.mix.shape[0] - length + 1 for t in self.tracks], float)
        self.p = sizes / sizes.sum()

    def batch(self, size: int, with_acc: bool = False):
        mix, solo, acc = [], [], []
        for k in self.rng.choice(len(self.tracks), size=size, p=self.p):
            t = self.tracks[k]
            s = int(self.rng.integers(0, t.mix.shape[0] - self.length + 1))
            mix.append(t.mix[s : s + self.length])
            solo.append(t.solo[s : s + self.length])
            acc.append(t.acc[s : s + self.length])
        out = (np.stack(mix).astype(np.float32), np.stack(solo).astype(np.float32))
        return out + (np.stack(acc).astype(np.float32),) if with_acc else out
