"""The level the separator's network hears (core/signal/input_level.py): measured on the recording's start, a
recording outside the range heard at its nearer end, the stems still at the recording's own level."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import evaluation, pipeline
from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.signal.input_level import (DEFAULT_RANGE, LEVEL_SECONDS, ONSET_DBFS, WAIT_SECONDS,
                                                   LevelMeter, LevelRange, dc_text, level_of, offset_heard,
                                                   parse_range)

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "tests" / "data" / "guard"
RATE = 44100


def _noise(seconds, dbfs, seed=0):
    """Stereo noise whose mid has mean power ``dbfs``."""
    x = np.random.default_rng(seed).standard_normal((int(seconds * RATE), 1)).astype(np.float32)
    return np.repeat(x * np.float32(10 ** (dbfs / 20)), 2, axis=1)


def _measure(x, block):
    meter = LevelMeter()
    for i in range(0, x.shape[0], block):
        meter.push(x[i: i + block])
    meter.finish()
    return meter.level_db


@pytest.mark.parametrize("block", [1000, 4410, 65536, 10**7])
def test_level_does_not_depend_on_the_blocks(block):
    x = np.concatenate([_noise(LEVEL_SECONDS + 2, -40), _noise(5, -10, 1)])
    assert _measure(x, block) == pytest.approx(_measure(x, 777), abs=1e-9)
    assert _measure(x, block) == pytest.approx(-40, abs=0.1)  # the first LEVEL_SECONDS only


@pytest.mark.parametrize("start", [WAIT_SECONDS - 0.05, WAIT_SECONDS - 5, WAIT_SECONDS + 5])
def test_a_late_start_is_measured_alike_whatever_the_blocks(start):
    """Everything counts in windows from the first sample: a sound starting near or after the wait is measured (or
    not) alike with small blocks and one large block."""
    x = np.concatenate([np.zeros((int(start * RATE), 2), np.float32), _noise(15, -12)])
    small, whole = _measure(x, 1000), _measure(x, 10**8)
    assert small == whole if small is None else small == pytest.approx(whole, abs=1e-9)
    if start > WAIT_SECONDS:
        assert whole is None  # a start after the wait does not count


def test_a_quiet_opening_does_not_set_the_gain_of_the_whole_recording():
    """10 s of a soft opening (-50 dBFS) before the band comes in at -18: the level is the start's mean power over
    LEVEL_SECONDS, which the louder part dominates, so the recording is heard as it is (diagnostic r7b)."""
    x = np.concatenate([_noise(10, -50), _noise(LEVEL_SECONDS, -18, 1)])
    level = _measure(x, 65536)
    assert DEFAULT_RANGE.low_db < level < DEFAULT_RANGE.high_db and DEFAULT_RANGE.gain_db(level) == 0


def test_leading_silence_is_not_measured_and_a_silent_start_gets_no_gain():
    x = np.concatenate([np.zeros((3 * RATE, 2), np.float32), _noise(12, -42)])
    assert _measure(x, 8192) == pytest.approx(-42, abs=0.1)
    quiet = _noise(WAIT_SECONDS + 5, ONSET_DBFS - 10)  # nothing above the onset in the time waited
    assert _measure(quiet, 8192) is None
    assert DEFAULT_RANGE.gain_db(None) == 0.0
    assert _measure(np.zeros((RATE, 2), np.float32), 100) is None


def test_a_short_recording_counts_whole_and_the_meter_decides_in_time():
    assert _measure(_noise(1.23, -35), 5000) == pytest.approx(-35, abs=0.2)
    meter = LevelMeter()
    x = _noise(LEVEL_SECONDS + 1, -20)
    meter.push(x[: int(LEVEL_SECONDS * RATE) - 10])
    assert not meter.decided
    meter.push(x[int(LEVEL_SECONDS * RATE) - 10:])
    assert meter.decided and meter.level_db == pytest.approx(-20, abs=0.1)


def test_range_gains_and_parsing():
    r = LevelRange(-30, -14)
    assert r.gain_db(-40) == 10 and r.gain_db(-20) == 0 and r.gain_db(-5) == -9
    assert LevelRange(-23, -23).gain_db(-10) == -13
    assert parse_range("-30,-14") == r and parse_range(" -23 ") == LevelRange(-23, -23) and parse_range("none") is None
    for bad in ("-14,-30", "loud", "-30,-20,-10", "nan", "5", ""):
        with pytest.raises(ValueError, match="level range"):
            parse_range(bad)
    assert level_of(None) == DEFAULT_RANGE and level_of(False) is None and level_of(r) is r


@pytest.fixture(scope="module")
def shipped():
    return ModelSession(ROOT / "models" / "separator.onnx", "separator", prefer_gpu=False)


@pytest.fixture(scope="module")
def clip():
    mix, rate = audio_io.read_audio(CLIP / "mixture.flac")
    return mix, rate


def test_a_recording_in_range_is_separated_as_it_is(shipped, clip):
    mix, rate = clip
    as_is = pipeline.separate(mix, rate, shipped, level=False)
    ranged = pipeline.separate(mix, rate, shipped)
    assert ranged.heard_gain_db == 0.0
    assert np.array_equal(as_is.solo, ranged.solo) and np.array_equal(as_is.accompaniment, ranged.accompaniment)


def test_a_quiet_recording_is_heard_louder_and_its_stems_stay_at_its_level(shipped, clip):
    mix, rate = clip
    quiet = mix * np.float32(10 ** (-35 / 20))
    level = _measure(quiet, 65536)
    stems = pipeline.separate(quiet, rate, shipped)
    assert stems.heard_gain_db == pytest.approx(DEFAULT_RANGE.low_db - level, abs=1e-6) and stems.heard_gain_db > 5
    # the same as separating the recording made that much louder, then scaled back: only what the network hears moved
    g = np.float32(10 ** (stems.heard_gain_db / 20))
    loud = pipeline.separate(quiet * g, rate, shipped, level=False)
    assert np.max(np.abs(stems.solo - loud.solo / g)) < 1e-4 * np.max(np.abs(quiet))
    assert np.max(np.abs(stems.accompaniment - loud.accompaniment / g)) < 1e-4 * np.max(np.abs(quiet))
    # the solo and the accompaniment's mid still add up to the quiet recording's mid
    err = stems.solo + stems.accompaniment.mean(axis=1) - quiet.mean(axis=1)
    assert np.sqrt(np.mean(err ** 2)) < 1e-5 * np.sqrt(np.mean(quiet ** 2))


def test_a_quiet_transfer_separates_as_well_as_at_its_own_level(shipped):
    """The guard clip 35 dB quieter: heard in range it scores within 0.3 dB of the clip as it is; heard as it is,
    it loses more than a decibel (what the range is for)."""
    own = evaluation.score_track(CLIP, shipped)
    scaled = {}
    for level in (None, False):
        mix, rate = audio_io.read_audio(CLIP / "mixture.flac")
        solo, _ = audio_io.read_audio(CLIP / "solo.flac")
        s = np.float32(10 ** (-35 / 20))
        stems = pipeline.separate(mix * s, rate, shipped, level=level)
        scaled[level] = evaluation.global_sdr(solo.mean(axis=1) * s, stems.solo)
    assert abs(scaled[None] - own.solo) < 0.3, (scaled, own)
    assert scaled[False] < own.solo - 1.0, (scaled, own)


def test_evaluate_says_the_range_it_used(tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    data = tmp_path / "set"
    (data / "track_00000").mkdir(parents=True)
    for name in ("mixture", "solo", "accompaniment"):
        x, rate = audio_io.read_audio(CLIP / f"{name}.flac")
        audio_io.write_audio(data / "track_00000" / f"{name}.wav", x[: rate * 4], rate)
    assert main(["evaluate", str(data), "--json", "--input-level=-35,-10"]) == 0
    assert json.loads(capsys.readouterr().out)["input_level"] == "-35,-10"
    assert main(["evaluate", str(data), "--json", "--input-level", "none"]) == 0
    assert json.loads(capsys.readouterr().out)["input_level"] == "none"
    earlier = tmp_path / "earlier.json"
    assert main(["evaluate", str(data), "--json", "--input-level", "none"]) == 0
    earlier.write_text(capsys.readouterr().out)
    assert main(["evaluate", str(data), "--against", str(earlier)]) == 0
    out = capsys.readouterr().out
    assert "the network hearing each recording in -30..-14 dBFS" in out
    assert "input level -30,-14 against none" in out
    assert main(["evaluate", str(data), "--input-level=-10,-35"]) == 2
    assert "--input-level" in capsys.readouterr().err


@pytest.fixture(scope="module")
def quiet_take(tmp_path_factory):
    """The guard clip's first 12 s, 35 dB quieter, as a 32-bit float WAV (a transfer with much headroom)."""
    mix, rate = audio_io.read_audio(CLIP / "mixture.flac")
    path = tmp_path_factory.mktemp("quiet") / "quiet take.wav"
    sf.write(path, mix[: rate * 12] * np.float32(10 ** (-35 / 20)), rate, subtype="FLOAT")
    return path


def test_separate_says_the_gain_and_writes_stems_at_the_recordings_level(quiet_take, tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    out = tmp_path / "stems"
    assert main(["separate", str(quiet_take), "-o", str(out), "--json", "--format", "wav", "--bits", "32"]) == 0
    captured = capsys.readouterr()
    entry = json.loads(captured.out)["files"][0]
    x, rate = audio_io.read_audio(quiet_take)
    expected = DEFAULT_RANGE.low_db - _measure(x, 65536)
    assert entry["heard_gain_db"] == pytest.approx(expected, abs=0.01) and expected > 5
    assert f"a quiet recording: the separator heard it {expected:.1f} dB louder" in captured.err
    solo, _ = audio_io.read_audio(next(out.rglob("*solo*.wav")))
    acc, _ = audio_io.read_audio(next(out.rglob("*accompaniment*.wav")))
    mid = x.mean(axis=1)
    assert np.sqrt(np.mean((solo[:, 0] + acc.mean(axis=1) - mid) ** 2)) < 1e-4 * np.sqrt(np.mean(mid ** 2))


def test_the_app_and_the_cache_keep_the_gain(tmp_path, monkeypatch):
    from jazzremix_gui.core.signal.mixer import Suggestion
    from jazzremix_gui.services import cache
    from jazzremix_gui.ui.main_window import solo_found_text

    stems = pipeline.Stems(np.zeros(1000, np.float32), np.zeros((1000, 2), np.float32), RATE, "v",
                           solo_share_db=-6.0, heard_gain_db=12.34)
    assert "a quiet recording: the separator heard it 12.3 dB louder" in solo_found_text(stems)
    assert "heard" not in solo_found_text(pipeline.Stems(stems.solo, stems.accompaniment, RATE, "v", solo_share_db=-6))
    mono = solo_found_text(stems, channels=1)  # a mono transfer: no side to name, the gain still said
    assert "solo found" not in mono and "heard it 12.3 dB louder" in mono
    monkeypatch.setattr(cache.paths, "cache_dir", lambda: tmp_path)
    sug = Suggestion(np.full((19, 21), 1 / 399), 0.0, 1.0, np.zeros((0, 399)), np.zeros(0), np.zeros(0, bool), [], "m",
                     0.5, True, 0.0)
    path = cache.save("k", stems, sug)
    back, _ = cache.load("k", rate=RATE, length=1000)
    assert back.heard_gain_db == pytest.approx(12.34)
    z = dict(np.load(path))
    meta = json.loads(str(z["meta"]))
    meta["heard_gain_db"] = 150.0  # more than the range can lift a recording: damaged, never shown
    z["meta"] = np.array(json.dumps(meta))
    np.savez(path, **z)
    assert cache.load("k", rate=RATE, length=1000) is None


def test_the_separators_card_says_the_range_the_separation_uses():
    card = json.loads((ROOT / "models" / "separator.json").read_text())
    assert card["input_level"]["range_dbfs"] == [DEFAULT_RANGE.low_db, DEFAULT_RANGE.high_db]
    assert "checkpoints/r7/rule-p3.txt" in card["input_level"]["rule"] and "rule-p4.txt" in card["input_level"]["rule"]
    assert f"first {LEVEL_SECONDS:g} s of sound" in card["input_level"]["measured"]


def _meter(x, block):
    meter = LevelMeter()
    for i in range(0, x.shape[0], block):
        meter.push(x[i: i + block])
    meter.finish()
    return meter


@pytest.mark.parametrize("block", [1000, 65536, 10**8])
def test_a_dc_offset_is_found_alike_whatever_the_blocks_and_the_level_is_measured_without_it(block):
    """Old transfers often carry a DC offset: each channel's mean over what the decision read (from the first sample
    to LEVEL_SECONDS after the onset), the same for any blocks; the level is that of the music without it, and the
    leading silence that the offset filled does not count as sound."""
    music = np.concatenate([np.zeros((RATE * 5, 2), np.float32), _noise(LEVEL_SECONDS + 20, -40)])
    offset = np.array([0.03, -0.01], np.float32)
    meter = _meter(music + offset, block)
    assert meter.dc == pytest.approx(offset, abs=2e-4)
    assert np.array_equal(meter.dc, _meter(music + offset, 777).dc)
    assert meter.level_db == pytest.approx(_meter(music, block).level_db, abs=0.05)  # not -30 dBFS of offset
    small = _meter(music + np.float32(0.0005), block).dc  # -66 dBFS: taken out only where heard 6 dB louder or more
    assert offset_heard(small, 1.0) is None and offset_heard(small, 2.0) is not None
    assert _meter(music, block).dc is None
    pure = _meter(np.full((RATE * 10, 2), 0.5, np.float32), block)  # nothing but an offset: no sound, no gain
    assert pure.dc == pytest.approx([0.5, 0.5]) and pure.level_db is None


def test_a_dc_offset_is_left_in_the_accompaniment_and_moves_nothing_the_separator_finds(shipped, clip):
    """The separator hears the recording without its offset: the solo, its direction and share, and the mixer's
    suggestion are those of the recording without it; the accompaniment holds the offset, so the stems still add up
    to the recording. (Before: the solo took the offset, read toward the centre.)"""
    mix, rate = clip
    mix = mix[: rate * 12] - mix[: rate * 12].mean(axis=0)  # the music's own mean (1e-4) would count in the offset
    offset = np.array([0.02, 0.012], np.float32)
    clean = pipeline.separate(mix, rate, shipped)
    dc = pipeline.separate(mix + offset, rate, shipped)
    # the median of the windows' means: within the music's own (1e-4, -80 dBFS) of the offset
    assert dc.dc_offset == pytest.approx(tuple(offset), abs=5e-4) and clean.dc_offset == ()
    assert np.max(np.abs(dc.solo - clean.solo)) < 1e-3 * np.max(np.abs(clean.solo))
    assert np.max(np.abs(dc.accompaniment - offset - clean.accompaniment)) < 1e-3 * np.max(np.abs(clean.solo))
    assert abs(float(np.mean(dc.solo))) < 1e-4  # the solo holds no offset
    assert (dc.recorded_pan_deg, dc.solo_share_db) == pytest.approx((clean.recorded_pan_deg, clean.solo_share_db),
                                                                     abs=0.01)
    err = dc.solo + dc.accompaniment.mean(axis=1) - (mix + offset).mean(axis=1)
    assert np.max(np.abs(err)) < 1e-5


def test_separate_and_suggest_say_the_offset_and_the_app_and_the_cache_keep_it(tmp_path, capsys, monkeypatch, clip):
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.core.signal.mixer import Suggestion
    from jazzremix_gui.services import cache
    from jazzremix_gui.ui.main_window import solo_found_text

    mix, rate = clip
    take = tmp_path / "offset take.wav"
    music = mix[: rate * 8] - mix[: rate * 8].mean(axis=0)
    sf.write(take, music + np.float32(0.02), rate, subtype="FLOAT")
    out = tmp_path / "stems"
    assert main(["separate", str(take), "-o", str(out), "--json", "--format", "wav", "--bits", "32"]) == 0
    captured = capsys.readouterr()
    entry = json.loads(captured.out)["files"][0]
    assert entry["dc_offset"] == pytest.approx([0.02, 0.02], abs=5e-4)
    said = dc_text(tuple(entry["dc_offset"]))
    assert said.startswith("a DC offset (+0.0") and "-34 dBFS): the separator heard the recording without it" in said
    assert said in captured.err
    solo, _ = audio_io.read_audio(next(out.rglob("*solo*.wav")))
    acc, _ = audio_io.read_audio(next(out.rglob("*accompaniment*.wav")))
    assert abs(float(np.mean(solo))) < 1e-4 and np.mean(acc) == pytest.approx(0.02, abs=1e-4)
    assert main(["suggest", str(take)]) == 0 and said in capsys.readouterr().out
    assert main(["suggest", str(take), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dc_offset"] == entry["dc_offset"]
    assert main(["remix", str(take), "-o", str(tmp_path / "remix.wav"), "--json", "--loudness", "keep"]) == 0
    captured = capsys.readouterr()
    assert said in captured.err
    assert json.loads(captured.out)["files"][0]["dc_offset"] == entry["dc_offset"]
    remix, _ = audio_io.read_audio(tmp_path / "remix.wav")  # as computed, the remix keeps the offset
    assert np.mean(remix) == pytest.approx(0.02, abs=1e-3)

    stems = pipeline.Stems(np.zeros(1000, np.float32), np.full((1000, 2), 0.02, np.float32), RATE, "v",
                           solo_share_db=-6.0, dc_offset=(0.02, -0.01))
    assert "a DC offset (+0.0200 left, -0.0100 right of full scale, -34 dBFS)" in solo_found_text(stems)
    monkeypatch.setattr(cache.paths, "cache_dir", lambda: tmp_path)
    sug = Suggestion(np.full((19, 21), 1 / 399), 0.0, 1.0, np.zeros((0, 399)), np.zeros(0), np.zeros(0, bool), [], "m",
                     0.5, True, 0.0)
    cache.save("k", stems, sug)
    assert cache.load("k", rate=RATE, length=1000)[0].dc_offset == pytest.approx((0.02, -0.01))


def test_a_file_of_nothing_but_an_offset_has_no_solo(tmp_path, capsys):
    """Pure DC (0.5 for 10 s) got a confident suggestion, the offset all in the solo; now the solo is silent and
    said so, the accompaniment holds the offset, and there is no suggestion."""
    from jazzremix_gui.cli.main import main

    take = tmp_path / "dc.wav"
    sf.write(take, np.full((RATE * 10, 2), 0.5, np.float32), RATE, subtype="PCM_24")
    assert main(["separate", str(take), "-o", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "dc.solo.wav: silent (no sample above -200 dBFS)" in err and "DC offset (+0.5000" in err
    solo, _ = audio_io.read_audio(tmp_path / "out" / "dc.solo.wav")
    acc, _ = audio_io.read_audio(tmp_path / "out" / "dc.accompaniment.wav")
    assert not np.any(solo) and np.allclose(acc, 0.5, atol=1e-6)
    assert main(["suggest", str(take), "--json"]) == 0
    said = json.loads(capsys.readouterr().out)
    assert not said["clear"] and said["solo_share_db"] is None and "no solo heard" in said["reason"]


def test_an_offset_after_digital_silence_or_a_long_wait_is_found_and_silence_stays_silence(shipped, clip):
    """An adversarial review's cases: 3 s of digital silence before music with an offset (a CD rip, an edited
    transfer) diluted a mean over everything, and the silence, heard minus the offset, gave the solo a DC step; 35 s
    of silence with an offset started the level's measurement at the first sample, so only silence was measured."""
    mix, rate = clip
    music = mix[: rate * 10] - mix[: rate * 10].mean(axis=0)
    offset = np.array([0.02, 0.015], np.float32)
    silence = np.zeros((rate * 3, 2), np.float32)
    clean = pipeline.separate(np.concatenate([silence, music]), rate, shipped)
    dc = pipeline.separate(np.concatenate([silence, music + offset]), rate, shipped)
    assert dc.dc_offset == pytest.approx(tuple(offset), abs=2e-4)
    assert not np.any(dc.solo[: rate * 3 - 4096])  # the silence heard as silence: nothing in the solo
    assert np.max(np.abs(dc.solo - clean.solo)) < 1e-3 * np.max(np.abs(clean.solo))
    quiet = np.concatenate([np.full((int(rate * 35), 2), 0.01, np.float32), _noise(20, -48) + np.float32(0.01)])
    meter = _meter(quiet, 65536)
    assert meter.level_db == pytest.approx(-48, abs=0.2) and meter.dc == pytest.approx([0.01, 0.01], abs=1e-4)


def test_an_offset_under_the_threshold_is_taken_out_when_a_quiet_recording_is_heard_louder(shipped, clip):
    """-61 dBFS is under DC_DBFS, but a recording 34 dB quieter than the clip is heard about 20 dB louder, offset and
    all: the offset is taken out (the review's seg5 went from 15 to 0 deg with it heard)."""
    mix, rate = clip
    music = (mix[: rate * 10] - mix[: rate * 10].mean(axis=0)) * np.float32(0.02)
    clean = pipeline.separate(music, rate, shipped)
    dc = pipeline.separate(music + np.float32(0.0009), rate, shipped)
    assert dc.heard_gain_db > 10 and dc.dc_offset == pytest.approx((0.0009, 0.0009), abs=1e-5)
    assert np.max(np.abs(dc.solo - clean.solo)) < 1e-3 * np.max(np.abs(clean.solo))


def test_a_short_excerpts_bass_is_not_an_offset(clip):
    """A mean over a short excerpt is its bass's, not an offset (the review: 71 % of 100 ms excerpts of the real
    segments read above -60 dBFS with the plain mean); fewer than DC_MIN_WINDOWS windows, or a median within
    DC_SIGNIFICANCE standard errors of zero, is none."""
    mix, rate = clip
    for seconds in (0.1, 0.5, 1.0, 3.0):
        for start in range(0, rate * 20, rate * 2):
            assert _meter(mix[start: start + int(seconds * rate)], 65536).dc is None, (seconds, start)


def test_what_lies_under_25_hz_goes_to_the_accompaniment(shipped, clip):
    """An offset faded in with the music (no constant to take out) and a turntable's rumble (12 Hz): the solo holds
    none of it, so where it was found and its share stay those of the music (SOLO_FIRST_BIN)."""
    from jazzremix_gui.core.signal.separation import SOLO_FIRST_BIN

    mix, rate = clip
    music = mix[: rate * 10] - mix[: rate * 10].mean(axis=0)
    t = np.arange(music.shape[0]) / rate
    fade = np.minimum(1.0, t / 3.0).astype(np.float32)[:, None]
    rumble = (0.02 * np.sin(2 * np.pi * 12 * t)).astype(np.float32)[:, None]
    clean = pipeline.separate(music * fade, rate, shipped)
    for low in ((music + np.float32(0.02)) * fade, music * fade + rumble):
        stems = pipeline.separate(low, rate, shipped)
        solo = np.abs(np.fft.rfft(stems.solo)) ** 2
        under = np.fft.rfftfreq(stems.solo.shape[0], 1 / rate) < 15
        assert solo[under].sum() < 1e-3 * solo.sum()
        assert stems.recorded_pan_deg == pytest.approx(clean.recorded_pan_deg, abs=0.5)
        assert stems.solo_share_db == pytest.approx(clean.solo_share_db, abs=0.5)
        err = stems.solo + stems.accompaniment.mean(axis=1) - low.mean(axis=1)
        assert np.max(np.abs(err)) < 1e-5
    assert (SOLO_FIRST_BIN - 1) * rate / 4096 < 25 < SOLO_FIRST_BIN * rate / 4096  # left out: the bins under 25 Hz


def test_an_offset_is_taken_out_of_every_sample_after_the_opening(shipped, clip):
    """In 8-bit music a sample of exactly 0 is music, not silence (a second review: leaving every zero sample at zero
    put such files out of shape; 14-50 % of their samples were 0): only the recording's opening digital silence stays
    silent, every later sample loses the offset."""
    mix, rate = clip
    step = np.float32(1 / 128)  # 8-bit's step
    music = np.round((mix[: rate * 10] - mix[: rate * 10].mean(axis=0)) * 0.05 / step) * step
    assert np.mean(music == 0) > 0.1
    opening = np.zeros((rate // 2, 2), np.float32)
    clean = pipeline.separate(np.concatenate([opening, music]), rate, shipped)
    dc = pipeline.separate(np.concatenate([opening, music + 2 * step]), rate, shipped)
    assert dc.dc_offset == pytest.approx((2 * step, 2 * step), abs=2e-3)
    assert not np.any(dc.solo[: rate // 2 - 4096])
    off = float(np.median(np.mean(music, axis=0)))  # the median's own share of the music, which it also took out
    assert np.sqrt(np.mean((dc.solo - clean.solo) ** 2)) < 0.05 * np.sqrt(np.mean(clean.solo ** 2)) + abs(off)


@pytest.mark.parametrize("rate", [22050, 48000, 96000])
def test_at_any_rate_what_lies_outside_the_separation_s_band_stays_in_the_accompaniment(shipped, rate):
    """The separation runs at 44.1 kHz; both stems were resampled back from it, so what lay above 22.05 kHz (or in
    the resampler's edge under a 22.05 kHz input's Nyquist) was in neither (a second review: up to 0.16 of full
    scale off at 96 kHz). Now the accompaniment is the input minus the solo's parts resampled back: what it leaves
    out of the input holds nothing there."""
    from scipy.signal import sawtooth

    t = np.arange(rate * 4) / rate
    noise = np.random.default_rng(0).standard_normal((t.size, 2)) * 0.05
    x = (np.stack([0.3 * sawtooth(2 * np.pi * 55 * t), 0.2 * sawtooth(2 * np.pi * 82.4 * t)], axis=1)
         + noise).astype(np.float32)
    stems = pipeline.separate(x, rate, shipped)
    left_out = np.abs(np.fft.rfft((x - stems.accompaniment).mean(axis=1)))  # the solo's parts
    whole = np.abs(np.fft.rfft(x.mean(axis=1)))
    f = np.fft.rfftfreq(t.size, 1 / rate)
    edge = f > 22050 if rate > 2 * 22050 else f > 10500
    assert np.max(left_out[edge]) < 0.02 * np.max(whole[edge])
