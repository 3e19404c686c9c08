"""Start-up: ``jazzremix --version`` and every ``--help`` load none of the heavy libraries (issue #22 item 2).

What a command imports decides how long the user waits before anything happens; the
sub-commands import scipy, ONNX Runtime and Qt when they run, not to build the parser.
These check the modules loaded (``sys.modules`` in a fresh interpreter), not a timing.
"""

import json
import subprocess
import sys

import pytest

from jazzremix_gui.cli.main import COMMANDS, asks_version

#: Never needed to answer --version or --help.
HEAVY = ("scipy", "onnxruntime", "PySide6", "pyqtgraph", "torch", "sounddevice", "pyloudnorm", "matplotlib", "distributed")


def loaded_after(argv: list[str]) -> tuple[str, list[str]]:
    """Run ``main(argv)`` in a fresh interpreter: its stdout, and which top-level packages it had imported."""
    code = ("import json, sys\n"
            "from jazzremix_gui.cli.main import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    return "\n".join(lines[:-1]), json.loads(lines[-1])


@pytest.mark.parametrize("argv", [["--version"], ["-v", "--device", "cpu", "--version"]])
def test_version_imports_no_numpy_scipy_onnxruntime_or_qt(argv):
    out, modules = loaded_after(argv)
    assert out.startswith("jazzremix ")
    assert not {"numpy", "soundfile", *HEAVY} & set(modules), modules


@pytest.mark.parametrize("argv", [["--help"]] + [[name.replace("_", "-"), "--help"] for name in COMMANDS])
def test_help_imports_no_scipy_onnxruntime_or_qt(argv):
    out, modules = loaded_after(argv)
    assert "usage: jazzremix" in out
    assert not set(HEAVY) & set(modules), sorted(set(HEAVY) & set(modules))


def test_version_is_read_only_before_the_command():
    assert asks_version(["--version"]) and asks_version(["-q", "--device", "cpu", "--version"])
    assert not asks_version(["separate", "--version"]) and not asks_version(["--device", "--version"])
    assert not asks_version(["--", "--version"]) and not asks_version(["song.wav", "--version"])
