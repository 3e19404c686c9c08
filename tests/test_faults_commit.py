"""Both or neither: a commit of several files survives failures, interruptions and crashes (in-process cases).

The same commit killed from outside (kill -9, SIGTERM, SIGINT, SIGHUP) is tested in test_faults_signals.py.
"""

import errno
import json
import os
import signal

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.files import atomic, commit, interrupts
from jazzremix_gui.core.errors import AudioWriteError
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import MasteredWriter, commit_all


def _temps(tmp_path, names, payload=b"new"):
    temps = []
    for n in names:
        t = atomic.TempFile(tmp_path / n)
        t.tmp.write_bytes(payload + n.encode())
        temps.append(t)
    return temps


def _state(tmp_path):
    """Every file in the folder and the journal folder, with its bytes."""
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    journals = sorted(os.listdir(commit.journal_dir())) if commit.journal_dir().exists() else []
    return files, journals


@pytest.fixture
def earlier(tmp_path):
    """An earlier run's pair."""
    (tmp_path / "x.solo.wav").write_bytes(b"old solo")
    (tmp_path / "x.accompaniment.wav").write_bytes(b"old acc")
    return _state(tmp_path)


def test_commit_replaces_both_and_leaves_nothing_else(tmp_path, earlier):
    commit.commit_together(_temps(tmp_path, ["x.solo.wav", "x.accompaniment.wav"]))
    assert _state(tmp_path) == ({"x.solo.wav": b"newx.solo.wav", "x.accompaniment.wav": b"newx.accompaniment.wav"},
                                earlier[1])


@pytest.mark.parametrize("links", [True, False], ids=["hard-links", "no-hard-links"])
@pytest.mark.parametrize("failure", [OSError(errno.EIO, "I/O error"), KeyboardInterrupt(), SystemExit(3)],
                         ids=["oserror", "keyboardinterrupt", "systemexit"])
def test_second_rename_failing_restores_the_earlier_pair(tmp_path, earlier, monkeypatch, failure, links):
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if str(dst).endswith("x.accompaniment.wav") and str(src).endswith(".part"):
            raise failure
        return real(src, dst)

    monkeypatch.setattr(commit.os, "replace", replace)
    if not links:  # exFAT, some network shares: the earlier file is moved aside instead
        monkeypatch.setattr(commit.os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EPERM, "no")))
    with pytest.raises(type(failure)):
        commit.commit_together(_temps(tmp_path, ["x.solo.wav", "x.accompaniment.wav"]))
    assert any(str(d).endswith("x.solo.wav") for d in calls)  # the solo had been renamed: this is the hard case
    assert _state(tmp_path) == earlier


def test_failure_without_an_earlier_pair_leaves_no_file(tmp_path, monkeypatch):
    (tmp_path / "x.accompaniment.wav").mkdir()  # a folder in the way: the second rename fails for real
    with pytest.raises(OSError):
        commit.commit_together(_temps(tmp_path, ["x.solo.wav", "x.accompaniment.wav"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.accompaniment.wav"]


def test_a_signal_during_the_commit_waits_for_its_end(tmp_path, earlier, monkeypatch):
    previous = interrupts.install()
    try:
        real = os.replace

        def replace(src, dst):
            if str(src).endswith(".part"):
                os.kill(os.getpid(), signal.SIGTERM)  # arrives with each rename
            return real(src, dst)

        monkeypatch.setattr(commit.os, "replace", replace)
        with pytest.raises(interrupts.Interrupted) as info:
            commit.commit_together(_temps(tmp_path, ["x.solo.wav", "x.accompaniment.wav"]))
        assert info.value.signum == signal.SIGTERM and interrupts.exit_status(info.value) == 143
        files, _ = _state(tmp_path)
        assert files == {"x.solo.wav": b"newx.solo.wav", "x.accompaniment.wav": b"newx.accompaniment.wav"}
    finally:
        interrupts.restore(previous)


def _crashed_journal(tmp_path, renamed: int, moved: bool):
    """The files and journal a job killed (``kill -9``) after ``renamed`` renames leaves behind."""
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    entries = []
    for i, n in enumerate(["x.solo.wav", "x.accompaniment.wav"]):
        tmp = tmp_path / f".{n}.{atomic.MARK}-{atomic.HOST}-{p.pid}-abcd123{i}.part"
        tmp.write_bytes(b"new" + n.encode())
        entries.append(commit.Entry(str(tmp), str(tmp_path / n), str(tmp) + ".keep", True))
    for i, e in enumerate(entries):
        if moved:
            os.replace(e.path, e.backup)
        else:
            os.link(e.path, e.backup)
        if i < renamed:
            os.replace(e.tmp, e.path)
    commit.journal_dir().mkdir(parents=True, exist_ok=True)
    journal = commit.journal_dir() / f"{atomic.MARK}-{atomic.HOST}-{p.pid}-qwertyui.journal"
    journal.write_text(json.dumps({"state": "commit", "entries": [e.__dict__ for e in entries]}))
    return journal


@pytest.mark.parametrize("moved", [False, True], ids=["hard-links", "moved-aside"])
@pytest.mark.parametrize("renamed,expect", [(0, "old"), (1, "new"), (2, "new")])
def test_next_run_completes_or_undoes_a_crashed_commit(tmp_path, earlier, renamed, expect, moved):
    journal = _crashed_journal(tmp_path, renamed, moved)
    atomic.sweep(tmp_path)  # what every later write does first
    files, _ = _state(tmp_path)
    if expect == "old":
        assert files == earlier[0]
    else:
        assert files == {"x.solo.wav": b"newx.solo.wav", "x.accompaniment.wav": b"newx.accompaniment.wav"}
    assert not journal.exists()


def test_separate_file_keeps_the_earlier_pair_when_the_second_commit_fails(tmp_path, tiny_models, monkeypatch):
    x = np.random.default_rng(1).standard_normal((22050, 2)).astype(np.float32) * 0.1
    sf.write(tmp_path / "x.wav", x, 22050)
    out = tmp_path / "out"
    out.mkdir()
    model = pipeline.load_model(tiny_models / "separator.onnx", "separator")
    pipeline.separate_file(tmp_path / "x.wav", out, model=model)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("accompaniment.wav") and ".part" in str(src):
            raise KeyboardInterrupt  # Ctrl+C exactly between the two renames
        return real(src, dst)

    monkeypatch.setattr(commit.os, "replace", replace)
    sf.write(tmp_path / "x.wav", -x, 22050)
    with pytest.raises(KeyboardInterrupt):
        pipeline.separate_file(tmp_path / "x.wav", out, model=model)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_commit_all_reports_a_failed_rename_in_words(tmp_path):
    (tmp_path / "b.wav").mkdir()
    ws = [MasteredWriter(tmp_path / n, 8000, 1, OutputSpec("wav", 16)) for n in ("a.wav", "b.wav")]
    for w in ws:
        w.write(np.zeros(100, np.float32))
    with pytest.raises(AudioWriteError, match=r"b\.wav: cannot write \(is a folder\)"):
        commit_all(ws)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.wav"]


def test_the_apps_export_writes_all_its_files_or_none(tmp_path, monkeypatch):
    from jazzremix_gui.services import exporting
    from jazzremix_gui.services.exporting import ExportPlan, export_track

    rate, n = 8000, 4000
    sf.write(tmp_path / "take.wav", np.zeros((n, 2), np.float32), rate)
    stems = pipeline.Stems(np.full(n, 0.1, np.float32), np.full((n, 2), 0.1, np.float32), rate, "test")
    out = tmp_path / "out"
    out.mkdir()
    plan = ExportPlan(out)
    first = [r.path for r in export_track(tmp_path / "take.wav", stems, 0.0, 1.0, plan)]
    assert sorted(p.name for p in first) == ["take.accompaniment.wav", "take.remix.wav", "take.solo.wav"]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "take.remix.wav").unlink()
    (out / "take.remix.wav").mkdir()  # a folder where a file goes: refused before any work
    with pytest.raises(AudioWriteError, match="take.remix.wav: a folder has this name"):
        export_track(tmp_path / "take.wav", stems, 0.0, 1.0, plan)
    (out / "take.remix.wav").rmdir()
    prepare = exporting.prepare_targets

    def folder_after_the_checks(targets):  # the folder appears once the checks passed: the last rename fails
        prepare(targets)
        (out / "take.remix.wav").mkdir()

    monkeypatch.setattr(exporting, "prepare_targets", folder_after_the_checks)
    before.pop("take.remix.wav")
    with pytest.raises(AudioWriteError, match="take.remix.wav: cannot write"):
        export_track(tmp_path / "take.wav", pipeline.Stems(stems.solo * 2, stems.accompaniment * 2, rate, "t"),
                     0.0, 1.0, plan)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == ["take.accompaniment.wav", "take.remix.wav", "take.solo.wav"]


def test_no_journal_where_the_data_folder_cannot_be_written(tmp_path, earlier, monkeypatch):
    monkeypatch.setattr(commit, "_write_journal", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    commit.commit_together(_temps(tmp_path, ["x.solo.wav", "x.accompaniment.wav"]))
    files, journals = _state(tmp_path)
    assert files == {"x.solo.wav": b"newx.solo.wav", "x.accompaniment.wav": b"newx.accompaniment.wav"}
    assert journals == earlier[1]  # no empty journal left behind
