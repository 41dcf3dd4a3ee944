// Runs every generated kernel of configs/seeds.yaml on random data in
// PyTorch's layout and compares it with the generic reference.
#include "seeds.h"  // generated at build time from configs/seeds.yaml

#include "convgen/reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

template <typename T>
std::vector<T> random(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1, 1);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}


// Returns true when the kernel matches the reference within float rounding.
template <typename T, typename Forward>
bool run(const convgen::generated::LayerInfo& info, Forward forward) {
  const convgen::ref::Conv2dParams p = convgen::ref::paramsOf(info);

  std::mt19937 rng(42);
  const auto x = random<T>(info.batch * info.in_channels * info.in_height * info.in_width, rng);
  const auto w = random<T>(info.out_channels * (info.in_channels / info.groups) * info.kernel_h *
                               info.kernel_w, rng);
  const auto b = random<T>(info.out_channels, rng);
  const std::size_t n = info.batch * info.out_channels * info.out_height * info.out_width;
  std::vector<T> y(n), expected(n);
  forward(x.data(), w.data(), info.bias ? b.data() : nullptr, y.data());
  convgen::ref::conv2dForward<T>(p, x.data(), w.data(), info.bias ? b.data() : nullptr,
                                 expected.data());
  double max_diff = 0;
  for (std::size_t i = 0; i < n; ++i)
    max_diff = std::max(max_diff, std::abs(double(y[i]) - double(expected[i])));
  // A loose sanity bound for the demo; the test suite uses the exact
  // reduction-depth bound of docs/semantics.md section 8.
  const double depth = double(info.in_channels / info.groups * info.kernel_h * info.kernel_w);
  const bool ok = max_diff <= 4 * depth * 6e-8;
  std::printf("%-16s %-44s %12lld  max |diff| %.2e  %s\n", info.name, info.kernel,
              static_cast<long long>(info.macs), max_diff, ok ? "ok" : "MISMATCH");
  return ok;
}

}  // namespace

int main() {
  std::printf("%-16s %-44s %12s\n", "layer", "kernel (name = plan)", "MACs");
  bool ok = true;
#define RUN_LAYER(layer) \
  ok &= run<seeds::layer::value_type>(seeds::layer::info, &seeds::layer::forward);
  CONVGEN_SEEDS_LAYERS(RUN_LAYER)
#undef RUN_LAYER
  std::printf(ok ? "all kernels match the reference\n" : "MISMATCH against the reference\n");
  return ok ? 0 : 1;
}
