"""Quality guard: the shipped separator on a bundled synthesised clip must stay within
0.5 dB of the SDRs recorded for that clip on its card (``quality_guard``)."""

import json
from pathlib import Path

import pytest

from jazzremix_gui.core import evaluation
from jazzremix_gui.core.models import ModelSession

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "separator.onnx"
CLIP = ROOT / "tests" / "data" / "guard"


def test_guard_clip_is_small_and_exact():
    import numpy as np

    from jazzremix_gui.core.audio import audio_io

    assert sum(p.stat().st_size for p in CLIP.iterdir()) <= 3 * 2**20
    mix, rate = audio_io.read_audio(CLIP / "mixture.flac")
    solo, _ = audio_io.read_audio(CLIP / "solo.flac")
    acc, _ = audio_io.read_audio(CLIP / "accompaniment.flac")
    assert rate == 44100 and mix.shape == solo.shape == acc.shape and mix.shape[1] == 2
    assert np.array_equal(mix, solo + acc)


def test_shipped_separator_keeps_its_quality_on_the_guard_clip():
    card = json.loads(SHIPPED.with_suffix(".json").read_text())
    guard = card["quality_guard"]
    assert guard["clip"] == "tests/data/guard"
    score = evaluation.score_track(CLIP, ModelSession(SHIPPED, "separator", prefer_gpu=False))
    tol = guard["tolerance_db"]
    assert tol == 0.5
    assert score.solo >= guard["solo_sdr_db"] - tol, (score, guard)
    assert score.accompaniment >= guard["accompaniment_sdr_db"] - tol, (score, guard)
