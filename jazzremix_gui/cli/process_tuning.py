"""Process-wide settings of a ``jazzremix`` command, made before it works (measured in docs/SPEED.md).

- :func:`one_blas_thread`: numpy's OpenBLAS runs its matrix products (the true-peak filter's) on
  one thread. With a pool of one per core, its idle workers spin after each product: 0.11 CPU-s of
  ``separate``'s 3 went to spinning while the command's own threads already kept the cores busy.
  Must run before numpy is imported; a value the user set wins.
- :func:`keep_freed_memory`: the commands that process a file (not the app) keep the blocks they free
  for the next ones instead of handing each back to the system and faulting fresh zeroed pages in
  for the next block (glibc's ``mallopt``: blocks up to 64 MB from the heap, trimmed past 128 MB).
  ``separate``'s system time fell from 0.43 to 0.29 s for 2 MB more peak memory. All threads share
  glibc's main heap (``M_ARENA_MAX`` 1): a thread's own heap is unmapped whenever it is wholly free,
  so the separation's threads faulted fresh zeroed huge pages in for every block (perf: 7 % of
  ``separate``'s samples in the kernel's ``clear_page``); one arena keeps them (peak RSS 293 -> 275 MB,
  speed the same within five idle runs; docs/SPEED.md).
"""

from __future__ import annotations

import os
import sys

#: glibc's ``mallopt`` parameters (``<malloc.h>``).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 128 << 20


def one_blas_thread() -> None:
    """OpenBLAS on one thread, unless ``OPENBLAS_NUM_THREADS`` is set (call before numpy is imported)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def keep_freed_memory() -> bool:
    """glibc keeps freed blocks of up to :data:`MMAP_THRESHOLD` bytes for reuse; True where it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) \
        and bool(mallopt(_M_ARENA_MAX, 1))
