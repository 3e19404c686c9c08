"""Parts played from recorded samples that are not a General-MIDI soundfont (separator v3, #21).

Every soundfont the project trains on is a General-MIDI set (a few samples per instrument, made to
sound acceptable in any song), and the unseen validation set is FM synthesis; real records are
neither. This voice plays the solo part from a sample library recorded for one instrument: every
note of its range at two dynamics, two round-robin takes and two microphones, as the player
played them (attack, breath, the instrument's own vibrato and the room). The first library is
Karoryfer's *Weresax*, an alto saxophone (CC0, https://github.com/sfzinstruments/karoryfer.weresax;
``scripts/get_sample_libraries.sh`` puts its ``Samples/alto`` folder under ``data/samples/weresax``;
never committed).

Two more Karoryfer libraries (CC0) follow the same naming: *Emilyguitar*, an Epiphone electric guitar
with flatwound strings recorded direct (a solo), and *Meatbass*, a 1958 double bass played pizzicato
(the bass part, the accompaniment's most constant voice). For the chord part: Bengt Nilsson's *Headroom
Piano*, a Yamaha C3 grand at five velocity layers and two microphone positions, every third semitone
(CC BY 4.0, https://github.com/sfzinstruments/BengtNilsson.HeadroomPiano; the script renames its files
to this scheme). Libraries converted from other layouts follow the same naming: SFZ region files
(``scripts/sfz_to_library.py``: MTG's soprano and tenor saxophones, Ixox Flute) and folders of one note per file
named by pitch (``scripts/notes_to_library.py``: the Tone.js instruments' trumpet, trombone and clarinet, one
dynamic, so one layer).

A library is a folder of WAV or FLAC files named ``<note><octave>_<layer>_rr<N>[_<mic>].wav``: the note a
lower-case letter with an optional ``b``; the layer a dynamic (``p``, ``mp``, ``mf``, ``f``) or a
velocity layer ``vl1``, ``vl2``, ... (soft to loud); an optional microphone (Weresax's
``ab3_f_rr2_cnd.wav``, Emilyguitar's ``a2_mp_rr3.wav``, Meatbass's ``a0_vl4_rr1.wav``). An optional
``layout.json`` in the folder says how its octaves count and which part it plays: ``{"c4_key": 60,
"role": "bass"}`` (roles: :data:`ROLES`); without it ``c4`` is MIDI key 72 (Weresax's SFZ map gives ``db2`` key 49) and the
role is ``solo``. A library need not hold every key: a note is read from the nearest sampled key,
transposed (Emilyguitar and Meatbass sample every third semitone).

Per track one microphone, a detune (+-15 cents), a release time and an octave shift that puts
most of the part's notes in the library's range are drawn; per note the dynamic layer follows the
velocity (two layers: soft below :data:`SOFT_BELOW`; more: equal velocity ranges, as the SFZ maps
have them), the take is drawn, and the part's pitch bends are applied by reading the sample at a
varying rate. Returns the same ``(n, 2)`` float32 array as :func:`.render.render_part` (the voice
is mono, the mixdown pans it).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.training.synth.additive import _bend_semitones
from jazzremix_gui.training.synth.timing import Part

RATE = 44100
_PITCH_CLASS = {"c": 0, "db": 1, "d": 2, "eb": 3, "e": 4, "f": 5, "gb": 6, "g": 7, "ab": 8, "a": 9, "bb": 10,
                "b": 11}
_NAME = re.compile(r"^([a-g]b?)(\d)_(p|mp|mf|f|vl\d)_rr(\d+)(?:_([a-z]+))?\.(?:wav|flac)$")
_DYNAMICS = ("p", "mp", "mf", "f")
#: Velocities below this play the soft layer of a two-layer library.
SOFT_BELOW = 80
#: The parts a library can play (``comp``: the chord part; ``horn``: the horn backgrounds and counter-lines).
ROLES = ("solo", "bass", "comp", "horn")
#: Fade at a sample's end when a note outlasts it (seconds).
_TAIL_S = 0.05


class SampleLibraryError(JazzRemixError):
    """A sample library folder that cannot be used."""


@dataclass(frozen=True)
class Library:
    """A sample library: where its files are and which keys, layers, takes and microphones it has.

    Attributes
    ----------
    name : str
        The folder's name (written in meta.json).
    files : dict
        ``(key, layer, take, mic) -> Path``; key a MIDI key, layer as named (``'p'``, ``'vl3'``), mic
        ``''`` where the names give none.
    keys : tuple of int
        The keys with samples, ascending.
    mics : tuple of str
        Microphone names.
    layers : tuple of str
        The layers, soft to loud.
    role : str
        The part it plays (one of :data:`ROLES`).
    """

    name: str
    files: dict
    keys: tuple
    mics: tuple
    layers: tuple = ("p", "f")
    role: str = "solo"

    def takes(self, key: int, layer: str, mic: str) -> list:
        """The takes of one key, layer and microphone (paths)."""
        return [p for (k, la, _t, m), p in sorted(self.files.items()) if k == key and la == layer and m == mic]


def key_of(note: str, octave: int, c4_key: int = 72) -> int:
    """MIDI key of a library file's note name (``db2`` -> 49 where ``c4`` is key 72, Weresax's count)."""
    return c4_key + 12 * (octave - 4) + _PITCH_CLASS[note]


def _layer_rank(layer: str) -> int:
    return _DYNAMICS.index(layer) if layer in _DYNAMICS else 10 + int(layer[2:])


def _layout(root: Path) -> tuple[int, str]:
    """``(c4_key, role)`` from the folder's ``layout.json`` (Weresax's count and ``solo`` without one)."""
    path = root / "layout.json"
    if not path.is_file():
        return 72, "solo"
    try:
        info = json.loads(path.read_text())
        c4_key, role = int(info.get("c4_key", 72)), str(info.get("role", "solo"))
    except (ValueError, TypeError, AttributeError, OSError) as exc:
        raise SampleLibraryError(f"{path}: not a layout ({exc})") from exc
    if role not in ROLES or c4_key not in (48, 60, 72):
        raise SampleLibraryError(f"{path}: role must be one of {', '.join(ROLES)} and c4_key 48, 60 or 72")
    return c4_key, role


def load_library(folder: str | Path) -> Library:
    """Index a sample library folder (no audio is read here).

    Raises
    ------
    SampleLibraryError
        The folder is missing, holds no file named as the module docstring says, or some key lacks
        a layer or a microphone that others have.
    """
    root = Path(folder)
    if not root.is_dir():
        raise SampleLibraryError(f"sample library folder not found: {root} "
                                 "(scripts/get_sample_libraries.sh puts Weresax under data/samples/weresax)")
    c4_key, role = _layout(root)
    files = {}
    for p in root.iterdir():
        m = _NAME.match(p.name)
        if m:
            files[(key_of(m[1], int(m[2]), c4_key), m[3], int(m[4]), m[5] or "")] = p
    if not files:
        raise SampleLibraryError(f"{root} holds no samples named <note><octave>_<layer>_rr<N>[_<mic>].wav or .flac")
    keys = tuple(sorted({k for k, _l, _t, _m in files}))
    mics = tuple(sorted({m for _k, _l, _t, m in files}))
    layers = tuple(sorted({la for _k, la, _t, _m in files}, key=_layer_rank))
    present = {(k, la, m) for k, la, _t, m in files}
    for k in keys:
        for layer in layers:
            for mic in mics:
                if (k, layer, mic) not in present:
                    raise SampleLibraryError(f"{root}: key {k} has no '{layer}' sample for microphone '{mic}'")
    return Library(root.name, files, keys, mics, layers, role)


def layer_of(library: Library, velocity: int) -> str:
    """The layer a MIDI velocity plays: two layers split at :data:`SOFT_BELOW`; n layers split 1-127 evenly."""
    n = len(library.layers)
    if n == 2:
        return library.layers[0 if velocity < SOFT_BELOW else 1]
    return library.layers[min(n - 1, max(0, (int(velocity) - 1) * n // 127))]


def nearest_key(library: Library, pitch: int) -> int:
    """The sampled key nearest ``pitch`` (the lower of two equally near)."""
    keys = np.asarray(library.keys)
    return int(keys[np.argmin(np.abs(keys - pitch))])


@functools.lru_cache(maxsize=None)
def _read(path: Path) -> np.ndarray:
    """One sample as float32 mono at 44.1 kHz (read once per process)."""
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    if rate != RATE:
        raise SampleLibraryError(f"{path}: {rate} Hz (the synthesiser works at {RATE} Hz)")
    return np.ascontiguousarray(x.mean(axis=1))


def draw_voice(rng: np.random.Generator, library: Library, part: Part) -> dict:
    """The per-track choices: microphone, detune, release and the octave shift of ``part``."""
    lo, hi = library.keys[0], library.keys[-1]
    pitches = np.array([n[2] for n in part.notes]) if part.notes else np.array([(lo + hi) // 2])
    shifts = [12 * s for s in range(-4, 5)]
    inside = [int(np.sum((pitches + s >= lo) & (pitches + s <= hi))) for s in shifts]
    best = max(inside)
    shift = min((s for s, c in zip(shifts, inside) if c == best), key=abs)
    return {"type": "sampled", "library": library.name, "mic": library.mics[int(rng.integers(len(library.mics)))],
            "detune_cents": float(rng.uniform(-15.0, 15.0)), "release_s": float(rng.uniform(0.06, 0.25)),
            "octave_shift": int(shift // 12)}


def describe(voice: dict) -> dict:
    """What meta.json records of a voice."""
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in voice.items()}


def _in_range(pitch: int, lo: int, hi: int) -> int:
    while pitch < lo:
        pitch += 12
    while pitch > hi:
        pitch -= 12
    return pitch


def render_part(part: Part, n_samples: int, voice: dict, library: Library, rng: np.random.Generator) -> np.ndarray:
    """Render ``part``'s notes from ``library`` with the choices in ``voice`` (:func:`draw_voice`).

    Returns
    -------
    numpy.ndarray
        float32, shape (n_samples, 2), 44.1 kHz, the same in both channels, peak 0.5 (the mixdown
        sets the level).
    """
    out = np.zeros(n_samples, np.float64)
    lo, hi = library.keys[0], library.keys[-1]
    release = voice["release_s"]
    for start, dur, pitch, vel in part.notes:
        a = int(round(start * RATE))
        if a >= n_samples:
            continue
        wanted = _in_range(int(pitch) + 12 * voice["octave_shift"], lo, hi)
        key = nearest_key(library, wanted)
        takes = library.takes(key, layer_of(library, vel), voice["mic"])
        x = _read(takes[int(rng.integers(len(takes)))])
        length = min(n_samples - a, int(round((dur + release) * RATE)))
        if length <= 1:
            continue
        t = np.arange(length) / RATE
        # the detune, the transposition from the nearest sampled key (0 where every key is sampled) and the bends
        semis = (voice["detune_cents"] / 100.0 + (wanted - key)) + _bend_semitones(part, start + t)
        pos = np.concatenate([[0.0], np.cumsum(2.0 ** (semis[:-1] / 12.0))])  # read position, in samples
        length = min(length, int(np.searchsorted(pos, x.shape[0] - 1)))
        if length <= 1:
            continue
        tone = np.interp(pos[:length], np.arange(x.shape[0]), x)
        env = np.ones(length)
        held = int(round(dur * RATE))
        if held < length:
            env[held:] = np.exp(-(t[held:length] - dur) / (release / 4))
        tail = min(length, int(_TAIL_S * RATE))
        env[length - tail:] *= np.linspace(1.0, 0.0, tail)  # a note that outlasts its sample ends without a click
        out[a:a + length] += tone * env * (1.0 - 0.66 * (1.0 - vel / 127.0))
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    out = out / peak * 0.5 if peak > 0 else out
    return np.repeat(out.astype(np.float32)[:, None], 2, axis=1)
