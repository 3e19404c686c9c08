"""Mixer models: ONNX matches PyTorch, the contract, the card matches the shipped file, the loss learns."""

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
import pytest
import torch

from jazzremix_gui.core.audio import audio_io
from jazzremix_gui.core.signal import features
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.training import checkpoint, mixer_eval, mixer_model, train_mixer
from jazzremix_gui.training.export import sha256

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.manual_seed(0)
    model = mixer_model.build("gauss", hidden=8).eval()
    with torch.no_grad():
        model.taste.copy_(torch.tensor([3.0, -1.0]))  # a non-zero taste, so its export is checked
    path = tmp_path_factory.mktemp("mixer") / "mixer.onnx"
    mixer_eval.export(model, path, "mix-test")
    return model, path


def test_onnx_matches_torch_and_meets_the_contract(tiny):
    model, path = tiny
    assert mixer_eval.onnx_matches_torch(model, path) < 1e-4
    s = ModelSession(path, "mixer", prefer_gpu=False)
    assert s.meta.input_kind == "mixer_features" and s.meta.context_frames == features.MIXER_CONTEXT
    assert s.meta.version == "mix-test" and s.meta.hop == 1024
    x = np.random.default_rng(1).standard_normal((30, features.MIXER_N_FEATURES)).astype(np.float32)
    post = s.run(x)
    assert post.shape == (30, 399) and np.allclose(post.sum(axis=1), 1, atol=1e-5) and (post >= 0).all()
    assert s.run(x[:0]).shape == (0, 399)


def test_gauss_head_is_the_policy_generative_model():
    """Cell probabilities are a normal integrated over each cell; the taste offset shifts the pan."""
    model = mixer_model.build("gauss", hidden=8).eval()
    x = torch.zeros(1, features.MIXER_N_FEATURES)
    with torch.no_grad():
        post = model(x).reshape(19, 21)
        mu_p, _, mu_g, _ = model.params(x)
        model.taste.copy_(torch.tensor([-20.0, -3.0]))
        shifted = model(x).reshape(19, 21)
    pan_of = lambda p: float((p.sum(dim=1) * torch.arange(-45.0, 46.0, 5.0)).sum())  # noqa: E731
    assert pan_of(shifted) == pytest.approx(pan_of(post) - 20, abs=1.0)
    g = torch.arange(21) / 10.0
    assert float((shifted.sum(dim=0) * g).sum()) < float((post.sum(dim=0) * g).sum())
    assert torch.isfinite(mu_p).all() and torch.isfinite(mu_g).all()


def test_gauss_head_never_suggests_past_the_policys_knees():
    """However far a solo estimate lies outside the training data (asked +9 .. +60 dB, or -60 dB), the
    gain cells the policy cannot reach (1.8 .. 2.0 and 0.0 .. 0.1) get no mass; log-probabilities stay finite."""
    model = mixer_model.build("gauss", hidden=8).eval()
    x = torch.zeros(1, features.MIXER_N_FEATURES)
    for asked_db in (9.0, 20.0, 60.0, -60.0):
        with torch.no_grad():
            model.gain_mlp[-1].bias.copy_(torch.tensor([asked_db / 3.0, 3.0]))  # mu_g = 3 * output, wide spread
            gains = model(x).reshape(19, 21).sum(dim=0)
            assert torch.isfinite(model.logits(x)).all()
        assert float(gains[18:].sum()) < 1e-6 and float(gains[:2].sum()) < 1e-6, (asked_db, gains)
        top = int(gains.argmax())
        assert (top == 17) if asked_db > 0 else (top == 2)  # the knees' ends: 1.7 and 0.2


@pytest.mark.parametrize("arch,members", [("gauss", 1), ("gauss-mix", 1), ("gauss-mix", 3)])
def test_forward_is_the_exponential_of_the_logits(arch, members):
    """The exported forward pass (from the marginals' probabilities, without the log-space tails) gives the
    posterior of the training's logits within 1e-6 per cell, near and far from the features' mean."""
    torch.manual_seed(5)
    model = mixer_model.build(arch, members=members, hidden=8).eval()
    with torch.no_grad():
        model.taste.copy_(torch.tensor([4.0, -1.5]))
        x = torch.randn(400, features.MIXER_N_FEATURES) * torch.linspace(0.1, 6.0, 400)[:, None]
        post, ref = model(x), torch.softmax(model.logits(x).double(), dim=-1)
    assert post.shape == (400, 399) and (post >= 0).all()
    assert float((post.double() - ref).abs().max()) < 1e-6
    assert float((post.sum(dim=-1) - 1).abs().max()) < 1e-5


def test_an_ensemble_is_the_mean_of_its_members_with_one_taste(tmp_path):
    """GaussEnsemble: posteriors are the members' mean; its one taste offset moves every member; ONNX matches."""
    torch.manual_seed(3)
    ens = mixer_model.build("gauss", members=3, hidden=8).eval()
    x = torch.randn(7, features.MIXER_N_FEATURES)
    with torch.no_grad():
        mean = torch.stack([m(x) for m in ens.members]).mean(dim=0)
        assert torch.allclose(ens(x), mean, atol=1e-6)
        assert not torch.allclose(ens.members[0](x), ens.members[1](x), atol=1e-3)  # the members differ
        ens.taste.copy_(torch.tensor([-20.0, 0.0]))
        moved = ens(x).reshape(7, 19, 21).sum(dim=2)
    pan = torch.arange(-45.0, 46.0, 5.0)
    assert float((moved * pan).sum(dim=1).mean()) == pytest.approx(float((mean.reshape(7, 19, 21).sum(dim=2)
                                                                          * pan).sum(dim=1).mean()) - 20, abs=1.5)
    assert [n for n, p in ens.named_parameters() if p.requires_grad and n.endswith("taste")] == ["taste"]
    mixer_eval.export(ens, tmp_path / "e.onnx", "mix-ens-test")
    assert mixer_eval.onnx_matches_torch(ens, tmp_path / "e.onnx") < 1e-4
    assert ModelSession(tmp_path / "e.onnx", "mixer").meta.architecture.startswith("mean of 3 gauss-mixer")
    with pytest.raises(ValueError, match="at least 2"):
        mixer_model.GaussEnsemble(1)


def test_gauss_mix_keeps_two_modes_where_one_normal_would_average_them(tmp_path):
    """gauss-mix: a frame torn between -10 and +10 deg keeps both modes (none in between), a track of such frames
    that leans one way is decoded there; the taste offset moves every position; the ONNX file matches."""
    torch.manual_seed(0)
    model = mixer_model.build("gauss-mix", hidden=8).eval()
    positions = mixer_model.policy_positions()
    assert {-10.0, 0.0, 10.0, 15.0, -18.0} <= set(positions.tolist()) and len(positions) == len(set(positions))
    lean = []
    with torch.no_grad():
        model.pan_mlp[-1].weight.zero_()
        bias = torch.full((len(positions) + 1,), -30.0)
        bias[int(np.flatnonzero(positions == -10.0)[0])] = 0.0
        bias[int(np.flatnonzero(positions == 10.0)[0])] = 0.2  # +10 a little likelier
        bias[-1] = -5.0  # the narrowest spread
        model.pan_mlp[-1].bias.copy_(bias)
        x = torch.zeros(3, features.MIXER_N_FEATURES)
        pan = model(x).reshape(3, 19, 21).sum(dim=2)[0]
        lean.append(float(torch.arange(-45.0, 46.0, 5.0)[pan.argmax()]))
        model.taste.copy_(torch.tensor([-5.0, 0.0]))
        moved = model(x).reshape(3, 19, 21).sum(dim=2)[0]
        lean.append(float(torch.arange(-45.0, 46.0, 5.0)[moved.argmax()]))
    grid = {float(d): i for i, d in enumerate(np.arange(-45, 46, 5))}
    assert pan[grid[10.0]] > pan[grid[-10.0]] > 10 * pan[grid[0.0]]  # two modes, little between them
    assert lean == [10.0, 5.0]
    mixer_eval.export(model, tmp_path / "m.onnx", "mix-gauss-mix-test")
    assert mixer_eval.onnx_matches_torch(model, tmp_path / "m.onnx") < 1e-4


def test_gauss_mix_learns_the_stage_position_it_is_taught():
    """--instrument-weight: position_index names a track's stage position (-1 without an instrument), and
    position_loss alone teaches the pan head to put its weight there."""
    positions = mixer_model.policy_positions()
    assert positions[mixer_model.position_index({"instrument": "trombone", "register": "low"})] == 10.5
    assert positions[mixer_model.position_index({"instrument": "guitar", "register": "high"})] == -22.5
    assert mixer_model.position_index({"cell": 3, "register": "low"}) == -1
    torch.manual_seed(1)
    model = mixer_model.build("gauss-mix", hidden=8, noise=0.0)
    x = torch.randn(64, features.MIXER_N_FEATURES)
    target = torch.full((64,), mixer_model.position_index({"instrument": "alto_sax", "register": "middle"}))
    target[:8] = -1  # frames of tracks without an instrument do not count
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = float(model.position_loss(x, target))
    for _ in range(100):
        loss = model.position_loss(x, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pan = model(x).reshape(64, 19, 21).sum(dim=2).mean(dim=0)
    assert float(loss) < first / 10
    assert float(torch.arange(-45.0, 46.0, 5.0)[pan.argmax()]) in (-10.0, -5.0)  # alto sax: -8 deg
    assert float(model.position_loss(x, torch.full((64,), -1))) == 0.0


def test_seed_style_mixer_shape():
    m = mixer_model.build("seed")
    assert mixer_model.parameter_count(m) == 2 * 2 * (2049 * 2049 + 2049) + 2049 * 399 + 399
    out = m(torch.rand(5, 2049) * 0.01)
    assert out.shape == (5, 399) and torch.allclose(out.sum(dim=1), torch.ones(5), atol=1e-5)
    assert torch.allclose(m(torch.rand(5, 2, 2049)).sum(dim=1), torch.ones(5), atol=1e-5)


def test_soft_targets_and_loss_learn_a_cell():
    t = train_mixer.soft_targets(np.array([0, 200]), 0.3)
    assert t.shape == (2, 399) and np.allclose(t.sum(axis=1), 1) and t[1].argmax() == 200
    torch.manual_seed(0)
    model = mixer_model.build("gauss", hidden=16)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = np.random.default_rng(0).standard_normal((64, features.MIXER_N_FEATURES)).astype(np.float32)
    cells, w = np.array([121] * 64), np.ones(64, np.float32)  # pan -20 deg, gain 1.6 (inside the knees)
    first = float(train_mixer.loss_fn(model, x, cells, w, 0.0))
    for _ in range(150):
        loss = train_mixer.loss_fn(model, x, cells, w, 0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < 0.5 * first
    model.eval()
    assert int(model(torch.from_numpy(x)).mean(dim=0).argmax()) == 121


def test_ceiling_on_a_toy_policy():
    """The ceiling is the noiseless choice scored against the labels."""
    toy = [SimpleNamespace(cell=c, label={"noiseless_cell": n}) for c, n in ((200, 200), (200, 221), (0, 398))]
    f = mixer_eval.ceiling_figures(toy)
    assert f["exact_accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert f["within_one_cell_accuracy"] == pytest.approx(2 / 3, abs=1e-3)


def test_cell_figures():
    f = mixer_eval.cell_figures([0, 22, 398], [0, 0, 0])
    assert f["exact_accuracy"] == pytest.approx(1 / 3, abs=1e-3)
    assert f["within_one_cell_accuracy"] == pytest.approx(2 / 3, abs=1e-3)  # 22 = pan 1, gain 1
    assert f["pan_error_deg"] == pytest.approx((0 + 5 + 90) / 3, abs=1e-2)


@pytest.mark.skipif(not (MODELS / "mixer.onnx").exists(), reason="no shipped mixer")
def test_shipped_card_matches_the_file():
    path = MODELS / "mixer.onnx"
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["sha256"] == sha256(path) and card["size_bytes"] == path.stat().st_size
    assert card["size_bytes"] <= 10_000_000 and card["kind"] == "mixer"
    props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert {k: str(v) for k, v in card["metadata"].items()} == props
    s = ModelSession(path, "mixer", prefer_gpu=False)
    assert s.meta.version == card["metadata"]["jazzremix.version"]
    for run in card["training"].get("members", [card["training"]]):  # each member of an ensemble, or the one mixer
        assert run["training_time_s"] <= 30 * 60
    val = card["validation"]
    for key in ("exact_accuracy", "within_one_cell_accuracy"):
        assert val["mixer"]["tracks"][key] > val["trivial_baseline"]["tracks"][key]
    assert val["mixer"]["tracks"]["within_one_cell_accuracy"] <= val["ceiling"]["tracks"]["within_one_cell_accuracy"]
    for part in ("train", "validation"):
        assert card["labels"]["edge_rates"][part]["gain_edge"] <= 0.05
        assert card["labels"]["edge_rates"][part]["pan_edge"] <= 0.02
    assert "/tmp" not in json.dumps(card["data"]) + card["training"]["command"]
    assert val["onnx_vs_torch_max_abs_diff"] < 1e-3


@pytest.mark.skipif(not (MODELS / "mixer.pt").exists(), reason="no shipped mixer weights")
def test_shipped_weights_match_the_onnx():
    from jazzremix_gui.training.mixer_finetune import load_base

    model, _ = load_base(MODELS / "mixer.onnx")
    assert mixer_eval.onnx_matches_torch(model, MODELS / "mixer.onnx") < 1e-4


def _tiny_dataset(root: Path, n: int, seed: int) -> Path:
    import soundfile as sf

    rng = np.random.default_rng(seed)
    t = np.arange(4 * 44100) / 44100
    for k in range(n):
        solo = 0.2 * np.sin(2 * np.pi * rng.uniform(300, 700) * t)
        acc = rng.normal(0, 0.03, (t.size, 2))
        d = root / f"track_{k:03d}"
        d.mkdir(parents=True)
        s2 = np.stack([solo * 0.7, solo * 0.7], 1)
        for name, x in (("solo", s2), ("accompaniment", acc), ("mixture", s2 + acc)):
            sf.write(d / f"{name}.wav", x.astype(np.float32), 44100, subtype="FLOAT")
        (d / "meta.json").write_text(json.dumps({"instrument": "tenor sax"}))
    return root


def _tiny_config(tmp_path: Path, **kwargs) -> train_mixer.MixerConfig:
    """A recipe of three steps on four tiny training tracks and two validation tracks."""
    return train_mixer.MixerConfig(train_dir=str(_tiny_dataset(tmp_path / "train", 4, 1)),
                                   val_dir=str(_tiny_dataset(tmp_path / "val", 2, 2)), out=str(tmp_path / "m.onnx"),
                                   checkpoint_dir=str(tmp_path / "ck"), minutes=5, max_steps=3, batch=8,
                                   checkpoint_every_s=1e9, holdout=0.25, hidden=4, **kwargs)


def test_training_recipe_end_to_end_writes_the_shared_card(tmp_path):
    """train_mixer.train -> mixer_eval.finish: ONNX file, weights and a card from training.cards."""
    cfg = _tiny_config(tmp_path, baseline_minutes=5, frames=32, seed_tracks=4)
    card = train_mixer.train(cfg)
    assert card["sha256"] == sha256(tmp_path / "m.onnx") and (tmp_path / "m.pt").exists()
    assert card["training"]["steps"] == 3 and card["training"]["config"]["frames"] == 32
    assert card["training"]["command"].startswith("jazzremix train-mixer --train ")
    assert "-core " in card["training"]["machine"] and "torch.set_num_threads=1" in card["training"]["machine"]
    assert card["metadata"]["jazzremix.sample_rate"] == 44100 and "jazzremix.wiener_alpha" not in card["metadata"]
    from jazzremix_gui.core import pipeline

    shipped = pipeline.load_model(None, "separator").meta.version
    assert card["metadata"]["jazzremix.paired_separator"] == shipped  # --stems separated (default)
    assert card["metadata"]["jazzremix.accompaniment_from"] == "spectra"  # as its features read it (the default)
    assert ModelSession(tmp_path / "m.onnx", "mixer").meta.accompaniment_from == "spectra"
    assert "--accompaniment" not in card["training"]["command"]
    assert train_mixer.training_command(replace(cfg, accompaniment="stems", version="mix-x")).endswith(
        f"--accompaniment stems --version mix-x --max-steps {cfg.max_steps}")
    assert card["data"]["validation"][0]["path"] == cfg.val_dir
    assert {"mixer", "ceiling", "trivial_baseline", "seed_style_mixer"} <= card["validation"].keys()
    assert set(card["labels"]["edge_rates"]) == {"train", "validation"}
    assert ModelSession(tmp_path / "m.onnx", "mixer").meta.version == card["metadata"]["jazzremix.version"]


@pytest.mark.parametrize("arch, extra, tail", [("gauss", {}, ""),
                                               ("gauss-mix", {"instrument_weight": 1.0}, " --instrument-weight 1")],
                         ids=["gauss", "gauss-mix"])
def test_training_an_ensemble_reports_each_member_beside_the_mean(tmp_path, arch, extra, tail):
    """--members 2: two members from seeds 5 and 6, one ONNX file of their mean, each member's figures on the card
    (members of either gauss architecture; gauss-mix members each taught the stage position)."""
    cfg = _tiny_config(tmp_path, baseline_minutes=0, members=2, seed=5, arch=arch, **extra)
    card = train_mixer.train(cfg)
    assert card["training"]["command"].endswith(f"--members 2 --stems separated{tail} --max-steps 3")
    assert [m["seed"] for m in card["training"]["members"]] == [5, 6] and card["training"]["steps"] == 6
    assert [m["steps"] for m in card["training"]["members"]] == [3, 3]
    assert {f"last-{arch}.pt", f"last-{arch}-m1.pt"} <= {f.name for f in (tmp_path / "ck").iterdir()}
    alone = card["validation"]["members_alone"]
    assert [m["seed"] for m in alone] == [5, 6] and all(m["tracks"]["n"] == 2 for m in alone)
    member_kind = "gauss-mixer" if arch == "gauss" else "gauss-mix"
    assert card["architecture"].startswith(f"mean of 2 {member_kind}") and card["parameters"] > 0
    assert card["metadata"]["jazzremix.version"].startswith(f"mix-{arch}-2.1x2-on-sep-mask-")
    from jazzremix_gui.training.mixer_finetune import load_base

    again = train_mixer.train(cfg)  # resumed: nothing left to train, the same file and no history of itself
    assert again["sha256"] == card["sha256"] and again["history"] == []
    model, loaded = load_base(tmp_path / "m.onnx")  # the weights fine-tuning starts from
    assert loaded.members == 2 and loaded.arch == arch
    assert mixer_eval.onnx_matches_torch(model, tmp_path / "m.onnx") < 1e-4


def test_select_every_chooses_the_same_steps_whatever_the_checkpoint_timing(tmp_path):
    """--select-every 2: held-out checks at steps 2, 4, 6 whether checkpoints are written every step or never
    before the end, and the same weights come out (the wall clock no longer decides which steps are seen)."""
    outs = []
    for name, every_s in (("often", 0.0), ("never", 1e9)):
        cfg = replace(_tiny_config(tmp_path / name, baseline_minutes=0, seed=3), max_steps=6, select_every=2,
                      checkpoint_every_s=every_s)
        card = train_mixer.train(cfg)
        log = [json.loads(line) for line in (tmp_path / name / "ck" / "log.jsonl").read_text().splitlines()]
        assert [e["step"] for e in log if e.get("heldout") is not None and "msg" not in e] == [2, 4, 6]
        assert card["training"]["command"].endswith("--select-every 2 --max-steps 6")
        outs.append((card["training"]["selected_step"], checkpoint.load_state(tmp_path / name / "m.pt"),
                     checkpoint.load_state(tmp_path / name / "ck" / "last-gauss.pt")))
    assert outs[0][0] == outs[1][0]
    for chosen, last in ((1, "model"), (2, "model")):  # the weights chosen, and those of the last step
        for k, v in outs[0][chosen][last].items():
            assert torch.equal(v, outs[1][chosen][last][k]), k


def test_training_gauss_mix_with_its_second_target(tmp_path):
    """--arch gauss-mix --instrument-weight 1 trains end to end; the labels name the instrument (the data's meta)."""
    cfg = _tiny_config(tmp_path, baseline_minutes=0, arch="gauss-mix", instrument_weight=1.0)
    card = train_mixer.train(cfg)
    assert card["training"]["command"].startswith("jazzremix train-mixer --arch gauss-mix --train ") and \
        "--instrument-weight 1" in \
        card["training"]["command"] and card["architecture"].startswith("gauss-mixer")
    tracks = train_mixer.load_tracks(cfg.train_dir, tmp_path / "ck" / "cache", cfg.seed)
    assert {t.label["instrument"] for t in tracks} == {"tenor sax"}


def test_members_need_the_gauss_mixer(tmp_path, capsys):
    from jazzremix_gui.cli.main import main

    for extra, said in ((["--members", "0"], "--members must be at least 1"),
                        (["--members", "2", "--arch", "seed"], "--members must be at least 1"),
                        (["--select-every", "-5"], "--select-every must be 0 or more"),
                        (["--instrument-weight", "1"], "--instrument-weight must be 0 or more")):
        assert main(["train-mixer", "--train", str(tmp_path), "--val", str(tmp_path), *extra]) != 0
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err


def test_separated_training_features_are_what_the_app_hears(tmp_path):
    """--stems separated: the mixer trains on exactly the features the app's analysis feeds it."""
    from jazzremix_gui.core import pipeline

    d = _tiny_dataset(tmp_path / "d", 1, 3) / "track_000"
    sep, mixer = pipeline.load_model(None, "separator"), pipeline.load_model(None, "mixer")
    seen = []

    class Recording:  # a mixer trained now: on the separator's own spectra of the accompaniment
        meta = replace(mixer.meta, accompaniment_from="spectra")

        def run(self, x):
            seen.append(np.array(x))
            return mixer.run(x)

    pipeline.analyse(d / "mixture.wav", separator=sep, mixer=Recording(), keep_stems=False)
    feats, active, solo_mag = train_mixer.separated_features(d / "mixture.wav", sep)
    assert len(seen) == 1 and seen[0].shape == feats.shape  # a 4 s clip: one mixer call over every frame
    np.testing.assert_allclose(feats, seen[0], rtol=1e-4, atol=1e-4)
    truth, _, _ = train_mixer.stem_features(*(audio_io.read_audio(d / f"{n}.wav")[0] for n in ("solo", "accompaniment")))
    assert not np.allclose(feats, truth, atol=1e-3)  # not the ground truth's features
