"""A planted ``.pt`` never runs code (issue #23 item 7): every ``torch.load`` reads data only.

``train-mixer --base X.onnx`` reads ``X.pt`` beside it, ``train-separator --init`` a ``.pt``
or the ``.pt`` beside an ``.onnx``, and the recipes their checkpoints: a file whose pickle
calls a function (here, one that would create a marker file) is refused in one line and the
function never runs. The shipped weights still load.
"""

import pickle
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.training import checkpoint, mixer_finetune, separator_weights  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jazzremix_gui"


class Planted:
    """Unpickling this calls ``Path.touch(marker)``: what a malicious ``.pt`` does."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def plant(path: Path, marker: Path) -> Path:
    """A torch file whose ``model`` entry runs code when unpickled without ``weights_only``."""
    torch.save({"model": Planted(marker), "config": {}, "arch": {}}, path)
    return path


def test_the_plant_runs_code_when_loaded_unsafely(tmp_path):
    marker = tmp_path / "ran"
    torch.load(plant(tmp_path / "x.pt", marker), weights_only=False)
    assert marker.exists()


def test_train_mixer_base_with_a_planted_pt(tmp_path):
    marker = tmp_path / "ran"
    plant(tmp_path / "X.pt", marker)
    with pytest.raises(mixer_finetune.TrainMixerError, match=r"X\.pt: not weights of this version's mixer"):
        mixer_finetune.load_base(tmp_path / "X.onnx")
    assert not marker.exists()


def test_separator_init_and_checkpoints_with_a_planted_pt(tmp_path):
    marker = tmp_path / "ran"
    plant(tmp_path / "s.pt", marker)
    with pytest.raises(separator_weights.WeightsError):
        separator_weights.load_init(tmp_path / "s.pt")
    with pytest.raises(pickle.UnpicklingError):
        checkpoint.load_state(tmp_path / "s.pt")
    assert not marker.exists()


def test_shipped_weights_still_load():
    model, cfg = mixer_finetune.load_base(ROOT / "models" / "mixer.onnx")
    assert sum(p.numel() for p in model.parameters()) > 0
    assert "model" in checkpoint.load_state(ROOT / "models" / "separator.pt")


def test_no_torch_load_without_weights_only_in_the_package():
    calls = [f"{p.relative_to(ROOT)}:{i}" for p in PACKAGE.rglob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if "torch.load(" in line and "weights_only=True" not in line]
    assert not calls, f"torch.load without weights_only=True (use training.checkpoint.load_state): {calls}"


def test_numpy_scalars_in_a_checkpoint_load(tmp_path):
    import numpy as np

    torch.save({"loss": np.float32(1.5), "step": np.int64(3), "history": [{"sdr": np.float64(2.0)}]}, tmp_path / "c.pt")
    state = checkpoint.load_state(tmp_path / "c.pt")
    assert state == {"loss": 1.5, "step": 3, "history": [{"sdr": 2.0}]}
