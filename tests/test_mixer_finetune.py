"""Learning from the engineer: annotations -> train-mixer -> the user's model, then --revert."""

import numpy as np
import pytest
import soundfile as sf
import torch

from jazzremix_gui.core import annotations as A
from jazzremix_gui.core import codebook
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.suggestion import run_mixer
from jazzremix_gui.training import mixer_eval
from jazzremix_gui.training.train_mixer import MixerConfig, build_model

RATE = 44100
TARGET = codebook.pan_gain_to_cell(-45.0, 1.5)


def make_tracks(n=3, seconds=4.0):
    rng = np.random.default_rng(5)
    t = np.arange(int(seconds * RATE)) / RATE
    out = []
    for k in range(n):
        f0 = 220 * 2 ** (k / 4)
        solo = sum(0.1 / h * np.sin(2 * np.pi * h * f0 * t) for h in range(1, 6)).astype(np.float32)
        acc = rng.normal(0, 0.03, (t.size, 2)).astype(np.float32)
        out.append((solo, acc))
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    d = tmp_path_factory.mktemp("base")
    torch.manual_seed(0)
    cfg = MixerConfig(arch="compact", model_kwargs={"context": 4})
    model = build_model(cfg).eval()
    mixer_eval.export(model, d / "mixer.onnx", "mix-tiny-1.0")
    mixer_eval.save_weights(model, d / "mixer.onnx", {**cfg.__dict__})
    return d / "mixer.onnx"


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    d = tmp_path_factory.mktemp("ann")
    tracks = make_tracks()
    path = d / "annotations.jsonl"
    for k, (solo, acc) in enumerate(tracks):
        wav = d / f"song{k}.wav"
        sf.write(wav, acc + solo[:, None] * 0.7, RATE)
        secs = [{"start": 0.0, "end": 4.0, "pan_deg": -45.0, "gain": 1.5}]
        feats = A.annotation_features(solo, acc, RATE, secs, hop=1024, clip_frames=16, clips_per_section=3)
        A.record_annotation(wav, None, secs, -45.0, 1.5, feats, "sep-x", "mix-tiny-1.0", path=path)
    with open(path, "a") as f:
        f.write('{"pan_deg": -45, "gain": 1.5, "sections": [\n')  # a partial line: skipped, not fatal
    return path, tracks


def target_mass(model_path, tracks):
    session = ModelSession(model_path, "mixer", prefer_gpu=False)
    suggs = [run_mixer(session, solo, acc, RATE) for solo, acc in tracks]
    return np.array([s.posterior.reshape(-1)[TARGET] for s in suggs]), suggs


def test_finetune_moves_the_suggestion_toward_the_annotations(base, annotated, tmp_path):
    from jazzremix_gui.training.mixer_finetune import finetune

    path, tracks = annotated
    before, sugg_before = target_mass(base, tracks)
    out = tmp_path / "data" / "mixer.user.onnx"
    with pytest.warns(A.AnnotationWarning):
        card = finetune(path, base_onnx=base, train_dir=None, out=out, minutes=2, max_steps=60, seed=1, lr=3e-3)
    assert out.exists() and out.with_suffix(".json").exists() and out.with_suffix(".pt").exists()
    assert card["training"]["annotations_used"] == 3 and card["training"]["annotation_lines_skipped"] == 1
    after, sugg_after = target_mass(out, tracks)
    assert (after > before).all() and after.min() > 0.2
    for b, a in zip(sugg_before, sugg_after):
        assert abs(a.pan_deg + 45) <= abs(b.pan_deg + 45) and abs(a.gain - 1.5) <= abs(b.gain - 1.5) + 1e-9
    assert sum(s.cell == TARGET for s in sugg_after) >= 2
    assert ModelSession(out, "mixer", prefer_gpu=False).meta.version.startswith("mix-tiny-1.0+user-3ann")


def jazzremix(capsys, *args):
    """Run the CLI in-process (as ``jazzremix ARGS``): (exit code, stdout, stderr)."""
    from jazzremix_gui.cli.main import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err, out.err
    return code, out.out, out.err


def test_cli_annotate_train_revert(base, annotated, tmp_path, monkeypatch, capsys):
    from jazzremix_gui.core import pipeline

    path, _ = annotated
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    code, out, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--base", base, "--max-steps", "5")
    assert code == 0, err
    assert "annotation skipped" in err and err.startswith("jazzremix: warning:")
    user = tmp_path / "user" / "mixer.user.onnx"
    assert user.exists() and "now use it" in out
    assert pipeline.load_model(None, "mixer").path == user  # the app and the CLI pick the user's model
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert")
    assert code == 0 and not user.exists() and "shipped" in out
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert")
    assert code == 0 and "no fine-tuned mixer" in out


def test_cli_errors_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    for args in (("--annotations", tmp_path / "missing.jsonl"), (), ("--train", tmp_path / "no", "--val", tmp_path),
                 ("--revert", "--annotations", "x")):
        code, _, err = jazzremix(capsys, "train-mixer", *args)
        assert code == 1 and len(err.strip().splitlines()) == 1, err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("garbage\n")
    A.record_annotation(tmp_path / "gone.wav", "0" * 64, [], 0.0, 1.0, None, path=empty)  # no features, no file
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", empty)
    assert code == 1 and "no usable annotations" in err.splitlines()[-1]
    assert "jsonl:1: annotation skipped" in err and "annotation line 2 skipped" in err and "no stored features" in err
