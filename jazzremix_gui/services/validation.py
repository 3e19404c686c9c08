"""Checks shared by the validating readers of the files Jazz Remix reads back (sessions, manifests, cache, settings).

Each reader (:mod:`services.session`, :mod:`services.batch.manifest`, :mod:`services.cache`,
:mod:`services.settings_values`) describes its own format with these checks; a value that
does not fit raises :class:`Invalid` with the reason in words (``pan_deg is NaN``), which
the reader turns into its one line (``FILE: not a valid Jazz Remix session (pan_deg is NaN)``).

:func:`read_regular` refuses a FIFO, a device, a folder or a file over a size limit before
reading a byte of it (a session linked to ``/dev/zero`` would otherwise be read until memory
runs out, a FIFO would hang); :func:`parse_json` refuses JSON nested deeper than a limit
before the parser sees it (no ``RecursionError``).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat

from jazzremix_gui.core.files.oserrors import human_bytes, kind_problem

#: JSON nesting the files Jazz Remix writes never come near (a session is 4 levels deep).
MAX_DEPTH = 16

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


class Invalid(ValueError):
    """What makes a value unacceptable, in words (``gain is 1e+308, not in 0..2``)."""


def read_regular(path, limit: int) -> bytes:
    """The bytes of ``path``, refused without reading when it is not a regular file or is over ``limit`` bytes.

    Parameters
    ----------
    path : str or Path
    limit : int
        Largest size accepted, in bytes.

    Returns
    -------
    bytes

    Raises
    ------
    OSError
        The file cannot be opened (missing, permission).
    Invalid
        A FIFO, a device, a socket, a folder, or a file over ``limit`` bytes.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO with no writer opens at once
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Invalid(kind_problem(st.st_mode, "a file") or "not a regular file")
        if st.st_size > limit:
            raise Invalid(f"{human_bytes(st.st_size)}, larger than the {human_bytes(limit)} accepted")
        chunks, left = [], limit + 1
        while left > 0:  # the file may grow while it is read: never more than the limit
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise Invalid(f"larger than the {human_bytes(limit)} accepted")
        return b"".join(chunks)
    finally:
        os.close(fd)


def depth(text: str) -> int:
    """How deeply the arrays and objects of JSON ``text`` nest (brackets inside strings do not count)."""
    level = deepest = 0
    for m in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        level += 1 if m.group() in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def parse_json(data: bytes | str, max_depth: int = MAX_DEPTH):
    """Decode UTF-8 JSON, refusing what is not UTF-8, not JSON, or nested deeper than ``max_depth``.

    Raises
    ------
    Invalid
        ``not UTF-8 text``, ``not JSON (...)``, ``nested deeper than N levels``.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(f"not UTF-8 text (byte {exc.start})") from None
    if depth(data) > max_depth:
        raise Invalid(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise Invalid(f"not JSON ({getattr(exc, 'msg', exc)})") from None


def describe(value) -> str:
    """A value as the reason shows it: ``NaN``, ``'left'``, ``a list``, ``null``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)


def _get(obj: dict, key: str, where: str, required: bool):
    name = f"{where}{key}"
    if key not in obj:
        if required:
            raise Invalid(f"{name} is missing")
        return name, None, False
    return name, obj[key], True


def number(obj: dict, key: str, lo: float, hi: float, where: str = "", required: bool = True, default=None):
    """``obj[key]`` as a finite float in ``lo..hi`` (``default`` when absent and not required)."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"{name} is {describe(value)}, not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(f"{name} is {describe(value)}")
    if not lo <= value <= hi:
        raise Invalid(f"{name} is {describe(value)}, not in {lo:g}..{hi:g}")
    return float(value)


def integer(obj: dict, key: str, lo: int, hi: int, where: str = "", required: bool = True, default=None):
    """``obj[key]`` as an int in ``lo..hi`` (a bool or a float is refused)."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} is {describe(value)}, not a whole number")
    if not lo <= value <= hi:
        raise Invalid(f"{name} is {value}, not in {lo}..{hi}")
    return value


def text(obj: dict, key: str, where: str = "", required: bool = True, default=None, nonempty: bool = False,
         max_len: int = 4096):
    """``obj[key]`` as a string (no NUL character, at most ``max_len`` characters)."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if not isinstance(value, str):
        raise Invalid(f"{name} is {describe(value)}, not text")
    if nonempty and not value:
        raise Invalid(f"{name} is empty")
    if "\x00" in value:
        raise Invalid(f"{name} holds a NUL character")
    if len(value) > max_len:
        raise Invalid(f"{name} is {len(value)} characters long, over {max_len}")
    return value


def flag(obj: dict, key: str, where: str = "", required: bool = True, default=None):
    """``obj[key]`` as a bool (``"yes"`` or ``1`` is refused)."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if not isinstance(value, bool):
        raise Invalid(f"{name} is {describe(value)}, not true or false")
    return value


def mapping(obj: dict, key: str, where: str = "", required: bool = True, default=None):
    """``obj[key]`` as a dict (a JSON object)."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if not isinstance(value, dict):
        raise Invalid(f"{name} is {describe(value)}, not an object")
    return value


def sequence(obj: dict, key: str, max_len: int, where: str = "", required: bool = True, default=None):
    """``obj[key]`` as a list of at most ``max_len`` items."""
    name, value, present = _get(obj, key, where, required)
    if not present:
        return default
    if not isinstance(value, list):
        raise Invalid(f"{name} is {describe(value)}, not a list")
    if len(value) > max_len:
        raise Invalid(f"{name} has {len(value)} items, over {max_len}")
    return value
