"""``train-separator --comb``: the mask's logits add the harmonic comb of the pitch its head reads (#21).

The combs sit on a pitch's partials; a separator given the comb starts as the same function, exports with its
pitch head to ONNX with the same outputs as torch, trains, and joins a soup with separators without it.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training import architectures, separator_weights  # noqa: E402
from jazzremix_gui.training.export import export_onnx  # noqa: E402
from jazzremix_gui.training.pitch import LOWEST_HZ, N_CLASSES, harmonic_combs  # noqa: E402
from jazzremix_gui.training.train_separator import SeparatorConfig, train  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from test_separator_training import _dataset  # noqa: E402


def _trained_like(model):
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model.eval()


def test_each_class_comb_peaks_on_its_partials_and_unvoiced_has_none():
    combs = harmonic_combs()
    assert combs.shape == (N_CLASSES, 2049) and combs.dtype == np.float32
    assert not combs[0].any() and combs.min() >= 0 and combs.max() <= 1
    bin_hz = 44100 / 4096
    a3 = 1 + round(12 * np.log2(220.0 / LOWEST_HZ))  # the class of A3
    for k in (1, 2, 5, 10):
        centre = k * 220.0 / bin_hz
        assert combs[a3, int(round(centre))] > 0.75, k
        # halfway to the next partial (the bumps widen with the partial's frequency: a third of a semitone)
        assert combs[a3, int(round(centre + 0.5 * 220.0 / bin_hz))] < (0.1 if k < 10 else 0.2), k
    assert combs[a3, : int(0.5 * 220 / bin_hz)].max() < 0.01  # nothing under the fundamental


def test_the_comb_starts_as_the_same_model_and_exports_with_its_pitch_head(tmp_path):
    import onnx

    model = _trained_like(architectures.build("mask", width=32, dilations=(1, 2)))
    combed = architectures.with_comb(model).eval()
    x = torch.rand(2, 40, architectures.N_BINS) * 0.05
    with torch.no_grad():
        assert torch.equal(model(x), combed(x))
        combed.comb_scale.fill_(0.3)  # once trained, the comb raises the mask on the heard pitch's partials
        changed = combed(x)
        assert not torch.allclose(model(x), changed) and (changed >= model(x) - 1e-7).all()
        est, logits = combed.forward_with_pitch(x)
        assert torch.equal(est, changed) and logits.shape == (2, 40, N_CLASSES)
    assert combed.context_frames == model.context_frames and "harmonic comb" in combed.architecture
    with pytest.raises(ValueError, match="already"):
        architectures.with_comb(combed)
    with pytest.raises(ValueError, match="drives"):
        architectures.with_pitch_head(combed, N_CLASSES)
    with pytest.raises(ValueError, match="classes"):
        architectures.with_comb(architectures.with_pitch_head(model, 7))
    rebuilt = separator_weights.build_from_config(separator_weights.arch_config(combed)).eval()
    rebuilt.load_state_dict(combed.state_dict())
    path = export_onnx(combed, tmp_path / "c.onnx", {"kind": "separator", "hop": 1024, "input_kind": "mid_magnitude",
                                                     "context_frames": combed.context_frames, "version": "t"},
                       torch.rand(20, 2049) * 0.05, "mix_mag", "solo_mag")
    names = {i.name for i in onnx.load(str(path)).graph.initializer}
    assert any(n.startswith("pitch") for n in names)  # the head is part of the shipped model now
    with torch.no_grad():
        expected = rebuilt(x[0]).numpy()
    got = ModelSession(path, "separator", prefer_gpu=False).run(x[0].numpy())
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(separator_weights.WeightsError, match="not an exported mask separator"):
        separator_weights.recover_from_onnx(path)  # its weights come from the .pt beside it


def test_a_warm_start_gains_the_comb_and_trains_it(tmp_path):
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="mask", train_dir=str(a), val_dir=str(val_dir), minutes=60, batch=4, frames=16, width=32,
                dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9)
    train(SeparatorConfig(out=str(tmp_path / "s1.onnx"), checkpoint_dir=str(tmp_path / "c1"), max_steps=2, **base))
    card = train(SeparatorConfig(out=str(tmp_path / "s2.onnx"), checkpoint_dir=str(tmp_path / "c2"), max_steps=3,
                                 init=str(tmp_path / "s1.pt"), comb=True, pitch=0.01, lr=1e-2, **base))
    assert "harmonic comb" in card["architecture"] and " --comb" in card["history"][-1]["command"]
    model = separator_weights.load_init(tmp_path / "s2.pt")[0]
    assert model.comb and model.pitch_classes == N_CLASSES and model.comb_scale.abs().max() > 0  # it learned
    with pytest.raises(separator_weights.WeightsError, match="adds parameters"):
        train(SeparatorConfig(out=str(tmp_path / "s3.onnx"), checkpoint_dir=str(tmp_path / "c3"), max_steps=1,
                              init=str(tmp_path / "c1" / "last.pt"), init_optimizer="restore", comb=True, **base))
    fresh = train(SeparatorConfig(out=str(tmp_path / "f.onnx"), checkpoint_dir=str(tmp_path / "cf"), max_steps=1,
                                  comb=True, pitch=0.01, **base))
    assert "harmonic comb" in fresh["architecture"]


def test_a_soup_with_a_separator_without_the_comb_halves_its_scale_and_keeps_the_trained_head(tmp_path):
    plain = _trained_like(architectures.build("mask", width=8, dilations=(1,)))
    combed = architectures.with_comb(_trained_like(architectures.build("mask", width=8, dilations=(1,))))
    with torch.no_grad():
        combed.comb_scale.fill_(0.2)
    paths = [separator_weights.save_weights(m, tmp_path / f"{n}.pt", []) for n, m in (("p", plain), ("c", combed))]
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "separator_soup.py"), str(tmp_path / "s.pt"),
                           *map(str, paths)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    soup = separator_weights.load_init(tmp_path / "s.pt")[0]
    assert soup.comb and torch.allclose(soup.comb_scale, torch.full_like(soup.comb_scale, 0.1))
    torch.testing.assert_close(soup.pitch.weight, combed.pitch.weight)  # not averaged with a fresh head
    torch.testing.assert_close(soup.encode.weight, (plain.encode.weight + combed.encode.weight) / 2)
