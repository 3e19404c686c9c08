"""What the per-track diagnostics r14-r16 share: their command line, the tracks still to do, and one JSON line per
track appended (so a run stopped midway resumes where it was).

    python checkpoints/rNN/SCRIPT.py data/SET OUT.jsonl [--every 2 --offset 0|1] [--variants a,b]
"""
import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, read_track
from jazzremix_gui.core.models import adapted_meta
from jazzremix_gui.training.adapt import teacher_session
from jazzremix_gui.training.torch_session import TorchSession


def arguments(variants: str | None = None, **defaults: str) -> argparse.Namespace:
    """The command line (``defaults``: more options, ``--name`` with its default text); torch on one thread."""
    p = argparse.ArgumentParser()
    p.add_argument("set")
    p.add_argument("out")
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--offset", type=int, default=0)
    if variants is not None:
        p.add_argument("--variants", default=variants)
    for name, default in defaults.items():
        p.add_argument("--" + name, default=default)
    a = p.parse_args()
    torch.set_num_threads(1)
    return a


def pending(a: argparse.Namespace) -> list[Path]:
    """The track folders of ``a.set`` in this process's share (``--every``, ``--offset``) not yet in ``a.out``."""
    folders = sorted(t for t in Path(a.set).iterdir() if (t / "mixture.wav").is_file())[a.offset::a.every]
    done = {json.loads(line)["track"] for line in open(a.out)} if Path(a.out).is_file() else set()
    return [folder for folder in folders if folder.name not in done]


def tracks(a: argparse.Namespace):
    """``(name, mixture (n, 2), true solo (n, 2), true accompaniment (n, 2), rate, record)`` of each track of
    :func:`pending`; ``record`` starts the track's JSON line."""
    for folder in pending(a):
        mix, solo, acc, rate = read_track(folder)
        yield folder.name, mix, solo, acc, rate, {"track": folder.name, "started": time.time()}


@dataclasses.dataclass
class Taught:
    """A track with the product's teacher: the shipped separator's stems of it, scored in ``rec`` as ``base``."""

    mix: np.ndarray  # (n, 2)
    solo: np.ndarray  # (n, 2), the true solo as recorded
    acc: np.ndarray  # (n, 2)
    rate: int
    teacher: pipeline.Stems
    rec: dict
    base: object  # the shipped separator's session
    meta: object  # an adapted copy's metadata

    @property
    def ref(self) -> np.ndarray:
        """The true solo as the scores take it, (n,)."""
        return self.solo.mean(axis=1)

    def score(self, name: str, model) -> None:
        """``rec[name]``: the torch network ``model`` separating the mixture (the product's pipeline), scored."""
        stems = pipeline.separate(self.mix, self.rate, TorchSession(model, self.meta))
        score(self.rec, name, self.ref, self.acc, stems)


def taught(a: argparse.Namespace):
    """:class:`Taught` for each track of :func:`tracks`."""
    base = teacher_session("models/separator.onnx", None, 1)
    meta = adapted_meta(base.meta, 75)
    for _, mix, solo, acc, rate, rec in tracks(a):
        teacher = pipeline.separate(mix, rate, base)
        score(rec, "base", solo.mean(axis=1), acc, teacher)
        yield Taught(mix, solo, acc, rate, teacher, rec, base, meta)


def score(rec: dict, name: str, ref_solo, acc, stems) -> None:
    """``rec[name] = [solo SDR, accompaniment SDR]`` of ``stems`` against the true ones (dB)."""
    rec[name] = [global_sdr(ref_solo, stems.solo), global_sdr(acc, stems.accompaniment)]


def score_edit(rec: dict, name: str, ref_solo, acc, stems, solo_e) -> None:
    """``rec[name]``: ``stems`` with the solo ``solo_e`` (n,) instead, what it lost placed at the solo's recorded pan
    and level in the accompaniment (the stems still add up to what they did), scored as :func:`score` does."""
    from jazzremix_gui.core.signal.panlaw import place_solo

    taken = stems.solo - solo_e
    acc_e = stems.accompaniment + place_solo(taken, stems.recorded_pan_deg, 1.0, stems.solo_level)
    edited = dataclasses.replace(stems, solo=np.asarray(solo_e, np.float32), accompaniment=acc_e.astype(np.float32))
    score(rec, name, ref_solo, acc, edited)


def write(a: argparse.Namespace, rec: dict) -> None:
    """Append the track's line to ``a.out`` (with its seconds) and print its solo figures."""
    rec["seconds"] = round(time.time() - rec.pop("started"), 1)
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(rec["track"], " ".join(f"{k} {v[0]:6.2f}" for k, v in rec.items() if isinstance(v, list)),
          rec["seconds"], flush=True)


def mono_runs(argv: list[str]):
    """Diagnostics r32-r34 (``SET 0|1 OUT``): each track of this process's half of ``SET`` read in mono (r9's
    reading) and separated by the shipped separator without the mono comb (:func:`core.models.without_mono_comb`):
    ``(folder, stems, solo (n, 2), accompaniment (n, 2), rate, line)``, ``line(rec)`` appending ``rec`` to ``OUT``
    as one JSON line."""
    from jazzremix_gui.core.evaluation import list_tracks
    from jazzremix_gui.core.models import without_mono_comb

    base = without_mono_comb(teacher_session("models/separator.onnx", None, 1))
    with open(argv[3], "a") as out:
        def line(rec: dict) -> None:
            out.write(json.dumps(rec) + "\n")
            out.flush()

        for folder in list_tracks(argv[1])[int(argv[2])::2]:
            mix, solo, acc, rate = read_track(folder)
            yield folder, pipeline.separate(mix.mean(axis=1, keepdims=True), rate, base), solo, acc, rate, line


@dataclasses.dataclass
class MonoSolo:
    """What the mono comb's diagnostics (r40, r41) read of a track from :func:`mono_runs`."""

    solo: np.ndarray  # (n,), the separated solo before the comb
    ref: np.ndarray  # (n,), the true solo's mid
    spec: np.ndarray  # (T, N_BINS), the separated solo's STFT at the comb's hop
    yin: np.ndarray  # (T,), YIN's F0 of the separated solo (Hz, 0 unvoiced)
    clean: np.ndarray  # (T,), YIN's F0 of the true solo


def mono_solo(stems, solo: np.ndarray) -> MonoSolo:
    """:class:`MonoSolo` of ``stems`` (a mono separation) and the true ``solo`` (n, 2)."""
    from jazzremix_gui.core.signal import pitch_comb
    from jazzremix_gui.core.signal.stft import stft

    s = stems.solo
    ref = solo.mean(axis=1)[: s.shape[0]]
    spec = stft(s, pitch_comb.HOP)
    n = spec.shape[0]
    return MonoSolo(s, ref, spec, pitch_comb.frame_f0(s, 0, n), pitch_comb.frame_f0(ref, 0, n))
