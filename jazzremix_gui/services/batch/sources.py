"""Which files a batch takes, and where each one's outputs go.

A SOURCE is a file (taken whatever its name) or a folder, searched recursively for audio
files by extension (hidden files and the output folder itself are left out). Each input is
a :class:`services.naming.InputFile`: a file found in a folder keeps its folder below that
SOURCE as ``subfolder``, which the batch's ``--filename`` template mirrors by default
(:data:`manifest.BATCH_TEMPLATE`: ``SRC/1954/take2.wav`` gives ``DIR/1954/take2.solo.wav``); a
file named directly has none. Two inputs in one folder with one name (``a.wav`` and
``a.flac`` side by side) would write the same outputs under any template: they are refused
before any work starts.
"""

from __future__ import annotations

import os
from pathlib import Path

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.services.naming import AUDIO_EXTENSIONS, InputFile


class BatchSourceError(JazzRemixError):
    """A SOURCE is missing, or two inputs would write the same outputs."""


def _walk(folder: Path, skip: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder, onerror=None, followlinks=False):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        found += [here / f for f in sorted(files)
                  if not f.startswith(".") and Path(f).suffix.lower() in AUDIO_EXTENSIONS]
    return found


def collect(sources, out_dir) -> list[InputFile]:
    """The inputs of a batch, in a stable order: absolute paths, each with its folder below its SOURCE.

    Parameters
    ----------
    sources : iterable of str or Path
        Files and folders.
    out_dir : str or Path
        The batch's output folder.

    Raises
    ------
    BatchSourceError
        A source does not exist, or two inputs would write the same outputs.
    """
    out = Path(out_dir).resolve()
    inputs: dict[Path, InputFile] = {}
    for src in sources:
        src_path = Path(src)
        if not src_path.exists():
            raise BatchSourceError(f"{src}: no such file or folder")
        if src_path.is_dir() and src_path.is_symlink():
            raise BatchSourceError(f"{src}: a link to a folder ({os.readlink(src_path)}); links are not followed, "
                                   "give the folder itself")
        if src_path.is_dir():
            root = src_path.resolve()
            for f in _walk(root, out):
                rel = f.parent.relative_to(root).as_posix()
                inputs.setdefault(f.resolve(), InputFile(f.resolve(), "" if rel == "." else rel, found=True))
        else:
            inputs.setdefault(src_path.resolve(), InputFile(src_path.resolve()))
    owners: dict[tuple, Path] = {}
    for item in inputs.values():
        key = (item.path.parent, item.subfolder, item.path.stem)
        if key in owners:
            raise BatchSourceError(f"{owners[key]} and {item.path} would write the same outputs "
                                   f"({out / item.subfolder / item.path.stem}.*); rename one or run them "
                                   "separately")
        owners[key] = item.path
    return list(inputs.values())
