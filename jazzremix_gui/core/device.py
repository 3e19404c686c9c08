"""Which ONNX Runtime execution provider the models run on: ``auto``, ``cpu`` or ``cuda``.

One process-wide choice, set by ``--device`` on the command line or by Preferences in the
app, read by every :class:`~jazzremix_gui.core.models.ModelSession` opened afterwards.

- ``cpu``: the CPU provider only.
- ``auto`` (default): CUDA when this ONNX Runtime build has it and its libraries load, else
  the CPU; a failed CUDA attempt is logged at INFO (shown with ``-v``), since most machines
  have no GPU.
- ``cuda``: as ``auto``, but a failure prints one warning line before going on with the CPU.

Before CUDA is tried, :func:`onnxruntime.preload_dlls` (ONNX Runtime >= 1.21) loads the CUDA
and cuDNN libraries that the ``cuda`` extra installs from PyPI (``nvidia-*`` wheels), which
are not on the loader's search path otherwise.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import threading

from jazzremix_gui.core.errors import JazzRemixError

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda")
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"

_lock = threading.Lock()
_state = {"device": "auto", "preloaded": None, "warned": False, "last": ""}


def set_device(device: str) -> None:
    """Choose the device for the sessions opened from now on.

    Raises
    ------
    JazzRemixError
        ``device`` is not one of :data:`DEVICES`.
    """
    device = (device or "auto").lower()
    if device not in DEVICES:
        raise JazzRemixError(f"unknown device '{device}' (choose one of {', '.join(DEVICES)})")
    with _lock:
        if device != _state["device"]:
            _state["warned"] = False
        _state["device"] = device


def get_device() -> str:
    """The current choice: ``auto``, ``cpu`` or ``cuda``."""
    return _state["device"]


def cuda_built_in() -> bool:
    """True when the installed ONNX Runtime has the CUDA provider (``onnxruntime-gpu``)."""
    import onnxruntime as ort

    return CUDA in ort.get_available_providers()


def preload_cuda_libraries() -> bool | None:
    """Load the pip-installed CUDA/cuDNN libraries once (:func:`onnxruntime.preload_dlls`).

    Returns
    -------
    bool or None
        None where this ONNX Runtime has no ``preload_dlls`` (older than 1.21), else whether
        it ran without reporting a missing library. Its messages go to the debug log.
    """
    import onnxruntime as ort

    with _lock:
        if _state["preloaded"] is not None or not hasattr(ort, "preload_dlls"):
            return _state["preloaded"]
        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
                ort.preload_dlls()
            ok = "Failed to load" not in said.getvalue()
        except Exception as exc:  # any failure here only means CUDA will not load
            said.write(f"{type(exc).__name__}: {exc}")
            ok = False
        for line in said.getvalue().splitlines():
            log.debug("preload_dlls: %s", line)
        _state["preloaded"] = ok
        return ok


def providers(prefer_gpu: bool = True) -> list[str]:
    """Execution providers to ask for, best first (``prefer_gpu=False`` forces the CPU)."""
    device = _state["device"] if prefer_gpu else "cpu"
    if device == "cpu":
        return [CPU]
    if not cuda_built_in():
        _fallback(device, "this ONNX Runtime has no CUDA support (install jazzremix-gui[cuda])")
        return [CPU]
    preload_cuda_libraries()
    return [CUDA, CPU]


def check_obtained(requested: list[str], obtained: list[str]) -> str:
    """Note what a new session really got; returns the short provider name (``CUDA`` or ``CPU``)."""
    main = obtained[0] if obtained else CPU
    if CUDA in requested and CUDA not in obtained:
        hint = "" if _state["preloaded"] else " (its libraries did not load; see the log with --debug)"
        _fallback(_state["device"], f"CUDA could not be used{hint}")
    short = main.replace("ExecutionProvider", "")
    _state["last"] = short
    return short


def runtime_build() -> tuple[str, list[str]]:
    """ONNX Runtime's version and the short names of its providers other than the CPU (e.g. ['CUDA'])."""
    import onnxruntime as ort

    return ort.__version__, [p.replace("ExecutionProvider", "") for p in ort.get_available_providers()
                             if p != "CPUExecutionProvider"]


def last_provider() -> str:
    """Short name of the provider the last session opened runs on ('' before any)."""
    return _state["last"]


def _fallback(device: str, reason: str) -> None:
    """One line, once per choice: a warning when CUDA was asked for, else an info."""
    with _lock:
        if _state["warned"]:
            return
        _state["warned"] = True
    (log.warning if device == "cuda" else log.info)("%s; running on the CPU", reason)


def usable_cores() -> int:
    """CPU cores this process may run on: its affinity (``os.sched_getaffinity``), else ``os.cpu_count()``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def step_threads() -> bool:
    """Whether long work runs its steps on threads of their own: where this process may use two cores or more."""
    return usable_cores() >= 2


def idle_cores() -> int:
    """Usable cores that nothing else keeps busy now: :func:`usable_cores` less the 1-minute load average, at least 1.

    The load average counts this machine's runnable threads, niced ones too, so a background job
    at low priority still counts as busy.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return max(1, min(usable_cores(), int(usable_cores() - load + 0.5)))


def model_threads() -> int:
    """ONNX Runtime intra-op threads for a model opened now with no thread count given: the idle cores less one.

    The separation's other steps (reading, STFT, Wiener filter and inverse STFT, and the caller's
    writer or mixer) run on threads of their own beside the network (:func:`core.pipeline.separate_stream`)
    and keep about one core busy, so the network gets the rest: one thread on an idle 2-core machine
    (measured: ``separate`` of 3 minutes 1.60-1.87 s with one thread, 1.93-2.03 s with two, which
    then fought the other steps for the cores), at least one. Sessions opened this way do not
    spin-wait (:class:`core.models.ModelSession` ``spin=False``): spinning threads took the steps' time.
    """
    return max(1, idle_cores() - 1)


def describe() -> str:
    """One line for the About box and ``-v``: the choice, the build's providers and the library preload."""
    import onnxruntime as ort

    pre = {None: "not tried", True: "loaded", False: "some missing"}[_state["preloaded"]]
    if not hasattr(ort, "preload_dlls"):
        pre = "not available in this ONNX Runtime"
    return (f"device {_state['device']}; ONNX Runtime {ort.__version__} with {', '.join(ort.get_available_providers())}; "
            f"CUDA libraries: {pre}")
