"""A chain of steps over a stream of items, run on one thread or on a thread per step, with the same results.

A chain is a source (an iterable) and steps, each a function from an iterator of items to an
iterator of items (a generator that keeps its own state). :func:`chain` runs them:

- ``threads=False``: the steps are nested generators on the caller's thread;
- ``threads=True``: the source and every step run on threads of their own, joined by bounded
  queues (``depth`` items each, not counting the items ``light`` calls light), and the last
  step's items are yielded on the caller's thread. Each step still sees its items in order
  and runs on one thread, so the items that come out are the same. The heavy parts of the separation (numpy, scipy's FFT, ONNX
  Runtime) release the GIL, so the steps overlap on several cores.

An exception in the source or a step ends the chain and is raised on the caller's thread,
after the items before it; when the caller stops early (an exception, a cancellation, the
generator closed), the threads are told to stop and are joined before :func:`chain` returns.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterable, Iterator

Step = Callable[[Iterator], Iterator]

#: Seconds between looks at the stop flag while a thread waits on a full or empty queue.
_POLL = 0.05


class _Stopped(Exception):
    """Raised inside a step's thread when the chain was told to stop: the step ends without finishing its work."""


class _End:
    """The end of a stream: ``error`` is None when it ended normally."""

    def __init__(self, error: BaseException | None = None):
        self.error = error


def chain(source: Iterable, steps: list[Step], threads: bool = False, depth: int = 1,
          light: Callable[[object], bool] | None = None) -> Iterator:
    """Items of ``steps[-1](... steps[0](iter(source)))``; see the module's docstring.

    Parameters
    ----------
    source : iterable
    steps : list of callables
        Each takes an iterator of items and returns an iterator of items.
    threads : bool
        Run the source and each step on a thread of its own.
    depth : int
        Items each queue holds (memory bound: at most about ``depth + 1`` items per step in flight).
    light : callable, optional
        ``light(item)`` is True for small items (progress ticks) that do not count towards ``depth``:
        a step that sends several of them per large item can then still run ahead of the next
        step by a large item (with every item counted, a block's ticks filled the one-deep
        queues and each step waited for the slowest, so the steps took turns instead of overlapping).
    """
    if not threads:
        items: Iterator = iter(source)
        for step in steps:
            items = step(items)
        yield from items
        return
    stop = threading.Event()
    queues = [_Channel(depth, light) for _ in range(len(steps) + 1)]
    workers = [threading.Thread(target=_pump, args=(iter(source), queues[0], stop), daemon=True,
                                name="jazzremix-source")]
    for i, step in enumerate(steps):
        workers.append(threading.Thread(target=_pump, args=(_StepInput(queues[i], stop, step), queues[i + 1], stop),
                                        daemon=True, name=f"jazzremix-step-{i}"))
    for w in workers:
        w.start()
    try:
        yield from _drain(queues[-1], stop)
    finally:
        stop.set()
        for w in workers:
            w.join()


class _Channel:
    """A queue between two threads whose ``depth`` bounds only the items that are not ``light``."""

    def __init__(self, depth: int, light: Callable[[object], bool] | None):
        self.items: queue.Queue = queue.Queue()
        self.slots = threading.Semaphore(max(1, depth))
        self.light = light or (lambda item: False)

    def _counts(self, item) -> bool:
        return not isinstance(item, _End) and not self.light(item)

    def put(self, item, stop: threading.Event) -> bool:
        """Put ``item`` once a slot is free (light items at once) unless the chain stops first; whether it was put."""
        if self._counts(item):
            while not self.slots.acquire(timeout=_POLL):
                if stop.is_set():
                    return False
        self.items.put(item)
        return True

    def get(self, timeout: float):
        """The next item (raises ``queue.Empty`` after ``timeout`` seconds without one)."""
        item = self.items.get(timeout=timeout)
        if self._counts(item):
            self.slots.release()
        return item


class _StepInput:
    """Lazily applies ``step`` to the items of ``q`` (on the thread that iterates it)."""

    def __init__(self, q: _Channel, stop: threading.Event, step: Step):
        self.q, self.stop, self.step = q, stop, step
        self._items: Iterator | None = None

    def __iter__(self):
        return self

    def __next__(self):
        if self._items is None:
            self._items = iter(self.step(_drain(self.q, self.stop)))
        return next(self._items)


def _pump(items: Iterator, q: _Channel, stop: threading.Event) -> None:
    """Put every item of ``items`` on ``q``, then an :class:`_End` (with the exception, if one ended it)."""
    end = _End()
    try:
        for item in items:
            if not _put(q, item, stop):
                return
    except BaseException as exc:  # handed on to the caller's thread, which raises it
        end = _End(exc)
    _put(q, end, stop)


def _put(q: _Channel, item, stop: threading.Event) -> bool:
    """Put ``item`` on ``q`` unless the chain was stopped first; returns whether it was put."""
    return not stop.is_set() and q.put(item, stop)


def _drain(q: _Channel, stop: threading.Event) -> Iterator:
    """The items of ``q`` up to its :class:`_End` (raising its exception); :class:`_Stopped` if the chain stops."""
    while True:
        try:
            item = q.get(timeout=_POLL)
        except queue.Empty:
            if stop.is_set():
                raise _Stopped() from None
            continue
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            return
        yield item
