"""The ``jazzremix`` command line, run as a user runs it (a subprocess), with tiny models."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tiny_models import tiny_mixer, tiny_separator

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-jazz"


def jazzremix(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_models")
    return tiny_separator(d / "sep.onnx", context=2), tiny_mixer(d / "mix.onnx")


@pytest.fixture
def song(tmp_path):
    rate = 48000
    t = np.arange(rate * 3) / rate
    x = 0.3 * np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 220 * t)], 1)
    path = tmp_path / "song.flac"
    sf.write(path, x, rate, subtype="PCM_24")
    return path


def test_help_and_version():
    out = jazzremix("--help").stdout
    for cmd in ("separate", "suggest", "remix", "evaluate", "gui"):
        assert cmd in out
    assert jazzremix("--version").stdout.startswith("jazzremix ")


@pytest.mark.parametrize("args", [("separate", "{song}", "-o", ""), ("remix", "{song}", "-o", ""),
                                  ("separate", "", "-o", "out"), ("suggest", ""), ("batch", "{song}", "-o", ""),
                                  ("separate", "{song}", "-o", "out", "--model", "  ")])
def test_an_empty_file_or_folder_name_is_a_usage_error(tmp_path, song, args):
    """``-o ''`` wrote into the current folder and an empty input read it whole: most likely an unset variable."""
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", *(a.format(song=song) for a in args)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 2 and "an empty name is not a file or folder" in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.flac"]  # nothing written here


def test_separate_writes_aligned_stems(tmp_path, models, song):
    proc = jazzremix("separate", song, "--out", tmp_path / "out", "--model", models[0], "--format", "flac")
    assert proc.returncode == 0, proc.stderr
    solo = sf.info(tmp_path / "out" / "song.solo.flac")
    acc = sf.info(tmp_path / "out" / "song.accompaniment.flac")
    src = sf.info(song)
    assert (solo.channels, acc.channels) == (1, 2)
    assert solo.frames == acc.frames == src.frames and solo.samplerate == acc.samplerate == 48000


def test_bad_inputs_fail_alone(tmp_path, models, song):
    text = tmp_path / "text.wav"
    text.write_text("not audio at all")
    empty = tmp_path / "empty.wav"
    empty.touch()
    good = tmp_path / "good.wav"
    sf.write(good, np.zeros((44100, 2)), 44100, subtype="PCM_16")
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(good.read_bytes()[:44])  # header only (a file cut later is processed, with a warning)
    zero = tmp_path / "zero.wav"
    sf.write(zero, np.zeros((0, 1)), 44100)
    bad = [tmp_path / "missing.wav", text, empty, trunc, zero]
    out = tmp_path / "out"
    proc = jazzremix("separate", *bad, song, "--out", out, "--model", models[0])
    assert proc.returncode != 0
    errors = [l for l in proc.stderr.splitlines() if l.startswith("jazzremix: error:")]
    assert len(errors) == len(bad)
    for path, line in zip(bad, errors):
        assert str(path) in line
    assert sorted(p.name for p in out.iterdir()) == ["song.accompaniment.wav", "song.solo.wav"]


def test_unwritable_output_and_bad_models(tmp_path, models, song):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = jazzremix("separate", song, "--out", blocker / "sub", "--model", models[0])
    assert proc.returncode != 0 and "cannot create output folder" in proc.stderr
    not_onnx = tmp_path / "m.onnx"
    not_onnx.write_text("garbage")
    for model, words in ((tmp_path / "nope.onnx", "not found"), (not_onnx, "not a valid ONNX model")):
        proc = jazzremix("separate", song, "--out", tmp_path / "o2", "--model", model)
        assert proc.returncode != 0 and words in proc.stderr and str(model) in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())


def test_suggest_json_and_remix(tmp_path, models, song):
    proc = jazzremix("suggest", song, "--json", "--model", models[0], "--mixer", models[1])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    post = np.array(data["posterior"])
    assert post.shape == (19, 21) and post.sum() == pytest.approx(1)
    assert -45 <= data["pan_deg"] <= 45 and 0 <= data["gain"] <= 2
    out = tmp_path / "remix.wav"
    proc = jazzremix("remix", song, "--out", out, "--pan", "-45", "--gain", "0", "--model", models[0])
    assert proc.returncode == 0, proc.stderr
    remix, rate = sf.read(out)
    assert rate == 48000 and remix.shape == (sf.info(song).frames, 2)
    proc = jazzremix("remix", song, "--out", tmp_path / "r2.wav", "--model", models[0], "--mixer", models[1])
    assert proc.returncode == 0 and (tmp_path / "r2.wav").exists()
    proc = jazzremix("remix", song, "--out", tmp_path / "r3.wav", "--pan", "90", "--model", models[0])
    assert proc.returncode != 0 and "--pan" in proc.stderr


def test_silence_is_kept_as_recorded_and_mono_identity(tmp_path, models):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((44100 * 5, 2), np.float32), 44100, subtype="FLOAT")
    proc = jazzremix("suggest", silent, "--json", "--model", models[0], "--mixer", models[1])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["kept_as_recorded"] and not data["clear"] and (data["pan_deg"], data["gain"]) == (0.0, 1.0)
    assert np.array(data["posterior"]).shape == (19, 21) and data["status"].startswith("no clear suggestion")
    text = jazzremix("suggest", silent, "--model", models[0], "--mixer", models[1]).stdout
    assert "no clear suggestion: kept as recorded" in text
    # a mono recording remixed at pan 0, gain 1 is the recording itself
    rng = np.random.default_rng(1)
    t = np.arange(44100 * 3) / 44100
    mono = (0.3 * np.sin(2 * np.pi * 330 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    sf.write(tmp_path / "mono.wav", mono, 44100, subtype="FLOAT")
    out = tmp_path / "same.wav"
    proc = jazzremix("remix", tmp_path / "mono.wav", "--out", out, "--pan", "0", "--gain", "1", "--bits", "32",
                     "--model", models[0])
    assert proc.returncode == 0 and "+0.0 dB vs the recording" in proc.stderr
    remix, _ = sf.read(out, dtype="float32")
    err = np.mean((remix - mono[:, None]) ** 2) / np.mean(mono ** 2)
    assert 10 * np.log10(err) < -60


def test_evaluate_dataset(tmp_path, models):
    rng = np.random.default_rng(0)
    for k in range(2):
        d = tmp_path / "ds" / f"track_{k}"
        d.mkdir(parents=True)
        solo = 0.2 * np.sin(2 * np.pi * 440 * np.arange(44100 * 2) / 44100)[:, None] * np.array([[0.8, 0.6]])
        acc = 0.1 * rng.standard_normal((44100 * 2, 2))
        for name, x in (("solo", solo), ("accompaniment", acc), ("mixture", solo + acc)):
            sf.write(d / f"{name}.wav", x.astype(np.float32), 44100, subtype="FLOAT")
    proc = jazzremix("evaluate", tmp_path / "ds", "--json", "--model", models[0])
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["n_tracks"] == 2
    med = res["median"]
    assert med["oracle_solo"] > med["solo"] and med["oracle_solo"] > 10
    text = jazzremix("evaluate", tmp_path / "ds", "--model", models[0]).stdout
    assert "MEDIAN" in text and "oracle" in text


@pytest.mark.skipif(not (REAL / "seg4.mp3").exists(), reason="../shared/real-jazz/ is not present on this machine")
def test_separate_real_recording(tmp_path, models):
    src = REAL / "seg4.mp3"
    proc = jazzremix("separate", src, "--out", tmp_path, "--model", models[0])
    assert proc.returncode == 0, proc.stderr
    info = sf.info(src)
    for name, ch in (("seg4.solo.wav", 1), ("seg4.accompaniment.wav", 2)):
        i = sf.info(tmp_path / name)
        assert (i.frames, i.samplerate, i.channels) == (info.frames, info.samplerate, ch)
    mix, _ = sf.read(src)
    solo, _ = sf.read(tmp_path / "seg4.solo.wav")
    acc, _ = sf.read(tmp_path / "seg4.accompaniment.wav")
    assert np.sqrt(np.mean((solo + acc.mean(1) - mix.mean(1)) ** 2)) < 1e-3  # aligned with the input


def test_a_newline_in_a_name_found_in_a_folder_stays_in_its_line(tmp_path, models, song):
    """Found in a folder (not named), such a file's status lines were broken across lines."""
    (tmp_path / "in").mkdir()
    song.rename(tmp_path / "in" / "new\nline.flac")
    proc = jazzremix("separate", tmp_path / "in", "-o", tmp_path / "out", "--model", models[0])
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(line.startswith("file 1 of 1: ") and "new\\nline.flac" in line for line in lines), lines
    assert all(line.startswith(("created the output folder", "file 1 of 1: ", "  ")) for line in lines), lines


def test_a_side_given_for_a_mono_recording_is_said_to_change_nothing(tmp_path, models):
    """--solo-side steers the pan-aware step toward a side; a mono recording has none, so the stems are those of a
    run without it, and the command says so (the tags name the settings it ran with)."""
    t = np.arange(44100 * 2) / 44100
    sf.write(tmp_path / "mono.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 44100)
    runs = {}
    for name, extra in (("side", ["--solo-side", "30"]), ("plain", [])):
        proc = jazzremix("separate", tmp_path / "mono.wav", "-o", tmp_path / name, "--model", models[0], "--json",
                         *extra)
        assert proc.returncode == 0, proc.stderr
        runs[name] = (proc, sf.read(tmp_path / name / "mono.solo.wav")[0])
    line = f"{tmp_path / 'mono.wav'}: a mono recording has no sides: --solo-side 30 changed nothing"
    assert f"jazzremix: warning: {line}" in runs["side"][0].stderr
    assert json.loads(runs["side"][0].stdout)["files"][0]["warnings"] == [line]
    assert "--solo-side" not in runs["plain"][0].stderr and np.array_equal(runs["side"][1], runs["plain"][1])


def test_several_inputs_remixed_into_a_file_name_are_refused(tmp_path, models, song):
    """Several inputs go into a folder: a new ``-o b.wav`` made a folder of that name."""
    other = tmp_path / "other.flac"
    other.write_bytes(song.read_bytes())
    proc = jazzremix("remix", song, other, "-o", tmp_path / "out" / "b.wav", "--model", models[0], "--mixer",
                     models[1])
    assert proc.returncode == 2 and "several inputs are remixed into a folder, and this names a file" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_small_things_said_right(tmp_path, models, song):
    """--gain-db nan is a usage error (it muted the solo); remix's hint names only options it has; separate's new
    -o that names an audio file is refused (it made a folder of that name), and so is one that names a file; a suggest header with a newline in the
    name stays one line."""
    proc = jazzremix("remix", song, "-o", tmp_path / "r.wav", "--gain-db", "nan", "--model", models[0])
    assert proc.returncode == 2 and "--gain-db nan: not a number of dB" in proc.stderr
    assert jazzremix("remix", song, "-o", tmp_path / "r.wav", "--pan", "0", "--gain", "1",
                     "--model", models[0]).returncode == 0
    again = jazzremix("remix", song, "-o", tmp_path / "r.wav", "--pan", "0", "--gain", "1", "--model", models[0])
    assert again.returncode == 1 and again.stderr.strip().endswith("pass --overwrite to replace it, or choose another "
                                                                   "--out")
    proc = jazzremix("separate", song, "-o", tmp_path / "new" / "s.wav", "--model", models[0])
    assert proc.returncode == 2 and "names an audio file" in proc.stderr and not (tmp_path / "new").exists()
    notes = tmp_path / "notes.txt"  # an existing file (the input itself, say): said as such, left as it was
    notes.write_text("mine")
    for out in (notes, song):
        proc = jazzremix("separate", song, "-o", out, "--model", models[0])
        assert proc.returncode == 2 and f"{out}: the outputs go into a folder, and this is a file" in proc.stderr
    assert notes.read_text() == "mine"
    (tmp_path / "in").mkdir()
    for name in ("a.flac", "new\nline.flac"):
        (tmp_path / "in" / name).write_bytes(song.read_bytes())
    proc = jazzremix("suggest", tmp_path / "in", "--model", models[0], "--mixer", models[1])
    assert proc.returncode == 0 and f"file 2 of 2: {tmp_path / 'in'}/new\\nline.flac" in proc.stdout.splitlines()


@pytest.mark.parametrize("args, hint", [(("remix", "x.wav", "-o", "y.wav", "--gain-db", "-inf"), "--gain-db=-inf"),
                                        (("separate", "x.wav", "-o", "o", "--pan-aware", "-5,-1,9"),
                                         "--pan-aware=-5,-1,9")])
def test_a_value_that_starts_with_a_dash_is_shown_how_to_give(args, hint):
    proc = jazzremix(*args)
    assert proc.returncode == 2 and f"a value that starts with '-' goes after '=': {hint}" in proc.stderr
