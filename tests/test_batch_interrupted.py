"""``batch`` removes only what its own run created (#23.2): a re-run stopped or failing at any moment leaves the
files an earlier run wrote exactly as they were, and no temporary file or spool."""

import hashlib

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core import pipeline
from jazzremix_gui.core.files import commit
from jazzremix_gui.core.audio import headroom
from jazzremix_gui.services.batch import task
from tiny_models import tiny_mixer, tiny_separator

RATE = 44100


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch_stop")
    sep, mix = tiny_separator(d / "sep.onnx", context=2), tiny_mixer(d / "mix.onnx")
    models = {k: {"path": str(m), **task.model_identity(pipeline.load_model(str(m), k))}
              for k, m in (("separator", sep), ("mixer", mix))}
    song = d / "take.wav"
    x = 0.3 * np.random.default_rng(2).standard_normal((int(RATE * 4.0), 2))
    sf.write(song, x.astype(np.float32), RATE, subtype="PCM_24")
    return song, models


def first_run(tmp_path, setup):
    song, models = setup
    spec = task.TaskSpec(str(song), str(tmp_path / "out"), remix=True, models=models)
    assert task.process(spec)["status"] == "done"
    files = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in files] == ["take.accompaniment.wav", "take.remix.wav", "take.solo.wav"]
    return spec, {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def unchanged(tmp_path, before):
    now = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "out").iterdir()}
    assert now == before  # same names (no temporary file, no spool left) and same bytes


def counting(limit=None):
    calls = {"n": 0}

    def cancel():
        calls["n"] += 1
        return limit is not None and calls["n"] >= limit

    return calls, cancel


def test_a_stop_at_any_moment_keeps_the_earlier_run(tmp_path, setup, monkeypatch):
    spec, before = first_run(tmp_path, setup)
    calls, cancel = counting()
    monkeypatch.setattr(task, "_stop_checker", lambda name: cancel)
    assert task.process(spec)["status"] == "done"
    total = calls["n"]
    assert total > 6
    spec = task.TaskSpec(spec.input, spec.out_dir, remix=True, models=spec.models, bits=16)  # other bytes if written
    for stop_at in (1, total // 3, 2 * total // 3, total - 1, total):  # separating ... writing ... before commit
        _, cancel = counting(stop_at)
        monkeypatch.setattr(task, "_stop_checker", lambda name, c=cancel: c)
        assert task.process(spec)["status"] == "cancelled", stop_at
        unchanged(tmp_path, before)


@pytest.mark.parametrize("moment", ["writing", "renaming", "signal"])
def test_a_failure_or_a_signal_keeps_the_earlier_run(tmp_path, setup, monkeypatch, moment):
    spec, before = first_run(tmp_path, setup)
    spec = task.TaskSpec(spec.input, spec.out_dir, remix=True, models=spec.models, bits=16)  # other bytes if written
    real_write = headroom.MasteredWriter.write
    seen = {"n": 0}

    def write(self, block, over=None):
        seen["n"] += 1
        if moment != "renaming" and seen["n"] == 5:
            raise KeyboardInterrupt() if moment == "signal" else OSError(28, "No space left on device")
        return real_write(self, block, over)

    def rename(temps):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(headroom.MasteredWriter, "write", write)
    if moment == "renaming":
        monkeypatch.setattr(headroom, "commit_together", rename)
    if moment == "signal":
        with pytest.raises(KeyboardInterrupt):
            task.process(spec)
    else:
        assert task.process(spec)["status"] == "failed"
    unchanged(tmp_path, before)
    assert commit.recover() == []
