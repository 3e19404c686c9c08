"""Pan-aware Wiener filtering: the solo's place between the speakers sharpens the masks (issue #21, experiment n).

The separator's network sees the mid magnitude only; the Wiener step (:mod:`core.signal.wiener`) applies
the same solo magnitude ``S`` to both channels. A solo panned to one side is louder in that channel
and quieter in the other (constant-power pan law, :mod:`core.signal.panlaw`), and every time-frequency
bin says from where it comes: ``theta = atan2(|X_R|, |X_L|)`` is ``pan + 45 deg`` for a bin that one
panned source dominates. Per block of frames (:class:`core.signal.separation.Synthesiser`):

1. the solo's direction ``theta_s``: the peak of the bins' directions weighted by ``S^2``
   (:func:`direction_histogram`; :data:`BINS` bins of 2 degrees, so a centred solo reads 45 degrees exactly),
   the earlier blocks' histogram added at :data:`CARRY` times its weight (a steady reading);
2. bins from elsewhere count less: ``S' = S (f + (1 - f) exp(-(theta - theta_s)^2 / 2 sigma^2))``
   (``f``: :attr:`PanAware.floor`, ``sigma``: :attr:`PanAware.sigma_deg`);
3. each channel gets the solo's own share of it: ``S_c = S' 2 g_c / (g_L + g_R)`` with
   ``(g_L, g_R) = (cos theta_s, sin theta_s)``, and its own Wiener mask;
4. the mono solo is the channels' solos weighted by the pan law, ``sum_c w_c M_c X_c`` with
   ``w_c = (g_L + g_R) / 2 g_c / (g_L^2 + g_R^2)`` (what a solo ``s`` panned at ``theta_s`` gives as
   ``(g_L + g_R) / 2 s``, the mid the mono solo stands for), instead of the plain mean.

A mono recording (both channels the same) is left exactly as the plain Wiener step does it.

With ``steer`` (``lambda`` > 0) the direction also steers the network's input: each block after the first hears
``|a_L X_L + a_R X_R|`` (:func:`steering_gains`, from the block before's reading) instead of the mid, so a solo
off the centre stands out more against the band (:class:`core.signal.separation.Network`). Steering holds a
reading: heard steered toward a horn or a comping part, the network finds its solo there again. With
``hypotheses`` the first block's reading is therefore chosen: the block heard as the mid and steered fully left
and fully right gives up to three readings, the block heard steered at each, and the reading whose histogram is
the most concentrated (:func:`concentration`) is kept (docs/SEPARATOR_V3.md, "The first block's direction"). Measured with the
work-in-progress separator on ``data/val-unseen-2`` (docs/SEPARATOR_V3.md, "The network hears the solo's side"):
20,0.2 3.68 / 7.50 dB, 15,0.1 3.76 / 7.55, 15,0.1,1 4.27 / 8.08.
Measured (docs/SEPARATOR_V3.md, experiment n; sigma and floor chosen on ``data/val-v2``): with sep-mask-2.0,
``data/val-unseen`` 2.32 / 7.12 -> 4.38 / 8.47 dB (solo / accompaniment medians), ``data/val-v2``
3.45 / 8.87 -> 4.88 / 10.38 dB.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from jazzremix_gui.core.signal.wiener import wiener_mask

#: Direction bins over 0..90 degrees (2 degrees each; 45 degrees, the centre, is a bin's centre).
BINS = 45
#: How much the earlier blocks' directions count in a block's reading (their histogram times this, each block):
#: a solo's place reads steadily from block to block, and a block where it is quiet does not move it.
CARRY = 0.5


@dataclass(frozen=True)
class PanAware:
    """Settings of the pan-aware Wiener step.

    Attributes
    ----------
    sigma_deg : float
        Spread (degrees of direction) of the weight around the solo's direction.
    floor : float
        Weight, 0..1, of bins far from the solo's direction.
    steer : float
        ``lambda``, 0..1, of the network's input steered toward the solo (:func:`steering_gains`): 0 the mid, as
        the network was trained; 1 the channels weighted as the solo is panned.
    hypotheses : int
        1: the first stereo block's direction is chosen among hypotheses (:func:`distinct_directions`,
        :class:`core.signal.separation.Network`); 0: it is the reading of the block heard as the mid. Only with
        ``steer`` above 0.
    side_deg : float or None
        The solo's pan (degrees, -45 left .. +45 right, the pan law's), when the engineer says where it sits: every
        stereo block is separated (and steered) toward it instead of the direction the network's solo reads.
        None: read (the default).
    """

    sigma_deg: float = 20.0
    floor: float = 0.2
    steer: float = 0.0
    hypotheses: int = 0
    side_deg: float | None = None

    def __post_init__(self):
        if not (0.5 <= self.sigma_deg <= 90.0 and 0.0 <= self.floor <= 1.0 and 0.0 <= self.steer <= 1.0
                and self.hypotheses in (0, 1) and not (self.hypotheses and not self.steer)):
            raise ValueError(f"pan-aware settings out of range: sigma {self.sigma_deg} deg (0.5..90), "
                             f"floor {self.floor} (0..1), steer {self.steer} (0..1), hypotheses "
                             f"{self.hypotheses:g} (0 or 1, and 1 only with a steer above 0)")
        if self.side_deg is not None and not -45.0 <= self.side_deg <= 45.0:  # NaN too
            raise ValueError(f"the solo's side {self.side_deg:g} deg: a pan from -45 (hard left) to +45 (hard right)")
        if self.side_deg is not None and self.hypotheses:
            raise ValueError("the solo's side and hypotheses exclude each other (a side given is not read)")

    def to_text(self) -> str:
        """``"SIGMA,FLOOR"``, ``"SIGMA,FLOOR,STEER"`` or ``"SIGMA,FLOOR,STEER,1"`` (the model metadata's and the
        command line's form)."""
        text = f"{self.sigma_deg:g},{self.floor:g}"
        if self.hypotheses:
            return f"{text},{self.steer:g},{self.hypotheses:d}"
        text = f"{text},{self.steer:g}" if self.steer else text
        return text if self.side_deg is None else f"{text} solo {self.side_deg:g}"

    @classmethod
    def parse(cls, text: str) -> "PanAware":
        """From ``"SIGMA,FLOOR[,STEER[,HYPOTHESES]]"`` (any may be left out: ``"20"``, ``""``), with ``" solo DEG"``
        after it where the solo's side is given (:meth:`to_text`); ValueError when malformed."""
        text, _, side = str(text).partition(" solo ")
        if side:
            try:
                side_deg = float(side)
            except ValueError:
                raise ValueError(f"pan-aware settings {text!r} solo {side!r}: the solo's side is a number") from None
            return replace(cls.parse(text), side_deg=side_deg)
        parts = [p.strip() for p in str(text).split(",")] if str(text).strip() else []
        if len(parts) > 4:
            raise ValueError(f"pan-aware settings {text!r}: SIGMA,FLOOR[,STEER[,HYPOTHESES]]")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ValueError(f"pan-aware settings {text!r}: SIGMA,FLOOR[,STEER[,HYPOTHESES]], numbers") from None
        if len(values) == 4:
            if values[3] not in (0.0, 1.0):
                raise ValueError(f"pan-aware settings {text!r}: HYPOTHESES is 0 or 1")
            values[3] = int(values[3])
        return cls(*values)


#: The step a separator without settings of its own gets when the pan-aware step is asked for (the app's
#: *Preferences > Separation*, ``--pan-aware`` alone): the narrower spread, lower floor and steered input chosen
#: with sep-mask-2.0 and the work-in-progress separator on ``data/val-unseen-2`` (docs/SEPARATOR_V3.md, "The
#: network hears the solo's side"). ``PanAware()`` stays the step as first published, 20,0.2 without steering,
#: which earlier models' metadata name.
PREFERRED = PanAware(15.0, 0.1, 1.0)

#: Odd minimax polynomial of ``atan(a)`` on ``0 <= a <= 1`` (coefficients of ``a, a^3 .. a^11``; error under 2e-6 rad).
_ATAN = (0.99997723, -0.33262347, 0.19354346, -0.11643287, 0.05265332, -0.0117212)


def directions(mag: np.ndarray) -> np.ndarray:
    """Direction of every bin, ``atan2(|X_R|, |X_L|)`` in radians (0: left, pi/2: right).

    Computed as ``atan(min / max)`` by a polynomial (:data:`_ATAN`), turned round where the right channel is
    louder: within 2e-6 rad of ``np.arctan2``, which numpy does not vectorise for float32 and which took half
    the step's time.

    Parameters
    ----------
    mag : np.ndarray [shape=(T, 2, F)]
        Per-channel magnitudes.

    Returns
    -------
    np.ndarray [shape=(T, F), dtype=float32]
    """
    theta = np.empty((mag.shape[0], mag.shape[2]), np.float32)
    for i in range(0, mag.shape[0], _CHUNK):  # a few frames at a time: the temporaries stay in cache
        _directions_into(mag[i : i + _CHUNK], theta[i : i + _CHUNK])
    return theta


#: Frames :func:`directions` and :func:`read_direction` compute at a time.
_CHUNK = 32


def _directions_into(mag: np.ndarray, theta: np.ndarray) -> None:
    left, right = np.asarray(mag[:, 0], np.float32), np.asarray(mag[:, 1], np.float32)
    hi = np.maximum(left, right)
    a = np.minimum(left, right)
    np.divide(a, hi, out=a, where=hi > 0)  # 0 where both are silent (min is 0 there)
    s = np.square(a)
    np.multiply(s, np.float32(_ATAN[-1]), out=theta)
    theta += np.float32(_ATAN[-2])
    for c in _ATAN[-3::-1]:  # Horner in s = a^2
        theta *= s
        theta += np.float32(c)
    theta *= a
    # pi/2 - theta where the right channel is louder, by products with 0 and 1 (the same values): numpy's masked
    # subtraction (``where=``) took 70 % of this function
    right_louder = np.greater(right, left).astype(np.float32)
    turned = np.subtract(np.float32(np.pi / 2), theta)
    turned *= right_louder
    np.subtract(np.float32(1.0), right_louder, out=right_louder)
    theta *= right_louder
    theta += turned


def direction_histogram(solo_mag: np.ndarray, mag: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
    """The bins' directions weighted by ``S^2`` (silent bins have none), :data:`BINS` bins over 0..90 degrees.

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
        The network's solo magnitude ``S``.
    mag : np.ndarray [shape=(T, 2, F)]
        Per-channel magnitudes of the mixture.
    theta : np.ndarray [shape=(T, F)], optional
        :func:`directions` of ``mag``, when already computed.

    Returns
    -------
    np.ndarray [shape=(BINS,), dtype=float64]
    """
    theta = directions(mag) if theta is None else theta
    return _histogram(solo_mag, mag, theta)


def _histogram(solo_mag: np.ndarray, mag: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """:func:`direction_histogram` with the directions given. The weights are squared in float64, which
    holds the squares of any float32 (a float file's absurd samples, 1e30, overflow float32's)."""
    idx = np.multiply(theta, np.float32(BINS / (np.pi / 2))).astype(np.intp)
    np.minimum(idx, BINS - 1, out=idx)
    weights = np.square(solo_mag, dtype=np.float64)
    weights[(mag[:, 0] + mag[:, 1]) <= 0] = 0  # silent bins read as 0 degrees: they count nothing
    return np.bincount(idx.ravel(), weights=weights.ravel(), minlength=BINS)


def peak_direction(hist: np.ndarray) -> float:
    """The direction (radians, 0..pi/2) of a :func:`direction_histogram`'s peak, lightly smoothed; an empty
    one reads centred (pi/4)."""
    if not np.any(hist > 0):
        return float(np.pi / 4)
    smooth = np.convolve(hist, [0.25, 0.5, 0.25], mode="same")
    return float((int(np.argmax(smooth)) + 0.5) * (np.pi / 2) / BINS)


def solo_direction(solo_mag: np.ndarray, mag: np.ndarray, theta: np.ndarray | None = None) -> float:
    """The solo's direction in one block (radians, 0..pi/2; pi/4 centred, and for silence)."""
    return peak_direction(direction_histogram(solo_mag, mag, theta))


#: The directions (radians) the first block is also heard steered toward when its direction is chosen among
#: hypotheses: fully left and fully right.
SIDES = (0.0, float(np.pi / 2))
#: Half-width (bins of 2 degrees) of a histogram's peak in :func:`concentration`.
PEAK_BINS = 4


def concentration(hist: np.ndarray) -> float:
    """The share of a :func:`direction_histogram`'s weight within :data:`PEAK_BINS` bins of its smoothed peak
    (0..1; 0 for an empty one): how much of what the network calls solo comes from one place."""
    total = float(hist.sum())
    if total <= 0:
        return 0.0
    peak = int(np.argmax(np.convolve(hist, [0.25, 0.5, 0.25], mode="same")))
    return float(hist[max(0, peak - PEAK_BINS): peak + PEAK_BINS + 1].sum()) / total


def distinct_directions(readings: list[float]) -> list[float]:
    """The distinct directions (radians) among ``readings``, in order, two within one bin counted once."""
    out: list[float] = []
    for theta in readings:
        if all(abs(theta - t) >= (np.pi / 2) / BINS / 2 for t in out):
            out.append(theta)
    return out


#: How far (radians; 15 degrees) another part's reading must lie from the solo's to be named beside it.
OTHER_APART = float(np.deg2rad(15.0))
#: How close (radians; 4 degrees) a block steered at another reading must read it again for it to hold its place.
OTHER_HOLDS = float(np.deg2rad(4.0))


def other_readings(hear, mag: np.ndarray, theta_s: float) -> tuple[float, ...]:
    """Other parts the network also takes for the solo, each where it holds its place: the directions (radians,
    0..pi/2) read from the block heard steered fully to each side (:data:`SIDES`) that lie more than
    :data:`OTHER_APART` from ``theta_s`` (the solo's reading) and from each other, and that the block heard steered
    at them reads again within :data:`OTHER_HOLDS` (a self-consistent reading, as the solo's is; docs/SEPARATOR_V3.md,
    "Another part that holds its place"). Two to four calls of ``hear``.

    Parameters
    ----------
    hear : callable
        ``hear(theta) -> solo_mag`` ``(T, F)``: the network's solo for the block with its input steered at
        direction ``theta`` (radians).
    mag : np.ndarray [shape=(T, 2, F)]
        The block's per-channel magnitudes.
    theta_s : float
        The solo's direction as read (radians).

    Returns
    -------
    tuple of float
        The other directions, in the order found (at most two).
    """
    found: list[float] = []
    for side in SIDES:
        theta = read_direction(hear(side), mag).theta_s
        if all(abs(theta - t) > OTHER_APART for t in [theta_s] + found):
            again = read_direction(hear(theta), mag).theta_s
            if abs(again - theta) <= OTHER_HOLDS:
                found.append(again)
    return tuple(found)


def channel_gains(theta_s: float) -> np.ndarray:
    """Constant-power gains ``(g_L, g_R) = (cos theta_s, sin theta_s)`` of a source at direction ``theta_s``."""
    return np.array([np.cos(theta_s), np.sin(theta_s)], np.float64)


def steering_gains(theta_s: float, steer: float) -> tuple[float, float]:
    """Channel weights ``(a_L, a_R)`` of the network's input ``|a_L X_L + a_R X_R|`` steered toward the solo.

    ``a_c = (1 - lambda) / 2 + lambda g_c (g_L + g_R) / 2`` with ``(g_L, g_R)`` :func:`channel_gains` of the solo's
    direction ``theta_s`` and ``lambda = steer``: 0 (or a centred solo) gives the mid ``(X_L + X_R) / 2``; 1 weights
    the channels as the solo is panned, so a solo off the centre stands out more against the rest, while the
    solo's own part stays what the mid holds of it (``(g_L + g_R) / 2 s``): the network's output keeps its units.

    Returns
    -------
    tuple of float
        ``(a_L, a_R)``.
    """
    g = channel_gains(theta_s)
    scale = steer * (g[0] + g[1]) / 2
    return float((1 - steer) / 2 + scale * g[0]), float((1 - steer) / 2 + scale * g[1])


@dataclass
class Direction:
    """The solo's direction read in one block (step 1 of the module docstring).

    Attributes
    ----------
    theta : np.ndarray [shape=(T, F), dtype=float32]
        :func:`directions` of the block's bins.
    theta_s : float
        The solo's direction (radians), from this block and :data:`CARRY` times the earlier blocks' histogram.
    histogram : np.ndarray [shape=(BINS,)]
        What the next block carries.
    """

    theta: np.ndarray
    theta_s: float
    histogram: np.ndarray


def read_direction(solo_mag: np.ndarray, mag: np.ndarray, carried: np.ndarray | None = None) -> Direction:
    """The solo's direction in a block of ``solo_mag`` ``(T, F)`` and mixture magnitudes ``mag`` ``(T, 2, F)``,
    with ``carried``, the earlier blocks' histogram (None for the first block).

    The directions and their histogram are computed :data:`_CHUNK` frames at a time, each chunk's histogram
    while its directions are in cache (the same sums as :func:`direction_histogram` over the block, added
    chunk by chunk).
    """
    theta = np.empty((mag.shape[0], mag.shape[2]), np.float32)
    hist = np.zeros(BINS, np.float64)
    for i in range(0, mag.shape[0], _CHUNK):
        j = i + _CHUNK
        _directions_into(mag[i:j], theta[i:j])
        hist += _histogram(solo_mag[i:j], mag[i:j], theta[i:j])
    if carried is not None:
        hist += CARRY * carried
    return Direction(theta, peak_direction(hist), hist)


def step_weights(solo_mag: np.ndarray, mag: np.ndarray, settings: PanAware, carried: np.ndarray | None = None,
                 direction: Direction | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """What the pan-aware step multiplies (module docstring, steps 1-4), before any Wiener mask.

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
    mag : np.ndarray [shape=(T, 2, F)]
    settings : PanAware
    carried : np.ndarray [shape=(BINS,)], optional
        The earlier blocks' direction histogram (the last call's fifth result); None for the first block.
    direction : Direction, optional
        The block's direction when already read (:func:`read_direction`; ``carried`` is then not used).

    Returns
    -------
    weight : np.ndarray [shape=(T, F), dtype=float32]
        ``f + (1 - f) exp(-(theta - theta_s)^2 / 2 sigma^2)`` of every bin (step 2).
    share : np.ndarray [shape=(2,), dtype=float32]
        ``2 g_c / (g_L + g_R)``: each channel's part of the solo magnitude (step 3).
    weights : np.ndarray [shape=(2,), dtype=float32]
        ``w_c`` of the mono solo ``sum_c w_c M_c X_c`` (step 4; 0.5 and 0.5 for a centred solo).
    theta_s : float
        The solo's direction (radians), read from this block and :data:`CARRY` times ``carried``.
    histogram : np.ndarray [shape=(BINS,)]
        What the next block carries.
    """
    d = direction if direction is not None else read_direction(solo_mag, mag, carried)
    sigma = np.float32(np.deg2rad(settings.sigma_deg))
    w = d.theta - np.float32(d.theta_s)
    w /= sigma
    np.square(w, out=w)
    w *= np.float32(-0.5)
    np.exp(w, out=w)
    w *= np.float32(1.0 - settings.floor)
    w += np.float32(settings.floor)
    g = channel_gains(d.theta_s)
    share = (2 * g / (g[0] + g[1])).astype(np.float32)
    weights = ((g[0] + g[1]) / 2 * g / float(np.sum(g * g))).astype(np.float32)
    return w, share, weights, d.theta_s, d.histogram


def pan_aware_masks(solo_mag: np.ndarray, mag: np.ndarray, alpha: float, settings: PanAware,
                    carried: np.ndarray | None = None, direction: Direction | None = None
                    ) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Per-channel Wiener masks of one block, and the weights of the mono solo (module docstring, steps 1-4).

    Parameters
    ----------
    solo_mag : np.ndarray [shape=(T, F)]
    mag : np.ndarray [shape=(T, 2, F)]
    alpha : float
        Wiener power.
    settings : PanAware
    carried : np.ndarray [shape=(BINS,)], optional
        The earlier blocks' direction histogram (the last call's fourth result); None for the first block.
    direction : Direction, optional
        The block's direction when already read (:func:`read_direction`; ``carried`` is then not used).

    Returns
    -------
    mask : np.ndarray [shape=(T, 2, F), dtype=float32]
        ``M_c``, values in [0, 1].
    weights : np.ndarray [shape=(2,), dtype=float32]
        ``w_c`` of the mono solo ``sum_c w_c M_c X_c`` (0.5 and 0.5 for a centred solo).
    theta_s : float
        The solo's direction (radians), read from this block and :data:`CARRY` times ``carried``.
    histogram : np.ndarray [shape=(BINS,)]
        What the next block carries.
    """
    w, share, weights, theta_s, hist = step_weights(solo_mag, mag, settings, carried, direction)
    s = np.multiply(solo_mag, w, dtype=np.float32)
    mask = wiener_mask(s[:, None, :] * share[None, :, None], mag, alpha)  # each channel's own S_c
    return mask, weights, theta_s, hist
