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


def segments(path: Path) -> list[dict]:
    """How a stage ran, from its log ``path``: the stretches between resumes that ran alike, in order.

    A stage resumed across sessions may have run on several machines and in several arithmetics (``--precision
    auto`` is bfloat16 only where the CPU computes it natively): each ``start`` line says how that part ran.
    Consecutive parts alike (the same precision, compilation and machine) are one stretch.

    Returns
    -------
    list of dict
        ``from_step``, ``to_step`` (the last step logged), ``from_budget_s``, ``to_budget_s`` (the stage's clock),
        ``precision`` (``fp32`` where the line predates the option), ``compiled``, ``machine`` (None where not
        logged); empty when there is no log.
    """
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return []
    out: list[dict] = []
    resumed = None
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        try:
            if rec.get("msg") == "resumed":
                resumed = (int(rec["step"]), int(rec["elapsed_s"]))
            elif rec.get("msg") == "start":
                if resumed is None:  # a fresh start: what an abandoned earlier run logged is not this stage's
                    out, resumed = [], (0, 0)
                how = {"precision": rec.get("precision", "fp32"), "compiled": bool(rec.get("compiled", False)),
                       "machine": rec.get("machine")}
                if not (out and all(out[-1][k] == v for k, v in how.items())):
                    out.append({"from_step": resumed[0], "to_step": resumed[0], "from_budget_s": resumed[1],
                                "to_budget_s": resumed[1], **how})
                resumed = None
            elif "step" in rec and out:
                out[-1]["to_step"] = int(rec["step"])
                out[-1]["to_budget_s"] = int(rec.get("elapsed_s", out[-1]["to_budget_s"]))
        except (KeyError, TypeError, ValueError):  # a damaged line: passed over
            continue
    return out
