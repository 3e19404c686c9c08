"""A training step through ``torch.compile`` (``--compile``): the eager step's values to within float rounding, and
the eager step itself, said once in the log, where compiling fails."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from jazzremix_gui.training import architectures, precision  # noqa: E402
from jazzremix_gui.training.compiled import CompiledLoss  # noqa: E402
from jazzremix_gui.training.train_separator import SeparatorConfig, loss_fn, train, train_step  # noqa: E402

from test_precision import _batch  # noqa: E402
from test_separator_training import _dataset  # noqa: E402


@pytest.fixture(autouse=True)
def _inductor_cache(tmp_path, monkeypatch):
    """TorchInductor's cache in the test's own folder (nothing left in the system's temporary directory)."""
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "inductor"))


def _steps(loss_of, start, batch, cfg, arithmetic, n=2):
    model = architectures.MaskSeparator(width=64, dilations=(1, 2), pitch_classes=61)
    model.load_state_dict(start)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = [train_step(model, opt, batch, cfg, arithmetic=arithmetic, loss_of=loss_of) for _ in range(n)]
    return losses, torch.cat([p.detach().flatten() for p in model.parameters()])


def _compiles() -> bool:
    """Whether ``torch.compile`` works on this machine at all (a C++ compiler, the headers it needs): a function with
    a gradient."""
    try:
        x = torch.ones(3, requires_grad=True)
        torch.compile(lambda v: (v.sin() * 2).sum())(x).backward()
        return bool(torch.allclose(x.grad, 2 * torch.cos(torch.ones(3))))
    except Exception:  # noqa: BLE001 - whatever stops it
        return False


def _compared(arithmetic: str, n: int):
    """``n`` steps of a small separator through :class:`CompiledLoss` and eager, from the same weights on the same
    batch: ``(the CompiledLoss, what it logged, its losses, its weights, the eager losses, the eager weights, the
    starting weights)``."""
    torch.manual_seed(0)
    cfg = SeparatorConfig(both_stems=0.5, pitch=0.005)
    start = architectures.MaskSeparator(width=64, dilations=(1, 2), pitch_classes=61).state_dict()
    batch = _batch(np.random.default_rng(1))
    said = []
    compiled = CompiledLoss(loss_fn, said.append)
    got, weights = _steps(compiled, start, batch, cfg, arithmetic, n)
    want, eager_weights = _steps(None, start, batch, cfg, arithmetic, n)
    return compiled, said, got, weights, want, eager_weights, start


def test_a_compiled_step_is_the_eager_step_to_within_rounding():
    """In the arithmetic ``--precision auto`` trains in here (bfloat16 only where the CPU has it natively: emulated
    elsewhere, it is slower than float32 and no run uses it)."""
    arithmetic = precision.resolve("auto")
    compiled, said, got, weights, want, eager_weights, start = _compared(arithmetic, 2)
    if compiled.compiled is False:  # only where this machine cannot compile at all: the eager steps, said in the log
        assert not _compiles(), said
        assert len(said) == 1 and said[0].startswith("torch.compile failed (") and got == want
        return
    assert compiled.compiled is True and said == []
    tol = 1e-4 if arithmetic == "fp32" else 0.01
    assert got == pytest.approx(want, rel=tol)
    start_w = torch.cat([p.flatten() for p in start.values()])
    moved, eager_moved = (weights - start_w).double(), (eager_weights - start_w).double()
    assert float((moved - eager_moved).norm() / eager_moved.norm()) < 10 * tol


def test_where_compiling_fails_the_steps_run_eager_and_the_log_says_why_once(monkeypatch):
    def broken(fn, **kwargs):
        def call(*args, **kw):
            raise RuntimeError("InvalidCxxCompiler: No working C++ compiler found\nmore lines")
        return call

    monkeypatch.setattr(torch, "compile", broken)
    compiled, said, got, weights, want, eager_weights, _ = _compared("fp32", 3)
    assert got == want and torch.equal(weights, eager_weights)  # the eager steps, exactly
    assert said == ["torch.compile failed (RuntimeError: InvalidCxxCompiler: No working C++ compiler found): "
                    "the steps run eager"]
    assert compiled.compiled is False


def test_a_backward_pass_that_cannot_compile_falls_back_too(monkeypatch):
    """PyTorch compiles a graph's backward pass at its first backward, outside the loss's call: the first call takes
    a gradient itself, so a backward compiler's failure also falls back instead of ending the run."""
    class Broken(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise RuntimeError("the backward compiler failed")

    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: lambda *a, **k: Broken.apply(fn(*a, **k)))
    compiled, said, got, weights, want, eager_weights, _ = _compared("fp32", 3)
    assert got == want and torch.equal(weights, eager_weights)
    assert said == ["torch.compile failed (RuntimeError: the backward compiler failed): the steps run eager"]


def test_a_compiler_refused_at_once_falls_back_at_once(monkeypatch):
    def refuse(fn, **kwargs):
        raise RuntimeError("Python 3.12+ not yet supported for torch.compile")

    monkeypatch.setattr(torch, "compile", refuse)
    said = []
    compiled = CompiledLoss(lambda x: x + 1, said.append)
    assert compiled.compiled is False and compiled(1) == 2
    assert said == ["torch.compile failed (RuntimeError: Python 3.12+ not yet supported for torch.compile): the "
                    "steps run eager"]


def test_an_error_after_the_first_compiled_step_is_raised(monkeypatch):
    calls = []

    def flaky(fn, **kwargs):
        def call(*args, **kw):
            calls.append(1)
            if len(calls) > 1:
                raise ValueError("a later step's own error")
            return fn(*args, **kw)
        return call

    monkeypatch.setattr(torch, "compile", flaky)
    compiled = CompiledLoss(lambda model, x: (model.weight * x).sum(), lambda m: pytest.fail(m))
    model = torch.nn.Linear(2, 1)
    assert float(compiled(model, 1.0)) == pytest.approx(float(model.weight.sum()))
    assert compiled.compiled is True and model.weight.grad is None  # the backward compiled, no gradient left
    with pytest.raises(ValueError, match="later step"):
        compiled(model, 1.0)


def test_the_command_records_that_it_compiled(tmp_path, monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)  # the wiring (the compiler is tested above)
    a, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    card = train(SeparatorConfig(arch="mask", train_dir=str(a), val_dir=str(val_dir), out=str(tmp_path / "b.onnx"),
                                 checkpoint_dir=str(tmp_path / "cb"), minutes=60, batch=4, frames=16, width=32,
                                 dilations="1,2", val_tracks_during=1, checkpoint_every_s=1e9, max_steps=2,
                                 compile=True))
    assert card["history"][-1]["command"].endswith("--compile") or " --compile " in card["history"][-1]["command"]
    lines = [json.loads(line) for line in (tmp_path / "cb" / "log.jsonl").read_text().splitlines()]
    assert [s["compiled"] for s in lines if s.get("msg") == "start"] == [True]
    assert card["validation"]["median_sdr_db"]["solo"] == card["validation"]["median_sdr_db"]["solo"]  # not NaN
