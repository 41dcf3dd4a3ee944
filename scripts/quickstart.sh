#!/usr/bin/env bash
# Quick start: installs the dependencies (apt-get), builds convgen, and runs
# the main job on the bundled configs: shapes of an example network, the
# example kernels generated at build time checked against the reference, a
# whole network (DS-CNN, baked weights) run end to end against PyTorch, and
# a short run of the benchmark suite against oneDNN, printed as a table.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)" --target convgen seeds_demo convgen_bench network_dscnn_scalar

echo "== convgen shapes configs/resnet18.yaml"
"$build/generator/convgen" shapes "$root/configs/resnet18.yaml"
echo
echo "== generated kernels for configs/seeds.yaml vs the reference"
"$build/examples/seeds_demo"
echo
echo "== the DS-CNN network (configs/dscnn.yaml, baked weights) end to end, against PyTorch's output"
"$build/tests/network/network_dscnn_scalar"
echo
echo "== benchmark suite (short run; the full one: $build/bench/convgen_bench --table)"
"$build/bench/convgen_bench" --table --no-reference --benchmark_repetitions=3 \
  --benchmark_min_time=0.05 --benchmark_report_aggregates_only=true | sed -n '/^| id/,$p'
