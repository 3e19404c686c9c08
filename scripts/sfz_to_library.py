"""Make a sample library folder (training/synth/sampled.py's naming) from an SFZ instrument's git repository.

Some public libraries are not laid out as Karoryfer's: their notes are named by index and mapped to keys in SFZ
region files, recorded at 48 kHz, with per-region tuning and level corrections. This reads the region lines
(``key=`` or ``pitch_keycenter=``, ``sample=``, ``tune=`` in cents, ``volume=`` in dB) of the presets below
from a clone or bare mirror, applies the tuning and the level to each note's sample (the tuning through the
resampling ratio, soxr), resamples to 44.1 kHz, and writes ``<note><octave>_<layer>_rr1.flac`` (``c4`` = MIDI key
60) with a ``layout.json`` (role ``solo``) into ``DEST/NAME`` (via ``DEST/NAME.partial``, so a killed run leaves no
half library). Used by scripts/get_sample_libraries.sh.

    python scripts/sfz_to_library.py PRESET GIT_DIR DEST
"""
import io
import re
import sys

import numpy as np
import soundfile as sf
import soxr

from library_folder import convert, git, git_dir_of, write_note

MTG = "MTG Solo Saxophones/"
#: preset -> (folder name, sample folder in the repository, [(region file, layer)])
PRESETS = {
    "mtg-soprano": ("mtg-soprano", MTG + "Samples",
                    [(MTG + "Data/sop_p_rr1.txt", "p"), (MTG + "Data/sop_f_rr1.txt", "f")]),
    "mtg-tenor": ("mtg-tenor", MTG + "Samples", [(MTG + "Data/ten_p_rr1.txt", "p"), (MTG + "Data/ten_f_rr1.txt", "f")]),
    "ixox-flute": ("ixox-flute", "Samples", [("Data/region/nor.txt", None)]),
}
#: Ixox's normal notes: the layer from the sample's name
IXOX_LAYERS = {"p": "p", "m": "mf", "f": "f"}


def regions(text: str):
    for line in text.splitlines():
        if not line.startswith("<region>"):
            continue
        f = dict(re.findall(r"(\w+)=(\S+)", line))
        key = int(f.get("key", f.get("pitch_keycenter", -1)))
        yield key, f["sample"].replace("$EXT", "flac"), float(f.get("tune", 0)), float(f.get("volume", 0))


def main():
    preset, git_dir, dest = sys.argv[1:4]
    name, samples, files = PRESETS[preset]
    git_dir = git_dir_of(git_dir)

    def fill(part):
        for region_file, layer in files:
            for key, sample, tune, volume in regions(git(git_dir, "show", f"HEAD:{region_file}").decode()):
                lay = layer or IXOX_LAYERS[sample.split("_")[1]]
                x, rate = sf.read(io.BytesIO(git(git_dir, "show", f"HEAD:{samples}/{sample}")), dtype="float32",
                                  always_2d=True)
                # played at rate * 2^(tune/1200) its pitch moves by `tune` cents; then resampled to 44.1 kHz
                y = soxr.resample(x.mean(axis=1).astype(np.float64), rate * 2 ** (tune / 1200), 44100)
                write_note(part, key, lay, y * 10 ** (volume / 20))
        return ""

    convert(dest, name, fill)


if __name__ == "__main__":
    main()
