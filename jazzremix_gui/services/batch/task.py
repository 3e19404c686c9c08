"""The work for one input on a worker: hash, separate and suggest in one streaming pass, write the outputs.

The separator's float stems are spooled while the mixer listens
(:func:`services.remix_writer.separate_to_spool`), then every output (stems, and the remix
from the float stems, per section as ``jazzremix remix`` does) is written by the one writer,
:func:`services.remix_writer.write_outputs` (formats, bit depths, bitrate, the clip mode with
one gain for both stems, the solo mode, the remix's loudness, tags), and
renamed into place together: a failure or a stop leaves an earlier run's files as they were
(nothing is deleted). Names and checks come from the export service's
:class:`~services.exporting.ExportPlan` and :func:`services.naming.refusals`. Memory stays bounded for any length: no
recording is ever held whole, and a worker runs one file at a time whatever its thread
count. :func:`process` never raises for a bad input: it returns a result dict with
``status`` ``done``, ``failed`` or ``cancelled``.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from jazzremix_gui import __version__
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import AudioReadError, AudioWriteError, Cancelled, JazzRemixError, ModelError
from jazzremix_gui.core.files.hashing import file_sha256
from jazzremix_gui.core.audio import tags
from jazzremix_gui.core.files.oserrors import describe_os_error
from jazzremix_gui.services.batch.manifest import OPTION_DEFAULTS, outputs_exist
from jazzremix_gui.core.progress import Reporter
from jazzremix_gui.core.signal import automation
from jazzremix_gui.core.signal.input_level import heard_json
from jazzremix_gui.core.signal.separation import RecordedSolo
from jazzremix_gui.services import naming, remix_writer
from jazzremix_gui.services.exporting import ExportPlan

#: How often a running task asks the scheduler whether the batch was stopped (seconds).
STOP_POLL_S = 0.5

_one_at_a_time = threading.Lock()


@dataclass
class TaskSpec:
    """Everything a worker needs for one input (plain data: it travels to the worker pickled).

    ``out_dir`` is the batch's output folder (``--out``) and ``subfolder`` the input's folder
    below its SOURCE (``{subfolder}`` of the ``template``). The output options (``fmt``,
    ``bits``, ``bitrate``, ``clip``, ``template``, ``solo``, ``keep_mono``, ``remix``, ``loudness``:
    those of ``jazzremix separate`` and ``remix``) default to what batches wrote before they
    were options (:data:`manifest.OPTION_DEFAULTS`). ``models`` maps ``separator``/``mixer`` to
    ``{"path", "version", "sha256"}`` as the client resolved them; ``threads`` (ONNX Runtime
    threads) is the user's choice, else the worker takes its machine's cores shared among its
    worker processes; ``known`` is the input's earlier *done* record, if any; ``version`` is
    the client's jazzremix version (a worker running another one refuses).
    """

    input: str
    out_dir: str
    fmt: str = OPTION_DEFAULTS["format"]
    bits: int = OPTION_DEFAULTS["bits"]
    remix: bool = OPTION_DEFAULTS["remix"]
    models: dict = field(default_factory=dict)
    threads: int | None = None
    stop_event: str | None = None
    known: dict | None = None
    version: str = __version__
    subfolder: str = ""
    bitrate: int = OPTION_DEFAULTS["bitrate"]
    clip: str = OPTION_DEFAULTS["clip"]
    template: str = OPTION_DEFAULTS["filename"]
    solo: str = OPTION_DEFAULTS["solo"]
    keep_mono: bool = OPTION_DEFAULTS["keep_mono"]
    loudness: str = OPTION_DEFAULTS["loudness"]

    def plan(self) -> ExportPlan:
        kinds = ("solo", "accompaniment", "remix") if self.remix else ("solo", "accompaniment")
        return ExportPlan(Path(self.out_dir), kinds, self.fmt, self.bits, self.solo, self.clip, self.bitrate,
                          self.template, self.keep_mono, self.loudness)

    def targets(self) -> dict:
        """``{kind: Path}`` of the files this input writes."""
        return self.plan().paths(self.input, self.subfolder)

    def options(self) -> dict:
        """The output options, as the manifest records them (the keys of :data:`manifest.OPTION_DEFAULTS`)."""
        return {"format": self.fmt, "bits": self.bits, "bitrate": self.bitrate, "clip": self.clip,
                "filename": self.template, "solo": self.solo, "keep_mono": self.keep_mono, "remix": self.remix,
                "loudness": self.loudness}


@functools.lru_cache(maxsize=16)
def _model_sha(path: str, mtime_ns: int) -> str:
    return file_sha256(path)


def model_identity(session) -> dict:
    """``{"version", "sha256"}`` of a loaded model (the file hash is computed once per process)."""
    return {"version": session.meta.version, "sha256": _model_sha(str(session.path), session.path.stat().st_mtime_ns)}


def _load(kind: str, expected: dict, threads):
    """This worker's model of ``kind``: the client's file if this worker sees it, else its own default.

    Raises
    ------
    ModelError
        The model found here is not the one the client chose (different file contents).
    """
    path = expected.get("path")
    session = pipeline.load_model(path if path and Path(path).is_file() else None, kind, threads)
    ident = model_identity(session)
    if ident["sha256"] != expected.get("sha256"):
        raise ModelError(f"worker {socket.gethostname()} has another {kind} model ({session.path}, "
                         f"{ident['version']}) than the client ({path}, {expected.get('version')}); put the "
                         "models on the filesystem all workers share and pass --model/--mixer")
    return session


def _stop_checker(event_name: str | None):
    """``cancel()`` for the pipeline: True once the client set the batch's stop event."""
    if not event_name:
        return None
    try:
        from distributed import Event, get_worker

        get_worker()
        event = Event(event_name)
    except (ImportError, ValueError):  # not running on a Dask worker
        return None
    state = {"next": 0.0, "stop": False}

    def cancel() -> bool:
        now = time.monotonic()
        if not state["stop"] and now >= state["next"]:
            state["next"] = now + STOP_POLL_S
            try:
                state["stop"] = bool(event.is_set())
            except Exception:  # scheduler gone: the client is stopping the batch
                state["stop"] = True
        return state["stop"]

    return cancel


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def available_cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _threads(spec: TaskSpec) -> int | None:
    """ONNX Runtime threads: the user's choice, else this machine's cores / its Dask worker processes now.

    Asked of the scheduler at each task, so workers that join later share the cores too.
    """
    if spec.threads:
        return spec.threads
    try:
        from distributed import get_client, get_worker
        from distributed.comm import get_address_host

        host = get_address_host(get_worker().address)
        workers = get_client().scheduler_info(n_workers=-1)["workers"].values()
    except (ImportError, ValueError):  # not on a Dask worker
        return None
    return max(1, available_cores() // max(1, sum(w.get("host") == host for w in workers)))


def _work(spec: TaskSpec, cancel, result: dict) -> None:
    if spec.version != __version__:  # one archive, one version of the processing
        raise JazzRemixError(f"worker {socket.gethostname()} runs jazzremix {__version__}, the client "
                             f"{spec.version}; install the same version everywhere")
    path = Path(spec.input)
    st = path.stat()
    result.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
    result["sha256"] = file_sha256(path, cancel)
    known = spec.known
    if known and known.get("sha256") == result["sha256"] and outputs_exist(known):
        result.update(status="done", unchanged=True, outputs=known["outputs"], warnings=known.get("warnings", []),
                      suggestion=known.get("suggestion"), duration_s=known.get("duration_s"),
                      **{k: known[k] for k in ("heard_gain_db", "dc_offset") if k in known})
        return
    threads = result["model_threads"] = _threads(spec)
    separator = _load("separator", spec.models["separator"], threads)
    mixer = _load("mixer", spec.models["mixer"], threads)
    meta = audio_io.info(path)
    plan = spec.plan()
    targets = spec.targets()
    try:
        Path(spec.out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AudioWriteError(describe_os_error(exc, "cannot create output folder", spec.out_dir)) from None
    plan.check()
    refused = naming.refusals({str(path): targets}, [path], spec.out_dir)
    if refused:  # before any folder the template names is made
        raise AudioWriteError(next(iter(refused.values())))
    naming.check_name_lengths(targets.values())
    naming.make_folders(targets.values())
    heard = RecordedSolo()
    reports, sugg = _write(path, meta, targets, plan, separator, mixer, cancel, heard)
    problem = pipeline.pairing_problem(separator, mixer)
    result.update(status="done", outputs={k: str(p) for k, p in targets.items()},
                  reports=dict(zip(targets, reports)),
                  warnings=meta.warnings() + ([problem] if problem else []),  # damage, downmix, the models' pairing
                  suggestion={"pan_deg": float(sugg.pan_deg), "gain": float(sugg.gain),
                              "confidence": float(sugg.confidence), "clear": bool(sugg.clear)},
                  duration_s=meta.frames / meta.rate, **heard_json(heard))


def _write(path: Path, meta, targets: dict, plan: ExportPlan, separator, mixer, cancel, heard: RecordedSolo):
    """Separate into a float spool while the mixer listens, then write every output from the float stems
    (:func:`services.remix_writer.write_outputs`): all of them or none, so a failure or a stop at any
    moment leaves the files an earlier run wrote as they were. Returns the clip reports and the suggestion;
    ``heard`` gets what the separation found (the level and DC offset the separator heard the recording with).

    The remix follows the suggestion per section, as ``jazzremix remix`` does by default.
    """
    report = Reporter(None, cancel)
    mono = plan.keep_mono and meta.channels == 1
    remix_writer.check_space(Path(targets["solo"]).parent, meta.frames,
                             [(plan.spec, remix_writer.channels_of(k, plan.solo, mono)) for k in targets], plan.clip)
    spool, sugg = remix_writer.separate_to_spool(path, targets["solo"], separator, mixer, report,
                                                 measure_recording=plan.loudness == "match" and "remix" in targets,
                                                 recorded=heard)
    with spool:
        models = {"separator": separator.meta.version, "mixer": mixer.meta.version}
        out = remix_writer.OutputPlan(targets, plan.spec, plan.clip, plan.solo, plan.keep_mono, tags.read_tags(path),
                                      path.stem, models, plan.loudness, path)
        mix = remix_writer.Mix(automation.suggestion_automation(sugg, spool.frames, spool.rate))
        return remix_writer.write_outputs(spool, mix, out, report), sugg


def refused_inputs(specs) -> dict:
    """``{input: one line}`` for the tasks one of whose outputs is an input of the batch, another input's
    output, or outside the output folder (:func:`services.naming.refusals`); checked before any work.

    Parameters
    ----------
    specs : list of TaskSpec
        The batch's tasks, all with the same ``out_dir``.
    """
    if not specs:
        return {}
    return naming.refusals({s.input: s.targets() for s in specs}, [s.input for s in specs], specs[0].out_dir)


def _quiet_worker_log() -> None:
    """On a worker where nothing set logging up, the package's warnings go into the result (``warnings``),
    which the client prints, not raw onto the worker's stderr (Python's last-resort handler)."""
    from jazzremix_gui.core.logs import ROOT

    logger = logging.getLogger(ROOT)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


def process(spec: TaskSpec) -> dict:
    """Process one input; never raises for a bad input.

    Returns
    -------
    dict
        ``input``, ``status`` (``done``, ``failed``, ``cancelled``), ``error`` (one line or
        None), ``sha256``, ``size``, ``mtime_ns``, ``outputs`` (kind -> path),
        ``suggestion`` (``pan_deg``, ``gain``, ``confidence`` = the posterior's peak),
        ``duration_s`` (audio seconds), ``processing_s``, ``worker``; when done, ``heard_gain_db`` and
        ``dc_offset`` (the level and DC offset the separator heard the recording with: :mod:`core.signal.input_level`;
        ``dc_offset`` ``[left, right]`` or None), ``warnings``
        (the input's damage or downmix lines, the models' pairing; the same lines as the CLI's)
        and, when files were written, ``reports`` (kind -> :class:`core.audio.headroom.ClipReport`).
    """
    _quiet_worker_log()
    result = {"input": spec.input, "status": "failed", "error": None, "sha256": None, "outputs": {},
              "suggestion": None, "duration_s": None, "worker": _worker_name()}
    cancel = _stop_checker(spec.stop_event)
    start = time.monotonic()
    with _one_at_a_time:
        try:
            _work(spec, cancel, result)
        except Cancelled:
            result.update(status="cancelled", error="cancelled")
        except AudioReadError as exc:  # the file's own failure: the same on any worker, so not tried again
            result.update(error=str(exc), retry=False)
        except JazzRemixError as exc:
            result["error"] = str(exc)
        except MemoryError:
            result["error"] = "out of memory on the worker (recording too long for its memory limit?)"
        except OSError as exc:
            result["error"] = describe_os_error(exc, path=exc.filename or spec.input)
        except Exception as exc:  # a bug must not stop the batch: record it
            result["error"] = f"unexpected {type(exc).__name__}: {exc}"
    result["processing_s"] = round(time.monotonic() - start, 3)
    return result
