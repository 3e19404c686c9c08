"""Tiny ONNX models that meet the model contract, built by the tests with the onnx helper API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

N_BINS, N_CELLS = 2049, 399


def _save(graph, path: Path, meta: dict) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    for k, v in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = f"jazzremix.{k}", str(v)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def tiny_separator(path: Path, context: int = 0, hop: int = 1024, scale: float = 0.6, pan_aware: str = "") -> Path:
    """Solo magnitude = ``scale`` x the mixture magnitude averaged over ``2 context + 1`` frames (``pan_aware``:
    that metadata, when given)."""
    x = helper.make_tensor_value_info("mix_mag", TensorProto.FLOAT, ["frames", N_BINS])
    y = helper.make_tensor_value_info("solo_mag", TensorProto.FLOAT, ["frames", N_BINS])
    inits = [numpy_helper.from_array(np.array([scale], np.float32), "scale"),
             numpy_helper.from_array(np.array([0], np.int64), "axis0")]
    nodes = [
        helper.make_node("Transpose", ["mix_mag"], ["t"], perm=[1, 0]),
        helper.make_node("Unsqueeze", ["t", "axis0"], ["u"]),
        helper.make_node("AveragePool", ["u"], ["p"], kernel_shape=[2 * context + 1], pads=[context, context],
                         count_include_pad=1),
        helper.make_node("Squeeze", ["p", "axis0"], ["s"]),
        helper.make_node("Transpose", ["s"], ["tt"], perm=[1, 0]),
        helper.make_node("Mul", ["tt", "scale"], ["solo_mag"]),
    ]
    graph = helper.make_graph(nodes, "tiny_separator", [x], [y], inits)
    meta = dict(kind="separator", sample_rate=44100, hop=hop, input_kind="mid_magnitude", context_frames=context,
                version=f"tiny-sep-c{context}", architecture="test average")
    if pan_aware:
        meta["pan_aware"] = pan_aware
    return _save(graph, path, meta)


def tiny_mixer(path: Path, seed: int = 0, input_kind: str = "solo_magnitude", version: str = "tiny-mix",
               hop: int = 1024) -> Path:
    """Softmax over 399 cells of a fixed random projection of the log solo magnitude."""
    rng = np.random.default_rng(seed)
    shape = ["frames", N_BINS] if input_kind == "solo_magnitude" else ["frames", 2, N_BINS]
    x = helper.make_tensor_value_info("features", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("posterior", TensorProto.FLOAT, ["frames", N_CELLS])
    w = rng.normal(0, 0.05, (N_BINS, N_CELLS)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array([1e-6], np.float32), "eps")]
    nodes = []
    src = "features"
    if input_kind != "solo_magnitude":
        inits.append(numpy_helper.from_array(np.array([1], np.int64), "axis1"))
        nodes.append(helper.make_node("ReduceSum", ["features", "axis1"], ["summed"], keepdims=0))
        src = "summed"
    nodes += [
        helper.make_node("Add", [src, "eps"], ["a"]),
        helper.make_node("Log", ["a"], ["l"]),
        helper.make_node("MatMul", ["l", "w"], ["z"]),
        helper.make_node("Softmax", ["z"], ["posterior"], axis=-1),
    ]
    graph = helper.make_graph(nodes, "tiny_mixer", [x], [y], inits)
    meta = dict(kind="mixer", sample_rate=44100, hop=hop, input_kind=input_kind, context_frames=0,
                version=version, architecture="test projection")
    return _save(graph, path, meta)


def tiny_pair(folder: Path) -> tuple[Path, Path]:
    """A separator with context (2 frames) and a mixer in ``folder``: the pair the writer tests run."""
    return tiny_separator(Path(folder) / "sep.onnx", context=2), tiny_mixer(Path(folder) / "mix.onnx")
