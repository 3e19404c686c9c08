"""``--solo-silent``: where the engineer says the solo rests, the solo stem is silent and the accompaniment is the
recording (``core.signal.solo_rests``); what is written, and what is refused."""

import json
import re

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.signal import solo_rests
from jazzremix_gui.services import remix_writer
from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)

RATE = 44100


def _song(path, seconds=3.0):
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * RATE)) / RATE
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size),
                  0.2 * np.sin(2 * np.pi * 330 * t) + 0.05 * rng.standard_normal(t.size)], 1).astype(np.float32)
    sf.write(path, x, RATE, subtype="FLOAT")
    return x


def _read(path):
    return sf.read(path, dtype="float32", always_2d=True)[0]


def test_spans_are_read_sorted_merged_and_written_back():
    assert solo_rests.parse_spans("1:40-2:05, 0-12.5") == ((0.0, 12.5), (100.0, 125.0))
    assert solo_rests.parse_spans("10-20,15-30,1:00:00-1:00:01.5") == ((10.0, 30.0), (3600.0, 3601.5))
    assert solo_rests.parse_spans(solo_rests.format_spans(((0.5, 12.25), (3599.0, 3725.5)))) == \
        ((0.5, 12.25), (3599.0, 3725.5))
    for text, said in [("5-3", "ends before it starts"), ("1:75-2:00", "below 60"), ("abc-3", "not a time"),
                       ("12", "not a span"), (" , ", "no span given"), ("-3-4", "not a time")]:
        with pytest.raises(ValueError, match=said):
            solo_rests.parse_spans(text)
    assert solo_rests.within(((1.0, 2.0), (2.5, 9.0), (9.0, 10.0)), 3.0) == (((1.0, 2.0), (2.5, 3.0)), ((9.0, 10.0),))


def test_the_keep_curve_ramps_across_each_edge_and_is_the_same_block_by_block():
    spans = ((1.0, 2.0),)
    whole = solo_rests.keep_curve(spans, 0, 3 * RATE, RATE)
    half = int(np.ceil(solo_rests.FADE_S * RATE / 2))
    assert whole[: RATE - half].min() == 1.0 and whole[2 * RATE + half + 1:].min() == 1.0
    assert whole[RATE + half: 2 * RATE - half].max() == 0.0
    assert abs(whole[RATE] - 0.5) < 1e-3 and abs(whole[2 * RATE] - 0.5) < 1e-3  # centred on the edges
    assert np.all(np.diff(whole[RATE - half - 2: RATE + half + 2]) <= 0)  # a ramp down, then up
    pieces = np.concatenate([solo_rests.keep_curve(spans, a, 4096, RATE)[: min(4096, 3 * RATE - a)]
                             for a in range(0, 3 * RATE, 4096)])
    assert np.array_equal(pieces, whole)


def test_silenced_stems_add_up_to_the_recording_in_the_spans(tmp_path, tiny_models):
    x = _song(tmp_path / "x.wav")
    sep = pipeline.load_model(tiny_models / "separator.onnx")
    out = {}
    for name, spans in (("plain", ()), ("silent", ((1.0, 2.0),))):
        folder = tmp_path / name
        folder.mkdir()
        targets = {"solo": folder / "s.wav", "accompaniment": folder / "a.wav"}
        remix_writer.separate_stems(tmp_path / "x.wav", targets, OutputSpec("wav", 32), "none", separator=sep,
                                    solo_silent=spans)
        out[name] = _read(targets["solo"])[:, 0], _read(targets["accompaniment"])
    (solo, acc), (solo_s, acc_s) = out["plain"], out["silent"]
    assert np.abs(solo).max() > 0.02  # the tiny separator gives the solo something everywhere
    keep = solo_rests.keep_curve(((1.0, 2.0),), 0, len(x), RATE)
    inside, outside = keep == 0, keep == 1
    assert np.abs(solo_s[inside]).max() == 0.0
    assert np.abs(acc_s[inside] - x[inside]).max() < 1e-6
    assert np.abs(solo_s[outside] - solo[outside]).max() < 1e-6  # elsewhere the stems are the plain ones
    assert np.abs(acc_s[outside] - acc[outside]).max() < 1e-6
    ramp = ~inside & ~outside
    expect = keep[ramp, None] * acc[ramp] + (1 - keep[ramp, None]) * x[ramp]
    assert np.abs(acc_s[ramp] - expect).max() < 1e-5


def test_separate_and_remix_on_the_command_line(tmp_path, models):
    sep, _ = models
    x = _song(tmp_path / "x.wav")
    proc = jazzremix("separate", tmp_path / "x.wav", "--out", tmp_path / "o", "--model", sep, "--solo-silent",
                     "0:01-0:02,2.5-9", "--json", "--clip", "none", "--bits", "32")
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)["files"][0]
    assert entry["solo_silent"] == [[1.0, 2.0], [2.5, 3.0]]  # cut at the recording's end, as done
    assert "solo silenced in 2 spans (1.5 s" in proc.stderr
    solo = _read(tmp_path / "o" / "x.solo.wav")[:, 0]
    acc = _read(tmp_path / "o" / "x.accompaniment.wav")
    for a, b in ((1.0, 2.0), (2.5, 3.0)):
        span = slice(int(a * RATE) + 300, int(b * RATE) - 300)
        assert np.abs(solo[span]).max() == 0.0 and np.abs(acc[span] - x[span]).max() < 1e-6
    assert np.abs(solo[: RATE - 300]).max() > 0.01

    proc = jazzremix("remix", tmp_path / "x.wav", "--out", tmp_path / "r.wav", "--model", sep, "--pan", "30",
                     "--gain-db", "6", "--solo-silent", "1-2", "--json", "--clip", "none", "--bits", "32",
                     "--loudness", "keep")
    assert proc.returncode == 0, proc.stderr
    remix = _read(tmp_path / "r.wav")
    span = slice(RATE + 300, 2 * RATE - 300)
    assert np.abs(remix[span] - x[span]).max() < 1e-6  # no solo to move there: the recording as it is
    assert np.abs(remix[: RATE - 300] - x[: RATE - 300]).max() > 0.01  # elsewhere the solo moved
    assert json.loads(proc.stdout)["files"][0]["solo_silent"] == [[1.0, 2.0]]


def test_what_is_refused_writes_nothing(tmp_path, models):
    sep, _ = models
    _song(tmp_path / "x.wav")
    _song(tmp_path / "y.wav")
    for args, status, said in [
            (["--solo-silent", "2-1"], 2, "--solo-silent: '2-1' ends before it starts"),
            ([tmp_path / "y.wav", "--solo-silent", "0:01-0:02"], 2, "times of one recording, and 2 inputs"),
            (["--solo-silent", "0:04-0:05"], 1, "--solo-silent 0:04.00-0:05.00: starts after the recording's end "
                                                "(0:03.00)")]:
        proc = jazzremix("separate", tmp_path / "x.wav", *args, "--out", tmp_path / "o", "--model", sep)
        assert proc.returncode == status and said in proc.stderr, proc.stderr
        assert not (tmp_path / "o").exists()  # no output, no folder left behind


def test_the_feeder_plays_the_solo_silent_where_it_rests():
    from jazzremix_gui.playback import renderer as R
    from jazzremix_gui.playback.stream import Feeder, Ring

    rng = np.random.default_rng(5)
    n = 3 * RATE
    solo = (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / RATE)).astype(np.float32)
    acc = (0.1 * rng.standard_normal((n, 2))).astype(np.float32)
    mix = (acc + 0.7 * solo[:, None]).astype(np.float32)
    spans = ((0.5, 1.25),)
    keep = solo_rests.keep_curve(spans, 0, n, RATE)
    edited = solo_rests.silence_block(solo, acc, mix, keep)
    rings = []
    for material, silent in (((solo, acc), spans), (edited, ())):
        renderer, ring = R.BlockRenderer(), Ring()
        feeder = Feeder(renderer, ring, *material, mix, RATE, 48000)
        feeder.solo_silent = silent
        renderer.attach(ring, feeder.length, 48000)
        feeder.fill()  # from the start, as far as the ring holds (0.68 s: into the span)
        rings.append(ring)
    assert rings[0].wr == rings[1].wr > int(0.6 * 48000)
    assert np.abs(rings[0].solo - rings[1].solo).max() < 1e-6
    assert np.abs(rings[0].accompaniment - rings[1].accompaniment).max() < 1e-6
    assert np.abs(rings[0].solo[int(0.52 * 48000):rings[0].wr]).max() < 1e-3  # silent in the span


def test_the_session_keeps_the_spans_and_refuses_bad_ones():
    from jazzremix_gui.services import session, validation

    base = {"format": "jazzremix-session", "version": 2, "input": "/x.wav"}
    ok = session.check_session(dict(base, mix={"solo_silent": [[1.0, 2.5], [10, 12]]}))
    assert ok["mix"]["solo_silent"] == [[1.0, 2.5], [10, 12]]
    for bad, said in [([[2.0, 1.0]], "ends (1) before it starts (2)"), ([[1.0]], "not [start, end]"),
                      ([["a", 2]], "is 'a', not a number"), ([[-1, 2]], "solo_silent[0].start")]:
        with pytest.raises(validation.Invalid, match=re.escape(said)):
            session.check_session(dict(base, mix={"solo_silent": bad}))


def test_evaluate_silences_the_rests_between_the_phrases(tmp_path, tiny_models):
    from jazzremix_gui.core import evaluation

    meta = {"activity": [[0.2, 1.0], [2.0, 2.8]]}
    assert evaluation.marked_rests(meta, 3.0) == [(1.3, 1.95)]  # the first gap (0.15 s) and the last are too short
    assert evaluation.marked_rests({"activity": [[0.0, 1.0]]}, 3.0) == [(1.3, 3.0)]
    assert evaluation.marked_rests({}, 3.0) == []
    d = tmp_path / "set" / "track_00000"
    d.mkdir(parents=True)
    rng = np.random.default_rng(1)
    t = np.arange(3 * RATE) / RATE
    playing = ((t >= 0.2) & (t < 1.0)) | ((t >= 2.0) & (t < 2.8))
    solo = np.stack([0.2 * np.sin(2 * np.pi * 440 * t) * playing] * 2, 1).astype(np.float32)
    acc = (0.05 * rng.standard_normal((t.size, 2))).astype(np.float32)
    for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
        sf.write(d / f"{name}.wav", x, RATE, subtype="FLOAT")
    (d / "meta.json").write_text(json.dumps(meta))
    model = pipeline.load_model(tiny_models / "separator.onnx")
    plain = evaluation.evaluate_dataset(tmp_path / "set", model)
    silent = evaluation.evaluate_dataset(tmp_path / "set", model, rests=True)
    assert plain["solo_silent"] == "" and silent["solo_silent"] == "at the rests between the phrases"
    assert silent["tracks"][0]["solo"] > plain["tracks"][0]["solo"] + 0.1  # the bleed in the rest is gone
    assert silent["tracks"][0]["oracle_solo"] == plain["tracks"][0]["oracle_solo"]
    assert "the solo silent at each track's rests" in evaluation.format_report(silent)


def test_the_mix_state_keeps_the_spans_through_undo_and_its_json(qtbot):
    from PySide6.QtGui import QUndoStack

    from jazzremix_gui.ui.mixstate import MixState, SetSoloSilent
    from test_ui_state import suggestion_with_sections

    st, undo, seen = MixState(suggestion_with_sections()), QUndoStack(), []
    st.silent_changed.connect(lambda: seen.append(st.silent))
    undo.push(SetSoloSilent(st, 1.0, 2.0))
    undo.push(SetSoloSilent(st, 1.5, 3.0))  # overlapping: joined
    assert st.silent == ((1.0, 3.0),) and st.mix(800, 100).solo_silent == ((1.0, 3.0),)
    undo.push(SetSoloSilent(st, 2.0, 2.5, silent=False))
    assert st.silent == ((1.0, 2.0), (2.5, 3.0)) and len(seen) == 3
    saved = st.to_json()
    assert saved["solo_silent"] == [[1.0, 2.0], [2.5, 3.0]]
    again = MixState(suggestion_with_sections())
    again.apply_json(saved)  # a session or the autosaved edits, opened again
    assert again.silent == st.silent
    undo.undo()
    undo.undo()
    assert st.silent == ((1.0, 2.0),)
    again.apply_json({"pan_deg": 0.0})  # a session saved before the spans: none
    assert again.silent == ()
