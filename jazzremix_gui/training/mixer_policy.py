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

Gain: a *change* to the recorded balance (the gain convention of ``docs/ARCHITECTURE.md``:
gain 1.0 keeps the solo as loud as it is in the recording, 0.0 .. 2.0 reads mute .. +6 dB).
The engineer hears the solo's recorded balance ``B = L(stereo solo) - L(accompaniment)``
(ITU-R BS.1770-4 integrated loudness, pyloudnorm, K-weighting and gating, over the spans
where the solo plays; :func:`recorded_balance`) and moves it to a target balance ``T``:
``gain = 10 ** (limit(T - B) / 20)``. BS.1770 sums channel powers, so this is the gain
relative to the recording whatever the pan. Targets ``T`` (LU), policy-2.1:

- lead horns (trumpet, cornet, saxes, clarinet) 0: the soloist level with the band. A band's
  integrated loudness is dominated by its loudest moments, so a soloist about level with the
  accompaniment already reads as "in front", and the remix's purpose on the early records it is
  made for (DESIGN.md, Matz et al. 2015) is a rhythm section brought forward from far back:
  those records put the front line close to the horn or microphone and usually need the solo
  brought *back*. Policy-2.0 asked +1 LU; on the real segments' calibrated balance
  (+1.4 LU on average, below) that meant keeping the solo about as recorded, against the
  practice the paper system's own remixes show (all nine turned down by 6-8 dB);
- trombone, baritone, violin -0.5: darker or thinner sounds that mask the band less per LU;
- flute, muted trumpet -1: soft instruments, brought forward less or they sound pushed.
  (These front-line voices moved down by 1 LU from policy-2.0 for the reason above.)
- vibraphone, guitar -1 and piano -2: instruments that sit inside the band's texture (the
  piano solo shares its register with the comping). Unchanged from policy-2.0: the rhythm
  section's soloists were recorded inside the rhythm section, not in front of it;
- style: ballad +1 (sparse backing, the solo speaks), bebop +0.5 (dense lines need to cut
  through fast comping), dixieland -1.5 (collective ensemble: no single soloist dominates);
- listener spread: a normal deviate of 1 LU (clipped to +-2 LU), about the just-noticeable
  level difference of a solo in a mix, so listeners disagree by a cell or two; drawn on the
  target, before the limits below (a listener who wants more still meets the same knee).

The change ``c = T - B`` (dB) then passes through :func:`limit_change_db`, soft knees that say
how far an engineer moves a *separated* solo (policy-2.0 had none: a solo estimate 7.7 LU
under the band, as the separator reads seg7 of the real segments, asked for +8.7 dB and was
clipped to the codebook's +6 dB edge):

- boost: linear up to ``BOOST_KNEE_DB`` = +2 dB, then bent smoothly (tanh, slope 1 at the
  knee) towards ``BOOST_MAX_DB`` = +4.5 dB, never reached: a 4-dB request gives +3.7 dB, 6 dB
  gives +4.3 dB. The solo stem carries the band's bleed and has holes where the mask left solo
  energy in the accompaniment; raising it raises the bleed (the band smears towards the
  solo's position) and leaves the holes' residue behind (the solo's timbre phases against its
  own remainder), and both grow audible beyond about +4 dB. A buried solo estimate is as
  likely a separation miss (seg7: the separator under-reads solos by about 2 LU) as a buried
  solo. +4.5 dB is gain 1.68, which rounds to 1.7: the gain edge 2.0 is unreachable.
- cut: linear down to ``CUT_KNEE_DB`` = -6 dB (the paper system's own remixes cut by 6-8 dB),
  then bent towards ``CUT_FLOOR_DB`` = -14 dB, never reached: a balance change is not a mute,
  and at -14 dB a solo still reads as one voice of the band (gain 0.2; the 0.0 edge, mute, is
  the user's choice, never a suggestion).

On real small-group records (``scripts/calibrate_solo_level.py``) the recorded balance is
1.4 +- 2.8 LU, so typical changes are within +-6 dB and the labels sit inside the codebook;
the synthesiser's ``real`` level profile reproduces that balance (``training/synth/mixdown.py``).
``gain`` is rounded to the 0.1 grid (so 0.2 .. 1.7 with the knees).

Noiseless choice: the same without the listener spreads (:attr:`Label.noiseless_cell`); the
accuracy of predicting it is the ceiling a mixer can reach on these labels
(:func:`training.mixer_eval.ceiling_figures`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.signal.panlaw import clamp_pan

POLICY_VERSION = "policy-2.1"

#: Preferred pan (degrees) per solo instrument of the synthesiser.
PREFERRED_PAN = {
    "trumpet": 10.0, "cornet": 10.0, "muted_trumpet": 12.0, "trombone": 15.0,
    "clarinet": -5.0, "soprano_sax": -5.0, "alto_sax": -8.0, "tenor_sax": -10.0, "baritone_sax": -12.0,
    "flute": 12.0, "violin": 15.0, "piano": 0.0, "guitar": -18.0, "vibraphone": 18.0,
}
#: Target solo-over-accompaniment loudness (LU) per instrument.
TARGET_LU = {
    "trumpet": 0.0, "cornet": 0.0, "clarinet": 0.0, "soprano_sax": 0.0, "alto_sax": 0.0, "tenor_sax": 0.0,
    "trombone": -0.5, "baritone_sax": -0.5, "violin": -0.5, "flute": -1.0, "muted_trumpet": -1.0,
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
DEFAULT_PAN, DEFAULT_LU = 0.0, -0.5
#: Soft knees of the change to the recorded balance (dB): linear between the knees, bent
#: towards the limits beyond them (:func:`limit_change_db`).
BOOST_KNEE_DB, BOOST_MAX_DB = 2.0, 4.5
CUT_KNEE_DB, CUT_FLOOR_DB = -6.0, -14.0
#: Change asked (dB) that stands for "beyond the limits" in :func:`unlimit_change_db`: no label asks
#: for it, and the mixer's asked mean is held within +-40 dB (``training.mixer_model``).
UNREACHABLE_DB = 200.0


@dataclass
class Label:
    """A policy label of one track.

    cell : int
        Joint codebook cell, ``pan_index * 21 + gain_index``.
    pan_deg, gain : float
        The cell's pan (degrees) and linear gain.
    gain_exact : float
        Gain before rounding (linear), after the knees of :func:`limit_change_db`.
    register : str
        'low', 'middle' or 'high'.
    target_lu, solo_lufs, acc_lufs, recorded_balance_lu : float
        Target balance, loudness of the stereo solo stem and of the accompaniment over the
        solo's spans, and their difference (the recorded balance), in LU / LUFS.
    noiseless_cell : int
        The cell without the listener spreads (the policy's preferred choice).
    requested_db : float
        The change ``T - B`` (dB) before the knees.
    """

    cell: int
    pan_deg: float
    gain: float
    gain_exact: float
    register: str
    target_lu: float
    solo_lufs: float
    acc_lufs: float
    recorded_balance_lu: float = 0.0
    noiseless_cell: int = -1
    requested_db: float = 0.0
    policy: str = POLICY_VERSION

    def to_json(self) -> dict:
        return asdict(self)


def model_version(arch: str, members: int = 1) -> str:
    """Default ``jazzremix.version`` of a mixer trained on this policy's labels (``mix-gauss-2.1``; a mean of
    four: ``mix-gauss-2.1x4``)."""
    return f"mix-{arch}-{POLICY_VERSION.removeprefix('policy-')}" + (f"x{members}" if members > 1 else "")


#: Salt of the listeners' draws: kept at "policy-2.0" when the policy changed, so that versions are
#: compared on the same listeners (with 40 validation tracks, new draws alone moved the ceiling's
#: within-one-cell figure from 62.5 % to 52.5 % and its pan error from 4.5 to 6.25 deg).
LISTENER_SALT = "policy-2.0"


def track_rng(name: str, seed: int) -> np.random.Generator:
    """Generator of a track's listener (seeded by its name, ``seed`` and :data:`LISTENER_SALT`; stable across
    runs, machines and policy versions)."""
    digest = hashlib.sha256(f"{LISTENER_SALT}:{name}:{seed}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def limit_change_db(change_db):
    """The engineer's limits on a change to the recorded balance (dB), soft knees (see above).

    Parameters
    ----------
    change_db : float, np.ndarray or torch.Tensor
        Requested change ``T - B`` in dB (a tensor for the mixer's gain head, which predicts
        the requested change and passes it through these knees: :mod:`training.mixer_model`).

    Returns
    -------
    float, np.ndarray or torch.Tensor
        The change made: equal between ``CUT_KNEE_DB`` and ``BOOST_KNEE_DB``, beyond them
        ``knee + (limit - knee) * tanh((c - knee) / (limit - knee))`` (continuous with slope
        1 at the knee, strictly inside ``(CUT_FLOOR_DB, BOOST_MAX_DB)``).
    """
    is_tensor = hasattr(change_db, "detach")
    if is_tensor:
        import torch as lib
        c = change_db
    else:
        lib, c = np, np.asarray(change_db, dtype=np.float64)
    up, down = BOOST_MAX_DB - BOOST_KNEE_DB, CUT_FLOOR_DB - CUT_KNEE_DB
    out = lib.where(c > BOOST_KNEE_DB, BOOST_KNEE_DB + up * lib.tanh((c - BOOST_KNEE_DB) / up), c)
    out = lib.where(c < CUT_KNEE_DB, CUT_KNEE_DB + down * lib.tanh((c - CUT_KNEE_DB) / down), out)
    return out if is_tensor or out.ndim else float(out)


def unlimit_change_db(made_db: "torch.Tensor") -> "torch.Tensor":
    """Inverse of :func:`limit_change_db` on tensors: the change asked for a change made (dB).

    Changes made at or beyond the limits (unreachable) map to +-``UNREACHABLE_DB``: finite, so
    that a normal integrated between such edges has a zero probability and a finite log-density.
    """
    import torch

    up, down = BOOST_MAX_DB - BOOST_KNEE_DB, CUT_FLOOR_DB - CUT_KNEE_DB
    lim = 1 - 1e-6
    def atanh(u):  # as log ratios: ONNX opset 17 has no Atanh export
        return 0.5 * torch.log((1 + u) / (1 - u))

    hi = BOOST_KNEE_DB + up * atanh(((made_db - BOOST_KNEE_DB) / up).clamp(0, lim))
    lo = CUT_KNEE_DB + down * atanh(((made_db - CUT_KNEE_DB) / down).clamp(0, lim))
    hi = torch.where(made_db >= BOOST_MAX_DB, torch.full_like(hi, UNREACHABLE_DB), hi)
    lo = torch.where(made_db <= CUT_FLOOR_DB, torch.full_like(lo, -UNREACHABLE_DB), lo)
    return torch.where(made_db > BOOST_KNEE_DB, hi, torch.where(made_db < CUT_KNEE_DB, lo, made_db))


def reachable_gain_classes() -> tuple[int, int]:
    """First and last gain class (0..20) the knees can give after rounding: 2 and 17 (gain 0.2 .. 1.7)."""
    lo = codebook.pan_gain_to_cell(0.0, 10 ** (CUT_FLOOR_DB / 20) + 1e-9)
    hi = codebook.pan_gain_to_cell(0.0, 10 ** (BOOST_MAX_DB / 20) - 1e-9)
    return int(codebook.cell_classes(np.array([lo]))[1][0]), int(codebook.cell_classes(np.array([hi]))[1][0])


def knees() -> dict:
    """The knees and limits of :func:`limit_change_db` (dB), for model cards."""
    return {"boost_knee": BOOST_KNEE_DB, "boost_max": BOOST_MAX_DB, "cut_knee": CUT_KNEE_DB, "cut_floor": CUT_FLOOR_DB}


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


def recorded_balance(solo: np.ndarray, accompaniment: np.ndarray, mask: np.ndarray | None = None,
                     rate: int = MODEL_RATE) -> float:
    """The solo's recorded balance (LU): ``L(stereo solo) - L(accompaniment)`` over ``mask``.

    Parameters
    ----------
    solo : np.ndarray [shape=(n, 2)]
        The solo as it sits in the recording's channels (a mono ``(n,)`` solo counts as
        the same signal in both channels).
    accompaniment : np.ndarray [shape=(n, 2)]
    mask : np.ndarray [shape=(n,), dtype=bool], optional
        Samples where the solo plays (default: all).

    Returns
    -------
    float
        BS.1770-4 integrated loudness difference in LU (pyloudnorm); the loudness of
        either side is floored at -70 LUFS.
    """
    solo = solo if solo.ndim == 2 else np.repeat(solo[:, None], 2, axis=1)
    acc = accompaniment if accompaniment.ndim == 2 else np.repeat(accompaniment[:, None], 2, axis=1)
    n = min(solo.shape[0], acc.shape[0])
    mask = np.ones(n, bool) if mask is None else mask[:n]
    return loudness(solo[:n][mask], rate) - loudness(acc[:n][mask], rate)


def policy_label(solo: np.ndarray, accompaniment: np.ndarray, meta: dict, name: str, seed: int = 0,
                 rate: int = MODEL_RATE) -> Label:
    """Label one track with the policy.

    Parameters
    ----------
    solo : np.ndarray [shape=(n, 2) or (n,)]
        The solo stem as it sits in the recording's channels (mono: the same in both).
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
    solo_st = solo if solo.ndim == 2 else np.repeat(solo[:, None], 2, axis=1)
    solo_mono = solo_st.mean(axis=1)
    acc = accompaniment if accompaniment.ndim == 2 else np.repeat(accompaniment[:, None], 2, axis=1)
    n = min(solo_mono.shape[0], acc.shape[0])
    solo_st, solo_mono, acc = solo_st[:n], solo_mono[:n], acc[:n]
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
    pan0 = clamp_pan(PREFERRED_PAN.get(instrument, DEFAULT_PAN) * REGISTER_FACTOR[reg])
    pan = float(clamp_pan(pan0 + np.clip(rng.normal(0, PAN_SPREAD_DEG), -PAN_SPREAD_MAX, PAN_SPREAD_MAX)))
    target0 = TARGET_LU.get(instrument, DEFAULT_LU) + STYLE_LU.get(style, 0.0)
    target = target0 + float(np.clip(rng.normal(0, GAIN_SPREAD_LU), -GAIN_SPREAD_MAX, GAIN_SPREAD_MAX))
    l_solo = loudness(solo_st[mask], rate)
    l_acc = loudness(acc[mask], rate)
    balance = l_solo - l_acc
    heard = l_solo > -70  # a silent solo stem: nothing to balance, kept as recorded
    gain = float(10 ** (limit_change_db(target - balance) / 20)) if heard else 1.0
    gain0 = float(10 ** (limit_change_db(target0 - balance) / 20)) if heard else 1.0
    cell = codebook.pan_gain_to_cell(pan, gain)
    pan_q, gain_q = codebook.cell_to_pan_gain(cell)
    return Label(cell, pan_q, gain_q, gain, reg, round(target, 3), round(l_solo, 3), round(l_acc, 3),
                 round(balance, 3), codebook.pan_gain_to_cell(float(pan0), gain0),
                 round(target - balance, 3) if heard else 0.0)


def edge_rates(cells) -> dict:
    """Shares of label cells ``(N,)`` on the gain edges (0.0 or 2.0) and on the pan edges (+-45 deg)."""
    p, g = codebook.cell_classes(np.asarray(cells, int))
    return {"n": int(p.size), "gain_edge": round(float(np.mean((g == 0) | (g == codebook.N_GAINS - 1))), 4),
            "pan_edge": round(float(np.mean((p == 0) | (p == codebook.N_PANS - 1))), 4)}


def label_track(folder, seed: int = 0) -> Label:
    """Policy label of a dataset track folder (DESIGN.md §3 layout); reads, never writes, the folder."""
    folder = Path(folder)
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    solo, rate = audio_io.read_audio(folder / "solo.wav")
    acc, _ = audio_io.read_audio(folder / "accompaniment.wav")
    return policy_label(solo, acc, meta, folder.name, seed, rate)
