"""The "solo absent" threshold checked with the installed separator (issue #10 item 4).

Prints the solo's share of the recording's energy (``Stems.solo_share_db``, what
:data:`core.signal.mixer.MIN_SOLO_SHARE_DB` is compared with) for recordings with a soloist (the
nine ``../shared/real-jazz`` segments, synthetic mixtures) and without one (the accompaniment
stems of synthetic tracks, fed in as if they were recordings).

``python scripts/solo_share_check.py --real ../shared/real-jazz --synth data/val-v2 --tracks 12``
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks  # noqa: E402
from jazzremix_gui.core.signal.mixer import MIN_SOLO_SHARE_DB  # noqa: E402


def share(path: Path, sep) -> float:
    audio, rate = audio_io.read_audio(path)
    return round(float(pipeline.separate(audio, rate, sep).solo_share_db), 1)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--real", default=str(ROOT.parent / "shared" / "real-jazz"))
    p.add_argument("--synth", default="data/val-v2")
    p.add_argument("--tracks", type=int, default=12)
    p.add_argument("--json")
    a = p.parse_args(argv)
    sep = pipeline.load_model(None, "separator")
    real = {f.stem: share(f, sep) for f in sorted(Path(a.real).glob("seg[0-9].mp3"))}
    folders = list_tracks(a.synth)[: a.tracks]
    mixes = [share(f / "mixture.wav", sep) for f in folders]
    accs = [share(f / "accompaniment.wav", sep) for f in folders]
    out = {"separator": sep.meta.version, "threshold_db": MIN_SOLO_SHARE_DB, "real_segments": real,
           "synthetic_mixtures": {"min": min(mixes), "max": max(mixes)},
           "accompaniment_only": {"min": min(accs), "max": max(accs), "values": accs},
           "accompaniment_only_over_threshold": int(np.sum(np.array(accs) >= MIN_SOLO_SHARE_DB)),
           "with_soloist_under_threshold": int(sum(v < MIN_SOLO_SHARE_DB for v in [*real.values(), *mixes]))}
    text = json.dumps(out, indent=1)
    print(text)
    if a.json:
        Path(a.json).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
