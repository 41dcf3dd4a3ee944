#!/usr/bin/env python3
"""Runs every imported network against ONNX's or PyTorch's output, for one
ISA, as ONE program: for every imported config under the given directories
with NAME.input.bin and NAME.expected.bin next to it (testdata_sweep.py and
torch_models.py write them), `convgen generate --isa ISA`; then every
network's generated code goes into two unity translation units (each
network is its own namespace), compiled at -O1 in parallel with a driver
that runs each network through network_check.h and prints one line per
network. One program instead of one per network: a compile per network was
most of the time (57 programs, ~45 s per ISA on 2 cores).

The count is checked too: the ONNX test-data networks run must be exactly
the ones EXPECTED (testdata_expected.txt) lists as imported, so a model that
stops being imported or loses its data cannot drop out silently.

Usage: run_networks.py CONVGEN CXX ISA WORK EXPECTED TESTDATA_DIR TORCH_DIR
Exit 77 (CTest's skip) when neither directory holds imported networks
(import/onnx_testdata and import/torch_exports were skipped).
"""
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def networks_in(d):
    found = []
    for yaml in sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True)):
        stem = yaml[:-5]
        if os.path.exists(stem + ".input.bin") and os.path.exists(stem + ".expected.bin"):
            found.append(stem)
    return found


def cxx_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    if len(sys.argv) != 8:
        print(__doc__)
        return 2
    convgen, cxx, isa, work, expected_path, testdata, torch_dir = sys.argv[1:8]
    t0 = time.monotonic()
    testdata_nets = networks_in(testdata) if os.path.isdir(testdata) else []
    torch_nets = networks_in(torch_dir) if os.path.isdir(torch_dir) else []
    if not testdata_nets and not torch_nets:
        print("skip: no imported networks under %s or %s (import/onnx_testdata and "
              "import/torch_exports skipped?)" % (testdata, torch_dir))
        return 77
    problems = []
    if os.path.isdir(testdata):
        imported = sum(1 for line in open(expected_path) if ": imported (" in line)
        if len(testdata_nets) != imported:
            problems.append("%d ONNX test-data networks with data, but %s lists %d imported"
                            % (len(testdata_nets), expected_path, imported))
    stems = testdata_nets + torch_nets
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    def generate(stem):
        name = os.path.basename(stem)
        gen = os.path.join(work, name)
        r = subprocess.run([convgen, "generate", stem + ".yaml", "--out-dir", gen, "--isa", isa,
                            "--no-format"], capture_output=True, text=True)
        return name, gen, r

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        generated = list(pool.map(generate, stems))
    names = [name for name, _, _ in generated]
    if len(set(names)) != len(names):
        problems.append("two networks share a name (one namespace each): %s" % sorted(names))
    nets = []
    for (name, gen, r), stem in zip(generated, stems):
        if r.returncode != 0:
            problems.append("%s: convgen generate failed:\n%s" % (name, r.stderr.strip()[:2000]))
        else:
            nets.append((name, gen, stem))
    t_generate = time.monotonic() - t0

    # Two unity files (one per core), the generated .cpp files dealt out by size.
    sources = sorted(((os.path.getsize(f), f) for _, gen, _ in nets
                      for f in glob.glob(os.path.join(gen, "*.cpp"))), reverse=True)
    units = [[], []]
    sizes = [0, 0]
    for size, f in sources:
        k = sizes.index(min(sizes))
        units[k].append(f)
        sizes[k] += size
    tus = []
    for k, files in enumerate(units):
        path = os.path.join(work, "unity_%d.cpp" % k)
        with open(path, "w") as out:
            out.write("// Written by tests/import/run_networks.py.\n")
            for f in sorted(files):
                out.write("#include %s\n" % cxx_string(f))
        tus.append(path)
    driver = os.path.join(work, "networks.cpp")
    with open(driver, "w") as out:
        out.write("// Written by tests/import/run_networks.py: every network, one check each.\n")
        for name, gen, _ in nets:
            out.write("#include %s\n" % cxx_string(os.path.join(gen, name + ".h")))
        out.write('#include %s\n\nint main() {\n  using convgen_import_check::elements;\n'
                  '  int failed = 0, passed = 0;\n' % cxx_string(os.path.join(HERE, "network_check.h")))
        for name, _, stem in nets:
            out.write("  {\n    const convgen_import_check::Network n{%s, &%s::forward, "
                      "elements(%s::input_shape), elements(%s::output_shape), %s::arena_bytes};\n"
                      "    const int rc = convgen_import_check::checkNetwork(n, %s, %s);\n"
                      "    passed += rc == 0;\n    failed += rc != 0;\n  }\n"
                      % (cxx_string(name), name, name, name, name,
                         cxx_string(stem + ".input.bin"), cxx_string(stem + ".expected.bin")))
        out.write('  std::printf("networks: %d passed, %d failed\\n", passed, failed);\n'
                  "  return failed || !passed ? 1 : 0;\n}\n")
    tus.append(driver)

    flags = ["-std=c++17", "-O1"] + (["-march=native"] if isa != "scalar" else [])

    def compile_one(tu):
        obj = tu[:-4] + ".o"
        return subprocess.run([cxx] + flags + ["-c", tu, "-o", obj], capture_output=True,
                              text=True), obj

    t1 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        compiled = list(pool.map(compile_one, tus))
    objects = []
    for (r, obj), tu in zip(compiled, tus):
        if r.returncode != 0:
            problems.append("compiling %s failed:\n%s" % (tu, r.stderr.strip()[:4000]))
        objects.append(obj)
    t_compile = time.monotonic() - t1
    rc = 1
    if not any(p.startswith("compiling") for p in problems):
        program = os.path.join(work, "networks")
        r = subprocess.run([cxx] + objects + ["-o", program], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append("linking failed:\n" + r.stderr.strip()[:4000])
        else:
            r = subprocess.run([program], capture_output=True, text=True)
            print(r.stdout.strip())
            if r.stderr.strip():
                print(r.stderr.strip())
            rc = r.returncode
    print("%s: %d networks (%d ONNX test data, %d PyTorch exports); generate %.1f s, "
          "compile %.1f s, total %.1f s" % (isa, len(nets), len(testdata_nets), len(torch_nets),
                                            t_generate, t_compile, time.monotonic() - t0))
    for p in problems:
        print("FAIL " + p)
    return 1 if problems or rc != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
