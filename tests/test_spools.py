"""The remix's stems spool (#23.8): removed when the job is stopped by a signal, and one left by a killed
process swept by the next run, which says what it removed and how big."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.files import tempnames
from jazzremix_gui.core.files.oserrors import human_bytes
from jazzremix_gui.services import remix_writer

ROOT = Path(__file__).resolve().parents[1]
RATE = 44100


@pytest.fixture(scope="module")
def long_input(tmp_path_factory):
    path = tmp_path_factory.mktemp("spool_in") / "take.wav"
    t = np.arange(30 * RATE) / RATE
    x = 0.1 * np.random.default_rng(4).standard_normal((t.size, 2)) + 0.2 * np.sin(2 * np.pi * 220 * t)[:, None]
    sf.write(path, x.astype(np.float32), RATE, subtype="PCM_16")
    return path


def remix(long_input, out, data):
    env = dict(os.environ, JAZZREMIX_DATA_DIR=str(data), JAZZREMIX_CACHE_DIR=str(data / "cache"))
    return subprocess.Popen([sys.executable, "-m", "jazzremix_gui", "remix", str(long_input), "--out", str(out),
                             "--pan", "10", "--gain", "0.8"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def spools(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(remix_writer.SPOOL_SUFFIX)]


def test_sigterm_removes_the_spool(tmp_path, long_input):
    folder = tmp_path / "out"
    folder.mkdir()
    proc = remix(long_input, folder / "r.wav", tmp_path / "data")
    end = time.monotonic() + 120
    while not (spools(folder) and spools(folder)[0].stat().st_size > 1_000_000):
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            raise AssertionError(f"the spool never grew: {proc.communicate()[1]}")
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []


def test_a_dead_process_spool_is_swept_and_said(tmp_path, long_input):
    folder = tmp_path / "out"
    folder.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = folder / f".r.wav.{tempnames.MARK}-{tempnames.HOST}-{dead.pid}-abcd1234{remix_writer.SPOOL_SUFFIX}"
    stale.write_bytes(b"\0" * 3_000_000)
    proc = remix(long_input, folder / "r.wav", tmp_path / "data")
    err = proc.communicate(timeout=300)[1]
    assert proc.returncode == 0, err
    [line] = [x for x in err.splitlines() if x.startswith("removed")]
    size = human_bytes(3_000_000)
    assert line == f"removed 1 temporary file ({size}) left by an interrupted job: {stale} ({size})"
    assert sorted(p.name for p in folder.iterdir()) == ["r.wav"]
