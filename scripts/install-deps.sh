#!/usr/bin/env bash
# Installs everything convgen's build, tests and benchmarks need on Debian 12,
# from Debian's own packages (no downloads). Safe to re-run.
set -euo pipefail

packages=(
  cmake ninja-build g++ lld              # build
  llvm-14-dev clang-14 libclang-14-dev   # the generator (YAML, cl, SourceMgr) and verifier (libTooling)
  catch2 libbenchmark-dev                # tests (Catch2 v2) and benchmarks
  libclang-rt-14-dev                     # libFuzzer and sanitizer runtimes (tests/fuzz)
  libdnnl-dev                            # oneDNN, for side-by-side benchmarks
  g++-aarch64-linux-gnu qemu-user        # NEON kernels, run under qemu-aarch64
  libsimde-dev                           # AVX-512 kernels, run on AVX2 through SIMDe (tests only)
  gcc-arm-none-eabi libstdc++-arm-none-eabi-dev  # Cortex-M builds
  libonnx-dev libprotobuf-dev                    # convgen import (ONNX's C++ library, protobuf)
  libonnx-testdata python3-onnx python3-torch    # its tests: ONNX's test data, PyTorch exports
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  # --no-install-recommends keeps the arm-none-eabi toolchain ~50 MB.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
