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
import mmap
import os
import struct
import zipfile
from pathlib import Path

import numpy as np

from jazzremix_gui.core.files import paths
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.models import SessionLike
from jazzremix_gui.core.files.hashing import file_sha256  # noqa: F401 (re-exported for callers)
from jazzremix_gui.core.pipeline import Stems
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.core.signal.mixer import Suggestion

#: 2: stems carry the solo level and recorded pan (gain convention), suggestions their confidence.
FORMAT = 2


def model_tag(model: SessionLike) -> str:
    """A model's identity for cache keys: its version plus the file's size and modification time."""
    st = model.path.stat()
    return f"{model.meta.version}:{st.st_size}:{int(st.st_mtime)}"


def cache_key(sha256: str, separator: SessionLike, mixer: SessionLike) -> str:
    text = f"{FORMAT}|{sha256}|{model_tag(separator)}|{model_tag(mixer)}"
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
            "confidence": suggestion.confidence, "clear": suggestion.clear}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target, ".npz") as tmp:
            np.savez(tmp, solo=stems.solo, accompaniment=stems.accompaniment, posterior=suggestion.posterior,
                         frame_posteriors=suggestion.frame_posteriors, frame_times=suggestion.frame_times,
                         active=suggestion.active, section_posteriors=sec_posts, meta=np.array(json.dumps(meta)))
    except OSError:
        return None
    return target


def entries() -> list[Path]:
    """The stored results, least recently used first."""
    try:
        found = [(p.stat().st_mtime, p) for p in (paths.cache_dir() / "tracks").glob("*.npz")]
    except OSError:
        return []
    return [p for _, p in sorted(found)]


def size_bytes() -> int:
    """Bytes the stored results take."""
    return sum(p.stat().st_size for p in entries() if p.exists())


def trim(limit_bytes: int, keep: str | None = None) -> int:
    """Delete the least recently used results until they fit in ``limit_bytes`` (never ``keep``);
    returns the bytes freed."""
    freed = 0
    files = entries()
    total = sum(p.stat().st_size for p in files)
    for p in files:
        if total <= limit_bytes:
            break
        if p.stem == keep:
            continue
        size = p.stat().st_size
        try:
            p.unlink(missing_ok=True)
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


def release(array: np.ndarray) -> None:
    """Give back the memory that reading a mapped array took (its pages stay in the file; reading them again
    fetches them from it). Nothing happens for an array in memory."""
    mapped = getattr(array, "_mmap", None)
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if mapped is not None and advice is not None:
        try:
            mapped.madvise(advice)
        except (OSError, ValueError):  # closed, or a platform without it: the pages just stay
            pass


def load(key: str) -> tuple[Stems, Suggestion] | None:
    """The stored result for ``key``, or ``None`` (missing or unreadable entries count as misses)."""
    path = entry_path(key)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            solo, acc = (_mapped(path, z.zip, name) for name in ("solo", "accompaniment"))
            stems = Stems(z["solo"] if solo is None else solo, z["accompaniment"] if acc is None else acc,
                          int(meta["rate"]), meta["separator_version"],
                          solo_level=float(meta["solo_level"]), recorded_pan_deg=float(meta["recorded_pan_deg"]),
                          solo_share_db=float(meta["solo_share_db"]))
            sections = [Section(s["start"], s["end"], s["active"], post, s["pan_deg"], s["gain"], s["confidence"],
                                s["clear"]) for s, post in zip(meta["sections"], z["section_posteriors"])]
            sug = Suggestion(z["posterior"], meta["pan_deg"], meta["gain"], z["frame_posteriors"], z["frame_times"],
                             z["active"], sections, meta["mixer_version"], float(meta["confidence"]),
                             bool(meta["clear"]), stems.recorded_pan_deg)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None
    try:
        os.utime(path)  # most recently used: trimmed last
    except OSError:
        pass
    return stems, sug
