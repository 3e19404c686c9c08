"""Long audio kept in files, not in memory: float32 spools mapped into memory, read piece by piece.

A memory-mapped file's pages count in the process's resident memory once they are read, until
they are given back; :func:`release` gives them back (the data stays in the file: reading it
again fetches it from there), :func:`read_rows` copies a piece and gives its pages back, so a
pass over an hour of mapped audio holds one piece at a time. :class:`FloatSpool` writes float32
frames to a file as they come and maps the finished file (the app's decoded recording and the
stems its analysis makes).
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import numpy as np

from jazzremix_gui.core.files.atomic import TempFile

#: Rows read at a time by :func:`pieces`.
PIECE = 1 << 18


def _mapping(array: np.ndarray):
    """``(mmap object, byte position of row 0 inside it)`` of a memory-mapped array (or a view of one), or
    ``(None, 0)``."""
    mapped = getattr(array, "_mmap", None)
    if mapped is None or getattr(mapped, "closed", False) or len(mapped) == 0:
        return None, 0
    try:
        base = np.frombuffer(mapped, np.uint8, count=1).__array_interface__["data"][0]
    except (TypeError, ValueError, BufferError):
        return None, 0
    here = array.__array_interface__["data"][0] - base
    if not 0 <= here < len(mapped):
        return None, 0
    return mapped, here


def release(array: np.ndarray, start: int = 0, stop: int | None = None) -> None:
    """Give back the memory that reading rows ``start .. stop-1`` of a mapped array took (all rows by default).

    Nothing happens for an array in memory or on a platform without ``madvise``. The pages holding
    those rows are given back, the one the first row starts in too, but not a page the rows end
    inside (unless it is the mapping's last): a pass in pieces gives every page back once, and a
    page given back early is just read again from the file.
    """
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None or array.ndim == 0 or array.shape[0] == 0:
        return
    mapped, offset = _mapping(array)
    row = array.strides[0]
    stop = array.shape[0] if stop is None else min(stop, array.shape[0])
    if mapped is None or row <= 0 or stop <= start:
        return
    page = mmap.PAGESIZE
    a, b = offset + start * row, offset + stop * row
    a = (a // page) * page
    b = len(mapped) if b >= len(mapped) - page else (b // page) * page
    if b <= a:
        return
    try:
        mapped.madvise(advice, a, b - a)
    except (OSError, ValueError):  # closed, or a platform without it: the pages just stay
        pass


def read_rows(array: np.ndarray, start: int, out: np.ndarray) -> int:
    """Copy rows ``start ..`` of ``array`` into ``out`` (as many as fit), giving their pages back; returns how many.

    Parameters
    ----------
    array : np.ndarray [shape=(n,) or (n, c)]
        In memory or memory-mapped.
    out : np.ndarray [shape=(m,) or (m, c)]
        Preallocated; same trailing shape as ``array``.
    """
    k = max(0, min(out.shape[0], array.shape[0] - start))
    if k:
        out[:k] = array[start:start + k]
        release(array, start, start + k)
    return k


def pieces(array: np.ndarray, piece: int = PIECE):
    """Yield ``array`` [shape=(n, ...)] in consecutive copies of at most ``piece`` rows, each one's pages given
    back once copied (a pass over a mapped file holds one piece)."""
    for i in range(0, array.shape[0], piece):
        block = np.array(array[i:i + piece])
        release(array, i, i + block.shape[0])
        yield block


class FloatSpool:
    """float32 frames written to a file as they come, then mapped read-only (:meth:`finish`).

    The file is an owned temporary one (``core.files.tempnames``: removed at exit, swept when its
    process died); on systems that allow it, it is unlinked once mapped, so its space goes back
    when the mapping is dropped.

    Parameters
    ----------
    folder : str or Path
        Where the spool is written (created when missing).
    channels : int
        Columns per frame; ``0`` for a one-dimensional spool ``(n,)``.

    Raises
    ------
    OSError
        The folder cannot be written.
    """

    def __init__(self, folder, channels: int):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._file = TempFile(folder / "spool", ".f32")
        self.path = self._file.tmp
        self.channels = channels
        self.frames = 0
        self._fh = open(self.path, "wb")

    def write(self, block: np.ndarray) -> None:
        """Append ``(m, channels)`` (or ``(m,)``) samples."""
        block = np.ascontiguousarray(block, np.float32)
        self._fh.write(block.data)
        self.frames += block.shape[0]

    def finish(self) -> np.ndarray:
        """The frames written, mapped from the file: ``(n, channels)`` or ``(n,)`` float32, read-only."""
        self._fh.close()
        shape = (self.frames, self.channels) if self.channels else (self.frames,)
        if self.frames == 0:
            self.discard()
            return np.zeros(shape, np.float32)
        array = np.memmap(self.path, np.float32, "r", shape=shape)
        try:
            os.unlink(self.path)  # the mapping keeps the data; the space goes back with it
            self._file.discard()
        except OSError:  # a system that cannot remove a mapped file: removed at exit
            pass
        return array

    def discard(self) -> None:
        """Remove the spool (after a failure or a cancel)."""
        if not self._fh.closed:
            self._fh.close()
        self._file.discard()
