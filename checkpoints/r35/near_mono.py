"""Diagnostic r35: mono records transferred in stereo (the channels not bit-identical) do not get the mono
separation's pitch comb (rules r28, r32): the pan-aware step reads them as stereo. Each track's channels averaged
(r9's reading), then made two channels again as a transfer would: ``a``: one channel 0.5 dB louder, each with its
own hiss 50 dB under the music (r9c's); ``b``: one channel 1 dB louder and 2 samples late, hiss 35 dB under (a
stereo cartridge on a worn mono LP). Separated as the product does (``product``) and with blocks whose channels'
decorrelation (one minus the energy-weighted coherence over the block's bins, dB) lies under ``-40`` dB taken as
mono (``near``); the references are the mono mixture's, scaled as the transfer holds them (the mid of the two
channels' copies).

    PYTHONPATH=. python checkpoints/r35/near_mono.py data/SET 0|1 OUT.jsonl
"""
import json
import sys

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.signal import separation
from jazzremix_gui.training.adapt import teacher_session

LIMIT_DB = -40.0
exact = getattr(separation, "is_mono", None)  # the product before rule r35 (run this at commit 121cac2)


def decorrelation_db(spec):
    """One minus the energy-weighted magnitude-squared coherence of the two channels of ``spec`` (T, 2, F), dB."""
    left, right = spec[:, 0], spec[:, 1]
    sll, srr = (np.abs(left) ** 2).sum(axis=0, dtype=np.float64), (np.abs(right) ** 2).sum(axis=0, dtype=np.float64)
    slr = (left * np.conj(right)).sum(axis=0, dtype=np.complex128)
    den = float((sll * srr).sum())
    if den <= 0:
        return -np.inf
    return float(10 * np.log10(max(1 - (np.abs(slr) ** 2).sum() / den, 1e-30)))


def near(spec):
    return exact(spec) or decorrelation_db(spec) < LIMIT_DB


def transfer(mono, kind, rng):
    rms = np.sqrt(np.mean(mono ** 2))
    db, late, hiss_db = (0.5, 0, -50) if kind == "a" else (1.0, 2, -35)
    hiss = rng.standard_normal((mono.shape[0], 2)) * rms * 10 ** (hiss_db / 20)
    left = mono * 10 ** (db / 20)
    right = np.concatenate([np.zeros(late), mono[: mono.shape[0] - late]])
    return np.stack([left, right], axis=1).astype(np.float32) + hiss.astype(np.float32), (10 ** (db / 20) + 1) / 2


def main():
    base = teacher_session("models/separator.onnx", None, 1)
    out = open(sys.argv[3], "a")
    for folder in list_tracks(sys.argv[1])[int(sys.argv[2])::2]:
        mix, solo, acc, rate = read_track(folder)
        rng = np.random.default_rng(int(folder.name[-5:]))
        mono, ref, acc_ref = mix.mean(axis=1), solo.mean(axis=1), acc.mean(axis=1)
        rec = {"track": folder.name}
        for kind in ("a", "b"):
            x, k = transfer(mono, kind, rng)
            for name, test in (("product", exact), ("near", near)):
                separation.is_mono = pipeline.is_mono = test
                st = pipeline.separate(x, rate, base)
                n = st.solo.shape[0]
                rec[f"{kind}_{name}"] = [global_sdr(k * ref[:n], st.solo),
                                         global_sdr(k * acc_ref[:n], st.accompaniment.mean(axis=1))]
            separation.is_mono = pipeline.is_mono = exact
        out.write(json.dumps(rec) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
