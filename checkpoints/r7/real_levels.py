"""The nine real segments at their own level and 15 / 25 dB quieter: what the separator finds and the mixer
suggests, with the network hearing each as it is and in the default range (core/signal/input_level.py)."""
import sys

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io

folder = sys.argv[1]
sep, mix = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
print("segment offset  level  | as it is: share pan sugg conf | in range: gain share pan sugg conf")
for k in range(1, 10):
    x, rate = audio_io.read_audio(f"{folder}/seg{k}.mp3")
    for off in (0, -15, -25):
        y = x * np.float32(10 ** (off / 20))
        lev = 10 * np.log10(np.mean(y.mean(axis=1).astype(np.float64) ** 2))
        cols = []
        for level in (False, None):
            blocks = (y[i: i + 65536] for i in range(0, y.shape[0], 65536))
            orig = pipeline.separate_stream
            res = pipeline.analyse(y, rate, sep, mix, keep_stems=False) if level is None else None
            if level is False:
                pipeline.separate_stream = lambda *a, **kw: orig(*a, **{**kw, "level": False})
                try:
                    res = pipeline.analyse(y, rate, sep, mix, keep_stems=False)
                finally:
                    pipeline.separate_stream = orig
            st, sg = res.stems, res.suggestion
            cols.append(f"{st.heard_gain_db:+5.1f} {st.solo_share_db:6.1f} {st.recorded_pan_deg:+6.1f} "
                        f"{(f'{sg.pan_deg:+.0f}/{sg.gain:.1f}' if sg.clear else sg.status):>14s} {sg.confidence:4.2f}")
        print(f"seg{k} {off:+4d} {lev:6.1f} | {cols[0]} | {cols[1]}", flush=True)
