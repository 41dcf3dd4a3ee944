// Checks one generated pooling layer against the reference pooling
// (runtime/include/convgen/pool_reference.h), as conformance.h does for
// conv layers: small-integer data exactly; random reals exactly for
// max_pool2d (no arithmetic) and within the sound bound of a K-term sum and
// its divisions for the averages; max_pool2d's NaN and -infinity handling
// exactly. The output buffer carries guard elements on both sides; the
// input must stay untouched.
#pragma once

#include "conformance.h"
#include "convgen/pool_reference.h"

namespace convgen::testing {

template <typename T, typename Info>
std::vector<T> runPool(const Info& info, void (*forward)(const T*, T*) noexcept,
                       const std::vector<T>& x, std::size_t out_size) {
  const std::vector<T> x_copy = x;
  std::vector<T> y(out_size + 2 * kGuard, guardValue<T>());
  forward(x.data(), y.data() + kGuard);
  for (std::size_t i = 0; i < kGuard; ++i) {
    INFO("pool " << info.name << ": guard element " << i << " before/after the output");
    REQUIRE(isGuard(y[i]));
    REQUIRE(isGuard(y[kGuard + out_size + i]));
  }
  REQUIRE(std::memcmp(x.data(), x_copy.data(), x.size() * sizeof(T)) == 0);
  return std::vector<T>(y.begin() + kGuard, y.begin() + kGuard + out_size);
}

// Equal, or both NaN.
template <typename T>
bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
  }
  return a == b;
}

template <typename T, typename Info>
void checkPool(const Info& info, void (*forward)(const T*, T*) noexcept) {
  // Exit 77 (a skip) when this CPU lacks the pool's ISA, as for conv layers.
  const CpuVerdict verdict = cpuRuns(info.isa);
  INFO("pool " << info.name << ": PoolInfo::isa is \"" << info.isa << "\"");
  REQUIRE(verdict.known);
  if (!verdict.runs) {
    std::fprintf(stderr, "SKIPPED %s: needs %s: %s\n", info.name, info.isa, verdict.why);
    std::exit(kSkipExitCode);
  }
  const ref::Pool2dParams p = ref::poolParamsOf(info);
  REQUIRE(p.out_height == info.out_height);
  REQUIRE(p.out_width == info.out_width);
  const std::size_t x_size = info.batch * info.channels * info.in_height * info.in_width;
  const std::size_t y_size = info.batch * info.channels * info.out_height * info.out_width;
  const std::uint64_t seed = baseSeed() ^ std::hash<std::string>()(info.name);
  INFO("pool " << info.name << " (" << info.op << "), seed " << seed);
  std::mt19937_64 rng(seed);
  auto exact = [&](const std::vector<T>& x, const char* data) {
    std::vector<T> expected(y_size);
    ref::pool2dForward<T>(p, x.data(), expected.data());
    const std::vector<T> got = runPool<T>(info, forward, x, y_size);
    std::size_t mismatches = 0, first = 0;
    for (std::size_t i = 0; i < y_size; ++i)
      if (!same(got[i], expected[i]) && mismatches++ == 0) first = i;
    INFO(data << " data: first mismatch at flat index " << first << ": got " << +got[first]
              << ", expected " << +expected[first]);
    CHECK(mismatches == 0);
  };
  exact(smallIntegers<T>(x_size, rng), "small-integer");
  if constexpr (std::is_floating_point_v<T>) {
    std::vector<T> x = uniformReals<T>(x_size, rng);
    if (std::string_view(info.op) == "max_pool2d") {
      exact(x, "random");
      // PyTorch's max pooling propagates NaN; -infinity is a value like any.
      for (std::size_t i = 0; i < x_size; i += 7) x[i] = std::numeric_limits<T>::quiet_NaN();
      for (std::size_t i = 3; i < x_size; i += 5) x[i] = -std::numeric_limits<T>::infinity();
      exact(x, "NaN and -infinity");
      return;
    }
    std::vector<T> expected(y_size), magnitude(y_size), ax(x);
    ref::pool2dForward<T>(p, x.data(), expected.data());
    for (T& e : ax) e = std::abs(e);
    ref::pool2dForward<T>(p, ax.data(), magnitude.data());
    // A sum of K terms in T, then at most two divisions; the reference
    // sums in double and rounds once.
    const double k = std::string_view(info.op) == "adaptive_avg_pool2d"
                         ? double(info.in_height / info.out_height + 2) *
                               double(info.in_width / info.out_width + 2)
                         : double(info.kernel_h * info.kernel_w);
    const double u = std::numeric_limits<T>::epsilon() / 2;
    const double gamma = (k + 2) * u / (1 - (k + 2) * u);
    const std::vector<T> got = runPool<T>(info, forward, x, y_size);
    std::size_t violations = 0, first = 0;
    for (std::size_t i = 0; i < y_size; ++i) {
      // magnitude: the same average of |x|, so the sum's bound divided alike.
      const double tol =
          2 * gamma * std::abs(double(magnitude[i])) + 2 * u * std::abs(double(expected[i]));
      if (!(std::abs(double(got[i]) - double(expected[i])) <= tol) && violations++ == 0) first = i;
    }
    INFO("random data: first violation at flat index " << first << ": got " << got[first]
                                                        << ", expected " << expected[first]);
    CHECK(violations == 0);
  }
}

}  // namespace convgen::testing
