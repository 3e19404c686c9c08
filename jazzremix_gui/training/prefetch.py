"""Training batches drawn one step ahead, on a thread of their own.

A separator's training step is the sampler's numpy (excerpts read, STFTs, colour, steering: about 0.16 CPU-s for
16 examples of 64 frames) and then the model's torch (forward and backward: about 0.27 CPU-s on one thread). Both
release the GIL for most of their work, so while the model learns from batch ``k`` the next batch can be drawn on
the other core: a step then costs the longer of the two, not their sum.

The draws stay exactly those of a run without the thread. Each draw starts from the sampler's random state after
the previous one, and :meth:`Prefetcher.settle` (before a checkpoint is written or the sampler changes) discards the
batch in flight and puts that state back, so a checkpoint holds the state a run without prefetching would have
saved, and a resumed run draws the same batches (``tests/test_prefetch.py``).
"""

from __future__ import annotations

import copy
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import numpy as np


class Prefetcher:
    """``draw()`` called one step ahead on a worker thread; ``rng`` is the generator every draw takes its randomness
    from (its state is what a checkpoint saves).

    Use :meth:`next` for each step's batch, :meth:`settle` before anything reads or changes the sampler's state, and
    :meth:`close` (or ``with``) at the end: it waits for the draw in flight, so no thread outlives the run.
    """

    def __init__(self, draw: Callable[[], tuple], rng: np.random.Generator):
        self._draw, self._rng = draw, rng
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="jazzremix-sampler")
        self._pending: tuple[dict, Future] | None = None

    def _start(self) -> None:
        state = copy.deepcopy(self._rng.bit_generator.state)
        self._pending = (state, self._pool.submit(self._draw))

    def next(self) -> tuple:
        """The next batch (drawn now if none is in flight); the one after it starts drawing at once."""
        if self._pending is None:
            self._start()
        batch = self._pending[1].result()
        self._start()
        return batch

    def settle(self) -> None:
        """Discard the batch in flight and put back the random state it started from."""
        if self._pending is None:
            return
        state, future = self._pending
        self._pending = None
        try:
            future.result()
        finally:
            self._rng.bit_generator.state = state

    def close(self) -> None:
        """End the worker thread, after the draw in flight (discarded: an error it raised is not this call's)."""
        try:
            self.settle()
        except Exception:  # noqa: BLE001 - the batch is not used
            pass
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> "Prefetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
