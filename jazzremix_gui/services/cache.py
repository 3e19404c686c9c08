"""Per-track result cache: stems and suggestion keyed by the input's SHA-256 and the models' versions.

Reopening a track whose file and models have not changed loads the stored result
instead of separating again. Entries are ``.npz`` files under
``core.files.paths.cache_dir()/tracks``, written atomically (temporary file, then rename).
The stems are stored as float32, uncompressed (exact; 12 bytes per frame: 1.9 GB per hour at
44.1 kHz, 2.1 GB at 48 kHz), so :func:`load` maps them from the file instead of reading them
into memory: pages are read as playback, export or drawing reach them, and the operating
system can drop them again (copy-on-write: a caller that writes into them changes only its
own copy).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import zipfile
from pathlib import Path

import numpy as np

from jazzremix_gui.core.files import paths
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.files.mapped import pieces, release
from jazzremix_gui.core.models import SessionLike, adapted_meta
from jazzremix_gui.core.files.hashing import file_sha256  # noqa: F401 (re-exported for callers)
from jazzremix_gui.core.pipeline import Stems
from jazzremix_gui.core.signal.input_level import MAX_BOOST_DB
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.core.signal.mixer import Suggestion
from jazzremix_gui.core.audio.audio_io import MAX_RATE, MIN_RATE
from jazzremix_gui.core.signal.panlaw import GAIN_MAX, GAIN_MIN, PAN_MAX_DEG, PAN_MIN_DEG
from jazzremix_gui.services import validation as v
from jazzremix_gui.services.validation import Invalid

log = logging.getLogger(__name__)

#: 2: stems carry the solo level and recorded pan (gain convention), suggestions their confidence.
#: 3: stems also carry the other parts the separator took for the solo (``others_deg``).
#: 4: stems made with the network hearing the recording in a level range, and the gain it heard it with
#: (``heard_gain_db``, :mod:`core.signal.input_level`): a quiet recording's earlier stems are made again.
#: 5: a DC offset is left in the accompaniment, not heard by the separator (``dc_offset``); like every format
#: change, it makes each entry again once (the format is part of the key).
#: 6: mono material's solo kept to the partials of its own pitch (:mod:`core.signal.pitch_comb`): a mono recording's
#: earlier stems are made again.
#: 7: that solo also turned down where YIN hears no pitch in it (rule r32): made again likewise.
#: 8: a mono record transferred in stereo separated as mono (rule r35, :mod:`core.signal.near_mono`).
FORMAT = 8


def model_tag(model: SessionLike, version: str = "") -> str:
    """A model's identity for cache keys: its version (or ``version``) plus the file's size and modification time."""
    st = model.path.stat()
    return f"{version or model.meta.version}:{st.st_size}:{int(st.st_mtime)}"


def cache_key(sha256: str, separator: SessionLike, mixer: SessionLike, adapted: int = 0) -> str:
    """The entry of a recording's results with these models; ``adapted``: the separator adapted to the recording in
    that many optimiser steps (known before it is: :func:`core.models.adapted_meta`), 0: as it is."""
    version = adapted_meta(separator.meta, adapted).version if adapted else ""
    text = f"{FORMAT}|{sha256}|{model_tag(separator, version)}|{model_tag(mixer)}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def entry_path(key: str) -> Path:
    return paths.cache_dir() / "tracks" / f"{key}.npz"


def save(key: str, stems: Stems, suggestion: Suggestion) -> Path | None:
    """Store a result; returns the file, or ``None`` when the cache folder is not writable (not an error)."""
    target = entry_path(key)
    sections = [s.to_json() for s in suggestion.sections]
    sec_posts = np.stack([s.posterior for s in suggestion.sections]) if suggestion.sections else np.zeros((0, 19, 21))
    meta = {"rate": stems.rate, "separator_version": stems.model_version, "mixer_version": suggestion.model_version,
            "pan_deg": suggestion.pan_deg, "gain": suggestion.gain, "sections": sections,
            "solo_level": stems.solo_level, "recorded_pan_deg": stems.recorded_pan_deg,
            "solo_share_db": stems.solo_share_db if np.isfinite(stems.solo_share_db) else -999.0,
            "others_deg": [float(p) for p in stems.others_deg], "heard_gain_db": stems.heard_gain_db,
            "dc_offset": [float(d) for d in stems.dc_offset], "pitch_comb_s": float(stems.pitch_comb_s),
            "transferred_s": float(stems.transferred_s),
            "confidence": suggestion.confidence, "clear": suggestion.clear, "active_s": suggestion.active_seconds}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target, ".npz") as tmp:
            _write_npz(tmp, solo=stems.solo, accompaniment=stems.accompaniment, posterior=suggestion.posterior,
                       frame_posteriors=suggestion.frame_posteriors, frame_times=suggestion.frame_times,
                       active=suggestion.active, section_posteriors=sec_posts, meta=np.array(json.dumps(meta)))
    except OSError:
        return None
    return target


def _write_npz(path, **arrays: np.ndarray) -> None:
    """What ``np.savez`` writes (members stored uncompressed, so :func:`load` can map them), each array copied in
    pieces: mapped stems (the analysis's spools) are never resident whole."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, array in arrays.items():
            array = array if isinstance(array, np.ndarray) else np.asanyarray(array)
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(member, np.lib.format.header_data_from_array_1_0(array))
                for piece in (pieces(array) if array.ndim else [array]):
                    member.write(np.ascontiguousarray(piece).tobytes())


def _sized() -> list[tuple[float, int, Path]]:
    """``(mtime, bytes, path)`` of each stored result, least recently used first. Another app's temporary files
    (``.KEY.npz.jazzremix-....npz``, being written) are not results; a file another app removes meanwhile is passed
    over."""
    found = []
    try:
        names = list((paths.cache_dir() / "tracks").glob("[!.]*.npz"))
    except OSError:
        return []
    for p in names:
        try:
            st = p.stat()
        except OSError:  # trimmed by another app since the listing
            continue
        found.append((st.st_mtime, st.st_size, p))
    return sorted(found)


def entries() -> list[Path]:
    """The stored results, least recently used first."""
    return [p for _, _, p in _sized()]


def size_bytes() -> int:
    """Bytes the stored results take."""
    return sum(size for _, size, _ in _sized())


def trim(limit_bytes: int, keep: str | None = None) -> int:
    """Delete the least recently used results until they fit in ``limit_bytes`` (never ``keep``);
    returns the bytes freed (two apps trimming at once each pass over what the other removed)."""
    freed = 0
    files = _sized()
    total = sum(size for _, size, _ in files)
    for _, size, p in files:
        if total <= limit_bytes:
            break
        if p.stem == keep:
            continue
        try:
            p.unlink()
        except FileNotFoundError:  # removed by another app meanwhile: its bytes are gone all the same
            total -= size
            continue
        except OSError:  # mapped by a track that is open (Windows): trimmed another time
            continue
        total -= size
        freed += size
    return freed


def clear() -> int:
    """Delete every stored result (edits are kept elsewhere and stay); returns the bytes freed."""
    return trim(0)


def _mapped(path: Path, archive: zipfile.ZipFile, name: str) -> np.ndarray | None:
    """Member ``name`` of an ``.npz`` file memory-mapped (copy-on-write), or None when it is compressed.

    ``np.savez`` stores members uncompressed: the ``.npy`` data lies in the file as it is, after
    the zip member's local header and the ``.npy`` header.
    """
    info = archive.getinfo(f"{name}.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(f)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(f)
        offset = f.tell()
    if dtype.hasobject or offset + int(np.prod(shape)) * dtype.itemsize > path.stat().st_size:
        return None
    if int(np.prod(shape)) == 0:
        return np.zeros(shape, dtype)
    return np.memmap(path, dtype, "c", offset, shape, "F" if fortran else "C")


#: Sample rates an entry may hold (the inputs accepted, :data:`core.audio.audio_io.MIN_RATE` .. ``MAX_RATE``).
RATES = (MIN_RATE, MAX_RATE)
KINDS = {"f": "float", "b": "bool", "U": "text"}
#: Samples checked for NaN at a time (bounds the memory of the check).
_CHUNK = 1 << 20


def _finite(name: str, a: np.ndarray) -> None:
    flat = a.reshape(-1)
    for i in range(0, flat.size, _CHUNK):
        if not np.isfinite(flat[i:i + _CHUNK]).all():
            raise Invalid(f"{name} holds NaN or infinite samples")
        release(flat, i, i + _CHUNK)  # a mapped member: checked a piece at a time, its pages given back


def _array(z, name: str, shape: tuple, kind: str = "f", mapped: dict | None = None) -> np.ndarray:
    """``z[name]`` (or ``mapped[name]``, the same member memory-mapped) checked for its kind (``f`` float,
    ``b`` bool) and shape (None: any length)."""
    a = mapped[name] if mapped and name in mapped else z[name]
    if a.dtype.kind != kind or a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        raise Invalid(f"{name} is {a.dtype}{list(a.shape)}, expected {KINDS[kind]}"
                      f"{['n' if s is None else s for s in shape]}")
    if kind == "f":
        _finite(name, a)
    return a


def check_entry(z, rate: int | None = None, length: int | None = None,
                mapped: dict | None = None) -> tuple[Stems, Suggestion]:
    """Build a result from an opened entry (``np.load``), checking every field; the one check of cache entries.

    Parameters
    ----------
    z : mapping of name -> np.ndarray
        The entry's arrays.
    rate, length : int, optional
        What the recording has (an entry must match it).
    mapped : dict, optional
        ``{name: np.ndarray}``: members memory-mapped from the file (:func:`_mapped`), used instead of ``z``'s.

    Raises
    ------
    services.validation.Invalid
        Wrong types, shapes, ranges, NaN in stems or posteriors, another rate or length.
    """
    meta = v.parse_json(str(_array(z, "meta", (), "U")))
    if not isinstance(meta, dict):
        raise Invalid("meta is not an object")
    entry_rate = v.integer(meta, "rate", *RATES)
    if rate is not None and entry_rate != rate:
        raise Invalid(f"rate {entry_rate} Hz, the recording has {rate} Hz")
    solo = _array(z, "solo", (None,), mapped=mapped)
    acc = _array(z, "accompaniment", (solo.shape[0], 2), mapped=mapped)
    if length is not None and solo.shape[0] != length:
        raise Invalid(f"{solo.shape[0]} samples, the recording has {length}")
    posterior = _array(z, "posterior", (19, 21))
    frames = _array(z, "frame_posteriors", (None, 399))
    times = _array(z, "frame_times", (frames.shape[0],))
    active = _array(z, "active", (frames.shape[0],), "b")
    sections = v.sequence(meta, "sections", 100000)
    sec_posts = _array(z, "section_posteriors", (len(sections), 19, 21))
    if (posterior < 0).any() or (frames < 0).any() or (sec_posts < 0).any():
        raise Invalid("a posterior holds negative values")
    stems = Stems(solo, acc, entry_rate, v.text(meta, "separator_version"),
                  solo_level=v.number(meta, "solo_level", 0.0, 100.0),
                  recorded_pan_deg=v.number(meta, "recorded_pan_deg", PAN_MIN_DEG, PAN_MAX_DEG),
                  solo_share_db=v.number(meta, "solo_share_db", -1e4, 1e4),
                  others_deg=_others(meta), heard_gain_db=v.number(meta, "heard_gain_db", -120.0, MAX_BOOST_DB),
                  dc_offset=_dc_offset(meta), pitch_comb_s=v.number(meta, "pitch_comb_s", 0.0, 1e9),
                  transferred_s=v.number(meta, "transferred_s", 0.0, 1e9, required=False, default=0.0))
    secs = []
    for i, (sec, post) in enumerate(zip(sections, sec_posts)):
        w = f"sections[{i}]."
        if not isinstance(sec, dict):
            raise Invalid(f"sections[{i}] is {v.describe(sec)}, not an object")
        secs.append(Section(v.number(sec, "start", 0.0, 1e7, w), v.number(sec, "end", 0.0, 1e7, w),
                            v.flag(sec, "active", w), post, v.number(sec, "pan_deg", PAN_MIN_DEG, PAN_MAX_DEG, w),
                            v.number(sec, "gain", GAIN_MIN, GAIN_MAX, w), v.number(sec, "confidence", 0.0, 1.0, w),
                            v.flag(sec, "clear", w)))
    sug = Suggestion(posterior, v.number(meta, "pan_deg", PAN_MIN_DEG, PAN_MAX_DEG),
                     v.number(meta, "gain", GAIN_MIN, GAIN_MAX), frames, times, active, secs,
                     v.text(meta, "mixer_version"), v.number(meta, "confidence", 0.0, 1.0), v.flag(meta, "clear"),
                     stems.recorded_pan_deg, v.number(meta, "active_s", 0.0, 1e7, required=False))
    return stems, sug


def load(key: str, rate: int | None = None, length: int | None = None) -> tuple[Stems, Suggestion] | None:
    """The stored result for ``key``, or ``None`` (a miss).

    An entry that cannot be used (truncated or damaged file, NaN stems, another rate or
    length than the recording's ``rate`` and ``length``, fields out of range: :func:`check_entry`)
    is deleted and counts as a miss, said once in a warning: the result is computed again
    and stored afresh.
    """
    path = entry_path(key)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            mapped = {n: a for n in ("solo", "accompaniment") if (a := _mapped(path, z.zip, n)) is not None}
            result = check_entry(z, rate, length, mapped)  # the stems stay mapped from the file
    except Invalid as exc:
        _drop(path, str(exc))
        return None
    except Exception as exc:  # a damaged file: BadZipFile, EOFError, zlib.error, ValueError, OSError ...
        _drop(path, f"unreadable: {type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        return None
    try:
        os.utime(path)  # most recently used: trimmed last
    except OSError:
        pass
    return result


def _drop(path: Path, why: str) -> None:
    """Delete a cache entry that cannot be used, and say so once."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
    log.warning("cached result %s dropped (%s); computing it again", path.name, " ".join(why.split()))


def _dc_offset(meta: dict) -> tuple:
    """The entry's ``dc_offset``: none, or a left and a right offset, not both zero (a float file's offset may lie
    beyond full scale)."""
    items = v.sequence(meta, "dc_offset", 2)
    if len(items) == 1:
        raise Invalid("dc_offset holds one value, not a left and a right")
    dc = tuple(v.number({f"dc_offset[{i}]": d}, f"dc_offset[{i}]", -1e6, 1e6) for i, d in enumerate(items))
    if dc and not any(dc):
        raise Invalid("dc_offset is [0, 0]: an offset that is none")
    return dc


def _others(meta: dict) -> tuple:
    """The entry's ``others_deg``: at most two pans within the pan range."""
    items = v.sequence(meta, "others_deg", 2)
    return tuple(v.number({"pan": p}, "pan", PAN_MIN_DEG, PAN_MAX_DEG, f"others_deg[{i}].")
                 for i, p in enumerate(items))
