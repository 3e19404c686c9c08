"""Model cards: the one builder every recipe (separator, mixer, fine-tuned mixer) writes its JSON card with.

A card (JSON beside the ``.onnx`` file, written by :func:`training.export.write_card`, which
adds file name, size and SHA-256) starts with :func:`card_head` (name, kind, the ONNX
metadata, architecture, size of the network) and holds a ``training`` section from
:func:`training_section`, which records the machine that trained it (:func:`machine`,
read at run time) and the training history; recipes add their own sections (data,
labels, validation figures).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch

from jazzremix_gui.core import machine as host
from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.models import ModelMeta

#: ModelMeta fields stored as ``jazzremix.*`` ONNX metadata (the separator also stores its Wiener power).
CONTRACT_KEYS = ("kind", "hop", "input_kind", "context_frames", "version", "architecture")


def metadata_props(meta: ModelMeta) -> dict:
    """The ``jazzremix.*`` metadata of a model (without the prefix), as exported into the ONNX file."""
    keys = CONTRACT_KEYS + (("wiener_alpha",) if meta.kind == "separator" else ())
    keys += ("paired_separator",) if meta.kind == "mixer" and meta.paired_separator else ()
    keys += ("accompaniment_from",) if meta.kind == "mixer" and meta.accompaniment_from != "stems" else ()
    keys += ("pan_aware",) if meta.kind == "separator" and meta.pan_aware else ()
    return {k: v for k, v in asdict(meta).items() if k in keys}


def machine() -> str:
    """The machine training now, e.g. ``2-core x86_64 CPU (AMD EPYC 7B13), PyTorch 2.13 CPU, torch.set_num_threads=1``."""
    return (f"{host.describe()}, PyTorch {torch.__version__.split('+')[0]} CPU, "
            f"torch.set_num_threads={torch.get_num_threads()}")


def card_head(out, meta_props: dict, architecture: str, parameters: int, weights_dtype: str = "float32") -> dict:
    """First fields of a card: ``name``, ``kind``, ``metadata`` (``jazzremix.*``), ``architecture``, size."""
    return {"name": Path(out).stem, "kind": meta_props["kind"],
            "metadata": {f"jazzremix.{k}": v for k, v in meta_props.items()} | {"jazzremix.sample_rate": MODEL_RATE},
            "architecture": architecture, "parameters": int(parameters), "weights_dtype": weights_dtype}


def training_section(command: str, steps: int, elapsed_s: float, final_loss, config=None, **extra) -> dict:
    """The card's ``training`` section: the command that reproduces it, config, steps, CPU time, machine."""
    out = {"command": command}
    if config is not None:
        out["config"] = asdict(config)
    out.update(steps=int(steps), training_time_s=round(elapsed_s), final_loss=final_loss, machine=machine())
    out.update(extra)
    return out


def datasets(dirs) -> list[dict]:
    """``[{"path", **dataset.json}]`` of each folder of a (comma-separated) dataset list."""
    out = []
    for d in str(dirs).split(","):
        info = Path(d) / "dataset.json"
        try:
            out.append({"path": d, **json.loads(info.read_text())} if info.exists() else {"path": d})
        except (OSError, ValueError):
            out.append({"path": d})
    return out
