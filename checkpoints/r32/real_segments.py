"""Rule r32 on the nine real segments downmixed to mono (no references there): how much of the separated solo's
energy the unvoiced frames' weight moves to the accompaniment, against r28's comb, and the share of frames YIN
calls unvoiced.

    PYTHONPATH=. python checkpoints/r32/real_segments.py ../shared/real-jazz
"""
import sys
from pathlib import Path

import numpy as np

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio.audio_io import read_audio
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.training.adapt import teacher_session

base = teacher_session("models/separator.onnx", None, 1)
for path in sorted(Path(sys.argv[1]).glob("seg*.mp3")):
    x, rate = read_audio(path)
    mono = x.mean(axis=1, keepdims=True)
    pitch_comb.UNVOICED = 1.0
    before = pipeline.separate(mono, rate, base).solo
    pitch_comb.UNVOICED = 0.5
    after = pipeline.separate(mono, rate, base).solo
    moved = 10 * np.log10(((before - after) ** 2).sum() / (before ** 2).sum())
    f0 = pitch_comb.frame_f0(before, 0, pitch_comb.frame_count(before.shape[0], pitch_comb.HOP), rate=rate)
    print(f"{path.name}: {moved:.1f} dB of the solo moved; unvoiced {100 * (f0 <= 0).mean():.0f} % of frames")
