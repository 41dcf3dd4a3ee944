#!/usr/bin/env python3
"""The network-level import check (needs issue 11: the network keys and
NAME::forward(input, output, arena)): for every imported config under the
given directories that has NAME.input.bin and NAME.expected.bin next to it,
`convgen generate`, compile tests/import/network_check.cpp with the
generated files, run it, and count. CMake option CONVGEN_IMPORT_RUN_NETWORKS.

Usage: run_networks.py CONVGEN CXX ISA DIR...
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    convgen, cxx, isa = sys.argv[1:4]
    passed = failed = 0
    for d in sys.argv[4:]:
        for yaml in sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True)):
            stem = yaml[:-5]
            name = os.path.basename(stem)
            if not (os.path.exists(stem + ".input.bin") and os.path.exists(stem + ".expected.bin")):
                continue
            gen = stem + "_gen"
            # Each step built when it runs: the compile step lists the .cpp
            # files generate has just written.
            steps = [lambda: [convgen, "generate", yaml, "--out-dir", gen, "--isa", isa, "--no-format"],
                     lambda: [cxx, "-std=c++17", "-O1", "-march=native" if isa != "scalar" else "-O1",
                              "-I", gen, '-DCONVGEN_NET_HEADER="%s.h"' % name,
                              "-DCONVGEN_NET_NS=" + name, os.path.join(HERE, "network_check.cpp")] +
                     sorted(glob.glob(os.path.join(gen, "*.cpp"))) + ["-o", stem + "_check"],
                     lambda: [stem + "_check", stem + ".input.bin", stem + ".expected.bin"]]
            for step in steps:
                r = subprocess.run(step(), capture_output=True, text=True)
                if r.returncode != 0:
                    break
            ok = r.returncode == 0
            passed += ok
            failed += not ok
            print("%s %s: %s" % ("ok  " if ok else "FAIL", name, (r.stdout + r.stderr).strip()[:2000]))
    print("networks: %d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
