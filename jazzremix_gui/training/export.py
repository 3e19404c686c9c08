"""ONNX export with the model contract's metadata, and model cards (JSON beside the model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import torch

from jazzremix_gui.core.constants import MODEL_RATE
from jazzremix_gui.core.files.atomic import atomic_path, write_text
from jazzremix_gui.core.files.hashing import file_sha256


def sha256(path) -> str:
    """SHA-256 of a model file (for its card)."""
    return file_sha256(path)


def export_onnx(model: torch.nn.Module, path, meta: dict, example: torch.Tensor, input_name: str,
                output_name: str, half: bool = False) -> Path:
    """Export ``model`` with a dynamic frame axis and ``jazzremix.*`` metadata, atomically.

    Parameters
    ----------
    example : torch.Tensor [shape=(T, ...)]
        Example input; axis 0 (frames) is dynamic.
    half : bool
        Store weights as float16 (inputs and outputs stay float32).
    """
    path = Path(path)
    model = model.eval()
    with atomic_path(path, ".onnx") as tmp:
        with torch.no_grad():
            torch.onnx.export(model, (example,), str(tmp), input_names=[input_name], output_names=[output_name],
                              dynamic_axes={input_name: {0: "frames"}, output_name: {0: "frames"}},
                              opset_version=17, dynamo=False)
        proto = onnx.load(str(tmp))
        if half:
            proto = _weights_to_half(proto)
        del proto.metadata_props[:]
        for k, v in {**meta, "sample_rate": MODEL_RATE}.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = f"jazzremix.{k}", str(v)
        onnx.checker.check_model(proto)
        onnx.save(proto, str(tmp))
    return path


def _weights_to_half(proto):
    """Store large float32 initialisers as float16 followed by a Cast back to float32."""
    from onnx import TensorProto, helper, numpy_helper

    graph = proto.graph
    new_inits, casts = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= 1024:
            half_name = init.name + "_f16"
            new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half_name))
            casts.append(helper.make_node("Cast", [half_name], [init.name], to=TensorProto.FLOAT))
        else:
            new_inits.append(init)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    return proto


def write_card(onnx_path, card: dict, card_path=None) -> dict:
    """Write the model card (default ``<model>.json``) with size and SHA-256 of the file filled in.

    ``card_path`` puts the card elsewhere, e.g. in ``models/`` for a model whose weights
    are too large to ship. Returns the card.
    """
    onnx_path = Path(onnx_path)
    card = dict(card)
    if onnx_path.exists():
        card["file"] = onnx_path.name
        card["size_bytes"] = onnx_path.stat().st_size
        card["sha256"] = sha256(onnx_path)
    out = Path(card_path) if card_path else onnx_path.with_suffix(".json")
    write_text(out, json.dumps(card, indent=2) + "\n")
    return card
