"""The solo's side chosen by pitch (core/signal/side_by_pitch.py, core.pipeline.choose_solo_side, ``--solo-side
auto``): YIN's voiced share streamed block by block, rule r26b's margins, the side a single line holds taken over
a chord's, and the CLI writing the stems of the side it names."""

import json

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main as cli
from jazzremix_gui.core import pipeline
from jazzremix_gui.core.models import with_solo_side
from jazzremix_gui.core.signal import side_by_pitch
from jazzremix_gui.core.signal.panlaw import pan_gains
from jazzremix_gui.core.signal.pitch import f0_hz
from jazzremix_gui.core.signal.side_by_pitch import SideChoice, SideReading, VoicedShare, pick_side
from tiny_models import tiny_separator

RATE = 44100


def _line(t):
    """One melodic line: a harmonic tone moving every half second."""
    f0 = np.array([220.0, 247.0, 262.0, 294.0, 330.0, 294.0])[(t * 2).astype(int) % 6]
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    return sum(np.sin(k * phase) / k for k in (1, 2, 3)) / 1.8


def _chord(t):
    """A diminished chord, three tones at once (no common period YIN finds in a window; a major triad's 4:5:6 has
    one)."""
    return sum(np.sin(2 * np.pi * f * t) for f in (261.6, 311.1, 370.0)) / 3


def _two_sides(line_pan=30.0, chord_pan=-35.0, line=0.8, chord=1.0, seconds=4.0):
    t = np.arange(int(seconds * RATE)) / RATE
    a, b = line * _line(t), chord * _chord(t)
    (gl, gr), (hl, hr) = pan_gains(line_pan), pan_gains(chord_pan)
    return (0.3 * np.stack([gl * a + hl * b, gr * a + hr * b], axis=1)).astype(np.float32)


def test_the_voiced_share_is_the_same_whatever_the_blocks_and_a_line_is_more_voiced_than_a_chord():
    rng = np.random.default_rng(0)
    t = np.arange(RATE * 7) / RATE
    x = (_line(t) * (t % 2 < 1.2) + 0.02 * rng.standard_normal(t.size)).astype(np.float32)
    v = VoicedShare(RATE)
    i = 0
    while i < x.size:
        k = int(rng.integers(100, 30000))
        v.push(x[i:i + k])
        i += k
    n = (x.size - 2048) // side_by_pitch.HOP + 1
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), 2048)[::side_by_pitch.HOP][:n]
    db = 10 * np.log10((frames ** 2).mean(axis=1) + 1e-20)
    loud = db > np.percentile(db, 95) - side_by_pitch.LOUD_RANGE_DB
    assert v.share() == float((f0_hz(x, side_by_pitch.HOP, n) > 0)[loud].mean())  # one call on the whole signal
    chord = VoicedShare(RATE)
    chord.push(_chord(t[: RATE * 3]))
    line = VoicedShare(RATE)
    line.push(_line(t[: RATE * 3]))
    assert line.share() > 0.9 > 0.1 > chord.share()
    assert VoicedShare(RATE).share() == 0.0  # nothing pushed


def test_another_side_needs_a_margin_and_a_share_not_much_lower():
    own = SideReading(7.5, 0.64, -11.5)
    assert pick_side(own, []) is own
    assert pick_side(own, [SideReading(-38.0, 0.645, -11.2)]) is own  # under the margin
    assert pick_side(own, [SideReading(-38.0, 0.70, -14.6)]) is own  # its solo 3.1 dB lower
    assert pick_side(own, [SideReading(-38.0, 0.70, -14.4)]).pan_deg == -38.0
    two = [SideReading(-38.0, 0.70, -11.0), SideReading(30.0, 0.80, -12.0)]
    assert pick_side(own, two).pan_deg == 30.0  # the most voiced of those that qualify
    assert pick_side(own, [SideReading(-38.0, 0.90, -20.0), SideReading(30.0, 0.66, -12.0)]).pan_deg == 30.0


def test_the_side_a_line_holds_is_taken_over_a_chords_and_kept_where_the_line_was_read(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx", pan_aware="20,0.2,1"), "separator")
    mix = _two_sides()  # the chord louder: the separator reads it as the solo
    plain = pipeline.separate(mix, RATE, model)
    assert abs(plain.recorded_pan_deg + 35.0) < 3.0 and len(plain.others_deg) == 1
    seen = []
    choice = pipeline.choose_solo_side(mix, model, RATE, progress=lambda f, m="": seen.append(f))
    assert choice.side_deg is not None and abs(choice.side_deg - 30.0) <= 2.0
    assert choice.own.voiced + side_by_pitch.VOICED_MARGIN <= choice.others[0].voiced
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)
    assert "separated toward 30° R, not 34.3° L" in choice.describe() and "30° R 99 %" in choice.describe()
    toward = pipeline.separate(mix, RATE, with_solo_side(model, choice.side_deg))
    assert abs(toward.recorded_pan_deg - 30.0) < 3.0
    # the line louder: read as the solo, and kept
    kept = pipeline.choose_solo_side(_two_sides(line=1.0, chord=0.8), model, RATE)
    assert kept.side_deg is None and kept.own is not None and abs(kept.read_deg - 30.0) < 3.0
    assert "stays at 31° R, where the separator read it" in kept.describe()
    longer = _two_sides(seconds=pipeline.READING_S + 8)  # the reading on the opening finds what the whole finds
    assert pipeline.separate(longer, RATE, model).others_deg == plain.others_deg
    assert pipeline.choose_solo_side(longer, model, RATE).side_deg == choice.side_deg
    alone = pipeline.choose_solo_side(_two_sides(chord=0.0), model, RATE)  # nothing else holds a place
    assert alone == SideChoice(None, alone.read_deg) and "no other part" in alone.describe()


def test_separate_with_solo_side_auto_writes_the_chosen_sides_stems_and_says_so(tmp_path, capsys):
    sep = tiny_separator(tmp_path / "s.onnx", pan_aware="20,0.2,1")
    src = tmp_path / "two.wav"
    sf.write(src, _two_sides(), RATE, subtype="FLOAT")
    assert cli(["separate", str(src), "--out", str(tmp_path / "auto"), "--model", str(sep), "--solo-side", "auto",
                "--json", "--clip", "none", "--format", "wav", "--bits", "32"]) == 0
    out = capsys.readouterr()
    entry = json.loads(out.out)["files"][0]
    side = entry["solo_side_by_pitch"]["side_deg"]
    assert abs(side - 30.0) <= 2.0 and "solo side by pitch: separated toward 30° R" in out.err
    assert cli(["separate", str(src), "--out", str(tmp_path / "given"), "--model", str(sep), "--solo-side", str(side),
                "--clip", "none", "--format", "wav", "--bits", "32"]) == 0
    for stem in ("solo", "accompaniment"):
        a, _ = sf.read(tmp_path / "auto" / f"two.{stem}.wav", dtype="float32")
        b, _ = sf.read(tmp_path / "given" / f"two.{stem}.wav", dtype="float32")
        assert np.array_equal(a, b)  # the same samples as the side given by hand
    assert cli(["suggest", str(src), "--model", str(sep), "--solo-side", "auto", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["solo_side_by_pitch"]["side_deg"] == side
    assert cli(["remix", str(src), "-o", str(tmp_path / "remix.wav"), "--model", str(sep), "--solo-side", "auto",
                "--pan", "0", "--gain", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["files"][0] if "files" in out else out)["solo_side_by_pitch"]["side_deg"] == side
    with pytest.raises(SystemExit) as usage:
        cli(["separate", str(src), "--out", str(tmp_path / "x"), "--solo-side", "left"])
    assert usage.value.code == 2 and not (tmp_path / "x").exists()
    assert "'left': a pan in degrees, -45 .. 45, or auto" in capsys.readouterr().err
