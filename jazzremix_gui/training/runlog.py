"""The JSONL run log shared by the training recipes: one JSON object per line, also printed."""

from __future__ import annotations

import json
import time
from pathlib import Path


def log(path: Path | None, **fields) -> None:
    """Print one JSON line (with a timestamp) and append it to the JSONL log ``path``."""
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **fields})
    print(line, flush=True)
    if path is not None:
        with open(path, "a") as f:
            f.write(line + "\n")
