"""The clock a training's ``--minutes`` are spent by: the wall clock, less the time the process was stopped."""

from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

#: A stretch between two readings in which the process used less than this share of one core is a pause.
PAUSE_SHARE = 0.05
#: Seconds between the readings a training's clock takes on a thread of its own (:class:`BudgetClock`'s ``tick_s``).
TICK_S = 0.5


class BudgetClock:
    """Seconds of a training budget spent so far.

    A training's budget is wall-clock time (its learning rate's cosine follows it), but a process stopped with
    SIGSTOP (to time a benchmark beside it) or on a suspended machine learns nothing meanwhile. Between two readings
    the clock adds the wall time passed when the process used at least ``PAUSE_SHARE`` of one core in it, and only the
    CPU time it used otherwise, so a pause spends no budget. With ``tick_s`` a thread reads it that often, so that no
    stretch holds much work (a checkpoint and its validation between two steps would otherwise hide a pause up to
    twenty times their CPU time); the thread ends when the clock is no longer referenced. The stretch that holds a pause
    also holds up to a tick of work, so a pause is seen once it is longer than about ``tick_s`` times the cores busy
    over ``PAUSE_SHARE`` (10-13 s for a training's ticks, one or two threads busy); a shorter one may be counted. The
    thread needs the interpreter's lock: a training's steps release it (PyTorch, numpy); a process that held it
    throughout in pure Python would starve the thread, and a pause then would count.

    Parameters
    ----------
    spent : float
        Seconds already spent (a resumed run's checkpoint).
    wall, cpu : callable
        The clocks read, in seconds: ``time.monotonic`` and the process's CPU time (all threads) by default.
    tick_s : float, optional
        Seconds between the readings of a thread of its own (:data:`TICK_S` in training); None: only :meth:`read`'s.
    """

    def __init__(self, spent: float = 0.0, wall: Callable[[], float] = time.monotonic,
                 cpu: Callable[[], float] = time.process_time, tick_s: float | None = None):
        self._wall, self._cpu = wall, cpu
        self.spent = float(spent)
        self._lock = threading.Lock()
        self._last_wall, self._last_cpu = wall(), cpu()
        if tick_s:
            threading.Thread(target=_tick, args=(weakref.ref(self), tick_s), name="jazzremix-budget-clock",
                             daemon=True).start()

    def read(self) -> float:
        """The seconds spent up to now (the stretch since the last reading added)."""
        with self._lock:
            wall, cpu = self._wall(), self._cpu()
            d_wall, d_cpu = max(0.0, wall - self._last_wall), max(0.0, cpu - self._last_cpu)
            self._last_wall, self._last_cpu = wall, cpu
            self.spent += d_wall if d_cpu >= PAUSE_SHARE * d_wall else d_cpu
            return self.spent


def _tick(clock_ref: weakref.ref, tick_s: float) -> None:
    """Read the clock every ``tick_s`` seconds while it exists."""
    while True:
        time.sleep(tick_s)
        clock = clock_ref()
        if clock is None:
            return
        clock.read()
        del clock
