"""Progress bars: drawn on a terminal (a pseudo-terminal here), silent when stderr is a pipe or with -q."""

import os
import pty
import select
import signal
import sys
import time

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli import progress
from test_cli import jazzremix, models  # noqa: F401 (models is a fixture)

BAR = b"%|"


def run_in_pty(*args, timeout=240.0) -> tuple[int, bytes]:
    """Run ``jazzremix ARGS`` with stdin, stdout and stderr on a fresh pseudo-terminal (size never set: 0 x 0)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the command
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        os.execve(sys.executable, [sys.executable, "-m", "jazzremix_gui", *map(str, args)], env)
    out, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"jazzremix {' '.join(map(str, args))} ran over {timeout} s in the pty: {out[-500:]!r}")
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out


@pytest.fixture
def takes(tmp_path):
    rng = np.random.default_rng(3)
    folder = tmp_path / "takes"
    folder.mkdir()
    for name in ("a.wav", "b.wav"):
        sf.write(folder / name, (0.2 * rng.standard_normal((44100 * 6, 2))).astype(np.float32), 44100)
    return folder


def test_bar_on_a_terminal_without_a_size():
    master, slave = os.openpty()  # never sized: 0 x 0, where tqdm alone draws nothing
    try:
        with open(slave, "w", closefd=False) as stream:
            assert os.get_terminal_size(slave).columns == 0
            with progress.progress_bar("file 2 of 3: take.wav", stream) as bar:
                assert bar is not None
                for i in range(1, 4):
                    time.sleep(0.25)  # the bar redraws at most 5 times a second
                    bar(i / 4, "separating")
            stream.flush()
        time.sleep(0.05)
        drawn = os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
    assert b"file 2 of 3: take.wav:" in drawn and BAR in drawn and b"separating" in drawn
    assert b" 75%" in drawn
    assert drawn.rstrip(b" ").endswith(b"\r")  # erased when done: the next line starts clean


def test_no_bar_off_a_terminal(tmp_path):
    with open(tmp_path / "log.txt", "w") as stream:
        with progress.progress_bar("x", stream) as bar:
            assert bar is None
    assert (tmp_path / "log.txt").read_text() == ""
    assert progress.terminal_size(open(os.devnull)) == (progress.DEFAULT_COLUMNS, progress.DEFAULT_LINES)


def test_a_huge_size_in_the_environment_is_bounded(monkeypatch):
    """``COLUMNS=99999999999999999999`` was an OverflowError, 10**8 a bar drawn for minutes (2026-12-06)."""
    monkeypatch.setenv("COLUMNS", "99999999999999999999")
    monkeypatch.setenv("LINES", "100000000")
    assert progress.terminal_size(open(os.devnull)) == (progress.MAX_SIZE, progress.MAX_SIZE)


def test_separate_draws_a_bar_per_file_in_a_pty(tmp_path, models, takes):  # noqa: F811
    status, out = run_in_pty("separate", takes, "-o", tmp_path / "out", "--model", models[0])
    assert status == 0, out
    for i, name in ((1, "a.wav"), (2, "b.wav")):
        assert f"\rfile {i} of 2: {name}: ".encode() in out  # the bar's label
    assert out.count(BAR) >= 2 and b"separating" in out
    assert b"file 2 of 2: " + str(takes / "b.wav").encode() + b": b.solo.wav, b.accompaniment.wav" in out  # kept

    status, quiet = run_in_pty("-q", "separate", takes, "-o", tmp_path / "q", "--model", models[0])
    assert status == 0 and BAR not in quiet

    proc = jazzremix("separate", takes, "-o", tmp_path / "piped", "--model", models[0])  # stderr is a pipe
    assert proc.returncode == 0 and "%|" not in proc.stderr and "\r" not in proc.stderr
    assert "file 2 of 2: " in proc.stderr


def test_suggest_and_remix_draw_bars_in_a_pty(tmp_path, models, takes):  # noqa: F811
    status, out = run_in_pty("suggest", takes / "a.wav", "--model", models[0], "--mixer", models[1])
    assert status == 0 and BAR in out and b"suggestion:" in out
    status, out = run_in_pty("remix", takes / "a.wav", "-o", tmp_path / "r.wav", "--model", models[0], "--mixer",
                             models[1])
    assert status == 0 and BAR in out, out
    assert sf.info(tmp_path / "r.wav").frames == 44100 * 6
