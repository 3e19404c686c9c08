"""A checkpoint that cannot be written says why in one line and keeps the previous one whole.

Seen on a long run: the disk filled, ``torch.save`` raised an opaque ``RuntimeError`` (``unexpected pos``)
and the run stopped with "unexpected RuntimeError". Now the state is serialised in memory, the free space
is checked before writing, and a write that still fails (``ENOSPC`` midway) is reported the same way.
"""

import contextlib
import errno
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.core.files import oserrors  # noqa: E402
from jazzremix_gui.training import checkpoint  # noqa: E402


@dataclass
class _Config:
    seed: int = 3


def _run():
    model = torch.nn.Linear(64, 64)
    opt = torch.optim.Adam(model.parameters())
    return model, opt, SimpleNamespace(rng=np.random.default_rng(0))


def _save(path, step):
    model, opt, sampler = _run()
    checkpoint.save(path, model, opt, sampler, step, 1.5 * step, _Config())


def test_a_full_disk_is_told_before_writing_and_the_previous_checkpoint_stays(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    _save(path, 1)
    before = path.read_bytes()
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 1000)
    with pytest.raises(checkpoint.CheckpointNotWritten) as info:
        _save(path, 2)
    text = str(info.value)
    assert "no space left on the device" in text and "1.0 kB free" in text
    assert f"{path} was not written (step 2)" in text and "the previous file is kept" in text
    assert "run the same command again" in text and "\n" not in text
    assert path.read_bytes() == before and checkpoint.load_state(path)["step"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt"]  # no temporary file left


def test_a_write_that_fails_midway_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    _save(path, 1)
    before = path.read_bytes()

    @contextlib.contextmanager
    def failing(target):
        yield tmp_path / ".last.pt.part"
        raise AssertionError("the write should have failed before this")

    def no_space(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint, "atomic_path", failing)
    monkeypatch.setattr(checkpoint.Path, "write_bytes", no_space)
    with pytest.raises(checkpoint.CheckpointNotWritten, match="no space left.*previous file is kept"):
        _save(path, 2)
    assert path.read_bytes() == before


def test_the_first_checkpoint_failing_says_none_was_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 10)
    with pytest.raises(checkpoint.CheckpointNotWritten, match="nothing was kept there"):
        _save(tmp_path / "last.pt", 0)
    assert list(tmp_path.iterdir()) == []


def test_the_exported_weights_beside_the_onnx_file_are_told_the_same_way(tmp_path, monkeypatch):
    """``separator_weights.save_weights`` (the ``.pt`` beside an exported separator) goes through the same
    write: one line, and no ``.tmp`` file left beside it (it used to write ``X.tmp`` and rename)."""
    from jazzremix_gui.training import architectures, separator_weights

    model = architectures.build("mask", width=8, dilations=(1,))
    monkeypatch.setattr(oserrors, "free_bytes", lambda folder: 10)
    not_written = r"s\.pt was not written \(the weights\); nothing was kept"
    with pytest.raises(checkpoint.CheckpointNotWritten, match=not_written):
        separator_weights.save_weights(model, tmp_path / "s.onnx", [])
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    path = separator_weights.save_weights(model, tmp_path / "s.onnx", [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.pt"] and path == tmp_path / "s.pt"
