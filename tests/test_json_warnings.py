"""The warning lines (damage, downmix, the models' pairing) also reach the JSON of `separate` and `suggest`."""

import json

import numpy as np
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline
from tiny_models import tiny_separator


def _six_channels(path):
    t = np.arange(2 * 44100) / 44100
    sf.write(path, np.stack([0.2 * np.sin(2 * np.pi * f * t) for f in (220, 330, 440, 55, 550, 660)], 1), 44100)
    return path


def test_separate_json_lists_each_inputs_warnings(tmp_path, capsys):
    six = _six_channels(tmp_path / "six.wav")
    two = tmp_path / "two.wav"
    sf.write(two, np.zeros((44100, 2)), 44100)
    assert main(["separate", str(six), str(two), "--out", str(tmp_path / "out"), "--json"]) == 0
    files = {f["input"]: f for f in json.loads(capsys.readouterr().out)["files"]}
    assert len(files[str(six)]["warnings"]) == 1 and "downmixed to stereo" in files[str(six)]["warnings"][0]
    assert files[str(two)]["warnings"] == []


def test_suggest_json_lists_downmix_and_pairing(tmp_path, capsys):
    six = _six_channels(tmp_path / "six.wav")
    assert main(["suggest", str(six), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 1 and "5.1" in warnings[0]
    other = tiny_separator(tmp_path / "other.onnx")
    assert main(["suggest", str(six), "--json", "--model", str(other)]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    shipped = pipeline.load_model(None, "separator").meta.version
    assert len(warnings) == 2 and f"learnt from the stems of {shipped}" in warnings[1]
