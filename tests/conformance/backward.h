// Checks a layer's generated backward kernels (backward: true) against the
// reference's gradients (ref::conv2dBackward, itself checked by the adjoint
// identity in tests/reference_test.cpp), the way conformance.h checks
// forward(): exact on small-integer data; on random reals within the sound
// bound 2 * gamma_K * L + 2u|ref|, with L the reference run on |x|, |w|,
// |grad_output| and K each gradient's reduction depth (grad_weight and
// grad_bias: N * H_out * W_out; grad_input: (C_out/groups) * kh * kw per
// padded position, times the padded positions that fold into one pixel).
// Every output buffer is pre-filled with guard values (NaN, or a pattern
// for integers) and carries guard zones on both sides, so an element left
// unwritten, or written outside, fails. float64 layers also get
// finite-difference spot checks of the layer's forward (the generated
// forward(), or for a backward-only layer the reference's forward:
// referenceForward), which share nothing with the reference's backward pass.
#pragma once

#include "conformance.h"

namespace convgen::testing {

template <typename T>
struct BackwardKernels {
  void (*input)(const T*, const T*, T*) noexcept;
  void (*weight)(const T*, const T*, T*) noexcept;
  void (*bias)(const T*, T*) noexcept;  // nullptr without bias
};

// The reference's forward of a layer, in checkBackward's `forward` form:
// for the finite differences of a layer without a generated forward
// (backward: only).
template <typename T, typename Info>
auto referenceForward(const Info& info) {
  return [p = ref::paramsOf(info)](const T* x, const T* w, const T* b, T* y) {
    ref::conv2dForward<T>(p, x, w, b, y);
  };
}

// Runs `f(out)` on a guard-filled buffer of `size` and returns the values.
template <typename T, typename F>
std::vector<T> runFilled(std::size_t size, const char* what, F f) {
  std::vector<T> buf(size + 2 * kGuard, guardValue<T>());
  f(buf.data() + kGuard);
  for (std::size_t i = 0; i < kGuard; ++i) {
    INFO(what << ": guard element " << i << " before/after the output");
    REQUIRE(isGuard(buf[i]));
    REQUIRE(isGuard(buf[kGuard + size + i]));
  }
  return std::vector<T>(buf.begin() + kGuard, buf.begin() + kGuard + size);
}

template <typename T, typename Info, typename ForwardFn>
void checkBackward(const Info& info, BackwardKernels<T> k, ForwardFn forward) {
  skipUnlessCpuRuns(info);
  REQUIRE((k.bias != nullptr) == info.bias);
  const ref::Conv2dParams p = ref::paramsOf(info);
  const std::size_t x_size = info.batch * info.in_channels * info.in_height * info.in_width;
  const std::size_t w_size =
      info.out_channels * (info.in_channels / info.groups) * info.kernel_h * info.kernel_w;
  const std::size_t y_size = info.batch * info.out_channels * info.out_height * info.out_width;
  const std::size_t b_size = info.out_channels;
  const std::uint64_t seed = baseSeed() ^ (std::hash<std::string>()(info.name) + 13);
  INFO("layer " << info.name << " backward, seed " << seed << " (set CONVGEN_TEST_SEED to vary)");
  std::mt19937_64 rng(seed);

  struct Got {
    std::vector<T> gx, gw, gb;
  };
  auto run = [&](const std::vector<T>& x, const std::vector<T>& w, const std::vector<T>& gy) {
    const std::vector<T> x_copy = x, w_copy = w, gy_copy = gy;
    Got g;
    g.gx = runFilled<T>(x_size, "backward_input",
                        [&](T* out) { k.input(gy.data(), w.data(), out); });
    g.gw = runFilled<T>(w_size, "backward_weight",
                        [&](T* out) { k.weight(x.data(), gy.data(), out); });
    if (k.bias) g.gb = runFilled<T>(b_size, "backward_bias", [&](T* out) { k.bias(gy.data(), out); });
    REQUIRE(std::memcmp(x.data(), x_copy.data(), x.size() * sizeof(T)) == 0);
    REQUIRE(std::memcmp(w.data(), w_copy.data(), w.size() * sizeof(T)) == 0);
    REQUIRE(std::memcmp(gy.data(), gy_copy.data(), gy.size() * sizeof(T)) == 0);
    return g;
  };
  auto reference = [&](const std::vector<T>& x, const std::vector<T>& w, const std::vector<T>& gy) {
    Got r{std::vector<T>(x_size), std::vector<T>(w_size), std::vector<T>(b_size)};
    ref::conv2dBackward<T>(p, x.data(), w.data(), gy.data(), r.gx.data(), r.gw.data(),
                           r.gb.data());
    return r;
  };

  {  // Small integers: exact.
    const auto x = smallIntegers<T>(x_size, rng), w = smallIntegers<T>(w_size, rng),
               gy = smallIntegers<T>(y_size, rng);
    const Got got = run(x, w, gy), want = reference(x, w, gy);
    auto exact = [](const char* what, const std::vector<T>& a, const std::vector<T>& b) {
      std::size_t mismatches = 0, first = 0;
      for (std::size_t i = 0; i < b.size(); ++i)
        if (a[i] != b[i] && mismatches++ == 0) first = i;
      INFO(what << ", small-integer data: " << mismatches << " mismatches, the first at flat index "
                << first << ": got " << +a[first] << ", expected " << +b[first]);
      CHECK(mismatches == 0);
    };
    exact("grad_input", got.gx, want.gx);
    exact("grad_weight", got.gw, want.gw);
    if (k.bias) exact("grad_bias", got.gb, want.gb);
  }

  if constexpr (std::is_floating_point_v<T>) {  // Random reals: gamma_K bounds.
    const auto x = uniformReals<T>(x_size, rng), w = uniformReals<T>(w_size, rng),
               gy = uniformReals<T>(y_size, rng);
    const Got got = run(x, w, gy), want = reference(x, w, gy);
    std::vector<T> ax(x), aw(w), agy(gy);
    for (std::vector<T>* v : {&ax, &aw, &agy})
      for (T& e : *v) e = std::abs(e);
    const Got mag = reference(ax, aw, agy);
    const bool fold = std::string_view(info.padding_mode) != "zeros";
    const double fold_rows = fold ? 1.0 + info.pad_top + info.pad_bottom : 1.0;
    const double fold_cols = fold ? 1.0 + info.pad_left + info.pad_right : 1.0;
    const double depth_in = double(info.out_channels / info.groups) * info.kernel_h *
                            info.kernel_w * fold_rows * fold_cols;
    const double depth_w = double(info.batch) * info.out_height * info.out_width;
    const double u = std::numeric_limits<T>::epsilon() / 2;
    auto bounded = [&](const char* what, const std::vector<T>& a, const std::vector<T>& b,
                       const std::vector<T>& m, double depth) {
      const double gamma = depth * u / (1 - depth * u);
      std::size_t violations = 0, first = 0;
      for (std::size_t i = 0; i < b.size(); ++i) {
        const double tol = 2 * gamma * m[i] + 2 * u * std::abs(double(b[i]));
        if (!(std::abs(double(a[i]) - double(b[i])) <= tol) && violations++ == 0) first = i;
      }
      INFO(what << ", random data (depth " << depth << "): " << violations
                << " violations, the first at flat index " << first << ": got " << a[first]
                << ", expected " << b[first]);
      CHECK(violations == 0);
    };
    bounded("grad_input", got.gx, want.gx, mag.gx, depth_in);
    bounded("grad_weight", got.gw, want.gw, mag.gw, depth_w);
    if (k.bias) bounded("grad_bias", got.gb, want.gb, mag.gb, depth_w);

    if constexpr (std::is_same_v<T, double>) {
      // Finite differences of the generated forward(): the loss
      // l(x, w, b) = sum(grad_output * forward(x, w, b)) is linear in each
      // argument, so a central difference is exact up to rounding.
      const std::vector<T> bias = uniformReals<T>(b_size, rng);
      auto loss = [&](const std::vector<T>& xx, const std::vector<T>& ww, const std::vector<T>& bb) {
        std::vector<T> y(y_size);
        forward(xx.data(), ww.data(), info.bias ? bb.data() : nullptr, y.data());
        double s = 0;
        for (std::size_t i = 0; i < y_size; ++i) s += double(gy[i]) * double(y[i]);
        return s;
      };
      auto spot = [&](const char* what, std::vector<T> v, const std::vector<T>& grad,
                      auto with) {
        std::uniform_int_distribution<std::size_t> pick(0, v.size() - 1);
        for (int trial = 0; trial < 4; ++trial) {
          const std::size_t i = pick(rng);
          const T h = 0.5, saved = v[i];
          v[i] = saved + h;
          const double up = with(v);
          v[i] = saved - h;
          const double down = with(v);
          v[i] = saved;
          const double fd = (up - down) / (2 * h);
          INFO(what << " flat index " << i << ": finite difference " << fd << ", backward "
                    << grad[i]);
          CHECK(std::abs(fd - double(grad[i])) <= 1e-9 * (1 + std::abs(fd)));
        }
      };
      spot("grad_input", x, got.gx, [&](const std::vector<T>& v) { return loss(v, w, bias); });
      spot("grad_weight", w, got.gw, [&](const std::vector<T>& v) { return loss(x, v, bias); });
      if (k.bias) {
        spot("grad_bias", bias, got.gb, [&](const std::vector<T>& v) { return loss(x, w, v); });
      }
    }
  }
}

}  // namespace convgen::testing
