"""ONNX Runtime's upload telemetry is off in every process of the package unless the user allows it."""

import subprocess
import sys


def test_onnxruntime_telemetry_is_off_by_default():
    code = ("import os; os.environ.pop('ORT_DISABLE_TELEMETRY', None); import jazzremix_gui, onnxruntime; "
            "print(os.environ['ORT_DISABLE_TELEMETRY'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1" and out.stderr == ""


def test_the_user_can_allow_it():
    code = "import os, jazzremix_gui; print(os.environ['ORT_DISABLE_TELEMETRY'])"
    env = {"ORT_DISABLE_TELEMETRY": "0", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "0"
