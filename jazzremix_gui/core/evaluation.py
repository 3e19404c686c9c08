"""Separation quality on a dataset in the DESIGN.md §3 layout.

Global SDR as in the Music Demixing Challenge:
``SDR = 10 log10( (sum s^2 + eps) / (sum (s - s_hat)^2 + eps) )`` over the whole track and
all channels. The solo reference is the mid of the stereo solo, ``(s_L + s_R) / 2``,
against the mono solo estimate; the accompaniment is compared in stereo. Every figure
comes with the ideal-ratio-mask oracle beside it: the mixture's channels masked with
``|S_c| / (|S_c| + |A_c|)`` from the true stems, through the same STFT.

Where the tracks carry a ``meta.json`` (the synthesiser writes one), the medians are
also broken down by condition: solo instrument, horns in the accompaniment or not, mono
or stereo, band-limited or full band (:func:`conditions`, :func:`breakdown`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import AudioReadError, JazzRemixError
from jazzremix_gui.core.models import SessionLike, with_solo_side
from jazzremix_gui.core.pipeline import choose_solo_side, load_model, separate
from jazzremix_gui.core.progress import CancelFn, ProgressFn, Reporter
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.core.signal.input_level import level_of
from jazzremix_gui.core.signal.separation import pan_aware_of
from jazzremix_gui.core.signal.stft import istft, stft

EPS = 1e-10
STEMS = ("mixture", "solo", "accompaniment")


def global_sdr(reference: np.ndarray, estimate: np.ndarray, eps: float = EPS) -> float:
    """Global SDR in dB over all samples and channels (arrays of equal shape)."""
    r = np.asarray(reference, np.float64)
    e = np.asarray(estimate, np.float64)
    if r.shape != e.shape:
        raise ValueError(f"reference {r.shape} and estimate {e.shape} differ in shape")
    return float(10 * np.log10((np.sum(r**2) + eps) / (np.sum((r - e) ** 2) + eps)))


def oracle_irm(mixture: np.ndarray, solo: np.ndarray, accompaniment: np.ndarray, hop: int = 1024):
    """Ideal-ratio-mask separation from the true stems.

    Parameters
    ----------
    mixture, solo, accompaniment : np.ndarray [shape=(n, 2)]

    Returns
    -------
    solo_est : np.ndarray [shape=(n,)]
        Mid of the masked channels.
    acc_est : np.ndarray [shape=(n, 2)]
    """
    X = stft(mixture, hop)
    S = np.abs(stft(solo, hop))
    A = np.abs(stft(accompaniment, hop))
    mask = S / (S + A + EPS)
    solo_est = istft(mask * X, hop, mixture.shape[0]).mean(axis=1)
    acc_est = istft((1 - mask) * X, hop, mixture.shape[0])
    return solo_est, acc_est


#: Degradation types that limit the bandwidth (``meta.json`` ``degradations[].type``).
BAND_LIMITING = ("band_limit", "broadcast_band")
CONDITION_KEYS = ("instrument", "horns", "channels", "band")
SCORE_KEYS = ("solo", "accompaniment", "oracle_solo", "oracle_accompaniment")


def conditions(meta: dict) -> dict:
    """The conditions of one track from its ``meta.json`` content.

    Returns
    -------
    dict
        ``instrument`` (solo instrument), ``horns`` (``horns`` / ``no horns`` in the
        accompaniment), ``channels`` (``mono`` / ``stereo``), ``band`` (``band-limited`` /
        ``full band``); keys whose information is missing are left out.
    """
    out = {}
    if meta.get("instrument"):
        out["instrument"] = str(meta["instrument"])
    if "horn_backgrounds" in meta:
        out["horns"] = "horns" if meta["horn_backgrounds"] else "no horns"
    if "degradations" in meta:
        types = {d.get("type") for d in meta["degradations"] if isinstance(d, dict)}
        out["channels"] = "mono" if "mono_collapse" in types else "stereo"
        out["band"] = "band-limited" if types & set(BAND_LIMITING) else "full band"
    return out


def _meta(folder: Path) -> dict:
    """A track folder's ``meta.json`` (empty when it is missing or unreadable)."""
    try:
        meta = json.loads((Path(folder) / "meta.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def breakdown(tracks: list[dict]) -> dict:
    """Median SDRs per condition value.

    Parameters
    ----------
    tracks : list of dict
        Per-track results with the :data:`SCORE_KEYS` and a ``conditions`` dict.

    Returns
    -------
    dict
        ``{condition: {value: {"n": tracks, "solo": dB, "accompaniment": dB,
        "oracle_solo": dB, "oracle_accompaniment": dB}}}``, values sorted by name.
    """
    out: dict = {}
    for key in CONDITION_KEYS:
        groups: dict = {}
        for t in tracks:
            value = t.get("conditions", {}).get(key)
            if value is not None:
                groups.setdefault(value, []).append(t)
        if groups:
            out[key] = {v: {"n": len(g), **{k: float(np.median([t[k] for t in g])) for k in SCORE_KEYS}}
                        for v, g in sorted(groups.items())}
    return out


@dataclass
class TrackScore:
    """SDRs (dB) of one track: the model's and the oracle's, for solo and accompaniment; where the separation
    found the solo (``found_pan_deg``, degrees) and the other parts it also took for it (``others_deg``)."""

    track: str
    solo: float
    accompaniment: float
    oracle_solo: float
    oracle_accompaniment: float
    found_pan_deg: float = 0.0
    others_deg: tuple = ()
    side_chosen_deg: float | None = None


def stem_path(folder: Path, stem: str) -> Path:
    """``<stem>.wav`` of a track folder, else ``<stem>.flac`` (compact bundled clips)."""
    wav = Path(folder) / f"{stem}.wav"
    return wav if wav.exists() or not wav.with_suffix(".flac").exists() else wav.with_suffix(".flac")


def list_tracks(dataset) -> list[Path]:
    """Track folders of a dataset (those holding mixture, solo and accompaniment WAVs or FLACs)."""
    root = Path(dataset)
    if root.is_file():
        raise AudioReadError(f"{root}: a file; evaluate takes a dataset folder (track folders, each holding "
                             "mixture, solo and accompaniment)")
    if not root.is_dir():
        raise AudioReadError(f"{root}: dataset folder not found")
    tracks = sorted(p for p in root.iterdir() if p.is_dir() and all(stem_path(p, s).exists() for s in STEMS))
    if not tracks:
        raise AudioReadError(f"{root}: no tracks with mixture.wav, solo.wav and accompaniment.wav")
    return tracks


def check_track(folder: Path) -> None:
    """Refuse a track whose stems cannot be scored against its mixture: other rate, length or channels.

    The layout (DESIGN.md §3) has mixture = solo + accompaniment sample for sample, so the
    three files must agree in rate, length and channel count (1 or 2; a downmixed
    multi-channel file has no meaningful stems to compare with). Damaged files are measured
    at their decoded length (:mod:`core.audio.damage`), so a truncated stem shows up as too short.

    Raises
    ------
    AudioReadError
        One line naming the track, the file and the mismatch.
    """
    metas = {s: audio_io.probe(stem_path(folder, s)) for s in STEMS}  # the warnings come when they are read
    mix = metas["mixture"]
    for stem, m in metas.items():
        if m.channels > 2:
            raise AudioReadError(f"{m.path}: {m.channels} channels; evaluate takes mono or stereo stems")
        if stem == "mixture":
            continue
        name, ref = m.path.name, mix.path.name
        if m.rate != mix.rate:
            raise AudioReadError(f"{folder}: {name} is at {m.rate} Hz, {ref} at {mix.rate} Hz; the stems must have "
                                 "the mixture's rate (no resampling is done before scoring)")
        if m.frames != mix.frames:
            raise AudioReadError(f"{folder}: {name} has {m.frames:,} frames, {ref} {mix.frames:,} "
                                 f"({(m.frames - mix.frames) / mix.rate:+.3f} s); the stems must be sample-aligned "
                                 "with the mixture (same length)")
        if m.channels != mix.channels:
            raise AudioReadError(f"{folder}: {name} has {m.channels} channel(s), {ref} {mix.channels}; "
                                 "mixture = solo + accompaniment needs the same channels in all three")


def check_references(folder: Path) -> None:
    """Refuse a track whose solo or accompaniment is silent: an SDR against silence says nothing (0 dB for an
    estimate of silence, -100 dB or so for any other), and would move the medians.

    Raises
    ------
    AudioReadError
        One line naming the file.
    """
    for stem in ("solo", "accompaniment"):
        path = stem_path(folder, stem)
        if not any(np.any(block) for block in audio_io.read_blocks(path, 1 << 16)):
            raise AudioReadError(f"{path}: silent; an SDR against silence means nothing: give the track its {stem} "
                                 "or leave it out of the dataset")


def _stereo(x: np.ndarray) -> np.ndarray:
    return np.repeat(x, 2, axis=1) if x.shape[1] == 1 else x


def read_track(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A track's mixture, solo and accompaniment, each ``(n, 2)`` float32 (a mono file's channel doubled), and
    their rate in Hz."""
    mix, rate = audio_io.read_audio(stem_path(folder, "mixture"))
    solo, _ = audio_io.read_audio(stem_path(folder, "solo"))
    acc, _ = audio_io.read_audio(stem_path(folder, "accompaniment"))
    return _stereo(mix), _stereo(solo), _stereo(acc), rate


#: The rests an engineer could mark between a solo's phrases (:func:`marked_rests`): a gap counts from this long
#: after a phrase ends (its release and reverb) to this long before the next begins, when at least ``REST_LEAST_S``.
REST_AFTER_S, REST_BEFORE_S, REST_LEAST_S = 0.3, 0.05, 0.5


def marked_rests(meta: dict, seconds: float) -> list[tuple[float, float]]:
    """Where a track's solo rests, as an engineer could mark it by ear: the gaps between the solo's phrases
    (``meta.json``'s ``activity``, ``[[start, end], ...]`` in seconds), each shrunk by :data:`REST_AFTER_S` after a
    phrase and :data:`REST_BEFORE_S` before one, kept when at least :data:`REST_LEAST_S` remains
    (``evaluate --solo-silent-at-rests``; docs/SEPARATOR_V3.md, diagnostic r18). [] without phrases."""
    phrases, out = meta.get("activity") or [], []
    if not phrases:
        return out
    edges = [0.0] + [float(x) for a, b in phrases for x in (a, b)] + [seconds]
    for start, end in zip(edges[0::2], edges[1::2]):  # before the first phrase, between two, after the last
        start = start + REST_AFTER_S if start > 0 else 0.0
        end = end - REST_BEFORE_S if end < seconds else seconds
        if end - start >= REST_LEAST_S:
            out.append((start, end))
    return out


#: Mono records transferred in stereo (rule r35, docs/SEPARATOR_V3.md "Mono records transferred in stereo"): the
#: left channel this many dB louder, the right this many samples late, each channel's own hiss this many dB under
#: the music's RMS.
TRANSFERS = {"a": (0.5, 0, -50.0), "b": (1.0, 2, -35.0)}


def mono_transfer(mono: np.ndarray, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """``mono`` [shape=(n,)] made a stereo transfer (:data:`TRANSFERS`; the hiss drawn from ``rng``):
    ``(x (n, 2) float32, k)``, ``k`` the gain of the music in the transfer's mid (the references' scale)."""
    db, late, hiss_db = TRANSFERS[kind]
    rms = np.sqrt(np.mean(mono ** 2))
    hiss = rng.standard_normal((mono.shape[0], 2)) * rms * 10 ** (hiss_db / 20)
    right = np.concatenate([np.zeros(late), mono[: mono.shape[0] - late]])
    return np.stack([mono * 10 ** (db / 20), right], axis=1).astype(np.float32) + hiss.astype(np.float32), \
        (10 ** (db / 20) + 1) / 2


def transferred(folder: Path, mix: np.ndarray, solo: np.ndarray, acc: np.ndarray, kind: str) -> tuple:
    """A track read as a mono record transferred in stereo (rule r35's draws: the track's index seeds the hiss,
    transfer a's drawn first): ``(mixture, solo, accompaniment)``, each ``(n, 2)``, the references the mono ones
    at the transfer's scale in both channels."""
    rng = np.random.default_rng(int(folder.name.rsplit("_", 1)[-1]))
    mono = mix.mean(axis=1)
    x, k = mono_transfer(mono, "a", rng)
    if kind != "a":
        x, k = mono_transfer(mono, kind, rng)
    refs = (np.repeat(np.float32(k) * r.mean(axis=1, keepdims=True), 2, axis=1) for r in (solo, acc))
    return (x, *refs)


def score_track(folder: Path, model: SessionLike, report: Reporter | None = None,
                alpha: float | None = None, pan_aware=None, level=None, adapt=None, rests: bool = False,
                choose_side: bool = False, mono: bool = False, transfer: str = "") -> TrackScore:
    """Separate one track's mixture and score it against its stems (and the oracle); ``alpha``: Wiener power,
    ``pan_aware``: the pan-aware Wiener step (:mod:`core.signal.spatial`; default the model's, False: none),
    ``level``: the levels the network hears it at (:mod:`core.signal.input_level`; default its range, False: as
    it is); ``adapt``: ``adapt(mixture, rate, model) -> SessionLike``, the separator to use for this mixture
    (``training.adapt``: ``model`` adapted to it; it is given the mixture only); ``rests``: the solo silent where
    the track's phrases say it rests (:func:`marked_rests`, the edit of :mod:`core.signal.solo_rests`);
    ``choose_side``: separated toward the side chosen by pitch (:func:`core.pipeline.choose_solo_side`, before any
    adaptation; its ``side_chosen_deg``, None where the separator's reading stands); ``mono``: the track read in
    mono, every file's channels averaged (the stems then scored against the references' mids, as a mono record
    can only be; docs/SEPARATOR_V3.md, "Mono recordings"); ``transfer``: ``"a"`` or ``"b"``, the track read as a
    mono record transferred in stereo (:func:`transferred`; rule r35)."""
    check_track(folder)
    mix, solo, acc, rate = read_track(folder)
    if mono:
        mix, solo, acc = (np.repeat(x.mean(axis=1, keepdims=True), 2, axis=1) for x in (mix, solo, acc))
    elif transfer:
        mix, solo, acc = transferred(folder, mix, solo, acc, transfer)
    chosen = None
    if choose_side:
        chosen = choose_solo_side(mix, model, rate, level=level).side_deg
        model = with_solo_side(model, chosen)
    separator = adapt(mix, rate, model) if adapt is not None else model
    stems = separate(mix, rate, separator, progress=None, cancel=None, alpha=alpha, pan_aware=pan_aware,
                     level=level)
    if rests:
        n = len(stems.solo)
        solo_s, acc_s = solo_rests.silence(stems.solo, stems.accompaniment, mix[:n].astype(np.float32),
                                           marked_rests(_meta(folder), n / rate), 0, rate)
        stems = replace(stems, solo=solo_s, accompaniment=acc_s)
    o_solo, o_acc = oracle_irm(mix, solo, acc, model.meta.hop)
    ref_solo = solo.mean(axis=1)
    return TrackScore(
        folder.name,
        global_sdr(ref_solo, stems.solo),
        global_sdr(acc, stems.accompaniment),
        global_sdr(ref_solo, o_solo),
        global_sdr(acc, o_acc),
        round(float(stems.recorded_pan_deg), 1),
        stems.others_deg,
        chosen,
    )


#: A reading of the solo's side this close to the track's true pan (degrees) is the right side.
SIDE_NEAR_DEG = 8.0


def side_summary(rows: list[dict], metas: list[dict]) -> dict:
    """How the solo's side was read on the stereo tracks whose ``meta.json`` gives the solo's pan: ``stereo``
    (tracks), ``read_right`` (found within :data:`SIDE_NEAR_DEG` of the true pan), ``with_others`` (another part
    named), ``others_right`` (read wrong, and the true pan among the other parts), ``others_beside_right`` (read
    right, and another part named all the same)."""
    out = dict(stereo=0, read_right=0, with_others=0, others_right=0, others_beside_right=0)
    for row, meta in zip(rows, metas):
        pan = meta.get("pan_deg")
        if pan is None or conditions(meta).get("channels") == "mono":
            continue
        right = abs(row["found_pan_deg"] - pan) <= SIDE_NEAR_DEG
        out["stereo"] += 1
        out["read_right"] += right
        out["with_others"] += bool(row["others_deg"])
        if right:
            out["others_beside_right"] += bool(row["others_deg"])
        else:
            out["others_right"] += any(abs(o - pan) <= SIDE_NEAR_DEG for o in row["others_deg"])
    return out


def evaluate_dataset(dataset, model: SessionLike | None = None, progress: ProgressFn = None,
                     cancel: CancelFn = None, alpha: float | None = None, pan_aware=None, level=None,
                     adapt=None, adapted: str = "", rests: bool = False, choose_side: bool = False,
                     mono: bool = False, transfer: str = "") -> dict:
    """Score every track of a dataset (``alpha``: Wiener power, default the model's; ``level``, ``adapt``,
    ``rests``, ``choose_side``, ``mono`` and ``transfer`` as :func:`score_track`'s; ``adapted``: how ``adapt``
    adapts, for the result's ``adapted``; the result's ``solo_silent``, ``solo_side`` and ``read`` say whether the
    rests were silenced, the side chosen by pitch and how the tracks were read: in mono, as a transfer).

    Returns
    -------
    dict
        ``tracks`` (list of per-track dicts), ``median`` (dict of median SDRs in dB),
        ``model`` (version), ``n_tracks``.
    """
    model = model or load_model(None, "separator")
    report = Reporter(progress, cancel)
    tracks = list_tracks(dataset)
    for folder in tracks:  # every track checked before the first is scored: a mismatch is said at once
        check_track(folder)
        check_references(folder)
    scores = []
    for i, folder in enumerate(tracks):
        scores.append(score_track(folder, model, alpha=alpha, pan_aware=pan_aware, level=level, adapt=adapt,
                                  rests=rests, choose_side=choose_side, mono=mono, transfer=transfer))
        report((i + 1) / len(tracks), folder.name)
    median = {k: float(np.median([getattr(s, k) for s in scores])) for k in SCORE_KEYS}
    metas = [_meta(f) for f in tracks]
    rows = [{**asdict(s), "conditions": conditions(m)} for s, m in zip(scores, metas)]
    used, heard = pan_aware_of(model, pan_aware), level_of(level)
    return {"model": model.meta.version, "model_path": str(model.path), "n_tracks": len(scores),
            "pan_aware": used.to_text() if used is not None else "",
            "input_level": heard.to_text() if heard is not None else "none", "adapted": adapted,
            "solo_silent": "at the rests between the phrases" if rests else "",
            "solo_side": "chosen by pitch" if choose_side else "",
            "read": "in mono" if mono else f"as transfer {transfer}" if transfer else "as rendered",
            "tracks": rows, "median": median, "breakdown": breakdown(rows),
            "sides": side_summary(rows, metas)}


#: A track whose SDR falls by more than this against an earlier evaluation is named (dB).
BROKEN_DB = 3.0


class ComparisonError(JazzRemixError):
    """An earlier evaluation that cannot be compared with this one."""


def paired_comparison(result: dict, earlier: dict, broken_db: float = BROKEN_DB) -> dict:
    """This evaluation against an earlier one of the same tracks, track by track.

    A difference of medians over a few dozen tracks moves by the gap between the two middle tracks when one
    track crosses the middle (``docs/SEPARATOR_V3.md``: one track of 24 read as 1.1 dB); the median of the
    per-track differences does not, and the tracks that fall by more than ``broken_db`` are named.

    Parameters
    ----------
    result, earlier : dict
        :func:`evaluate_dataset` results (``earlier`` as ``jazzremix evaluate --json`` wrote it).

    Returns
    -------
    dict
        ``against`` (the earlier model), ``n_tracks``, ``broken_db``, and per stem (``solo``, ``accompaniment``):
        ``median_difference``, ``mean_difference`` (dB, this minus earlier), ``better``, ``worse`` (tracks),
        ``broken`` (``[track, difference]`` of the tracks that fall by more than ``broken_db``, worst first).

    Raises
    ------
    ComparisonError
        ``earlier`` is not an evaluation, or its tracks are not this one's.
    """
    try:
        theirs = {t["track"]: t for t in earlier["tracks"]}
        version = str(earlier.get("model", "?"))
    except (TypeError, KeyError) as exc:
        raise ComparisonError(f"not a 'jazzremix evaluate --json' result (no tracks: {exc})") from None
    ours = {t["track"]: t for t in result["tracks"]}
    if set(ours) != set(theirs):
        missing, extra = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        raise ComparisonError("the earlier evaluation is of other tracks ("
                              + "; ".join(x for x in (f"not in it: {', '.join(missing[:5])}" if missing else "",
                                                      f"only in it: {', '.join(extra[:5])}" if extra else "") if x)
                              + ")")
    out = {"against": version, "n_tracks": len(ours), "broken_db": float(broken_db),
           "input_level": {"this": _input_level(result), "earlier": _input_level(earlier)}}
    for stem in ("solo", "accompaniment"):
        try:
            diffs = {k: float(ours[k][stem]) - float(theirs[k][stem]) for k in sorted(ours)}
        except (KeyError, TypeError, ValueError) as exc:
            raise ComparisonError(f"the earlier evaluation has no {stem} SDR for every track ({exc})") from None
        values = np.array(list(diffs.values()))
        broken = sorted(([k, round(d, 2)] for k, d in diffs.items() if d < -broken_db), key=lambda kd: kd[1])
        out[stem] = {"median_difference": float(np.median(values)), "mean_difference": float(np.mean(values)),
                     "better": int(np.sum(values > 0)), "worse": int(np.sum(values < 0)), "broken": broken}
    return out


def _input_level(result: dict) -> str:
    """The levels an evaluation's network heard the recordings at (``"none"``: as they are, as every evaluation did
    before the range, whose results do not say it)."""
    return str(result.get("input_level") or "none")


def format_comparison(comp: dict) -> str:
    """Plain-text lines of :func:`paired_comparison`."""
    levels = comp.get("input_level") or {}
    differ = levels.get("this") != levels.get("earlier")
    heard = f"; input level {levels.get('this')} against {levels.get('earlier')}" if differ else ""
    lines = [f"against {comp['against']} ({comp['n_tracks']} tracks, this minus that, dB{heard}):"]
    for stem in ("solo", "accompaniment"):
        c = comp[stem]
        broken = ", ".join(f"{k} {d:+.2f}" for k, d in c["broken"]) or "none"
        lines.append(f"  {stem}: median of the differences {c['median_difference']:+.2f}, mean "
                     f"{c['mean_difference']:+.2f}; {c['better']} better, {c['worse']} worse; "
                     f"down by more than {comp['broken_db']:g} dB: {broken}")
    return "\n".join(lines)


def format_report(result: dict) -> str:
    """Plain-text table of :func:`evaluate_dataset`'s result."""
    pan = f", pan-aware Wiener step {result['pan_aware']}" if result.get("pan_aware") else ""
    level = _input_level(result)
    heard = ", the network hearing each recording as it is" if level == "none" else \
        f", the network hearing each recording in {level.replace(',', '..')} dBFS"
    silent = ", the solo silent at each track's rests" if result.get("solo_silent") else ""
    side = ", the solo's side chosen by pitch" if result.get("solo_side") else ""
    read = result.get("read", "as rendered")
    side += f", each track read {read}" if read != "as rendered" else ""
    lines = [f"model: {result['model']}  ({result['n_tracks']} tracks, global SDR in dB{pan}{heard}{silent}{side})",
             f"{'track':<24}{'solo':>8}{'oracle':>8}{'accomp':>9}{'oracle':>8}"]
    for t in result["tracks"] + [dict(track="MEDIAN", **result["median"])]:
        lines.append(f"{t['track']:<24}{t['solo']:>8.2f}{t['oracle_solo']:>8.2f}"
                     f"{t['accompaniment']:>9.2f}{t['oracle_accompaniment']:>8.2f}")
    sides = result.get("sides") or {}
    if sides.get("stereo"):
        wrong = sides["stereo"] - sides["read_right"]
        lines += ["", f"the solo's side, {sides['stereo']} stereo tracks: read within {SIDE_NEAR_DEG:.0f} deg of its "
                  f"pan on {sides['read_right']}; another part named on {sides['with_others']} (the solo's side on "
                  f"{sides['others_right']} of the {wrong} read wrong, beside a right reading on "
                  f"{sides['others_beside_right']})"]
    for key, groups in result.get("breakdown", {}).items():
        lines += ["", f"median by {key}:"]
        for value, g in groups.items():
            lines.append(f"{value + ' (' + str(g['n']) + ')':<24}{g['solo']:>8.2f}{g['oracle_solo']:>8.2f}"
                         f"{g['accompaniment']:>9.2f}{g['oracle_accompaniment']:>8.2f}")
    return "\n".join(lines)


def dumps(result: dict) -> str:
    return json.dumps(result, indent=2)
