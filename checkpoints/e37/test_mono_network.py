"""A separator's network for mono blocks (core.models.MONO_SUFFIX, experiment e37): ``NAME-mono.onnx`` beside
``NAME.onnx`` hears the mono blocks, the first network the stereo ones; the cache tells the two apart; a companion
that does not fit is refused in one line."""

import json

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.errors import ModelError
from jazzremix_gui.core.models import ModelSession, adapted_meta, mono_network_path, without_mono_comb
from jazzremix_gui.services import cache
from tiny_models import tiny_mixer, tiny_separator

RATE = 44100


def _music(seconds=8.0, seed=0):
    """A line over a chord and a little noise, (n,) float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    line = 0.3 * np.sin(2 * np.pi * np.array([220.0, 262.0, 330.0])[(t * 2).astype(int) % 3] * t)
    chord = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (130.8, 155.6, 185.0))
    return (line + chord + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def _pair(tmp_path, card=True):
    """A separator (scale 0.6) and its network for mono blocks (scale 0.3, with a card naming its version)."""
    main = tiny_separator(tmp_path / "sep.onnx")
    mono = tiny_separator(tmp_path / "sep-mono.onnx", scale=0.3)
    if card:
        (tmp_path / "sep-mono.json").write_text(json.dumps({"metadata": {"jazzremix.version": "tiny-mono"}}))
    return main, mono


def test_mono_blocks_are_heard_by_the_network_for_them_and_stereo_blocks_by_the_first(tmp_path):
    main, mono = _pair(tmp_path)
    session = ModelSession(main, "separator", prefer_gpu=False)
    assert session.meta.mono_network == "tiny-mono" and mono_network_path(main) == mono
    x = _music()
    got = pipeline.separate(x[:, None], RATE, session)
    (tmp_path / "alone").mkdir()
    alone = ModelSession(tiny_separator(tmp_path / "alone" / "sep.onnx", scale=0.3), "separator", prefer_gpu=False)
    assert alone.meta.mono_network == ""
    want = pipeline.separate(x[:, None], RATE, alone)  # the mono network as the only one: the same stems
    np.testing.assert_array_equal(got.solo, want.solo)
    np.testing.assert_array_equal(got.accompaniment, want.accompaniment)
    stereo = np.stack([x, 0.8 * x + 0.3 * x[::-1]], axis=1)  # another part on the right
    (tmp_path / "first").mkdir()
    first = ModelSession(tiny_separator(tmp_path / "first" / "sep.onnx"), "separator", prefer_gpu=False)
    heard = pipeline.separate(stereo, RATE, session)
    assert heard.pitch_comb_s == 0  # read as stereo throughout
    np.testing.assert_array_equal(heard.solo, pipeline.separate(stereo, RATE, first).solo)  # the first network's
    assert not np.allclose(got.solo, pipeline.separate(x[:, None], RATE, first).solo, atol=1e-4)
    wrapped = without_mono_comb(session)
    assert wrapped.meta.mono_network == "tiny-mono"
    np.testing.assert_array_equal(pipeline.separate(x[:, None], RATE, wrapped).solo,
                                  pipeline.separate(x[:, None], RATE, without_mono_comb(alone)).solo)


def test_without_a_card_the_network_is_named_by_its_file_and_an_adapted_copy_hears_every_block(tmp_path):
    main, _ = _pair(tmp_path, card=False)
    meta = ModelSession(main, "separator", prefer_gpu=False).meta
    assert meta.mono_network == "sep-mono.onnx"
    assert adapted_meta(meta, 75).mono_network == ""


def test_the_cache_key_names_the_network_for_mono_blocks(tmp_path):
    main = tiny_separator(tmp_path / "sep.onnx")
    mixer = ModelSession(tiny_mixer(tmp_path / "mix.onnx"), "mixer", prefer_gpu=False)
    before = cache.cache_key("ab" * 32, ModelSession(main, "separator", prefer_gpu=False), mixer)
    tiny_separator(tmp_path / "sep-mono.onnx", scale=0.3)
    after = cache.cache_key("ab" * 32, ModelSession(main, "separator", prefer_gpu=False), mixer)
    assert before != after


def test_a_network_for_mono_blocks_that_does_not_fit_is_refused_in_one_line(tmp_path):
    main = tiny_separator(tmp_path / "sep.onnx")
    tiny_separator(tmp_path / "sep-mono.onnx", context=2)
    session = ModelSession(main, "separator", prefer_gpu=False)
    with pytest.raises(ModelError, match="sep-mono.onnx: its hop and context frames"):
        pipeline.separate(_music()[:, None], RATE, session)
    stereo = np.stack([_music(), _music()[::-1]], axis=1)
    assert pipeline.separate(stereo, RATE, session).solo.shape == (stereo.shape[0],)  # stereo never loads it


def test_the_separation_says_which_network_heard_the_mono_material(tmp_path):
    from jazzremix_gui.core.signal.input_level import heard_json, heard_lines, heard_of

    main, _ = _pair(tmp_path)
    session = ModelSession(main, "separator", prefer_gpu=False)
    x = _music()
    mono = pipeline.separate(x[:, None], RATE, session)
    assert mono.mono_network == "tiny-mono"
    assert any("mono material (8 s): heard by the network for mono material (tiny-mono), the solo kept" in line
               for line in heard_lines(mono))
    assert heard_json(mono)["mono_network"] == "tiny-mono"
    assert heard_of(heard_json(mono)).mono_network == "tiny-mono"
    plain = pipeline.separate(x[:, None], RATE, without_mono_comb(session))
    assert heard_lines(plain)[-1] == "mono material: heard by the network for mono material (tiny-mono)"
    stereo = pipeline.separate(np.stack([x, 0.8 * x + 0.3 * x[::-1]], axis=1), RATE, session)
    assert stereo.mono_network == "" and heard_json(stereo)["mono_network"] is None
    assert not any("mono" in line for line in heard_lines(stereo))
