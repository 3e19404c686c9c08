"""A mono recording's solo kept to the partials of its own pitch (diagnostics and rules r28, r32; docs/SEPARATOR_V3.md).

A mono recording has no side for the pan-aware step to read: the network alone separates it (r9), and what it
gives the solo between the solo's partials is mostly the band. YIN (:mod:`core.signal.pitch`) reads the separated
solo's F0 frame by frame; where it is voiced, the solo's STFT is weighted by ``FLOOR + (1 - FLOOR) comb(f0)``, a
harmonic comb of Gaussian bumps on every partial up to :data:`TOP_HZ` (1.5 bins wide plus :data:`REL_WIDTH` of the
partial's frequency), and where it is not, by :data:`UNVOICED` (rule r32: on unseen material those frames of a mono
separation hold more of the band's bleed than of the solo, and turning them down lowers the solo's error energy);
what that takes out goes to the accompaniment, so the stems still add up to the recording. On stereo recordings
the edit loses (r24, r33): it is for mono ones only.

:class:`PitchComb` does it block by block with a latency of :data:`LATENCY` samples, the same samples whatever the
blocks (tested against :func:`comb_solo` on the whole signal).
"""

from __future__ import annotations

import numpy as np

from jazzremix_gui.core.constants import MODEL_RATE, N_BINS, N_FFT
from jazzremix_gui.core.signal.near_mono import INCOHERENT_DB, LIMIT_DB, STAY_DB, STAY_INCOHERENT_DB
from jazzremix_gui.core.signal.pitch import WINDOW, f0_hz
from jazzremix_gui.core.signal.stft import HALF, frame_count, istft, overlap_add, stft

#: Hop of the comb's frames (samples at 44.1 kHz), the paper's.
HOP = 1024
#: Weight of the bins between the partials in voiced frames (rule r28's floor).
FLOOR = 0.3
#: Weight of every bin in the frames YIN calls unvoiced (rule r32).
UNVOICED = 0.5
#: Partials above this frequency (Hz) get no bump.
TOP_HZ = 16000.0
#: Each bump's width grows by this share of its partial's frequency (bins).
REL_WIDTH = 0.02
#: Samples a :class:`PitchComb` holds back: a sample is out once every frame whose window reaches it is done.
LATENCY = 2 * HALF + HOP


def comb(f0: np.ndarray, rate: int = MODEL_RATE) -> np.ndarray:
    """Harmonic combs ``(T, N_BINS)`` in [0, 1] of per-frame F0s ``f0`` [shape=(T,), Hz; 0: none]: each bin takes the
    largest bump of the three partials nearest it (the others lie further away than the widest bump reaches;
    above the last partial, its bump's tail)."""
    bin_hz = rate / N_FFT
    f = np.asarray(f0, np.float64)[:, None] / bin_hz  # partial spacing in bins
    out = np.zeros((f.shape[0], N_BINS), np.float32)
    rows = f[:, 0] > 0
    if not rows.any():
        return out
    f = f[rows].astype(np.float32)
    bins = np.arange(N_BINS, dtype=np.float32)[None, :]
    nearest = np.rint(bins / f)
    last = np.floor(np.float32(TOP_HZ / bin_hz) / f)  # the highest partial with a bump
    exponent = np.full((f.shape[0], N_BINS), -np.inf, np.float32)  # the largest bump's: exp is taken once
    for step in (-1, 0, 1):
        centre = np.clip(nearest + np.float32(step), 1, last) * f
        z = (bins - centre) / np.sqrt(np.float32(1.5 ** 2) + (np.float32(REL_WIDTH) * centre) ** 2)
        np.maximum(exponent, np.float32(-0.5) * z * z, out=exponent)
    out[rows] = np.exp(exponent)
    return out


def weights(f0: np.ndarray, rate: int = MODEL_RATE) -> np.ndarray:
    """The solo's per-bin weights ``(T, N_BINS)``: ``FLOOR + (1 - FLOOR) comb`` in voiced frames, :data:`UNVOICED`
    elsewhere."""
    w = FLOOR + (1 - FLOOR) * comb(f0, rate)
    w[np.asarray(f0) <= 0] = UNVOICED
    return w


def frame_f0(solo: np.ndarray, t0: int, t1: int, offset: int = 0, rate: int = MODEL_RATE) -> np.ndarray:
    """YIN's F0 (Hz, 0 unvoiced) of frames ``t0 .. t1-1``, frame ``t`` the 2048 samples centred on ``t HOP`` (as the
    STFT's frame ``t``), from ``solo`` [shape=(m,)] starting at global sample ``offset`` (zeros outside it)."""
    start = t0 * HOP - WINDOW // 2
    need = (t1 - t0 - 1) * HOP + WINDOW
    x = np.zeros(need, np.float64)
    lo, hi = max(start, offset), min(start + need, offset + solo.shape[0])
    if hi > lo:
        x[lo - start : hi - start] = solo[lo - offset : hi - offset]
    return f0_hz(x, HOP, t1 - t0, rate)


def comb_solo(solo: np.ndarray, rate: int = MODEL_RATE) -> np.ndarray:
    """The whole-signal edit: ``solo`` [shape=(n,)] minus what :func:`weights` of its own pitch take out of it (every
    frame taken for mono), ``(n,)``; :class:`PitchComb` gives the same samples block by block."""
    n = solo.shape[0]
    spec = stft(solo, HOP)
    w = weights(frame_f0(solo, 0, spec.shape[0], 0, rate), rate)
    return (solo - np.asarray(istft(spec * (1 - w), HOP, n), np.float32).reshape(-1)).astype(np.float32)


class PitchComb:
    """The edit on a stream of 44.1 kHz blocks: :meth:`push` the separation's ``solo (k,)`` with any arrays aligned
    with it (the accompaniment first, ``(k, c)``: it takes what the solo loses; then others passed through), get
    them back :data:`LATENCY` samples later; :meth:`finish` lets out the rest.

    Only frames whose centre lies in a span marked mono (:meth:`mark_mono`: the separation's mono blocks, which the
    network alone separated) are weighted; elsewhere nothing is taken and the solo passes through bit for bit.
    ``start``: the global sample the stream starts at (a recording that turns mono midway: nothing before it is
    changed). The same samples as :func:`comb_solo` on a whole mono solo (tested).
    """

    def __init__(self, n_samples: int, start: int = 0, rate: int = MODEL_RATE):
        self.n, self.rate = int(n_samples), rate
        self.n_frames = frame_count(self.n, HOP)
        self._t = max(0, -(-(start - HALF) // HOP))  # frames wholly before the start change nothing there
        self._off = self._out = self._recv = int(start)
        self._solo = np.zeros(0, np.float32)  # the solo from _off on: what the transforms read
        self._held: list[tuple] = []  # what was pushed and is not out yet, from _out on
        self._removed = np.zeros(0, np.float32)  # overlap-add of what the weights take out, from _out on
        self._spans: list[tuple[int, int]] = []  # mono spans of frame centres [c0, c1), global samples

    def mark_mono(self, c0: int, c1: int) -> None:
        """Frames whose centre lies in samples ``c0 .. c1-1`` are mono (the network alone heard them)."""
        if self._spans and self._spans[-1][1] == c0:
            self._spans[-1] = (self._spans[-1][0], c1)
        else:
            self._spans.append((c0, c1))

    def push(self, solo: np.ndarray, *aligned: np.ndarray) -> tuple:
        """Add ``solo`` (and ``aligned`` arrays); returns ``(solo, *aligned)`` let out (possibly 0 samples)."""
        self._solo = np.concatenate([self._solo, np.asarray(solo, np.float32)])
        self._held.append((np.asarray(solo, np.float32), *aligned))
        self._recv += solo.shape[0]
        if self._recv >= self.n:
            return self._let_out(self.n_frames, self._recv)
        ready = min(self.n_frames, max(self._t, (self._recv - 1 - HALF) // HOP + 1))
        return self._let_out(ready, min(self._recv, ready * HOP - HALF))

    def finish(self) -> tuple:
        """Everything held, let out."""
        return self._let_out(self.n_frames, self._recv)

    def _mono(self, t0: int, t1: int) -> np.ndarray:
        centres = np.arange(t0, t1) * HOP
        out = np.zeros(t1 - t0, bool)
        for c0, c1 in self._spans:
            out |= (centres >= c0) & (centres < c1)
        return out

    def _compute(self, t0: int, t1: int) -> None:
        mono = self._mono(t0, t1)
        if not mono.any():
            return
        at = np.flatnonzero(mono)
        a, b = t0 + at[0], t0 + at[-1] + 1
        spec = stft(self._solo, HOP, a, b, offset=self._off)
        w = weights(frame_f0(self._solo, a, b, self._off, self.rate), self.rate)
        w[~mono[a - t0 : b - t0]] = 1.0
        end = b * HOP + HALF + 1 - self._out  # the last frame's segment ends here
        if end > self._removed.shape[0]:
            self._removed = np.concatenate([self._removed, np.zeros(end - self._removed.shape[0], np.float32)])
        overlap_add(spec * (1 - w), HOP, a, self._removed, self._out)

    def _let_out(self, ready: int, end: int) -> tuple:
        if ready > self._t:
            self._compute(self._t, ready)
            self._t = ready
        k = max(0, end - self._out)
        held = [np.concatenate(parts) if len(parts) > 1 else parts[0] for parts in zip(*self._held)]
        out = [h[:k] for h in held]
        self._held = [tuple(h[k:] for h in held)]
        self._out += k
        if not self._spans:  # nothing mono yet: nothing taken, the samples as they came
            self._removed = self._removed[k:]
            self._drop()
            return tuple(out)
        taken = self._removed[:k]
        if taken.shape[0] < k:
            taken = np.concatenate([taken, np.zeros(k - taken.shape[0], np.float32)])
        self._removed = self._removed[k:]
        if len(out) > 1:
            acc = out[1]
            if acc.ndim == 2:  # a channel at a time: broadcasting over rows of two is 7x slower (core.audio.columns)
                summed = np.empty(acc.shape, np.result_type(acc, taken))
                for c in range(acc.shape[1]):
                    np.add(acc[:, c], taken, out=summed[:, c])
                out[1] = summed
            else:
                out[1] = acc + taken
        out[0] = out[0] - taken
        self._drop()
        return tuple(out)

    def _drop(self) -> None:
        """The solo before the next frame's window (and what is out) goes."""
        drop = max(0, min(self._t * HOP - HALF, self._out) - self._off)
        if drop:
            self._solo, self._off = self._solo[drop:], self._off + drop


def card_entry(rule: str) -> dict:
    """What a separator's card says of the edit its mono separations get (``rule``: the decision behind it)."""
    return {"applied": ("in the frames the network alone separates (a mono recording, a mono record transferred in "
                        "stereo, or mono blocks of one: no side to read; core/signal/near_mono.py), the solo's STFT "
                        "is weighted by floor + (1 - floor) comb(f0) where YIN calls the separated solo voiced and "
                        "by unvoiced where it does not, what it takes out given to the accompaniment "
                        "(core/signal/pitch_comb.py)"),
            "floor": FLOOR, "unvoiced": UNVOICED, "top_hz": TOP_HZ, "rel_width": REL_WIDTH, "hop": HOP,
            "near_mono_limit_db": LIMIT_DB, "near_mono_incoherent_db": INCOHERENT_DB,
            "near_mono_stay_db": [STAY_DB, STAY_INCOHERENT_DB],
            "rule": rule}


def _span(seconds: float) -> str:
    """``seconds`` as the reports say them: whole seconds, tenths under one, and a file shorter than a tenth
    "under 0.1 s" (not "0 s")."""
    if seconds >= 0.95:
        return f"{seconds:.0f} s"
    return f"{seconds:.1f} s" if seconds >= 0.05 else "under 0.1 s"


def comb_text(seconds: float, transferred: float = 0.0) -> str:
    """What the CLI and the app say of mono material's solo kept to its own pitch (``seconds`` of it, ``transferred``
    of those a mono record transferred in stereo); "" for none."""
    if seconds <= 0:
        return ""
    if transferred <= 0:
        what = _span(seconds)
    elif _span(transferred) == _span(seconds):  # all of it, as the report says spans
        what = f"{_span(seconds)}, a mono record transferred in stereo"
    else:
        what = f"{_span(seconds)}, {_span(transferred)} of it a mono record transferred in stereo"
    return (f"mono material ({what}): the solo kept to the partials of its own pitch (and turned down where it has "
            "none), the rest in the accompaniment")
