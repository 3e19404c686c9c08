"""Diagnostic r18: the engineer's hint "no solo here" as a teacher and as an edit (tuning set, data/val-unseen).

r15 and r17 showed the adaptation is limited by its teacher. One hint an engineer can give is where the solo rests.
Simulated here from the track's ``meta.json`` (the synthesiser's solo phrases, coarse: a phrase's inner breaths are
not rests): a rest is a gap between phrases, shrunk by 50 ms before the next phrase and 300 ms after the last one
(its release and reverb), kept when at least 0.5 s remains, what an engineer could mark by ear. Per track:

- ``base``: the shipped separator (the product's teacher); ``base_z``: its stems with the solo silenced in the rests
  and what it held there moved to the accompaniment (the stems still sum to what they summed to; 10 ms fades);
- ``a75``: the product's adaptation (75 steps, every weight, its seed); ``a75_z``: its stems so silenced;
- ``h75``: the same loop taught by ``base_z``'s stems (the hint as a teacher); ``h75_z``: its stems so silenced.

    python checkpoints/r18/rests_hint.py data/val-unseen OUT.jsonl [--every 2 --offset 0|1] [--adaptations a75,h75]

(``--adaptations ""``: the edit alone, ``base`` and ``base_z``, two seconds a track.)

Not a product path: it reads the track's phrases from its metadata.
"""
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import marked_rests
from jazzremix_gui.core.signal.panlaw import place_solo
from jazzremix_gui.training import separator_weights as weights
from jazzremix_gui.training.adapt import fine_tune
from jazzremix_gui.training.torch_session import TorchSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import diagnostic_runs  # noqa: E402

FADE_S = 0.01


def marks(meta: dict, seconds: float) -> list[tuple[float, float]]:
    """The rests an engineer could mark, ``[(start, end), ...]`` in seconds (module docstring): since r18 the
    product's :func:`core.evaluation.marked_rests` (``evaluate --solo-silent-at-rests``), the same rule."""
    return marked_rests(meta, seconds)


def rests(meta: dict, n: int, rate: int) -> np.ndarray:
    """Shape (n,) float32: 1 where the solo may play, 0 in a marked rest, 10 ms ramps between."""
    keep = np.ones(n, np.float32)
    for start, end in marks(meta, n / rate):
        keep[int(start * rate):int(end * rate)] = 0.0
    fade = int(FADE_S * rate)  # a moving mean: linear ramps across each edge
    padded = np.pad(keep, (fade // 2, fade - 1 - fade // 2), mode="edge")
    return np.convolve(padded, np.full(fade, 1.0 / fade, np.float32), mode="valid").astype(np.float32)


def silenced(stems: pipeline.Stems, keep: np.ndarray) -> pipeline.Stems:
    """``stems`` with the solo times ``keep`` and the rest of it, placed as recorded, added to the accompaniment."""
    moved = place_solo(stems.solo * (1 - keep[: len(stems.solo)]), stems.recorded_pan_deg, 1.0, stems.solo_level)
    return dataclasses.replace(stems, solo=(stems.solo * keep[: len(stems.solo)]).astype(np.float32),
                               accompaniment=(stems.accompaniment + moved).astype(np.float32))


def main():
    a = diagnostic_runs.arguments(adaptations="a75,h75")
    for t in diagnostic_runs.taught(a):
        folder = Path(a.set) / t.rec["track"]
        keep = rests(json.loads((folder / "meta.json").read_text()), len(t.mix), t.rate)
        t.rec["rest_share"] = round(float(1 - keep.mean()), 4)
        score = lambda name, stems: diagnostic_runs.score(t.rec, name, t.ref, t.acc, stems)  # noqa: E731
        base_z = silenced(t.teacher, keep)
        score("base_z", base_z)
        for name, teacher in (("a75", t.teacher), ("h75", base_z)):
            if name not in a.adaptations.split(","):
                continue
            model, _, _ = weights.load_init(t.base.meta.path)
            fine_tune(model, teacher, 75, 1)
            stems = pipeline.separate(t.mix, t.rate, TorchSession(model, t.meta))
            score(name, stems)
            score(name + "_z", silenced(stems, keep))
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
