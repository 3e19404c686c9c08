"""The whole-command benchmark runs end to end (its figures are in docs/SPEED.md; here only that it works).

Each command runs twice into the same folders, as the benchmark's repeats do: a command that refuses to write
over its earlier outputs without ``--overwrite`` broke the benchmark once without any test noticing.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_whole_commands_benchmark_runs_every_command_twice():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "whole_commands.py"), "--minutes", "0.02",
                           "--repeats", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name in ("separate", "suggest", "remix"):
        line = next(ln for ln in proc.stdout.splitlines() if ln.startswith(f"jazzremix {name} "))
        assert "real time" in line and "CPU" in line
    assert any(ln.startswith("mixer network alone, 1 thread") and "real time" in ln for ln in proc.stdout.splitlines())
