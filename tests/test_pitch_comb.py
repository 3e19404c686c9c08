"""Mono recordings' solo kept to the partials of its own pitch (core/signal/pitch_comb.py, rule r28): the comb, the
stream equal to the whole-signal edit, nothing taken where nothing is mono, and the separation of a mono recording
giving the accompaniment what the solo loses."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.constants import MODEL_RATE, N_BINS, N_FFT
from jazzremix_gui.core.signal import pitch_comb
from jazzremix_gui.core.signal.pitch_comb import FLOOR, UNVOICED, PitchComb, comb, comb_solo, weights
from tiny_models import tiny_separator

RATE = MODEL_RATE


def _line(seconds=9.0, seed=0):
    """A melodic line that rests a third of the time, over a little noise: (n,) float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = np.array([220.0, 247.0, 262.0, 294.0, 330.0, 294.0])[(t * 2).astype(int) % 6]
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    return (0.3 * (np.sin(phase) + 0.5 * np.sin(2 * phase)) * (t % 3 < 2) + 0.05 * rng.standard_normal(t.size)) \
        .astype(np.float32)


@pytest.mark.parametrize("f0", [70.0, 220.0, 440.0, 1200.0])
def test_the_comb_is_the_largest_bump_of_every_partial(f0):
    bins = np.arange(N_BINS)[:, None]
    centres = np.arange(1, int(pitch_comb.TOP_HZ / f0) + 1) * f0 / (RATE / N_FFT)
    widths = np.sqrt(1.5 ** 2 + (pitch_comb.REL_WIDTH * centres) ** 2)
    every = np.exp(-0.5 * ((bins - centres) / widths) ** 2).max(axis=1)  # every partial's bump, not three
    got = comb(np.array([f0, 0.0]))
    np.testing.assert_allclose(got[0], every, atol=2e-5)  # float32
    assert not got[1].any()  # no pitch, no comb
    w = weights(np.array([f0, 0.0]))
    assert w[0].min() == pytest.approx(FLOOR, abs=1e-6) and w[0].max() == pytest.approx(1.0, abs=1e-4)
    assert (w[1] == UNVOICED).all()  # no pitch: every bin turned down alike (rule r32)


def test_where_the_line_rests_the_solo_is_turned_down_by_the_unvoiced_weight_and_kept_where_it_plays():
    solo = _line()
    whole = comb_solo(solo)
    t = np.arange(solo.size) / RATE

    def db(span):
        return 10 * np.log10((whole[span] ** 2).sum() / (solo[span] ** 2).sum())

    rest = (t % 3 > 2.2) & (t % 3 < 2.8)  # noise only: YIN hears no pitch
    assert db(rest) == pytest.approx(20 * np.log10(UNVOICED), abs=0.3)
    playing = (t % 3 > 0.2) & (t % 3 < 1.8)
    assert db(playing) > -1.0  # the line's partials stay (what it loses: the noise between them)


def test_the_stream_is_the_whole_edit_and_the_accompaniment_takes_what_the_solo_loses():
    solo = _line()
    rng = np.random.default_rng(1)
    acc = (0.1 * rng.standard_normal((solo.size, 2))).astype(np.float32)
    whole = comb_solo(solo)
    removed = 10 * np.log10(((solo - whole) ** 2).sum() / (solo ** 2).sum())
    assert -30 < removed < -10  # it takes something, not the line
    stream = PitchComb(solo.size)
    stream.mark_mono(0, solo.size + pitch_comb.HOP)
    outs, i = [], 0
    while i < solo.size:
        k = int(rng.integers(50, 40000))
        outs.append(stream.push(solo[i:i + k], acc[i:i + k]))
        i += k
    outs.append(stream.finish())
    got_solo, got_acc = (np.concatenate(parts) for parts in zip(*outs))
    assert np.array_equal(got_solo, whole)  # bit for bit, whatever the blocks
    np.testing.assert_allclose(got_acc, acc + (solo - whole)[:, None], atol=1e-7)
    np.testing.assert_allclose(got_solo[:, None] + got_acc, solo[:, None] + acc, atol=1e-6)  # still the recording


def test_nothing_is_taken_where_nothing_is_mono():
    rng = np.random.default_rng(2)
    solo = rng.standard_normal(100_000).astype(np.float32)
    acc = rng.standard_normal((100_000, 2)).astype(np.float32)
    acc[7] = -0.0
    stream = PitchComb(solo.size)
    outs = [stream.push(solo[i:i + 30_000], acc[i:i + 30_000]) for i in range(0, solo.size, 30_000)]
    outs.append(stream.finish())
    got_solo, got_acc = (np.concatenate(parts) for parts in zip(*outs))
    assert np.array_equal(got_solo, solo) and np.array_equal(got_acc, acc) and np.signbit(got_acc[7, 0])


def _without_comb(monkeypatch):
    monkeypatch.setattr(pipeline._SeparationSteps, "_combed", lambda self, solo, acc, x, last: (solo, acc, x))


@pytest.mark.parametrize("rate", [44100, 48000])
def test_a_mono_recording_is_separated_with_the_comb_and_a_stereo_one_without(tmp_path, monkeypatch, rate):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    t = np.arange(int(6 * rate)) / rate
    chord = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (130.8, 155.6, 185.0))
    line = np.interp(t, np.arange(_line(7).size) / RATE, _line(7))
    mono = (line + chord).astype(np.float32)[:, None]
    combed = pipeline.separate(mono, rate, model)
    assert combed.solo.shape == (mono.shape[0],) and combed.accompaniment.shape == (mono.shape[0], 2)
    np.testing.assert_allclose(combed.solo[:, None] + combed.accompaniment, np.repeat(mono, 2, axis=1), atol=2e-5)
    stereo = np.stack([mono[:, 0], 0.9 * mono[:, 0] + 0.3 * mono[::-1, 0]], axis=1)  # another part on the right
    as_it_was = pipeline.separate(stereo, rate, model)
    with monkeypatch.context() as m:
        _without_comb(m)
        plain = pipeline.separate(mono, rate, model)
        assert np.array_equal(pipeline.separate(stereo, rate, model).solo, as_it_was.solo)  # stereo: untouched
    assert not np.allclose(plain.solo, combed.solo, atol=1e-4)
    if rate == RATE:  # at the separation's rate: the edit of the plain solo, as comb_solo makes it
        np.testing.assert_allclose(combed.solo, comb_solo(plain.solo), atol=1e-6)


@pytest.mark.parametrize("level", [False, None])
@pytest.mark.parametrize("turns_mono", [False, True])
def test_mono_material_at_another_rate_is_separated_whole_when_blocks_come_between_ticks(tmp_path, level, turns_mono):
    """Input blocks shorter than the separation's: ticks that bring no block reach the comb, and at 48 kHz each must
    still carry the input's samples (a 15 s mono file at 48 kHz once failed with "not enough values to unpack"); the
    comb on a thread of its own (mono from the start) or in the synthesis's (a recording that turns mono)."""
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    rate = 48000
    line = _line(16)
    mono = np.interp(np.arange(15 * rate) / rate, np.arange(line.size) / RATE, line).astype(np.float32)
    x = np.repeat(mono[:, None], 2, axis=1)
    if turns_mono:  # another part on the right for the first 3 s
        x[: 3 * rate, 1] = 0.8 * mono[: 3 * rate] + 0.3 * mono[3 * rate : 6 * rate][::-1]
    stems = pipeline.separate(x if turns_mono else mono, rate, model, level=level)
    assert stems.pitch_comb_s > 8
    if not turns_mono:
        np.testing.assert_allclose(stems.solo[:, None] + stems.accompaniment, x, atol=2e-5)
    else:
        assert stems.solo.shape == (x.shape[0],) and np.isfinite(stems.accompaniment).all()


def test_the_separators_card_says_what_mono_separations_get():
    import json
    from pathlib import Path

    card = json.loads((Path(__file__).resolve().parents[1] / "models" / "separator.json").read_text())
    assert card["mono"]["floor"] == FLOOR and card["mono"]["hop"] == pitch_comb.HOP
    assert "checkpoints/r28/rule.txt" in card["mono"]["rule"] and "pitch_comb.py" in card["mono"]["applied"]


def test_separate_says_what_the_comb_did_on_mono_material_and_nothing_on_stereo(tmp_path, capsys):
    import json

    import soundfile as sf

    from jazzremix_gui.cli.main import main as cli

    sep = tiny_separator(tmp_path / "s.onnx")
    line = _line(5)
    for name, x in (("mono", line), ("stereo", np.stack([line, 0.8 * line + 0.3 * line[::-1]], axis=1))):
        sf.write(tmp_path / f"{name}.wav", x, RATE, subtype="FLOAT")
        assert cli(["separate", str(tmp_path / f"{name}.wav"), "--out", str(tmp_path / name), "--model", str(sep),
                    "--json"]) == 0
        out = capsys.readouterr()
        seconds = json.loads(out.out)["files"][0]["pitch_comb_s"]
        if name == "mono":
            assert seconds == pytest.approx(5.0, abs=0.5)
            assert f"mono material ({seconds:.0f} s): the solo kept to the partials of its own pitch" in out.err
        else:
            assert seconds == 0 and "mono material" not in out.err


def test_without_the_mono_comb_mono_material_is_the_networks_and_stereo_is_the_same(tmp_path, monkeypatch):
    from jazzremix_gui.core.models import without_mono_comb

    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    plain_model = without_mono_comb(model)
    assert plain_model.meta.version.endswith("without the mono comb") and not plain_model.meta.mono_comb
    assert without_mono_comb(plain_model) is plain_model and plain_model.meta.based_on == model.meta.version
    mono = _line(6)[:, None]
    got = pipeline.separate(mono, RATE, plain_model)
    with monkeypatch.context() as m:
        _without_comb(m)
        plain = pipeline.separate(mono, RATE, model)
    assert got.pitch_comb_s == 0 and np.array_equal(got.solo, plain.solo)
    assert np.array_equal(got.accompaniment, plain.accompaniment)
    assert pipeline.separate(mono, RATE, model).pitch_comb_s > 0
    stereo = np.stack([_line(6), 0.8 * _line(6) + 0.3 * _line(6)[::-1]], axis=1)
    assert np.array_equal(pipeline.separate(stereo, RATE, plain_model).solo, pipeline.separate(stereo, RATE, model).solo)


def test_separate_no_mono_comb_says_nothing_of_a_comb_and_names_the_separator_so(tmp_path, capsys):
    import json

    import soundfile as sf

    from jazzremix_gui.cli.main import main as cli

    sep = tiny_separator(tmp_path / "s.onnx")
    sf.write(tmp_path / "mono.wav", _line(5), RATE, subtype="FLOAT")
    assert cli(["separate", str(tmp_path / "mono.wav"), "--out", str(tmp_path / "out"), "--model", str(sep),
                "--no-mono-comb", "--json"]) == 0
    out = capsys.readouterr()
    entry = json.loads(out.out)["files"][0]
    assert entry["pitch_comb_s"] == 0 and entry["separator"].endswith("without the mono comb")
    assert "mono material" not in out.err


def test_the_comb_report_says_short_spans_as_they_are():
    from jazzremix_gui.core.signal.pitch_comb import comb_text

    assert comb_text(0) == ""
    assert comb_text(0.0023).startswith("mono material (under 0.1 s): the solo kept")
    assert comb_text(0.43).startswith("mono material (0.4 s): ")
    assert comb_text(5.2).startswith("mono material (5 s): ")
    assert comb_text(5.2, 5.2).startswith("mono material (5 s, a mono record transferred in stereo): ")
    assert comb_text(0.6, 0.02).startswith("mono material (0.6 s, under 0.1 s of it a mono record transferred")
    assert comb_text(0.4, 0.02).startswith("mono material (0.4 s, under 0.1 s of it a mono record transferred")
    assert comb_text(12.2, 11.9).startswith("mono material (12 s, a mono record transferred in stereo): ")
    assert comb_text(12.2, 11.4).startswith("mono material (12 s, 11 s of it a mono record transferred")
