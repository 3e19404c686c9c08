"""The mixing policy: where an engineer would put the solo, and how loud (mixer labels).

The paper's mixer learned from an informal listening test. Until users' annotations
exist, the synthesised tracks are labelled by this written-down policy. A label is one
cell of the joint 19 x 21 codebook (pan -45..+45 deg step 5, gain 0.0..2.0 step 0.1),
and it is what *a* plausible listener would choose: the policy gives a preferred
position per instrument and register plus a seeded spread between plausible positions
(different listeners choose differently), deterministic per track.

Pan (degrees, negative = left). Reasoning, from common jazz stereo practice:

- A remix brings the soloist forward, so it stays near the centre, but engineers rarely
  put a horn dead centre on top of the bass and kick: they offset it a little, as the
  soloist would stand on a stage seen from the audience.
- Small-group front line (the Blue Note / Van Gelder quintet picture): trumpet and cornet
  a little right (+10), tenor a little left (-10), alto -8, soprano and clarinet -5
  (clarinet in a Dixieland front line sits left of the cornet), baritone -12.
- Trombone +15: right of the trumpet, as in big-band seating and in the Dixieland
  front line (cornet centre-right, trombone right, clarinet left). Muted trumpet +12.
- Flute +12, violin +15 (they sit right of the piano in a small group).
- Piano solo: centre (0). The piano is the widest source of the rhythm section; as a
  mono soloist it belongs in the middle.
- Guitar solo -18: the guitar sits left of the piano in most trio/quartet images
  (the comping guitar of the synthesiser is also usually left).
- Vibraphone +18: right, as in the Modern Jazz Quartet picture.
- Register: low-register lines (baritone, trombone, or any solo whose spectral centroid
  is low) are kept closer to the centre, since low-frequency energy is centred in a mix
  to keep the image balanced; high-register lines may sit a little wider. The preferred
  pan is multiplied by 0.7 (low), 1.0 (middle) or 1.25 (high register).
- Listener spread: a normal deviate of 6 degrees (clipped to +-15 degrees), drawn from a
  generator seeded by the track's name and seed, added to the preferred pan; the result
  is clipped to [-45, 45] and rounded to the 5-degree grid.

Gain (linear, applied to the mono solo before panning). The engineer sets the solo to a
target loudness relative to the accompaniment, both measured with ITU-R BS.1770-4
integrated loudness (pyloudnorm, K-weighting and gating) over the spans where the solo
plays: ``g`` is such that ``L(g * pan(solo_mono)) - L(accompaniment) = target``, where
``solo_mono`` is the mid of the solo stem (what the separator estimates and the remix
scales). Targets (LU): lead horns (trumpet, cornet, saxes, clarinet) +1; trombone,
baritone, violin +0.5; flute, muted trumpet 0 (soft instruments brought forward less,
or they sound pushed); vibraphone, guitar -1 and piano -2 (these sit inside the band).
The solo stays clearly audible on top of the band without swamping it: integrated
loudness of a whole band is dominated by its loudest moments, so a soloist about level
with the accompaniment already reads as "in front". Note that gain 1.0 applied to the
mid of a centred solo is 3 dB below where it sat in the original mixture (the mid of
``[0.707 s, 0.707 s]`` is ``0.707 s``, panned again to ``[0.5 s, 0.5 s]``), and that
gain tops out at 2.0 (+6 dB): solos buried deeper than that get the label 2.0.
Style: ballad +1 (sparse backing, the solo speaks), bebop +0.5, dixieland -1.5
(collective ensemble). A listener spread of 1 LU (normal, clipped to +-2) is added.
``g`` is rounded to the 0.1 grid and clipped to [0, 2].
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core import audio_io, codebook
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.panlaw import clamp_pan, pan_mono

POLICY_VERSION = "policy-1.0"

#: Preferred pan (degrees) per solo instrument of the synthesiser.
PREFERRED_PAN = {
    "trumpet": 10.0, "cornet": 10.0, "muted_trumpet": 12.0, "trombone": 15.0,
    "clarinet": -5.0, "soprano_sax": -5.0, "alto_sax": -8.0, "tenor_sax": -10.0, "baritone_sax": -12.0,
    "flute": 12.0, "violin": 15.0, "piano": 0.0, "guitar": -18.0, "vibraphone": 18.0,
}
#: Target solo-over-accompaniment loudness (LU) per instrument.
TARGET_LU = {
    "trumpet": 1.0, "cornet": 1.0, "clarinet": 1.0, "soprano_sax": 1.0, "alto_sax": 1.0, "tenor_sax": 1.0,
    "trombone": 0.5, "baritone_sax": 0.5, "violin": 0.5, "flute": 0.0, "muted_trumpet": 0.0,
    "vibraphone": -1.0, "guitar": -1.0, "piano": -2.0,
}
#: Style offsets (LU) added to the instrument's target.
STYLE_LU = {"ballad": 1.0, "bebop": 0.5, "dixieland": -1.5}
#: Instruments whose register is low whatever they play.
LOW_INSTRUMENTS = {"baritone_sax", "trombone"}
#: Spectral centroid limits (Hz) of the register classes (median over active frames).
REGISTER_HZ = (700.0, 2200.0)
REGISTER_FACTOR = {"low": 0.7, "middle": 1.0, "high": 1.25}
PAN_SPREAD_DEG, PAN_SPREAD_MAX = 6.0, 15.0
GAIN_SPREAD_LU, GAIN_SPREAD_MAX = 1.0, 2.0
DEFAULT_PAN, DEFAULT_LU = 0.0, 0.5


@dataclass
class Label:
    """A policy label of one track.

    cell : int
        Joint codebook cell, ``pan_index * 21 + gain_index``.
    pan_deg, gain : float
        The cell's pan (degrees) and linear gain.
    gain_exact : float
        Gain before rounding/clipping (linear).
    register : str
        'low', 'middle' or 'high'.
    """

    cell: int
    pan_deg: float
    gain: float
    gain_exact: float
    register: str
    target_lu: float
    solo_lufs: float
    acc_lufs: float
    policy: str = POLICY_VERSION

    def to_json(self) -> dict:
        return asdict(self)


def track_rng(name: str, seed: int) -> np.random.Generator:
    """Generator seeded by a track's name and seed (stable across runs and machines)."""
    digest = hashlib.sha256(f"{POLICY_VERSION}:{name}:{seed}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def active_mask(n: int, spans, rate: int = MODEL_RATE) -> np.ndarray:
    """Boolean sample mask ``(n,)`` of the ``[start, end]`` spans (seconds)."""
    mask = np.zeros(n, bool)
    for a, b in spans or []:
        mask[max(0, int(a * rate)) : min(n, int(b * rate))] = True
    return mask


def spectral_centroid_hz(solo_mono: np.ndarray, mask: np.ndarray, rate: int = MODEL_RATE) -> float:
    """Median over 4096-sample blocks where the solo plays of the power spectral centroid (Hz)."""
    n = 4096
    cents = []
    freqs = np.fft.rfftfreq(n, 1 / rate)
    win = np.hanning(n)
    for s in range(0, solo_mono.shape[0] - n, n):
        if mask[s : s + n].mean() < 0.5:
            continue
        p = np.abs(np.fft.rfft(solo_mono[s : s + n] * win)) ** 2
        if p.sum() > 1e-12:
            cents.append(float((p * freqs).sum() / p.sum()))
    return float(np.median(cents)) if cents else 1000.0


def register_of(instrument: str, centroid_hz: float) -> str:
    """Register class of a solo: 'low', 'middle' or 'high'."""
    if instrument in LOW_INSTRUMENTS or centroid_hz < REGISTER_HZ[0]:
        return "low"
    return "high" if centroid_hz > REGISTER_HZ[1] else "middle"


def loudness(audio: np.ndarray, rate: int = MODEL_RATE) -> float:
    """ITU-R BS.1770-4 integrated loudness (LUFS) of ``(n, c)`` audio; -70 for silence or too short."""
    import pyloudnorm

    if audio.shape[0] < int(0.5 * rate) or not np.any(audio):
        return -70.0
    with np.errstate(divide="ignore"):
        value = float(pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64)))
    return value if np.isfinite(value) else -70.0


def policy_label(solo: np.ndarray, accompaniment: np.ndarray, meta: dict, name: str, seed: int = 0,
                 rate: int = MODEL_RATE) -> Label:
    """Label one track with the policy.

    Parameters
    ----------
    solo : np.ndarray [shape=(n, 2) or (n,)]
        The solo stem (stereo as in the mixture, or mono); its mid is used.
    accompaniment : np.ndarray [shape=(n, 2)]
    meta : dict
        The track's ``meta.json`` (``instrument``, ``style``, ``activity``); missing keys
        fall back to defaults.
    name : str
        Track name (seeds the listener spread with ``seed``).
    rate : int
        Sample rate in Hz.

    Returns
    -------
    Label
    """
    solo_mono = solo.mean(axis=1) if solo.ndim == 2 else solo
    acc = accompaniment if accompaniment.ndim == 2 else np.repeat(accompaniment[:, None], 2, axis=1)
    n = min(solo_mono.shape[0], acc.shape[0])
    solo_mono, acc = solo_mono[:n], acc[:n]
    if meta.get("activity"):
        mask = active_mask(n, meta["activity"], rate)
    else:
        env = np.convolve(solo_mono.astype(np.float64) ** 2, np.ones(4096) / 4096, mode="same")
        mask = env > 1e-3 * env.max() if env.max() > 0 else np.ones(n, bool)
    if mask.sum() < rate:  # under a second of solo: measure over the whole track
        mask = np.ones(n, bool)
    instrument = str(meta.get("instrument", ""))
    style = str(meta.get("style", ""))
    rng = track_rng(name, seed)
    reg = register_of(instrument, spectral_centroid_hz(solo_mono, mask, rate))
    spread = float(np.clip(rng.normal(0, PAN_SPREAD_DEG), -PAN_SPREAD_MAX, PAN_SPREAD_MAX))
    pan = float(clamp_pan(PREFERRED_PAN.get(instrument, DEFAULT_PAN) * REGISTER_FACTOR[reg] + spread))
    target = TARGET_LU.get(instrument, DEFAULT_LU) + STYLE_LU.get(style, 0.0)
    target += float(np.clip(rng.normal(0, GAIN_SPREAD_LU), -GAIN_SPREAD_MAX, GAIN_SPREAD_MAX))
    l_solo = loudness(pan_mono(solo_mono[mask], pan, 1.0), rate)
    l_acc = loudness(acc[mask], rate)
    gain = float(10 ** ((l_acc + target - l_solo) / 20)) if l_solo > -70 else 2.0
    cell = codebook.pan_gain_to_cell(pan, gain)
    pan_q, gain_q = codebook.cell_to_pan_gain(cell)
    return Label(cell, pan_q, gain_q, gain, reg, round(target, 3), round(l_solo, 3), round(l_acc, 3))


def label_track(folder, seed: int = 0) -> Label:
    """Policy label of a dataset track folder (DESIGN.md §3 layout); reads, never writes, the folder."""
    folder = Path(folder)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    solo, rate = audio_io.read_audio(folder / "solo.wav")
    acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
    return policy_label(solo, acc, meta, folder.name, seed, rate)
