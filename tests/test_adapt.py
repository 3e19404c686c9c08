"""The separator adapted to one recording (``training.adapt``; ``separate --adapt``, ``evaluate --adapt``)."""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

torch = pytest.importorskip("torch")

from jazzremix_gui.core import pipeline  # noqa: E402
from jazzremix_gui.core.errors import JazzRemixError  # noqa: E402
from jazzremix_gui.core.models import ADAPTED  # noqa: E402
from jazzremix_gui.training.adapt import adapt_separator, teacher_stems  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "models" / "separator.onnx"
RATE = 44100


def tune(seconds=6.0, rate=RATE, seed=0):
    """A solo (a tone, on and off) at the right over noise: ``(n, 2)`` float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    solo = 0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.5 * t) > -0.5)
    acc = 0.05 * rng.standard_normal((t.size, 2))
    return (acc + solo[:, None] * [0.5, 0.85]).astype(np.float32)


@pytest.fixture(scope="module")
def base():
    return pipeline.load_model(SHIPPED, "separator", threads=1)


def test_no_step_is_the_base_separator_and_steps_change_it_and_say_so(base):
    x = tune()
    same, done = adapt_separator(x, RATE, base, steps=0)
    features = np.random.default_rng(1).random((40, 2049)).astype(np.float32) * 0.01
    assert np.allclose(same.run(features), base.run(features), atol=1e-5)  # the weights behind the ONNX file
    assert done.steps == 0
    moved, done = adapt_separator(x, RATE, base, steps=3)
    assert done.steps == 3 and done.seconds > 0
    assert moved.meta.version == f"{base.meta.version} {ADAPTED} in 3 steps"
    assert moved.meta.based_on == base.meta.version
    assert moved.meta.pan_aware == base.meta.pan_aware  # the same Wiener step
    assert not np.allclose(moved.run(features), base.run(features), atol=1e-5)
    stems = pipeline.separate(x, RATE, moved)
    plain = pipeline.separate(x, RATE, base)
    assert stems.solo.shape == plain.solo.shape and not np.array_equal(stems.solo, plain.solo)


def test_progress_reaches_the_end_and_a_cancel_stops_it(base):
    seen = []
    adapt_separator(tune(), RATE, base, steps=2, progress=lambda f, m="": seen.append(f))
    assert seen and seen[-1] == pytest.approx(1.0) and seen == sorted(seen)
    with pytest.raises(JazzRemixError):  # core.errors.Cancelled
        adapt_separator(tune(), RATE, base, steps=50, cancel=lambda: True)


def test_the_teacher_track_is_the_solo_placed_as_recorded_at_44100(base):
    x = tune(rate=48000)
    stems = pipeline.separate(x, 48000, base)
    solo, acc = teacher_stems(stems)
    n = round(len(stems) * RATE / 48000)
    assert solo.shape == acc.shape == (n, 2) and solo.dtype == acc.dtype == np.float32
    # placed at its recorded pan: louder on the right, as the tune's solo is
    assert np.sum(solo[:, 1] ** 2) > np.sum(solo[:, 0] ** 2)


def test_a_recording_too_short_to_adapt_to_is_said(base):
    with pytest.raises(JazzRemixError, match="too short to adapt the separator to: 1.0 s"):
        adapt_separator(tune(seconds=1.0), RATE, base, steps=2)


def jazzremix(*args):
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", *map(str, args)], capture_output=True, text=True,
                          timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_separate_adapt_writes_the_adapted_separators_stems_and_names_it(tmp_path):
    src = tmp_path / "tune.wav"
    sf.write(src, tune(), RATE, subtype="FLOAT")
    before = hashlib.sha256(SHIPPED.read_bytes()).hexdigest()
    plain = jazzremix("separate", src, "-o", tmp_path / "plain", "--json", "--bits", "32", "--clip", "none")
    adapted = jazzremix("separate", src, "-o", tmp_path / "adapted", "--adapt", "3", "--json", "--bits", "32",
                        "--clip", "none")
    assert plain.returncode == 0 and adapted.returncode == 0, adapted.stderr
    assert "adapted the separator to it in" in adapted.stderr
    entry = json.loads(adapted.stdout)["files"][0]
    assert entry["separator"].endswith(f"{ADAPTED} in 3 steps")
    a, _ = sf.read(tmp_path / "adapted" / "tune.solo.wav", dtype="float32")
    p, _ = sf.read(tmp_path / "plain" / "tune.solo.wav", dtype="float32")
    assert a.shape == p.shape and not np.array_equal(a, p)  # other samples, the same length
    with sf.SoundFile(tmp_path / "adapted" / "tune.solo.wav") as f:  # the file says which separator made it
        assert f"separator {entry['separator']})" in f.copy_metadata()["comment"]
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == before  # the shipped model is not touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapted", "plain", "tune.wav"]  # nothing else left


def test_adapt_options_are_checked_before_any_work(tmp_path, monkeypatch):
    src = tmp_path / "tune.wav"
    sf.write(src, tune(seconds=2.0), RATE, subtype="FLOAT")
    bad = jazzremix("separate", src, "-o", tmp_path / "out", "--adapt", "-1")
    assert bad.returncode == 2 and "--adapt: a number of optimiser steps" in bad.stderr
    assert not (tmp_path / "out").exists()
    # without PyTorch: a usage error naming the training extra
    code = ("import sys; sys.modules['torch'] = None; from jazzremix_gui.cli.main import main; "
            f"sys.exit(main(['separate', {str(src)!r}, '-o', {str(tmp_path / 'out')!r}, '--adapt']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "needs PyTorch, the training extra: make install-train" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()


def test_evaluate_adapt_scores_each_track_with_its_own_adaptation(tmp_path):
    track = tmp_path / "set" / "track_00000"
    track.mkdir(parents=True)
    x = tune(seconds=4.0)
    t = np.arange(x.shape[0]) / RATE
    solo = (0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.5 * t) > -0.5))[:, None] * [0.5, 0.85]
    sf.write(track / "mixture.wav", x, RATE, subtype="FLOAT")
    sf.write(track / "solo.wav", solo.astype(np.float32), RATE, subtype="FLOAT")
    sf.write(track / "accompaniment.wav", (x - solo).astype(np.float32), RATE, subtype="FLOAT")
    plain = jazzremix("evaluate", tmp_path / "set", "--json")
    adapted = jazzremix("evaluate", tmp_path / "set", "--json", "--adapt", "2")
    assert plain.returncode == 0 and adapted.returncode == 0, adapted.stderr
    p, a = json.loads(plain.stdout), json.loads(adapted.stdout)
    assert p["adapted"] == "" and a["adapted"] == "2 steps"
    assert a["tracks"][0]["solo"] != p["tracks"][0]["solo"]
    assert a["tracks"][0]["oracle_solo"] == p["tracks"][0]["oracle_solo"]


def test_the_app_separates_a_track_again_with_the_separator_adapted_to_it_and_back(qtbot, tiny_models, tmp_path,
                                                                                   monkeypatch):
    """The track list's *Adapt the separator to this recording*: the track is separated again by the adapted
    separator (the legend says so, the mix carries over, the session records it and ``render`` writes the app's
    export bytes from the cached result); unticked, the shipped separator's result comes back from the cache."""
    from jazzremix_gui.core.files import paths
    from jazzremix_gui.services import session
    from jazzremix_gui.services.session_render import render_session
    from jazzremix_gui.services.exporting import ExportPlan
    from jazzremix_gui.ui import tracks
    from jazzremix_gui.ui.main_window import MainWindow
    from jazzremix_gui.ui.settings import Settings
    from PySide6.QtWidgets import QMessageBox
    from test_ui_app import open_and_wait

    monkeypatch.setenv("JAZZREMIX_ADAPT_STEPS", "3")  # the app's 75 steps: half a minute (its child reads this)
    w = MainWindow(Settings(tmp_path / "settings.ini"), model_paths=(str(SHIPPED), str(tiny_models / "mixer.onnx")))
    qtbot.addWidget(w)
    w.keeper.ask = lambda box: QMessageBox.StandardButton.Discard  # quitting with edits: no modal box
    w.show()
    src = tmp_path / "tune.wav"
    sf.write(src, tune(), RATE, subtype="FLOAT")
    track = open_and_wait(qtbot, w, src, timeout=60000)
    plain = track.processed
    act = w.tracks_panel.act_adapt
    assert act.isEnabled() and not act.isChecked() and not track.adapted
    track.state.set_value(-1, -30.0, 0.5)  # an edit before (the whole track's mix): it carries over
    act.trigger()
    qtbot.waitUntil(lambda: track.status == tracks.READY and track.adapted == 3, timeout=120000)
    done = track.processed
    assert done.separator_version.endswith(f"{ADAPTED} in 3 steps") and not done.from_cache
    assert not np.array_equal(np.asarray(done.stems.solo), np.asarray(plain.stems.solo))
    assert act.isChecked() and "adapted to this recording" in w.codebook.legend.text
    assert track.state.value(-1) == (-30.0, 0.5) and track.unsaved
    data = session.session_dict(track)
    assert data["adapted"] is True and data["adapt_steps"] == 3 and data["separator_version"] == done.separator_version
    path = tmp_path / "tune.jrs"
    session.save_session(path, track)
    assert session.adapt_steps_of(session.load_session(path)) == 3
    out = tmp_path / "rendered"
    reports, notes = render_session(path, ExportPlan(out, ("solo",), "wav", 32, clip="none"), str(SHIPPED),
                                    str(tiny_models / "mixer.onnx"))
    written, _ = sf.read(reports[0].path, dtype="float32")
    assert np.array_equal(written, np.asarray(done.stems.solo)) and not notes  # the adapted stems, from the cache
    shutil.rmtree(paths.cache_dir() / "tracks")  # no cached result: render adapts again, as the app did
    reports, _ = render_session(path, ExportPlan(tmp_path / "again", ("solo",), "wav", 32, clip="none"), str(SHIPPED),
                                str(tiny_models / "mixer.onnx"))
    again, _ = sf.read(reports[0].path, dtype="float32")
    assert np.array_equal(again, written)
    act.trigger()  # back to the separator as shipped: its result is cached
    qtbot.waitUntil(lambda: track.status == tracks.READY and not track.adapted, timeout=60000)
    assert track.processed.separator_version == plain.separator_version
    with pytest.raises(Exception, match="adapted is 1, not true or false"):
        session.check_session({**data, "adapted": 1})
    with pytest.raises(Exception, match="adapt_steps is 0, not in 1..100000"):
        session.check_session({**data, "adapt_steps": 0})


def test_the_app_adapts_in_a_child_process_that_ends_with_it(tmp_path):
    """The app adapts in a child process (torch never loads into it); SIGTERM while the child learns ends the app
    within a second, 143, and the child with it."""
    import time

    from test_ui_quit import DRIVER, QUIT_S, run_app_until, sigterm_and_time

    src = tmp_path / "tune.wav"
    sf.write(src, tune(seconds=20.0), RATE, subtype="FLOAT")
    jrs = tmp_path / "tune.jrs"
    jrs.write_text(json.dumps({"format": "jazzremix-session", "version": 2, "input": str(src), "adapted": True,
                               "adapt_steps": 100000, "mix": {}}))  # still learning when the signal comes
    proc, lines = run_app_until(tmp_path, "separate", jrs, "processing")
    assert "import torch" not in DRIVER

    def children():
        out = subprocess.run(["pgrep", "-f", f"jazzremix_gui.training.adapt {src}"], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    deadline = time.monotonic() + 60
    while not children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children(), "no adaptation child started"
    time.sleep(2.0)  # torch loaded, learning
    assert "torch" not in open(f"/proc/{proc.pid}/maps").read()  # not in the app's process
    assert sigterm_and_time(proc, lines) < QUIT_S
    deadline = time.monotonic() + 5
    while children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not children(), "the adaptation outlived the app"


def test_the_childs_failure_is_said_in_its_own_words(tmp_path):
    """A recording too short to adapt to, in the app's child process: the reason alone, as a ModelError."""
    from jazzremix_gui.core.errors import ModelError
    from jazzremix_gui.core.files import paths
    from jazzremix_gui.services import adaptation

    src = tmp_path / "short.wav"
    sf.write(src, tune(seconds=1.0), RATE, subtype="FLOAT")
    with pytest.raises(ModelError, match=r"failed: too short to adapt the separator to: 1\.0 s, an adaptation needs"):
        adaptation.adapt(src, pipeline.load_model(SHIPPED, "separator"), child=True)
    assert not list(paths.spool_dir().glob("adapt-*"))  # its private folder is gone
