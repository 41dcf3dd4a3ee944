#!/usr/bin/env python3
"""scripts/state_dict_to_safetensors.py against convgen's reader.

    script_check.py CONVGEN WORK_DIR [--torch]

Without --torch (standard library only): writes (dtype, shape, bytes)
triples with the script, then `convgen generate` must accept the file and
bake exactly those values. With --torch (needs python3-torch): a
Conv2d+BatchNorm2d+Conv2d model's state_dict written by the script, the
generated scalar code compiled and run, and its output compared with
PyTorch's eval-mode output: within 1e-4 absolute (outputs are of order 1
with 27 terms: the bound of docs/semantics.md section 11 is ~1e-6 here, so
this is loose for rounding and tight for any real error).
"""
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import state_dict_to_safetensors as st  # noqa: E402


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout))
    return r.stdout


def stdlib_check(convgen, work):
    weight = [1.5, -2.0, 0.25, 3.0]
    bias = [0.5, -0.125]
    st.save({"c.weight": ("F32", [2, 2, 1, 1], struct.pack("<4f", *weight)),
             "c.bias": ("F32", [2], struct.pack("<2f", *bias))},
            os.path.join(work, "w.safetensors"), {"format": "pt"})
    with open(os.path.join(work, "script.yaml"), "w") as f:
        f.write("namespace: s\nweights: w.safetensors\nlayers:\n  - name: c\n"
                "    input_shape: [1, 2, 2, 2]\n    in_channels: 2\n    out_channels: 2\n"
                "    kernel_size: 1\n")
    out = os.path.join(work, "gen")
    run([convgen, "generate", os.path.join(work, "script.yaml"), "--out-dir", out])
    text = open(os.path.join(out, "script_weights_0.cpp")).read()
    body = text[text.index("= {") + 3:text.index("};")]
    baked = [float.fromhex(v.strip().rstrip("f")) for v in body.split(",")]
    if baked != weight + bias:
        sys.exit("baked %s, expected %s" % (baked, weight + bias))
    print("stdlib: the script's file is read and baked value for value")


MAIN = r"""
#include <cstdio>
#include <vector>
#include "torch_net.h"
int main(int argc, char** argv) {
  std::vector<float> x(torch_net::conv0::input_shape[1] * 36), a(8 * 36), y(4 * 36);
  std::FILE* in = std::fopen(argv[1], "rb");
  if (!in || std::fread(x.data(), 4, x.size(), in) != x.size()) return 1;
  torch_net::conv0::forward(x.data(), a.data());
  torch_net::conv1::forward(a.data(), y.data());
  std::FILE* out = std::fopen(argv[2], "wb");
  std::fwrite(a.data(), 4, a.size(), out);
  std::fwrite(y.data(), 4, y.size(), out);
  return std::fclose(out) != 0;
}
"""


def torch_check(convgen, work):
    import torch
    torch.manual_seed(1202)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False),
                                torch.nn.BatchNorm2d(8), torch.nn.Conv2d(8, 4, 1))
    with torch.no_grad():
        model[1].running_mean.uniform_(-1, 1)
        model[1].running_var.uniform_(0.5, 2)
        model[1].weight.uniform_(-2, 2)
        model[1].bias.uniform_(-1, 1)
    model.eval()
    st.save(model.state_dict(), os.path.join(work, "torch_net.safetensors"))
    with open(os.path.join(work, "torch_net.yaml"), "w") as f:
        f.write("namespace: torch_net\nweights: torch_net.safetensors\nlayers:\n"
                "  - name: conv0\n    weights_prefix: '0'\n    input_shape: [1, 3, 6, 6]\n"
                "    in_channels: 3\n    out_channels: 8\n    kernel_size: 3\n    padding: 1\n"
                "    bias: false\n    batch_norm: {prefix: '1'}\n"
                "  - name: conv1\n    weights_prefix: '2'\n    input_shape: [1, 8, 6, 6]\n"
                "    in_channels: 8\n    out_channels: 4\n    kernel_size: 1\n")
    gen = os.path.join(work, "torch_gen")
    run([convgen, "generate", os.path.join(work, "torch_net.yaml"), "--out-dir", gen])
    with open(os.path.join(work, "torch_main.cpp"), "w") as f:
        f.write(MAIN)
    exe = os.path.join(work, "torch_net")
    sources = [os.path.join(gen, n) for n in sorted(os.listdir(gen)) if n.endswith(".cpp")]
    run([os.environ.get("CXX", "c++"), "-std=c++17", "-O1", "-I", gen,
         os.path.join(work, "torch_main.cpp")] + sources + ["-o", exe])
    x = torch.rand(1, 3, 6, 6) * 2 - 1
    with open(os.path.join(work, "x.bin"), "wb") as f:
        f.write(struct.pack("<%df" % x.numel(), *x.flatten().tolist()))
    run([exe, os.path.join(work, "x.bin"), os.path.join(work, "y.bin")])
    got = struct.unpack("<%df" % (8 * 36 + 4 * 36), open(os.path.join(work, "y.bin"), "rb").read())
    with torch.no_grad():
        a = model[1](model[0](x))  # PyTorch's unfused eval
        y = model[2](torch.tensor(got[:8 * 36]).reshape(1, 8, 6, 6))
    worst = 0.0
    for i, ref in enumerate(a.flatten().tolist()):
        worst = max(worst, abs(got[i] - ref))
    for i, ref in enumerate(y.flatten().tolist()):
        worst = max(worst, abs(got[8 * 36 + i] - ref))
    if worst > 1e-4:
        sys.exit("baked output differs from PyTorch's by %g" % worst)
    print("torch: baked Conv2d+BatchNorm2d and Conv2d match PyTorch's eval (worst %.3g)" % worst)


def main():
    convgen, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    if "--torch" in sys.argv[3:]:
        torch_check(convgen, work)
    else:
        stdlib_check(convgen, work)


if __name__ == "__main__":
    main()
