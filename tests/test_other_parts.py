"""Other parts the separator also takes for the solo (core/signal/spatial.py: other_readings; Network's ``others``):
found where they hold their place, carried to the stems, the cache, the CLI's words and JSON, and the app's links;
the stems themselves unchanged."""

import json
import threading

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.signal import spatial
from jazzremix_gui.core.signal.panlaw import pan_gains
from jazzremix_gui.core.signal.separation import RecordedSolo
from tiny_models import tiny_separator

RATE = 44100
STEP = spatial.PanAware(20, 0.2, 1.0)


def _two_parts(n=RATE * 3, other=0.8):
    """Tones panned -35 degrees (the louder: what the tiny model reads) and other tones at +30 degrees."""
    t = np.arange(n) / RATE
    a = sum(np.sin(2 * np.pi * f * t) for f in (440.0, 880.0, 1320.0)) / 3
    b = other * sum(np.sin(2 * np.pi * f * t) for f in (310.0, 620.0, 930.0)) / 3
    (gl, gr), (hl, hr) = pan_gains(-35.0), pan_gains(30.0)
    return np.stack([gl * a + hl * b, gr * a + hr * b], axis=1).astype(np.float32)


def _theta(pan):
    return float(np.deg2rad(pan + 45.0))


def _block(frames=8, bins=64):
    """Magnitudes ``(T, 2, F)``: bins below the middle a part at -30 degrees, above it one at +25."""
    mag = np.zeros((frames, 2, bins), np.float32)
    for sl, pan in ((slice(0, bins // 2), -30.0), (slice(bins // 2, bins), 25.0)):
        mag[:, 0, sl], mag[:, 1, sl] = pan_gains(pan)
    return mag


def test_a_part_that_holds_its_place_is_named_and_one_that_does_not_is_not():
    mag = _block()
    half = mag.shape[2] // 2
    calls = []

    def hear(theta, fickle=False, only=None):
        """The part nearer the steered direction (``only``: that part whatever the steering; ``fickle``: steered at
        the +25 part's reading, it gives the other)."""
        calls.append(theta)
        left = theta < np.pi / 4 if only is None else only == "left"
        if fickle and len(calls) > 2:
            left = True
        solo = np.zeros((mag.shape[0], mag.shape[2]), np.float32)
        solo[:, (slice(0, half) if left else slice(half, None))] = 1.0
        return solo

    found = spatial.other_readings(hear, mag, _theta(-30.0))
    assert len(found) == 1 and abs(np.rad2deg(found[0]) - 45.0 - 25.0) <= 2.0
    assert len(calls) == 3  # fully left (the solo again: no more), fully right, then steered at what it read
    calls.clear()
    found = spatial.other_readings(hear, mag, _theta(25.0))  # the other way round
    assert len(found) == 1 and abs(np.rad2deg(found[0]) - 45.0 + 30.0) <= 2.0
    calls.clear()
    assert spatial.other_readings(lambda t: hear(t, fickle=True), mag, _theta(-30.0)) == ()
    calls.clear()
    assert spatial.other_readings(lambda t: hear(t, only="left"), mag, _theta(-30.0)) == ()  # one part only
    assert len(calls) == 2


def test_the_separation_names_the_other_part_and_writes_the_same_stems(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    mix = _two_parts()
    got = {}
    for others, threads in ((True, False), (True, True), (False, False)):
        rec = RecordedSolo()
        blocks = [mix[i : i + 30000] for i in range(0, mix.shape[0], 30000)]
        out = list(pipeline.separate_stream(blocks, RATE, mix.shape[0], model, block_frames=32, pan_aware=STEP,
                                            recorded=rec, others=others, threads=threads))
        got[others, threads] = (np.concatenate([o[0] for o in out]), np.concatenate([o[1] for o in out]), rec)
    solo, acc, rec = got[True, False]
    assert abs(rec.pan_deg + 35.0) < 3.0
    assert len(rec.others_deg) == 1 and abs(rec.others_deg[0] - 30.0) <= 2.0, rec.others_deg
    assert got[True, True][2].others_deg == rec.others_deg and got[False, False][2].others_deg == ()
    for key in ((True, True), (False, False)):  # looking for others changes no sample
        np.testing.assert_array_equal(got[key][0], solo)
        np.testing.assert_array_equal(got[key][1], acc)
    stems = pipeline.separate(mix, RATE, model, block_frames=32, pan_aware=STEP)
    assert stems.others_deg == rec.others_deg
    one = _two_parts(other=0.0)  # nothing else holds a place
    assert pipeline.separate(one, RATE, model, block_frames=32, pan_aware=STEP).others_deg == ()
    mono = np.repeat(mix.mean(axis=1, keepdims=True), 2, axis=1)
    assert pipeline.separate(mono, RATE, model, block_frames=32, pan_aware=STEP).others_deg == ()
    given = spatial.PanAware(20, 0.2, 1.0, side_deg=30.0)  # the engineer's side: nothing is read
    assert pipeline.separate(mix, RATE, model, block_frames=32, pan_aware=given).others_deg == ()


def _helpers_alive():
    return [t for t in threading.enumerate() if t.name.startswith("jazzremix-others")]


class _Counting:
    """A separator that counts its calls and names the thread of each."""

    def __init__(self, model):
        self.model, self.meta, self.threads = model, model.meta, []

    def run(self, features):
        self.threads.append(threading.current_thread().name)
        return self.model.run(features)


@pytest.mark.parametrize("threads", [False, True])
def test_the_other_parts_are_heard_on_a_helper_beside_the_separation_which_ends_with_it(tmp_path, threads):
    model = _Counting(pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator"))
    mix = _two_parts()
    for frames, blocks in ((32, None), (4096, 1)):  # many blocks; one block, the first stereo one also the last
        rec = RecordedSolo()
        model.threads.clear()
        out = list(pipeline.separate_stream([mix], RATE, mix.shape[0], model, block_frames=frames, pan_aware=STEP,
                                            recorded=rec, threads=threads))
        assert len(rec.others_deg) == 1 and abs(rec.others_deg[0] - 30.0) <= 2.0, (frames, rec.others_deg)
        assert sum(o[0].shape[0] for o in out) == mix.shape[0] and not _helpers_alive()
        helper = [n for n in model.threads if n.startswith("jazzremix-others")]
        assert len(helper) == 3  # each side, then the other part's reading heard again; the rest on the step
        if blocks == 1:
            assert len(model.threads) == 5  # the mid and the steered block beside them


def test_a_separation_stopped_early_ends_the_helper(tmp_path):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    mix = _two_parts(n=RATE * 12)
    stream = pipeline.separate_stream([mix[i : i + 30000] for i in range(0, mix.shape[0], 30000)], RATE,
                                      mix.shape[0], model, block_frames=32, pan_aware=STEP, threads=True)
    next(stream)
    stream.close()  # the caller stops after the first block: the chain's threads and the helper are joined
    assert not _helpers_alive()


def test_hypotheses_hear_each_side_once_for_the_solo_and_the_other_parts(tmp_path):
    model = _Counting(pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator"))
    mix = _two_parts()
    rec = RecordedSolo()
    step = spatial.PanAware(20, 0.2, 1.0, hypotheses=1)
    list(pipeline.separate_stream([mix], RATE, mix.shape[0], model, block_frames=4096, pan_aware=step,
                                  recorded=rec))
    assert len(rec.others_deg) == 1 and abs(rec.others_deg[0] - 30.0) <= 2.0
    # the mid, each side once for both (on the helper), the two distinct readings steered, and the other part's
    # reading heard again (on the helper; the hypotheses' pass at it is not reused): 6 calls where each side was 2
    assert model.threads.count("jazzremix-others_0") == 3 and len(model.threads) == 6, model.threads
    assert not _helpers_alive()


def test_the_cache_keeps_the_other_parts(tmp_path, monkeypatch):
    from jazzremix_gui.core.signal.mixer import Suggestion
    from jazzremix_gui.services import cache

    monkeypatch.setattr(cache.paths, "cache_dir", lambda: tmp_path)
    n = 1000
    stems = pipeline.Stems(np.zeros(n, np.float32), np.zeros((n, 2), np.float32), RATE, "v", others_deg=(30.0, -41.5))
    post = np.full((19, 21), 1 / 399)
    sug = Suggestion(post, 0.0, 1.0, np.zeros((0, 399)), np.zeros(0), np.zeros(0, bool), [], "m", 0.5, True, 0.0)
    path = cache.save("k", stems, sug)
    back, _ = cache.load("k", rate=RATE, length=n)
    assert back.others_deg == (30.0, -41.5)
    z = dict(np.load(path))
    meta = json.loads(str(z["meta"]))
    for bad in ([50.0], [1.0, 2.0, 3.0], "30"):
        meta["others_deg"] = bad
        z["meta"] = np.array(json.dumps(meta))
        np.savez(path, **z)
        assert cache.load("k", rate=RATE, length=n) is None  # refused (and dropped), never trusted
        path = cache.save("k", stems, sug)
        z = dict(np.load(path))


def test_the_cli_says_where_else_the_solo_may_be(tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    wav = tmp_path / "take.wav"
    sf.write(wav, _two_parts(), RATE, subtype="FLOAT")
    model = str(tiny_separator(tmp_path / "s.onnx", pan_aware=STEP.to_text()))
    assert main(["separate", str(wav), "-o", str(tmp_path / "a"), "--model", model, "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert len(entry["solo_others_deg"]) == 1 and abs(entry["solo_others_deg"][0] - 30.0) <= 2.0
    assert main(["separate", str(wav), "-o", str(tmp_path / "b"), "--model", model]) == 0
    err = capsys.readouterr().err
    side = int(round(entry["solo_others_deg"][0]))
    assert (f"another part holds its place at pan +{side} deg (right): if that is the solo, run again with "
            f"--solo-side {side} (or --solo-side auto: the side whose solo is more often a single line)") in err, err
    assert main(["separate", str(wav), "-o", str(tmp_path / "c"), "--model", model, "--json",
                 "--solo-side", str(side)]) == 0
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert entry["solo_others_deg"] == [] and abs(entry["solo_pan_deg"] - side) < 5


@pytest.mark.parametrize("pans", [(), (30.0,), (30.0, -41.5)])
def test_the_words_name_each_other_part(pans):
    from jazzremix_gui.cli.suggest_cmd import others_text

    text = others_text(pans)
    assert (text == "") == (not pans)
    for p in pans:
        assert f"--solo-side {int(round(p))}" in text


def test_the_evaluation_counts_how_the_solos_side_was_read():
    from jazzremix_gui.core import evaluation

    rows = [dict(found_pan_deg=-30.0, others_deg=()),  # right
            dict(found_pan_deg=10.0, others_deg=(-29.0,)),  # wrong, the solo's side named
            dict(found_pan_deg=10.0, others_deg=(40.0,)),  # wrong, another part named
            dict(found_pan_deg=-33.0, others_deg=(20.0,)),  # right, another part named beside it
            dict(found_pan_deg=0.0, others_deg=()),  # a mono track: not counted
            dict(found_pan_deg=0.0, others_deg=())]  # no pan known: not counted
    metas = [dict(pan_deg=-30.0)] * 4 + [dict(pan_deg=-30.0, degradations=[{"type": "mono_collapse"}]), {}]
    got = evaluation.side_summary(rows, metas)
    assert got == dict(stereo=4, read_right=2, with_others=3, others_right=1, others_beside_right=1)
    result = dict(model="m", n_tracks=0, tracks=[], median=dict(solo=0.0, accompaniment=0.0, oracle_solo=0.0,
                                                                  oracle_accompaniment=0.0), sides=got)
    assert ("the solo's side, 4 stereo tracks: read within 8 deg of its pan on 2; another part named on 3 (the "
            "solo's side on 1 of the 2 read wrong, beside a right reading on 1)") in evaluation.format_report(result)
