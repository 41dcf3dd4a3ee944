// Checks one generated kernel against the generic reference.
//
// Two runs per layer: small-integer data (values in [-4, 4]) where every
// partial sum is exact in any order, so the kernel must match bit for bit;
// and, for float types, random data compared with the sound bound of
// docs/semantics.md section 8: |y - ref| <= 2 * gamma_K * L, L = sum |x*w| + |b|
// per output (computed by running the reference on |x|, |w|, |b|).
// Output buffers carry guard elements on both sides to catch stray writes.
// A layer with a fused epilogue (its header's `epilogue` constant) is checked
// against the reference composed with ref::epilogueForward: the residual
// tensor is random data of the output's shape, exact on small integers, and
// on reals within the conv bound carried through the add and the
// activation (epilogueTolerance below).
#pragma once

#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "convgen/reference.h"
#include "convgen/reference_epilogue.h"
#include "cpu_isa.h"

namespace convgen::testing {


// The seed of every random tensor; CONVGEN_TEST_SEED overrides it.
inline std::uint64_t baseSeed() {
  if (const char* s = std::getenv("CONVGEN_TEST_SEED")) return std::strtoull(s, nullptr, 10);
  return 20261125;
}

template <typename T>
std::vector<T> smallIntegers(std::size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> dist(-4, 4);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

template <typename T>
std::vector<T> uniformReals(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

template <typename T>
T guardValue() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
  return static_cast<T>(0x5A5A5A5A);
}

template <typename T>
bool isGuard(T v) {
  if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
  return v == guardValue<T>();
}

constexpr std::size_t kGuard = 16;

// Every entry point, as the harness calls it: (input, weights, bias,
// residual, output). `residual` is the layer's residual tensor; entry
// points of layers without one ignore it. entry() and packedEntry() take the
// generated functions, whose signature says whether they take one (plain
// function pointers: no per-layer template instance, so the matrix's test
// compiles as fast as before).
template <typename T>
struct Entry {
  void (*plain)(const T*, const T*, const T*, T*) noexcept = nullptr;
  void (*with_residual)(const T*, const T*, const T*, const T*, T*) noexcept = nullptr;
  bool takes_residual = false;
  void operator()(const T* x, const T* w, const T* b, const T* r, T* y) const {
    if (with_residual)
      with_residual(x, w, b, r, y);
    else
      plain(x, w, b, y);
  }
};
template <typename T>
Entry<T> entry(void (*f)(const T*, const T*, const T*, T*) noexcept) {
  return {f, nullptr, false};
}
template <typename T>
Entry<T> entry(void (*f)(const T*, const T*, const T*, const T*, T*) noexcept) {
  return {nullptr, f, true};
}
// forward_partition(): (input, weights, bias, residual, output, part, parts).
template <typename T>
struct PartitionEntry {
  void (*plain)(const T*, const T*, const T*, T*, int, int) noexcept = nullptr;
  void (*with_residual)(const T*, const T*, const T*, const T*, T*, int, int) noexcept = nullptr;
  bool takes_residual = false;
  void call(const T* x, const T* w, const T* b, const T* r, T* y, int part, int parts) const {
    if (with_residual)
      with_residual(x, w, b, r, y, part, parts);
    else
      plain(x, w, b, y, part, parts);
  }
};
template <typename T>
PartitionEntry<T> partitionEntry(void (*f)(const T*, const T*, const T*, T*, int, int) noexcept) {
  return {f, nullptr, false};
}
template <typename T>
PartitionEntry<T> partitionEntry(
    void (*f)(const T*, const T*, const T*, const T*, T*, int, int) noexcept) {
  return {nullptr, f, true};
}

// Runs `forward` and returns its output (without the guards), checking that
// the guards and the inputs (the residual included) are untouched.
template <typename T, typename Forward>
std::vector<T> runKernel(Forward forward, const std::vector<T>& x, const std::vector<T>& w,
                         const std::vector<T>& b, bool has_bias, const std::vector<T>& r,
                         std::size_t out_size) {
  const std::vector<T> x_copy = x, w_copy = w, b_copy = b, r_copy = r;
  std::vector<T> y(out_size + 2 * kGuard, guardValue<T>());
  forward(x.data(), w.data(), has_bias ? b.data() : nullptr, r.data(), y.data() + kGuard);
  for (std::size_t i = 0; i < kGuard; ++i) {
    INFO("guard element " << i << " before/after the output");
    REQUIRE(isGuard(y[i]));
    REQUIRE(isGuard(y[kGuard + out_size + i]));
  }
  REQUIRE(std::memcmp(x.data(), x_copy.data(), x.size() * sizeof(T)) == 0);
  REQUIRE(std::memcmp(w.data(), w_copy.data(), w.size() * sizeof(T)) == 0);
  REQUIRE(std::memcmp(b.data(), b_copy.data(), b.size() * sizeof(T)) == 0);
  REQUIRE(std::memcmp(r.data(), r_copy.data(), r.size() * sizeof(T)) == 0);
  return std::vector<T>(y.begin() + kGuard, y.begin() + kGuard + out_size);
}

// forward(input, weight, bias, residual, output) through pack_weights() and
// forward_packed(): the packed buffer is exactly `size` values between
// guard zones, so a pack or a read outside it fails the test.
template <typename T>
struct Packed {
  std::size_t size;
  void (*pack)(const T*, const T*, T*) noexcept;
  void (*plain)(const T*, const T*, T*) noexcept = nullptr;                    // (x, packed, y)
  void (*with_residual)(const T*, const T*, const T*, T*) noexcept = nullptr;  // (x, packed, r, y)
  bool takes_residual = false;
  void operator()(const T* x, const T* w, const T* b, const T* r, T* y) const {
    std::vector<T> packed(size + 2 * kGuard, guardValue<T>());
    pack(w, b, packed.data() + kGuard);
    for (std::size_t i = 0; i < kGuard; ++i) {
      INFO("guard element " << i << " before/after the packed weights");
      REQUIRE(isGuard(packed[i]));
      REQUIRE(isGuard(packed[kGuard + size + i]));
    }
    if (with_residual)
      with_residual(x, packed.data() + kGuard, r, y);
    else
      plain(x, packed.data() + kGuard, y);
  }
};
template <typename T>
Packed<T> packedEntry(std::size_t size, void (*pack)(const T*, const T*, T*) noexcept,
                      void (*f)(const T*, const T*, T*) noexcept) {
  return {size, pack, f, nullptr, false};
}
template <typename T>
Packed<T> packedEntry(std::size_t size, void (*pack)(const T*, const T*, T*) noexcept,
                      void (*f)(const T*, const T*, const T*, T*) noexcept) {
  return {size, pack, nullptr, f, true};
}

// A layer's fused epilogue as the harness uses it: from its header's
// `epilogue` constant, or NoEpilogue (conformance_test.cpp finds that one
// for layers without the constant).
struct EpilogueSpec {
  ref::EpilogueParams params;
  bool residual = false;
};
struct NoEpilogue {};
inline EpilogueSpec epilogueSpec(const NoEpilogue&) { return {}; }
template <typename Generated>
EpilogueSpec epilogueSpec(const Generated& g) {
  return {ref::epilogueOf(g), g.residual[0] != '\0'};
}

// How far the composed epilogue may move a kernel's result from the
// reference's, given |conv_kernel - conv_ref| <= conv_tol: the add rounds
// once in each (u per operand magnitude), and the activation is Lipschitz
// (clamps 1, leaky_relu max(1, |slope|), hardswish 3/2) and rounds at most
// three times more (hardswish) relative to its operand and result.
inline double epilogueTolerance(const ref::EpilogueParams& e, double conv_tol, double u,
                                double conv, double residual, double sum, double result) {
  const double sum_tol = conv_tol * (1 + u) + 2 * u * (std::abs(conv) + std::abs(residual));
  double lipschitz = 1;
  if (e.activation == ref::Activation::LeakyRelu)
    lipschitz = std::max(1.0, std::abs(e.negative_slope));
  if (e.activation == ref::Activation::Hardswish) lipschitz = 1.5;
  const double rounding = e.activation == ref::Activation::Hardswish   ? 4 * u
                          : e.activation == ref::Activation::LeakyRelu ? 2 * u
                                                                       : 0;
  return lipschitz * sum_tol + rounding * (std::abs(sum) + std::abs(result));
}

constexpr int kSkipExitCode = 77;

template <typename Info, typename = void>
struct HasIsaField : std::false_type {};
template <typename Info>
struct HasIsaField<Info, std::void_t<decltype(std::declval<const Info&>().isa)>>
    : std::true_type {};

// The ISA of the code emitted for a layer: LayerInfo::isa (LayerInfo v2).
// Headers from before v2 lack the field; for them the build names the --isa
// the kernels were generated with (CONVGEN_CONFORMANCE_ISA), which is
// conservative: a float64 layer of an avx2 config is scalar code, yet is
// skipped with the rest on a CPU without AVX2.
template <typename Info>
std::string layerIsa(const Info& info) {
  if constexpr (HasIsaField<Info>::value) {
    return info.isa;
  } else {
#if defined(CONVGEN_CONFORMANCE_ISA)
    (void)info;
    const std::string isa = CONVGEN_CONFORMANCE_ISA;
    return isa == "native" ? "scalar" : isa;  // generated for the CPU that runs it
#else
    static_assert(HasIsaField<Info>::value,
                  "LayerInfo has no isa field: compile with -DCONVGEN_CONFORMANCE_ISA=\"<isa>\"");
    return {};
#endif
  }
}

// How many of the layers are code of `isa`, by LayerInfo::isa (v2 only).
template <typename Info>
std::size_t layersOf(std::initializer_list<const Info*> infos, const std::string& isa) {
  std::size_t n = 0;
  for (const Info* info : infos) n += isa == info->isa;
  return n;
}

// That some layer of a config got code of `isa`.
template <typename Info>
void checkSomeLayerIs(std::initializer_list<const Info*> infos, const std::string& isa) {
  if constexpr (!HasIsaField<Info>::value) {
    WARN("LayerInfo has no isa field (a header before v2): cannot tell whether any layer is "
         << isa << " code");
  } else {
    INFO(infos.size() << " layers, none of them " << isa << " code");
    CHECK(layersOf(infos, isa) > 0);
  }
}

// Every check of a layer starts here: exits 77 when this CPU lacks the
// layer's ISA (by LayerInfo::isa), and fails for an ISA name it does not know.
template <typename Info>
void skipUnlessCpuRuns(const Info& info) {
  const std::string isa = layerIsa(info);
  const CpuVerdict verdict = cpuRuns(isa);
  INFO("layer " << info.name << ": LayerInfo::isa is \"" << isa << "\"");
  REQUIRE(verdict.known);
  if (!verdict.runs) {
    // CTest reports exit code 77 as a skip (SKIP_RETURN_CODE), with the
    // reason in the output: never a silent pass.
    // A backward-only layer has no forward kernel: its gradients need the ISA.
    const char* code = *info.kernel ? info.kernel : "its gradients' code";
    std::fprintf(stderr, "SKIPPED %s: %s needs %s: %s\n", info.name, code, isa.c_str(),
                 verdict.why);
    std::exit(kSkipExitCode);
  }
}

// Each of `forwards` (forward(), or pack_weights + forward_packed through
// Packed) against one reference per data set: the reference, not the
// kernels, is what takes the time under an emulator.
template <typename T, typename Info, typename... Forwards>
void checkLayer(const Info& info, const EpilogueSpec& epilogue, Forwards... forwards) {
  skipUnlessCpuRuns(info);
  const ref::EpilogueParams epi = epilogue.params;
  const bool residual = epilogue.residual;
  // The signatures take a residual exactly when the header says it is added.
  for (bool takes : {forwards.takes_residual...}) REQUIRE(takes == residual);
  const ref::Conv2dParams p = ref::paramsOf(info);
  REQUIRE(ref::outputHeight(p) == info.out_height);
  REQUIRE(ref::outputWidth(p) == info.out_width);
  const std::size_t x_size = info.batch * info.in_channels * info.in_height * info.in_width;
  const std::size_t w_size =
      info.out_channels * (info.in_channels / info.groups) * info.kernel_h * info.kernel_w;
  const std::size_t y_size = info.batch * info.out_channels * info.out_height * info.out_width;
  const std::uint64_t seed = baseSeed() ^ std::hash<std::string>()(info.name);
  INFO("layer " << info.name << " (kernel " << info.kernel << "), seed " << seed
                << " (set CONVGEN_TEST_SEED to vary)");
  std::mt19937_64 rng(seed);

  {  // Small integers: exact in every summation order.
    const auto x = smallIntegers<T>(x_size, rng), w = smallIntegers<T>(w_size, rng),
               b = smallIntegers<T>(info.out_channels, rng), r = smallIntegers<T>(y_size, rng);
    std::vector<T> expected(y_size);
    ref::conv2dForward<T>(p, x.data(), w.data(), info.bias ? b.data() : nullptr, expected.data());
    ref::epilogueForward<T>(epi, residual ? r.data() : nullptr, expected.data(), y_size);
    int entry = 0;
    auto check = [&](auto forward) {
      const std::vector<T> got = runKernel<T>(forward, x, w, b, info.bias, r, y_size);
      std::size_t mismatches = 0, first = 0;
      for (std::size_t i = 0; i < y_size; ++i)
        if (got[i] != expected[i] && mismatches++ == 0) first = i;
      INFO("entry point " << entry++ << " (0: forward, 1: forward_packed), small-integer data: "
                          << "first mismatch at flat index " << first << ": got " << +got[first]
                          << ", expected " << +expected[first]);
      CHECK(mismatches == 0);
    };
    (check(forwards), ...);
  }

  if constexpr (std::is_floating_point_v<T>) {  // Random reals: the gamma_K bound.
    const auto x = uniformReals<T>(x_size, rng), w = uniformReals<T>(w_size, rng),
               b = uniformReals<T>(info.out_channels, rng), r = uniformReals<T>(y_size, rng);
    std::vector<T> expected(y_size), magnitude(y_size);
    ref::conv2dForward<T>(p, x.data(), w.data(), info.bias ? b.data() : nullptr, expected.data());
    const std::vector<T> conv = expected;  // before the epilogue
    std::vector<T> sum = expected;         // conv + residual, before the activation
    ref::epilogueForward<T>(ref::EpilogueParams{}, residual ? r.data() : nullptr, sum.data(),
                            y_size);
    ref::epilogueForward<T>(epi, residual ? r.data() : nullptr, expected.data(), y_size);
    std::vector<T> ax(x), aw(w), ab(b);
    for (std::vector<T>* v : {&ax, &aw, &ab})
      for (T& e : *v) e = std::abs(e);
    ref::conv2dForward<T>(p, ax.data(), aw.data(), info.bias ? ab.data() : nullptr,
                          magnitude.data());
    const double u = std::numeric_limits<T>::epsilon() / 2;
    const double k = static_cast<double>(
        (info.in_channels / info.groups) * info.kernel_h * info.kernel_w + (info.bias ? 1 : 0));
    const double gamma = k * u / (1 - k * u);
    int entry = 0;
    auto check = [&](auto forward) {
      const std::vector<T> got = runKernel<T>(forward, x, w, b, info.bias, r, y_size);
      std::size_t violations = 0, first = 0;
      for (std::size_t i = 0; i < y_size; ++i) {
        // The reference itself rounds once to T at the end: allow one ulp of it.
        const double conv_tol = 2 * gamma * magnitude[i] + 2 * u * std::abs(double(conv[i]));
        const double tol = epilogueTolerance(epi, conv_tol, u, conv[i], residual ? r[i] : 0,
                                             sum[i], expected[i]);
        if (!(std::abs(double(got[i]) - double(expected[i])) <= tol) && violations++ == 0)
          first = i;
      }
      INFO("entry point " << entry++ << " (0: forward, 1: forward_packed), random data: first "
                          << "violation at flat index " << first << ": got " << got[first]
                          << ", expected " << expected[first]);
      CHECK(violations == 0);
    };
    (check(forwards), ...);
  }
}

// The part counts checkPartitions() tries: 1 to 7 natively. Under an
// emulator (qemu, SIMDe; CONVGEN_CONFORMANCE_EMULATED) a kernel runs up to
// 250 times slower than natively (qemu emulates fused multiply-adds in
// software), so there 1, 2, 3 and 7: one part, even and odd splits, and more
// parts than some layers have row units (empty parts). The bundled configs'
// network-sized layers under an emulator (CONVGEN_CONFORMANCE_ONE_SPLIT) try
// one odd split only: a partition is a range of the plan's row units, split
// by the same code for every layer, and the matrix's small layers try every
// count above on the same ISA; what a big layer adds is its size, and each
// extra count costs a whole emulated run of it (resnet18 alone spent 40% of
// the NEON run's test time in partitions).
#if defined(CONVGEN_CONFORMANCE_ONE_SPLIT)
inline constexpr int kPartCounts[] = {3};
#elif defined(CONVGEN_CONFORMANCE_EMULATED)
inline constexpr int kPartCounts[] = {1, 2, 3, 7};
#else
inline constexpr int kPartCounts[] = {1, 2, 3, 4, 5, 6, 7};
#endif

// forward_partition() for every part count of kPartCounts, each part called
// in turn on one output buffer: the same bits as forward(), nothing written
// outside the output (the guards), inputs untouched. Random data.
template <typename T, typename Info>
void checkPartitions(const Info& info, const Entry<T>& forward, const PartitionEntry<T>& partition) {
  REQUIRE(forward.takes_residual == partition.takes_residual);
  skipUnlessCpuRuns(info);
  std::mt19937_64 rng(baseSeed() + 7);
  // Reals for float types: equal bits then need the same summation order.
  auto data = [&](std::size_t n) {
    if constexpr (std::is_floating_point_v<T>) return uniformReals<T>(n, rng);
    else return smallIntegers<T>(n, rng);
  };
  const std::size_t x_size = info.batch * info.in_channels * info.in_height * info.in_width;
  const std::size_t w_size =
      info.out_channels * (info.in_channels / info.groups) * info.kernel_h * info.kernel_w;
  const std::size_t y_size = info.batch * info.out_channels * info.out_height * info.out_width;
  const std::vector<T> x = data(x_size), w = data(w_size), b = data(info.out_channels),
                       r = data(y_size);
  const std::vector<T> whole = runKernel<T>(forward, x, w, b, info.bias, r, y_size);
  for (const int parts : kPartCounts) {
    INFO(parts << " parts");
    auto all_parts = [&](const T* xp, const T* wp, const T* bp, const T* rp, T* yp) {
      for (int part = 0; part < parts; ++part) partition.call(xp, wp, bp, rp, yp, part, parts);
    };
    const std::vector<T> split = runKernel<T>(all_parts, x, w, b, info.bias, r, y_size);
    REQUIRE(std::memcmp(split.data(), whole.data(), y_size * sizeof(T)) == 0);
  }
}

}  // namespace convgen::testing
