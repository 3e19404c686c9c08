"""Resumable training state shared by the recipes: model, optimiser, step, elapsed time and RNGs.

Saved atomically (temporary file, then rename), so an interrupted run always finds a
complete checkpoint and the same command continues where it stopped.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core.errors import DiskFullError, JazzRemixError
from jazzremix_gui.core.files.atomic import atomic_path
from jazzremix_gui.core.files.oserrors import check_free_space, describe_os_error, disk_full


class FolderInUse(JazzRemixError):
    """Another training run is writing its checkpoints into the folder this one was given."""


@contextlib.contextmanager
def claimed(folder: Path):
    """Hold the checkpoint folder ``folder`` for one run (``flock`` on ``folder/lock``).

    Two runs given the same folder (two seeds of one command, say, without ``--checkpoint-dir``) would each
    resume from and overwrite the other's checkpoints and export whichever was saved last; the second is
    refused instead (:class:`FolderInUse`). The lock goes with the process: a killed run holds nothing, and
    the same command resumes. The empty ``lock`` file stays, part of the folder like its log. Where ``flock``
    is missing (not POSIX) nothing is checked.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise FolderInUse(f"{folder}: another training run is writing its checkpoints there; give this run "
                              "a folder of its own (--checkpoint-dir for train-mixer, --checkpoints for "
                              "train-separator)") from None
        yield
    finally:
        os.close(fd)


def save(path: Path, model, opt, sampler, step: int, elapsed: float, cfg, **extra) -> None:
    """Write the state of a run (``sampler.rng`` is a numpy Generator) to ``path`` (:func:`write_state`)."""
    state = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
             "rng": sampler.rng.bit_generator.state, "torch_rng": torch.get_rng_state(), "config": asdict(cfg),
             **extra}
    write_state(path, state, f"step {step}")


def write_state(path, state: dict, what: str) -> None:
    """The one way training writes a torch file: ``state`` to ``path``, atomically.

    The state is serialised in memory first, so a full disk is told before anything is written
    (``torch.save`` on a full disk fails with an opaque ``RuntimeError``). A write that fails
    leaves the previous file whole and raises :class:`CheckpointNotWritten`, whose one line names
    ``what`` (``"step 812"``, ``"the weights"``), the file, and what is kept.
    """
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getbuffer()
    try:
        check_free_space(path.parent, len(data))
        with atomic_path(path) as tmp:
            Path(tmp).write_bytes(data)
    except DiskFullError as exc:
        raise CheckpointNotWritten(f"{exc}: {_not_written(path, what)}") from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CheckpointNotWritten(f"{disk_full(path.parent, len(data))}: {_not_written(path, what)}") from None
        raise CheckpointNotWritten(f"{describe_os_error(exc, 'writing', path)}: {_not_written(path, what)}") from None


class CheckpointNotWritten(JazzRemixError):
    """A checkpoint could not be written; the previous one (if any) is kept whole."""


def _not_written(path: Path, what: str) -> str:
    """What a failed write leaves, and how to go on (the run resumes from its last checkpoint)."""
    kept = "the previous file is kept" if path.exists() else "nothing was kept there"
    return (f"{path} was not written ({what}); {kept}. Free some space and run the same command again (a training "
            "run resumes from its last checkpoint)")


def load_state(path) -> dict:
    """A file saved by ``torch.save`` read as data only (``weights_only=True``), on the CPU.

    The one way the recipes read ``.pt`` files: a planted or foreign file (a ``.pt`` beside
    ``train-mixer --base X.onnx``) can hold tensors and plain values, never code to run;
    anything else raises (``pickle.UnpicklingError``).
    """
    with torch.serialization.safe_globals(_numpy_scalars()):
        return torch.load(path, weights_only=True, map_location="cpu")


def _numpy_scalars() -> list:
    """What a numpy scalar in a checkpoint (a step's loss as ``np.float32``) needs: data, never code."""
    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar
    return [scalar, np.dtype, *{type(np.dtype(c)) for c in "?bBhHiIlLqQefdg"}]


def restore(path: Path, model, opt, sampler) -> dict | None:
    """Load a run's state into ``model``, ``opt`` and ``sampler``; returns the state dict (None if absent)."""
    path = Path(path)
    if not path.exists():
        return None
    state = load_state(path)
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["opt"])
    sampler.rng.bit_generator.state = state["rng"]
    torch.set_rng_state(state["torch_rng"])
    return state


def heldout_score(state: dict) -> float:
    """The held-out figure a best checkpoint was chosen by (``heldout_loss`` in checkpoints of earlier versions)."""
    return float(state.get("heldout_score", state.get("heldout_loss", float("nan"))))
