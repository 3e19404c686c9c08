"""The arithmetic a training step's network runs in: float32, or bfloat16 where the CPU has it.

``--precision bf16`` runs the forward pass under ``torch.autocast`` with bfloat16: the convolutions and matrix
products take bfloat16 inputs, the weights, the optimiser and the loss stay float32. On a CPU with native bfloat16
dot products (``avx512_bf16`` or ``amx_bf16``) a step of the shipped separator takes about half the time; its
gradients differ from float32's by about 0.5 % (relative norm, docs/TRAINING.md), far below a batch's own noise.
Elsewhere bfloat16 is emulated and slower, so ``auto`` picks it only where it is native.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import torch

CHOICES = ("fp32", "bf16", "auto")
_NATIVE_FLAGS = {"avx512_bf16", "amx_bf16"}


def native_bf16(cpuinfo: str | Path = "/proc/cpuinfo") -> bool:
    """Whether the CPU computes bfloat16 dot products natively (its flags name ``avx512_bf16`` or ``amx_bf16``)."""
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        if line.startswith("flags"):
            return bool(_NATIVE_FLAGS & set(line.split(":", 1)[-1].split()))
    return False


def resolve(choice: str, cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """``"fp32"`` or ``"bf16"``: what ``choice`` (one of :data:`CHOICES`) means on this machine."""
    if choice not in CHOICES:
        raise ValueError(f"precision {choice!r}: one of {', '.join(CHOICES)}")
    if choice == "auto":
        return "bf16" if native_bf16(cpuinfo) else "fp32"
    return choice


def forward_context(resolved: str):
    """The context a training step's forward pass and loss run in, for a resolved precision."""
    if resolved == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()
