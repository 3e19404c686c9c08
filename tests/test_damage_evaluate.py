"""``jazzremix evaluate`` refuses stems that do not match their mixture (rate, length, channels) in one line."""

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli.main import main
from tiny_models import tiny_separator

RATE = 44100


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return tiny_separator(tmp_path_factory.mktemp("eval_model") / "sep.onnx")


def make_track(folder, n=RATE, solo_kw=None, acc_kw=None):
    """mixture = solo + accompaniment; ``*_kw`` change a stem's ``frames``, ``rate`` or ``channels``."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    solo = 0.1 * rng.standard_normal((n, 2)).astype(np.float32)
    acc = 0.1 * rng.standard_normal((n, 2)).astype(np.float32)
    sf.write(folder / "mixture.wav", solo + acc, RATE, subtype="FLOAT")
    for name, x, kw in (("solo", solo, solo_kw or {}), ("accompaniment", acc, acc_kw or {})):
        x = x[: kw.get("frames", n)]
        x = x[:, :1] if kw.get("channels") == 1 else x
        sf.write(folder / f"{name}.wav", x, kw.get("rate", RATE), subtype="FLOAT")


@pytest.mark.parametrize("bad, words", [
    ({"solo_kw": {"frames": RATE - 100}}, "solo.wav has 44,000 frames, mixture.wav 44,100 (-0.002 s)"),
    ({"acc_kw": {"rate": 48000}}, "accompaniment.wav is at 48000 Hz, mixture.wav at 44100 Hz"),
    ({"solo_kw": {"channels": 1}}, "solo.wav has 1 channel(s), mixture.wav 2"),
])
def test_mismatched_stems_are_refused_before_any_scoring(tmp_path, model, capfd, bad, words):
    make_track(tmp_path / "ds" / "a_good")
    make_track(tmp_path / "ds" / "b_bad", **bad)
    assert main(["evaluate", str(tmp_path / "ds"), "--model", str(model)]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jazzremix: error: ") and words in err[0], err
    assert "b_bad" in err[0] and "unexpected" not in err[0]


def test_matching_stems_are_scored(tmp_path, model, capfd):
    make_track(tmp_path / "ds" / "a")
    assert main(["evaluate", str(tmp_path / "ds"), "--model", str(model), "--json"]) == 0
    assert '"n_tracks": 1' in capfd.readouterr().out
