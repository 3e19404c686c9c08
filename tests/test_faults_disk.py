"""A full disk, for real: a 1 MB tmpfs as the output folder (needs root to mount; skipped otherwise)."""

import os
import subprocess

import numpy as np
import pytest
import soundfile as sf

from jazzremix_gui.cli import main as cli


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the full-disk test runs where the tests run as root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def noise(path, seconds, rate):
    sf.write(path, np.random.default_rng(3).uniform(-0.5, 0.5, (int(seconds * rate), 2)).astype(np.float32), rate)
    return path


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_full_disk_is_said_with_sizes_and_leaves_everything_as_it_was(tmp_path, small_disk, capsys, tiny_models, fmt):
    big, small = noise(tmp_path / "big.wav", 10, 44100), noise(tmp_path / "small.wav", 0.5, 22050)
    earlier = {}
    for stem in ("solo", "accompaniment"):  # an earlier run's pair of the big file
        sf.write(small_disk / f"big.{stem}.{fmt}", np.zeros(100, np.float32), 8000)
        earlier[f"big.{stem}.{fmt}"] = (small_disk / f"big.{stem}.{fmt}").read_bytes()
    rc = cli.main(["separate", str(big), str(small), "--out", str(small_disk), "--format", fmt, "--overwrite",
                   "--model", str(tiny_models / "separator.onnx")])
    lines = capsys.readouterr().err.splitlines()
    errors = [line for line in lines if line.startswith("jazzremix: error:")]
    assert rc == 1 and len(errors) == 1, lines
    # WAV: refused before any work (the size is exact); FLAC: found while writing. Both say how much.
    assert f"file 1 of 2: {big}: no space left on the device in {small_disk} (needs about " in errors[0]
    assert " free)" in errors[0]
    left = {p.name: p.read_bytes() for p in small_disk.iterdir()}
    assert {k: left[k] for k in earlier} == earlier
    assert sorted(left) == sorted([*earlier, f"small.solo.{fmt}", f"small.accompaniment.{fmt}"])  # no debris
    assert sf.info(str(small_disk / f"small.accompaniment.{fmt}")).frames == 11025
