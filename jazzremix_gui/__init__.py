"""Jazz Remix: separate a jazz recording into solo and accompaniment, and remix it."""

import os

__version__ = "0.1.0"

# ONNX Runtime 1.31 uploads usage telemetry unless told not to (its Privacy.md), and prints a warning line
# on stderr when it cannot write its device identifier. Engineers' recordings are private work: off by
# default, before any part of the package can import onnxruntime (set it to 0 in the environment to allow).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
