"""A drum part played from a recorded multi-microphone kit (training.synth.drumkit, `synth --sampled-drums`)."""

import json

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.training.synth import drumkit
from jazzremix_gui.training.synth.instruments import KIT_BRUSH, KIT_JAZZ
from jazzremix_gui.training.synth.render import SynthError
from jazzremix_gui.training.synth.sampled import SampleLibraryError
from jazzremix_gui.training.synth.timing import Part
from tests.test_synth import TIMGM, needs_fs, _sine_library


def _kit(folder, pieces=("KdrumR", "Snare", "HihatClosed", "RideR"), hits=3, mics=("OHL", "OHR", "AmbL", "AmbR")):
    """A tiny kit: hit N of every piece a 0.2 s decaying burst of amplitude 0.1 N, the left microphone of each pair
    twice as loud as the right (so the pair's image shows)."""
    folder.mkdir(parents=True)
    (folder / "layout.json").write_text(json.dumps({"role": "drums"}))
    t = np.arange(int(0.2 * 44100)) / 44100
    burst = np.sin(2 * np.pi * 200 * t) * np.exp(-t / 0.03)
    for piece in pieces:
        (folder / piece).mkdir()
        for n in range(1, hits + 1):
            for mic in mics:
                amp = 0.1 * n * (1.0 if mic.endswith("L") else 0.5)
                sf.write(folder / piece / f"{n}-{piece}-{mic}.flac", amp * burst, 44100)
    return folder


def test_a_kit_is_indexed_by_piece_hit_and_microphone_pair(tmp_path):
    kit = drumkit.load_kit(_kit(tmp_path / "kit"))
    assert kit.name == "kit" and kit.pairs == ("overheads", "room") and kit.hits["Snare"] == (1, 2, 3)
    assert drumkit.is_kit(tmp_path / "kit") and not drumkit.is_kit(_sine_library(tmp_path / "sax"))
    assert drumkit.load_kit(_kit(tmp_path / "oh", mics=("OHL", "OHR"))).pairs == ("overheads",)
    with pytest.raises(SampleLibraryError, match="microphone pair"):
        drumkit.load_kit(_kit(tmp_path / "half", mics=("OHL", "AmbR")))
    with pytest.raises(SampleLibraryError, match="not found"):
        drumkit.load_kit(tmp_path / "nowhere")


def test_the_part_s_keys_strike_their_pieces_by_velocity_through_one_pair(tmp_path):
    kit = drumkit.load_kit(_kit(tmp_path / "kit"))
    rng = np.random.default_rng(0)
    assert {drumkit.hit_of(kit, "Snare", 1, rng) for _ in range(50)} == {1, 2}  # the softest, give or take one
    assert {drumkit.hit_of(kit, "Snare", 127, rng) for _ in range(50)} == {2, 3}
    part = Part("drums", "drums_swing", KIT_JAZZ, bank=128, drum=True)
    part.notes = [(0.1, 0.2, 36, 127), (0.5, 0.2, 76, 127), (0.9, 0.2, 38, 1)]  # kick, a woodblock, a soft snare
    out = drumkit.render_part(part, 44100, {"mics": "room"}, kit, np.random.default_rng(1))
    assert out.shape == (44100, 2) and out.dtype == np.float32 and np.isclose(np.abs(out).max(), 0.5)
    rms = lambda a, b: float(np.sqrt(np.mean(out[int(a * 44100):int(b * 44100), 0] ** 2)))  # noqa: E731
    assert rms(0.0, 0.099) == 0 and rms(0.1, 0.3) > 0 and rms(0.5, 0.7) < 1e-3 * rms(0.1, 0.3)  # the woodblock: silent
    assert rms(0.9, 1.0) < 0.7 * rms(0.1, 0.2)  # a soft hit is a softer sample
    np.testing.assert_allclose(out[:, 0], 2 * out[:, 1], atol=2e-4)  # the image: left twice the right (16-bit FLAC)
    assert drumkit.plays_part(part) and not drumkit.plays_part(Part("drums", "drums_brushes", KIT_BRUSH, bank=128,
                                                                        drum=True))


@needs_fs
def test_sampled_drums_replace_the_drum_part_alone(tmp_path, capsys):
    """--sampled-drums: 0 draws nothing (bit for bit); 1 plays a drum part not played with brushes from the kit,
    the arrangement and the other parts' draws unchanged; refusals by name, the CLI without a traceback."""
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.training.synth.dataset import generate_dataset, render_track

    bass = _sine_library(tmp_path / "bass", keys=range(24, 61, 3), mics=("",),
                         layers=tuple((f"vl{i}", 0.1 * i) for i in (1, 2, 3, 4)), layout={"c4_key": 60, "role": "bass"})
    kit = _kit(tmp_path / "kit")
    libs = f"{bass},{kit}"
    played = 0
    for index in range(6):
        plain, meta = render_track(11, index, 2.0, [TIMGM], sampled_bass=1.0, samples=str(bass))
        zero, meta0 = render_track(11, index, 2.0, [TIMGM], sampled_bass=1.0, samples=libs, sampled_drums=0.0)
        np.testing.assert_array_equal(plain["mixture"], zero["mixture"])
        assert meta == meta0 and "drums_voice" not in meta
        stems, meta1 = render_track(11, index, 2.0, [TIMGM], sampled_bass=1.0, samples=libs, sampled_drums=1.0)
        np.testing.assert_array_equal(stems["mixture"], stems["solo"] + stems["accompaniment"])
        assert meta1["bass_voice"] == meta["bass_voice"] and meta1["style"] == meta["style"]
        if "drums_voice" in meta1:
            played += 1
            assert meta1["soundfonts"]["drums"] == "sampled:kit" and meta1["drums_voice"]["mics"] in ("overheads", "room")
            assert not np.array_equal(stems["accompaniment"], plain["accompaniment"])
        else:  # a brush part keeps its soundfont: the kit was recorded with sticks
            assert "brushes" in next(i for i in meta1["accompaniment_instruments"] if i.startswith("drums"))
            np.testing.assert_array_equal(stems["mixture"], plain["mixture"])
    assert played >= 3
    with pytest.raises(SynthError, match="holds no drums library"):
        generate_dataset(tmp_path / "t", 1, 1.0, 5, [TIMGM], sampled_drums=0.5, samples=str(bass))
    with pytest.raises(SynthError, match="--sampled-drums is for training sets"):
        generate_dataset(tmp_path / "v", 1, 1.0, 5, generator="val", sampled_drums=0.5, samples=libs)
    assert main(["synth", "--out", str(tmp_path / "c"), "--tracks", "1", "--seconds", "1", "--soundfont", TIMGM,
                 "--sampled-drums", "0.5", "--samples", str(bass), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "holds no drums library" in err and "Traceback" not in err
    generate_dataset(tmp_path / "r", 1, 0.5, 5, [TIMGM], jobs=1, sampled_drums=1.0, samples=libs)
    info = json.loads((tmp_path / "r" / "dataset.json").read_text())
    assert info["sampled_drums"] == 1.0 and info["samples"] == "bass,kit"
