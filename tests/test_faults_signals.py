"""Killed jobs: ``separate`` on a long file stopped by kill -9, SIGTERM, SIGINT or SIGHUP at several moments.

Moments: while the stems are being written, after both are complete but before the first
rename, and between the two renames (the commit's test hook, ``core.files.commit.FAULT_ENV``,
holds the job there). Afterwards: no temporary file, no half pair, an earlier run's pair
intact unless the new pair replaced it whole; a caught signal exits 128 + its number; after
kill -9, a re-run cleans up and completes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.core.files import atomic

ROOT = Path(__file__).resolve().parents[1]
RATE = 44100
SECONDS = 20
OLD_FRAMES = 4410


@pytest.fixture(scope="module")
def long_input(tmp_path_factory):
    path = tmp_path_factory.mktemp("long") / "take.wav"
    rng = np.random.default_rng(7)
    t = np.arange(SECONDS * RATE) / RATE
    x = 0.1 * rng.standard_normal((t.size, 2)) + 0.2 * np.sin(2 * np.pi * 220 * t)[:, None]
    sf.write(path, x.astype(np.float32), RATE, subtype="PCM_16")
    return path


def earlier_pair(out: Path) -> dict:
    """An earlier run's stems (short, so they cannot be mistaken for this run's); returns their bytes."""
    out.mkdir()
    sf.write(out / "take.solo.wav", np.full(OLD_FRAMES, 0.1, np.float32), RATE)
    sf.write(out / "take.accompaniment.wav", np.full((OLD_FRAMES, 2), 0.1, np.float32), RATE)
    return files(out)


def files(out: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def frames(path: Path) -> int:
    return sf.info(str(path)).frames


def default_sigint() -> None:
    """Where the tests run in the background, a shell set SIGINT to be ignored, and the CLI respects that (as Python
    does); a job in a terminal has the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(long_input, out, data, point=None):
    env = dict(os.environ, JAZZREMIX_DATA_DIR=str(data), JAZZREMIX_CACHE_DIR=str(data / "cache"))
    flag = out.parent / f"{out.name}.flag"
    if point:
        env["JAZZREMIX_FAULTPOINT"] = f"{point}:{flag}"
    proc = subprocess.Popen([sys.executable, "-m", "jazzremix_gui", "separate", str(long_input), "--out", str(out),
                             "--overwrite"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    return proc, flag


def wait_for(proc, ready, what: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None or time.monotonic() > end:
            proc.kill()
            raise AssertionError(f"never reached {what}: {proc.communicate()[1]}")
        time.sleep(0.005)


def writing(out: Path) -> bool:
    """The stems' temporary files exist and hold a good part of the audio."""
    parts = [p for p in out.iterdir() if atomic.parse_temp_name(p.name)]
    return len(parts) >= 2 and all(p.stat().st_size > 200_000 for p in parts)


def debris(out: Path, data: Path) -> list:
    journals = list((data / "commits").glob("*")) if (data / "commits").exists() else []
    return [p.name for p in out.iterdir() if p.name.startswith(".")] + [p.name for p in journals]


CASES = [
    (signal.SIGKILL, "writing"), (signal.SIGKILL, "before-commits"), (signal.SIGKILL, "between-commits"),
    (signal.SIGTERM, "writing"), (signal.SIGTERM, "between-commits"),
    (signal.SIGINT, "writing"), (signal.SIGINT, "between-commits"),
    (signal.SIGHUP, "writing"), (signal.SIGHUP, "before-commits"),
]


@pytest.mark.parametrize("sig,moment", CASES, ids=[f"{signal.Signals(s).name}-{m}" for s, m in CASES])
def test_killed_separate_leaves_no_debris_and_no_half_pair(tmp_path, long_input, sig, moment):
    out, data = tmp_path / "out", tmp_path / "data"
    old = earlier_pair(out)
    proc, flag = start(long_input, out, data, None if moment == "writing" else moment)
    wait_for(proc, (lambda: writing(out)) if moment == "writing" else flag.exists, moment)
    proc.send_signal(sig)
    err = proc.communicate(timeout=60)[1]
    new = SECONDS * RATE
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        left = files(out)
        if moment == "between-commits":  # the one unavoidable moment: the next run finishes the commit
            assert frames(out / "take.solo.wav") == new
            assert left["take.accompaniment.wav"] == old["take.accompaniment.wav"]
            assert list((data / "commits").glob("*.journal"))
        else:
            assert {k: v for k, v in left.items() if not k.startswith(".")} == old
        if moment == "writing":
            assert debris(out, data), "a killed job could not have cleaned up: the test did not kill it mid-write"
        rerun, _ = start(long_input, out, data)
        rerun_err = rerun.communicate(timeout=120)[1]
        assert rerun.returncode == 0, rerun_err
        if moment == "writing":
            assert "left by an interrupted job" in rerun_err
        assert frames(out / "take.solo.wav") == new and frames(out / "take.accompaniment.wav") == new
    else:
        assert proc.returncode == 128 + sig, err
        assert "Traceback" not in err and f"interrupted ({signal.Signals(sig).name})" in err
        if moment == "writing":  # stopped before the commit: the earlier pair as it was
            assert files(out) == old
        else:  # held back until the commit was whole: the new pair, both of it
            assert frames(out / "take.solo.wav") == new and frames(out / "take.accompaniment.wav") == new
    assert debris(out, data) == []
    assert sorted(p.name for p in out.iterdir()) == ["take.accompaniment.wav", "take.solo.wav"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_batch_counts_sigterm_and_sighup_like_ctrl_c(sig):
    from jazzremix_gui.core.files import interrupts
    from jazzremix_gui.services.batch.runner import _CtrlC

    with _CtrlC() as stop:
        os.kill(os.getpid(), sig)  # runs the handler at once (main thread): counted, not fatal
        assert stop.count == 1 and stop.signum == sig
    assert interrupts.exit_status(interrupts.Interrupted(stop.signum)) == 128 + sig
