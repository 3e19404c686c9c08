"""Batch separation, naming, formats, modes and the remix options of the command line (subprocesses)."""

import json
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.audio.formats import FORMATS
from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)
from jazzremix_gui.services.remix_writer import render_remix

RATE = 44100


def write(path, channels=2, seconds=2.0, level=0.3, **tags):
    rng = np.random.default_rng(len(str(path)))
    x = (level * rng.standard_normal((int(seconds * RATE), channels))).clip(-1, 1).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(path, "w", RATE, channels, "PCM_24" if path.suffix == ".wav" else None) as f:
        for k, v in tags.items():
            setattr(f, k, v)
        f.write(x)
    return path


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_separate_folder_json_modes_and_tags(tmp_path, models, umask022):
    src = tmp_path / "in"
    write(src / "b" / "two.flac", title="Second", artist="Band")
    write(src / "a" / "one.wav", channels=1, title="First", artist="Band")
    (src / "a" / "notes.txt").write_text("not audio")
    out = tmp_path / "out"
    proc = jazzremix("separate", src, "--out", out, "--model", models[0], "--json", "--keep-mono",
                     "--filename", "{subfolder}/{name}-{stem}.{ext}", "--format", "flac", "--bits", "16")
    assert proc.returncode == 0, proc.stderr
    assert "skipped 1 non-audio file" in proc.stderr
    assert "file 1 of 2" in proc.stderr and "file 2 of 2" in proc.stderr
    summary = json.loads(proc.stdout)
    assert [f["input"] for f in summary["files"]] == [str(src / "a" / "one.wav"), str(src / "b" / "two.flac")]
    assert summary["written"] == 2 and summary["failed"] == 0 and summary["clip_mode"] == "limit"
    for f in summary["files"]:
        for o in f["outputs"]:
            p = o["path"]
            assert os.path.exists(p) and stat.S_IMODE(os.stat(p).st_mode) == 0o644
            assert {"over_full_scale", "true_peak_dbtp", "limited_samples"} <= o.keys()
    one_acc = out / "a" / "one-accompaniment.flac"
    assert sf.info(one_acc).channels == 1 and sf.info(out / "b" / "two-accompaniment.flac").channels == 2
    meta = sf.SoundFile(one_acc).copy_metadata()
    assert meta["title"] == "First (accompaniment)" and meta["artist"] == "Band" and "Jazz Remix" in meta["comment"]
    assert sf.info(out / "a" / "one-solo.flac").frames == 2 * RATE
    # the earlier run's files are not written over unless asked; --overwrite keeps a mode the user chose
    os.chmod(one_acc, 0o640)
    again = ("separate", src / "a" / "one.wav", "--out", out, "--model", models[0], "--keep-mono",
             "--filename", "a/{name}-{stem}.{ext}", "--format", "flac", "--bits", "16")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    proc = jazzremix(*again)
    assert proc.returncode == 1 and "already exists: not overwritten; pass --overwrite" in proc.stderr
    assert str(out / "a" / "one-solo.flac") in proc.stderr
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == before
    proc = jazzremix(*again, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(os.stat(one_acc).st_mode) == 0o640
    assert one_acc.stat().st_mtime_ns != before[one_acc][1] and sf.info(one_acc).frames == 2 * RATE


def test_collision_refused_before_any_work(tmp_path, models):
    a, b = write(tmp_path / "a" / "take.wav"), write(tmp_path / "b" / "take.flac")
    out = tmp_path / "out"
    proc = jazzremix("separate", a, b, "--out", out, "--model", models[0])
    assert proc.returncode == 1
    err = [line for line in proc.stderr.strip().splitlines() if line.startswith("jazzremix: error:")]
    assert len(err) == 1 and str(a) in err[0] and str(b) in err[0]
    assert not out.exists()  # nothing written, and the folder the run made is gone again


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_separate_each_format(tmp_path, models, fmt):
    src = write(tmp_path / "x.wav", title="Tune")
    proc = jazzremix("separate", src, "--out", tmp_path / "o", "--model", models[0], "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    solo = tmp_path / "o" / f"x.solo.{fmt}"
    assert sf.info(solo).frames == 2 * RATE and sf.SoundFile(solo).copy_metadata()["title"] == "Tune (solo)"


def test_hot_input_reports_overs_and_clip_modes(tmp_path, models):
    src = write(tmp_path / "hot.wav", level=0.9)  # noise at 0.9 rms: most peaks are beyond full scale
    for mode in ("limit", "clamp"):
        proc = jazzremix("separate", src, "--out", tmp_path / mode, "--model", models[0], "--clip", mode, "--json")
        assert proc.returncode == 0, proc.stderr
        acc = json.loads(proc.stdout)["files"][0]["outputs"][1]
        y, _ = sf.read(acc["path"])
        if acc["over_full_scale"]:
            assert "would have clipped" in proc.stderr
        if mode == "limit":
            assert np.abs(y).max() < 0.9 and acc["limited_samples"] > 0
        else:
            assert acc["clamped"] == acc["over_full_scale"]
    proc = jazzremix("separate", src, "--out", tmp_path / "n", "--model", models[0], "--clip", "none")
    assert proc.returncode == 2 and "32-bit float" in proc.stderr  # a usage error


def test_remix_gain_db_and_whole_track(tmp_path, models):
    src = write(tmp_path / "s.wav")
    out = tmp_path / "r.wav"
    proc = jazzremix("remix", src, "--out", out, "--pan", "-20", "--gain-db", "-6", "--model", models[0],
                     "--bits", "32", "--clip", "none")
    assert proc.returncode == 0, proc.stderr
    audio, _ = sf.read(src, dtype="float32")
    from jazzremix_gui.core import pipeline as P
    stems = P.separate(audio, RATE, P.load_model(models[0], "separator"))
    want = render_remix(stems, -20.0, 10 ** (-6 / 20))
    np.testing.assert_allclose(sf.read(out, dtype="float32")[0], want, atol=1e-5)
    # the file of that run is not written over unless asked, neither named (-o FILE) nor in a folder
    made = out.read_bytes()
    proc = jazzremix("remix", src, "--out", out, "--pan", "30", "--model", models[0], "--bits", "32", "--clip", "none")
    assert proc.returncode == 1 and f"its remix file {out} already exists" in proc.stderr
    assert out.read_bytes() == made
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "s.remix.wav").write_bytes(b"mine")
    proc = jazzremix("remix", src, "--out", tmp_path / "f", "--pan", "30", "--gain", "1", "--model", models[0])
    assert proc.returncode == 1 and "--overwrite" in proc.stderr and (tmp_path / "f" / "s.remix.wav").read_bytes() == b"mine"
    proc = jazzremix("remix", src, "--out", out, "--pan", "30", "--gain-db", "-6", "--model", models[0], "--bits", "32",
                     "--clip", "none", "--overwrite")
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_allclose(sf.read(out, dtype="float32")[0], render_remix(stems, 30.0, 10 ** (-6 / 20)), atol=1e-5)
    proc = jazzremix("remix", src, "--out", tmp_path / "w.mp3", "--whole-track", "--model", models[0],
                     "--mixer", models[1], "--bitrate", "192")
    assert proc.returncode == 0, proc.stderr
    assert "gain" in proc.stderr and sf.info(tmp_path / "w.mp3").frames == 2 * RATE
    proc = jazzremix("remix", src, "--out", tmp_path / "x.wav", "--gain-db", "9", "--model", models[0])
    assert proc.returncode == 2 and "--gain-db 9: must be at most +6.02 dB (gain 2)" in proc.stderr
