"""The training configuration every recipe shares; each recipe subclasses it with its own defaults and fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TrainConfig:
    """Fields common to the separator's and the mixer's recipes (stored in checkpoints and cards).

    Attributes
    ----------
    arch : str
        Architecture name of the recipe.
    train_dir, val_dir : str
        DESIGN.md §3 datasets (the mixer accepts comma-separated lists).
    out : str
        The ONNX file to write; its card goes beside it.
    checkpoint_dir : str
        Where resumable checkpoints and ``log.jsonl`` live.
    minutes : float
        Training time budget in minutes.
    seed, batch, frames, lr, threads
        Random seed, examples per step, frames per example, learning rate, torch CPU threads.
    checkpoint_every_s : float
        Seconds between checkpoints.
    max_steps : int
        Stop after this many steps (0: when the time budget is spent).
    version : str
        ``jazzremix.version`` of the exported model (default from the recipe and ``arch``).
    width : int
        Hidden width of the recipe's architecture.
    """

    arch: str = ""
    train_dir: str = "data/train"
    val_dir: str = "data/val"
    out: str = ""
    checkpoint_dir: str = ""
    minutes: float = 0.0
    seed: int = 0
    batch: int = 16
    frames: int = 64
    lr: float = 1e-3
    threads: int = 1
    checkpoint_every_s: float = 60.0
    max_steps: int = 0  # 0: until the time budget is spent
    version: str = ""
    width: int = 0
