"""Streamed playback (issue #22 item 3): the feeder and ring give the callback what the in-memory renderer played.

The reference is the renderer as it was: the material resampled whole to the device's rate and held
in memory (:func:`core.audio.audio_io.resample`, :meth:`BlockRenderer.load`). The streamed renderer
reads the same material at the file's rate through :class:`playback.stream.Feeder` (called here
between blocks, without its thread, so the test is deterministic; the engine test below runs the thread).
"""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from jazzremix_gui.core.audio.audio_io import resample
from jazzremix_gui.playback import renderer as R
from jazzremix_gui.playback.stream import Feeder, Ring

RATE_IN, RATE_OUT = 44100, 48000


def material(n, seed=0):
    rng = np.random.default_rng(seed)
    solo = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / RATE_IN)).astype(np.float32)
    acc = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)
    mix = (acc + solo[:, None] * 0.7).astype(np.float32)
    return solo, acc, mix


def pair(n=RATE_IN * 3 + 123, level=1.7):
    """(reference renderer, streamed renderer, its feeder), both set to the same mix."""
    solo, acc, mix = material(n)
    ref = R.BlockRenderer()
    ref.load(resample(solo, RATE_IN, RATE_OUT), resample(acc, RATE_IN, RATE_OUT), resample(mix, RATE_IN, RATE_OUT),
             RATE_OUT, level)
    st = R.BlockRenderer()
    ring = Ring()
    feeder = Feeder(st, ring, solo, acc, mix, RATE_IN, RATE_OUT)
    st.attach(ring, feeder.length, RATE_OUT, level)
    for r in (ref, st):
        r.controls[R.PAN], r.controls[R.GAIN] = 20.0, 0.7
    return ref, st, feeder


def test_streamed_blocks_equal_the_in_memory_renderer_through_seeks_loops_and_modes():
    ref, st, feeder = pair()
    assert st.length == ref.length
    a, b = np.zeros((512, 2), np.float32), np.zeros((512, 2), np.float32)
    for r in (ref, st):
        r.start()
    k, worst = 0, 0.0
    while ref.playing:
        feeder.fill()
        ref.render(a)
        st.render(b)
        worst = max(worst, float(np.abs(a - b).max()))
        assert ref.position == st.position
        k += 1
        if k == 40:  # seek while playing
            ref.seek(100000), st.seek(100000)
        if k == 60:  # hearing: original, then solo only, then accompaniment only, then the remix again
            for r in (ref, st):
                r.controls[R.ORIGINAL] = 1.0
        if k == 70:
            for r in (ref, st):
                r.controls[R.ORIGINAL], r.controls[R.ACC_ON] = 0.0, 0.0
        if k == 80:
            for r in (ref, st):
                r.controls[R.SOLO_ON], r.controls[R.ACC_ON] = 0.0, 1.0
        if k == 90:
            for r in (ref, st):
                r.controls[R.SOLO_ON] = 1.0
                r.loop, r.loop_on = [50000, 61000], True  # a loop set while playing, the playhead moved into it
                r.seek(55000)
        if k == 200:  # many times round the loop, then a seek out of it
            for r in (ref, st):
                r.seek(120000)
    assert k > 240 and worst < 1e-5, worst
    assert st.underruns == 0
    np.testing.assert_allclose(st.levels, ref.levels, atol=1e-5)  # the meter reads the same


def test_underrun_plays_silence_counts_it_and_stays():
    ref, st, feeder = pair()
    out = np.ones((512, 2), np.float32)
    st.start()
    st.render(out)  # the feeder has not written anything yet
    assert not out.any() and st.underruns == 1 and st.position == 0 and st.playing
    feeder.fill()
    st.render(out)
    assert st.position == 512 and np.abs(out).max() > 0.01
    st.seek(90000)  # a seek the feeder has not seen: silence, and a request to start there
    st.render(out)
    assert not out.any() and st.underruns == 2 and st.position == 90000 and feeder.ring.request == 90000
    feeder.fill()
    ref.seek(90000)
    ref.start()
    a = np.zeros((512, 2), np.float32)
    for _ in range(3):
        ref.render(a)
        st.render(out)
    np.testing.assert_allclose(out, a, atol=1e-5)


def test_streamed_render_allocates_nothing_per_block():
    _, st, feeder = pair()
    st.start()
    out = np.zeros((1024, 2), np.float32)
    feeder.fill()
    st.render(out)
    tracemalloc.start()
    for i in range(20):
        st.controls[R.GAIN] = 0.5 + (i % 2)
        st.render(out)
    st.seek(0)
    st.render(out)  # an underrun: silence, still nothing allocated
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4096, f"render allocated {peak} bytes"


def _rss_mb() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_playing_a_long_mapped_file_holds_no_full_length_material(tmp_path):
    """Six minutes mapped from a file at offsets that are not whole pages, as in a cache entry (320 MB at the
    file's rate, 350 MB resampled): playing it to the end grows resident memory by less than 20 MB (a
    whole-file copy would add 350, the mapped pages kept 320, the partial pages of each piece kept 40)."""
    n = RATE_IN * 360
    path = tmp_path / "stems.raw"
    rng = np.random.default_rng(3)
    piece = 1 << 18
    with open(path, "wb") as fh:
        fh.write(b"\0" * 1000)
        for channels in (1, 2, 2):
            for i in range(0, n, piece):
                fh.write((0.1 * rng.standard_normal((min(piece, n - i), channels))).astype(np.float32).data)
    solo = np.memmap(path, np.float32, "r", 1000, (n,))
    acc = np.memmap(path, np.float32, "r", 1000 + 4 * n, (n, 2))
    mix = np.memmap(path, np.float32, "r", 1000 + 12 * n, (n, 2))
    st = R.BlockRenderer()
    ring = Ring()
    feeder = Feeder(st, ring, solo, acc, mix, RATE_IN, RATE_OUT)
    st.attach(ring, feeder.length, RATE_OUT)
    out = np.zeros((2048, 2), np.float32)
    before = _rss_mb()
    st.start()
    peak = before
    blocks = 0
    while st.playing:
        feeder.fill()
        st.render(out)
        blocks += 1
        if blocks % 500 == 0:
            peak = max(peak, _rss_mb())
    peak = max(peak, _rss_mb())
    assert st.position == st.length and st.underruns == 0
    assert peak - before < 20, f"resident memory grew {peak - before:.0f} MB while playing"


def test_the_app_keeps_the_recording_and_stems_in_mapped_files(tiny_models, tmp_path):
    """process_track: the decoded recording is mapped from a spool, the stems are written to spools as the
    analysis makes them and then mapped from the cache entry; the same stems as the analysis in memory, no
    spool left behind, and the player's material is those mapped arrays at the file's rate."""
    import soundfile as sf

    from jazzremix_gui.core import pipeline
    from jazzremix_gui.core.files import paths
    from jazzremix_gui.services import processing

    class Job:
        progress = partial = staticmethod(lambda *a: None)
        is_cancelled = staticmethod(lambda: False)

    song = tmp_path / "song.wav"
    rng = np.random.default_rng(5)
    sf.write(song, (0.2 * rng.standard_normal((44100 * 3, 1))).astype(np.float32), 44100)  # mono: duplicated
    sep, mix = (str(tiny_models / f"{k}.onnx") for k in ("separator", "mixer"))
    done = processing.process_track(song, Job(), sep, mix)
    decoded = processing.decode(song, Job())
    assert isinstance(decoded.audio, np.memmap) and decoded.audio.shape == (44100 * 3, 2)
    assert isinstance(done.stems.solo, np.memmap) and isinstance(done.stems.accompaniment, np.memmap)
    whole = pipeline.analyse(np.array(decoded.audio), 44100, pipeline.load_model(sep, "separator"),
                             pipeline.load_model(mix, "mixer"))
    np.testing.assert_array_equal(done.stems.solo, whole.stems.solo)
    np.testing.assert_array_equal(done.stems.accompaniment, whole.stems.accompaniment)
    assert done.suggestion.pan_deg == whole.suggestion.pan_deg and done.stems.solo_level == whole.stems.solo_level
    solo, acc, mixture, rate = processing.prepare_playback(decoded, done.stems)
    assert solo is done.stems.solo and mixture is decoded.audio and rate == 44100
    assert not list(paths.spool_dir().glob("*.f32"))  # unlinked once mapped


def test_without_a_writable_spool_folder_the_app_keeps_audio_in_memory(tiny_models, tmp_path, monkeypatch):
    """The spools are an economy, not a requirement: where they cannot be written the track still opens,
    separates and plays from memory, with the same stems."""
    import soundfile as sf

    from jazzremix_gui.core.files import paths
    from jazzremix_gui.services import cache, processing

    class Job:
        progress = partial = staticmethod(lambda *a: None)
        is_cancelled = staticmethod(lambda: False)

    song = tmp_path / "song.wav"
    sf.write(song, (0.2 * np.random.default_rng(6).standard_normal((44100 * 2, 2))).astype(np.float32), 44100)
    sep, mix = (str(tiny_models / f"{k}.onnx") for k in ("separator", "mixer"))
    spooled = processing.process_track(song, Job(), sep, mix)
    solo = np.array(spooled.stems.solo)
    cache.clear()
    blocked = tmp_path / "file"
    blocked.write_text("a file where a folder would go")
    monkeypatch.setattr(paths, "spool_dir", lambda: blocked / "spool")
    decoded = processing.decode(song, Job())
    assert not isinstance(decoded.audio, np.memmap) and decoded.audio.shape == (44100 * 2, 2)
    done = processing.process_track(song, Job(), sep, mix)
    np.testing.assert_array_equal(done.stems.solo, solo)


def test_loop_changed_while_playing_plays_on_without_a_gap():
    """Turning the loop on, moving its end before and after where the feeder has got to, and turning it off,
    all while playing: the engine asks the feeder to replan, and every block equals the in-memory renderer's."""
    ref, st, feeder = pair()
    a, b = np.zeros((512, 2), np.float32), np.zeros((512, 2), np.float32)
    for r in (ref, st):
        r.start()

    def set_loop(lo, hi, on):
        for r in (ref, st):
            r.loop, r.loop_on = [lo, hi], on
        feeder.replan()

    worst = 0.0
    for k in range(240):
        if k == 20:
            set_loop(15000, 30000, True)  # ahead of the playhead (10240): played up to its end, then round
        if k == 70:
            set_loop(15000, 26000, True)  # its end moved back, behind what the feeder wrote
        if k == 120:
            set_loop(15000, 40000, True)  # and forward, past where the feeder had wrapped
        if k == 170:
            set_loop(15000, 40000, False)  # off while inside it: plays on past its end
        feeder.fill()
        ref.render(a)
        st.render(b)
        worst = max(worst, float(np.abs(a - b).max()))
        assert ref.position == st.position, k
    assert worst < 1e-5 and st.underruns == 0
    assert st.position > 40000


def test_a_feeder_error_plays_silence_and_raises_nothing(monkeypatch, caplog):
    """A file that cannot be read any more: the error is logged, the callback plays silence (underruns), and the
    thread, a seek and a loop change go on without raising."""
    from jazzremix_gui.playback import stream

    _, st, feeder = pair()

    def broken(*args):
        raise OSError("the file went away")

    monkeypatch.setattr(stream, "read_rows", broken)
    out = np.ones((512, 2), np.float32)
    st.start()
    feeder.wake(stream.AT_ONCE)  # as a seek does
    feeder.replan()
    st.render(out)
    assert not out.any() and st.underruns == 1 and st.playing
    feeder.start()  # the thread keeps running
    feeder.wake()
    feeder.stop()
    assert "the file went away" in caplog.text
