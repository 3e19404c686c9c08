"""Closed or broken stdout and stderr never lose work; the words of the errors around them (issue #23 item 6).

Each command runs as a user runs it (a subprocess under ``sh``, which closes the streams
with ``>&-`` and ``2>&-``), with tiny models; the tests read the files written, not only the
messages.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def models(tiny_models):
    return tiny_models / "separator.onnx", tiny_models / "mixer.onnx"


@pytest.fixture
def song(tmp_path):
    """Two seconds of two tones at 22.05 kHz."""
    t = np.arange(44100) / 22050
    path = tmp_path / "song.wav"
    sf.write(path, 0.3 * np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 220 * t)], 1), 22050,
             subtype="PCM_16")
    return path


def run_sh(redirect: str, *args, cwd=None, stdout=subprocess.PIPE):
    """``python -m jazzremix_gui ARGS REDIRECT`` under sh; returns the finished process."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = 'exec "$@" ' + redirect
    return subprocess.run(["sh", "-c", script, "sh", sys.executable, "-m", "jazzremix_gui", *map(str, args)],
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300, cwd=cwd, env=env)


def stems_of(folder: Path, song: Path) -> None:
    """Both stems are there, at the input's rate and length, and not silent."""
    ref = sf.info(str(song))
    for stem, channels in (("solo", 1), ("accompaniment", 2)):
        audio, rate = sf.read(folder / f"{song.stem}.{stem}.wav", always_2d=True)
        assert (rate, audio.shape) == (ref.samplerate, (ref.frames, channels))
        assert np.abs(audio).max() > 1e-3


def test_separate_with_stderr_closed_writes_its_stems(tmp_path, models, song):
    proc = run_sh("2>&-", "separate", song, "--out", tmp_path / "o", "--model", models[0])
    assert proc.returncode == 0, proc.stderr
    stems_of(tmp_path / "o", song)


def test_suggest_with_stdout_closed_fails_and_says_why(tmp_path, models, song):
    proc = run_sh(">&-", "suggest", song, "--json", "--model", models[0], "--mixer", models[1])
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "jazzremix: error: standard output is closed: the command's output (")
    assert "Traceback" not in proc.stderr
    both = run_sh(">&- 2>&-", "suggest", song, "--model", models[0], "--mixer", models[1])
    assert both.returncode == 1 and both.stderr == ""


def test_separate_json_into_a_broken_pipe_keeps_the_stems(tmp_path, models, song):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written: every write is EPIPE
    try:
        proc = run_sh("", "separate", song, "--out", tmp_path / "o", "--json", "--model", models[0],
                      stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == 1
    assert "standard output hit a broken pipe (the program reading it has stopped)" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    stems_of(tmp_path / "o", song)


def test_a_file_name_that_looks_like_an_option(tmp_path, models, song):
    odd = tmp_path / "-x.wav"
    odd.write_bytes(song.read_bytes())
    proc = run_sh("", "separate", "-x.wav", "--out", "o", "--model", models[0], cwd=tmp_path)
    assert proc.returncode == 2
    assert "-x.wav: this file name looks like an option; write ./-x.wav or put -- before it" in proc.stderr
    assert not (tmp_path / "o").exists()
    ok = run_sh("", "separate", "--out", "o", "--model", models[0], "--", "-x.wav", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert sf.info(str(tmp_path / "o" / "-x.solo.wav")).frames == sf.info(str(song)).frames
    # a negative number is a value, never taken for a file name
    neg = run_sh("", "remix", song, "--out", tmp_path / "r.wav", "--pan", "-10.5", "--gain", "0.5",
                 "--model", models[0], "--mixer", models[1])
    assert neg.returncode == 0, neg.stderr


def test_deleted_working_folder_is_named(tmp_path, models, song):
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.run(["sh", "-c", f'cd "{gone}" && rmdir "{gone}" && exec "$@"', "sh", sys.executable, "-m",
                           "jazzremix_gui", "separate", "x.wav", "--out", "o", "--model", str(models[0])],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 1
    line = proc.stderr.strip().splitlines()[-1]
    assert str(gone) in line and "the working folder no longer exists" in line, proc.stderr
