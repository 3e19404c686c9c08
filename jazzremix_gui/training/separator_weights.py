"""The separator's torch weights: shipped beside the ONNX file, recovered from it, and
loaded as the starting point of a warm-started run (``train-separator --init``).

``models/separator.pt`` holds ``{"model": state_dict, "arch": {...}, "history": [...]}``;
``arch`` rebuilds the module (:func:`architectures.build`), ``history`` is the card's
list of training stages so a warm start carries the whole lineage forward. A training
checkpoint (``checkpoints/.../last.pt``) can also be an ``--init``: it adds the
optimiser state, restored on request.

A model shipped before the ``.pt`` existed (``sep-mask-1.1``) is recovered from the ONNX
initialisers: named tensors map one to one; the three bias-free MatMul weights the
exporter renamed (``onnx::MatMul_*``) are, in graph order, ``encode``, ``decode.1`` and
``decode.3`` (transposed). :func:`verify_against_onnx` checks the result reproduces
the ONNX output.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from jazzremix_gui.core.errors import JazzRemixError
from jazzremix_gui.training import architectures, checkpoint


class WeightsError(JazzRemixError):
    """Separator weights cannot be read or do not fit the architecture."""


def arch_config(model) -> dict:
    """What :func:`architectures.build` needs to rebuild ``model``."""
    if isinstance(model, architectures.MaskSeparator):
        arch = {"name": "mask", "width": model.width, "dilations": list(model.dilations), "kernel": model.kernel}
        arch |= {"pitch_classes": model.pitch_classes} if model.pitch_classes else {}
        return arch | ({"gate": True} if model.gate else {}) | ({"comb": True} if model.comb else {})
    if isinstance(model, architectures.BandSeparator):
        return {"name": "band", "bands": model.bands, "dim": model.dim, "dilations": list(model.dilations),
                "kernel": model.kernel, "mix_every": model.mix_every}
    return {"name": "seed", "layers": len(model.layers)}


def build_from_config(arch: dict) -> torch.nn.Module:
    kwargs = {k: v for k, v in arch.items() if k != "name"}
    return architectures.build(arch["name"], **kwargs)


def recover_from_onnx(onnx_path) -> torch.nn.Module:
    """Rebuild the torch :class:`MaskSeparator` behind an exported ONNX separator.

    Raises
    ------
    WeightsError
        Not a mask separator export (unexpected tensors or shapes).
    """
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(onnx_path))
    inits = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    convs = [n for n in proto.graph.node if n.op_type == "Conv"]
    matmul_w = [n.input[1] for n in proto.graph.node if n.op_type == "MatMul" and n.input[1] in inits]
    if "encode.bias" not in inits or not convs or len(matmul_w) != 3:
        raise WeightsError(f"{onnx_path}: not an exported mask separator (cannot recover its weights)")
    dil = [int(next(a.ints[0] for a in c.attribute if a.name == "dilations")) for c in convs]
    width, kernel = int(inits["encode.bias"].shape[0]), int(inits[convs[0].input[1]].shape[2])
    model = architectures.build("mask", width=width, dilations=tuple(dil), kernel=kernel)
    state = {k: torch.from_numpy(np.array(v)) for k, v in inits.items() if not k.startswith("onnx::")}
    for key, name in zip(("encode.weight", "decode.1.weight", "decode.3.weight"), matmul_w):
        state[key] = torch.from_numpy(np.array(inits[name]).T.copy())
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise WeightsError(f"{onnx_path}: weights do not fit the mask architecture ({str(exc)[:200]})") from None
    return model.eval()


def verify_against_onnx(model, onnx_path, frames: int = 200, seed: int = 0) -> float:
    """Largest absolute difference between ``model`` and the ONNX file on random magnitudes."""
    import onnxruntime as ort

    x = (np.random.default_rng(seed).random((frames, architectures.N_BINS)) ** 4 * 0.1).astype(np.float32)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    with torch.no_grad():
        out = model.eval()(torch.from_numpy(x)).numpy()
    return float(np.max(np.abs(out - ref)))


def history_from_card(card_path) -> list[dict]:
    """The training stages recorded on a card (``history``, else the single ``training`` entry)."""
    p = Path(card_path)
    if not p.is_file():
        return []
    card = json.loads(p.read_text())
    if card.get("history"):
        return list(card["history"])
    t = card.get("training")
    if not t:
        return []
    cfg = t.get("config", {})
    return [{"stage": 1, "version": card.get("metadata", {}).get("jazzremix.version", ""),
             "command": t.get("command"), "init": None, "train": cfg.get("train_dir"), "data": card.get("data"),
             "steps": t.get("steps"), "wall_s": t.get("training_time_s"),
             "cpu_s": t.get("cpu_time_s", t.get("training_time_s", 0) * cfg.get("threads", 1)),
             "cpu_note": t.get("cpu_note", "CPU time not measured then: wall time x threads"),
             "machine": t.get("machine")}]


def average_states(states: list[dict]) -> dict:
    """The element-wise mean of state dicts of one architecture (a "model soup", or the weights a run
    passed through: stochastic weight averaging), each tensor averaged in float64 and kept in its dtype."""
    first = states[0]
    return {k: (sum(st[k].double() for st in states) / len(states)).to(v.dtype) for k, v in first.items()}


def save_weights(model, path, history: list[dict]) -> Path:
    """Write ``<path>.pt`` (weights, architecture, history) atomically."""
    path = Path(path).with_suffix(".pt")
    checkpoint.write_state(path, {"model": model.state_dict(), "arch": arch_config(model), "history": history},
                           "the weights")
    return path


def load_init(path) -> tuple[torch.nn.Module, dict | None, list[dict]]:
    """Starting point of a warm start.

    Parameters
    ----------
    path : path
        ``.pt`` weights (``models/separator.pt``), a training checkpoint, or an ``.onnx``
        separator without ``.pt`` (weights recovered from the initialisers).

    Returns
    -------
    model : torch.nn.Module
    opt_state : dict or None
        The optimiser state when ``path`` is a training checkpoint.
    history : list of dict
        Training stages so far (from the file or the card beside the ONNX file).
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"--init {path}: file not found")
    if path.suffix == ".onnx":
        if path.with_suffix(".pt").is_file():
            return load_init(path.with_suffix(".pt"))
        return recover_from_onnx(path), None, history_from_card(path.with_suffix(".json"))
    try:
        state = checkpoint.load_state(path)
        arch = state.get("arch") or _arch_from_checkpoint(state)
        model = build_from_config(arch)
        model.load_state_dict(state["model"])
    except WeightsError:
        raise
    except Exception as exc:  # corrupt or foreign file
        raise WeightsError(f"--init {path}: not separator weights ({type(exc).__name__}: {str(exc)[:120]})") from None
    return model, state.get("opt"), list(state.get("history", []))


def _arch_from_checkpoint(state: dict) -> dict:
    cfg = state.get("config") or {}
    if cfg.get("arch") == "seed":
        return {"name": "seed"}
    return {"name": "mask", "width": cfg.get("width", 256),
            "dilations": list(cfg.get("dilations") or (1, 2, 4, 8, 1, 2)), "kernel": 3}
