#!/usr/bin/env python3
"""What limits a generated kernel: its hottest loops, read from the object code.

Issue 10 asks, for every shape that misses its target, what limits it "from
the generated assembly" (perf is not available on these VMs). This script
disassembles one compiled kernel file (objdump), finds every innermost loop
(a backward branch with no other inside it) of the functions of one layer,
and for the loops holding the most FMAs prints their instruction mix and
llvm-mca's steady-state estimate of cycles per iteration on a named core:

  bench/hot_loops.py OBJECT LAYER [--mcpu icelake-server] [--top 3]

e.g. bench/hot_loops.py build/bench/CMakeFiles/bench_suite_kernels.dir/bench_suite_kernels/suite.cpp.o s05_resnet_3x3

Columns: fma (vfmadd*), loads (instructions reading memory, a fused broadcast
or FMA operand included), vector loads (full-width vmovups: the width
strategy's input rows, at any column offset, so a zmm load not on a 64-byte
boundary spans two cache lines; the channel strategy's packed weights),
shuf (permutes, shuffles, inserts, extracts); mca cycles (llvm-mca, 200 iterations, branches dropped:
the body as straight-line code, which is what the interior tiles are) and
fma/cycle against the core's 2 FMA pipes.

llvm-mca's model is a model: it knows the ports and latencies, not the
caches, so a loop it calls FMA-bound can still wait on L2 or memory. Read
the numbers as "what this code could reach with its data in L1".
"""
import argparse
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
FUNC = re.compile(r"^([0-9a-f]+) <(.*)>:$")
BRANCH = re.compile(r"^(j[a-z]+)$")
SHUFFLE = re.compile(r"^v(perm|shuf|unpck|insert|extract|align|blend|expand|compress|movsh|movsl|pshuf)")


def functions(obj):
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", obj],
                          check=True, capture_output=True, text=True).stdout
    name, body = None, []
    for line in text.splitlines():
        m = FUNC.match(line)
        if m:
            if name:
                yield name, body
            name, body = m.group(2), []
            continue
        m = LINE.match(line)
        if m and name:
            operands = m.group(3).split("#")[0].strip()
            body.append((int(m.group(1), 16), m.group(2), operands))
    if name:
        yield name, body


def innermost_loops(body):
    loops = []
    for i, (addr, op, operands) in enumerate(body):
        if BRANCH.match(op):
            target = operands.split()[0]
            try:
                t = int(target, 16)
            except ValueError:
                continue
            if t <= addr:
                start = next((k for k, ins in enumerate(body) if ins[0] == t), None)
                if start is not None:
                    loops.append((start, i))
    inner = [l for l in loops
             if not any(o != l and l[0] <= o[0] and o[1] <= l[1] for o in loops)]
    return [body[s:e + 1] for s, e in inner]


def mix(loop):
    counts = {"fma": 0, "loads": 0, "vloads": 0, "shuf": 0, "other": 0, "insns": 0}
    for _, op, operands in loop:
        if BRANCH.match(op):
            continue
        counts["insns"] += 1
        reads_memory = "(" in operands and not (op.startswith("vmov") and operands.endswith(")"))
        if op.startswith("vfmadd") or op.startswith("vfnmadd"):
            counts["fma"] += 1
        elif SHUFFLE.match(op):
            counts["shuf"] += 1
        else:
            counts["other"] += 1
        if reads_memory:
            counts["loads"] += 1
            if op.startswith("vmovu") and operands.split(",")[-1][:4] in ("%zmm", "%ymm"):
                counts["vloads"] += 1
    return counts


def mca_cycles(loop, mcpu):
    lines = [f"{op} {operands}" for _, op, operands in loop
             if not BRANCH.match(op) and not op.startswith("call")]
    with tempfile.NamedTemporaryFile("w", suffix=".s") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        run = subprocess.run(["llvm-mca", f"-mcpu={mcpu}", "-iterations=200", f.name],
                             capture_output=True, text=True)
    m = re.search(r"Total Cycles:\s+(\d+)", run.stdout)
    return int(m.group(1)) / 200 if m else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("object")
    parser.add_argument("layer", help="the layer's name, as in its C++ namespace")
    parser.add_argument("--mcpu", default="icelake-server",
                        help="llvm-mca's core model (icelake-server, znver3, ...)")
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args()
    found = []
    for name, body in functions(args.object):
        if f"::{args.layer}::" not in name:
            continue
        short = name.split(f"::{args.layer}::")[1].replace("(anonymous namespace)::", "")
        short = re.sub(r"\(.*", "", short)
        for loop in innermost_loops(body):
            c = mix(loop)
            if c["fma"]:
                found.append((c["fma"], short, hex(loop[0][0]), c, loop))
    if not found:
        sys.exit(f"hot_loops.py: no FMA loop in {args.layer}'s functions")
    found.sort(key=lambda f: -f[0])
    print(f"| function | loop at | insns | fma | loads | loads/fma | vector loads | shuf | "
          f"mca cycles ({args.mcpu}) | fma/cycle |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for fma, short, at, c, loop in found[:args.top]:
        cycles = mca_cycles(loop, args.mcpu)
        print(f"| {short} | {at} | {c['insns']} | {fma} | {c['loads']} | {c['loads'] / fma:.2f} | "
              f"{c['vloads']} | {c['shuf']} | {cycles:.1f} | {fma / cycles:.2f} |")


if __name__ == "__main__":
    main()
