"""Diagnostic r29c: YIN thresholds above 0.25 for the mono comb (the tuning set in mono), paired against the product.
    PYTHONPATH=. python checkpoints/r29/thresholds.py data/val-unseen 0|1 OUT.jsonl
"""
import sys, json
sys.path.insert(0, 'checkpoints/r29'); sys.path.insert(0, 'checkpoints')
import numpy as np
from mono_variants import edit, yin
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.evaluation import global_sdr, list_tracks, read_track
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.training.adapt import teacher_session
base = teacher_session("models/separator.onnx", None, 1)
pipeline._SeparationSteps._combed = lambda self, solo, acc, x, last: (solo, acc, x)
off = int(sys.argv[2])
out = open(sys.argv[3], 'a')
for folder in list_tracks(sys.argv[1])[off::2]:
    mix, solo, acc, rate = read_track(folder)
    stems = pipeline.separate(mix.mean(axis=1, keepdims=True), rate, base)
    s = stems.solo; ref = solo.mean(axis=1)
    frames = pitch_comb.frame_count(s.shape[0], pitch_comb.HOP)
    rec = {"track": folder.name, "plain": global_sdr(ref, s), "product": global_sdr(ref, pitch_comb.comb_solo(s))}
    for th in (0.3, 0.35, 0.4, 0.5):
        rec[f"thr{th:g}"] = global_sdr(ref, edit(s, yin(s, frames, th)))
    out.write(json.dumps(rec) + "\n"); out.flush()
