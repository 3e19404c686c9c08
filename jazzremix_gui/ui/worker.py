"""Background jobs with results delivered on the main thread (after Picard's ``run_task``/``to_main``).

A :class:`Job` runs a plain function ``func(job)`` on a ``QThreadPool``. The function
reports with ``job.progress(fraction, message)``, hands intermediate results to the UI
with ``job.partial(kind, value)``, and checks ``job.is_cancelled()`` (or passes
``cancel=job.is_cancelled`` to core). Every signal lives on the job object, which is
created and stays in the main thread, and slots are connected queued, so they always run
on the main thread. The worker thread never touches widgets.

Runners are made with :func:`make_runner`; tests set :data:`RUNNER_CLASS` to
:class:`SyncJobRunner` (Picard's habit), which runs each job at once in the calling
thread, so GUI logic is tested without timing.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal

from jazzremix_gui.core.errors import Cancelled, JazzRemixError

log = logging.getLogger(__name__)

#: Minimum seconds between two progress signals (keeps the event loop free).
PROGRESS_INTERVAL = 0.05


class Job(QObject):
    """One cancellable piece of background work; its signals arrive on the main thread.

    Signals
    -------
    progressed(float, str, float)
        Fraction done in [0, 1], message, estimated seconds left (-1 when unknown).
    partial_ready(str, object)
        An intermediate result (e.g. the decoded audio before separation finishes).
    succeeded(object)
        The function's return value.
    failed(str)
        A one-line, plain-words error message.
    was_cancelled()
        The job stopped because :meth:`cancel` was called.
    done()
        Always last.
    """

    progressed = Signal(float, str, float)
    partial_ready = Signal(str, object)
    succeeded = Signal(object)
    failed = Signal(str)
    was_cancelled = Signal()
    done = Signal()

    def __init__(self, func, name: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.func = func
        self.name = name
        self._cancel = threading.Event()
        self._kept = False  # keep(): the result is in place, a cancel can no longer undo it
        self._t0 = 0.0
        self._last_emit = 0.0
        self.running = False
        self.finished = False

    # ---- called from the worker thread ----------------------------------------------
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def keep(self) -> None:
        """The work's result is in place (an export's files renamed): a cancel asked from now on neither stops the
        job nor turns it into "cancelled" (it once said "Export cancelled" over files it had written)."""
        self._kept = True

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (throttled); raises :class:`Cancelled` when cancel was asked (before :meth:`keep`)."""
        if self._cancel.is_set() and not self._kept:
            raise Cancelled("cancelled")
        now = time.monotonic()
        if now - self._last_emit < PROGRESS_INTERVAL and fraction < 1.0:
            return
        self._last_emit = now
        elapsed = now - self._t0
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.02 and elapsed > 0.5 else -1.0
        self.progressed.emit(float(fraction), message, float(eta))

    def partial(self, kind: str, value) -> None:
        self.partial_ready.emit(kind, value)

    def _run(self) -> None:
        self._t0 = time.monotonic()
        self.running = True
        try:
            result = self.func(self)
            if self._cancel.is_set() and not self._kept:
                raise Cancelled("cancelled")
        except Cancelled:
            self.was_cancelled.emit()
        except JazzRemixError as exc:
            log.info("%s failed: %s", self.name or "job", exc)
            self.failed.emit(str(exc))
        except MemoryError:
            log.error("%s ran out of memory", self.name or "job")
            self.failed.emit("not enough memory for this recording")
        except Exception as exc:  # a bug: still one line for the user, the traceback in the log
            log.exception("%s failed unexpectedly", self.name or "job")
            self.failed.emit(f"unexpected {type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.finished = True
            self.done.emit()

    # ---- main thread ------------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()


#: Nice value of worker threads (Linux: per thread; threads they start, e.g. ONNX Runtime's, inherit it).
WORKER_NICE = 10


def lower_thread_priority(nice: int = WORKER_NICE) -> None:
    """Give the calling worker thread a lower CPU priority than the UI thread (best effort, Linux only)."""
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < nice:
            os.setpriority(os.PRIO_PROCESS, tid, nice)
    except (AttributeError, OSError):
        pass


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        lower_thread_priority()
        self.job._run()


class JobRunner(QObject):
    """Runs jobs on its own thread pool and keeps them referenced until they are done.

    Parameters
    ----------
    threads : int
        Jobs run at once (1 = strictly in turn, as track processing does).
    """

    def __init__(self, threads: int = 1, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.jobs: list[Job] = []

    def submit(self, func, name: str = "", on_success=None, on_error=None, on_progress=None, on_partial=None,
               on_cancel=None, on_done=None) -> Job:
        """Queue ``func(job)``; the ``on_*`` slots are connected (queued, main thread) before it starts."""
        job = Job(func, name, self)
        self.jobs.append(job)
        q = Qt.ConnectionType.QueuedConnection
        for signal, slot in ((job.succeeded, on_success), (job.failed, on_error), (job.progressed, on_progress),
                             (job.partial_ready, on_partial), (job.was_cancelled, on_cancel), (job.done, on_done)):
            if slot is not None:
                signal.connect(slot, q)
        job.done.connect(lambda j=job: self._forget(j), q)
        self._start(job)
        return job

    def _start(self, job: Job) -> None:
        self.pool.start(_Runnable(job))

    def _forget(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        job.deleteLater()

    def cancel_all(self) -> None:
        for job in list(self.jobs):
            job.cancel()

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every queued job has run (shutdown and tests only)."""
        return self.pool.waitForDone(msecs)


class SyncJobRunner(JobRunner):
    """A :class:`JobRunner` that runs each job at once in the calling thread (tests).

    The job's slots stay queued, as with threads: they run at the next event processing,
    e.g. in :meth:`wait`, which delivers them (and runs the jobs they submit) until no job
    is left.
    """

    def _start(self, job: Job) -> None:
        job._run()

    def wait(self, msecs: int = 30000) -> bool:
        deadline = time.monotonic() + msecs / 1000
        while self.jobs and time.monotonic() < deadline:
            QCoreApplication.processEvents()
        return not self.jobs


#: The class :func:`make_runner` builds (tests swap in :class:`SyncJobRunner`).
RUNNER_CLASS = JobRunner


def make_runner(threads: int = 1, parent: QObject | None = None) -> JobRunner:
    """A job runner of :data:`RUNNER_CLASS`."""
    return RUNNER_CLASS(threads, parent)
