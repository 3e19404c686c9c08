"""Run a batch on a Dask cluster: submit, retry once, record each result as it arrives, stop cleanly.

The client keeps a bounded window of tasks in flight (twice the cluster's threads), so
the scheduler holds a few tasks however large the archive, workers that join later get
work at once, and a stop cancels little. A failed input is submitted once more (not one
whose file cannot be read: that is the file's own failure, the same on any worker); its
second failure is recorded and the batch goes on. On Ctrl+C the client sets the batch's
stop event: running tasks stop between blocks and delete their temporary files; whatever
a killed worker left behind (``.*.part``) is removed by the client before it returns. Ctrl+C is
read between results, so a result is either recorded whole or not at all.
"""

from __future__ import annotations

import logging
import re
import signal
import time
import uuid
import warnings
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from jazzremix_gui.core.files import atomic, interrupts
from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.services.batch import task as batch_task
from jazzremix_gui.services.batch.manifest import Manifest

log = logging.getLogger(__name__)

#: Seconds the running tasks get to stop after Ctrl+C before the client leaves.
STOP_GRACE_S = 10.0
#: Seconds between two looks at the cluster's size (for the window of tasks in flight).
RESIZE_EVERY_S = 5.0
#: Seconds between two looks for finished tasks.
POLL_S = 0.05
#: Seconds to wait for an existing scheduler to answer.
CONNECT_TIMEOUT_S = 30.0


class BatchClusterError(JazzRemixError):
    """The Dask scheduler cannot be reached or was lost, the cluster cannot run the task, or the local cluster cannot start."""


LOST = ("lost the connection to the Dask scheduler; the inputs done so far are recorded, run the same command "
        "again to resume")


@dataclass
class Tally:
    """Counts and audio seconds of this run, for the progress line and the summary."""

    todo: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0
    audio_s: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def audio_hours_per_hour(self) -> float:
        """Audio processed per wall-clock time since the start (hours per hour)."""
        return self.audio_s / max(time.monotonic() - self.started, 1e-9)


#: Where the local cluster's dashboard listens unless the user names an address: this machine only
#: (the dashboard has no password and shows logs, call stacks and a proxy route).
DASHBOARD_ADDRESS = "127.0.0.1:8787"
#: Where the local cluster's scheduler and workers listen: this machine only.
LOCAL_HOST = "127.0.0.1"


def local_cluster(n_workers: int | None = None, dashboard_address: str | None = None):
    """A local cluster of worker processes, one file at a time each (default: one per core).

    Every socket it opens listens on the loopback interface, the dashboard included, unless
    ``dashboard_address`` names another (``0.0.0.0:8787``). Workers start with SIGINT ignored,
    so Ctrl+C in a terminal reaches the client alone and the workers stop their tasks cleanly
    when told to. (A Ctrl+C on the client while the cluster starts, about a second, is ignored with
    them: a process-wide disposition is the only one the spawned workers inherit, and a mask blocking
    it does not survive multiprocessing's own helpers.) Dask's multi-line warning about a busy dashboard
    port becomes one log line.
    """
    from distributed import LocalCluster

    n = max(1, int(n_workers or batch_task.available_cores()))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.filterwarnings("always", message=r"Port \d+ is already in use")
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, silence_logs=40,
                                   host=LOCAL_HOST, dashboard_address=dashboard_address or DASHBOARD_ADDRESS)
    except Exception as exc:
        raise BatchClusterError(f"cannot start a local Dask cluster ({type(exc).__name__}: {exc})") from None
    finally:
        signal.signal(signal.SIGINT, previous)
    for w in said:
        busy = re.match(r"Port (\d+) is already in use\..* on port (\d+) instead", " ".join(str(w.message).split()))
        if busy:
            log.warning("dashboard: port %s is in use (another cluster?), serving it on port %s", busy[1], busy[2])
        else:  # not ours to reword
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return cluster


def connect(scheduler: str | None, n_workers: int | None = None, dashboard_address: str | None = None):
    """A Dask client: on ``scheduler`` (``tcp://host:port`` or a scheduler JSON file), else on a new local cluster.

    ``dashboard_address``: where a local cluster's dashboard listens (default :data:`DASHBOARD_ADDRESS`).

    Returns
    -------
    (client, cluster or None)
    """
    from distributed import Client

    if scheduler is None:
        # SIGTERM or SIGHUP while the cluster and the client start is raised once both are up, and both are closed:
        # raised while the cluster was half made, it left Dask's exit handler a traceback (AssertionError: Status.init)
        cluster = client = None
        try:
            with interrupts.deferred():
                cluster = local_cluster(n_workers, dashboard_address)
                client = Client(cluster)
        except BaseException:
            if cluster is not None:
                disconnect(client, cluster)
            raise
        return client, cluster
    try:
        if scheduler.endswith(".json") and Path(scheduler).is_file():
            return Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT_S), None
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise BatchClusterError(f"{scheduler}: cannot reach the Dask scheduler ({exc})") from None


def disconnect(client, cluster=None) -> None:
    """Close the client, if any (quietly, even when the scheduler is gone), and the local cluster, if any."""
    try:
        if client is not None:
            client.close(timeout=10)
    except Exception:
        pass  # a lost scheduler: nothing left to close
    if cluster is not None:
        cluster.close()


def dashboard_link(client) -> str | None:
    """The cluster's dashboard address, when it serves its pages (bokeh installed here, and the page answers)."""
    import importlib.util
    import urllib.error
    import urllib.request

    if importlib.util.find_spec("bokeh") is None:
        return None  # without bokeh the status page only says that bokeh is missing
    try:
        link = client.dashboard_link
        if "dashboard" not in client.scheduler_info().get("services", {}):
            return None
        with urllib.request.urlopen(link, timeout=2) as page:
            return link if page.status == 200 else None
    except (OSError, urllib.error.URLError, ValueError, KeyError):
        return None


def _record(result: dict, spec: batch_task.TaskSpec, attempts: int) -> dict:
    """The manifest line of a finished task."""
    models = {k: {"version": v["version"], "sha256": v["sha256"]} for k, v in spec.models.items()}
    return {"input": spec.input, "status": result["status"], "error": result["error"], "sha256": result["sha256"],
            "size": result.get("size"), "mtime_ns": result.get("mtime_ns"), "models": models,
            "options": spec.options(), "outputs": result["outputs"], "suggestion": result["suggestion"],
            "warnings": result.get("warnings", []), "duration_s": result["duration_s"],
            "heard_gain_db": result.get("heard_gain_db"), "dc_offset": result.get("dc_offset"),
            "processing_s": result.get("processing_s"), "worker": result.get("worker"),
            "model_threads": result.get("model_threads"), "jazzremix": spec.version, "attempts": attempts,
            "unchanged": bool(result.get("unchanged")),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _failure(spec: batch_task.TaskSpec, message: str) -> dict:
    return {"input": spec.input, "status": "failed", "error": message, "sha256": None, "outputs": {},
            "suggestion": None, "duration_s": None}


def remove_debris(spec: batch_task.TaskSpec) -> None:
    """Delete the temporary files a cancelled or killed task may have left beside its outputs.

    Its worker may still be alive (a cancelled future), on this or another machine, so
    every Jazz Remix temporary file of these targets goes, whoever owns it: the manifest
    says the input is not done, and the next run writes it again.
    """
    for target in spec.targets().values():
        for part in atomic.temps_of(target):
            part.unlink(missing_ok=True)


def run(client, manifest: Manifest, specs: list, on_record=None, tally: Tally | None = None) -> Tally:
    """Process ``specs`` on the cluster, appending one manifest line per input as results arrive.

    Parameters
    ----------
    client : distributed.Client
    manifest : Manifest
    specs : list of task.TaskSpec
        The inputs to process (after the manifest's plan). Their ``stop_event`` is set here.
    on_record : callable, optional
        ``on_record(record, tally, reports)`` with each record as it is appended (for a progress bar, the
        summary): ``reports`` maps each kind written in this run to its
        :class:`core.audio.headroom.ClipReport` (empty when nothing was written).

    Raises
    ------
    KeyboardInterrupt
        After stopping the running tasks and removing their temporary files.
    BatchClusterError
        The scheduler was lost, or the cluster cannot run the task (another environment).
    """
    from distributed import Event, as_completed
    from distributed.client import FutureCancelledError
    from distributed.scheduler import KilledWorker

    tally = tally or Tally()
    tally.todo = len(specs)
    run_id = uuid.uuid4().hex[:12]
    stop = Event(f"jazzremix-batch-stop-{run_id}", client=client)
    pending = deque(enumerate(specs))
    in_flight: dict = {}
    futures = as_completed()
    window, resized = 4, 0.0

    stopping = []

    def submit(i, spec, attempt):
        spec.stop_event = stop.name
        fut = client.submit(batch_task.process, spec, key=f"jazzremix-{run_id}-{i}-{attempt}", pure=False)
        in_flight[fut.key] = (i, spec, attempt, fut)
        futures.add(fut)

    def fill():
        nonlocal window, resized
        if time.monotonic() - resized > RESIZE_EVERY_S:
            window = max(4, 2 * sum(client.nthreads().values()))
            resized = time.monotonic()
        while pending and len(in_flight) < window:
            i, spec = pending.popleft()
            submit(i, spec, 1)

    def finish(fut):
        i, spec, attempt, _ = in_flight.pop(fut.key)
        try:
            result = fut.result()
        except KilledWorker:
            result = _failure(spec, "the worker died while processing it (out of memory? see the worker's log)")
        except Exception as exc:  # not the input's fault: the cluster could not run the task
            remove_debris(spec)
            if stopping:
                return
            if isinstance(exc, FutureCancelledError):
                raise BatchClusterError(LOST) from None
            first = " ".join(str(exc).split()).split(". ")[0] or type(exc).__name__
            raise BatchClusterError(f"the cluster could not run the task for {spec.input} ({first}); the scheduler "
                                    f"and every worker need jazzremix-gui[batch] {spec.version}; the inputs done "
                                    "so far are recorded, run the same command again to resume") from None
        fut.release()
        if result["status"] == "cancelled" or (stopping and result["status"] == "failed"):
            remove_debris(spec)
            return
        if result["status"] == "failed" and attempt == 1 and result.get("retry", True):
            tally.retried += 1
            submit(i, spec, 2)
            return
        record = _record(result, spec, attempt)
        manifest.append(record)
        if record["status"] == "done":
            tally.done += 1
            tally.audio_s += record["duration_s"] or 0.0
        else:
            tally.failed += 1
        if on_record is not None:
            on_record(record, tally, result.get("reports") or {})

    with _CtrlC() as ctrl_c:
        try:
            while (in_flight or pending) and not ctrl_c.count:
                fill()
                _each_ready(futures, finish)
            if ctrl_c.count:  # stop: tell the running tasks, record those that finish meanwhile, leave
                stopping.append(True)
                try:
                    stop.set()
                except Exception:
                    pass  # the scheduler may be gone; the clean-up below still runs
                deadline = time.monotonic() + STOP_GRACE_S
                while in_flight and time.monotonic() < deadline and ctrl_c.count < 2:
                    _each_ready(futures, finish)
                raise interrupts.Interrupted(ctrl_c.signum)
        except OSError:  # the scheduler went away (distributed's comm errors are OSErrors)
            raise BatchClusterError(LOST) from None
        finally:
            for _, spec, _, fut in list(in_flight.values()):
                fut.cancel()
                remove_debris(spec)
    return tally


def _each_ready(futures, finish) -> None:
    """Finish every completed future, or wait a moment when none is."""
    ready = futures.next_batch(block=False)
    if not ready:
        time.sleep(POLL_S)
    for fut in ready:
        finish(fut)


class _CtrlC:
    """Ctrl+C (and SIGTERM, SIGHUP) as a count read between results, so that no result is ever half recorded.

    A second signal cuts the wait for the running tasks short (the clean-up still runs).
    """

    def __init__(self):
        self.count = 0
        self.signum = signal.SIGINT
        self._previous = {}

    def _on_signal(self, signum, frame) -> None:
        self.count += 1
        self.signum = signum

    def __enter__(self) -> "_CtrlC":
        try:
            for s in interrupts.HANDLED:
                if signal.getsignal(s) is not signal.SIG_IGN:
                    self._previous[s] = signal.signal(s, self._on_signal)
        except ValueError:  # not the main thread: no signal reaches us
            self._previous = {}
        return self

    def __exit__(self, *exc) -> None:
        for s, h in self._previous.items():
            signal.signal(s, h)
