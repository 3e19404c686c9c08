"""Files others can read: umask modes for new files, kept modes on overwrite, never a half-written file."""

import os
import stat

import numpy as np
import pytest

from jazzremix_gui.core import atomic, audio_io
from jazzremix_gui.core.formats import OutputSpec
from jazzremix_gui.core.headroom import write_mastered
from jazzremix_gui.services import session


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda m: os.umask(m)
    os.umask(old)


def writers(tmp_path):
    """Every kind of writer: audio (plain and through a clip mode), text (sessions, cards), binary."""
    x = np.zeros((100, 2), np.float32)
    return {
        "audio": lambda p: audio_io.write_audio(p.with_suffix(".wav"), x, 44100),
        "mastered": lambda p: write_mastered(p.with_suffix(".flac"), x, 44100, OutputSpec("flac", 16), "rescale").path,
        "text": lambda p: atomic.write_text(p.with_suffix(".json"), "{}"),
        "npz": lambda p: _npz(p.with_suffix(".npz")),
    }


def _npz(path):
    with atomic.atomic_path(path, ".npz") as tmp:
        np.savez(tmp, a=np.zeros(3))
    return path


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_get_the_umask_mode(tmp_path, umask, mask, expected):
    umask(mask)
    assert atomic.current_umask() == mask
    for name, write in writers(tmp_path).items():
        path = write(tmp_path / name)
        assert mode(path) == expected, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audio.wav", "mastered.flac", "npz.npz", "text.json"]


def test_overwrite_keeps_the_existing_mode(tmp_path, umask):
    umask(0o077)
    for name, write in writers(tmp_path).items():
        path = write(tmp_path / name)
        os.chmod(path, 0o640)
        write(tmp_path / name)
        assert mode(path) == 0o640, name


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


class _Track:
    """What save_session reads from a track."""

    def __init__(self, path):
        self.path, self.processed, self.decoded, self.state = path, None, None, None


def test_session_file_mode(tmp_path, umask):
    umask(0o022)
    out = session.save_session(tmp_path / "s.jrs", _Track(tmp_path / "in.wav"))
    assert mode(out) == 0o644


@pytest.mark.parametrize("mode", ["limit", "rescale"])
def test_failed_mastered_write_leaves_nothing(tmp_path, mode):
    from jazzremix_gui.core.headroom import MasteredWriter

    with pytest.raises(RuntimeError):
        with MasteredWriter(tmp_path / "x.wav", 44100, 2, OutputSpec("wav", 24), mode) as w:
            w.write(np.full((5000, 2), 1.5, np.float32))
            raise RuntimeError("cancelled")
    assert not list(tmp_path.iterdir())  # no target, no .part, no float spool
