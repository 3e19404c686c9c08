"""``scripts/reexport_mixer.py``: a mixer written again from its weights keeps its posteriors and its metadata, and
its card says so; a file whose weights are missing is refused in one line, untouched."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training import mixer_eval  # noqa: E402
from jazzremix_gui.training.export import sha256, write_card  # noqa: E402
from jazzremix_gui.training.train_mixer import MixerConfig, build_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _reexport(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "reexport_mixer.py"), str(path), "--why", "a test"],
                          capture_output=True, text=True, cwd=ROOT)


def test_a_mixer_written_again_keeps_its_posteriors_metadata_and_card(tmp_path):
    torch.manual_seed(2)
    cfg = MixerConfig(arch="gauss-mix", hidden=8, members=2)
    model = build_model(cfg).eval()
    path = tmp_path / "mixer.onnx"
    mixer_eval.export(model, path, "mix-tiny-2.0")
    mixer_eval.save_weights(model, path, {**cfg.__dict__})
    write_card(path, {"name": "mix-tiny-2.0"})
    x = np.random.default_rng(4).standard_normal((300, 100)).astype(np.float32)
    before, before_sha = ModelSession(path, "mixer", prefer_gpu=False), sha256(path)
    post = before.run(x)
    done = _reexport(path)
    assert done.returncode == 0, done.stderr
    after = ModelSession(path, "mixer", prefer_gpu=False)
    assert after.meta == before.meta
    assert float(np.abs(after.run(x) - post).max()) < 1e-6
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["sha256"] == sha256(path) and card["size_bytes"] == path.stat().st_size
    entry = card["exports"][-1]
    assert entry["sha256_before"] == before_sha and entry["sha256"] == card["sha256"]
    assert entry["largest_difference_per_cell"] < 1e-6 and entry["frames_checked"] == 20000
    assert entry["why"] == "a test" and entry["command"].endswith(f"{path} --why 'a test'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixer.json", "mixer.onnx", "mixer.pt"]  # no debris


def test_a_mixer_without_its_weights_is_refused_untouched(tmp_path):
    model = build_model(MixerConfig(arch="gauss", hidden=8)).eval()
    path = tmp_path / "mixer.onnx"
    mixer_eval.export(model, path, "mix-tiny-2.0")
    write_card(path, {"name": "mix-tiny-2.0"})
    data = path.read_bytes()
    done = _reexport(path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"{tmp_path / 'mixer.pt'}: the mixer's weights are missing "
                                                f"(needed to fine-tune {path})"]
    assert path.read_bytes() == data
