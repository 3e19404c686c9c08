"""What the sample-library converters share (``scripts/sfz_to_library.py``, ``scripts/notes_to_library.py``).

A converted library is a folder ``DEST/NAME`` of ``<note><octave>_<layer>_rr1.flac`` notes (training/synth/sampled.py's
naming; ``c4`` = MIDI key 60) with a ``layout.json`` (role ``solo``). It is written into ``DEST/NAME.partial`` and
renamed when whole; a conversion that fails or is stopped removes its partial folder, so no half library is left.
"""
import json
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf

NAMES = ("c", "db", "d", "eb", "e", "f", "gb", "g", "ab", "a", "bb", "b")


def git_dir_of(path: str) -> str:
    """The git directory of a clone (``path/.git``) or a bare mirror (``path``)."""
    return str(Path(path, ".git")) if not Path(path, "HEAD").is_file() and Path(path, ".git").is_dir() else path


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True).stdout


def write_note(folder: Path, key: int, layer: str, samples: np.ndarray) -> None:
    """One note (MIDI ``key``, mono float samples at 44.1 kHz) as 24-bit FLAC under the library's naming."""
    sf.write(folder / f"{NAMES[key % 12]}{key // 12 - 1}_{layer}_rr1.flac", samples.astype(np.float32), 44100,
             subtype="PCM_24")


def convert(dest: str, name: str, fill: Callable[[Path], str]) -> None:
    """``fill(folder)`` writes the notes into a fresh ``DEST/NAME.partial`` and returns what to add to the report;
    the folder then becomes ``DEST/NAME``. Nothing is done where ``DEST/NAME`` is there already."""
    out = Path(dest) / name
    if out.is_dir():
        print(f"{out} is there")
        return
    part = Path(dest) / (name + ".partial")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
    try:
        said = fill(part)
        (part / "layout.json").write_text(json.dumps({"c4_key": 60, "role": "solo"}))
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    part.rename(out)
    print(f"{len(list(out.glob('*.flac')))} files in {out}{said}")
