"""Learning from the engineer: annotations -> train-mixer -> the user's model, then --revert."""

import numpy as np
import pytest
import soundfile as sf
import torch

from jazzremix_gui.core import annotations as A
from jazzremix_gui.core.signal import codebook
from jazzremix_gui.core.models import ModelSession
from jazzremix_gui.core.signal.mixer import run_mixer
from jazzremix_gui.training import mixer_eval
from jazzremix_gui.training.train_mixer import MixerConfig, build_model, loss_fn

RATE = 44100
TASTE = (-30.0, 0.6)


def make_tracks(n=3, seconds=4.0, seed=5):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    out = []
    for k in range(n):
        f0 = 220 * 2 ** (k / 4)
        solo = sum(0.1 / h * np.sin(2 * np.pi * h * f0 * t) for h in range(1, 6)).astype(np.float32)
        acc = rng.normal(0, 0.03, (t.size, 2)).astype(np.float32)
        out.append((solo, acc))
    return out


@pytest.fixture(scope="module", params=[("gauss", 1), ("gauss", 2), ("gauss-mix", 1), ("gauss-mix", 2)],
                ids=["one-mixer", "ensemble-of-2", "gauss-mix", "gauss-mix-ensemble-of-2"])
def base(tmp_path_factory, request):
    """A small policy-like mixer (or a mean of two, or one whose pan picks a stage position): trained a few steps
    to prefer the centre at gain 1.0."""
    d = tmp_path_factory.mktemp("base")
    torch.manual_seed(0)
    cfg = MixerConfig(arch=request.param[0], hidden=8, members=request.param[1])
    model = build_model(cfg)
    x = np.concatenate([feats_of(solo, acc) for solo, acc in make_tracks(4, seed=9)])
    for m in getattr(model, "members", [model]):
        m.feat_mean.copy_(torch.from_numpy(x.mean(axis=0)))
        m.feat_scale.copy_(torch.from_numpy(1 / (x.std(axis=0) + 1e-3)))
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    cells, w = np.full(len(x), codebook.pan_gain_to_cell(0.0, 1.0)), np.ones(len(x), np.float32)
    for _ in range(40):
        loss = loss_fn(model, x, cells, w, 0.2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    mixer_eval.export(model, d / "mixer.onnx", "mix-tiny-2.0")
    mixer_eval.save_weights(model, d / "mixer.onnx", {**cfg.__dict__})
    return d / "mixer.onnx"


def feats_of(solo, acc):
    from jazzremix_gui.core.signal import features

    f, s = features.mixer_features(solo, acc, 1024, "mixer_features")
    return f


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    d = tmp_path_factory.mktemp("ann")
    tracks = make_tracks()
    path = d / "annotations.jsonl"
    for k, (solo, acc) in enumerate(tracks[:2]):
        wav = d / f"song{k}.wav"
        sf.write(wav, acc + solo[:, None] * 0.7, RATE)
        secs = [{"start": 0.0, "end": 4.0, "pan_deg": TASTE[0], "gain": TASTE[1]}]
        feats = A.annotation_features(solo, acc, RATE, secs)
        A.record_annotation(wav, None, secs, TASTE[0], TASTE[1], feats, "sep-x", "mix-tiny-2.0", path=path)
    with open(path, "a") as f:
        f.write('{"pan_deg": -45, "gain": 1.5, "sections": [\n')  # a partial line: skipped, not fatal
    return path, tracks


def suggestions(model_path, tracks):
    session = ModelSession(model_path, "mixer", prefer_gpu=False)
    return [run_mixer(session, solo, acc, RATE) for solo, acc in tracks]


@pytest.mark.parametrize("weight", [2.0, 0.5])
def test_finetune_moves_pan_and_gain_toward_the_annotations(base, annotated, tmp_path, weight):
    from jazzremix_gui.training.mixer_finetune import finetune

    path, tracks = annotated
    before = suggestions(base, tracks)
    out = tmp_path / "data" / "mixer.user.onnx"
    seen = []
    with pytest.warns(A.AnnotationWarning):
        card = finetune(path, base_onnx=base, out=out, annotation_weight=weight, steps=60, threads=1,
                        progress=lambda f, msg: seen.append((f, msg)))
    assert out.exists() and out.with_suffix(".json").exists() and out.with_suffix(".pt").exists()
    t = card["training"]
    assert t["annotations_used"] == 2 and t["annotation_lines_skipped"] == 1
    assert t["steps"] == t["steps_asked"] == 60 and not t["stopped_by_time_limit"] and t["threads"] == 1
    assert [f for f, _ in seen] == [k / 60 for k in range(10, 61, 10)] and seen[-1][1] == "step 60 of 60"
    assert t["annotation_share"] == pytest.approx(2 * weight / (2 * weight + 1), abs=1e-3)
    assert t["cpu_time_s"] < 60
    after = suggestions(out, tracks)
    for b, a in zip(before, after):  # the unseen third track too: a taste, not a memory
        assert a.pan_deg < b.pan_deg and a.gain < b.gain
    assert ModelSession(out, "mixer", prefer_gpu=False).meta.version.startswith("mix-tiny-2.0+user-2ann")
    return after


@pytest.mark.only_params(base=[("gauss", 1)])  # the weight is the loss's share, the same for every kind
def test_a_larger_weight_follows_the_taste_further(base, annotated, tmp_path):
    from jazzremix_gui.training.mixer_finetune import finetune

    path, tracks = annotated
    pans = []
    for w in (0.3, 3.0):
        out = tmp_path / f"w{w}" / "mixer.user.onnx"
        with pytest.warns(A.AnnotationWarning):
            finetune(path, base_onnx=base, out=out, annotation_weight=w, steps=60, threads=1)
        pans.append(suggestions(out, tracks[2:])[0].pan_deg)
    assert pans[1] < pans[0]


def jazzremix(capsys, *args):
    """Run the CLI in-process (as ``jazzremix ARGS``): (exit code, stdout, stderr)."""
    from jazzremix_gui.cli.main import main

    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.err, out.err
    return code, out.out, out.err


@pytest.mark.only_params(base=[("gauss", 1)])  # the same path for every kind; the shipped one: the next test
def test_cli_annotate_train_revert(base, annotated, tmp_path, monkeypatch, capsys):
    from jazzremix_gui.core import pipeline

    path, _ = annotated
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    code, out, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--base", base,
                               "--annotation-weight", "1.5")
    assert code == 0, err
    assert "annotation skipped" in err and err.startswith("jazzremix: warning:")
    user = tmp_path / "user" / "mixer.user.onnx"
    assert user.exists() and "now use it" in out and "taste offsets" in out and ": 300 steps in" in out
    assert pipeline.load_model(None, "mixer").path == user  # the app and the CLI pick the user's model
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert")
    assert code == 0 and not user.exists() and "shipped" in out
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert")
    assert code == 0 and "no fine-tuned mixer" in out


def test_cli_time_limit_is_said_when_it_stops_the_steps(annotated, tmp_path, monkeypatch, capsys):
    """``--minutes`` is a limit, off by default (all steps, the same result on any machine); when it cuts the steps
    short the output and the card say so."""
    import json

    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    path, _ = annotated
    code, out, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--minutes", "1e-6")
    assert code == 0, err
    card = json.loads((tmp_path / "user" / "mixer.user.json").read_text())["training"]
    assert card["stopped_by_time_limit"] and card["steps"] == 1 and card["steps_asked"] == 300
    assert ": 1 of 300 steps (stopped by --minutes 1e-06) in" in out
    for bad in ("0", "-1", "nan"):
        code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--minutes", bad)
        assert code == 2 and err.strip() == f"jazzremix: error: --minutes must be above 0, got {bad}", err


def test_cli_errors_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    for args, status in ((("--annotations", tmp_path / "missing.jsonl"), 1), ((), 2),
                         (("--train", tmp_path / "no", "--val", tmp_path), 1), (("--revert", "--annotations", "x"), 2),
                         (("--annotations", tmp_path / "a", "--train", tmp_path), 2),
                         (("--annotations", tmp_path / "a", "--annotation-weight", "-5"), 2)):
        code, _, err = jazzremix(capsys, "train-mixer", *args)
        assert code == status and len(err.strip().splitlines()) == 1, (args, err)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("garbage\n")
    A.record_annotation(tmp_path / "gone.wav", "0" * 64, [], 0.0, 1.0, None, path=empty)  # no features, no file
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", empty)
    assert code == 1 and "no usable annotations" in err.splitlines()[-1]
    assert "jsonl:1: annotation skipped" in err


@pytest.mark.parametrize("weight", [2.0, 0.5])
def test_taste_offsets_are_the_shrunk_mean_change(base, weight):
    """Step 1: K annotations each 20 deg left and 3 dB under the mixer's own choice move the offsets
    W K / (W K + 1) of that change (one annotation: 2/3 of the way at W = 2)."""
    from jazzremix_gui.training.mixer_finetune import load_base, taste_offsets

    model, _ = load_base(base)
    tracks = make_tracks(3, seed=11)
    x = [feats_of(solo, acc) for solo, acc in tracks]
    with torch.no_grad():
        choices = [int(model(torch.from_numpy(f)).numpy().sum(axis=0).argmax()) for f in x]
    for k in (1, 3):
        cells, owner = [], []
        for i in range(k):
            p, g = codebook.cell_to_pan_gain(choices[i])
            cells.append(np.full(len(x[i]), codebook.pan_gain_to_cell(p - 20.0, g * 10 ** (-3 / 20))))
            owner.append(np.full(len(x[i]), i))
        dp, dg = taste_offsets(model, np.concatenate(x[:k]), np.concatenate(cells), np.concatenate(owner), weight)
        share = weight * k / (weight * k + 1)
        # the engineer's cells are on the codebook: the change is -20 deg exactly, -3 dB to within a gain class
        assert dp == pytest.approx(-20.0 * share, abs=0.01)
        assert dg == pytest.approx(-3.0 * share, abs=0.6 * share)


def test_revert_removes_only_a_fine_tuned_mixer(annotated, tmp_path, monkeypatch, capsys):
    """``--revert --out FILE`` once deleted any FILE with the .json and .pt of its stem (an adversarial pass,
    2026-12-06): only a mixer whose card says it was fine-tuned is removed now."""
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    for name in ("notes.txt", "notes.json", "notes.pt", "take.wav"):
        (tmp_path / name).write_text(f"the user's {name}")
    for target in ("notes.txt", "notes.onnx", "take.wav"):
        code, out, err = jazzremix(capsys, "train-mixer", "--revert", "--out", tmp_path / target)
        assert code == 1 and "is not a fine-tuned mixer" in err and "nothing removed" in err, (target, err)
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert", "--out", tmp_path / "none.onnx")
    assert code == 0 and out.startswith("no fine-tuned mixer at")
    assert all((tmp_path / n).read_text() == f"the user's {n}" for n in ("notes.txt", "notes.json", "notes.pt",
                                                                        "take.wav"))
    path, _ = annotated
    mine = tmp_path / "elsewhere" / "mine.onnx"
    code, out, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--out", mine, "--minutes", "1e-6")
    assert code == 0 and f"use only {tmp_path / 'user' / 'mixer.user.onnx'}" in out and "--mixer" in out, out
    code, out, _ = jazzremix(capsys, "train-mixer", "--revert", "--out", mine)
    assert code == 0 and not any(mine.parent.iterdir()) and "shipped" not in out
    assert out.startswith(f"removed the fine-tuned mixer {mine} (mine.onnx, mine.json, mine.pt)")


def test_fine_tuning_never_writes_over_its_inputs_or_files_that_are_not_its_mixer(annotated, tmp_path, monkeypatch,
                                                                                  capsys):
    from jazzremix_gui.core.files import paths

    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    path, _ = annotated
    base = tmp_path / "base.onnx"
    for suffix in (".onnx", ".json", ".pt"):
        base.with_suffix(suffix).write_bytes(paths.shipped_model("mixer").with_suffix(suffix).read_bytes())
    keep = tmp_path / "keep.onnx"
    keep.write_text("not a model")
    before = {p: p.read_bytes() for p in [path, keep, *(base.with_suffix(s) for s in (".onnx", ".json", ".pt"))]}
    for out, said in ((path, "written to an .onnx file"), (base, "which this command reads"),
                      (base.with_suffix(".pt"), "written to an .onnx file"), (keep, "is not a Jazz Remix mixer")):
        code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--base", base, "--out", out)
        assert code == 1 and said in err, (out, err)
    assert {p: p.read_bytes() for p in before} == before
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--out", keep / "sub" / "x.onnx")
    assert code == 1 and "cannot write the mixer" in err, err  # said before the steps, not after them
    # an earlier fine-tuned mixer there is replaced: that is the point of fine-tuning again
    mine = tmp_path / "mine.onnx"
    for _ in range(2):
        code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--base", base, "--out", mine,
                                 "--minutes", "1e-6")
        assert code == 0, err


def test_a_file_that_is_not_annotations_is_one_warning_not_one_a_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    junk = tmp_path / "take.wav"
    junk.write_bytes(b"\n".join(b"RIFF%d" % i for i in range(500)))
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", junk)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == A.MAX_SKIP_WARNINGS + 2, err
    assert "480 more lines skipped (0 valid): is it an annotation file?" in lines[-2]
    assert "no usable annotations" in lines[-1]


def test_the_shipped_models_are_never_replaced_or_removed_and_the_name_is_kept_as_given(annotated, tmp_path,
                                                                                     monkeypatch, capsys):
    """A second pass (2026-12-06): a fine-tuning with another --base could write over models/mixer.onnx (its card
    said "mixer"), and --revert then removed it; an --out of other.ONNX replaced the user's file unchecked."""
    import hashlib

    from jazzremix_gui.core.files import paths

    monkeypatch.setenv("JAZZREMIX_DATA_DIR", str(tmp_path / "user"))
    path, _ = annotated
    shipped = paths.shipped_model("mixer")
    digest = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in shipped.parent.glob("mixer.*")}
    base = tmp_path / "base.onnx"
    for suffix in (".onnx", ".json", ".pt"):
        base.with_suffix(suffix).write_bytes(shipped.with_suffix(suffix).read_bytes())
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--base", base, "--out", shipped,
                             "--minutes", "1e-6")
    assert code == 1 and "holds the shipped models" in err, err
    code, _, err = jazzremix(capsys, "train-mixer", "--revert", "--out", shipped)
    assert code == 1 and "never removed" in err, err
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in shipped.parent.glob("mixer.*")} == digest
    other = tmp_path / "other.ONNX"
    other.write_text("the user's file")
    code, _, err = jazzremix(capsys, "train-mixer", "--annotations", path, "--out", other, "--minutes", "1e-6")
    assert code == 1 and "other.ONNX exists and is not a Jazz Remix mixer" in err and other.read_text() == \
        "the user's file"
