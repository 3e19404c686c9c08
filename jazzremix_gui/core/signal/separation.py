"""Streaming separation engine: separator DNN + generalised Wiener filter, chunk by chunk.

Signal flow of the paper (DESIGN.md §1): per-channel STFT, mid magnitude to the
separator, alpha-Wiener masks per channel for the stereo accompaniment. The solo is
the mid of the masked channels (``mean_c M_c X_c``), so that
``solo + mid(accompaniment) = mid(mixture)`` exactly; ``solo_mode='raw'`` instead uses
the network magnitude with the mid phase, as the authors' reference code did.

Frames are processed in blocks; each block's model input is extended by the model's
``context_frames`` on both sides, and overlap-add adds frames in ascending order, so
the result equals whole-signal processing while memory stays bounded.

The work of a block is split into three steps that share nothing but the messages they pass,
so that :func:`core.pipeline.separate_stream` can run each on its own thread (numpy, scipy's
FFT and ONNX Runtime release the GIL in their heavy parts) with the same results:
:class:`Analyser` (input samples -> STFT and the network's input), :class:`Network` (the network,
and with the pan-aware step the solo's direction, which may steer the next block's input),
:class:`Synthesiser` (Wiener masks, inverse STFT, overlap-add, output samples). Only the masked channel solos ``P_c = M_c X_c`` are transformed back: overlap-add
reconstructs every input sample exactly, so the accompaniment is ``x_c - p_c`` and the solo
``(p_L + p_R) / 2`` (two inverse FFTs per frame instead of three; equal to transforming
``X_c - P_c`` and ``(P_L + P_R) / 2`` within float32 rounding).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Iterator

import numpy as np

from jazzremix_gui.core.signal.features import separation_accompaniment, separator_input
from jazzremix_gui.core.signal.input_level import LevelMeter, LevelRange, level_of, offset_heard
from jazzremix_gui.core.signal.near_mono import MonoBlocks
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.signal.panlaw import pan_from_gains, solo_level
from jazzremix_gui.core.signal.spatial import (SIDES, Direction, PanAware, concentration, distinct_directions,
                                               other_readings, pan_aware_masks, read_direction, steering_gains)
from jazzremix_gui.core.signal.stft import CHUNK_FRAMES, HALF, frame_centre, frame_count, ola_gain, overlap_add, stft
from jazzremix_gui.core.signal.wiener import wiener_mask

#: Frames per processing block (about 6 s at hop 1024). With the steps on threads of their own, a block is in
#: flight in each step and each queue: 512-frame blocks made a 3-minute `separate` peak at 495 MB and the app's
#: hour-long analysis at 758 MB; 256 halves what is in flight (303 MB) for 7 % more network frames (each block's
#: 18 context frames on each side), at the same speed (docs/SPEED.md).
BLOCK_FRAMES = 256


@dataclass
class RecordedSolo:
    """How the solo sits in the recording, accumulated frame by frame while separating.

    Energies are sums of squared STFT magnitudes (only their ratios matter): ``e_left``,
    ``e_right`` of the masked channel solos ``M_c X_c``, ``e_mid`` of the mono solo estimate.
    """

    e_left: float = 0.0
    e_right: float = 0.0
    e_mid: float = 0.0
    e_mix: float = 0.0
    #: Pans (degrees) of other parts the network also took for the solo in the first stereo block, each holding
    #: its place (:func:`core.signal.spatial.other_readings`): where else the solo may be.
    others_deg: tuple = ()
    #: The gain (dB) the network heard the recording with (:mod:`core.signal.input_level`; 0: as it is).
    heard_gain_db: float = 0.0
    #: The DC offset (full scale, per channel) the separator did not hear, left in the accompaniment; (): none.
    dc_offset: tuple = ()
    #: Seconds of mono material whose solo was kept to the partials of its own pitch (:mod:`core.signal.pitch_comb`).
    pitch_comb_s: float = 0.0
    #: Of those, seconds whose two channels differ: a mono record transferred in stereo (:mod:`core.signal.near_mono`).
    transferred_s: float = 0.0

    def take(self, other: RecordedSolo) -> None:
        """Become a copy of ``other`` (what a separation found so far, handed on from its threads)."""
        self.__dict__.update(other.__dict__)

    @property
    def share_db(self) -> float:
        """The solo's share of the recording's energy in dB (-inf for silence): how present the solo is."""
        if self.e_mix <= 1e-20 or self.e_left + self.e_right <= 1e-20:
            return float("-inf")
        return float(10 * np.log10((self.e_left + self.e_right) / self.e_mix))

    @property
    def level(self) -> float:
        """The solo level ``k`` of the gain convention (:func:`core.signal.panlaw.solo_level`)."""
        return solo_level(self.e_left, self.e_right, self.e_mid)

    @property
    def pan_deg(self) -> float:
        """The solo's recorded pan in degrees (0 when silent)."""
        if self.e_left + self.e_right <= 1e-20:
            return 0.0
        return pan_from_gains(np.sqrt(self.e_left), np.sqrt(self.e_right))


@dataclass
class Work:
    """One block of frames on its way through the three steps.

    Attributes
    ----------
    a, b : int
        Global frames ``a .. b-1`` of this block.
    features : np.ndarray [shape=(hi - lo, 2049), dtype=float32] or None
        The network's input for frames ``lo .. hi-1`` (the block and up to ``context_frames`` each
        side); None once :func:`run_network` has run, and None when the input is steered toward the
        solo (:class:`Network` makes it from ``context``).
    ctx_before : int
        ``a - lo``: where the block's own frames start in the network's output.
    spec : np.ndarray [shape=(b - a, 2, 2049), dtype=complex64]
        The mixture's STFT per channel for the block's frames.
    x : np.ndarray [shape=(k, 2), dtype=float32]
        The input samples whose output this block completes: the ``k`` samples after the previous
        block's (zeros beyond the input); the accompaniment is ``x - p`` there.
    last : bool
        The signal's last block: everything left goes out.
    solo_mag : np.ndarray [shape=(b - a, 2049), dtype=float32] or None
        The network's output, once :func:`run_network` has run.
    fraction : float
        Frames done after this block / all frames (progress).
    context : np.ndarray [shape=(hi - lo, 2, 2049), dtype=complex64] or None
        The STFT of frames ``lo .. hi-1`` when the network's input is steered (``spec`` is part of it).
    mag : np.ndarray [shape=(b - a, 2, 2049), dtype=float32] or None
        ``|spec|``, once :class:`Network` has read the solo's direction (the pan-aware step on a stereo block).
    direction : Direction or None
        The solo's direction in this block (:func:`core.signal.spatial.read_direction`), with ``mag``.
    others : tuple of float or None
        The first stereo block only: pans (degrees) of other parts that hold their place as the solo does
        (:func:`core.signal.spatial.other_readings`).
    gain : float
        The network's input is scaled by this and its output by its inverse (:mod:`core.signal.input_level`: the
        level the network hears); 1: as it is.
    dc : np.ndarray [shape=(2,), dtype=float32] or None
        The DC offset the separator did not hear (``spec`` is without it, ``x`` with it; full scale); None: none.
    mono : bool
        Separated as mono (:class:`core.signal.near_mono.MonoBlocks`: channels the same, or a mono record
        transferred in stereo): the network hears the mid, the plain step, no direction read.
    same : bool
        The block's two channels are the same, bit for bit (``mono``, and not a transfer).
    """

    a: int
    b: int
    features: np.ndarray
    ctx_before: int
    spec: np.ndarray
    x: np.ndarray
    last: bool
    fraction: float
    solo_mag: np.ndarray | None = None
    context: np.ndarray | None = None
    mag: np.ndarray | None = None
    direction: Direction | None = None
    others: tuple | None = None
    gain: float = 1.0
    dc: np.ndarray | None = None
    mono: bool = False
    same: bool = False


#: The solo's first bin: the network's solo below it (under 25 Hz at 44.1 kHz, bins 0-2) is set to zero, so all that
#: lies there goes to the accompaniment. No jazz solo sounds there (a bass's low E is 41 Hz; 9 % of that partial's
#: energy reaches bin 2 through the window): what does is an offset's remains (faded in with the music, or drifting),
#: a turntable's rumble, which the solo took, moving where it was read and how loud it was.
SOLO_FIRST_BIN = 3


def run_network(model: SessionLike, work: Work) -> Work:
    """The separator on one block's ``features`` (made at ``work.gain``: :func:`_input`): ``work`` with ``solo_mag``
    set (its context frames cut off), the magnitudes it gives scaled back by ``1 / work.gain``: a mask of the
    recording as it is, zero below :data:`SOLO_FIRST_BIN`."""
    out = model.run(work.features)[work.ctx_before : work.ctx_before + work.b - work.a]
    if work.gain != 1.0:
        out = np.multiply(out, np.float32(1.0 / work.gain), out=out)  # the model's own fresh array
    out[:, :SOLO_FIRST_BIN] = 0
    return replace(work, solo_mag=out, features=None)


def _input(work: Work, gains: tuple[float, float] | None = None) -> np.ndarray:
    """The network's input for ``work`` from its ``context`` (the mid, or steered by ``gains``), at ``work.gain``."""
    return separator_input(work.context, gains, work.gain)


class Network:
    """Middle step: the separator on each :class:`Work`, in order (it keeps the solo's direction between blocks).

    With the pan-aware step (:mod:`core.signal.spatial`) it also reads the solo's direction in each stereo
    block, for the :class:`Synthesiser`'s masks, and, when its ``steer`` is above 0, gives the network the
    next block's input steered toward that direction (:func:`core.signal.features.separator_input`). The first
    stereo block, with nothing read before it, is heard twice: as the mid, to read where the solo is, then
    steered (one more network call per recording). With the settings' ``hypotheses`` it is also heard steered
    fully left and fully right, and steered at each distinct reading; the most concentrated reading is kept
    (:func:`core.signal.spatial.concentration`; two to five more calls per recording). With the settings'
    ``side_deg`` (the solo's side, given) nothing is read: every stereo block is steered and separated toward it,
    and the first is heard once. Mono blocks get the mid. With ``others`` (and a steered input, the side not
    given), the first stereo block is also heard steered fully to each side, for other parts that hold their place
    as the solo does (:func:`core.signal.spatial.other_readings`; two to four more calls per recording, the outputs
    unchanged): they go to :class:`RecordedSolo` with the first block that passes once they are known (``Work.others``),
    at the latest with the last. Those calls run on a helper thread beside the separation (the sides while the block
    is heard as the mid, the rest while later blocks go on): at the start nothing else keeps the second core busy.
    :meth:`close` ends the helper (the chain's step calls it however it ends).

    Parameters
    ----------
    model : SessionLike
    pan_aware : PanAware, optional
        The pan-aware settings the synthesiser uses; None: the plain step (nothing read, nothing steered).
    others : bool
        Look for other parts the network takes for the solo in the first stereo block.
    """

    def __init__(self, model: SessionLike, pan_aware: PanAware | None = None, others: bool = False):
        self.model, self.pan_aware, self.others = model, pan_aware, others
        self._carried: np.ndarray | None = None  # the earlier blocks' direction histogram
        self._theta_s = float(np.pi / 4)  # the last block's reading of the solo's direction (centred at first)
        side = pan_aware.side_deg if pan_aware is not None else None
        self._given = None if side is None else float(np.deg2rad(side + 45.0))  # the engineer's, not read
        if self._given is not None:
            self._theta_s = self._given
        self._helper: ThreadPoolExecutor | None = None  # hears the first stereo block for the other parts
        self._sides: dict[float, Future] = {}  # the first stereo block's solo heard steered to each of SIDES
        self._pending: Future | None = None  # the other parts' directions (radians), until they go with a block

    @property
    def steers(self) -> bool:
        """Whether the network's input is steered (the :class:`Analyser` then leaves ``features`` to this step)."""
        return self.pan_aware is not None and self.pan_aware.steer > 0

    def __call__(self, work: Work) -> Work:
        return self._with_found(self._separated(work))

    def close(self) -> None:
        """End the helper thread (waits for a network call it is in; the other parts not yet found are dropped)."""
        helper, self._helper, self._pending, self._sides = self._helper, None, None, {}
        if helper is not None:
            helper.shutdown(wait=True, cancel_futures=True)

    def _separated(self, work: Work) -> Work:
        mag, first = None, None
        if work.features is None:
            mono = work.mono
            if not mono and self._carried is None and self._given is None:  # nothing read: the mid first
                if self.others:  # the block steered to each side, heard beside the mid
                    self._helper = ThreadPoolExecutor(1, thread_name_prefix="jazzremix-others")
                    self._sides = {side: self._helper.submit(self._hear, work, side) for side in SIDES}
                heard = run_network(self.model, replace(work, features=_input(work)))
                mag, first = np.abs(work.spec), work
                self._theta_s = read_direction(heard.solo_mag, mag).theta_s
                if self.pan_aware.hypotheses:
                    return self._with_others(self._first_of_hypotheses(work, mag), first)
            gains = None if mono else steering_gains(self._theta_s, self.pan_aware.steer)
            work = replace(work, features=_input(work, gains), context=None)
        work = run_network(self.model, work)
        if self.pan_aware is None or work.mono:  # a mono block: the plain step, nothing read
            return work
        mag = np.abs(work.spec) if mag is None else mag
        direction = read_direction(work.solo_mag, mag, self._carried)
        if self._given is not None:  # where the engineer says the solo sits, whatever the network's solo reads
            direction = replace(direction, theta_s=self._given)
        self._carried, self._theta_s = direction.histogram, direction.theta_s
        done = replace(work, mag=mag, direction=direction)
        return self._with_others(done, first) if first is not None else done

    def _hear(self, first: Work, theta: float) -> np.ndarray:
        """The network's solo ``(b - a, 2049)`` for the block ``first`` (as it came, with its ``context``) with its
        input steered at direction ``theta`` (radians)."""
        gains = steering_gains(theta, self.pan_aware.steer)
        return run_network(self.model, replace(first, features=_input(first, gains))).solo_mag

    def _heard(self, first: Work, theta: float) -> np.ndarray:
        """:meth:`_hear`, the sides as the helper heard them."""
        side = self._sides.get(theta)
        return side.result() if side is not None else self._hear(first, theta)

    def _with_others(self, done: Work, first: Work) -> Work:
        """The first stereo block ``done``, its other parts that hold their place (``first``: the block as it came)
        now looked for on the helper thread when this step looks for them; :meth:`_with_found` hands them on."""
        if self.others:
            self._pending = self._helper.submit(other_readings, lambda theta: self._heard(first, theta), done.mag,
                                                done.direction.theta_s)
        return done

    def _with_found(self, work: Work) -> Work:
        """``work`` with the other parts once they are found (waited for with the last block); the helper ends."""
        if self._pending is None or not (work.last or self._pending.done()):
            return work
        try:
            found = self._pending.result()
        finally:
            self.close()
        return replace(work, others=tuple(round(float(np.rad2deg(t)) - 45.0, 1) for t in found))

    def _first_of_hypotheses(self, work: Work, mag: np.ndarray) -> Work:
        """The first stereo block (``mag``: its ``|spec|``) with its direction chosen among hypotheses: the mid's
        reading (``_theta_s``) and those of the block steered fully to each side, each distinct one heard steered
        at itself; the pass whose reading is the most concentrated is the block's (the mid's reading on a tie)."""
        steer = self.pan_aware.steer
        readings = [self._theta_s]
        for side in SIDES:
            readings.append(read_direction(self._heard(work, side), mag).theta_s)
        best = None
        for theta in distinct_directions(readings):
            done = run_network(self.model, replace(work, features=_input(work, steering_gains(theta, steer)),
                                                   context=None))
            direction = read_direction(done.solo_mag, mag)
            score = concentration(direction.histogram)
            if best is None or score > best[0]:
                best = (score, done, direction)
        _, done, direction = best
        self._carried, self._theta_s = direction.histogram, direction.theta_s
        return replace(done, mag=mag, direction=direction)


class Analyser:
    """Input side: takes 44.1 kHz stereo samples, makes :class:`Work` for every block of frames that can be computed.

    Parameters
    ----------
    n_samples : int
        Total length of the signal at 44.1 kHz (needed to know the last frame).
    hop, ctx : int
        The model's hop and context frames.
    block_frames : int
        Frames per block.
    steered : bool
        Leave the network's input to :class:`Network` (``features`` None, ``context`` the STFT it needs).
    level : LevelRange, optional
        The levels the network hears the recording at (:mod:`core.signal.input_level`): no block is made before
        the recording's level is measured on its start, then every block carries the gain (``Work.gain``);
        None: as it is. The same measurement finds a DC offset (:attr:`core.signal.input_level.LevelMeter.dc`): one
        it would hear (:func:`core.signal.input_level.offset_heard`) the separator hears taken out, and the samples
        let out (``Work.x``, from which the accompaniment is made) are the recording's own, so the accompaniment
        holds the offset and the stems still add up to the recording. Digital silence the recording opens with
        stays silence.
    """

    def __init__(self, n_samples: int, hop: int, ctx: int, block_frames: int = BLOCK_FRAMES, steered: bool = False,
                 level: LevelRange | None = None):
        self.n, self.hop, self.ctx, self.block = n_samples, hop, ctx, max(1, block_frames)
        self.steered, self.level = steered, level
        self._meter = LevelMeter() if level is not None else None
        self._held: list[np.ndarray] = []  # input received while the level is measured
        self.gain = 1.0  # the network's input gain, once the level is measured
        self.dc: np.ndarray | None = None  # (2,) the DC offset taken out of self._in, once measured
        self._orig: np.ndarray | None = None  # with self.dc: the samples of self._in as they came
        self.n_frames = frame_count(n_samples, hop)
        self._in = np.zeros((0, 2), np.float32)
        self._in_off = 0  # global index of self._in[0]
        self._received = 0
        self._t = 0  # next frame to process
        self._emitted = 0  # global index of the first sample not yet let out
        self._mono = MonoBlocks()  # which blocks are separated as mono

    @property
    def fraction_done(self) -> float:
        return self._t / self.n_frames if self.n_frames else 1.0

    def push(self, block: np.ndarray) -> list[Work]:
        """Add ``(m, 2)`` samples; returns the blocks of frames that became computable."""
        return list(self.feed(block))

    def finish(self) -> list[Work]:
        """The blocks left, up to the last frame."""
        return list(self.feed_last())

    def feed(self, block: np.ndarray) -> Iterator[Work]:
        """:meth:`push`, the blocks made one at a time as they are taken (the samples are added at once): when
        the level is measured, several blocks become computable together, and a step on a thread of its own
        (:func:`core.pipeline.separate_stream`) then hands each on before it makes the next (its queue bounds
        what is in flight)."""
        block = np.asarray(block, np.float32)
        self._received += block.shape[0]
        if self._meter is not None and not self._meter.decided:
            self._held.append(block)  # joined once the level is known: no copy of the growing start per block
            self._meter.push(block)
            if self._received >= self.n:
                self._meter.finish()
            if not self._meter.decided:
                return iter(())
            self._measured()
            return self._run(final=False)
        if self.dc is None:
            self._in = np.concatenate([self._in, block])
        else:
            self._in, self._orig = np.concatenate([self._in, self._heard(block)]), np.concatenate([self._orig, block])
        return self._run(final=False)

    def feed_last(self) -> Iterator[Work]:
        """:meth:`finish`, the blocks made one at a time as they are taken."""
        if self._meter is not None and not self._meter.decided:
            self._meter.finish()
            self._measured()
        return self._run(final=True)

    @property
    def level_db(self) -> float | None:
        """The recording's level as measured (dBFS; None: not measured, or nothing above the onset)."""
        return self._meter.level_db if self._meter is not None else None

    def _measured(self) -> None:
        self.gain = float(10 ** (self.level.gain_db(self._meter.level_db) / 20))
        self._in, self._held = np.concatenate([self._in, *self._held]), []
        self.dc = offset_heard(self._meter.dc, self.gain)
        if self.dc is not None:
            self._in, self._orig = self._heard(self._in), self._in
            opening = (self._meter.first_sound or 0) - self._in_off
            self._in[: max(opening, 0)] = 0  # an opening of digital silence stays silent

    def _heard(self, block: np.ndarray) -> np.ndarray:
        """``block`` without the DC offset, every sample (only the recording's opening digital silence stays zero,
        :meth:`_measured`: as its own step into the music the offset's would be a click; a zero elsewhere is
        music's own, often so in 8-bit files, and a constant left by silence there lies under 25 Hz, nothing of
        the solo's)."""
        return block - self.dc

    def _available_frames(self, final: bool) -> int:
        """Frames ``< t`` whose model input (with context) is fully available."""
        if final or self._received >= self.n:
            return self.n_frames
        # frame t with context needs samples up to centre(t + ctx) + HALF
        last = (self._received - 1 - HALF - (frame_centre(0, self.hop))) // self.hop - self.ctx
        return int(max(0, min(self.n_frames, last + 1)))

    def _run(self, final: bool) -> Iterator[Work]:
        ready = self._available_frames(final)
        while self._t < ready and (ready - self._t >= self.block or final or self._received >= self.n):
            a = self._t
            b = min(a + self.block, ready)
            yield self._work(a, b)

    def _work(self, a: int, b: int) -> Work:
        lo, hi = max(0, a - self.ctx), min(self.n_frames, b + self.ctx)
        if np.array_equal(self._in[:, 0], self._in[:, 1]):  # a mono file: one channel's transform, twice
            spec = np.repeat(stft(self._in[:, 0], self.hop, lo, hi, offset=self._in_off)[:, None], 2, axis=1)
        else:
            spec = stft(self._in, self.hop, lo, hi, offset=self._in_off)  # (F, 2, 2049)
        self._t = b
        last = b >= self.n_frames
        # samples no later frame touches go out with this block, clipped to the signal range
        end = self.n if last else min(self.n, frame_centre(b, self.hop) - HALF)
        end = max(end, self._emitted)
        x = self._samples(self._emitted, end)
        self._emitted = end
        features, context = (None, spec) if self.steered else (separator_input(spec, scale=self.gain), None)
        own = spec[a - lo : b - lo]
        work = Work(a, b, features, a - lo, own, x, last, self.fraction_done, context=context, gain=self.gain,
                    dc=self.dc, mono=self._mono(own), same=self._mono.same)
        # input before the first frame still needed (next block's left context) can go
        keep_from = frame_centre(max(0, b - self.ctx), self.hop) - HALF
        drop = max(0, min(keep_from, self._emitted) - self._in_off)
        if drop:
            self._in = self._in[drop:]
            self._orig = self._orig[drop:] if self._orig is not None else None
            self._in_off += drop
        return work

    def _samples(self, start: int, end: int) -> np.ndarray:
        """Input samples ``start .. end-1`` (global) as they came (with any DC offset the separator did not hear),
        ``(end - start, 2)``; zeros where none were received."""
        out = np.zeros((end - start, 2), np.float32)
        lo, hi = max(start, self._in_off), min(end, self._in_off + self._in.shape[0])
        if hi > lo:
            out[lo - start : hi - start] = (self._in if self._orig is None else self._orig)[
                lo - self._in_off : hi - self._in_off]
        return out


class Synthesiser:
    """Output side: Wiener masks, inverse STFT and overlap-add of :class:`Work` whose network output is in.

    Parameters
    ----------
    hop : int
    alpha : float
        Wiener power.
    solo_mode : {'masked', 'raw'}
    recorded : RecordedSolo
        Receives the solo's energies as blocks go by.
    pan_aware : PanAware, optional
        The pan-aware Wiener step (:mod:`core.signal.spatial`; masked solos only); None: the plain one.
    rows_kind : str, optional
        A mixer's input kind: the accompaniment's rows of each frame for that mixer
        (:func:`core.signal.features.separation_accompaniment`) are made here from its spectra, for
        :meth:`take_rows`.
    """

    def __init__(self, hop: int, alpha: float, solo_mode: str = "masked", recorded: RecordedSolo | None = None,
                 pan_aware: PanAware | None = None, rows_kind: str | None = None):
        self.hop, self.alpha, self.solo_mode, self.rows_kind = hop, alpha, solo_mode, rows_kind
        self._rows: list[np.ndarray] = []  # rows_kind: the accompaniment's rows made since the last take_rows()
        self._rows_from = 0  # the frame of their first row
        self.pan_aware = pan_aware if solo_mode == "masked" else None
        self.recorded = recorded if recorded is not None else RecordedSolo()
        self._out_off = 0  # global index of the output buffers' first sample
        self._scale = np.float32(1.0 / ola_gain(hop))  # the buffers hold the segments' sums (overlap_add unscaled)
        self._parts = np.zeros((2, 0), np.float32)  # overlap-add of the masked channel solos p_c, channels first
        self._own_solo = solo_mode == "raw" or self.pan_aware is not None  # the solo is not the channels' mean
        self._solo = np.zeros((0,), np.float32)  # _own_solo only: overlap-add of the solo

    def process(self, work: Work) -> tuple[np.ndarray, np.ndarray]:
        """One block; returns the finished ``(solo (k,), accompaniment (k, 2))`` samples it lets out.

        Everything is per frame once the solo's direction is read (by :class:`Network`), so it runs
        :data:`core.signal.stft.CHUNK_FRAMES` frames at a time, whose arrays stay in cache from the mask to the
        overlap-add (the same samples: overlap-add adds in frame order).
        """
        spec, a, b = work.spec, work.a, work.b
        if work.others is not None:
            self.recorded.others_deg = work.others
        if work.gain != 1.0:
            self.recorded.heard_gain_db = float(20 * np.log10(work.gain))
        if work.dc is not None:
            self.recorded.dc_offset = (float(work.dc[0]), float(work.dc[1]))
        end = frame_centre(b - 1, self.hop) + HALF + 1 - self._out_off  # grow the output buffers to these frames
        self._parts = _grown(self._parts, end)
        if self._own_solo:
            self._solo = _grown(self._solo, end)
        weights = None
        aware = self.pan_aware is not None and work.direction is not None  # read by Network; mono: the plain step
        for i in range(0, b - a, CHUNK_FRAMES):
            j = min(b - a, i + CHUNK_FRAMES)
            sp, solo_mag = spec[i:j], work.solo_mag[i:j]
            if aware:  # the same per-bin products as over the whole block, a chunk at a time (in cache)
                mg, d = work.mag[i:j], work.direction
                m, weights, _, _ = pan_aware_masks(solo_mag, mg, self.alpha, self.pan_aware,
                                                   direction=replace(d, theta=d.theta[i:j]))
            else:
                mg = np.abs(sp)
                m = wiener_mask(solo_mag, mg, self.alpha)  # (t, 2, F)
            parts = np.multiply(m, sp)  # P_c = M_c X_c
            solo_spec, mix = None, weights if weights is not None else _HALVES  # the mono solo: sum_c mix_c P_c
            if self.solo_mode == "raw":
                mid = (sp[:, 0] + sp[:, 1]) * np.float32(0.5)
                solo_spec = solo_mag * np.exp(1j * np.angle(mid)).astype(np.complex64)
            self._measure(mg, sp, parts, solo_spec, mix)
            if self.rows_kind is not None:
                self._rows.append(separation_accompaniment(sp, parts, self.rows_kind))
            # the buffers hold the segments' sums; _emit scales the finished samples
            if self.solo_mode == "raw":
                overlap_add(parts, self.hop, a + i, self._parts, self._out_off, scaled=False)
                overlap_add(solo_spec, self.hop, a + i, self._solo, self._out_off, scaled=False)
            elif self._own_solo:  # the solo's segments are the channels' weighted: no inverse transform of its own
                overlap_add(parts, self.hop, a + i, self._parts, self._out_off, mix=mix, mixed_out=self._solo,
                            scaled=False)
            else:  # the channels' mean, taken from the output samples (_emit)
                overlap_add(parts, self.hop, a + i, self._parts, self._out_off, scaled=False)
        return self._emit(work.x)

    def take_rows(self) -> tuple[int, np.ndarray] | None:
        """The accompaniment's rows of the frames processed since the last call: ``(first frame, rows)``, or
        None (none, or a mixer that reads no accompaniment)."""
        if not self._rows or self._rows[0] is None:
            self._rows = []
            return None
        rows = np.concatenate(self._rows)
        first, self._rows = self._rows_from, []
        self._rows_from += rows.shape[0]
        return first, rows

    def _emit(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Let out ``len(x)`` samples: the accompaniment ``x - p``, the solo ``mean_c p_c`` (or the raw solo)."""
        k = x.shape[0]
        parts = np.multiply(self._parts[:, :k], self._scale)  # the overlap-add gain, on the finished samples
        acc = np.empty(x.shape, np.result_type(x, parts))  # x - parts.T, a channel at a time (core.audio.columns)
        for c in range(x.shape[1]):
            np.subtract(x[:, c], parts[c], out=acc[:, c])
        if self._own_solo:
            solo, self._solo = np.multiply(self._solo[:k], self._scale), self._solo[k:]
        else:
            solo = (parts[0] + parts[1]) * np.float32(0.5)
        self._parts = self._parts[:, k:]
        self._out_off += k
        return solo, acc

    def _measure(self, mag: np.ndarray, spec: np.ndarray, solo_parts: np.ndarray, solo_spec: np.ndarray | None,
                 mix: np.ndarray) -> None:
        """Add these frames' energies: the mixture's, each channel's solo and the mono solo's.

        The mixture's leaves out the bins under :data:`SOLO_FIRST_BIN` (an offset's remains, rumble: no solo's),
        so the solo's share is of what a solo can sound in. Each energy is one pass of products summed per frame in
        float32 (2049 or 4098 values) and
        over frames in float64: the mixture's from ``mag`` (``|X_c|``, ``(T, 2, F)``), the channels' from the
        masked channel solos ``solo_parts`` (complex ``P_c = M_c X_c``, ``(T, 2, F)``), the mono solo's from
        ``solo_spec`` (``(T, F)``, the raw mode's) or, when None, as ``sum_c mix_c P_c``:
        ``mix_L^2 |P_L|^2 + mix_R^2 |P_R|^2 + 2 mix_L mix_R Re(P_L conj(P_R))`` from the channels' energies
        and one more pass for their cross term. Where a float file's absurd samples (1e30) overflow a float32
        square to inf, the frames are measured again from ``spec`` and ``solo_parts`` squared in float64.
        """
        def power64(x):
            return np.square(x.real, dtype=np.float64) + np.square(x.imag, dtype=np.float64)

        def rows(x):  # sum of squares of each row of the last axis, float32
            x = x.reshape(-1, x.shape[-1])
            return np.einsum("ij,ij->i", x, x)

        parts = np.ascontiguousarray(solo_parts).view(np.float32)  # (T, 2, 2F): real and imaginary parts
        w = np.asarray(mix, np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught below
            low = mag[..., :SOLO_FIRST_BIN]  # what no solo sounds in: left out
            e_mix = float(rows(mag).sum(dtype=np.float64)) - float(np.square(low, dtype=np.float64).sum())
            per_channel = rows(parts).reshape(parts.shape[0], 2).sum(axis=0, dtype=np.float64)
            if solo_spec is not None:
                e_mid = float(rows(np.ascontiguousarray(solo_spec).view(np.float32)).sum(dtype=np.float64))
            else:
                cross = float(np.einsum("ij,ij->i", parts[:, 0], parts[:, 1]).sum(dtype=np.float64))
                e_mid = float(w[0] ** 2 * per_channel[0] + w[1] ** 2 * per_channel[1] + 2 * w[0] * w[1] * cross)
        if not (np.isfinite(e_mix) and np.isfinite(per_channel).all() and np.isfinite(e_mid)):
            e_mix = float(power64(spec[..., SOLO_FIRST_BIN:]).sum())
            per_channel = power64(solo_parts).sum(axis=(0, 2))
            if solo_spec is None:
                wide = solo_parts.astype(np.complex128)
                solo_spec = wide[:, 0] * w[0] + wide[:, 1] * w[1]
            e_mid = float(power64(solo_spec).sum())
        self.recorded.e_mix += e_mix
        self.recorded.e_left += float(per_channel[0])
        self.recorded.e_right += float(per_channel[1])
        self.recorded.e_mid += max(e_mid, 0.0)


#: The mono solo's weights of the channels' solos where no pan-aware weights apply (the plain step, a mono block).
_HALVES = np.array([0.5, 0.5], np.float32)


def _grown(buf: np.ndarray, length: int) -> np.ndarray:
    """``buf`` (samples on its last axis) extended with zeros to ``length`` samples (itself when long enough)."""
    if length <= buf.shape[-1]:
        return buf
    return np.concatenate([buf, np.zeros(buf.shape[:-1] + (length - buf.shape[-1],), np.float32)], axis=-1)


class SeparatorEngine:
    """Push stereo 44.1 kHz samples in, get solo (mono) and accompaniment (stereo) samples out, on this thread.

    The three steps of a block (:class:`Analyser`, :class:`Network`, :class:`Synthesiser`) one
    after the other; :func:`core.pipeline.separate_stream` runs the same steps on threads of their own.

    Parameters
    ----------
    model : SessionLike
        A separator (input: mid magnitude frames, output: solo magnitude frames).
    n_samples : int
        Total length of the signal at 44.1 kHz (needed to know the last frame).
    alpha : float, optional
        Wiener power; default: the model's ``wiener_alpha`` metadata (:data:`core.signal.wiener.ALPHA` when absent).
    solo_mode : {'masked', 'raw'}
    block_frames : int
        Frames per model call (memory bound; does not change the result).
    pan_aware : PanAware or False, optional
        The pan-aware Wiener step (:mod:`core.signal.spatial`); default: the model's ``pan_aware``
        metadata; False: the plain step whatever the model says.
    level : LevelRange or False, optional
        The levels the network hears the recording at (:mod:`core.signal.input_level`); default:
        :data:`core.signal.input_level.DEFAULT_RANGE`; False: as it is.
    """

    def __init__(self, model: SessionLike, n_samples: int, alpha: float | None = None, solo_mode: str = "masked",
                 block_frames: int = BLOCK_FRAMES, pan_aware: PanAware | bool | None = None,
                 level: LevelRange | bool | None = None):
        alpha = model.meta.wiener_alpha if alpha is None else alpha
        self.model, self.n, self.alpha, self.solo_mode = model, n_samples, alpha, solo_mode
        self.synthesis = Synthesiser(model.meta.hop, alpha, solo_mode, pan_aware=pan_aware_of(model, pan_aware))
        self.network = Network(model, self.synthesis.pan_aware)
        self.analysis = Analyser(n_samples, model.meta.hop, model.meta.context_frames, block_frames,
                                 steered=self.network.steers, level=level_of(level))
        self.n_frames = self.analysis.n_frames

    @property
    def recorded(self) -> RecordedSolo:
        return self.synthesis.recorded

    @recorded.setter
    def recorded(self, value: RecordedSolo) -> None:
        self.synthesis.recorded = value

    @property
    def fraction_done(self) -> float:
        return self.analysis.fraction_done

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add ``(m, 2)`` samples; returns finished ``(solo (k,), accompaniment (k, 2))`` samples."""
        return self._through(self.analysis.push(block))

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """Process what is left; returns the remaining samples up to ``n_samples``."""
        return self._through(self.analysis.finish())

    def _through(self, works: list[Work]) -> tuple[np.ndarray, np.ndarray]:
        outs = [self.synthesis.process(self.network(w)) for w in works]
        return join(outs)


def pan_aware_of(model: SessionLike, pan_aware: PanAware | bool | None = None) -> PanAware | None:
    """The pan-aware settings a separation uses: ``pan_aware`` when given (False: none), else the model's metadata."""
    if pan_aware is None:
        text = getattr(model.meta, "pan_aware", "")
        return PanAware.parse(text) if text else None
    return pan_aware or None


def join(outs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``(solo (k,), accompaniment (k, 2))`` pieces; empty ones when there are none."""
    if not outs:
        return np.zeros((0,), np.float32), np.zeros((0, 2), np.float32)
    return np.concatenate([o[0] for o in outs]), np.concatenate([o[1] for o in outs])
