"""The settings file's values checked against their declared type, choices and range (no Qt).

:mod:`ui.settings` declares every option (its default, and where it has them its choices or
its range); what the settings file holds (QSettings gives back text, numbers, lists) goes
through :func:`typed`: a value of the wrong type, a choice not offered, a number out of range
or not finite gives the option's default, and the reason is logged once per option and
value, so a hand-edited or damaged settings file never reaches the app as a wrong value.
"""

from __future__ import annotations

import logging
import math

log = logging.getLogger(__name__)

#: Longest text value kept (paths, names); a longer one gives the default.
MAX_TEXT = 4096
#: Most items a list value keeps (recent files).
MAX_ITEMS = 100

_said: set = set()


class Refused(ValueError):
    """Why a stored value cannot be used."""


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("true", "1", "yes"):
        return True
    if word in ("false", "0", "no", ""):
        return False
    raise Refused(f"{value!r} is not true or false")


def _as_int(value) -> int:
    if isinstance(value, bool):
        raise Refused(f"{value!r} is not a whole number")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise Refused(f"{value!r} is not a whole number")
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise Refused(f"{str(value)[:40]!r} is not a whole number") from None


def _as_text(value) -> str:
    if isinstance(value, (list, tuple, dict)):
        raise Refused("a list, not text")
    text = str(value)
    if "\x00" in text or len(text) > MAX_TEXT:
        raise Refused("not a usable text (NUL character, or too long)")
    return text


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return [_as_text(v) for v in items[:MAX_ITEMS]]


def convert(default, value, choices=None, lo=None, hi=None):
    """``value`` as the type of ``default``, within ``choices`` or ``lo..hi``.

    Raises
    ------
    Refused
        The reason the value cannot be used.
    """
    if isinstance(default, bool):
        result = _as_bool(value)
    elif isinstance(default, int):
        result = _as_int(value)
    elif isinstance(default, list):
        result = _as_list(value)
    else:
        result = _as_text(value)
    if choices is not None and result not in choices:
        raise Refused(f"{result!r} is not one of {', '.join(map(str, choices))}")
    if lo is not None and result < lo or hi is not None and result > hi:
        raise Refused(f"{result} is not in {lo}..{hi}")
    return result


def typed(name: str, default, value, choices=None, lo=None, hi=None):
    """:func:`convert`, or ``default`` (said once in the log) when the stored value cannot be used."""
    try:
        return convert(default, value, choices, lo, hi)
    except Refused as exc:
        key = (name, repr(value)[:200])
        if key not in _said:
            _said.add(key)
            log.warning("setting %s: %s; using %r", name, exc, default)
        return default
