"""Playback layer: the block renderer (pure numpy) and the engine on a real output device (JACK dummy)."""

import os
import time
import tracemalloc

import numpy as np
import pytest

from jazzremix_gui.core.signal.panlaw import pan_gains, solo_weights
from jazzremix_gui.playback import devices
from jazzremix_gui.playback import renderer as R
from jazzremix_gui.playback.engine import PlaybackEngine
from jazzremix_gui.services.remix_writer import render_remix

RATE = 48000


def material(n=RATE * 2, seed=0):
    rng = np.random.default_rng(seed)
    solo = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / RATE)).astype(np.float32)
    acc = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)
    mix = (acc + solo[:, None] * 0.7).astype(np.float32)
    return solo, acc, mix


def loaded(n=RATE * 2):
    r = R.BlockRenderer()
    solo, acc, mix = material(n)
    r.load(solo, acc, mix, RATE)
    return r, solo, acc, mix


def test_steady_block_matches_pan_law():
    r, solo, acc, mix = loaded()
    r.controls[R.PAN], r.controls[R.GAIN] = -30.0, 1.5
    r.start()
    out = np.zeros((512, 2), np.float32)
    r.render(out)  # first block fades in from silence
    r.render(out)
    gl, gr = solo_weights(-30.0, 1.5)  # k gain g(pan), k = sqrt(2) by default
    assert gl == pytest.approx(np.sqrt(2) * 1.5 * pan_gains(-30.0)[0])
    want = np.stack([gl * solo[512:1024], gr * solo[512:1024]], 1) + acc[512:1024]
    np.testing.assert_allclose(out, want, atol=1e-5)
    assert r.position == 1024


def test_renderer_matches_render_remix_with_solo_level():
    from jazzremix_gui.core import pipeline

    r = R.BlockRenderer()
    solo, acc, mix = material(RATE)
    r.load(solo, acc, mix, RATE, solo_level=1.8)
    r.controls[R.PAN], r.controls[R.GAIN] = 20.0, 0.7
    r.start()
    out = np.zeros((512, 2), np.float32)
    r.render(out)
    r.render(out)
    stems = pipeline.Stems(solo, acc, RATE, solo_level=1.8)
    np.testing.assert_allclose(out, render_remix(stems, 20.0, 0.7)[512:1024], atol=1e-5)


def test_gain_change_ramps_within_one_block():
    r, solo, acc, _ = loaded()
    r.controls[R.ACC_ON] = 0.0
    r.start()
    out = np.zeros((256, 2), np.float32)
    r.render(out)
    r.render(out)
    r.controls[R.GAIN] = 0.5  # the UI writes the control
    r.render(out)
    g = solo_weights(0.0, 1.0)[0]
    k = np.arange(1, 257) / 256
    want = solo[512:768] * g * (1.0 + (0.5 - 1.0) * k)
    np.testing.assert_allclose(out[:, 0], want, atol=1e-5)
    assert np.max(np.abs(np.diff(out[:, 0]))) < 0.05  # no step: ramped
    r.render(out)
    np.testing.assert_allclose(out[:, 0], solo[768:1024] * g * 0.5, atol=1e-5)


def test_ab_original_and_mutes():
    r, solo, acc, mix = loaded()
    r.controls[R.ORIGINAL], r.controls[R.ORIG_GAIN] = 1.0, 0.5
    r.start()
    out = np.zeros((400, 2), np.float32)
    r.render(out)
    r.render(out)
    np.testing.assert_allclose(out, 0.5 * mix[400:800], atol=1e-6)
    r.controls[R.ORIGINAL], r.controls[R.SOLO_ON] = 0.0, 0.0
    r.render(out)
    r.render(out)
    np.testing.assert_allclose(out, acc[1200:1600], atol=1e-6)


def test_loop_wraps_and_end_stops():
    r, solo, acc, _ = loaded(n=3000)
    r.loop, r.loop_on = [1000, 1500], True
    r.seek(1400)
    r.start()
    out = np.zeros((300, 2), np.float32)
    r.render(out)
    assert r.position == 1000 + 200  # 100 samples to the loop end, then 200 from its start
    r.loop_on = False
    r.seek(2900)
    r.start()
    r.render(out)
    assert not r.playing and np.all(out[100:] == 0)


def test_section_automation_sets_pan_per_section():
    r, solo, acc, _ = loaded()
    r.controls[R.AUTOMATION], r.controls[R.ACC_ON] = 1.0, 0.0
    r.set_sections([(0.0, 0.5, -45.0, 1.0), (0.5, 99.0, 45.0, 1.0)])
    r.seek(RATE)  # second section: hard right
    r.start()
    out = np.zeros((256, 2), np.float32)
    r.render(out)
    r.render(out)
    assert np.allclose(out[:, 0], 0, atol=1e-6) and np.abs(out[:, 1]).max() > 0.1


def test_render_allocates_nothing_per_block():
    r, *_ = loaded()
    r.start()
    out = np.zeros((1024, 2), np.float32)
    r.render(out)
    tracemalloc.start()
    for _ in range(50):
        r.controls[R.GAIN] = 0.5 + (_ % 2)
        r.render(out)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4096, f"render allocated {peak} bytes"  # a block is 8192 bytes


def test_render_never_raises():
    r = R.BlockRenderer()
    r.playing = True
    out = np.ones((R.MAX_BLOCK + 1, 2), np.float32)
    r.render(out)  # too large a block: silence, no exception
    assert not out.any()


class _FakeSD:
    """A stand-in for the sounddevice module: the given devices, or an error when listing them."""

    def __init__(self, devs, error=None):
        self.devs, self.error = devs, error
        self.default = type("D", (), {"device": [None, -1]})()

    def query_hostapis(self, i=None):
        apis = [{"name": "ALSA", "default_output_device": 1}]
        return apis if i is None else apis[i]

    def query_devices(self):
        if self.error:
            raise self.error
        return self.devs


def _dev(name, outs):
    return {"name": name, "max_output_channels": outs, "hostapi": 0, "default_samplerate": 48000.0}


def test_unavailable_reason_names_each_cause(monkeypatch):
    monkeypatch.setattr(devices, "_sd", None)
    monkeypatch.setattr(devices, "_import_error", "audio library PortAudio is not available (libportaudio.so.2)")
    assert devices.unavailable_reason() == "audio library PortAudio is not available (libportaudio.so.2)"
    monkeypatch.setattr(devices, "_import_error", None)
    monkeypatch.setattr(devices, "_sd", _FakeSD([_dev("mic", 0)]))
    assert devices.unavailable_reason() == "no audio output device was found"
    monkeypatch.setattr(devices, "_sd", _FakeSD([], error=RuntimeError("PaErrorCode -9999")))
    assert devices.unavailable_reason() == "audio devices cannot be listed (PaErrorCode -9999)"
    monkeypatch.setattr(devices, "_sd", _FakeSD([_dev("mic", 0), _dev("speakers", 2)]))
    assert devices.unavailable_reason() is None
    (only,) = devices.output_devices()
    assert (only.index, only.label, only.default_rate) == (1, "speakers (ALSA)", 48000)
    assert devices.pick_device("nope") == only == devices.pick_device("speakers")


@pytest.fixture
def engine():
    if devices.unavailable_reason() is not None:
        if os.environ.get("JAZZREMIX_JACK"):
            pytest.fail(f"make test started JACK but no device: {devices.unavailable_reason()}")
        pytest.skip(f"no audio output: {devices.unavailable_reason()}")
    e = PlaybackEngine()
    if not e.available:
        pytest.skip(f"no audio output: {e.reason}")
    yield e
    e.close()


def wait_for(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.005)
    return False


def test_engine_plays_on_device_and_hears_gain_within_one_block(engine):
    n = engine.rate * 4
    solo = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / engine.rate)).astype(np.float32)
    acc = np.zeros((n, 2), np.float32)
    engine.load(solo, acc, np.stack([solo, solo], 1))
    assert engine.play()
    r = engine.renderer
    assert wait_for(lambda: engine.callbacks > 3), "audio callback is not running"
    assert r.levels.max() > 0.1
    before = r.blocks_rendered
    r.controls[R.GAIN] = 0.25
    # the block being rendered when the control changed may use either value; the next one must
    assert wait_for(lambda: r.blocks_rendered >= before + 2)
    assert r.last_target[0] == pytest.approx(solo_weights(0.0, 0.25)[0])
    pos, m = r.last_position, r.last_frames
    np.testing.assert_allclose(r.last_block[m - 1, 0], solo[pos + m - 1] * solo_weights(0.0, 0.25)[0], atol=1e-5)
    engine.pause()
    assert wait_for(lambda: not engine.playing)


def test_chunked_loudness_matches_pyloudnorm():
    import pyloudnorm

    from jazzremix_gui.core.audio.loudness import integrated_loudness
    from jazzremix_gui.ui.player import loudness_ratio

    rng = np.random.default_rng(1)
    n = 44100 * 5 + 777
    x = (0.1 * rng.standard_normal((n, 2)) * np.linspace(0.05, 1, n)[:, None]).astype(np.float32)
    assert integrated_loudness(x, 44100) == pytest.approx(pyloudnorm.Meter(44100).integrated_loudness(x), abs=0.05)
    assert loudness_ratio(x, 0.5 * x, 44100) == pytest.approx(0.5, rel=1e-3)
    assert loudness_ratio(x[:100], x[:100], 44100) == 1.0  # too short to measure


def test_engine_streams_at_the_file_rate_and_seeks(engine):
    """The feeder thread resamples 44.1 kHz material for the device as it plays; a seek while playing lands."""
    rate = 44100
    n = rate * 6
    solo = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)).astype(np.float32)
    acc = np.zeros((n, 2), np.float32)
    engine.load_stream(solo, acc, np.stack([solo, solo], 1), rate)
    assert engine.renderer.length == round(n * engine.rate / rate)
    assert engine.play()
    r = engine.renderer
    assert wait_for(lambda: engine.callbacks > 3 and r.levels.max() > 0.1), "no sound from the stream"
    engine.seek_seconds(4.0)
    assert wait_for(lambda: engine.position_seconds > 4.05 and r.levels.max() > 0.1)
    assert engine.underruns <= 2  # at most the block after the seek
    engine.pause()
    assert wait_for(lambda: not engine.playing)
    engine.unload()
    assert engine.feeder is None
