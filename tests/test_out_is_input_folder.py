"""``--out`` is the folder the inputs come from: a second run does not take the first run's outputs for inputs."""

import numpy as np
import pytest
import soundfile as sf

from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)


def _takes(folder):
    folder.mkdir()
    t = np.arange(44100) / 44100
    for name, f in (("a.wav", 330), ("b.wav", 440)):
        sf.write(folder / name, 0.2 * np.stack([np.sin(2 * np.pi * f * t)] * 2, 1), 44100, subtype="PCM_16")


@pytest.mark.parametrize("command, outputs", [("separate", 4), ("remix", 2)])
def test_a_second_run_into_the_input_folder_skips_the_first_runs(tmp_path, models, command, outputs):  # noqa: F811
    d = tmp_path / "takes"
    _takes(d)
    options = ["--model", models[0]] + (["--mixer", models[1]] if command == "remix" else [])
    assert jazzremix(command, d, "-o", d, *options).returncode == 0
    first = {p.name: p.read_bytes() for p in d.iterdir()}
    assert len(first) == 2 + outputs
    again = jazzremix(command, d, "-o", d, *options)  # refused as existing, never a.solo.solo.wav
    assert again.returncode == 1 and f"skipped {outputs} files found in the input folders" in again.stderr
    assert again.stderr.count("already exists: not overwritten") == 2
    assert {p.name: p.read_bytes() for p in d.iterdir()} == first
    redo = jazzremix(command, d, "-o", d, *options, "--overwrite")
    assert redo.returncode == 0, redo.stderr
    assert sorted(p.name for p in d.iterdir()) == sorted(first)


def test_a_file_named_on_the_command_line_is_taken_at_its_word(tmp_path, models):  # noqa: F811
    """An earlier output named as an input is an input (and its outputs are refused where they are another's)."""
    d = tmp_path / "takes"
    _takes(d)
    assert jazzremix("separate", d / "a.wav", "-o", d, "--model", models[0]).returncode == 0
    named = jazzremix("separate", d / "a.solo.wav", "-o", d, "--model", models[0])
    assert named.returncode == 0 and "skipped" not in named.stderr
    assert (d / "a.solo.solo.wav").exists()


def test_a_users_own_file_named_like_an_output_stays_an_input(tmp_path, models):  # noqa: F811
    """Only files Jazz Remix wrote (their tags say so) are skipped: a user's own ``a.solo.wav`` in the folder is
    an input, and the input whose output it would be is refused, even with --overwrite."""
    d = tmp_path / "takes"
    _takes(d)
    t = np.arange(44100) / 44100
    sf.write(d / "a.solo.wav", 0.1 * np.sin(2 * np.pi * 550 * t), 44100, subtype="PCM_16")
    mine = (d / "a.solo.wav").read_bytes()
    proc = jazzremix("separate", d, "-o", d, "--model", models[0], "--overwrite")
    assert proc.returncode == 1 and "skipped" not in proc.stderr
    assert "its solo file" in proc.stderr and "is an input of this command" in proc.stderr
    assert (d / "a.solo.wav").read_bytes() == mine
