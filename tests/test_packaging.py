"""Packaging: every sub-package is listed in pyproject.toml, and a wheel carries the models and resources."""

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "jazzremix_gui").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"


def test_core_imports_no_qt_or_torch():
    code = ("import sys, jazzremix_gui.core.pipeline, jazzremix_gui.core.evaluation, jazzremix_gui.cli.main;"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','torch','pyqtgraph','sounddevice')];"
            "print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not (ROOT / "models" / "separator.onnx").exists(), reason="no shipped model yet")
def test_wheel_ships_models_and_resources(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "jazzremix_gui/_models/separator.onnx" in names and "jazzremix_gui/_models/separator.json" in names
    assert any(n.startswith("jazzremix_gui/_resources/") for n in names)
