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

