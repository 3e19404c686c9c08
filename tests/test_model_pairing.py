"""A mixer trained on one separator's stems says so, and the app and the CLI warn when it meets another."""

import numpy as np
import soundfile as sf

from jazzremix_gui.cli.main import main
from jazzremix_gui.core import pipeline
from jazzremix_gui.ui.main_window import mixer_source_text
from tiny_models import tiny_separator


def test_the_shipped_pair_matches():
    sep, mix = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
    assert mix.meta.paired_separator == sep.meta.version
    assert pipeline.pairing_problem(sep, mix) == ""


def test_another_separator_is_warned_about_once(tmp_path, capsys):
    other = tiny_separator(tmp_path / "other.onnx")
    wav = tmp_path / "take.wav"
    t = np.arange(3 * 44100) / 44100
    sf.write(wav, np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 330 * t)], 1) * 0.3, 44100)
    sep, mix = pipeline.load_model(other, "separator"), pipeline.load_model(None, "mixer")
    problem = pipeline.pairing_problem(sep, mix)
    shipped = pipeline.load_model(None, "separator").meta.version  # the shipped mixer's partner
    assert mix.meta.paired_separator == shipped
    assert shipped in problem and "tiny-sep-c0" in problem and "--separator" in problem
    assert main(["suggest", str(wav), "--model", str(other)]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "learnt from the stems" in line]
    assert len(err) == 1 and err[0].startswith("jazzremix: warning: the mixer ")
    # the app says it in short under the heat map, escaped for its rich text
    text = mixer_source_text(mix.meta.version, mix.meta.paired_separator, sep.meta.version)
    assert f"learnt from {shipped}'s stems, not tiny-sep-c0's" in text and "⚠" in text
    assert "⚠" not in mixer_source_text(mix.meta.version, shipped, shipped)
    assert mixer_source_text(mix.meta.version) == f"suggested by the shipped mixer ({mix.meta.version})"
