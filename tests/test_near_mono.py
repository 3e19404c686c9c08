"""Mono records transferred in stereo are separated as mono (core/signal/near_mono.py, rule r35): the
decorrelation ignores a level difference and a short delay, hears other parts and independent noise, short blocks
follow the one before, and the separation gives such a transfer the mono comb while a stereo recording is
separated as before, bit for bit."""

import numpy as np
import pytest

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.signal import near_mono
from jazzremix_gui.core.signal.near_mono import (INCOHERENT_DB, LIMIT_DB, MonoBlocks, decorrelation_db,
                                                  incoherent_share_db)
from jazzremix_gui.core.signal.stft import stft
from tiny_models import tiny_separator

RATE = MODEL_RATE


def _music(seconds=6.0, seed=0):
    """Two notes and a chord with a little noise: (n,) float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    f0 = np.where(t % 1 < 0.5, 220.0, 330.0)
    line = 0.3 * np.sin(2 * np.pi * np.cumsum(f0) / RATE)
    chord = 0.1 * sum(np.sin(2 * np.pi * f * t) for f in (130.8, 155.6, 185.0))
    return (line + chord + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def _transfer(mono, db=0.5, late=2, hiss_db=-50.0, seed=1):
    """``mono`` as a stereo transfer: the left ``db`` louder, the right ``late`` samples late, each with its own
    hiss ``hiss_db`` under the music: (n, 2) float32."""
    rng = np.random.default_rng(seed)
    hiss = rng.standard_normal((mono.size, 2)) * np.sqrt(np.mean(mono ** 2)) * 10 ** (hiss_db / 20)
    right = np.concatenate([np.zeros(late), mono[: mono.size - late]])
    return (np.stack([mono * 10 ** (db / 20), right], axis=1) + hiss).astype(np.float32)


def _spec(x):
    return np.stack([stft(x[:, 0], 1024), stft(x[:, 1], 1024)], axis=1)


@pytest.mark.parametrize("db, late", [(0.0, 0), (0.5, 0), (2.0, 3)])
def test_a_transfer_reads_far_under_the_limit_whatever_its_level_and_delay(db, late):
    assert decorrelation_db(_spec(_transfer(_music(), db, late, hiss_db=-50))) < LIMIT_DB - 5


def test_other_parts_elsewhere_or_loud_independent_noise_read_as_stereo():
    line, other = _music(seed=0), _music(seed=3)[::-1].copy()
    stereo = np.stack([line + 0.5 * other, 0.7 * line], axis=1)  # another part on the left only
    assert decorrelation_db(_spec(stereo)) > -20
    noisy = _transfer(_music(), hiss_db=-20)  # a hiss as loud as a narrow stereo image: stereo, to be safe
    assert decorrelation_db(_spec(noisy)) > LIMIT_DB
    assert np.isnan(decorrelation_db(np.zeros((64, 2, 2049), np.complex64)))


def test_one_loud_tone_over_independent_noise_is_stereo_though_its_bins_are_coherent():
    t = np.arange(6 * RATE) / RATE
    rng = np.random.default_rng(4)
    tone = np.sin(2 * np.pi * 110 * t)[:, None] * [0.1, 0.07]  # one tone placed left, noise 11 dB under it
    spec = _spec((tone + 0.02 * rng.standard_normal((t.size, 2))).astype(np.float32))
    assert decorrelation_db(spec) < -30  # the tone's bins decide the energy-squared weighting
    assert incoherent_share_db(spec) > INCOHERENT_DB  # a tenth of the energy differs between the channels
    assert not MonoBlocks()(spec)


@pytest.mark.parametrize("hiss_db, cutoff", [(-35, None), (-30, 12000.0)])
def test_a_worn_transfer_with_channels_of_different_response_is_still_mono(hiss_db, cutoff):
    from scipy.signal import butter, sosfilt

    x = _transfer(_music(), db=1.0, late=2, hiss_db=hiss_db)
    if cutoff:  # one channel duller: a cartridge's channels differ
        x[:, 1] = sosfilt(butter(1, cutoff, fs=RATE, output="sos"), x[:, 1])
    spec = _spec(x)
    assert decorrelation_db(spec) < LIMIT_DB and incoherent_share_db(spec) < INCOHERENT_DB
    assert MonoBlocks()(spec)


def test_the_frames_read_give_the_whole_blocks_figure_within_a_few_tenths():
    spec = _spec(_transfer(_music(), hiss_db=-45))
    assert decorrelation_db(spec) == pytest.approx(decorrelation_db(spec, step=1), abs=0.5)


def test_short_and_silent_blocks_follow_the_block_before():
    blocks = MonoBlocks()
    transfer, stereo = _spec(_transfer(_music())), _spec(np.stack([_music(), _music()[::-1].copy()], axis=1))
    assert blocks(transfer[:200])
    assert blocks(stereo[:near_mono.MIN_READ])  # too short to tell: as before
    assert blocks(np.zeros((100, 2, 2049), np.complex64))  # silent: as before
    assert not blocks(stereo[:200])
    assert not blocks(transfer[:8])
    identical = np.repeat(transfer[:8, :1], 2, axis=1)
    assert blocks(identical)  # bit-identical channels: mono however short
    assert not MonoBlocks()(stereo[:8])  # nothing before: short and different is stereo


def test_a_noisy_transfer_stays_mono_once_taken_and_a_stereo_block_after_it_does_not():
    noisy = _spec(_transfer(_music(), db=1.0, late=2, hiss_db=-18))
    assert LIMIT_DB < decorrelation_db(noisy) < near_mono.STAY_DB  # near the limit: not taken on its own
    assert not MonoBlocks()(noisy)
    blocks = MonoBlocks()
    assert blocks(_spec(_transfer(_music(), hiss_db=-50)))  # a clean stretch first
    assert blocks(noisy)  # then the noisier one stays mono
    stereo = _spec(np.stack([_music(), _music()[::-1].copy()], axis=1))
    assert not blocks(stereo) and not blocks(noisy)  # a stereo block ends it; the noisy one alone does not start it


def _without_near_mono(monkeypatch):
    """Only bit-identical channels count as mono, as before rule r35."""
    def exact(self, spec):
        return bool(np.array_equal(spec[:, 0], spec[:, 1]))
    monkeypatch.setattr(MonoBlocks, "__call__", exact)


def test_a_transfer_gets_the_mono_separation_and_a_stereo_recording_is_separated_as_before(tmp_path, monkeypatch):
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    transfer = _transfer(_music(8.0))
    got = pipeline.separate(transfer, RATE, model)
    assert got.pitch_comb_s == pytest.approx(8.0, abs=0.5)  # the whole transfer heard as mono
    assert got.transferred_s == got.pitch_comb_s  # and said to be a transfer
    # still the recording: the solo and the accompaniment's mid add up to the mid
    np.testing.assert_allclose(got.solo + got.accompaniment.mean(axis=1), transfer.mean(axis=1), atol=2e-5)
    stereo = np.stack([_music(8.0, seed=0) + 0.4 * _music(8.0, seed=6)[::-1], 0.8 * _music(8.0, seed=0)], axis=1)
    now = pipeline.separate(stereo, RATE, model)
    assert now.pitch_comb_s == 0
    with monkeypatch.context() as m:
        _without_near_mono(m)
        before = pipeline.separate(stereo, RATE, model)
        as_stereo = pipeline.separate(transfer, RATE, model)
    assert np.array_equal(now.solo, before.solo) and np.array_equal(now.accompaniment, before.accompaniment)
    assert as_stereo.pitch_comb_s == 0 and not np.allclose(as_stereo.solo, got.solo, atol=1e-4)


def test_separate_says_a_transfer_is_a_mono_record_in_stereo_and_a_mono_file_is_not(tmp_path, capsys):
    import json

    import soundfile as sf

    from jazzremix_gui.cli.main import main as cli

    sep = tiny_separator(tmp_path / "s.onnx")
    music = _music(5.0)
    for name, x in (("transfer", _transfer(music)), ("mono", music)):
        sf.write(tmp_path / f"{name}.wav", x, RATE, subtype="FLOAT")
        assert cli(["separate", str(tmp_path / f"{name}.wav"), "--out", str(tmp_path / name), "--model", str(sep),
                    "--json"]) == 0
        out = capsys.readouterr()
        entry = json.loads(out.out)["files"][0]
        assert entry["pitch_comb_s"] == pytest.approx(5.0, abs=0.5)
        said = "mono material (5 s, a mono record transferred in stereo): the solo kept" in out.err
        if name == "transfer":
            assert entry["transferred_s"] == entry["pitch_comb_s"] and said
            assert cli(["separate", str(tmp_path / "transfer.wav"), "--out", str(tmp_path / "side"), "--model",
                        str(sep), "--solo-side", "30", "--json"]) == 0
            out = capsys.readouterr()
            line = "a mono record transferred in stereo has no sides: --solo-side 30 changed nothing"
            assert line in out.err and any(line in w for w in json.loads(out.out)["files"][0]["warnings"])
        else:
            assert entry["transferred_s"] == 0 and not said and "mono material (5 s): the solo kept" in out.err


def test_evaluate_reads_each_track_as_a_transfer_and_scores_it_as_separate_does(tmp_path):
    import soundfile as sf

    from jazzremix_gui.cli.main import main as cli
    from jazzremix_gui.core import evaluation
    from jazzremix_gui.core.evaluation import global_sdr

    d = tmp_path / "set" / "track_00007"
    d.mkdir(parents=True)
    solo = np.stack([_music(4.0), 0.8 * _music(4.0)], axis=1)
    acc = np.stack([0.3 * _music(4.0, seed=3)[::-1], 0.2 * _music(4.0, seed=4)[::-1]], axis=1).astype(np.float32)
    for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
        sf.write(d / f"{name}.wav", x, RATE, subtype="FLOAT")
    (d / "meta.json").write_text("{}")
    model = pipeline.load_model(tiny_separator(tmp_path / "s.onnx"), "separator")
    rng = np.random.default_rng(7)  # the track's index; transfer a's hiss drawn first
    mono = (solo + acc).mean(axis=1)
    evaluation.mono_transfer(mono, "a", rng)
    x, k = evaluation.mono_transfer(mono, "b", rng)
    expected = global_sdr(np.float32(k) * solo.mean(axis=1), pipeline.separate(x, RATE, model).solo)
    got = evaluation.evaluate_dataset(tmp_path / "set", model, transfer="b")
    assert got["read"] == "as transfer b" and got["tracks"][0]["solo"] == pytest.approx(expected, abs=1e-9)
    assert "each track read as transfer b" in evaluation.format_report(got)
    assert set(evaluation.TRANSFERS) == {"a", "b"}  # the CLI's choices
    assert cli(["evaluate", str(tmp_path / "set"), "--model", str(tmp_path / "s.onnx"), "--mono", "--transfer",
                "a"]) == 2
    assert cli(["evaluate", str(tmp_path / "set"), "--model", str(tmp_path / "s.onnx"), "--transfer", "a",
                "--json"]) == 0
