// Runs the kernels generated from net.yaml on libtorch-layout buffers (plain
// contiguous NCHW vectors, what tensor.data_ptr<float>() points at) and
// compares them with the installed reference convolution.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "convgen/reference.h"
#include "net.h"

namespace {

template <typename Array>
std::size_t elements(const Array& shape) {
  std::size_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<float> randomTensor(std::size_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Values lie in [-1, 1], so an output sums at most K terms of magnitude <= 1
// and K * K * epsilon bounds the rounding error of any summation order.
double bound(int reduction_depth) {
  return double(reduction_depth) * reduction_depth * std::numeric_limits<float>::epsilon();
}

bool compare(const char* layer, const std::vector<float>& got, const std::vector<float>& want,
             double tol) {
  if (got.size() != want.size()) {
    std::printf("%-5s %zu outputs, reference has %zu: MISMATCH\n", layer, got.size(), want.size());
    return false;
  }
  double max_diff = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(double(got[i]) - double(want[i]));
    if (!(diff <= tol)) ++bad;  // counts NaN, which fmax would hide
    max_diff = std::fmax(max_diff, diff);
  }
  const bool ok = bad == 0;
  std::printf("%-5s %zu outputs, max |generated - reference| = %.3g (tolerance %.3g): %s\n",
              layer, got.size(), max_diff, tol, ok ? "ok" : "MISMATCH");
  if (!ok) std::printf("      %zu outputs outside the tolerance\n", bad);
  return ok;
}

}  // namespace

int main() {
  std::mt19937 rng(20261125);
  bool ok = true;

  {  // stem: zeros padding, bias.
    namespace L = net::stem;
    const auto x = randomTensor(elements(L::input_shape), rng);
    const auto w = randomTensor(elements(L::weight_shape), rng);
    const auto b = randomTensor(L::weight_shape[0], rng);
    std::vector<float> y(elements(L::output_shape));
    L::forward(x.data(), w.data(), b.data(), y.data());

    convgen::ref::Conv2dParams p;  // torch.nn.Conv2d(3, 8, 3, padding=1) on 2x3x9x11
    p.batch = 2;
    p.in_channels = 3, p.in_height = 9, p.in_width = 11;
    p.out_channels = 8, p.kernel_h = 3, p.kernel_w = 3;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    std::vector<float> want(2 * 8 * convgen::ref::outputHeight(p) * convgen::ref::outputWidth(p));
    convgen::ref::conv2dForward<float>(p, x.data(), w.data(), b.data(), want.data());
    ok &= compare("stem", y, want, bound(3 * 3 * 3 + 1));
  }

  {  // dw: depthwise, reflect padding, unbatched, no bias; also through the C entry point.
    namespace L = net::dw;
    const auto x = randomTensor(elements(L::input_shape), rng);
    const auto w = randomTensor(elements(L::weight_shape), rng);
    std::vector<float> y(elements(L::output_shape)), y_c(y.size());
    L::forward(x.data(), w.data(), nullptr, y.data());
    net_dw_forward(x.data(), w.data(), nullptr, y_c.data());

    convgen::ref::Conv2dParams p;  // Conv2d(8, 8, 3, padding='same', padding_mode='reflect', groups=8)
    p.in_channels = 8, p.in_height = 9, p.in_width = 11;
    p.out_channels = 8, p.kernel_h = 3, p.kernel_w = 3, p.groups = 8;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.padding_mode = convgen::ref::PaddingMode::Reflect;
    std::vector<float> want(8 * convgen::ref::outputHeight(p) * convgen::ref::outputWidth(p));
    convgen::ref::conv2dForward<float>(p, x.data(), w.data(), nullptr, want.data());
    ok &= compare("dw", y, want, bound(3 * 3));
    ok &= compare("dw(C)", y_c, y, 0);  // the same kernel: bit-identical
  }
  return ok ? 0 : 1;
}
