#!/usr/bin/env python3
"""Real PyTorch exports: small models that together use every op `convgen
import` supports, exported with torch.onnx.export at two opsets (9: Clip
and Pad with attributes, BatchNorm folded by PyTorch; 14: Clip and Pad with
inputs, HardSwish, BatchNormalization nodes, a dynamic batch dimension given
with --input-shape), imported,
and checked: the import succeeds (or, for HardSwish at opset 9, fails with
the message saying to export at opset 14), the config has the layers and
keys each model should give, the safetensors holds PyTorch's own weights
(BatchNorm statistics unfolded), and importing twice is byte-identical.

For each model it also writes, next to the config, the data the
network-level check needs (see docs/design.md, "The importer"):
NAME.input.bin and NAME.expected.bin (float32, little-endian: a fixed random
input and PyTorch's eval-mode output for it).

With --check, every imported config must also pass `convgen check` (this
needs the network keys of issue 11: weights, batch_norm, activation,
residual, input, op; CMake option CONVGEN_IMPORT_CHECK_CONFIGS).

Usage: torch_models.py CONVGEN WORK_DIR [--check]
Exit 77 (CTest's skip) when torch or onnx are missing (Debian's
python3-torch, python3-onnx, run with /usr/bin/python3).
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import onnx  # noqa: F401  (torch.onnx.export needs it)
except ImportError as e:
    print("skip: %s (python3-torch, python3-onnx)" % e)
    sys.exit(77)


class ConvBnRelu(nn.Module):
    """conv+BN+ReLU, max pool, a linear head (Flatten + Gemm)."""
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, stride=2, padding=(1, 0)), nn.BatchNorm2d(8), nn.ReLU())
        self.head = nn.Linear(8 * 4 * 2, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class DepthwiseSeparable(nn.Module):
    """MobileNet's block: depthwise 3x3 + BN + ReLU6, pointwise + BN + ReLU6,
    then average pooling, global average pooling, dropout and a linear head."""
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU6())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False),
                                nn.BatchNorm2d(8), nn.ReLU6())
        self.pw = nn.Sequential(nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        x = self.pool(self.pw(self.dw(self.stem(x))))
        x = self.gap(x)
        return self.fc(self.drop(x.view(x.size(0), -1)))  # Shape/Gather/... -> Reshape


class Residual(nn.Module):
    """A ResNet basic block: conv-BN-ReLU, conv-BN, + identity, ReLU."""
    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)

    def forward(self, x):
        x = torch.relu(self.conv0(x))
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + x)


class PaddingModes(nn.Module):
    """padding_mode reflect and replicate (exported as Pad + Conv), LeakyReLU,
    a clamp, a dilated conv."""
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 6, 3, padding=1, padding_mode="reflect")
        self.b = nn.Conv2d(6, 6, (3, 5), padding=(1, 2), padding_mode="replicate", groups=2)
        self.c = nn.Conv2d(6, 4, 3, padding=2, dilation=2)

    def forward(self, x):
        x = nn.functional.leaky_relu(self.a(x), 0.1)
        x = torch.clamp(self.b(x), -0.5, 0.75)
        return self.c(x)


class HardSwish(nn.Module):
    """Hardswish: the HardSwish op from opset 14 (HardSigmoid * x before)."""
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = nn.Hardswish()

    def forward(self, x):
        return self.act(self.conv(x))


# name, module, input shape, per opset: the expected layer count (None: the
# import must fail, with these words), and words the config must contain.
MODELS = [
    ("conv_bn_relu", ConvBnRelu, (1, 3, 16, 12), {9: 4, 14: 4},
     ["batch_norm: {prefix: ", "activation: relu", "op: max_pool2d", "op: linear",
      "in_features: 64", "padding: [1, 0]"]),
    ("depthwise_separable", DepthwiseSeparable, (2, 3, 8, 8), {9: 6, 14: 6},
     ["activation: relu6", "groups: 8", "op: avg_pool2d", "count_include_pad: false",
      "op: adaptive_avg_pool2d", "output_size: 1", "out_features: 4"]),
    ("residual", Residual, (1, 3, 8, 8), {9: 3, 14: 3},
     ["residual: ", "activation: relu", "batch_norm: {prefix: "]),
    ("padding_modes", PaddingModes, (1, 3, 9, 11), {9: 3, 14: 3},
     ["padding_mode: reflect", "padding_mode: replicate",
      "activation: {type: leaky_relu, negative_slope: 0.100000001}",
      "activation: {type: clamp, min: -0.5, max: 0.75}", "dilation: 2"]),
    ("hardswish", HardSwish, (1, 3, 6, 6),
     {9: "export with opset_version=14 or later", 14: 1}, ["activation: hardswish"]),
]


def randomize_bn(module, gen):
    # Non-trivial running statistics, so BatchNorm is not the identity.
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.5)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for key, t in header.items():
        b, e = t["data_offsets"]
        out[key] = np.frombuffer(data[8 + n + b:8 + n + e], dtype="<f4").reshape(t["shape"])
    return out


def main():
    convgen, work = sys.argv[1:3]
    check = "--check" in sys.argv[3:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures = 0
    largest = (0, "", 0.0)
    for name, cls, shape, per_opset, words in MODELS:
        gen = torch.Generator().manual_seed(12)
        torch.manual_seed(12)
        model = cls()
        randomize_bn(model, gen)
        model.eval()
        x = torch.randn(*shape, generator=gen)
        with torch.no_grad():
            y = model(x)
        for opset, expect in sorted(per_opset.items()):
            tag = "%s_opset%d" % (name, opset)
            path = os.path.join(work, tag + ".onnx")
            # At opset 9, PyTorch's eval-mode export folds BatchNorm into the conv
            # weights itself; at 14, TrainingMode.PRESERVE (the module is in eval
            # mode) keeps the BatchNormalization nodes for convgen to import.
            folded = opset == 9
            # At 14 the batch dimension is dynamic too: --input-shape fixes it, and
            # view(x.size(0), -1) becomes Shape/Gather/Unsqueeze/Concat/Reshape.
            torch.onnx.export(model, x, path, opset_version=opset,
                              training=(torch.onnx.TrainingMode.EVAL if folded
                                        else torch.onnx.TrainingMode.PRESERVE),
                              input_names=["x"],
                              dynamic_axes=None if folded else {"x": {0: "N"}})
            shape_args = [] if folded else ["--input-shape", ",".join(map(str, shape))]
            runs = []
            for k in range(2):
                out = os.path.join(work, "%s_%d" % (tag, k))
                t0 = time.monotonic()
                r = subprocess.run([convgen, "import", path, "--out-dir", out, "--name", tag,
                                    "--isa", "scalar"] + shape_args, capture_output=True, text=True)
                dt = time.monotonic() - t0
                runs.append((r, out))
                if os.path.getsize(path) > largest[0]:
                    largest = (os.path.getsize(path), tag, dt)
            r, out = runs[0]
            if isinstance(expect, str):
                ok = r.returncode == 1 and expect in r.stderr and not os.path.exists(out)
                print("%s %s: refused as expected" % ("ok  " if ok else "FAIL", tag))
                if not ok:
                    print("  exit %d: %s" % (r.returncode, r.stderr))
                failures += not ok
                continue
            if r.returncode != 0:
                print("FAIL %s: exit %d\n%s" % (tag, r.returncode, r.stderr))
                failures += 1
                continue
            files = [tag + ".yaml", tag + ".safetensors"]
            blobs = [[open(os.path.join(o, f), "rb").read() for f in files] for _, o in runs]
            text = blobs[0][0].decode()
            problems = []
            if blobs[0] != blobs[1]:
                problems.append("two imports differ")
            layers = text.count("\n  - name: ")
            if layers != expect:
                problems.append("%d layers, expected %d" % (layers, expect))
            problems += ["no '%s' in the config" % w for w in words
                         if w not in text and not (folded and w.startswith("batch_norm"))]
            if folded and "batch_norm" in text:
                problems.append("batch_norm in a config PyTorch folded")
            # PyTorch's own tensors, bit for bit: every parameter and BN buffer of
            # the module appears among the safetensors' tensors.
            st = read_safetensors(os.path.join(out, files[1]))
            stored = [v.tobytes() for v in st.values()]
            for pname, p in list(model.state_dict().items()):
                if pname.endswith("num_batches_tracked") or folded:
                    continue
                a = p.detach().numpy().astype("<f4")
                if a.tobytes() not in stored and a.T.copy().tobytes() not in stored:
                    problems.append("tensor %s not in the safetensors" % pname)
            if check:
                c = subprocess.run([convgen, "check", os.path.join(out, files[0])],
                                   capture_output=True, text=True)
                if c.returncode != 0:
                    problems.append("convgen check fails:\n" + c.stderr)
            x.numpy().astype("<f4").tofile(os.path.join(out, tag + ".input.bin"))
            y.numpy().astype("<f4").tofile(os.path.join(out, tag + ".expected.bin"))
            print("%s %s: %d layers%s" % ("FAIL" if problems else "ok  ", tag, layers,
                                         "".join("\n  " + p for p in problems)))
            failures += bool(problems)
    print("largest model: %s, %d bytes, imported in %.3f s" % (largest[1], largest[0], largest[2]))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
