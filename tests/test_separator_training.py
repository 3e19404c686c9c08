"""Separator training: ONNX export matches PyTorch, a short run lowers the loss, the shipped card matches its file."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

torch = pytest.importorskip("torch")

from jazzremix_gui.core import evaluation  # noqa: E402
from jazzremix_gui.core.models import ModelSession  # noqa: E402
from jazzremix_gui.training import architectures  # noqa: E402
from jazzremix_gui.training.export import export_onnx, sha256  # noqa: E402
from jazzremix_gui.training.train_separator import SeparatorConfig, train  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: Two residual blocks instead of the recipe's six: the training loop, checkpoints and export are the same code,
#: at two thirds of the CPU time.
SHORT_DILATIONS = "1,2"


def _dataset(root: Path, n_tracks: int, seed: int, seconds: float = 3.0) -> Path:
    """Tracks with a harmonic 'solo' over a noise-and-bass 'accompaniment' (mixture = solo + acc)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * 44100)
    t = np.arange(n) / 44100
    for k in range(n_tracks):
        f0 = rng.uniform(200, 600)
        solo = sum(0.15 / h * np.sin(2 * np.pi * f0 * h * t) for h in range(1, 6))
        solo *= (np.sin(2 * np.pi * 0.5 * t) > -0.3)  # phrases with rests
        acc = 0.05 * rng.standard_normal(n) + 0.2 * np.sin(2 * np.pi * rng.uniform(50, 90) * t)
        d = root / f"track_{k:03d}"
        d.mkdir(parents=True)
        s2 = np.stack([solo * 0.8, solo * 0.6], 1).astype(np.float32)
        a2 = np.stack([acc, acc * 0.9], 1).astype(np.float32)
        for name, x in (("solo", s2), ("accompaniment", a2), ("mixture", s2 + a2)):
            sf.write(d / f"{name}.wav", x, 44100, subtype="FLOAT")
    return root


SMALL = {"seed": {}, "mask": {"width": 32}, "band": {"bands": 8, "dim": 8}}


@pytest.mark.parametrize("arch", ["mask", "seed", "band"])
def test_onnx_matches_torch(tmp_path, arch):
    torch.manual_seed(0)
    model = architectures.build(arch, **SMALL[arch])
    model.eval()
    x = torch.rand(37, 2049) * 0.05
    path = export_onnx(model, tmp_path / "m.onnx", {"kind": "separator", "hop": 1024,
                                                   "input_kind": "mid_magnitude",
                                                   "context_frames": model.context_frames, "version": "t"},
                       torch.rand(20, 2049) * 0.05, "mix_mag", "solo_mag")
    session = ModelSession(path, "separator", prefer_gpu=False)
    with torch.no_grad():
        expected = model(x).numpy()
    got = session.run(x.numpy())
    assert got.shape == (37, 2049)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)  # float32 kernels differ in summation order
    assert session.meta.context_frames == model.context_frames
    # both sessions are the one model seam, and give the same frames
    from jazzremix_gui.core.models import SessionLike
    from jazzremix_gui.training.torch_session import TorchSession

    twin = TorchSession(model, session.meta)
    assert isinstance(session, SessionLike) and isinstance(twin, SessionLike)
    assert (session.provider, twin.provider) == ("CPU", "torch-cpu")
    np.testing.assert_allclose(twin.run(x.numpy()), got, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("arch", ["mask", "band"])
def test_receptive_field_matches_context_metadata(arch):
    torch.manual_seed(0)
    model = architectures.build(arch, **SMALL[arch]).eval()
    ctx = model.context_frames
    x = torch.rand(60, 2049) * 0.05
    y = x.clone()
    y[30] += 0.05  # a change at frame 30 may only move frames 30 - ctx .. 30 + ctx
    with torch.no_grad():
        d = (model(x) - model(y)).abs().sum(dim=1)
    moved = torch.nonzero(d > 0).flatten()
    assert moved.min() >= 30 - ctx and moved.max() <= 30 + ctx and moved.max() == 30 + ctx


@pytest.mark.parametrize("bands", [4, 32, 64])
def test_band_edges_cover_the_spectrum_once(bands):
    edges = architectures.band_edges(bands)
    widths = np.diff(edges)
    assert edges[0] == 0 and edges[-1] == architectures.N_BINS and len(edges) == bands + 1
    assert widths.min() >= 4  # every band has bins of its own
    assert widths[-1] > widths[0]  # narrow at the bottom, wide at the top (mel)


def test_band_layers_are_the_residual_convolutions_they_hold():
    """The band model's 2-D layout computes what its blocks compute as 1-D convolutions per band / per frame."""
    torch.manual_seed(1)
    model = architectures.build("band", bands=6, dim=8, dilations=(1, 2, 4, 1)).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.add_(torch.randn_like(p) * 0.3)  # not the identity the norms start as
        mag = torch.rand(2, 50, 2049) ** 4 * 0.1
        b, t, k, d = 2, 50, model.bands, model.dim
        x = (architectures.MaskSeparator.compress(mag) - model.input_mean) * model.input_scale
        h = torch.stack([enc(x[:, :, lo:hi]) for enc, lo, hi in zip(model.encode, model.edges[:-1], model.edges[1:])],
                        dim=1)  # [B, K, T, D]
        h = h.transpose(2, 3).reshape(b * k, d, t)
        for i, block in enumerate(model.blocks):
            h = block(h)  # nn.Conv1d over time, each band a sequence
            if (i + 1) % model.mix_every == 0:
                across = h.reshape(b, k, d, t).permute(0, 3, 2, 1).reshape(b * t, d, k)
                across = model.mixers[(i + 1) // model.mix_every - 1](across)  # over the bands, each frame
                h = across.reshape(b, t, d, k).permute(0, 3, 2, 1).reshape(b * k, d, t)
        h = h.reshape(b, k, d, t).transpose(2, 3)
        expected = torch.sigmoid(torch.cat([dec(h[:, i]) for i, dec in enumerate(model.decode)], dim=-1)) * mag
        np.testing.assert_allclose(model(mag).numpy(), expected.numpy(), rtol=1e-5, atol=1e-7)


def test_band_architecture_trains_resumes_and_rebuilds(tmp_path):
    from jazzremix_gui.training import separator_weights as W

    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="band", train_dir=str(a), val_dir=str(val_dir), minutes=60, batch=4, frames=16, width=8,
                bands=8, dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9,
                out=str(tmp_path / "b.onnx"), checkpoint_dir=str(tmp_path / "c"))
    card = train(SeparatorConfig(max_steps=3, **base))
    assert "--arch band" in card["history"][0]["command"] and "--bands 8" in card["history"][0]["command"]
    assert card["architecture"].startswith("band: ") and "8 mel-spaced bands" in card["architecture"]
    card = train(SeparatorConfig(max_steps=5, **base))  # the same checkpoint folder: resumes at step 3
    assert card["total"]["steps"] == 5
    model, _, _ = W.load_init(str(tmp_path / "b.pt"))
    assert isinstance(model, architectures.BandSeparator) and (model.bands, model.dim) == (8, 8)
    session = ModelSession(tmp_path / "b.onnx", "separator", prefer_gpu=False)
    x = np.random.default_rng(0).random((30, 2049)).astype(np.float32) * 0.05
    with torch.no_grad():
        np.testing.assert_allclose(session.run(x), model.eval()(torch.from_numpy(x)).numpy(), rtol=1e-4, atol=1e-6)


def test_short_training_lowers_loss_and_exports(tmp_path):
    train_dir = _dataset(tmp_path / "train", 4, seed=1, seconds=2.0)
    val_dir = _dataset(tmp_path / "val", 2, seed=2, seconds=2.0)
    cfg = SeparatorConfig(arch="mask", train_dir=str(train_dir), val_dir=str(val_dir), out=str(tmp_path / "sep.onnx"),
                          checkpoint_dir=str(tmp_path / "ck"), minutes=60, max_steps=60, batch=8, frames=16,
                          width=32, dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=1e9)
    card = train(cfg)
    log = [json.loads(l) for l in (tmp_path / "ck" / "log.jsonl").read_text().splitlines()]
    assert card["training"]["steps"] == 60
    first = np.mean([l for l in _losses(tmp_path)][:5])
    last = card["training"]["final_loss"]
    assert last < first, (first, last)
    assert card["sha256"] == sha256(tmp_path / "sep.onnx")
    assert card["validation"]["median_sdr_db"]["solo"] > 0
    assert any("val_solo_sdr" in l for l in log)
    # the card is the shared builder's: metadata as exported, the machine that trained it read now
    import os
    import platform

    from jazzremix_gui.core.models import ModelSession
    meta = ModelSession(tmp_path / "sep.onnx", "separator", prefer_gpu=False).meta
    assert card["metadata"]["jazzremix.sample_rate"] == 44100 and card["metadata"]["jazzremix.hop"] == meta.hop
    assert card["metadata"]["jazzremix.wiener_alpha"] == meta.wiener_alpha
    machine = card["training"]["machine"]
    assert machine.startswith(f"{len(os.sched_getaffinity(0))}-core {platform.machine()} CPU (")
    assert f"torch.set_num_threads={cfg.threads}" in machine and card["training"]["config"]["width"] == 32
    assert card["data"]["train"][0]["path"] == str(train_dir)
    # resuming continues from the checkpoint instead of starting again
    cfg.max_steps = 64
    card2 = train(cfg)
    assert card2["training"]["steps"] == 64


def _losses(tmp_path):
    """Per-step losses of the first steps, recomputed with a fresh seeded run (the log holds only summaries)."""
    from jazzremix_gui.training.remix_sampler import RemixSampler
    from jazzremix_gui.training.train_separator import _init_normalisation

    sampler = RemixSampler(tmp_path / "train", 16, 1024, 0, p_remix=0.0)
    torch.manual_seed(0)
    model = architectures.build("mask", width=32, dilations=tuple(int(d) for d in SHORT_DILATIONS.split(",")))
    _init_normalisation(model, sampler)
    out = []
    for _ in range(5):
        mix, solo = sampler.batch(8)
        with torch.no_grad():
            out.append(float(torch.mean((model(torch.from_numpy(mix)) - torch.from_numpy(solo)) ** 2) * 1e4))
    return out


def test_warm_start_from_weights_keeps_history_and_reads_several_folders(tmp_path):
    from jazzremix_gui.training import separator_weights as W

    a, b = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "b", 2, seed=3)
    val_dir = _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="mask", val_dir=str(val_dir), minutes=60, batch=4, frames=16, width=32,
                dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9)
    card1 = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "s1.onnx"), checkpoint_dir=str(tmp_path / "c1"),
                                  max_steps=5, **base))
    assert (tmp_path / "s1.pt").is_file() and card1["total"]["stages"] == 1
    card2 = train(SeparatorConfig(train_dir=f"{a},{b}", out=str(tmp_path / "s2.onnx"),
                                  checkpoint_dir=str(tmp_path / "c2"), max_steps=3, both_stems=0.5,
                                  init=str(tmp_path / "s1.pt"), **base))
    hist = card2["history"]
    assert [h["stage"] for h in hist] == [1, 2] and hist[1]["init"].endswith("s1.pt")
    assert [t["path"] for t in hist[1]["train"]] == [str(a), str(b)]
    assert card2["total"]["steps"] == 8 and card2["total"]["cpu_s"] >= 0
    assert "breakdown" in card2["validation"] and card2["quality_guard"]["clip"] == "tests/data/guard"
    # restoring the optimiser needs a checkpoint; the shipped weights have none
    with pytest.raises(W.WeightsError, match="optimiser"):
        train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "s3.onnx"), checkpoint_dir=str(tmp_path / "c3"),
                              max_steps=1, init=str(tmp_path / "s1.pt"), init_optimizer="restore", **base))
    card4 = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "s4.onnx"), checkpoint_dir=str(tmp_path / "c4"),
                                  max_steps=7, init=str(tmp_path / "c1" / "last.pt"), init_optimizer="restore", **base))
    assert card4["history"][-1]["init_optimizer"] == "restore"
    # --pan-aware: the step goes into the file's metadata, and the card's figures are the step's
    card5 = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "s5.onnx"), checkpoint_dir=str(tmp_path / "c5"),
                                  max_steps=1, init=str(tmp_path / "s1.pt"), pan_aware="20,0.2", **base))
    session = ModelSession(tmp_path / "s5.onnx", "separator", prefer_gpu=False)
    assert session.meta.pan_aware == "20,0.2" and card5["metadata"]["jazzremix.pan_aware"] == "20,0.2"
    assert "--pan-aware 20,0.2" in card5["history"][-1]["command"]
    with_step = evaluation.evaluate_dataset(str(val_dir), session)["median"]
    plain = evaluation.evaluate_dataset(str(val_dir), session, pan_aware=False)["median"]
    assert card5["validation"]["median_sdr_db"] == with_step and with_step["solo"] != plain["solo"]
    assert "jazzremix.pan_aware" not in card4["metadata"]
    # --lr 0: a soup's weights exported and evaluated as they are (scripts/separator_soup.py); it once trained at 1e-3
    from jazzremix_gui.cli.main import main

    assert main(["train-separator", "--train", str(a), "--val", str(val_dir), "--out", str(tmp_path / "s6.onnx"),
                 "--checkpoints", str(tmp_path / "c6"), "--max-steps", "2", "--init", str(tmp_path / "s1.pt"),
                 "--lr", "0", "--batch", "4", "--frames", "16", "--width", "32", "--dilations", "1,2"]) == 0
    before, after = W.load_init(tmp_path / "s1.pt")[0].state_dict(), W.load_init(tmp_path / "s6.pt")[0].state_dict()
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.skipif(not (ROOT / "models" / "separator.onnx").exists(), reason="no shipped separator")
def test_weights_recovered_from_onnx_reproduce_it():
    from jazzremix_gui.training import separator_weights as W

    model = W.recover_from_onnx(ROOT / "models" / "separator.onnx")
    assert W.verify_against_onnx(model, ROOT / "models" / "separator.onnx") < 1e-5
    shipped, _, history = W.load_init(ROOT / "models" / "separator.pt")
    assert W.verify_against_onnx(shipped, ROOT / "models" / "separator.onnx") < 1e-5
    assert history and history[0]["stage"] == 1


def test_foreign_init_file_is_a_clear_error(tmp_path):
    from jazzremix_gui.training import separator_weights as W

    bad = tmp_path / "x.pt"
    bad.write_bytes(b"not torch")
    with pytest.raises(W.WeightsError, match="not separator weights"):
        W.load_init(bad)
    with pytest.raises(W.WeightsError, match="not found"):
        W.load_init(tmp_path / "missing.pt")


SHIPPED = ROOT / "models" / "separator.onnx"


@pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped separator yet")
def test_shipped_card_matches_file():
    card = json.loads(SHIPPED.with_suffix(".json").read_text())
    assert card["sha256"] == sha256(SHIPPED)
    assert card["size_bytes"] == SHIPPED.stat().st_size <= 25 * 2**20
    for key in ("parameters", "training", "data", "validation"):
        assert key in card
    assert card["validation"]["median_sdr_db"]["oracle_solo"] > card["validation"]["median_sdr_db"]["solo"]


@pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped separator yet")
def test_shipped_model_separates_synthesised_clip(tmp_path):
    """The real model on a clip the synthesiser renders from a validation seed: solo SDR above 4 dB."""
    synth = pytest.importorskip("jazzremix_gui.training.synth.dataset")
    import shutil

    if shutil.which("fluidsynth") is None:
        pytest.skip("fluidsynth is not installed")
    from jazzremix_gui.cli.main import main

    assert main(["synth", "--out", str(tmp_path / "clip"), "--tracks", "2", "--seconds", "12", "--seed", "4242",
                 "--jobs", "1"]) == 0
    result = evaluation.evaluate_dataset(tmp_path / "clip", ModelSession(SHIPPED, "separator"))
    assert result["median"]["solo"] > 4.0, result


def test_pitch_labels_of_harmonic_tones_silence_and_noise():
    from jazzremix_gui.training.pitch import LOWEST_HZ, N_PITCHES, f0_labels

    t = np.arange(44100) / 44100
    for f in (70.0, 220.0, 466.2, 1046.5, 1760.0):  # a reed-like tone: seven harmonics falling off
        x = sum((0.5 / k) * np.sin(2 * np.pi * f * k * t) for k in range(1, 8))
        labels = f0_labels(x, 1024, 30)
        assert (labels == round(12 * np.log2(f / LOWEST_HZ)) + 1).all() and labels.max() <= N_PITCHES
    assert not f0_labels(np.zeros(44100), 1024, 30).any()
    assert not f0_labels(0.1 * np.random.default_rng(0).standard_normal(44100), 1024, 30).any()


def test_a_pitch_head_trains_beside_the_mask_and_is_not_exported(tmp_path):
    import onnx

    from jazzremix_gui.core.models import ModelSession

    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="mask", val_dir=str(val_dir), minutes=60, batch=4, frames=16, width=32, dilations="1,2",
                val_tracks_during=1, checkpoint_every_s=1e9)
    plain = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "p.onnx"), checkpoint_dir=str(tmp_path / "cp"),
                                  max_steps=3, **base))
    card = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "h.onnx"), checkpoint_dir=str(tmp_path / "ch"),
                                 max_steps=3, pitch=0.01, init=str(tmp_path / "p.pt"), **base))
    assert "--pitch 0.01" in card["history"][-1]["command"] and "pitch class" in json.dumps(card["data"])
    names = {i.name for i in onnx.load(str(tmp_path / "h.onnx")).graph.initializer}
    assert names and not any(n.startswith("pitch") for n in names)  # the head stays in training
    from jazzremix_gui.training import separator_weights as W

    model, _, _ = W.load_init(str(tmp_path / "h.pt"))  # the torch weights, head included
    assert model.pitch_classes == 61 and plain["history"][-1]["stage"] == 1
    x = np.random.default_rng(0).random((40, 2049)).astype(np.float32) * 0.01
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
        est, logits = model.forward_with_pitch(torch.from_numpy(x)[None])
    assert logits.shape == (1, 40, 61) and np.allclose(est[0].numpy(), want)
    got = ModelSession(str(tmp_path / "h.onnx"), "separator", prefer_gpu=False).run(x)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-4, atol=1e-7)
    # from scratch too (no --init), and resumed from its checkpoint folder
    for steps in (2, 3):
        card = train(SeparatorConfig(train_dir=str(a), out=str(tmp_path / "s.onnx"), pitch=0.01,
                                     checkpoint_dir=str(tmp_path / "cs"), max_steps=steps, **base))
    assert card["history"][-1]["steps"] == 3 and W.load_init(str(tmp_path / "s.pt"))[0].pitch_classes == 61
    assert not any(i.name.startswith("pitch") for i in onnx.load(str(tmp_path / "s.onnx")).graph.initializer)


def test_average_last_exports_the_mean_of_the_weights_it_kept(tmp_path):
    """``--average-last``: the checkpoints of the budget's last minutes are kept, and the exported weights are
    their mean with the final ones (the run's own last checkpoint keeps the final weights, to resume from)."""
    from jazzremix_gui.training import checkpoint as C
    from jazzremix_gui.training import separator_weights as W

    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "s.onnx"),
                                 checkpoint_dir=str(tmp_path / "c"), minutes=60, batch=4, frames=16, width=32,
                                 dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=0, max_steps=3,
                                 average_last=60))
    kept = [C.load_state(p) for p in sorted((tmp_path / "c").glob("average-*.pt"))]
    final = C.load_state(tmp_path / "c" / "last.pt")
    assert [k["step"] for k in kept] == [0, 1, 2] and final["step"] == 3
    want = W.average_states([k["model"] for k in kept] + [final["model"]])
    got = torch.load(tmp_path / "s.pt", weights_only=True)["model"]
    for name, value in want.items():
        torch.testing.assert_close(got[name], value)
    assert any(not torch.equal(got[k], final["model"][k]) for k in got)  # the average, not the final weights
    entry = card["history"][-1]
    assert entry["weights_averaged"] == {"minutes": 60, "checkpoints": 4, "steps": [0, 1, 2, 3]}
    assert "--average-last 60" in entry["command"]


def test_the_loss_through_the_pan_aware_step_is_the_error_of_the_stems_the_app_writes(tmp_path):
    """``--pan-loss``: stereo examples whose mids are the mono sampler's, and a torch loss equal to the error of
    the stems :func:`core.signal.spatial.pan_aware_masks` makes (the app's step), with a gradient that lowers it."""
    from jazzremix_gui.core.signal.spatial import PanAware, pan_aware_masks
    from jazzremix_gui.training.pan_aware_loss import pan_aware_loss
    from jazzremix_gui.training.remix_sampler import RemixSampler

    a = _dataset(tmp_path / "a", 3, seed=3)
    mono = RemixSampler(str(a), 16, 1024, seed=5, p_remix=0.5, timbre=0.5)
    stereo = RemixSampler(str(a), 16, 1024, seed=5, p_remix=0.5, timbre=0.5)
    mix, solo, acc = mono.batch(3, with_acc=True)
    mix2, solo2, acc2, spectra = stereo.batch(3, with_acc=True, stereo=True)
    for x, y in ((mix, mix2), (solo, solo2), (acc, acc2)):
        np.testing.assert_allclose(y, x, atol=1e-6)  # the network hears the same mids
    assert spectra.mix.shape == (3, 16, 2, 2049)
    left, right = np.abs(spectra.mix).sum(axis=(0, 1, 3))
    assert left > 1.05 * right  # both channels kept: the test tracks' solo (0.8 / 0.6) and accompaniment sit left
    settings = PanAware(20, 0.2)
    est = solo * np.float32(0.7) + acc * np.float32(0.2)  # a separator's imperfect solo magnitude
    want = []
    for b in range(3):
        mask, w, _, _ = pan_aware_masks(est[b], np.abs(spectra.mix[b]), 1.0, settings)
        parts = mask * spectra.mix[b]
        mono_solo = parts[:, 0] * w[0] + parts[:, 1] * w[1]
        want.append(np.mean(np.abs(mono_solo - spectra.solo_mid[b]) ** 2)
                    + np.mean(np.abs(spectra.mix[b] - parts - spectra.acc[b]) ** 2))
    est_t = torch.from_numpy(est).requires_grad_()
    loss = pan_aware_loss(est_t, spectra, settings, 1.0)
    assert float(loss.detach()) == pytest.approx(1e4 * np.mean(want), rel=1e-4)
    loss.backward()
    better = est_t.detach() - 1e-3 * est_t.grad / est_t.grad.abs().max() * est_t.detach().max()
    assert float(pan_aware_loss(better, spectra, settings, 1.0)) < float(loss.detach())


def test_training_through_the_pan_aware_step_is_recorded_and_needs_the_step(tmp_path):
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="mask", train_dir=str(a), val_dir=str(val_dir), minutes=60, batch=2, frames=16, width=32,
                dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=1e9, max_steps=2, pan_loss=0.5)
    with pytest.raises(ValueError, match="--pan-aware"):
        train(SeparatorConfig(out=str(tmp_path / "n.onnx"), checkpoint_dir=str(tmp_path / "cn"), **base))
    card = train(SeparatorConfig(out=str(tmp_path / "s.onnx"), checkpoint_dir=str(tmp_path / "c"),
                                 pan_aware="20,0.2", **base))
    assert "--pan-aware 20,0.2 --pan-loss 0.5" in card["history"][-1]["command"]
    assert "pan-aware step 20,0.2 makes" in json.dumps(card["data"])
    log = [json.loads(line) for line in (tmp_path / "c" / "log.jsonl").read_text().splitlines()]
    assert np.isfinite(log[-1]["loss"])


def test_training_on_steered_examples_is_recorded(tmp_path):
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), minutes=60, batch=2, frames=16,
                                 width=32, dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=1e9,
                                 max_steps=2, steer_train=0.5, steer_astray=0.25, pan_aware="15,0.1,1",
                                 out=str(tmp_path / "s.onnx"), checkpoint_dir=str(tmp_path / "c")))
    assert "--pan-aware 15,0.1,1 --steer-train 0.5 --steer-astray 0.25" in card["history"][-1]["command"]
    assert "50% of examples hear the channels weighted toward the solo" in json.dumps(card["data"])
    assert "25% of the steered examples are steered at a uniformly drawn direction" in json.dumps(card["data"])
    assert "channels" in card["data"]["examples_read_from"]
    assert card["metadata"]["jazzremix.pan_aware"] == "15,0.1,1"


@pytest.mark.parametrize("argv, message", [
    (["--pan-loss", "1"], "give --pan-aware SIGMA,FLOOR too"),
    (["--pan-loss", "-1", "--pan-aware", "20"], "--pan-loss -1: a weight of 0 or more"),
    (["--pan-loss", "0.5", "--pan-aware", "20,0.2,1"], "give --pan-aware SIGMA,FLOOR without STEER"),
    (["--steer-train", "1.5"], "--steer-train 1.5: a share between 0 and 1"),
    (["--steer-train", "0.5", "--pan-loss", "1", "--pan-aware", "20"], "exclude each other"),
    (["--steer-astray", "0.3"], "--steer-astray is a share of the steered examples: give --steer-train P too"),
    (["--steer-train", "0.5", "--steer-astray", "2"], "--steer-astray 2: a share between 0 and 1"),
    (["--gate", "--arch", "band"], "--gate: only the mask architecture has mask logits to gate"),
    (["--comb", "--arch", "band"], "--comb: only the mask architecture has mask logits for a harmonic comb"),
    (["--loss-power", "0"], "--loss-power 0: a power above 0 and at most 1"),
    (["--loss-power", "1.5"], "--loss-power 1.5: a power above 0 and at most 1"),
])
def test_pan_loss_options_are_checked_before_anything_runs(tmp_path, capsys, argv, message):
    from jazzremix_gui.cli.main import main

    out = tmp_path / "never.onnx"
    code = main(["train-separator", "--train", str(tmp_path / "none"), "--out", str(out),
                 "--checkpoints", str(tmp_path / "ck")] + argv)
    assert code != 0 and message in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "ck").exists()


def test_a_second_run_into_a_held_checkpoint_folder_is_refused(tmp_path, capsys):
    """Two seeds of one command into one folder would overwrite each other's checkpoints."""
    from jazzremix_gui.cli.main import main
    from jazzremix_gui.training import checkpoint, train_mixer

    held, out = tmp_path / "ck", tmp_path / "never.onnx"
    with checkpoint.claimed(held):
        code = main(["train-separator", "--train", str(tmp_path / "none"), "--out", str(out),
                     "--checkpoints", str(held)])
        assert code != 0 and "another training run is writing its checkpoints there" in capsys.readouterr().err
        with pytest.raises(checkpoint.FolderInUse, match="--checkpoint-dir for train-mixer"):
            train_mixer.train(train_mixer.MixerConfig(train_dir=str(tmp_path / "none"), val_dir=str(tmp_path / "none"),
                                                      out=str(out), checkpoint_dir=str(held)))
    assert not out.exists() and sorted(p.name for p in held.iterdir()) == ["lock"]
    with checkpoint.claimed(held):  # free again once the holder is done (or killed)
        pass


def test_the_input_gate_starts_as_the_same_model_exports_and_trains(tmp_path):
    """--gate: the mask's logits add the input gated bin by bin; at start the model is the one it came from, the
    gated model exports to ONNX with the same outputs as torch, rebuilds from its weights and resumes training."""
    from jazzremix_gui.training import separator_weights as W

    torch.manual_seed(0)
    model = architectures.build("mask", width=32, dilations=(1, 2)).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    gated = architectures.with_gate(model).eval()
    x = torch.rand(2, 40, architectures.N_BINS) * 0.05
    with torch.no_grad():
        assert torch.equal(model(x), gated(x))
        gated.input_gate.weight.normal_(0, 0.05)  # once trained, the gate changes the mask
        assert not torch.allclose(model(x), gated(x))
    assert gated.context_frames == model.context_frames and "gated" in gated.architecture
    with pytest.raises(ValueError, match="already"):
        architectures.with_gate(gated)
    with pytest.raises(ValueError):
        architectures.with_gate(architectures.build("seed", layers=1))
    rebuilt = W.build_from_config(W.arch_config(gated)).eval()
    rebuilt.load_state_dict(gated.state_dict())
    path = export_onnx(gated, tmp_path / "g.onnx", {"kind": "separator", "hop": 1024, "input_kind": "mid_magnitude",
                                                    "context_frames": gated.context_frames, "version": "t"},
                       torch.rand(20, 2049) * 0.05, "mix_mag", "solo_mag")
    session = ModelSession(path, "separator", prefer_gpu=False)
    with torch.no_grad():
        expected = rebuilt(x[0]).numpy()
    np.testing.assert_allclose(session.run(x[0].numpy()), expected, rtol=1e-4, atol=1e-6)
    # a warm start with the gate: recorded in the weights, and a second stage from them keeps it
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    base = dict(arch="mask", train_dir=str(a), val_dir=str(val_dir), minutes=60, batch=4, frames=16, width=32,
                dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9)
    train(SeparatorConfig(out=str(tmp_path / "s1.onnx"), checkpoint_dir=str(tmp_path / "c1"), max_steps=2, **base))
    card = train(SeparatorConfig(out=str(tmp_path / "s2.onnx"), checkpoint_dir=str(tmp_path / "c2"), max_steps=3,
                                 init=str(tmp_path / "s1.pt"), gate=True, **base))
    assert "gated" in card["architecture"] and W.load_init(tmp_path / "s2.pt")[0].gate
    with pytest.raises(W.WeightsError, match="adds parameters"):
        train(SeparatorConfig(out=str(tmp_path / "s3.onnx"), checkpoint_dir=str(tmp_path / "c3"), max_steps=1,
                              init=str(tmp_path / "c1" / "last.pt"), init_optimizer="restore", gate=True, **base))


def test_a_compressed_loss_weighs_a_quiet_bins_error_more_and_trains(tmp_path):
    """--loss-power P: the squared error of the magnitudes raised to P (1: the plain MSE, bit for bit)."""
    from jazzremix_gui.training.train_separator import loss_fn

    class Fixed(torch.nn.Module):  # an "estimate" of half the mixture
        def forward(self, mag):
            return 0.5 * mag

    mix = torch.full((1, 2, 4), 1e-2)
    mix[..., :2] = 1e-4  # two quiet bins
    solo = mix.clone()  # the estimate misses half of every bin
    plain, compressed = (loss_fn(Fixed(), mix, solo, None, 0.0, power=p) for p in (1.0, 0.5))
    assert float(plain) == pytest.approx(float(torch.mean((0.5 * mix - solo) ** 2) * 1e4), rel=1e-6)
    quiet_share = lambda p: float(loss_fn(Fixed(), mix[..., :2], solo[..., :2], None, 0.0, power=p)) / float(  # noqa: E731
        loss_fn(Fixed(), mix, solo, None, 0.0, power=p))
    assert quiet_share(0.5) > 20 * quiet_share(1.0)  # the quiet bins' share of the loss grows
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "s.onnx"),
                                 checkpoint_dir=str(tmp_path / "c"), minutes=60, batch=4, frames=16, width=32,
                                 dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=1e9, max_steps=3,
                                 loss_power=0.5, both_stems=0.5))
    assert " --loss-power 0.5" in card["history"][-1]["command"] and "raised to 0.5" in json.dumps(card["data"])
    logged = [json.loads(line) for line in (tmp_path / "c" / "log.jsonl").read_text().splitlines()]
    assert card["training"]["steps"] == 3 and all(np.isfinite(e["loss"]) for e in logged if e.get("loss") is not None)
    assert any(e.get("loss") is not None for e in logged)


def test_phase_sensitive_targets_sum_to_the_mixture_and_train(tmp_path):
    """--phase-sensitive: the solo's target is |S| cos(angle S - angle X) clipped to 0..|X| and the accompaniment's
    the rest, so the two add up to |X|; the same examples as the plain sampler's (same seed), smaller solo where
    the stems' phases disagree, and a run with it trains and says so on its card."""
    from jazzremix_gui.training.remix_sampler import RemixSampler

    a = _dataset(tmp_path / "a", 3, seed=4)
    plain = RemixSampler(str(a), 16, 1024, seed=9, p_remix=0.5, timbre=0.5, steer=0.5)
    psa = RemixSampler(str(a), 16, 1024, seed=9, p_remix=0.5, timbre=0.5, steer=0.5, phase_sensitive=True)
    mix, solo, acc = plain.batch(4, with_acc=True)
    mix2, solo2, acc2 = psa.batch(4, with_acc=True)
    np.testing.assert_array_equal(mix2, mix)  # the network hears the same examples
    np.testing.assert_allclose(solo2 + acc2, mix, rtol=1e-6, atol=1e-9)
    assert solo2.min() >= 0 and acc2.min() >= 0
    assert np.all(solo2 <= solo * (1 + 1e-5) + 1e-9)  # a projection is never longer than the solo itself
    # exact where the accompaniment is silent; below |S| where the parts overlap with phases apart
    loud_solo = solo > 100 * acc
    np.testing.assert_allclose(solo2[loud_solo], solo[loud_solo], rtol=0.02)
    overlap = (solo > 0.3 * mix) & (acc > 0.3 * mix)
    assert overlap.sum() > 50 and np.mean(solo2[overlap] < 0.99 * solo[overlap]) > 0.5
    val_dir = _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "s.onnx"),
                                 checkpoint_dir=str(tmp_path / "c"), minutes=60, batch=4, frames=16, width=32,
                                 dilations=SHORT_DILATIONS, val_tracks_during=1, checkpoint_every_s=1e9, max_steps=3,
                                 phase_sensitive=True, both_stems=0.5))
    assert " --phase-sensitive" in card["history"][-1]["command"] and "phase-sensitive" in json.dumps(card["data"])
    assert card["training"]["steps"] == 3


def test_train_separator_refuses_bad_numbers_and_outputs_that_are_not_its_model(tmp_path, capsys):
    """Refused before any data is read, exit 2, nothing written (an adversarial pass, 2026-12-06: ``--out`` once
    replaced a training WAV with a model, and ``--batch 0`` or ``--dilations a,b`` were internal errors)."""
    from jazzremix_gui.cli.main import main

    wav = tmp_path / "mixture.wav"
    wav.write_bytes(b"RIFF the user's recording")
    keep = tmp_path / "keep.onnx"
    keep.write_bytes(b"not a model")
    cases = [(("--out", wav), "written to an .onnx file"), (("--out", keep), "is not a Jazz Remix separator"),
             (("--out", tmp_path / "n.onnx", "--card", wav), "is not a separator's card"),
             (("--batch", "0"), "--batch 0: a whole number above 0"), (("--width", "0"), "--width 0"),
             (("--minutes", "-1"), "--minutes -1"), (("--lr", "nan"), "--lr nan"),
             (("--lr", "-1"), "--lr -1: a number 0"),
             (("--dilations", "a,b"), "--dilations a,b: whole numbers"), (("--dilations", "0"), "--dilations 0")]
    for args, said in cases:
        code = main(["train-separator", "--train", str(tmp_path), "--val", str(tmp_path),
                     "--checkpoints", str(tmp_path / "ck"), *map(str, args)])
        err = capsys.readouterr().err
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, (args, err)
    assert wav.read_bytes() == b"RIFF the user's recording" and keep.read_bytes() == b"not a model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.onnx", "mixture.wav"]
