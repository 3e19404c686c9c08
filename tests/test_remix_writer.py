"""The remix writer: ``jazzremix remix`` streams, equals the whole-file remix sample for sample, applies every
override asked for, and leaves no spool."""

import dataclasses

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import automation, mixer
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import write_mastered
from jazzremix_gui.core.signal.sections import Section
from jazzremix_gui.services import remix_writer
from tiny_models import tiny_pair
from jazzremix_gui.services.remix_writer import render_remix


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return tiny_pair(tmp_path_factory.mktemp("remix_models"))


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    """4.5 s at 48 kHz, loud enough (peaks near full scale) that the limiter has work to do."""
    rate = 48000
    t = np.arange(int(rate * 4.5)) / rate
    rng = np.random.default_rng(3)
    x = np.stack([0.6 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 97 * t),
                  0.5 * np.sin(2 * np.pi * 220 * t) + 0.4 * np.sin(2 * np.pi * 331 * t)], 1)
    x += 0.05 * rng.standard_normal(x.shape)
    path = tmp_path_factory.mktemp("remix_song") / "song.wav"
    sf.write(path, x.astype(np.float32), rate, subtype="PCM_24")
    return path


@pytest.fixture
def three_sections(monkeypatch):
    """The mixer's suggestion with three sections (a tiny mixer on 4.5 s finds one), boundaries mid-block."""
    real = mixer.MixerStream.finish

    def finish(self, *args, **kwargs):
        sugg = real(self, *args, **kwargs)
        post = sugg.posterior
        cuts = [(0.0, 1.37, -30.0, 0.4), (1.37, 2.9, 20.0, 1.8), (2.9, 4.5, 0.0, 1.0)]
        sections = [Section(a, b, True, post, p, g) for a, b, p, g in cuts]
        return dataclasses.replace(sugg, sections=sections)

    monkeypatch.setattr(mixer.MixerStream, "finish", finish)


def whole_file_remix(song, out, models, spec, clip, pan=None, gain=None, whole_track=False):
    """The remix as the command computed it before it streamed: whole stems in memory, then render_remix."""
    sep = pipeline.load_model(str(models[0]), "separator")
    mix = pipeline.load_model(str(models[1]), "mixer")
    result = pipeline.analyse(song, None, sep, mix, keep_stems=True)
    stems = result.stems
    p, g = automation.suggestion_curves(result.suggestion, len(stems), stems.rate, whole_track)
    p = pan if pan is not None else p
    g = gain if gain is not None else g
    return write_mastered(out, render_remix(stems, p, g), stems.rate, spec, clip)


@pytest.mark.parametrize("clip, bits, extra", [("limit", 24, []), ("none", 32, []), ("rescale", 24, ["--pan", "-20"]),
                                               ("clamp", 32, ["--whole-track"])])
def test_streamed_remix_equals_whole_file(tmp_path, song, models, three_sections, clip, bits, extra):
    out = tmp_path / "streamed.wav"
    assert main(["remix", str(song), "--out", str(out), "--model", str(models[0]), "--mixer", str(models[1]),
                 "--clip", clip, "--bits", str(bits), "--loudness", "keep", *extra]) == 0
    ref = tmp_path / "whole.wav"
    pan = -20.0 if "--pan" in extra else None
    whole_file_remix(song, ref, models, OutputSpec("wav", bits), clip, pan=pan, whole_track="--whole-track" in extra)
    a, rate_a = sf.read(out, dtype="float32")
    b, rate_b = sf.read(ref, dtype="float32")
    assert rate_a == rate_b == 48000 and a.shape == b.shape == (sf.info(song).frames, 2)
    np.testing.assert_allclose(a, b, atol=1e-6, rtol=0)
    # the sections really change the remix (the test would not notice a streamed remix ignoring them otherwise)
    if not extra and clip == "none":
        flat = tmp_path / "flat.wav"
        whole_file_remix(song, flat, models, OutputSpec("wav", bits), clip, whole_track=True)
        assert np.abs(sf.read(flat, dtype="float32")[0] - a).max() > 0.01
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (out, ref, tmp_path / "flat.wav")
                                                                 if p.exists())


def test_given_pan_and_gain_need_no_mixer_and_match(tmp_path, song, models):
    out = tmp_path / "r.wav"
    sep = pipeline.load_model(str(models[0]), "separator")
    res = remix_writer.remix_file(song, out, OutputSpec("wav", 32), "none", pan=10.0, gain=0.5, separator=sep,
                                   mixer=object())  # a mixer that would fail if it were used
    assert res.suggestion is None and res.models == {"separator": sep.meta.version}
    audio, rate = sf.read(song, dtype="float32")
    stems = pipeline.separate(audio, rate, sep)
    ref = render_remix(stems, 10.0, 0.5)
    np.testing.assert_allclose(sf.read(out, dtype="float32")[0], ref, atol=1e-6, rtol=0)


def test_no_space_for_the_spool_is_one_clear_error(tmp_path, song, models, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10 ** 9, 10 ** 9 - 1000, 1000))
    size = r"[1-9]\d*(\.\d)? (kB|MB)"  # sizes in the unit that shows them, never "0.00 GB"
    with pytest.raises(AudioWriteError, match=rf"no space left: needs {size} beside the output "
                                              rf"\(stems spool {size} \+ the output {size}\), 1\.0 kB free"):
        remix_writer.remix_file(song, tmp_path / "r.wav", OutputSpec("wav", 24), "limit", pan=0.0, gain=1.0,
                                separator=pipeline.load_model(str(models[0]), "separator"))
    assert list(tmp_path.iterdir()) == []


def test_space_needed_counts_spool_output_and_rescale():
    need, what = remix_writer.space_needed(44100 * 3600, [(OutputSpec("wav", 24), 2)], "rescale")
    assert need == 44100 * 3600 * (12 + 6 + 8) and what == "stems spool 1.9 GB + the output 953 MB + rescale spool 1.3 GB"


def test_an_output_it_cannot_write_is_said_before_any_separation(tmp_path, song, models, monkeypatch):
    def refuse(self, rate, path):
        raise AudioWriteError("r.ogg: this format cannot hold 384000 Hz")

    monkeypatch.setattr(OutputSpec, "check_rate", refuse)
    monkeypatch.setattr(remix_writer, "separate_to_spool", lambda *a: pytest.fail("separated before the check"))
    with pytest.raises(AudioWriteError, match="cannot hold"):
        remix_writer.remix_file(song, tmp_path / "r.ogg", OutputSpec("wav", 24), "limit", pan=0.0, gain=1.0,
                                separator=pipeline.load_model(str(models[0]), "separator"))
    assert list(tmp_path.iterdir()) == []


def test_failure_mid_render_leaves_nothing(tmp_path, song, models, monkeypatch):
    from jazzremix_gui.core.audio import headroom

    def broken(self, block, over=None):
        raise AudioWriteError("disk went away")

    monkeypatch.setattr(headroom.MasteredWriter, "write", broken)
    with pytest.raises(AudioWriteError):
        remix_writer.remix_file(song, tmp_path / "r.wav", OutputSpec("wav", 24), "limit", pan=0.0, gain=1.0,
                                separator=pipeline.load_model(str(models[0]), "separator"))
    assert list(tmp_path.iterdir()) == []


def test_curves_windows_equal_the_whole_curves():
    rng = np.random.default_rng(1)
    for _ in range(50):
        n, rate, k = int(rng.integers(100, 20000)), int(rng.choice([8000, 44100])), int(rng.integers(1, 8))
        starts = np.sort(rng.uniform(0, n / rate, k))
        values = [(float(rng.uniform(-45, 45)), float(rng.uniform(0, 2))) for _ in range(k)]
        whole = automation.curves(starts, values, n, rate)
        c = automation.Curves(starts, values, n, rate)
        cuts = [0, *np.sort(rng.integers(0, n, 4)), n]
        parts = [c.window(a, b) for a, b in zip(cuts[:-1], cuts[1:])]
        for i in (0, 1):
            assert np.array_equal(np.concatenate([p[i] for p in parts]), whole[i])
        # each section holds its values away from the crossfades
        ramp = int(automation.SECTION_RAMP_S * rate)
        bounds = [0, *[int(round(s * rate)) for s in starts[1:]], n]
        for (p, g), a, b in zip(values, bounds[:-1], bounds[1:]):
            mid = (a + b) // 2
            if b - a > 2 * ramp and a + ramp < mid < b - ramp:
                assert whole[0][mid] == p and whole[1][mid] == g


@pytest.fixture(scope="module")
def one_section_reference(song, models):
    """Whole stems and the tiny mixer's own suggestion (one section on 4.5 s)."""
    sep = pipeline.load_model(str(models[0]), "separator")
    mix = pipeline.load_model(str(models[1]), "mixer")
    result = pipeline.analyse(song, None, sep, mix, keep_stems=True)
    assert len(result.suggestion.sections) < 2
    return result


def _expected(result, pan, gain, whole_track):
    stems = result.stems
    p, g = automation.suggestion_curves(result.suggestion, len(stems), stems.rate, whole_track)
    return render_remix(stems, p if pan is None else pan, g if gain is None else gain)


OVERRIDES = [([], None, None), (["--pan", "20"], 20.0, None), (["--gain", "0.7"], None, 0.7),
             (["--gain-db", "3"], None, 10 ** (3 / 20)), (["--pan", "-35", "--gain-db", "-6"], -35.0, 10 ** (-6 / 20)),
             (["--pan", "0", "--gain", "1.6"], 0.0, 1.6)]


@pytest.mark.parametrize("sections", ["one", "many"])
@pytest.mark.parametrize("whole_track", [False, True])
@pytest.mark.parametrize("args, pan, gain", OVERRIDES)
def test_every_override_is_written_and_reported(tmp_path, song, models, one_section_reference, request, capsys,
                                                sections, whole_track, args, pan, gain):
    if sections == "many":
        request.getfixturevalue("three_sections")
        sep = pipeline.load_model(str(models[0]), "separator")
        mix = pipeline.load_model(str(models[1]), "mixer")
        ref = pipeline.analyse(song, None, sep, mix, keep_stems=True)
        assert len(ref.suggestion.sections) == 3
    else:
        ref = one_section_reference
    out = tmp_path / "r.wav"
    extra = ["--whole-track"] if whole_track else []
    assert main(["remix", str(song), "--out", str(out), "--model", str(models[0]), "--mixer", str(models[1]),
                 "--clip", "none", "--bits", "32", "--loudness", "keep", *args, *extra]) == 0
    got = sf.read(out, dtype="float32")[0]
    np.testing.assert_allclose(got, _expected(ref, pan, gain, whole_track), atol=1e-6, rtol=0)
    if args:  # the override really changed the samples (a writer ignoring it would fail here)
        assert np.abs(got - _expected(ref, None, None, whole_track)).max() > 1e-3
    said = capsys.readouterr().err
    line = next(x for x in said.splitlines() if x.startswith(f"{out}: solo at pan"))
    per_section = sections == "many" and not whole_track
    for given, what, fmt, suggested, spread in ((pan, "pan", "+.0f", ref.suggestion.pan_deg, "-30..+20 deg"),
                                                (gain, "gain", ".2f", ref.suggestion.gain, "0.40..1.80")):
        if given is not None or not per_section:
            value = given if given is not None else suggested
            assert f"{what} {value:{fmt}}{' deg,' if what == 'pan' else ' ('}" in line
        else:
            assert f"{what} {spread} (per section)" in line
