"""Rule r35's condition 3 on the recordings no transfer is made of: the lowest block decorrelation (the product's
estimator, core/signal/near_mono.py, on the separation's blocks) of each stereo track of a set, or of the real
segments and vald_1-3.

    PYTHONPATH=. python checkpoints/r35/stereo_check.py data/val-v2-20s | real
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, "checkpoints/r35")
from rule_run import lowest_block_db  # noqa: E402
from jazzremix_gui.core.audio.audio_io import read_audio  # noqa: E402
from jazzremix_gui.core.evaluation import list_tracks, read_track  # noqa: E402

if sys.argv[1] == "real":
    real = Path("../shared/real-jazz")
    for p in sorted(real.glob("seg?.mp3")) + sorted(real.glob("vald_*.wav")):
        x, rate = read_audio(p)
        print(f"{p.name} {lowest_block_db(x):.1f}")
else:
    lows = []
    for folder in list_tracks(sys.argv[1]):
        mix = read_track(folder)[0]
        if not np.array_equal(mix[:, 0], mix[:, 1]):
            lows.append(lowest_block_db(mix))
    print(f"{sys.argv[1]}: {len(lows)} stereo tracks, lowest block {min(lows):.1f} dB, under -40: "
          f"{sum(v < -40 for v in lows)}")
