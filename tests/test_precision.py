"""A training step in bfloat16 (``--precision``): where it is chosen, and that it is the float32 step to within
bfloat16's rounding."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.training import architectures, precision  # noqa: E402
from jazzremix_gui.training.train_separator import SeparatorConfig, train, train_step  # noqa: E402

from test_separator_training import _dataset  # noqa: E402

ZEN4 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_bf16 avx512_vnni\n"
SKYLAKE = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_vnni\n"
SAPPHIRE = "processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n"


def test_auto_picks_bf16_only_where_the_cpu_has_it(tmp_path):
    for text, native in ((ZEN4, True), (SKYLAKE, False), (SAPPHIRE, True), ("processor: 0\n", False)):
        (tmp_path / "cpuinfo").write_text(text)
        assert precision.native_bf16(tmp_path / "cpuinfo") is native
        assert precision.resolve("auto", tmp_path / "cpuinfo") == ("bf16" if native else "fp32")
        assert precision.resolve("fp32", tmp_path / "cpuinfo") == "fp32"
        assert precision.resolve("bf16", tmp_path / "cpuinfo") == "bf16"
    assert precision.native_bf16(tmp_path / "missing") is False
    with pytest.raises(ValueError, match="fp32, bf16, auto"):
        precision.resolve("fp16")


def _batch(rng, b=4, t=48, f=2049):
    mix = (rng.random((b, t, f)) * 0.01).astype(np.float32)
    solo = (mix * rng.random((b, t, f))).astype(np.float32)
    return mix, solo, mix - solo, rng.integers(0, 61, (b, t))


def test_a_bf16_step_is_the_fp32_step_to_within_its_rounding():
    torch.manual_seed(0)
    cfg = SeparatorConfig(both_stems=0.5, pitch=0.005)
    start = architectures.MaskSeparator(width=64, dilations=(1, 2), pitch_classes=61).state_dict()
    batch = _batch(np.random.default_rng(1))
    moved, losses = {}, {}
    for arithmetic in ("fp32", "bf16"):
        model = architectures.MaskSeparator(width=64, dilations=(1, 2), pitch_classes=61)
        model.load_state_dict(start)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=1.0)
        losses[arithmetic] = train_step(model, opt, batch, cfg, arithmetic=arithmetic)
        moved[arithmetic] = torch.cat([(p.detach() - start[n]).flatten() for n, p in model.named_parameters()])
        assert all(p.dtype == torch.float32 for p in model.parameters())  # the weights stay float32
    assert losses["bf16"] != losses["fp32"]  # the forward pass did run in bfloat16
    assert abs(losses["bf16"] - losses["fp32"]) < 0.01 * losses["fp32"]
    a, b = moved["fp32"].double(), moved["bf16"].double()
    assert float((b - a).norm() / a.norm()) < 0.05  # the same update to within bfloat16's rounding


def test_the_command_records_the_precision_it_ran_in(tmp_path):
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "b.onnx"),
                                 checkpoint_dir=str(tmp_path / "cb"), minutes=60, batch=4, frames=16, width=32,
                                 dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9, max_steps=2,
                                 precision="bf16"))
    assert "--precision bf16" in card["history"][-1]["command"]
    starts = [json.loads(line) for line in (tmp_path / "cb" / "log.jsonl").read_text().splitlines()]
    assert [s["precision"] for s in starts if s.get("msg") == "start"] == ["bf16"]
    assert card["validation"]["median_sdr_db"]["solo"] == card["validation"]["median_sdr_db"]["solo"]  # not NaN

    # resumed in float32 (another machine, say): the card tells the two stretches apart, each with its machine
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "b.onnx"),
                                 checkpoint_dir=str(tmp_path / "cb"), minutes=60, batch=4, frames=16, width=32,
                                 dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9, max_steps=5))
    segments = card["history"][-1]["segments"]
    assert [(s["from_step"], s["to_step"], s["precision"], s["compiled"]) for s in segments] == \
        [(0, 2, "bf16", False), (2, 5, "fp32", False)]
    assert all("PyTorch" in s["machine"] for s in segments) and card["history"][-1]["steps"] == 5


def test_segments_merge_alike_parts_and_read_old_logs(tmp_path):
    """Lines before the options existed read as float32, not compiled, machine unknown; alike parts are one."""
    from jazzremix_gui.training.runlog import segments

    lines = [{"msg": "start"}, {"step": 10, "elapsed_s": 30}, {"msg": "resumed", "step": 10, "elapsed_s": 30},
             {"msg": "start"}, {"step": 20, "elapsed_s": 60}, {"msg": "resumed", "step": 20, "elapsed_s": 60},
             {"msg": "start", "precision": "bf16", "compiled": True, "machine": "m"}, {"msg": "a note"},
             {"step": 50, "elapsed_s": 90}]
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    assert segments(log) == [
        {"from_step": 0, "to_step": 20, "from_budget_s": 0, "to_budget_s": 60, "precision": "fp32", "compiled": False,
         "machine": None},
        {"from_step": 20, "to_step": 50, "from_budget_s": 60, "to_budget_s": 90, "precision": "bf16", "compiled": True,
         "machine": "m"}]
    assert segments(tmp_path / "missing.jsonl") == []
    # damaged lines are passed over; a fresh start (no resume before it) begins the stage's list again
    log.write_bytes(b'{"msg": "start"}\n{"step": 7, "elapsed_s": 9}\n5\n\xff\xfe\n{"step": null}\n'
                    b'{"msg": "start", "precision": "bf16"}\n{"step": 3, "elapsed_s": 4}\n')
    assert segments(log) == [{"from_step": 0, "to_step": 3, "from_budget_s": 0, "to_budget_s": 4, "precision": "bf16",
                              "compiled": False, "machine": None}]
