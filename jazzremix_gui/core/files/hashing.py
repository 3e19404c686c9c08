"""File hashes: input identity for the cache and the annotations, model identity for the cards."""

from __future__ import annotations

import hashlib

from jazzremix_gui.core.errors import Cancelled


def file_sha256(path, cancel=None) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB pieces.

    ``cancel()`` is checked between pieces; when it returns True, :class:`Cancelled` is
    raised (never a hash of part of the file).
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            if cancel is not None and cancel():
                raise Cancelled("cancelled")
            h.update(piece)
    return h.hexdigest()
