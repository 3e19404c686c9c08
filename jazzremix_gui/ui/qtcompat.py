"""Work-arounds for known defects of the Qt binding in use.

PySide6 6.12.0 on CPython < 3.12 loses one reference to ``True`` (and to ``None``) on
every signal emission and on many method calls that return them; after a few thousand
emissions CPython aborts with "bool_dealloc: deallocating True or False". From 3.12
these singletons are immortal and the defect is harmless. Until the dependency is
pinned away from 6.12.0, :func:`guard_singletons` raises their reference counts far
enough that they can never reach zero (they are never freed anyway).
"""

from __future__ import annotations

import ctypes
import sys

#: Extra references given to each singleton (about 10^15 lost references of headroom).
HEADROOM = 1 << 50


def affected() -> bool:
    """True when the running PySide6 / CPython combination has the reference defect."""
    try:
        import PySide6
    except ImportError:
        return False
    return PySide6.__version__.startswith("6.12.") and sys.version_info < (3, 12) \
        and sys.implementation.name == "cpython"


def guard_singletons() -> bool:
    """Make ``True``, ``False`` and ``None`` effectively immortal when :func:`affected`; returns whether it did."""
    if not affected() or getattr(guard_singletons, "done", False):
        return False
    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    guard_singletons.done = True
    return True
