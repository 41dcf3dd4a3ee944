"""PyTorch's own nn.ConvTranspose2d on a few shapes, for the reference's test
(tests/conv_transpose/reference_golden_test.cpp): per case one file
golden/<name>.bin of little-endian float32 arrays, in this order: input x,
weight w, bias b, grad_output gy, output y = module(x), and autograd's
grad_input, grad_weight, grad_bias for y.backward(gy). Seeded; run with
Debian's /usr/bin/python3 (python3-torch):

    /usr/bin/python3 tests/conv_transpose/make_golden.py tests/conv_transpose/golden
"""
import os
import struct
import sys

import torch
import torch.nn as nn

# name: (input shape, ConvTranspose2d arguments): the layers of ct_matrix.yaml
# that conv_transpose_test.cpp checks against these files (kGolden there).
CASES = {
    "s2_op1_groups": ([2, 4, 6, 7], dict(in_channels=4, out_channels=6, kernel_size=3, stride=2,
                                         padding=1, output_padding=1, groups=2)),
    "dil3_s2_op2": ([2, 2, 5, 5], dict(in_channels=2, out_channels=4, kernel_size=3, stride=2,
                                       dilation=3, output_padding=2)),
    "odd": ([3, 5, 11, 13], dict(in_channels=5, out_channels=7, kernel_size=(5, 3), stride=(2, 3),
                                 padding=(2, 1), output_padding=(1, 2))),
    "crop_s2": ([1, 2, 7, 7], dict(in_channels=2, out_channels=3, kernel_size=3, stride=2,
                                   padding=3)),
    "stride_gt_k": ([1, 2, 4, 5], dict(in_channels=2, out_channels=3, kernel_size=2, stride=3)),
}


def main(out_dir):
    for i, (name, (shape, args)) in enumerate(sorted(CASES.items())):
        torch.manual_seed(20261202 + i)
        m = nn.ConvTranspose2d(**args)
        x = (torch.rand(shape) * 2 - 1).requires_grad_(True)
        y = m(x)
        gy = torch.rand(y.shape) * 2 - 1
        y.backward(gy)
        arrays = [x.detach(), m.weight.detach(), m.bias.detach(), gy, y.detach(), x.grad,
                  m.weight.grad, m.bias.grad]
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            for t in arrays:
                f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
