"""Does measuring the level first slow the separation? separate_stream over a file's blocks (decode, resample,
separation; nothing written), the default range against the network hearing it as it is, alternating."""
import sys
import time

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio import audio_io

path, rounds = sys.argv[1], int(sys.argv[2])
model = pipeline.load_model(None, "separator")
meta = audio_io.info(path)
times = {"range": [], "as it is": []}
for r in range(rounds):
    for name in (("range", "as it is") if r % 2 == 0 else ("as it is", "range")):
        t = time.perf_counter()
        for _ in pipeline.separate_stream(audio_io.read_blocks(meta.path, 65536), meta.rate, meta.frames, model,
                                          level=None if name == "range" else False):
            pass
        times[name].append(time.perf_counter() - t)
dur = meta.frames / meta.rate
for name, ts in times.items():
    ts = sorted(ts)
    med = ts[len(ts) // 2]
    print(f"{name}: best {ts[0]:.2f} s ({dur / ts[0]:.0f}x), median {med:.2f} s ({dur / med:.0f}x)")
d = [a - b for a, b in zip(times["range"], times["as it is"])]
print(f"paired range - as it is: mean {sum(d) / len(d) * 1000:+.0f} ms over {len(d)} pairs")
