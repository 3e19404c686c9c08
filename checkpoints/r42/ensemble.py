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


def main():
    first, second, weight, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    onnx.save(ensemble(onnx.load(first), onnx.load(second), weight), out)


if __name__ == "__main__":
    main()
