"""The separator adapted to a recording, for the app, ``render`` and the CLI (:mod:`training.adapt`, which needs
PyTorch: the training extra). No Qt.

The adapted network is written as an ONNX separator into a private folder of the spool and run by ONNX Runtime like
any separator (the file is gone once loaded). The command line and ``render`` adapt in their own process; the app in
a child process (:func:`adapt` with ``child=True``), so that torch never loads into it: its import alone holds the
GIL for over a second (the window would freeze) and its memory would count against the app's.
"""

from __future__ import annotations

import importlib.util
import os
import select
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from jazzremix_gui.core import device, machine
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.errors import Cancelled, ModelError
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.models import ADAPT_OPENING_S, ADAPT_STEPS, ModelSession, adapted_meta

#: What an adaptation without PyTorch says.
NEEDS_TORCH = ("adapting the separator to a recording needs PyTorch, the training extra: make install-train, or "
               "pip install 'jazzremix[train]'")


def missing() -> str:
    """Why no adaptation can run here ("" when PyTorch is installed)."""
    try:
        found = importlib.util.find_spec("torch") is not None
    except (ValueError, ImportError):
        found = False
    return "" if found else NEEDS_TORCH


def opening(path) -> tuple[np.ndarray, int]:
    """The first ``ADAPT_OPENING_S`` seconds of an audio file and its rate (:func:`core.audio.audio_io.read_opening`)."""
    return audio_io.read_opening(path, ADAPT_OPENING_S)


def adapt(source, separator, progress=None, cancel=None, steps: int = 0, child: bool = False) -> ModelSession:
    """``separator`` adapted to a recording (:func:`training.adapt.adapt_separator`, on every core this process may
    use; ``steps`` 0: its default), as a :class:`core.models.ModelSession` whose version says so.

    Parameters
    ----------
    source : path or (np.ndarray, int)
        The recording: a file (its opening is read) or ``(audio (n, c), rate)``.
    separator : SessionLike
        A separator loaded from its file (possibly with another Wiener step or a solo side given).
    progress, cancel
        Hooks (``progress(fraction, message)``, ``cancel() -> bool``; a cancel raises ``Cancelled``).
    child : bool
        Run it in a child process (the app); ``source`` must be a file.

    Raises
    ------
    ModelError
        Without PyTorch, or when the adaptation fails (the child's last words).
    """
    if missing():
        raise ModelError(NEEDS_TORCH[0].upper() + NEEDS_TORCH[1:] + ".")
    folder = paths.spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="adapt-", dir=folder))
    out = work / "adapted.onnx"
    try:
        if child:
            _in_child(Path(source), separator, out, steps, progress, cancel)
        else:
            _here(source, separator, out, steps, progress, cancel)
        session = ModelSession(out, "separator", threads=device.model_threads(), spin=False)  # as load_model
    finally:
        shutil.rmtree(work, ignore_errors=True)
    session.meta = replace(adapted_meta(separator.meta, steps_of(steps)), path=out)
    return session


def _here(source, separator, out: Path, steps: int, progress, cancel) -> None:
    from jazzremix_gui.training.adapt import adapt_separator, export_adapted, teacher_session

    audio, rate = opening(source) if isinstance(source, (str, Path)) else source
    teacher = teacher_session(separator.path, separator.meta.pan_aware, machine.cores())  # as the child makes it
    session, _ = adapt_separator(audio[: int(ADAPT_OPENING_S * rate)], rate, teacher, steps=steps_of(steps),
                                 threads=machine.cores(), progress=progress, cancel=cancel)
    export_adapted(session, out)


def _in_child(path: Path, separator, out: Path, steps: int, progress, cancel) -> None:
    """``python -m jazzremix_gui.training.adapt`` on ``path``; its progress lines reported; killed on a cancel (looked
    at every 0.1 s, also while torch loads) and when this process ends (the child asks the kernel for that)."""
    args = [sys.executable, "-m", "jazzremix_gui.training.adapt", str(path), str(separator.path), str(out),
            "--pan-aware", separator.meta.pan_aware, "--threads", str(machine.cores()), "--steps", str(steps_of(steps))]
    log = out.with_name("stderr.txt")  # a file, not a pipe: a chatty child never blocks on it
    with open(log, "w") as err:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    try:
        pending = b""
        while True:
            if cancel is not None and cancel():
                raise Cancelled("cancelled")
            if not select.select([proc.stdout], [], [], 0.1)[0]:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                if line.startswith(b"progress ") and progress is not None:
                    progress(float(line.split()[1]), "adapting the separator to the recording")
        proc.wait()
        if proc.returncode != 0 or not out.is_file():
            last = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
            why = last[-1] if last else f"exit status {proc.returncode}"
            raise ModelError(f"adapting the separator to the recording failed: {why}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def steps_of(steps: int) -> int:
    """Optimiser steps of an adaptation: ``steps``, else ``JAZZREMIX_ADAPT_STEPS``, else ``ADAPT_STEPS``."""
    if steps:
        return steps
    try:
        return max(1, int(os.environ.get("JAZZREMIX_ADAPT_STEPS", ADAPT_STEPS)))
    except ValueError:
        return ADAPT_STEPS
