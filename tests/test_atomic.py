"""Files others can read: umask modes for new files, kept modes on overwrite, never a half-written file."""

import os
import signal
import stat
import time

import numpy as np
import pytest

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.files import atomic
from jazzremix_gui.core.audio.formats import OutputSpec
from jazzremix_gui.core.audio.headroom import write_mastered
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
    from jazzremix_gui.core.audio.headroom import MasteredWriter

    with pytest.raises(RuntimeError):
        with MasteredWriter(tmp_path / "x.wav", 44100, 2, OutputSpec("wav", 24), mode) as w:
            w.write(np.full((5000, 2), 1.5, np.float32))
            raise RuntimeError("cancelled")
    assert not list(tmp_path.iterdir())  # no target, no .part, no float spool


# --- temporary files name their owner; stale ones of dead processes are swept, nothing else ---------------------

def _dead_pid() -> int:
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temp_names_identify_their_owner_and_only_stale_ones_are_swept(tmp_path):
    t = atomic.TempFile(tmp_path / "take.solo.wav")
    parsed = atomic.parse_temp_name(t.tmp.name)
    assert parsed == atomic.TempName("take.solo.wav", atomic.HOST, os.getpid())
    dead = _dead_pid()
    stale = tmp_path / f".take.solo.wav.{atomic.MARK}-{atomic.HOST}-{dead}-abcd1234.part"
    spool = tmp_path / f".take.accompaniment.wav.{atomic.MARK}-{atomic.HOST}-{dead}-zz9_8y7x.f32"
    keep = {
        "other host": f".take.solo.wav.{atomic.MARK}-0f0f0f-{dead}-abcd1234.part",
        "live process": f".take.solo.wav.{atomic.MARK}-{atomic.HOST}-1-abcd1234.part",
        "legacy name": ".take.solo.wav.abcd1234.part",
        "user file": ".take.solo.wav.jazzremix-notes.part",
        "target": "take.solo.wav",
    }
    for p in (stale, spool, *(tmp_path / n for n in keep.values())):
        p.write_bytes(b"x" * 10)
    folder_like = tmp_path / f".x.wav.{atomic.MARK}-{atomic.HOST}-{dead}-qqqqqqqq.part"
    folder_like.mkdir()
    removed = atomic.sweep(tmp_path, "take.solo.wav")  # one target: the other target's spool stays
    assert [p for p, _ in removed] == [stale] and spool.exists()
    assert sorted(p for p, _ in atomic.sweep(tmp_path)) == [spool]
    left = {p.name for p in tmp_path.iterdir()}
    assert set(keep.values()) <= left and t.tmp.name in left and folder_like.is_dir()  # our own live file stays
    t.discard()


def test_long_names_fit_and_are_still_swept(tmp_path):
    name = "é" * 118 + ".accompaniment.wav"  # 254 bytes: the longest file name most systems take
    t = atomic.TempFile(tmp_path / name)
    assert len(t.tmp.name.encode()) <= 255
    stale = tmp_path / t.tmp.name.replace(f"-{os.getpid()}-", f"-{_dead_pid()}-")
    t.tmp.rename(stale)
    atomic.unregister(t.tmp)
    assert [p for p, _ in atomic.sweep(tmp_path, name)] == [stale]


def test_writers_sweep_what_a_killed_run_left(tmp_path):
    stale = tmp_path / f".x.wav.{atomic.MARK}-{atomic.HOST}-{_dead_pid()}-abcd1234.part"
    stale.write_bytes(b"\0" * 1000)
    audio_io.write_audio(tmp_path / "x.wav", np.zeros(10, np.float32), 8000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.wav"]


def test_files_left_open_are_removed_at_exit(tmp_path):
    import subprocess
    import sys

    code = ("import os, sys; from jazzremix_gui.core.files import atomic; t = atomic.TempFile(sys.argv[1]); "
            "open(t.tmp, 'wb').write(b'1' * 100); os.kill(os.getpid(), 2)")
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.wav")], capture_output=True, text=True,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not ignored (background)
    assert p.returncode == -2 and "KeyboardInterrupt" in p.stderr  # died of Ctrl+C, as Python does
    assert not list(tmp_path.iterdir())


def test_a_dead_commits_moved_aside_file_comes_back(tmp_path):
    """Without a journal (no writable data folder) and without hard links, the earlier file sits as ``.keep``."""
    dead = _dead_pid()
    kept = tmp_path / f".take.solo.wav.{atomic.MARK}-{atomic.HOST}-{dead}-abcd1234.part.keep"
    kept.write_bytes(b"earlier solo")
    spare = tmp_path / f".take.acc.wav.{atomic.MARK}-{atomic.HOST}-{dead}-abcd1235.part.keep"
    spare.write_bytes(b"a spare link")
    (tmp_path / "take.acc.wav").write_bytes(b"earlier acc")
    atomic.sweep(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"take.solo.wav": b"earlier solo",
                                                                    "take.acc.wav": b"earlier acc"}


def test_names_without_an_owner_are_never_removed(tmp_path):
    """The first versions' temporary names carried no owner: such a name may be a user's own file, so it stays,
    however old (a sweep once removed ``.notes.abcdefgh.part`` after six hours)."""
    names = [".take.solo.wav.k2j3h4g5.part", ".notes.abcdefgh.part", ".thesis.docx.abcdefgh.part",
             ".mydata.12345678.f32", ".take.remix.wav.zz_9y8x7.f32"]
    days_ago = time.time() - 3 * 86400
    for name in names:
        (tmp_path / name).write_bytes(b"important")
        os.utime(tmp_path / name, (days_ago, days_ago))
    assert atomic.sweep(tmp_path) == [] and atomic.sweep(tmp_path, "take.solo.wav") == []
    audio_io.write_audio(tmp_path / "take.solo.wav", np.zeros(10, np.float32), 8000)  # a writer sweeps too
    assert {p.name for p in tmp_path.iterdir()} == set(names) | {"take.solo.wav"}
