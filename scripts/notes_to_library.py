"""Make a sample library folder (training/synth/sampled.py's naming) from a folder of notes named by pitch.

The Tone.js instruments' samples (https://github.com/nbrosowsky/tonejs-instruments, samples CC BY 3.0; their
``sample-source-info.txt`` gives the trumpet and the trombone from Versilian Studios' VSCO 2 Community Edition)
hold one recorded note per file, named ``<Note>[s]<octave>.mp3`` (``As3`` = A sharp 3, ``C4`` = MIDI key 60), one
dynamic and one take, trimmed and level-matched by their editor. This reads the presets' folders from a clone or
bare mirror, checks every note's pitch against its name with the project's YIN (where the note lies in YIN's
range; a note that is not the pitch of its name is left out and named), and writes ``<note><octave>_mf_rr1.flac``
(44.1 kHz mono, 24 bit) with a ``layout.json`` (role ``solo``) into ``DEST/NAME`` (via ``DEST/NAME.partial``, so a
killed run leaves no half library). Used by
scripts/get_sample_libraries.sh.

    python scripts/notes_to_library.py PRESET GIT_DIR DEST
"""
import io
import re
import sys

import numpy as np
import soundfile as sf

from jazzremix_gui.core.signal.pitch import LOWEST_HZ, f0_hz
from library_folder import convert, git, git_dir_of, write_note

_SHARP = {"C": 1, "D": 3, "F": 6, "G": 8, "A": 10}
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_FILE = re.compile(r"^([A-G])(s?)(\d)\.mp3$")
#: preset -> (folder name, folder in the repository)
PRESETS = {
    "tonejs-trumpet": ("tonejs-trumpet", "trumpet"),
    "tonejs-trombone": ("tonejs-trombone", "trombone"),
    "tonejs-clarinet": ("tonejs-clarinet", "clarinet"),
}
#: A note whose YIN pitch (the median of its voiced frames) lies further from its name (semitones) is left out.
MAX_ERROR_ST = 0.5


def key_of(name: str) -> int | None:
    """MIDI key of a Tone.js file name (``As3.mp3`` -> 58), None for another name."""
    m = _FILE.match(name)
    if not m or (m.group(2) and m.group(1) not in _SHARP):
        return None
    pc = _SHARP[m.group(1)] if m.group(2) else _NATURAL[m.group(1)]
    return 12 * (int(m.group(3)) + 1) + pc


def heard_key(x: np.ndarray, rate: int) -> float | None:
    """The median YIN pitch of a note's voiced frames (MIDI, fractional), None where YIN hears none."""
    hop = 1024
    n = x.shape[0] // hop
    hz = f0_hz(x.astype(np.float32), hop, n, rate) if n > 4 else np.zeros(0)
    hz = hz[hz > 0]
    return float(69 + 12 * np.log2(np.median(hz) / 440.0)) if hz.size >= 4 else None


def main():
    preset, git_dir, dest = sys.argv[1:4]
    name, folder = PRESETS[preset]
    git_dir = git_dir_of(git_dir)

    def fill(part):
        files = git(git_dir, "ls-tree", "--name-only", f"HEAD:{folder}").decode().split()
        unheard, wrong = [], []
        for file in sorted(files, key=lambda f: key_of(f) or 0):
            key = key_of(file)
            if key is None:
                continue
            x, rate = sf.read(io.BytesIO(git(git_dir, "show", f"HEAD:{folder}/{file}")), dtype="float64",
                              always_2d=True)
            if rate != 44100:
                sys.exit(f"{folder}/{file}: {rate} Hz, 44100 expected")
            y = x.mean(axis=1)
            heard = heard_key(y, rate) if 440.0 * 2 ** ((key - 69) / 12) > LOWEST_HZ else None
            if heard is None:
                unheard.append(file)
            elif abs(heard - key) > MAX_ERROR_ST:
                wrong.append(f"{file} (YIN hears MIDI {heard:.2f}, its name says {key})")
                continue
            write_note(part, key, "mf", y)
        return ((f"; pitch not checked, under YIN's range: {', '.join(unheard)}" if unheard else "")
                + (f"; left out, not the pitch of their name: {', '.join(wrong)}" if wrong else ""))

    convert(dest, name, fill)


if __name__ == "__main__":
    main()
