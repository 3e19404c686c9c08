"""Training examples straight from the stems, optionally remixed across tracks.

Because every synthesised track comes with exact stems, a training example can pair
the solo of one track with the accompaniment of another, at a random offset and a
random level, and mix them in the time domain before the core's STFT. This multiplies
the variety of the data (the separator otherwise learns the mixtures by heart) at the
cost of one STFT per example and stem. A share ``1 - p_remix`` of the examples stays
the original, unaltered mixture.

Timbre augmentation (``timbre > 0``, separator v3): each stem of an example gets, with
probability ``timbre`` and independently of the other stem, a random spectral envelope
(tilt and one to three formant-like resonances, :func:`training.synth.timbre.colour_response`
with its ranges scaled by ``timbre_scale``), applied to its complex STFT before the two
stems are summed into the mixture. A separator then never sees the same instrument colour
twice, and the mixture stays the exact sum of the (coloured) stems.

Resampling augmentation (``resample > 0``, separator v3, experiment d): a stem excerpt is
played back faster or slower by a random factor ``2 ** (u / 12)``, ``u`` uniform in
``[-resample, +resample]`` semitones (soxr), which moves its pitch *and* its formants, as a
soundfont zone stretched over a wider key range or a smaller or larger instrument would:
timbres the soundfonts do not hold. An original (not remixed) example plays both stems at
one factor, as a record at the wrong speed; a remixed example draws one factor per stem.

Memory: the stems are memory-mapped (float32 WAVs as the synthesiser writes them), so
hours of audio cost page cache, not process memory; other WAV formats are read and
kept as float16 mono.

Steered examples (``steer > 0``, issue #21): the pan-aware step gives the network each block's channels
weighted toward the solo's side (:func:`core.signal.spatial.steering_gains`), so a share ``steer`` of the
examples is made the same way: the solo's direction read from its excerpt's channel energies, moved by a
Gaussian error of ``steer_noise_deg`` (the app reads it from the previous block's estimate), and mixture, solo and
accompaniment all taken as ``a_L X_L + a_R X_R`` instead of the mid. Needs the stems' channels (no mid cache).
A share ``steer_astray`` of the steered examples is steered at a direction drawn uniformly over 0..90 degrees
instead (the targets are still the solo and accompaniment as that input holds them): the app steers by its own
reading, which can be a horn's or a comping part's, and a network that only ever heard the solo where it was
steered learns to find it there whatever plays there (docs/SEPARATOR_V3.md, "The first block's direction").

Mid cache (``mid_cache=True``, what ``train-separator`` uses unless its examples keep both channels): a
mono example needs only each stem's mid, so the first use of a track writes ``train_mid.f16.npy`` beside its
stems (:data:`MID_CACHE`: the solo's and the accompaniment's ``(L + R) / 2`` as float16, shape ``(2, n)``;
written again when a stem is newer) and the sampler maps that instead: a quarter of the bytes, so 2,000
tracks of 20 s take 7 GB of page cache instead of 28 and a training run stops waiting on the disk
(``docs/SEPARATOR_V3.md``). float16 keeps 11 bits of each sample (a relative error under 2^-11, -66 dB).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr
from scipy.io import wavfile

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.evaluation import list_tracks
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.signal.features import mid
from jazzremix_gui.core.signal.spatial import steering_gains
from jazzremix_gui.core.signal.stft import N_FFT, WIN_LEN, first_centre, stft
from jazzremix_gui.training.pitch import f0_labels
from jazzremix_gui.training.synth.dataset import refuse_validation_set
from jazzremix_gui.training.synth.timbre import colour_response


def split_folders(spec) -> list[str]:
    """``"a,b"`` or ``["a", "b,c"]`` -> ``["a", "b", "c"]`` (training folders)."""
    items = [spec] if isinstance(spec, (str, Path)) else list(spec)
    return [s for item in items for s in str(item).split(",") if s]


def finished_tracks(dataset) -> list[Path]:
    """Tracks of a dataset; in a synthesiser folder only those whose ``meta.json`` is written
    (so a folder still being rendered can be used)."""
    tracks = list_tracks(dataset)
    if (Path(dataset) / "dataset.json").is_file():
        tracks = [t for t in tracks if (t / "meta.json").is_file()]
    return tracks


def _stem(path: Path):
    """Shape (n, c) view of a stem: memory-mapped when possible, else float16 in memory."""
    try:
        with warnings.catch_warnings():  # libsndfile's PEAK chunk is unknown to scipy and harmless
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            _, data = wavfile.read(str(path), mmap=True)
        if data.dtype == np.float32:
            return data if data.ndim == 2 else data[:, None]
    except (ValueError, OSError):
        pass
    audio, _ = audio_io.read_audio(path)
    return audio.astype(np.float16)


#: The mid cache's file name in a track folder (module docstring).
MID_CACHE = "train_mid.f16.npy"


def mid_cache(folder: Path) -> np.ndarray:
    """Shape ``(2, n)`` float16 memory map of a track's solo (row 0) and accompaniment (row 1) mids, the
    cache written beside the stems first when it is missing or older than either stem."""
    path, stems = folder / MID_CACHE, (folder / "solo.wav", folder / "accompaniment.wav")
    if not path.is_file() or path.stat().st_mtime < max(p.stat().st_mtime for p in stems):
        mids = [_read(_stem(p), 0, None, False) for p in stems]
        n = min(len(m) for m in mids)
        with atomic_path(path, suffix=".npy") as tmp:  # np.save would add ".npy" to another name
            np.save(tmp, np.stack([m[:n] for m in mids]).astype(np.float16))
    return np.load(path, mmap_mode="r")


def _read(x, start: int, length: int | None, stereo: bool) -> np.ndarray:
    """``length`` samples from ``start`` (None: to the end): mono ``(length,)``, or ``(length, 2)`` with ``stereo``
    (a mono stem doubled); ``x`` of shape ``(n,)`` is a mid already (the mid cache)."""
    seg = np.asarray(x[start : None if length is None else start + length], np.float32)
    if seg.ndim == 1:
        if stereo:
            raise ValueError("stereo examples need the stems' channels: a sampler with mid_cache=True has only mids")
        return seg
    if not stereo:
        return mid(seg)
    return np.repeat(seg, 2, axis=1) if seg.shape[1] == 1 else seg[:, :2]


class RemixSampler:
    """Random windows of ``length`` frames, a share ``p_remix`` of them remixed across tracks.

    Parameters
    ----------
    datasets : path or list of paths
        DESIGN.md §3 datasets (a comma-separated string also works).
    length : int
        Frames per window.
    hop : int
    seed : int
    p_remix : float
        Share of examples whose solo and accompaniment come from different tracks.
    gain_db : float
        Remixed solos are scaled by a uniform random gain in ``[-gain_db, +gain_db]`` dB.
    timbre : float
        Probability that a stem of an example gets a random spectral envelope (0: never).
    timbre_scale : float
        Scale of the envelope's tilt and resonance ranges (1: those of the synthesiser).
    resample : float
        Range of the resampling augmentation in semitones (0: off).
    mid_cache : bool
        Map each track's mid cache (:func:`mid_cache`, written at the first use) instead of its stems: mono
        examples only.
    steer : float
        Share of examples whose channels are weighted toward the solo instead of taken as the mid (module
        docstring; 0: none). Needs ``mid_cache=False``.
    steer_noise_deg : float
        Standard deviation of the error added to the solo's direction of a steered example, in degrees.
    steer_astray : float
        Share 0..1 of the steered examples steered at a uniformly drawn direction instead of the solo's.
    phase_sensitive : bool
        Targets projected on the mixture's phase (module docstring): ``solo + acc == mix`` bin by bin.
    stems : list of (np.ndarray, np.ndarray), optional
        Tracks held in memory instead of (or beside) dataset folders: each ``(solo, accompaniment)``, both
        ``(n, 2)`` float32 at 44.1 kHz (what :mod:`training.adapt` trains on: one recording's own stems).

    :meth:`batch` returns ``(mix, solo, acc)`` mid magnitudes, each ``(B, length, 2049)``
    float32 (``acc`` only with ``with_acc=True``); with ``stereo=True`` the examples keep both channels
    and the complex spectra come too (:class:`StereoSpectra`, for the loss through the pan-aware step).
    """

    def __init__(self, datasets, length: int, hop: int, seed: int, p_remix: float = 0.5, gain_db: float = 6.0,
                 log=print, timbre: float = 0.0, timbre_scale: float = 1.5, resample: float = 0.0,
                 mid_cache: bool = False, steer: float = 0.0, steer_noise_deg: float = 4.0,
                 steer_astray: float = 0.0, phase_sensitive: bool = False, stems=()):
        if steer > 0 and mid_cache:
            raise ValueError("steered examples need the stems' channels: a sampler with mid_cache=True has only mids")
        self.mid_cache, self.steer, self.steer_noise = mid_cache, steer, np.deg2rad(steer_noise_deg)
        self.steer_astray, self.phase_sensitive = steer_astray, phase_sensitive
        self.length, self.hop, self.p_remix, self.gain_db = length, hop, p_remix, gain_db
        self.timbre, self.timbre_scale, self.resample = timbre, timbre_scale, resample
        self.rng = np.random.default_rng(seed)
        self.datasets, self.log = split_folders(datasets), log
        self.solo, self.acc, self.folders, self.tracks = [], [], [], []
        self.span = (length - 1) * hop + WIN_LEN  # samples covering `length` frames
        self.longest = self._need(2 ** (resample / 12))  # samples read at the fastest factor
        for solo, acc in stems:
            self._add(solo, acc, None)
        self.refresh()
        if not self.tracks:
            raise ValueError(f"no track is long enough for {length} frames")

    def refresh(self) -> int:
        """Add the tracks finished since the last call (a folder still being rendered grows
        during training). Returns how many were added."""
        known, added = set(self.folders), 0
        for d in self.datasets:
            refuse_validation_set(d)
            new = [f for f in finished_tracks(d) if f not in known]
            for folder in new:
                if self.mid_cache:
                    mids = mid_cache(folder)
                    self._add(mids[0], mids[1], folder)
                else:
                    self._add(_stem(folder / "solo.wav"), _stem(folder / "accompaniment.wav"), folder)
            if new:
                self.log(f"remix sampler: {len(new)} tracks from {d} ({len(self.tracks)} in all)")
            added += len(new)
        return added

    def _add(self, solo, acc, folder) -> None:
        """One track's stems (a folder's, or held in memory: ``folder`` None); drawn from if long enough."""
        self.solo.append(solo)
        self.acc.append(acc)
        self.folders.append(folder)
        if min(solo.shape[0], acc.shape[0]) > self.longest:
            self.tracks.append(len(self.folders) - 1)

    @property
    def seconds(self) -> float:
        """Audio available to the sampler, in seconds (44.1 kHz)."""
        return float(sum(self.solo[i].shape[0] for i in self.tracks) / 44100)

    def _need(self, factor: float) -> int:
        """Samples to read for ``span`` output samples played ``factor`` times faster."""
        return self.span if factor == 1.0 else int(np.ceil(self.span * factor)) + 64

    def _factor(self) -> float:
        """A random playback-speed factor (1.0, drawing nothing, when the augmentation is off)."""
        return 1.0 if self.resample <= 0 else float(2 ** (self.rng.uniform(-self.resample, self.resample) / 12))

    def _start(self, x, factor: float = 1.0) -> int:
        return int(self.rng.integers(0, x.shape[0] - self._need(factor)))

    def _excerpt(self, x, start: int, factor: float, stereo: bool = False) -> np.ndarray:
        """Shape (span,) mono excerpt from ``start`` (``(span, 2)`` with ``stereo``), played ``factor`` times faster."""
        seg = _read(x, start, self._need(factor), stereo)
        if factor == 1.0:
            return seg
        return soxr.resample(seg, factor, 1.0, quality="MQ")[: self.span].astype(np.float32)

    def _pair(self, stereo: bool = False) -> tuple[np.ndarray, np.ndarray]:
        i = int(self.rng.choice(self.tracks))
        if self.rng.random() >= self.p_remix:
            f = self._factor()
            start = self._start(self.solo[i], f)
            return self._excerpt(self.solo[i], start, f, stereo), self._excerpt(self.acc[i], start, f, stereo)
        j = int(self.rng.choice(self.tracks))
        gain = np.float32(10 ** (self.rng.uniform(-self.gain_db, self.gain_db) / 20))
        fs, fa = self._factor(), self._factor()
        return self._excerpt(self.solo[i], self._start(self.solo[i], fs), fs, stereo) * gain, \
            self._excerpt(self.acc[j], self._start(self.acc[j], fa), fa, stereo)

    def _colour_draw(self) -> np.ndarray | None:
        """A stem's random spectral envelope, ``(2049,)`` float32, with probability ``timbre``; else None."""
        if self.timbre <= 0 or self.rng.random() >= self.timbre:
            return None
        mag, _ = colour_response(N_FFT, self.rng, scale=self.timbre_scale)
        return mag.astype(np.float32)

    def _coloured(self, x: np.ndarray, offset: int, colour: np.ndarray | None) -> np.ndarray:
        """The spectra of excerpt ``x``, ``(T, 2049)`` or ``(T, 2, 2049)`` complex64, times ``colour`` if any."""
        spec = stft(x, self.hop, 0, self.length, offset)
        if colour is not None:
            np.multiply(spec, colour, out=spec)
        return spec

    def _spectra(self, parts, offset: int) -> np.ndarray:
        """The coloured spectra of excerpts ``parts``, ``(B, T, 2049)`` or ``(B, T, 2, 2049)`` complex64, each
        written into its row (no stacked copy)."""
        out = None
        for b, x in enumerate(parts):
            spec = self._coloured(x, offset, self._colour_draw())
            if out is None:
                out = np.empty((len(parts),) + spec.shape, spec.dtype)
            out[b] = spec
        return out

    def batch(self, size: int, with_acc: bool = False, with_pitch: bool = False, stereo: bool = False):
        """``size`` examples: ``(mix, solo)`` or ``(mix, solo, acc)`` magnitudes, each
        ``(size, length, 2049)`` float32; ``with_pitch``: then the solo's pitch class per frame,
        ``(size, length)`` int64 (:func:`training.pitch.f0_labels` of the solo excerpt); ``stereo``: then
        the examples' :class:`StereoSpectra` last (the magnitudes are their mids, as in mono)."""
        channels = stereo or self.steer > 0
        solos, accs = zip(*(self._pair(channels) for _ in range(size)))
        extra = (np.stack([f0_labels(mid(x), self.hop, self.length)
                           for x in solos]),) if with_pitch else ()
        # frames of a segment that starts at the first frame's left edge: frame k is centred at
        # sample 1024 + k hop of the segment, i.e. global frame k of a signal offset by first_centre
        offset = first_centre(self.hop) - (WIN_LEN // 2)
        if not stereo:
            return self._magnitudes(solos, accs, offset, channels, with_acc) + extra
        s_spec, a_spec = self._spectra(solos, offset), self._spectra(accs, offset)
        s_mid = s_spec.mean(axis=2)
        extra += (StereoSpectra(s_spec + a_spec, s_mid, a_spec),)
        mix, solo, acc = self._targets(s_mid, a_spec.mean(axis=2))  # mids: what the network hears
        return ((mix, solo, acc) if with_acc else (mix, solo)) + extra

    def _targets(self, s_spec: np.ndarray, a_spec: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(mix, solo, acc)`` float32 magnitudes of the solo's and the accompaniment's spectra (any shape): the
        mixture's, and the stems' (or, ``phase_sensitive``, the solo's projected on the mixture's phase)."""
        x_spec = s_spec + a_spec
        mix = np.abs(x_spec)  # float32, as the complex64 spectra
        if self.phase_sensitive:
            proj = (s_spec.real * x_spec.real + s_spec.imag * x_spec.imag) / np.maximum(mix, np.float32(1e-12))
            solo = np.clip(proj, 0.0, mix).astype(np.float32)
            return mix, solo, mix - solo
        return mix, np.abs(s_spec), np.abs(a_spec)

    def _magnitudes(self, solos, accs, offset: int, channels: bool, with_acc: bool) -> tuple:
        """``(mix, solo[, acc])`` of mono batches, ``(B, T, 2049)`` float32, made one example at a time while its
        spectra are in cache: colour, steering (``channels``: the mid or weighted toward the solo) and magnitudes.
        The random draws come first, in the order of a whole batch's steps (every solo's colour, every
        accompaniment's, every steering), so the batches are those the steps one after the other make."""
        colours = [self._colour_draw() for _ in solos] + [self._colour_draw() for _ in accs]
        steering = [self._steering_draw() for _ in solos] if channels else None
        size = len(solos)
        out = [np.empty((size, self.length, N_FFT // 2 + 1), np.float32) for _ in range(3 if with_acc else 2)]
        for b in range(size):
            s_spec = self._coloured(solos[b], offset, colours[b])
            a_spec = self._coloured(accs[b], offset, colours[size + b])
            if channels:
                gains = self._steering_gains(s_spec, steering[b])[None]  # (1, 2)
                s_spec, a_spec = _weighted(s_spec[None], gains)[0], _weighted(a_spec[None], gains)[0]
            for row, target in zip(out, self._targets(s_spec, a_spec)):
                row[b] = target
        return tuple(out)


    def _steering_draw(self) -> tuple[str, float]:
        """An example's steering draws: ``("mid", 0)`` (a share ``1 - steer``), ``("astray", direction)`` (a share
        ``steer_astray`` of the steered ones: a uniformly drawn direction, radians) or ``("read", error)`` (the
        solo's direction plus this Gaussian error, radians)."""
        if self.rng.random() >= self.steer:
            return "mid", 0.0
        if self.steer_astray > 0 and self.rng.random() < self.steer_astray:  # the app's reading gone astray
            return "astray", float(self.rng.uniform(0.0, np.pi / 2))
        return "read", float(self.rng.normal(0.0, self.steer_noise))

    @staticmethod
    def _steering_gains(s_spec: np.ndarray, draw: tuple[str, float]) -> np.ndarray:
        """``(2,)`` float32 channel weights of an example's input for its :meth:`_steering_draw`: the mid's ``(0.5,
        0.5)``, or :func:`core.signal.spatial.steering_gains` at the drawn direction, or at the solo's (its
        channels' energies in ``s_spec``, ``(T, 2, F)``) plus the drawn error."""
        kind, value = draw
        if kind == "mid":
            return np.full(2, 0.5, np.float32)
        if kind == "astray":
            return np.asarray(steering_gains(value, 1.0), np.float32)
        e = np.einsum("tcf,tcf->c", s_spec.real, s_spec.real) + np.einsum("tcf,tcf->c", s_spec.imag, s_spec.imag)
        theta = float(np.arctan2(np.sqrt(e[1]), np.sqrt(e[0]))) if e.sum() > 0 else float(np.pi / 4)
        return np.asarray(steering_gains(float(np.clip(theta + value, 0.0, np.pi / 2)), 1.0), np.float32)


def _weighted(spec: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """``(B, T, 2049)``: the channels of ``spec`` ``(B, T, 2, 2049)`` weighted by ``gains`` ``(B, 2)`` and summed
    (the same sums as a broadcast product summed over the channels, without its temporary of the whole batch)."""
    out = spec[:, :, 0] * gains[:, None, None, 0]
    out += spec[:, :, 1] * gains[:, None, None, 1]
    return out


@dataclass
class StereoSpectra:
    """Complex spectra of a stereo batch (:meth:`RemixSampler.batch` with ``stereo=True``).

    mix : np.ndarray [shape=(B, T, 2, 2049), dtype=complex64]
        The mixture's channels ``X_c``.
    solo_mid : np.ndarray [shape=(B, T, 2049), dtype=complex64]
        The solo's mid ``(S_L + S_R) / 2``: what the mono solo stands for.
    acc : np.ndarray [shape=(B, T, 2, 2049), dtype=complex64]
        The accompaniment's channels ``A_c``.
    """

    mix: np.ndarray
    solo_mid: np.ndarray
    acc: np.ndarray
