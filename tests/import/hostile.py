#!/usr/bin/env python3
"""Hostile and malformed ONNX models: each must make `convgen import` exit 1
with one clear message (the expected words below), write nothing, and not
crash. Built here with onnx.helper (Debian's python3-onnx), so no binary
model is checked in. Also: a dynamic input dimension is an error without
--input-shape and imports with it.

Usage: hostile.py CONVGEN WORK_DIR    (exit 77 when the onnx module is missing)
"""
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:
    print("skip: the onnx Python module is missing (python3-onnx)")
    sys.exit(77)

F = TensorProto.FLOAT


def weights(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def out_info(name, rank=4):
    # Dimensions left to shape inference (the checker wants a shape).
    return helper.make_tensor_value_info(name, F, ["d%d" % k for k in range(rank)])


def conv_model(nodes=None, inits=None, inputs=None, x_shape=(1, 3, 8, 8), outputs=None,
               opset=13):
    x = helper.make_tensor_value_info("x", F, list(x_shape))
    if nodes is None:
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv1", pads=[1, 1, 1, 1])]
    if inits is None:
        inits = [numpy_helper.from_array(weights((4, 3, 3, 3)), "w")]
    y = outputs or [out_info("y", len(x_shape))]
    g = helper.make_graph(nodes, "g", [x] + (inputs or []), y, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def cases(work):
    out = []
    # 1. Truncated protobuf.
    good = conv_model().SerializeToString()
    out.append(("truncated", good[: len(good) // 2], "protobuf parsing failed"))
    # 2. A node input nothing defines.
    m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
                          helper.make_node("Relu", ["nope"], ["y"], name="act")])
    out.append(("missing_input", m, "node 'act' (Relu, #1): input 0 'nope' is not a graph input"))
    # 3. A cycle: conv1 reads act's output, act reads conv1's.
    m = conv_model(nodes=[helper.make_node("Conv", ["b", "w"], ["a"], name="conv1"),
                          helper.make_node("Relu", ["a"], ["b"], name="act"),
                          helper.make_node("Identity", ["b"], ["y"], name="id")])
    out.append(("cycle", m, "node 'conv1' (Conv, #0): input 0 'b' is produced only by a later "
                            "node 'act' (Relu, #1)"))
    # 4. A 2^40-element input.
    m = conv_model(x_shape=(1, 1, 1 << 20, 1 << 20),
                   inits=[numpy_helper.from_array(weights((4, 1, 3, 3)), "w")])
    out.append(("huge_shape", m, "convgen supports 1 to 2147483648 elements"))
    # 5. Initializer data shorter than its shape.
    short = TensorProto(name="w", dims=[4, 3, 3, 3], data_type=F,
                        raw_data=weights((10,)).tobytes())
    out.append(("short_initializer", conv_model(inits=[short]),
                "shape [4, 3, 3, 3] needs 108 values but the data holds 10"))
    # 6. Non-float32 weights.
    half = numpy_helper.from_array(weights((4, 3, 3, 3)).astype(np.float16), "w")
    out.append(("float16_weights", conv_model(inits=[half]),
                "weight 'w' is FLOAT16; convgen imports float32 weights only"))
    # 7. Weights as a graph input, not an initializer.
    w_in = helper.make_tensor_value_info("w", F, [4, 3, 3, 3])
    out.append(("weights_as_input", conv_model(inits=[], inputs=[w_in]),
                "weights must be initializers"))
    # 8. External data whose file is missing, and one that escapes the directory.
    ext = numpy_helper.from_array(weights((4, 3, 3, 3)), "w")
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key="location", value="missing_weights.bin")
    out.append(("external_missing", conv_model(inits=[ext]), "missing_weights.bin"))
    esc = TensorProto()
    esc.CopyFrom(ext)
    esc.external_data[0].value = "../../etc/passwd"
    out.append(("external_escapes", conv_model(inits=[esc]), "../../etc/passwd"))
    # 9. An unsupported op.
    m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
                          helper.make_node("Sigmoid", ["a"], ["y"], name="gate")])
    out.append(("unsupported_op", m, "node 'gate' (Sigmoid, #1): unsupported op 'Sigmoid'; "
                                     "convgen imports Conv"))
    # 10. A branch the network form cannot express: two graph outputs.
    m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
                          helper.make_node("Relu", ["a"], ["y"], name="act")],
                   outputs=[out_info("a"), out_info("y")])
    out.append(("two_outputs", m, "the graph has 2 outputs; a convgen network has one"))
    # ... and a side branch whose result is the output while the main path continues.
    m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
                          helper.make_node("Relu", ["a"], ["y"], name="act"),
                          helper.make_node("Conv", ["y", "w2"], ["b"], name="conv2")],
                   inits=[numpy_helper.from_array(weights((4, 3, 3, 3)), "w"),
                          numpy_helper.from_array(weights((4, 4, 1, 1)), "w2")])
    out.append(("dead_branch", m, "but a convgen network's output is its last layer"))
    # 11. Add with broadcasting.
    m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["a"], name="conv1"),
                          helper.make_node("GlobalAveragePool", ["a"], ["p"], name="gap"),
                          helper.make_node("Add", ["a", "p"], ["y"], name="add")])
    out.append(("broadcast_add", m, "node 'add' (Add, #2): adds tensors of different shapes"))
    # 12. NaN in the weights.
    bad = weights((4, 3, 3, 3))
    bad[1, 2, 0, 0] = np.nan
    out.append(("nan_weight", conv_model(inits=[numpy_helper.from_array(bad, "w")]),
                "holds a NaN or infinity"))
    # 13. A 1-D convolution.
    m = conv_model(x_shape=(1, 3, 8), inits=[numpy_helper.from_array(weights((4, 3, 3)), "w")],
                   nodes=[helper.make_node("Conv", ["x", "w"], ["y"], name="conv1d")])
    out.append(("conv1d", m, "node 'conv1d' (Conv, #0): input of rank 3; convgen imports 2-D ops"))
    # ... and BatchNorm1d on [N, C, L] with N == C, which must not pass for [C, H, W].
    bn = [numpy_helper.from_array(np.ones(3, np.float32), k) for k in ("s", "b", "m", "v")]
    m = conv_model(x_shape=(3, 3, 5), inits=bn,
                   nodes=[helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"],
                                           name="bn1d")])
    out.append(("batchnorm1d", m, "node 'bn1d' (BatchNormalization, #0): BatchNormalization of "
                                  "a rank-3 tensor"))
    # 14. A dynamic batch dimension without --input-shape.
    out.append(("dynamic_dim", conv_model(x_shape=("N", 3, 8, 8)),
                "input 'x' has a dynamic dimension 0 ('N'); give the shape with --input-shape"))
    # 15. An opset outside 6..17.
    out.append(("opset_18", conv_model(opset=18), "convgen imports opsets 6 through 17"))
    return out


def main():
    convgen, work = sys.argv[1:3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures = 0
    all_cases = cases(work)
    for name, model, expect in all_cases:
        path = os.path.join(work, name + ".onnx")
        data = model if isinstance(model, bytes) else model.SerializeToString()
        open(path, "wb").write(data)
        out = os.path.join(work, "out_" + name)
        r = subprocess.run([convgen, "import", path, "--out-dir", out], capture_output=True,
                           text=True)
        ok = (r.returncode == 1 and expect in r.stderr and len(r.stderr.splitlines()) >= 1
              and r.stderr.startswith(path + ": error: ") and not os.path.exists(out))
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok:
            failures += 1
            print("  exit %d, expected words: %s\n  stderr: %s" % (r.returncode, expect, r.stderr))
    # The dynamic dimension with --input-shape imports, and twice is byte-identical.
    path = os.path.join(work, "dynamic_dim.onnx")
    outs = []
    for k in range(2):
        out = os.path.join(work, "dyn%d" % k)
        r = subprocess.run([convgen, "import", path, "--out-dir", out, "--name", "dyn",
                            "--input-shape", "2,3,8,8"], capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL dynamic_dim with --input-shape: %s" % r.stderr)
            return 1
        outs.append([open(os.path.join(out, f), "rb").read()
                     for f in ("dyn.yaml", "dyn.safetensors")])
    text = outs[0][0].decode()
    if outs[0] != outs[1] or "input_shape: [2, 3, 8, 8]" not in text:
        print("FAIL dynamic_dim: not deterministic or wrong shape\n" + text)
        return 1
    print("ok   dynamic_dim with --input-shape (deterministic)")
    # auto_pad=SAME_LOWER and asymmetric pads: convgen's per-side padding.
    for name, attrs, expect in [
            ("same_lower", {"auto_pad": "SAME_LOWER"}, "padding: {top: 1, bottom: 0, left: 1, right: 0}"),
            ("same_upper", {"auto_pad": "SAME_UPPER"}, "padding: {top: 0, bottom: 1, left: 0, right: 1}"),
            ("asymmetric", {"pads": [0, 2, 1, 0]}, "padding: {top: 0, bottom: 1, left: 2, right: 0}")]:
        m = conv_model(nodes=[helper.make_node("Conv", ["x", "w"], ["y"], name=name, **attrs)],
                       inits=[numpy_helper.from_array(weights((4, 3, 2, 2)), "w")])
        path = os.path.join(work, name + ".onnx")
        open(path, "wb").write(m.SerializeToString())
        out = os.path.join(work, "out_" + name)
        r = subprocess.run([convgen, "import", path, "--out-dir", out], capture_output=True,
                           text=True)
        text = open(os.path.join(out, name + ".yaml")).read() if r.returncode == 0 else r.stderr
        if expect not in text:
            print("FAIL %s: expected '%s' in\n%s" % (name, expect, text))
            return 1
        print("ok   %s: %s" % (name, expect))
    # A model file that cannot be read is an I/O failure (exit 3), as for configs.
    r = subprocess.run([convgen, "import", os.path.join(work, "no_such.onnx"), "--out-dir",
                        os.path.join(work, "none")], capture_output=True, text=True)
    if r.returncode != 3 or "cannot read the model" not in r.stderr:
        print("FAIL missing model file: exit %d: %s" % (r.returncode, r.stderr))
        return 1
    print("ok   missing model file: exit 3")
    # An Identity of a weight (how exporters share one): folded to the weight.
    m = conv_model(nodes=[helper.make_node("Identity", ["w"], ["w_shared"], name="share"),
                          helper.make_node("Conv", ["x", "w_shared"], ["y"], name="conv1")])
    path = os.path.join(work, "identity_weight.onnx")
    open(path, "wb").write(m.SerializeToString())
    r = subprocess.run([convgen, "import", path, "--out-dir", os.path.join(work, "idw")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL identity_weight: " + r.stderr)
        return 1
    print("ok   identity_weight")
    print("%d hostile models, %d failures" % (len(all_cases), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
