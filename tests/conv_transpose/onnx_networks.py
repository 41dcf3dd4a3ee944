#!/usr/bin/env python3
"""ONNX's ConvTranspose backend test data through convgen: the 2-D models
the ONNX sweep (tests/import/testdata_sweep.py, run first) imported --
node/test_convtranspose* and pytorch-converted/test_ConvTranspose2d* --
generated, compiled and run against ONNX's expected output by
tests/import/run_networks.py (network_check.cpp's tolerance). The 1-D/3-D
models, and auto_pad SAME_UPPER's crop at the end (no nn.ConvTranspose2d
has it), are skipped by the import with the reason, recorded in
tests/import/testdata_expected.txt.

Usage: onnx_networks.py CONVGEN CXX ISA SWEEP_WORK_DIR
Exit 77 (CTest's skip) when the sweep imported nothing here.
"""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))
import run_networks  # noqa: E402


def main():
    convgen, cxx, isa, work = sys.argv[1:5]
    dirs = sorted(d for d in glob.glob(os.path.join(work, "test_*"))
                  if os.path.isdir(d) and "convtranspose" in os.path.basename(d).lower()
                  and not d.endswith("_gen"))
    if not dirs:
        print("skip: no imported ConvTranspose models in " + work + " (run import/onnx_testdata)")
        return 77
    sys.argv = [sys.argv[0], convgen, cxx, isa] + dirs
    return run_networks.main()


if __name__ == "__main__":
    sys.exit(main())
