"""The pipeline seam end to end through real onnxruntime, with tiny ONNX models built here."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.errors import Cancelled, ModelError
from jazzremix_gui.core.models import ModelSession
from tiny_models import tiny_mixer, tiny_separator
from jazzremix_gui.services.remix_writer import render_remix


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    return {
        "sep": ModelSession(tiny_separator(d / "sep.onnx"), "separator"),
        "sep_ctx": ModelSession(tiny_separator(d / "sep_ctx.onnx", context=3), "separator"),
        "sep512": ModelSession(tiny_separator(d / "sep512.onnx", context=2, hop=512), "separator"),
        "mix": ModelSession(tiny_mixer(d / "mix.onnx"), "mixer"),
        "mix_acc": ModelSession(tiny_mixer(d / "mix_acc.onnx", input_kind="solo_acc_magnitude"), "mixer"),
    }


def _music(n, rate, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    x = np.stack([np.sin(2 * np.pi * 330 * t), np.sin(2 * np.pi * 196 * t + 1)], axis=1) * 0.3
    x += 0.05 * rng.standard_normal((n, 2))
    return x.astype(np.float32)


@pytest.mark.parametrize("rate", [44100, 48000, 22050])
@pytest.mark.parametrize("channels", [1, 2])
def test_separate_shapes_length_and_alignment(models, rate, channels):
    n = rate * 3 + 123
    t = np.arange(n) / rate  # band-limited content, so resampling keeps all of it
    x = (0.3 * np.stack([np.sin(2 * np.pi * (300 + 400 * t) * t), np.sin(2 * np.pi * 196 * t)], 1))[:, :channels]
    x = x.astype(np.float32)
    stems = pipeline.separate(x, rate, models["sep"])
    assert stems.solo.shape == (n,) and stems.accompaniment.shape == (n, 2) and stems.rate == rate
    # the masked solo and the accompaniment's mid add up to the mixture's mid, sample for sample
    mid = x.mean(axis=1)
    err = stems.solo + stems.accompaniment.mean(axis=1) - mid
    tol = 1e-5 if rate == 44100 else 1e-3  # one sample of misalignment would give about 1e-2
    assert np.sqrt(np.mean(err[1000:-1000] ** 2)) < tol
    assert 0.2 < np.std(stems.solo) / np.std(mid) < 0.9  # the tiny model takes a real share


@pytest.mark.parametrize("key", ["sep_ctx", "sep512"])
def test_chunked_equals_whole(models, key):
    x = _music(44100 * 4, 44100, seed=3)
    whole = pipeline.separate(x, 44100, models[key], block_frames=10**6)
    chunked = pipeline.separate(x, 44100, models[key], block_frames=5)
    assert np.array_equal(whole.solo, chunked.solo)  # bit-identical, not just close
    assert np.array_equal(whole.accompaniment, chunked.accompaniment)


@pytest.mark.parametrize("signal", ["silence", "clipped"])
def test_silence_and_clipping_stay_finite(models, signal):
    n = 44100 * 2
    x = np.zeros((n, 2), np.float32) if signal == "silence" else np.sign(_music(n, 44100)).astype(np.float32)
    stems = pipeline.separate(x, 44100, models["sep_ctx"])
    assert np.isfinite(stems.solo).all() and np.isfinite(stems.accompaniment).all()
    sugg = pipeline.suggest(stems, models["mix"])
    assert np.isfinite(sugg.posterior).all() and sugg.posterior.sum() == pytest.approx(1)


def test_progress_and_cancel(models):
    x = _music(44100 * 6, 44100)
    seen = []
    pipeline.separate(x, 44100, models["sep"], progress=lambda f, m: seen.append(f), block_frames=20)
    assert seen[0] == 0 and seen[-1] == 1 and seen == sorted(seen) and len(seen) > 3
    with pytest.raises(Cancelled):
        pipeline.separate(x, 44100, models["sep"], cancel=lambda: len(seen) > 0, block_frames=20)


@pytest.mark.parametrize("key", ["mix", "mix_acc"])
def test_suggest_posterior_and_sections(models, key):
    n = 44100 * 12
    x = _music(n, 44100)
    x[: n // 3] *= 0.0001  # the solo enters after 4 s
    stems = pipeline.separate(x, 44100, models["sep"])
    sugg = pipeline.suggest(stems, models[key])
    assert sugg.posterior.shape == (19, 21) and sugg.posterior.sum() == pytest.approx(1)
    assert sugg.frame_posteriors.shape[1] == 399 and np.allclose(sugg.frame_posteriors.sum(axis=1, dtype=np.float64), 1, atol=2e-3)
    assert (sugg.pan_deg, sugg.gain) == codebook.cell_to_pan_gain(codebook.argmax_cell(sugg.posterior))
    assert not sugg.active[5] and sugg.active[-10]
    assert sugg.sections[0].start == 0 and not sugg.sections[0].active
    assert sugg.sections[-1].active and 3.0 < sugg.sections[-1].start < 5.0
    data = sugg.to_json()
    assert np.array(data["posterior"]).shape == (19, 21)


def test_render_remix_pan_law(models):
    x = _music(44100, 44100)
    stems = pipeline.separate(x, 44100, models["sep"])
    k = stems.solo_level
    assert np.sqrt(2) <= k <= 2
    left = render_remix(stems, -45.0, 1.5)
    assert np.allclose(left[:, 0], k * 1.5 * stems.solo + stems.accompaniment[:, 0], atol=1e-6)
    assert np.allclose(left[:, 1], stems.accompaniment[:, 1], atol=1e-6)
    centre = render_remix(stems, 0.0, 1.0)
    assert np.allclose(centre - stems.accompaniment, k * np.sqrt(0.5) * stems.solo[:, None], atol=1e-6)
    # automation: per-sample pan and gain follow the pan law sample by sample
    pan = np.linspace(-45, 45, len(stems))
    gain = np.linspace(2.0, 0.0, len(stems))
    ramp = render_remix(stems, pan, gain) - stems.accompaniment
    theta = np.radians(pan + 45)
    np.testing.assert_allclose(ramp[:, 0], k * gain * np.cos(theta) * stems.solo, atol=1e-6)
    np.testing.assert_allclose(ramp[:, 1], k * gain * np.sin(theta) * stems.solo, atol=1e-6)
    assert np.abs(ramp[-1]).max() == 0 and np.abs(ramp[0, 1]) < 1e-9  # muted at the end, hard left at the start


def test_model_errors_name_the_file(tmp_path, models):
    with pytest.raises(ModelError, match="not found"):
        ModelSession(tmp_path / "nope.onnx", "separator")
    text = tmp_path / "text.onnx"
    text.write_text("hello")
    with pytest.raises(ModelError, match="not a valid ONNX model") as err:
        ModelSession(text, "separator")
    assert str(text) in str(err.value)
    with pytest.raises(ModelError, match="is a mixer"):
        ModelSession(models["mix"].path, "separator")
    assert models["sep"].providers[-1] == "CPUExecutionProvider"


def test_sections_fold_short_edge_stretches():
    from jazzremix_gui.core.signal.sections import find_sections

    n = 800  # about 18.6 s of frames
    times = np.arange(n) * 1024 / 44100
    posts = np.full((n, 399), 1 / 399, np.float32)
    active = np.ones(n, bool)
    active[0] = False  # one silent frame at the very start: no 0-0.02 s section
    sections = find_sections(posts, active, times)
    assert len(sections) == 1 and sections[0].start == 0 and sections[0].active
    active[:250] = False  # 5.8 s of silence: a real section of its own
    sections = find_sections(posts, active, times)
    assert [s.active for s in sections] == [False, True]


def test_alpha_argument_leaves_the_model_alone(models):
    from jazzremix_gui.core.models import SessionLike
    from jazzremix_gui.core.signal.wiener import ALPHA

    sep = models["sep"]
    assert isinstance(sep, SessionLike) and sep.provider == "CPU" and sep.meta.wiener_alpha == ALPHA
    x = _music(44100 * 2, 44100, seed=7)
    default = pipeline.separate(x, 44100, sep)
    same = pipeline.separate(x, 44100, sep, alpha=ALPHA)
    sharp = pipeline.separate(x, 44100, sep, alpha=3.0)
    assert np.array_equal(default.solo, same.solo)
    assert np.abs(sharp.solo - default.solo).max() > 1e-3  # the power is used
    assert sep.meta.wiener_alpha == ALPHA  # and nothing was written into the session
    streamed = np.concatenate([s for s, _ in pipeline.separate_stream([x], 44100, len(x), sep, alpha=3.0)])
    assert np.array_equal(streamed, sharp.solo)


def test_analyse_is_separate_then_suggest(models):  # in one streaming pass
    x = _music(44100 * 5, 44100, seed=2)
    seen = []
    result = pipeline.analyse(x, 44100, models["sep"], models["mix_acc"], progress=lambda f, m: seen.append((f, m)))
    stems = pipeline.separate(x, 44100, models["sep"])
    sugg = pipeline.suggest(stems, models["mix_acc"])
    assert np.array_equal(result.stems.solo, stems.solo)
    assert np.array_equal(result.suggestion.frame_posteriors, sugg.frame_posteriors)
    assert (result.suggestion.pan_deg, result.suggestion.gain) == (sugg.pan_deg, sugg.gain)
    # a mixer trained on the separator's own spectra of the accompaniment reads them: the same stems, nearly the
    # same posteriors (tests/test_mixer_reads_spectra.py), the same choice
    fast = pipeline.analyse(x, 44100, models["sep"], models["mix_acc"], listen="spectra")
    assert np.array_equal(fast.stems.accompaniment, stems.accompaniment)
    assert np.abs(fast.suggestion.posterior - sugg.posterior).sum() < 0.05
    assert (fast.suggestion.pan_deg, fast.suggestion.gain) == (sugg.pan_deg, sugg.gain)
    with pytest.raises(ValueError, match="accompaniment source 'both'"):
        pipeline.analyse(x, 44100, models["sep"], models["mix_acc"], listen="both")
    assert result.mixer is models["mix_acc"] and result.separator is models["sep"]
    assert result.stems.solo_level == stems.solo_level
    fractions = [f for f, _ in seen]  # one pass: the mixer runs as the separator streams
    assert fractions[0] == 0 and fractions[-1] == 1 and fractions == sorted(fractions)
    with pytest.raises(Cancelled):
        pipeline.analyse(x, 44100, models["sep"], models["mix"], cancel=lambda: True)
