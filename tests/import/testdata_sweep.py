#!/usr/bin/env python3
"""Imports ONNX's own backend test models (Debian's libonnx-testdata) with
`convgen import`, and compares every outcome with testdata_expected.txt.

Selected: every test under data/node and data/pytorch-converted whose graph
uses one of the ops issue 12 names (Conv, BatchNormalization, Relu, Clip,
LeakyRelu, MaxPool, AveragePool, GlobalAveragePool, Gemm). ONNX's node tests
give the weights as graph inputs (their values in test_data_set_0/input_K.pb);
convgen refuses weights that are not initializers, so this script first turns
every graph input but the first into an initializer from those files (the
model is otherwise unchanged), then imports it. Each test's outcome is
"imported (L layers)" or "skipped: <convgen's error message>"; the outcomes
must equal the expected file (CONVGEN_UPDATE_GOLDENS=1 rewrites it). For an
imported test the safetensors file is checked against its format and the
YAML's layers, and nothing may be written for a skipped one.

A few imports are also kept whole as goldens (GOLDENS below, in
tests/import/golden/NAME.yaml): the config text must equal them.

Usage: testdata_sweep.py CONVGEN TESTDATA_DIR EXPECTED WORK_DIR
Exit 77 (CTest's skip) when the onnx module or the test data are missing.
"""
import json
import os
import shutil
import struct
import subprocess
import sys

GOLDENS = ["node/test_conv_with_strides_and_asymmetric_padding", "node/test_conv_with_autopad_same",
           "node/test_maxpool_2d_ceil", "node/test_averagepool_2d_precomputed_pads_count_include_pad",
           "pytorch-converted/test_BatchNorm2d_eval", "node/test_clip_default_min"]

OPS = {"Conv", "ConvTranspose", "BatchNormalization", "Relu", "Clip", "LeakyRelu", "MaxPool",
       "AveragePool", "GlobalAveragePool", "Gemm"}

try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    print("skip: the onnx Python module is missing (python3-onnx)")
    sys.exit(77)


def check_safetensors(path, yaml_text):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0, "data not 8-byte aligned"
    header = json.loads(data[8:8 + n])
    assert list(header) == sorted(header), "keys not sorted"
    end = 0
    for key in header:
        t = header[key]
        assert t["dtype"] == "F32", key
        b, e = t["data_offsets"]
        count = 1
        for d in t["shape"]:
            count *= d
        assert b == end and e - b == 4 * count, key
        end = e
        prefix = key.split(".")[0]
        assert ("name: " + prefix + "\n") in yaml_text, key + " names no layer"
    assert len(data) == 8 + n + end, "trailing or missing data"


def write_io(test_dir, stem):
    # The first data set's input and expected output as raw float32 (what
    # tests/import/network_check.cpp reads), next to the imported config.
    for which, suffix in (("input_0.pb", ".input.bin"), ("output_0.pb", ".expected.bin")):
        t = onnx.TensorProto()
        t.ParseFromString(open(os.path.join(test_dir, "test_data_set_0", which), "rb").read())
        numpy_helper.to_array(t).astype("<f4").tofile(stem + suffix)


def prepare(test_dir, out_path):
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    g = model.graph
    inits = {t.name for t in g.initializer}
    real = [vi for vi in g.input if vi.name not in inits]
    for k, vi in enumerate(real[1:], start=1):
        pb = os.path.join(test_dir, "test_data_set_0", "input_%d.pb" % k)
        if not os.path.exists(pb):
            break
        t = onnx.TensorProto()
        t.ParseFromString(open(pb, "rb").read())
        t.name = vi.name
        g.initializer.append(t)
        if model.ir_version >= 4:
            g.input.remove(vi)
    onnx.save(model, out_path)


def main():
    convgen, data, expected_path, work = sys.argv[1:5]
    if not os.path.isdir(data):
        print("skip: no ONNX test data at " + data + " (libonnx-testdata)")
        return 77
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    outcomes = {}
    goldens_seen = []
    imported_dirs = []
    for suite in ("node", "pytorch-converted"):
        root = os.path.join(data, suite)
        for name in sorted(os.listdir(root)):
            model_path = os.path.join(root, name, "model.onnx")
            if not os.path.exists(model_path):
                continue
            ops = {n.op_type for n in onnx.load(model_path, load_external_data=False).graph.node}
            if not ops & OPS:
                continue
            key = suite + "/" + name
            prepared = os.path.join(work, name + ".onnx")
            prepare(os.path.join(root, name), prepared)
            out = os.path.join(work, name)
            r = subprocess.run([convgen, "import", prepared, "--out-dir", out, "--name", name],
                               capture_output=True, text=True)
            if r.returncode == 0:
                yaml_text = open(os.path.join(out, name + ".yaml")).read()
                check_safetensors(os.path.join(out, name + ".safetensors"), yaml_text)
                write_io(os.path.join(root, name), os.path.join(out, name))
                outcomes[key] = "imported (%d layers)" % yaml_text.count("\n  - name: ")
                if key in GOLDENS:
                    golden = os.path.join(os.path.dirname(expected_path), "golden", name + ".yaml")
                    if os.environ.get("CONVGEN_UPDATE_GOLDENS") == "1":
                        open(golden, "w").write(yaml_text)
                    elif open(golden).read() != yaml_text:
                        print("FAIL %s: the config differs from %s:\n%s" % (key, golden, yaml_text))
                        return 1
                    goldens_seen.append(key)
                imported_dirs.append(out)
            elif r.returncode == 1:
                first = r.stderr.splitlines()[0]
                outcomes[key] = "skipped: " + first.split(": error: ", 1)[1]
                assert not os.path.exists(out), key + ": wrote on error"
            else:
                print("FAIL %s: exit %d\n%s" % (key, r.returncode, r.stderr))
                return 1
    if sorted(goldens_seen) != sorted(GOLDENS):
        print("FAIL: goldens not imported: %s" % sorted(set(GOLDENS) - set(goldens_seen)))
        return 1
    text = "".join("%s: %s\n" % kv for kv in sorted(outcomes.items()))
    imported = sum(v.startswith("imported") for v in outcomes.values())
    print("ONNX test data: %d selected, %d imported, %d skipped" %
          (len(outcomes), imported, len(outcomes) - imported))
    if os.environ.get("CONVGEN_UPDATE_GOLDENS") == "1":
        open(expected_path, "w").write(text)
        return 0
    expected = open(expected_path).read()
    if expected != text:
        exp = dict(l.split(": ", 1) for l in expected.splitlines())
        got = dict(l.split(": ", 1) for l in text.splitlines())
        for k in sorted(set(exp) | set(got)):
            if exp.get(k) != got.get(k):
                print("DIFF %s\n  expected: %s\n  got:      %s" % (k, exp.get(k), got.get(k)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
