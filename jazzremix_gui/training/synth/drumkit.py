"""A drum part played from a recorded drum kit (separator v3, #21).

The training sets' drums are General-MIDI soundfont kits; the unseen validation sets play theirs from
recorded acoustic kits (avldrums), and real records are real kits in real rooms. This voice plays the
``drums`` part from a multi-microphone kit recorded hit by hit: Lars Muldjord's *MuldjordKit* (a Tama
Superstar kit, CC BY 4.0, https://github.com/sfzinstruments/DrumGizmo.MuldjordKit), of which
``scripts/get_sample_libraries.sh`` keeps the overhead and the room microphone pairs under
``data/samples/muldjord`` (never committed).

A kit is a folder with a ``layout.json`` saying ``{"role": "drums"}`` and one folder per piece (DrumGizmo's
names: ``KdrumR``, ``Snare``, ``RideR`` ...) of ``<N>-<Piece>-<Mic>.flac`` (or ``.wav``) files: hit ``N``
(1 the softest) as microphone ``Mic`` heard it. Per track one microphone pair is drawn (the overheads or the
room); per note the piece follows the General-MIDI key (:data:`PIECES`; other keys, such as the woodblock or
the cowbell, stay silent), the hit follows the velocity (the softest to the loudest hit over 1-127, give or
take one neighbour, as a drummer never strikes twice alike), and the hit rings for its whole recorded length
(a cymbal for seconds). Brush parts keep their soundfont: the kit was recorded with sticks.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from jazzremix_gui.training.synth.instruments import KIT_BRUSH
from jazzremix_gui.training.synth.sampled import RATE, SampleLibraryError
from jazzremix_gui.training.synth.timing import Part

#: General-MIDI drum key -> the kit's piece (DrumGizmo's names; MuldjordKit's own SFZ keymap where it has one).
PIECES = {35: "KdrumL", 36: "KdrumR", 37: "SnareRest", 38: "Snare", 40: "Snare", 41: "Tom4", 43: "Tom4",
          45: "Tom3", 47: "Tom2", 48: "Tom1", 50: "Tom1", 42: "HihatClosed", 44: "HihatClosed", 46: "HihatOpen",
          49: "CrashL", 57: "CrashR", 52: "China", 51: "RideR", 59: "RideL", 53: "RideRBell", 55: "RideLBell"}
#: The pedalled hi-hat (key 44) plays the closed hi-hat's hits at this share of its velocity.
PEDAL_SHARE = 0.5
#: Microphone pairs a track is heard through: (name, left, right).
PAIRS = (("overheads", "OHL", "OHR"), ("room", "AmbL", "AmbR"))
_NAME = re.compile(r"^(\d+)-([A-Za-z0-9]+)-([A-Za-z0-9_]+)\.(?:wav|flac)$")


@dataclass(frozen=True)
class Kit:
    """An indexed drum kit (:func:`load_kit`).

    Attributes
    ----------
    name : str
        The folder's name (written in meta.json).
    root : Path
        The folder.
    hits : dict
        ``piece -> (N, ...)``: the hit numbers of each piece, soft to loud.
    pairs : tuple of str
        The names of the microphone pairs every hit has (of :data:`PAIRS`).
    role : str
        ``drums``.
    """

    name: str
    root: Path
    hits: dict
    pairs: tuple
    role: str = "drums"


def is_kit(folder) -> bool:
    """Whether ``folder``'s ``layout.json`` names a drum kit."""
    try:
        return json.loads((Path(folder) / "layout.json").read_text()).get("role") == "drums"
    except (OSError, ValueError, AttributeError):
        return False


def load_kit(folder) -> Kit:
    """Index a drum kit folder (no audio is read here).

    Raises
    ------
    SampleLibraryError
        The folder is missing or holds no piece of :data:`PIECES` with a whole microphone pair.
    """
    root = Path(folder)
    if not root.is_dir():
        raise SampleLibraryError(f"drum kit folder not found: {root} (scripts/get_sample_libraries.sh puts "
                                 "MuldjordKit under data/samples/muldjord)")
    files = {}  # (piece, hit) -> set of mics
    for piece in sorted(set(PIECES.values())):
        sub = root / piece
        if sub.is_dir():
            for p in sub.iterdir():
                m = _NAME.match(p.name)
                if m and m[2] == piece:
                    files.setdefault((piece, int(m[1])), set()).add(m[3])
    pairs = tuple(name for name, left, right in PAIRS if files and all({left, right} <= mics for mics in files.values()))
    if not pairs:
        raise SampleLibraryError(f"{root}: a drum kit needs <Piece>/<N>-<Piece>-<Mic>.flac files with a whole "
                                 f"microphone pair ({', '.join(f'{a}/{b}' for _n, a, b in PAIRS)}) for every hit")
    hits = {}
    for piece, n in sorted(files):
        hits.setdefault(piece, []).append(n)
    return Kit(root.name, root, {k: tuple(v) for k, v in hits.items()}, pairs)


def draw_voice(rng: np.random.Generator, kit: Kit, part: Part) -> dict:
    """The per-track choice: the microphone pair."""
    return {"type": "drumkit", "library": kit.name, "mics": kit.pairs[int(rng.integers(len(kit.pairs)))]}


@functools.lru_cache(maxsize=4096)
def _read_pair(root: Path, piece: str, hit: int, pair: str) -> np.ndarray:
    """One hit through one microphone pair, float32 ``(m, 2)`` at 44.1 kHz (read once per process)."""
    _name, left, right = next(p for p in PAIRS if p[0] == pair)
    chans = []
    for mic in (left, right):
        path = next(root.glob(f"{piece}/{hit}-{piece}-{mic}.*"))
        x, rate = sf.read(str(path), dtype="float32", always_2d=True)
        if rate != RATE:
            raise SampleLibraryError(f"{path}: {rate} Hz (the synthesiser works at {RATE} Hz)")
        chans.append(x.mean(axis=1))
    m = min(len(c) for c in chans)
    return np.ascontiguousarray(np.stack([c[:m] for c in chans], axis=1))


def hit_of(kit: Kit, piece: str, velocity: float, rng: np.random.Generator) -> int:
    """The hit number a velocity (1-127) strikes: the soft-to-loud hits spread over 1-127, give or take one."""
    hits = kit.hits[piece]
    k = int(round((min(max(velocity, 1.0), 127.0) - 1) / 126 * (len(hits) - 1))) + int(rng.integers(-1, 2))
    return hits[min(len(hits) - 1, max(0, k))]


def render_part(part: Part, n_samples: int, voice: dict, kit: Kit, rng: np.random.Generator) -> np.ndarray:
    """Render the drum ``part`` from ``kit`` through the pair in ``voice`` (:func:`draw_voice`).

    Returns
    -------
    numpy.ndarray
        float32, shape (n_samples, 2), 44.1 kHz, the pair's stereo image, peak 0.5 (the mixdown sets the level).
    """
    out = np.zeros((n_samples, 2), np.float64)
    for start, _dur, pitch, vel in part.notes:
        piece = PIECES.get(int(pitch))
        a = int(round(start * RATE))
        if piece is None or piece not in kit.hits or a >= n_samples:
            continue
        velocity = float(vel) * (PEDAL_SHARE if int(pitch) == 44 else 1.0)
        x = _read_pair(kit.root, piece, hit_of(kit, piece, velocity, rng), voice["mics"])
        m = min(len(x), n_samples - a)
        out[a:a + m] += x[:m]
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    return (out / peak * 0.5 if peak > 0 else out).astype(np.float32)


def plays_part(part: Part) -> bool:
    """Whether a recorded kit may play ``part``: a drum part not played with brushes."""
    return part.drum and part.program != KIT_BRUSH
