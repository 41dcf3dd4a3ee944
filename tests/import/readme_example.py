#!/usr/bin/env python3
"""README's "From PyTorch: `convgen import`" section, run as written, so it
cannot rot: its Python block (an nn.Module, torch.onnx.export at opset 13),
its shell block (`convgen import`, `convgen generate`) and its CMake block
(convgen_add_kernels + target_link_libraries) are taken from README.md and
run in a scratch directory; the CMake target is then linked into
network_check.cpp and the network's output compared with PyTorch's on the
exported input. The one substitution: where this CPU lacks AVX2, the
example's `avx2` becomes `scalar` (said in the output). The section must also
keep its table of supported ONNX ops.

Usage: readme_example.py CONVGEN README SOURCE_DIR WORK CMAKE GENERATOR CXX
Exit 77 (CTest's skip) without torch/onnx (Debian's python3-torch,
python3-onnx, run with /usr/bin/python3).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

try:
    import numpy as np  # noqa: F401
    import torch
    import onnx  # noqa: F401  (torch.onnx.export needs it)
except ImportError as e:
    print("skip: %s (python3-torch, python3-onnx)" % e)
    sys.exit(77)

HEADING = "## From PyTorch: `convgen import`"


def section(readme):
    text = open(readme).read()
    start = text.index(HEADING)
    end = text.find("\n## ", start + len(HEADING))
    return text[start:end if end >= 0 else len(text)]


def block(text, lang):
    m = re.search(r"^```%s\n(.*?)^```" % lang, text, re.S | re.M)
    if not m:
        raise SystemExit("FAIL: README's section has no ```%s block" % lang)
    return m.group(1)


def run(cmd, cwd):
    print("$ " + " ".join(shlex.quote(c) for c in cmd))
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("FAIL: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    return r


def main():
    convgen, readme, source_dir, work, cmake, generator, cxx = sys.argv[1:8]
    text = section(readme)
    python, shell, cmake_block = block(text, "python"), block(text, "sh"), block(text, "cmake")
    for what, where, words in (
            ("Python", python, ["nn.Module", "torch.onnx.export(", "opset_version=13"]),
            ("shell", shell, ["convgen import ", "convgen generate "]),
            ("CMake", cmake_block, ["convgen_add_kernels(", "target_link_libraries("]),
            ("section", text, ["**Supported ONNX ops**", "| `Conv`", "| `BatchNormalization`"])):
        for w in words:
            if w not in where:
                raise SystemExit("FAIL: README's %s block lacks '%s'" % (what, w))
    avx2 = "avx2" in open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else False
    isa = "avx2" if avx2 else "scalar"
    if not avx2:
        print("this CPU lacks AVX2: the example's avx2 is run as scalar")
        shell = shell.replace("--isa avx2", "--isa scalar")
        cmake_block = cmake_block.replace("ISA avx2", "ISA scalar")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    # The Python block as written, recording what it exports so that the
    # expected output is PyTorch's on the same model and input.
    exported = []
    real_export = torch.onnx.export

    def export(model, args, *rest, **kwargs):
        exported.append((model, args))
        return real_export(model, args, *rest, **kwargs)

    torch.manual_seed(20261202)
    torch.onnx.export = export
    cwd = os.getcwd()
    os.chdir(work)
    try:
        exec(compile(python, "README.md (Python block)", "exec"), {"__name__": "readme_example"})
    finally:
        os.chdir(cwd)
        torch.onnx.export = real_export
    if len(exported) != 1:
        raise SystemExit("FAIL: the Python block exported %d models, not one" % len(exported))
    model, x = exported[0]
    with torch.no_grad():
        y = model(x)
    x.numpy().astype("<f4").tofile(os.path.join(work, "net.input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(work, "net.expected.bin"))

    for line in shell.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        if words[0] != "convgen":
            raise SystemExit("FAIL: the shell block runs '%s', not convgen" % words[0])
        run([convgen] + words[1:], work)

    # The CMake block in a project of its own, next to the files it names.
    with open(os.path.join(work, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\nproject(readme_example LANGUAGES CXX)\n"
                "add_executable(convgen::convgen IMPORTED)\n"
                "set_target_properties(convgen::convgen PROPERTIES IMPORTED_LOCATION \"%s\")\n"
                "include(\"%s/cmake/ConvgenKernels.cmake\")\n"
                "add_executable(app \"%s/tests/import/network_check.cpp\")\n"
                "target_compile_definitions(app PRIVATE CONVGEN_NET_HEADER=\"net.h\" "
                "CONVGEN_NET_NS=net)\n"
                "# README.md's CMake block, as written:\n%s"
                % (convgen, source_dir, source_dir, cmake_block))
    build = os.path.join(work, "build")
    run([cmake, "-S", work, "-B", build, "-G", generator, "-DCMAKE_BUILD_TYPE=Release",
         "-DCMAKE_CXX_COMPILER=" + cxx], work)
    run([cmake, "--build", build], work)
    r = run([os.path.join(build, "app"), "net.input.bin", "net.expected.bin"], work)
    print(r.stdout.strip())
    print("ok: README's example (%s) runs and matches PyTorch" % isa)
    return 0


if __name__ == "__main__":
    sys.exit(main())
