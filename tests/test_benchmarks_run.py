"""The whole-command benchmark runs end to end (its figures are in docs/SPEED.md; here only that it works).

Each command runs twice into the same folders, as the benchmark's repeats do: a command that refuses to write
over its earlier outputs without ``--overwrite`` broke the benchmark once without any test noticing. With
``--source`` the other checkout's commands run beside them, and the paired difference is printed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_whole_commands_benchmark_runs_every_command_twice_beside_another_checkout(tmp_path):
    other = tmp_path / "other"
    shutil.copytree(ROOT / "jazzremix_gui", other / "jazzremix_gui", ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "whole_commands.py"), "--minutes", "0.02",
                           "--repeats", "2", "--source", str(other)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    for name in ("separate", "suggest", "remix"):
        rows = [ln for ln in lines if ln.startswith(f"jazzremix {name} ") and "paired" not in ln]
        assert len(rows) == 2 and f"({other})" in rows[0] and f"({other})" not in rows[1], rows  # before, now
        assert all("real time" in ln and "CPU" in ln for ln in rows)
        line = next(ln for ln in lines if ln.startswith(f"jazzremix {name} ") and "paired" in ln)
        assert "now faster in" in line and "of 2" in line and "SE" in line
    assert any(ln.startswith("mixer network alone, 1 thread") and "real time" in ln for ln in lines)


def test_only_one_command_runs_with_only():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "whole_commands.py"), "--minutes", "0.02",
                           "--repeats", "1", "--only", "remix"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ran = [ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("jazzremix ")]
    assert ran == ["remix"]



def test_training_steps_benchmark_resumes_a_recipe_and_times_its_steps(tmp_path):
    """``benchmarks/training_steps.py`` resumes a recipe from a checkpoint for a few steps in the precision asked
    (bfloat16 here: the one not the default; each precision is one more pass of the same loop, and each pass starts
    PyTorch twice, 7 s on a slow VM) and prints seconds a step; the checkpoint it was given is left as it was."""
    import pytest

    pytest.importorskip("torch")
    from test_separator_training import _dataset

    from jazzremix_gui.training.train_separator import SeparatorConfig, train

    train_dir, val_dir = _dataset(tmp_path / "a", 2, seed=1), _dataset(tmp_path / "val", 1, seed=2)
    options = (f"--arch mask --train {train_dir} --val {val_dir} --minutes 60 --batch 4 --frames 16 --width 32 "
               "--dilations 1,2 --seed 3 --threads 1")
    train(SeparatorConfig(arch="mask", train_dir=str(train_dir), val_dir=str(val_dir), out=str(tmp_path / "s.onnx"),
                          checkpoint_dir=str(tmp_path / "ck"), minutes=60, batch=4, frames=16, width=32,
                          dilations="1,2", seed=3, threads=1, max_steps=2))
    (tmp_path / "command.txt").write_text(options + f" --checkpoints {tmp_path / 'elsewhere'}\n")
    before = (tmp_path / "ck" / "last.pt").read_bytes()
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "training_steps.py"), "--command",
                           str(tmp_path / "command.txt"), "--checkpoint", str(tmp_path / "ck" / "last.pt"), "--steps",
                           "3", "--repeats", "1", "--precision", "bf16"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [ln for ln in proc.stdout.splitlines() if "s a step" in ln]
    assert [r.split(":")[0] for r in rows] == ["bf16"], proc.stdout
    assert "from step 2 of" in proc.stdout and all("3 steps" in r for r in rows)
    assert (tmp_path / "ck" / "last.pt").read_bytes() == before and not (tmp_path / "elsewhere").exists()


def test_training_steps_reads_a_recipe_in_either_option_form(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from training_steps import recipe

    (tmp_path / "c.txt").write_text("--arch mask --train=data/a,/abs/b --val data/v --precision=auto --out x.onnx "
                                    "--checkpoints ck --seed 3 --average-last 30\n")
    assert recipe(tmp_path / "c.txt") == ["--arch", "mask", "--train", f"{ROOT / 'data/a'},/abs/b", "--val",
                                          str(ROOT / "data/v"), "--seed", "3"]
