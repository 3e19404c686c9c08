"""Process-wide settings of the commands, and the early writeback of the files they write."""

import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli import process_tuning
from jazzremix_gui.core.audio.audio_io import AtomicAudioWriter
from jazzremix_gui.core.files import writeback


def _open_fds() -> set:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sync_file_range is Linux's")
def test_writeback_asks_the_kernel_and_changes_nothing_written(tmp_path, monkeypatch):
    calls = []
    real = writeback._sync_file_range()
    assert real, "glibc's sync_file_range should be found on Linux"

    def counting(fd, offset, nbytes, flags):
        calls.append((os.readlink(f"/proc/self/fd/{fd}"), flags))
        return real(fd, offset, nbytes, flags)

    monkeypatch.setattr(writeback, "_call", counting)
    monkeypatch.setattr(writeback, "EVERY", 1 << 16)
    rng = np.random.default_rng(3)
    audio = (rng.standard_normal((200_000, 2)) * 0.1).astype(np.float32)
    before = _open_fds()
    with AtomicAudioWriter(tmp_path / "out.wav", 44100, 2, 24) as w:
        for i in range(0, len(audio), 20_000):
            w.write(audio[i: i + 20_000])
        w.commit()
    assert _open_fds() == before  # its own handle is closed with the file
    assert len(calls) == 10 and {flags for _, flags in calls} == {writeback._START_WRITE}
    assert all(".part" in path for path, _ in calls)  # the temporary file, before the rename
    back, rate = sf.read(tmp_path / "out.wav", dtype="float32")
    assert rate == 44100 and np.abs(back - audio).max() <= 2.0 ** -23 + 1e-9


def test_writeback_does_nothing_where_the_call_is_missing_or_refused(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    monkeypatch.setattr(writeback, "_call", False)
    before = _open_fds()
    wb = writeback.Writeback(path)
    wb.wrote(10 * writeback.EVERY)  # nothing opened, nothing asked
    assert _open_fds() == before
    wb.close()
    monkeypatch.setattr(writeback, "_call", lambda *a: -1)  # refused: its handle goes, no more requests
    wb = writeback.Writeback(path)
    assert len(_open_fds()) == len(before) + 1
    wb.wrote(writeback.EVERY)
    assert _open_fds() == before
    wb.wrote(writeback.EVERY)
    wb.close()


def test_one_blas_thread_keeps_the_users_choice(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    process_tuning.one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    process_tuning.one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


def test_a_command_runs_with_one_blas_thread_and_tuned_memory_but_not_in_process(tmp_path):
    """The console entry sets OpenBLAS before numpy loads and tunes glibc for a command; main(argv) called
    in-process (tests, other programs) and ``--version`` leave the process as it is."""
    missing = str(tmp_path / "missing.wav")
    code = ("import os, sys; from jazzremix_gui.cli import main as m, process_tuning as t; "
            "called = []; t.keep_freed_memory = lambda: called.append(1) or True; "
            "sys.argv = ['jazzremix', '--version']; m.main(); "
            "print('RESULT', os.environ.get('OPENBLAS_NUM_THREADS'), len(called)); "
            f"m.main(['separate', {missing!r}, '-o', {str(tmp_path)!r}]); print('RESULT', len(called)); "
            f"sys.argv = ['jazzremix', 'separate', {missing!r}, '-o', {str(tmp_path)!r}]; m.main(); print('RESULT', len(called))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert [line for line in out.splitlines() if line.startswith("RESULT")] == ["RESULT 1 0", "RESULT 0", "RESULT 1"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_keep_freed_memory_is_accepted_by_glibc():
    code = "from jazzremix_gui.cli import process_tuning as t; print(t.keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
