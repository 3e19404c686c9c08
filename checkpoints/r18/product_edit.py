"""r18's edit as the product makes it (``core.signal.solo_rests``: in a marked rest the solo is silent and the
accompaniment is the recording), on the rests r18 marks from a track's phrases; ``base`` the shipped separator,
``edit`` with the product's edit.

    python checkpoints/r18/product_edit.py data/SET OUT.jsonl [--every 2 --offset 0|1]
"""
import json
import sys
from pathlib import Path

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import solo_rests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import diagnostic_runs  # noqa: E402
from rests_hint import marks  # noqa: E402


def main():
    a = diagnostic_runs.arguments()
    for t in diagnostic_runs.taught(a):
        meta = json.loads((Path(a.set) / t.rec["track"] / "meta.json").read_text())
        n = len(t.teacher.solo)
        spans = solo_rests.merge(marks(meta, n / t.rate))
        keep = solo_rests.keep_curve(spans, 0, n, t.rate)
        solo, acc = solo_rests.silence_block(t.teacher.solo, t.teacher.accompaniment, t.mix[:n], keep)
        t.rec["rest_share"] = round(float(1 - keep.mean()), 4)
        diagnostic_runs.score(t.rec, "edit", t.ref, t.acc, pipeline.Stems(solo, acc, t.rate))
        diagnostic_runs.write(a, t.rec)


if __name__ == "__main__":
    sys.exit(main())
