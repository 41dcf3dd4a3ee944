#!/usr/bin/env python3
"""The bundled example networks as PyTorch modules, and their weights.

    make_networks.py weights OUT_DIR     # OUT_DIR/{dscnn,resblocks,decoder}.safetensors
    make_networks.py golden NAME OUT_DIR # OUT_DIR/NAME_input.bin, NAME_output.bin
    make_networks.py onnx NAME OUT.onnx [OPSET]

configs/dscnn.yaml and configs/resblocks.yaml describe these modules layer
by layer; configs/*.safetensors are what `weights` writes (committed, so
that generating needs no Python). The weights are seeded random values, not
a trained model (none ships with convgen): BatchNorm's running statistics
are randomised too, so that folding them is exercised. `golden` runs the
module in eval mode on a seeded input and writes both as raw little-endian
float32, for tests that compare the generated network with PyTorch itself.
Needs torch (Debian: python3-torch) and scripts/state_dict_to_safetensors.py.
"""
import os
import struct
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import state_dict_to_safetensors  # noqa: E402


def conv_bn_relu(cin, cout, k, stride=1, padding=0, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=padding, groups=groups, bias=False),
        nn.BatchNorm2d(cout), nn.ReLU())


class DSCNN(nn.Module):
    """A DS-CNN for keyword spotting (Zhang et al., "Hello Edge", 2017; ARM's
    ML-KWS-for-MCU): 49 MFCC frames x 10 coefficients, one standard conv,
    four depthwise-separable blocks, global average pooling, 12 classes."""

    def __init__(self):
        super().__init__()
        self.conv1 = conv_bn_relu(1, 64, (10, 4), stride=(2, 2), padding=(5, 1))
        blocks = []
        for _ in range(4):
            blocks += [conv_bn_relu(64, 64, 3, padding=1, groups=64), conv_bn_relu(64, 64, 1)]
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 12)

    def forward(self, x):
        x = self.pool(self.blocks(self.conv1(x)))
        return self.fc(torch.flatten(x, 1))


class BasicBlock(nn.Module):
    """ResNet's basic block: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x))."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


class ResBlocks(nn.Module):
    """A CIFAR-sized residual network: a stem, an identity block, a
    downsampling block, max and global average pooling, a linear head."""

    def __init__(self):
        super().__init__()
        self.stem = conv_bn_relu(3, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.block1 = BasicBlock(16, 16, 1)
        self.block2 = BasicBlock(16, 32, 2)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.pool(self.stem(x))))
        return self.fc(torch.flatten(self.gap(x), 1))


class Decoder(nn.Module):
    """A small U-Net-style encoder-decoder: two strided convs down, two
    ConvTranspose2d up (the first with groups, output_padding and a skip
    connection added before its ReLU), biases everywhere."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.enc2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.dec1 = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1, groups=2)
        self.dec2 = nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)

    def forward(self, x):
        e1 = torch.relu(self.enc1(x))
        e2 = torch.relu(self.enc2(e1))
        d1 = torch.relu(self.dec1(e2) + e1)
        return self.dec2(d1)


NETWORKS = {"dscnn": (DSCNN, [1, 1, 49, 10]), "resblocks": (ResBlocks, [1, 3, 32, 32]),
            "decoder": (Decoder, [1, 3, 16, 16])}


def build(name):
    torch.manual_seed(20261202)
    module = NETWORKS[name][0]()
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
    return module.eval()


def main(argv):
    if len(argv) == 3 and argv[1] == "weights":
        for name in NETWORKS:
            state = {k: v for k, v in build(name).state_dict().items()
                     if not k.endswith("num_batches_tracked")}
            state_dict_to_safetensors.save(state, os.path.join(argv[2], name + ".safetensors"))
        return 0
    if len(argv) == 4 and argv[1] == "golden" and argv[2] in NETWORKS:
        module = build(argv[2])
        torch.manual_seed(7)
        x = torch.rand(NETWORKS[argv[2]][1]) * 2 - 1
        with torch.no_grad():
            y = module(x)
        for suffix, t in (("input", x), ("output", y)):
            with open(os.path.join(argv[3], "%s_%s.bin" % (argv[2], suffix)), "wb") as f:
                f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))
        return 0
    if len(argv) in (4, 5) and argv[1] == "onnx" and argv[2] in NETWORKS:
        module = build(argv[2])
        x = torch.zeros(NETWORKS[argv[2]][1])
        opset = int(argv[4]) if len(argv) == 5 else 13
        torch.onnx.export(module, x, argv[3], opset_version=opset, do_constant_folding=False)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
