#!/usr/bin/env bash
# Runs convgen's whole test suite: configures and builds (in ./build unless
# BUILD_DIR says otherwise), then runs every test with CTest. A test whose
# tools (cross compiler, qemu, SIMDe, arm-none-eabi) are missing is skipped
# (exit 77) and says what to install; the emulated conformance runs (NEON
# under qemu, AVX2/AVX-512 through SIMDe) are skipped on a CPU that runs the
# ISA natively unless CONVGEN_RUN_EMULATED=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
