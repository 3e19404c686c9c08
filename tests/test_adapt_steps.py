"""How many optimiser steps an adaptation took is part of what it made (``training.adapt``): results of different
counts are cached apart, named apart, and a session records its count so that the app and ``render`` separate as it
was separated. No PyTorch needed."""

from pathlib import Path
from types import SimpleNamespace

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import ADAPT_STEPS, ADAPT_STEPS_UNSAID, ADAPTED, adapted_meta
from jazzremix_gui.services import cache, session


def test_counts_of_steps_are_cached_and_named_apart(tiny_models):
    sep = pipeline.load_model(str(tiny_models / "separator.onnx"), "separator")
    mix = pipeline.load_model(str(tiny_models / "mixer.onnx"), "mixer")
    keys = [cache.cache_key("ab" * 32, sep, mix, steps) for steps in (0, ADAPT_STEPS, ADAPT_STEPS_UNSAID)]
    assert len(set(keys)) == 3
    assert adapted_meta(sep.meta, 75).version == f"{sep.meta.version} {ADAPTED} in 75 steps"
    assert adapted_meta(sep.meta, 75).based_on == (sep.meta.based_on or sep.meta.version)


def test_a_session_records_its_count_and_an_older_one_meant_the_old_default(tmp_path):
    track = SimpleNamespace(path=Path(tmp_path / "a.wav"), decoded=None, processed=None, state=None, solo_side=None,
                            wiener_step=None, adapted=75)
    data = session.session_dict(track)
    assert data["adapted"] is True and data["adapt_steps"] == 75 and session.adapt_steps_of(data) == 75
    track.adapted = 0
    data = session.session_dict(track)
    assert data["adapted"] is False and data["adapt_steps"] is None and session.adapt_steps_of(data) == 0
    assert session.adapt_steps_of({"adapted": True}) == ADAPT_STEPS_UNSAID == 150  # saved before counts were said
    assert session.adapt_steps_of({"adapted": False, "adapt_steps": 75}) == 0
    assert session.adapt_steps_of({}) == 0
    session.check_session({**data, "adapted": True, "adapt_steps": 3})  # valid
