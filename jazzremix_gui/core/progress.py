"""Progress reporting and cancellation hooks shared by every long job.

A job takes ``progress(fraction, message)`` (fraction in [0, 1]) and ``cancel()``
(returns True when the user asked to stop); :class:`Reporter` calls them between
chunks and raises :class:`Cancelled` when asked to stop.
"""

from __future__ import annotations

from typing import Callable, Optional

from jazzremix_gui.core.errors import Cancelled

ProgressFn = Optional[Callable[[float, str], None]]
CancelFn = Optional[Callable[[], bool]]


class Reporter:
    """Maps the progress of one stage into a sub-range ``[start, end]`` of the whole job."""

    def __init__(self, progress: ProgressFn = None, cancel: CancelFn = None, start: float = 0.0, end: float = 1.0):
        self._progress, self._cancel = progress, cancel
        self.start, self.end = start, end

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self._cancel is not None and self._cancel():
            raise Cancelled("cancelled")

    def __call__(self, fraction: float, message: str = "") -> None:
        self.check()
        if self._progress is not None:
            f = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
            self._progress(f, message)

    def sub(self, start: float, end: float) -> "Reporter":
        """A reporter for a stage covering ``[start, end]`` of this one."""
        span = self.end - self.start
        return Reporter(self._progress, self._cancel, self.start + span * start, self.start + span * end)
