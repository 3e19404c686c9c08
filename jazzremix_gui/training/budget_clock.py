"""The clock a training's ``--minutes`` are spent by: the wall clock, less the time the process was stopped."""

from __future__ import annotations

import time
from typing import Callable

#: A stretch between two readings in which the process used less than this share of one core is a pause.
PAUSE_SHARE = 0.05


class BudgetClock:
    """Seconds of a training budget spent so far.

    A training's budget is wall-clock time (its learning rate's cosine follows it), but a process stopped with
    SIGSTOP (to time a benchmark beside it) or on a suspended machine learns nothing meanwhile. Between two readings
    the clock adds the wall time passed when the process used at least ``PAUSE_SHARE`` of one core in it, and only the
    CPU time it used otherwise, so a pause spends no budget. Read it once per step: a step takes well under a second.

    Parameters
    ----------
    spent : float
        Seconds already spent (a resumed run's checkpoint).
    wall, cpu : callable
        The clocks read, in seconds: ``time.monotonic`` and the process's CPU time (all threads) by default.
    """

    def __init__(self, spent: float = 0.0, wall: Callable[[], float] = time.monotonic,
                 cpu: Callable[[], float] = time.process_time):
        self._wall, self._cpu = wall, cpu
        self.spent = float(spent)
        self._last_wall, self._last_cpu = wall(), cpu()

    def read(self) -> float:
        """The seconds spent up to now (the stretch since the last reading added)."""
        wall, cpu = self._wall(), self._cpu()
        d_wall, d_cpu = max(0.0, wall - self._last_wall), max(0.0, cpu - self._last_cpu)
        self._last_wall, self._last_cpu = wall, cpu
        self.spent += d_wall if d_cpu >= PAUSE_SHARE * d_wall else d_cpu
        return self.spent
