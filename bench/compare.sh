#!/usr/bin/env bash
# Like-for-like tables (issue 10): convgen's best ISA against oneDNN's best,
# then convgen --isa avx2 against oneDNN capped to AVX2 (ONEDNN_MAX_CPU_ISA
# is read once at start-up, hence a second process). Extra arguments go to
# both runs, e.g. --threads 2 or --benchmark_filter=s0[4-7].
#   bench/compare.sh [BUILD_DIR] [benchmark flags...]
set -euo pipefail
build="${1:-build}"
shift || true
"$build/bench/convgen_bench" --table --no-reference "$@" | sed -n '/^CPU:/,$p'
if [ -x "$build/bench/convgen_bench_avx2" ]; then
  ONEDNN_MAX_CPU_ISA=AVX2 "$build/bench/convgen_bench_avx2" --table --no-reference "$@" |
    sed -n '/^CPU:/,$p'
fi
