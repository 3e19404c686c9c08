"""Platform conventions: folders and their migration, packaged resources, logging flags, the device
option with its CPU fallback, `jazzremix FILE...`, no display, and uncaught GUI exceptions."""

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli import gui_cmd, main as cli_main
from jazzremix_gui.core import device, logs
from jazzremix_gui.core.files import paths
from jazzremix_gui.core.errors import JazzRemixError
from tiny_models import tiny_separator

ROOT = Path(__file__).resolve().parents[1]


def jazzremix(*args, env=None):
    proc = subprocess.run([sys.executable, "-m", "jazzremix_gui", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=ROOT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def song(tmp_path):
    path = tmp_path / "song.wav"
    t = np.arange(44100) / 44100
    sf.write(path, 0.3 * np.stack([np.sin(2 * np.pi * 440 * t)] * 2, 1), 44100, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def sep(tmp_path_factory):
    return tiny_separator(tmp_path_factory.mktemp("sep") / "sep.onnx", context=0)


@pytest.fixture
def reset_device():
    yield
    device.set_device("auto")


# ---- folders -------------------------------------------------------------------------------
def _old_layout(tmp_path):
    old_data, old_cache = tmp_path / "old-data", tmp_path / "old-cache"
    (old_cache / "tracks").mkdir(parents=True)
    old_data.mkdir()
    (old_data / "settings.ini").write_text("[audio]\nmatch_loudness=false\n")
    (old_data / "annotations.jsonl").write_text("{}\n")
    (old_cache / "tracks" / "k.npz").write_bytes(b"x")
    return old_data, old_cache


def test_migration_to_other_folders_moves_everything(tmp_path):
    old_data, old_cache = _old_layout(tmp_path)
    data, config, cache = tmp_path / "data", tmp_path / "config", tmp_path / "cache"
    moved = paths.migrate(old_data, old_cache, data, config, cache)
    assert len(moved) == 3
    assert (config / "settings.ini").read_text().startswith("[audio]")
    assert (data / "annotations.jsonl").is_file() and (cache / "tracks" / "k.npz").is_file()
    assert not old_data.exists() and not old_cache.exists()
    assert paths.migrate(old_data, old_cache, data, config, cache) == []  # nothing left to do


def test_migration_on_linux_moves_only_the_settings_and_never_overwrites(tmp_path):
    old_data, old_cache = _old_layout(tmp_path)
    config = tmp_path / "config"
    assert paths.migrate(old_data, old_cache, old_data, config, old_cache) == \
        [(old_data / "settings.ini", config / "settings.ini")]
    assert (old_data / "annotations.jsonl").is_file() and (old_cache / "tracks" / "k.npz").is_file()
    (old_data / "settings.ini").write_text("newer")
    assert paths.migrate(old_data, old_cache, old_data, config, old_cache) == []
    assert (config / "settings.ini").read_text().startswith("[audio]")


def test_settings_live_in_the_config_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("JAZZREMIX_CONFIG_DIR", str(tmp_path / "cfg"))
    assert paths.settings_path() == tmp_path / "cfg" / "settings.ini"
    monkeypatch.delenv("JAZZREMIX_CONFIG_DIR")
    assert paths.settings_path().parent == paths.data_dir()  # tests: a data override holds config too
    assert paths.migrate_old_locations() == []  # overridden folders are never migrated


def test_installed_copy_ignores_an_unrelated_models_folder(tmp_path):
    """The bug of issue 15: a ``models/`` folder in site-packages shadowed the installed models."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "jazzremix_gui", site / "jazzremix_gui",
                    ignore=shutil.ignore_patterns("__pycache__", "training", "ui"))
    for folder, package in (("models", "_models"), ("resources", "_resources")):
        (site / "jazzremix_gui" / package).mkdir()
        (site / "jazzremix_gui" / package / "__init__.py").write_text("")
    (site / "jazzremix_gui" / "_models" / "separator.json").write_text("{}")
    (site / "models").mkdir()  # an unrelated package's folder
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from jazzremix_gui.core.files import paths;"
            "print(paths.shipped_model('separator')); print(paths.resources_dir())")
    proc = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    model, res = proc.stdout.split()
    assert Path(model) == site / "jazzremix_gui" / "_models" / "separator.onnx"
    assert Path(res) == site / "jazzremix_gui" / "_resources"


# ---- logging -------------------------------------------------------------------------------
@pytest.mark.parametrize("flags,level", [((0, False, False), logging.WARNING), ((1, False, False), logging.INFO),
                                         ((2, False, False), logging.DEBUG), ((0, True, False), logging.ERROR),
                                         ((1, True, True), logging.DEBUG)])
def test_stderr_levels(flags, level):
    assert logs.stderr_level(*flags) == level


def test_cli_flags_and_log_file(tmp_path, song, sep):
    env = {**os.environ, "JAZZREMIX_LOG_DIR": str(tmp_path / "log")}
    out = tmp_path / "out"
    quiet = jazzremix("-q", "separate", song, "--out", out, "--model", sep, "--device", "cpu", env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""
    verbose = jazzremix("separate", song, "--out", out / "v", "--model", sep, "-v", "--device", "cpu", env=env)
    assert verbose.returncode == 0 and "runs on CPU" in verbose.stderr
    missing = jazzremix("separate", tmp_path / "missing.wav", "--out", out, "--model", sep, "-q", env=env)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    jazzremix("--debug", "separate", song, "--out", out / "d", "--model", sep, "--device", "cpu", env=env)
    text = (tmp_path / "log" / logs.LOG_NAME).read_text()
    assert "runs on CPU" in text and "missing.wav" in text and " DEBUG " in text


# ---- device --------------------------------------------------------------------------------
def test_device_choice_is_checked(reset_device):
    with pytest.raises(JazzRemixError, match="unknown device"):
        device.set_device("gpu")
    device.set_device("cpu")
    assert device.providers() == [device.CPU]
    device.set_device("cuda")
    assert device.providers(prefer_gpu=False) == [device.CPU]


def test_cuda_fallback_says_one_line(reset_device, monkeypatch, caplog):
    monkeypatch.setattr(device, "cuda_built_in", lambda: False)
    device.set_device("cuda")
    with caplog.at_level(logging.INFO, logger="jazzremix_gui"):
        assert device.providers() == [device.CPU] and device.providers() == [device.CPU]
    lines = [r for r in caplog.records if "running on the CPU" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    device.set_device("auto")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="jazzremix_gui"):
        assert device.check_obtained([device.CUDA, device.CPU], [device.CPU]) == "CPU"
    assert [r.levelno for r in caplog.records] == [logging.INFO]  # auto on a CPU machine: -v only


def test_cli_device_cuda_works_with_or_without_a_gpu(tmp_path, song, sep):
    proc = jazzremix("separate", song, "--out", tmp_path, "--model", sep, "--device", "cuda", "-v")
    assert proc.returncode == 0 and (tmp_path / "song.solo.wav").is_file()
    if "runs on CUDA" not in proc.stderr:
        assert "runs on CPU" in proc.stderr
        assert len([l for l in proc.stderr.splitlines() if "running on the CPU" in l]) == 1


def test_preferences_choose_the_device(qtbot, reset_device, tmp_path):
    from jazzremix_gui.ui.dialogs import PreferencesDialog
    from jazzremix_gui.ui.settings import Settings

    settings = Settings(tmp_path / "s.ini")
    assert settings["device"] == "auto"
    dlg = PreferencesDialog(settings)
    qtbot.addWidget(dlg)
    dlg.compute.setCurrentIndex(dlg.compute.findData("cpu"))
    dlg.apply()
    assert settings["device"] == "cpu" and device.get_device() == "cpu"


# ---- opening files, no display, uncaught exceptions ------------------------------------------
def test_files_mean_gui():
    cmds = {"gui": 0, "separate": 0}
    assert cli_main.files_mean_gui(["a.flac", "b.wav"], cmds) == ["gui", "a.flac", "b.wav"]
    assert cli_main.files_mean_gui(["-v", "--device", "cpu", "/x/y"], cmds) == ["-v", "--device", "cpu", "gui", "/x/y"]
    assert cli_main.files_mean_gui(["separate", "a.wav"], cmds) == ["separate", "a.wav"]
    assert cli_main.files_mean_gui(["sepraate"], cmds) == ["sepraate"]
    # a name that starts with '-': the '--' before it stays, so the app takes it for a file (it once said to put
    # '--' before the name the user had put it before)
    assert cli_main.files_mean_gui(["--", "-weird.wav"], cmds) == ["gui", "--", "-weird.wav"]


def test_jazzremix_file_opens_the_app(monkeypatch, song):
    import jazzremix_gui.ui.app as app

    seen = {}
    monkeypatch.setattr(app, "run_app", lambda files, device_override=None: seen.update(files=files) or 0)
    assert cli_main.main([str(song), str(song.with_name("other.flac"))]) == 0
    assert seen["files"] == [str(song), str(song.with_name("other.flac"))]


@pytest.mark.parametrize("env,problem", [
    ({}, "no display"), ({"DISPLAY": ":0"}, None), ({"WAYLAND_DISPLAY": "wayland-0"}, None),
    ({"QT_QPA_PLATFORM": "offscreen"}, None), ({"QT_QPA_PLATFORM": "wayland"}, "WAYLAND_DISPLAY"),
    ({"DISPLAY": ":987"}, "not running")])
def test_display_problem(env, problem, monkeypatch):
    monkeypatch.setattr(gui_cmd, "_x11_socket_missing", lambda d: d == ":987")
    monkeypatch.setattr(gui_cmd, "_find_library", lambda name: f"lib{name}.so")
    got = gui_cmd.display_problem(env, "linux")
    assert (got is None) if problem is None else (problem in got)
    assert gui_cmd.display_problem({}, "darwin") is None


def test_missing_x11_library_is_named(monkeypatch):
    monkeypatch.setattr(gui_cmd, "_x11_socket_missing", lambda d: False)
    monkeypatch.setattr(gui_cmd, "_find_library", lambda name: None if name == "xcb-cursor" else f"lib{name}.so")
    assert gui_cmd.display_problem({"DISPLAY": ":0"}, "linux").endswith("sudo apt install libxcb-cursor0)")
    assert gui_cmd.display_problem({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux") is None


def test_no_display_is_one_line_and_exit_1(song):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = jazzremix(song, env=env)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "cannot open the app: no display" in proc.stderr


def test_uncaught_gui_exception_is_logged_and_shown(qtbot, monkeypatch, caplog):
    from jazzremix_gui.ui import excepthook

    shown = []
    monkeypatch.setattr(excepthook.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    try:
        raise ValueError("bad pan value")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR, logger="jazzremix_gui"):
            excepthook.handle(type(exc), exc, exc.__traceback__)
    assert caplog.records[-1].exc_info is not None
    assert len(shown) == 1 and "bad pan value" in shown[0] and "Traceback" not in shown[0]


def test_a_log_file_that_cannot_be_written_is_one_warning_not_tracebacks(tmp_path, song, sep):
    """A folder where the log file should be (or a full disk, a log left read-only by sudo): once "no log file", the
    command's work and output as usual (an adversarial pass, 2026-12-06: three ``--- Logging error ---`` blocks)."""
    (tmp_path / "log" / logs.LOG_NAME).mkdir(parents=True)
    env = {**os.environ, "JAZZREMIX_LOG_DIR": str(tmp_path / "log")}
    run = jazzremix("separate", song, "--out", tmp_path / "out", "--model", sep, "--device", "cpu", "-v", env=env)
    assert run.returncode == 0 and "Traceback" not in run.stderr and "Logging error" not in run.stderr
    assert run.stderr.count("no log file") == 1 and "Is a directory" in run.stderr
    assert len(list((tmp_path / "out").glob("*.wav"))) == 2


def test_a_display_that_does_not_answer_is_said_not_aborted_by_qt(tmp_path, monkeypatch):
    """A dead ssh X forwarding (``localhost:10.0``) or a Wayland socket without a compositor: Qt aborted (exit 134)
    with several lines; the one-line reason comes first now (an adversarial pass, 2026-12-06)."""
    import socket

    monkeypatch.setattr(gui_cmd, "_find_library", lambda name: f"lib{name}.so")
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        if port < 6000:
            pytest.skip("the free port found is below X's range")
        display = f"127.0.0.1:{port - 6000}.0"
        got = gui_cmd.display_problem({"DISPLAY": display}, "linux")
    assert got == f"the X display {display} does not answer (nothing on port {port})"
    got = gui_cmd.display_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}, "linux")
    assert got == "no Wayland compositor runs (no socket for WAYLAND_DISPLAY=wayland-9) and DISPLAY is not set"
    (tmp_path / "wayland-9").touch()
    assert gui_cmd.display_problem({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}, "linux") is None


def test_a_crash_in_native_code_says_where_each_thread_was():
    """The app's hooks also make a segmentation fault print every thread's Python stack on stderr (one was seen once
    on SIGTERM while separating, without a word of where)."""
    import subprocess
    import sys

    code = ("from jazzremix_gui.ui import excepthook; excepthook.install()\n"
            "import ctypes\n"
            "def crash_here():\n"
            "    ctypes.string_at(0)\n"
            "crash_here()\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONFAULTHANDLER", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode < 0 and "Segmentation fault" in done.stderr and "crash_here" in done.stderr, done.stderr
