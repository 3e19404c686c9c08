"""Rule r35's measurement through the product: each track made transfer a and transfer b (near_mono.py's), separated
as the product does now (``near``: blocks under -40 dB of decorrelation taken as mono, core/signal/near_mono.py)
and with only bit-identical channels taken as mono, as before rule r35 (``product``); and, for the stereo tracks as
rendered, the lowest block decorrelation and whether any block is taken as mono.

    PYTHONPATH=. python checkpoints/r35/rule_run.py data/SET 0|1 OUT.jsonl
"""
import json
import sys

import numpy as np

sys.path.insert(0, "checkpoints/r35")
from near_mono import transfer  # noqa: E402
from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track  # noqa: E402
from jazzremix_gui.core.signal.near_mono import MonoBlocks, decorrelation_db  # noqa: E402
from jazzremix_gui.core.signal.separation import BLOCK_FRAMES  # noqa: E402
from jazzremix_gui.core.signal.stft import stft  # noqa: E402
from jazzremix_gui.training.adapt import teacher_session  # noqa: E402

taken = MonoBlocks.__call__


def exact(self, spec):
    return bool(np.array_equal(spec[:, 0], spec[:, 1]))


def lowest_block_db(x):
    spec = np.stack([stft(x[:, 0], 1024), stft(x[:, 1], 1024)], axis=1)
    return min(decorrelation_db(spec[a:a + BLOCK_FRAMES]) for a in range(0, spec.shape[0], BLOCK_FRAMES))


def main():
    base = teacher_session("models/separator.onnx", None, 1)
    out = open(sys.argv[3], "a")
    for folder in list_tracks(sys.argv[1])[int(sys.argv[2])::2]:
        mix, solo, acc, rate = read_track(folder)
        rng = np.random.default_rng(int(folder.name[-5:]))
        mono, ref, acc_ref = mix.mean(axis=1), solo.mean(axis=1), acc.mean(axis=1)
        rec = {"track": folder.name, "stereo": not np.array_equal(mix[:, 0], mix[:, 1])}
        if rec["stereo"]:
            rec["lowest_db"] = round(lowest_block_db(mix), 2)
            rec["any_block_mono"] = pipeline.separate(mix, rate, base).pitch_comb_s > 0
        for kind in ("a", "b"):
            x, k = transfer(mono, kind, rng)
            for name, call in (("product", exact), ("near", taken)):
                MonoBlocks.__call__ = call
                st = pipeline.separate(x, rate, base)
                n = st.solo.shape[0]
                rec[f"{kind}_{name}"] = [global_sdr(k * ref[:n], st.solo),
                                         global_sdr(k * acc_ref[:n], st.accompaniment.mean(axis=1))]
            MonoBlocks.__call__ = taken
        out.write(json.dumps(rec) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
