"""Diagnostic r42: two separators' outputs averaged (an output ensemble), as one ONNX file the product can load.

The shipped sep-mask-3.4 (a soup of one lineage) and a network of another lineage (e42, trained from scratch) make
different errors. This writes one ONNX model that runs both on the same input and gives ``(1 - w) a + w b`` of their
solo magnitudes, frame by frame, with the first model's metadata (its version extended), so ``jazzremix evaluate
--model OUT.onnx`` and every command separate with it through the product's pipeline (the pan-aware step reads the
solo's direction from the mean and steers with it). The cost: both networks a frame.

    PYTHONPATH=. python checkpoints/r42/ensemble.py FIRST.onnx SECOND.onnx W OUT.onnx
"""
import sys

import onnx
from onnx import helper, numpy_helper
import numpy as np


def ensemble(first: onnx.ModelProto, second: onnx.ModelProto, weight: float) -> onnx.ModelProto:
    """One model: ``first`` and ``second`` (one input and one output each, the same opset) on the same input, the
    output ``(1 - weight) first + weight second``."""
    _check_pair(first, second)
    b = onnx.compose.add_prefix(second, "b_")
    g, gb = first.graph, b.graph
    x, out = g.input[0].name, g.output[0].name
    bx, bout = gb.input[0].name, gb.output[0].name
    nodes = list(g.node)
    for node in gb.node:  # the second network reads the first's input
        node.input[:] = [x if name == bx else name for name in node.input]
        nodes.append(node)
    w = [numpy_helper.from_array(np.array(v, np.float32), name)
         for v, name in ((1 - weight, "ens_wa"), (weight, "ens_wb"))]
    nodes += [helper.make_node("Mul", [out, "ens_wa"], ["ens_a"]), helper.make_node("Mul", [bout, "ens_wb"], ["ens_b"]),
              helper.make_node("Add", ["ens_a", "ens_b"], ["ens_out"])]
    output = helper.make_tensor_value_info("ens_out", g.output[0].type.tensor_type.elem_type, None)
    output.type.CopyFrom(g.output[0].type)
    output.name = "solo_mag"
    for node in nodes:  # the first's output becomes internal; the mean takes its name
        node.output[:] = ["ens_first" if name == out else ("solo_mag" if name == "ens_out" else name)
                          for name in node.output]
        node.input[:] = ["ens_first" if name == out else name for name in node.input]
    graph = helper.make_graph(nodes, "ensemble", [g.input[0]], [output],
                              list(g.initializer) + list(gb.initializer) + w)
    model = helper.make_model(graph, opset_imports=first.opset_import, ir_version=first.ir_version)
    versions = {p.key: p.value for p in second.metadata_props}
    for p in first.metadata_props:
        value = p.value
        if p.key == "jazzremix.version":
            value = f"{p.value} + {versions.get(p.key, '?')} (w {weight:g})"
        model.metadata_props.add(key=p.key, value=value)
    onnx.checker.check_model(model)
    return model


def _check_pair(first: onnx.ModelProto, second: onnx.ModelProto) -> None:
    """Refuse a pair this merge would get wrong: other opsets, local functions, an output that is not float32,
    names this merge uses, or separators that read other frames (hop, input, context)."""
    if [(o.domain, o.version) for o in first.opset_import] != [(o.domain, o.version) for o in second.opset_import]:
        raise ValueError("the two models import other opsets")
    if first.functions or second.functions:
        raise ValueError("a model with local functions")
    for m in (first, second):
        if len(m.graph.input) != 1 or len(m.graph.output) != 1:
            raise ValueError("a model without one input and one output")
        if m.graph.output[0].type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
            raise ValueError("a model whose output is not float32")
    names = {n for node in first.graph.node for n in list(node.input) + list(node.output)}
    names |= {i.name for i in first.graph.initializer}
    if any(n.startswith(("b_", "ens_")) for n in names):
        raise ValueError("the first model uses names the merge gives (b_..., ens_...)")
    meta = [{p.key: p.value for p in m.metadata_props} for m in (first, second)]
    for key in ("jazzremix.kind", "jazzremix.hop", "jazzremix.input_kind", "jazzremix.context_frames",
                "jazzremix.sample_rate"):
        if meta[0].get(key) != meta[1].get(key):
            raise ValueError(f"{key}: {meta[0].get(key)} against {meta[1].get(key)}")


def main():
    first, second, weight, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    onnx.save(ensemble(onnx.load(first), onnx.load(second), weight), out)


if __name__ == "__main__":
    main()
