"""Where shipped models, resources and the user's own data live."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent


def _first_dir(*candidates: Path) -> Path:
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def models_dir() -> Path:
    """Folder of the shipped ONNX models (the repository's ``models/``, or the installed copy)."""
    return _first_dir(_PKG.parent / "models", _PKG / "_models")


def resources_dir() -> Path:
    """Folder of icons, styles and the demo clip."""
    return _first_dir(_PKG.parent / "resources", _PKG / "_resources")


def shipped_model(kind: str) -> Path:
    """Path of the shipped ``separator.onnx`` or ``mixer.onnx``."""
    return models_dir() / f"{kind}.onnx"


def data_dir() -> Path:
    """The user's data folder (``$JAZZREMIX_DATA_DIR``, else ``$XDG_DATA_HOME/jazzremix``)."""
    env = os.environ.get("JAZZREMIX_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jazzremix"


def user_mixer_path() -> Path:
    """Where ``jazzremix train-mixer`` puts the user's fine-tuned mixer."""
    return data_dir() / "mixer.user.onnx"


def remove_user_mixer(path=None) -> list[Path]:
    """Delete the user's fine-tuned mixer (model, card, weights) so the shipped one is used again."""
    out = Path(path or user_mixer_path())
    removed = []
    for p in (out, out.with_suffix(".json"), out.with_suffix(".pt")):
        if p.exists():
            p.unlink()
            removed.append(p)
    return removed


def annotations_path() -> Path:
    """JSONL file of the engineer's final pan/gain choices, one line per export."""
    return data_dir() / "annotations.jsonl"


def cache_dir() -> Path:
    """Per-track result cache (``$XDG_CACHE_HOME/jazzremix``)."""
    env = os.environ.get("JAZZREMIX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jazzremix"


def demo_recording() -> Path:
    """The bundled demo clip (rendered by the project's own synthesiser)."""
    return resources_dir() / "demo.flac"
