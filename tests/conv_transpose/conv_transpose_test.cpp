// conv_transpose2d layers against the reference written from PyTorch's
// definition (runtime/src/conv_transpose_reference.cpp, a scatter loop that
// shares nothing with the generated gather). One test case per layer of the
// header's conv_transpose2d X-macro, one more per layer with backward: true.
// Compiled with -DCONVGEN_HEADER, -DCONVGEN_NAMESPACE, -DCONVGEN_CT_LAYERS and
// -DCONVGEN_CT_BACKWARD (the header's backward X-macro).
//
// Forward: small-integer data (exact in any order: bit for bit) and random
// data within the sound bound 2 * gamma_K * L (docs/semantics.md section 8;
// L = the reference on |x|, |w|, |b|, K = the terms of one output + 1),
// through the layer's epilogue; forward_packed on pack_weights' buffer; the
// output and the packed buffer between guard zones. Backward: the three
// gradients against the reference's, exact on small integers and within the
// bound on random data (grad_weight's K is N * H * W + 1). Partitions:
// forward_partition() and forward_packed_partition() in every part count of
// kPartCounts give forward()'s bits, between guard zones.
#include CONVGEN_HEADER

#include <array>
#include <functional>

#include "conformance.h"
#include "convgen/conv_transpose_reference.h"

namespace convgen_ct_fallback {
inline constexpr convgen::testing::NoEpilogue epilogue{};
constexpr std::nullptr_t backward_bias = nullptr;
}  // namespace convgen_ct_fallback

namespace convgen::testing {

template <typename Info, typename Pad>
ref::ConvTranspose2dParams transposeParams(const Info& info, const Pad& output_padding) {
  ref::ConvTranspose2dParams p;
  p.batch = info.batch;
  p.in_channels = info.in_channels;
  p.in_height = info.in_height;
  p.in_width = info.in_width;
  p.out_channels = info.out_channels;
  p.kernel_h = info.kernel_h;
  p.kernel_w = info.kernel_w;
  p.stride_h = info.stride_h;
  p.stride_w = info.stride_w;
  p.dilation_h = info.dilation_h;
  p.dilation_w = info.dilation_w;
  p.pad_h = info.pad_top;
  p.pad_w = info.pad_left;
  p.output_padding_h = output_padding[0];
  p.output_padding_w = output_padding[1];
  p.groups = info.groups;
  return p;
}

template <typename T>
std::vector<T> absolute(std::vector<T> v) {
  for (T& x : v) x = std::abs(x);
  return v;
}

// Calls f(out) with `out` between guard zones of n elements; checks them.
template <typename T, typename F>
std::vector<T> guarded(std::size_t n, F&& f) {
  std::vector<T> y(n + 2 * kGuard, guardValue<T>());
  f(y.data() + kGuard);
  for (std::size_t i = 0; i < kGuard; ++i) {
    INFO("guard element " << i << " before/after the result");
    REQUIRE(isGuard(y[i]));
    REQUIRE(isGuard(y[kGuard + n + i]));
  }
  return std::vector<T>(y.begin() + kGuard, y.begin() + kGuard + n);
}

// `got` against `want`: bit for bit without `tol`, else within tol[i].
template <typename T>
void compare(const char* what, const std::vector<T>& got, const std::vector<T>& want,
             const std::vector<double>* tol) {
  REQUIRE(got.size() == want.size());
  std::size_t bad = 0, first = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double d = std::abs(double(got[i]) - double(want[i]));
    const bool ok = tol ? d <= (*tol)[i] : got[i] == want[i];
    if (!ok && bad++ == 0) first = i;
  }
  INFO(what << ": " << bad << " of " << got.size() << " elements differ; first at " << first
            << ": got " << (got.empty() ? 0.0 : double(got[first])) << ", want "
            << (want.empty() ? 0.0 : double(want[first])));
  CHECK(bad == 0);
}

double gammaOf(double k, double u) { return k * u / (1 - k * u); }

template <typename T, typename Info, typename Pad, typename Forward, typename Pack, typename Packed>
void checkTranspose(const Info& info, const Pad& output_padding, EpilogueSpec epi,
                    std::size_t in_size, std::size_t w_size, std::size_t out_size,
                    std::size_t packed_size, Forward forward, Pack pack, Packed forward_packed) {
  const CpuVerdict cpu = cpuRuns(info.isa);
  if (!cpu.runs) {
    WARN(info.name << ": " << info.isa << " code, but " << cpu.why << ": skipped");
    std::exit(kSkipExitCode);
  }
  const ref::ConvTranspose2dParams p = transposeParams(info, output_padding);
  REQUIRE(std::size_t(p.batch * p.out_channels * ref::transposeOutputHeight(p) *
                      ref::transposeOutputWidth(p)) == out_size);
  const double u = std::numeric_limits<T>::epsilon() / 2;
  const double k = double(info.in_channels / info.groups * info.kernel_h * info.kernel_w) + 2;
  std::mt19937_64 rng(baseSeed() ^ std::hash<std::string>{}(info.name));
  for (bool exact : {true, false}) {
    INFO(info.name << (exact ? ": small integers" : ": random reals"));
    auto data = [&](std::size_t n) { return exact ? smallIntegers<T>(n, rng) : uniformReals<T>(n, rng); };
    const std::vector<T> x = data(in_size), w = data(w_size), b = data(std::size_t(info.out_channels)),
                         r = data(out_size);
    const T* bias = info.bias ? b.data() : nullptr;
    std::vector<T> want(out_size), mag(out_size);
    ref::convTranspose2dForward(p, x.data(), w.data(), bias, want.data());
    std::vector<double> tol(out_size);
    if (!exact) {
      const std::vector<T> ax = absolute(x), aw = absolute(w), ab = absolute(b);
      ref::convTranspose2dForward(p, ax.data(), aw.data(), info.bias ? ab.data() : nullptr,
                                  mag.data());
    }
    for (std::size_t i = 0; i < out_size; ++i) {
      const double conv = want[i], conv_tol = exact ? 0 : 2 * gammaOf(k, u) * double(mag[i]);
      T y = want[i];
      if (epi.residual) y = T(y + r[i]);
      const T sum = y;
      y = ref::activate(epi.params, y);
      want[i] = y;
      tol[i] = epilogueTolerance(epi.params, conv_tol, u, conv, epi.residual ? r[i] : 0, sum, y);
    }
    const std::vector<T> got =
        guarded<T>(out_size, [&](T* y) { forward(x.data(), w.data(), bias, r.data(), y); });
    compare("forward", got, want, exact ? nullptr : &tol);
    // pack_weights writes exactly packed_size values; forward_packed reads them.
    const std::vector<T> packed =
        guarded<T>(packed_size, [&](T* q) { pack(w.data(), bias, q); });
    const std::vector<T> got_packed =
        guarded<T>(out_size, [&](T* y) { forward_packed(x.data(), packed.data(), r.data(), y); });
    compare("forward_packed", got_packed, got, nullptr);
  }
}

// forward_partition() and forward_packed_partition() for every part count of
// kPartCounts (1 to 7 natively), each part called in turn on one output
// buffer filled with guard values: forward()'s bits (every element written
// by some part), nothing written outside the output, inputs untouched.
template <typename T, typename Info, typename Forward, typename Partition, typename Pack,
          typename PackedPartition>
void checkTransposePartitions(const Info& info, std::size_t in_size, std::size_t w_size,
                              std::size_t out_size, std::size_t packed_size, Forward forward,
                              Partition partition, Pack pack, PackedPartition packed_partition) {
  const CpuVerdict cpu = cpuRuns(info.isa);
  if (!cpu.runs) std::exit(kSkipExitCode);
  std::mt19937_64 rng(baseSeed() ^ std::hash<std::string>{}(info.name) ^ 0x51ed27ull);
  // Reals for float types: equal bits then need the same summation order.
  auto data = [&](std::size_t n) {
    if constexpr (std::is_floating_point_v<T>) return uniformReals<T>(n, rng);
    else return smallIntegers<T>(n, rng);
  };
  const std::vector<T> x = data(in_size), w = data(w_size), b = data(std::size_t(info.out_channels)),
                       r = data(out_size);
  const std::vector<T> whole = runKernel<T>(forward, x, w, b, info.bias, r, out_size);
  const std::vector<T> packed =
      guarded<T>(packed_size, [&](T* q) { pack(w.data(), info.bias ? b.data() : nullptr, q); });
  for (const int parts : kPartCounts) {
    INFO(info.name << ": " << parts << " parts");
    const std::vector<T> split = runKernel<T>(
        [&](const T* xp, const T* wp, const T* bp, const T* rp, T* yp) {
          for (int part = 0; part < parts; ++part) partition(xp, wp, bp, rp, yp, part, parts);
        },
        x, w, b, info.bias, r, out_size);
    REQUIRE(std::memcmp(split.data(), whole.data(), out_size * sizeof(T)) == 0);
    // Packed: the same parts from pack_weights' buffer (w stands in for no weights).
    const std::vector<T> split_packed = runKernel<T>(
        [&](const T* xp, const T*, const T*, const T* rp, T* yp) {
          for (int part = parts; part-- > 0;) packed_partition(xp, packed.data(), rp, yp, part, parts);
        },
        x, w, b, info.bias, r, out_size);
    REQUIRE(std::memcmp(split_packed.data(), whole.data(), out_size * sizeof(T)) == 0);
  }
  // Out-of-range arguments write nothing.
  const std::vector<T> none = runKernel<T>(
      [&](const T* xp, const T* wp, const T* bp, const T* rp, T* yp) {
        partition(xp, wp, bp, rp, yp, 0, 0);
        partition(xp, wp, bp, rp, yp, -1, 3);
        partition(xp, wp, bp, rp, yp, 3, 3);
      },
      x, w, b, info.bias, r, out_size);
  for (std::size_t i = 0; i < out_size; ++i) {
    INFO("element " << i << " after out-of-range parts");
    REQUIRE(isGuard(none[i]));
  }
}

template <typename T, typename Info, typename Pad, typename BackwardBias>
void checkTransposeBackward(const Info& info, const Pad& output_padding, std::size_t in_size,
                            std::size_t w_size, std::size_t out_size,
                            void (*backward_input)(const T*, const T*, T*) noexcept,
                            void (*backward_weight)(const T*, const T*, T*) noexcept,
                            BackwardBias backward_bias) {
  const CpuVerdict cpu = cpuRuns(info.isa);
  if (!cpu.runs) std::exit(kSkipExitCode);
  const ref::ConvTranspose2dParams p = transposeParams(info, output_padding);
  const double u = std::numeric_limits<T>::epsilon() / 2;
  const double oh = double(ref::transposeOutputHeight(p)), ow = double(ref::transposeOutputWidth(p));
  // Terms of one grad_input element (Cout/g x taps) and of one grad_weight
  // element (N x H x W), + 1.
  const double k_in = double(info.out_channels / info.groups * info.kernel_h * info.kernel_w) + 1;
  const double k_w = double(info.batch * info.in_height * info.in_width) + 1;
  const double k_b = double(info.batch) * oh * ow + 1;
  std::mt19937_64 rng(baseSeed() ^ std::hash<std::string>{}(info.name) ^ 0x9e3779b97f4a7c15ull);
  for (bool exact : {true, false}) {
    INFO(info.name << (exact ? ": small integers" : ": random reals") << ", backward");
    auto data = [&](std::size_t n) { return exact ? smallIntegers<T>(n, rng) : uniformReals<T>(n, rng); };
    const std::vector<T> x = data(in_size), w = data(w_size), gy = data(out_size);
    std::vector<T> gx(in_size), gw(w_size), gb(std::size_t(info.out_channels));
    ref::convTranspose2dBackward(p, x.data(), w.data(), gy.data(), gx.data(), gw.data(),
                                 info.bias ? gb.data() : nullptr);
    std::vector<T> mx(in_size), mw(w_size), mb(gb.size());
    if (!exact) {
      const std::vector<T> ax = absolute(x), aw = absolute(w), ag = absolute(gy);
      ref::convTranspose2dBackward(p, ax.data(), aw.data(), ag.data(), mx.data(), mw.data(),
                                   info.bias ? mb.data() : nullptr);
    }
    auto bound = [&](const std::vector<T>& m, double kk) {
      std::vector<double> t(m.size());
      for (std::size_t i = 0; i < m.size(); ++i) t[i] = 2 * gammaOf(kk, u) * double(m[i]);
      return t;
    };
    const std::vector<double> t_in = bound(mx, k_in), t_w = bound(mw, k_w), t_b = bound(mb, k_b);
    compare("backward_input",
            guarded<T>(in_size, [&](T* o) { backward_input(gy.data(), w.data(), o); }), gx,
            exact ? nullptr : &t_in);
    compare("backward_weight",
            guarded<T>(w_size, [&](T* o) { backward_weight(x.data(), gy.data(), o); }), gw,
            exact ? nullptr : &t_w);
    if constexpr (!std::is_same_v<BackwardBias, std::nullptr_t>) {
      REQUIRE(info.bias);
      compare("backward_bias", guarded<T>(gb.size(), [&](T* o) { backward_bias(gy.data(), o); }),
              gb, exact ? nullptr : &t_b);
    } else {
      REQUIRE(!info.bias);
    }
  }
}

// The layers of ct_matrix.yaml whose numbers make_golden.py gives PyTorch.
inline const char* goldenOf(const std::string& layer) {
  static const std::pair<const char*, const char*> kGolden[] = {
      {"t_s2_op1", "s2_op1_groups"}, {"t_dil_s2_op2", "dil3_s2_op2"}, {"t_odd", "odd"},
      {"t_pad_crop_s2", "crop_s2"}, {"t_stride_gt_k", "stride_gt_k"}};
  for (const auto& [l, g] : kGolden)
    if (layer == l) return g;
  return nullptr;
}

// forward and the three gradients against PyTorch's own (golden/<case>.bin:
// x, w, b, gy, y, grad_input, grad_weight, grad_bias), each within twice the
// sound bound (both sides round): 4 * gamma_K * L.
template <typename T, typename Info, typename Forward>
void checkAgainstTorch(const Info& info, const std::array<std::int64_t, 2>& output_padding,
                       std::size_t in_size, std::size_t w_size, std::size_t out_size,
                       Forward forward, void (*backward_input)(const T*, const T*, T*) noexcept,
                       void (*backward_weight)(const T*, const T*, T*) noexcept,
                       void (*backward_bias)(const T*, T*) noexcept) {
  const char* golden = goldenOf(info.name);
  if (!golden) return;
  INFO(info.name << " against PyTorch (golden/" << golden << ".bin)");
  const std::size_t nb = std::size_t(info.out_channels);
  const std::size_t sizes[] = {in_size, w_size, nb, out_size, out_size, in_size, w_size, nb};
  std::vector<std::vector<float>> a;
  std::FILE* f = std::fopen((std::string(CONVGEN_CT_GOLDEN_DIR "/") + golden + ".bin").c_str(), "rb");
  REQUIRE(f != nullptr);
  for (std::size_t n : sizes) {
    a.emplace_back(n);
    REQUIRE(std::fread(a.back().data(), sizeof(float), n, f) == n);
  }
  char extra = 0;
  const bool more = std::fread(&extra, 1, 1, f) == 1;
  std::fclose(f);
  REQUIRE(!more);
  const ref::ConvTranspose2dParams p = transposeParams(info, output_padding);
  const double u = std::numeric_limits<float>::epsilon() / 2;
  std::vector<float> ax = absolute(a[0]), aw = absolute(a[1]), ab = absolute(a[2]), ag = absolute(a[3]);
  std::vector<float> my(out_size), mx(in_size), mw(w_size), mb(nb);
  ref::convTranspose2dForward(p, ax.data(), aw.data(), ab.data(), my.data());
  ref::convTranspose2dBackward(p, ax.data(), aw.data(), ag.data(), mx.data(), mw.data(), mb.data());
  const double oh = double(ref::transposeOutputHeight(p)), ow = double(ref::transposeOutputWidth(p));
  auto bound = [&](const std::vector<float>& m, double k) {
    std::vector<double> t(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) t[i] = 4 * gammaOf(k, u) * double(m[i]);
    return t;
  };
  const std::vector<double> t_y = bound(my, double(info.in_channels / info.groups * info.kernel_h * info.kernel_w) + 2);
  const std::vector<double> t_x = bound(mx, double(info.out_channels / info.groups * info.kernel_h * info.kernel_w) + 1);
  const std::vector<double> t_w = bound(mw, double(info.batch * info.in_height * info.in_width) + 1);
  const std::vector<double> t_b = bound(mb, double(info.batch) * oh * ow + 1);
  compare("forward vs PyTorch",
          guarded<float>(out_size, [&](float* y) { forward(a[0].data(), a[1].data(), a[2].data(), y); }),
          a[4], &t_y);
  compare("backward_input vs PyTorch",
          guarded<float>(in_size, [&](float* o) { backward_input(a[3].data(), a[1].data(), o); }), a[5],
          &t_x);
  compare("backward_weight vs PyTorch",
          guarded<float>(w_size, [&](float* o) { backward_weight(a[0].data(), a[3].data(), o); }),
          a[6], &t_w);
  compare("backward_bias vs PyTorch",
          guarded<float>(nb, [&](float* o) { backward_bias(a[3].data(), o); }), a[7], &t_b);
  // The reference itself agrees with PyTorch too (it is the oracle of the rest).
  std::vector<float> ry(out_size), rx(in_size), rw(w_size), rb(nb);
  ref::convTranspose2dForward(p, a[0].data(), a[1].data(), a[2].data(), ry.data());
  ref::convTranspose2dBackward(p, a[0].data(), a[1].data(), a[3].data(), rx.data(), rw.data(), rb.data());
  compare("reference forward vs PyTorch", ry, a[4], &t_y);
  compare("reference grad_input vs PyTorch", rx, a[5], &t_x);
  compare("reference grad_weight vs PyTorch", rw, a[6], &t_w);
  compare("reference grad_bias vs PyTorch", rb, a[7], &t_b);
}

template <typename A>
std::size_t count(const A& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= std::size_t(d);
  return n;
}

}  // namespace convgen::testing

namespace convgen::testing {
template <typename F>
struct TakesResidual;
template <typename T>
struct TakesResidual<void (*)(const T*, const T*, const T*, T*) noexcept> : std::false_type {};
template <typename T>
struct TakesResidual<void (*)(const T*, const T*, const T*, const T*, T*) noexcept>
    : std::true_type {};
}  // namespace convgen::testing

#define CONVGEN_CT_CASE(layer)                                                                  \
  namespace CONVGEN_NAMESPACE::layer {                                                          \
  using namespace ::convgen_ct_fallback;                                                        \
  inline constexpr const auto& ct_epilogue = epilogue;                                          \
  }                                                                                             \
  TEST_CASE(#layer, "[conv_transpose]") {                                                       \
    namespace L = CONVGEN_NAMESPACE::layer;                                                     \
    using T = L::value_type;                                                                    \
    using convgen::testing::count;                                                              \
    convgen::testing::checkTranspose<T>(                                                        \
        L::info, L::output_padding, convgen::testing::epilogueSpec(L::ct_epilogue),             \
        count(L::input_shape), count(L::weight_shape), count(L::output_shape),                  \
        L::packed_weight_size,                                                                  \
        [](const auto* x, const auto* w, const auto* b, const auto* r, auto* y) {               \
          if constexpr (convgen::testing::TakesResidual<decltype(&L::forward)>::value)          \
            L::forward(x, w, b, r, y);                                                          \
          else                                                                                  \
            ((void)r, L::forward(x, w, b, y));                                                  \
        },                                                                                      \
        [](const T* w, const T* b, T* q) { L::pack_weights(w, b, q); },                         \
        [](const auto* x, const auto* q, const auto* r, auto* y) {                              \
          if constexpr (convgen::testing::TakesResidual<decltype(&L::forward)>::value)          \
            L::forward_packed(x, q, r, y);                                                      \
          else                                                                                  \
            ((void)r, L::forward_packed(x, q, y));                                              \
        });                                                                                     \
  }

CONVGEN_CT_LAYERS(CONVGEN_CT_CASE)

#define CONVGEN_CT_PARTITION_CASE(layer)                                                        \
  TEST_CASE(#layer "/partitions", "[conv_transpose]") {                                         \
    namespace L = CONVGEN_NAMESPACE::layer;                                                     \
    using T = L::value_type;                                                                    \
    using convgen::testing::count;                                                              \
    constexpr bool res = convgen::testing::TakesResidual<decltype(&L::forward)>::value;         \
    convgen::testing::checkTransposePartitions<T>(                                              \
        L::info, count(L::input_shape), count(L::weight_shape), count(L::output_shape),         \
        L::packed_weight_size,                                                                  \
        [](const auto* x, const auto* w, const auto* b, const auto* r, auto* y) {               \
          if constexpr (res) L::forward(x, w, b, r, y);                                         \
          else ((void)r, L::forward(x, w, b, y));                                               \
        },                                                                                      \
        [](const auto* x, const auto* w, const auto* b, const auto* r, auto* y, int k, int n) { \
          if constexpr (res) L::forward_partition(x, w, b, r, y, k, n);                         \
          else ((void)r, L::forward_partition(x, w, b, y, k, n));                               \
        },                                                                                      \
        [](const T* w, const T* b, T* q) { L::pack_weights(w, b, q); },                         \
        [](const auto* x, const auto* q, const auto* r, auto* y, int k, int n) {                \
          if constexpr (res) L::forward_packed_partition(x, q, r, y, k, n);                     \
          else ((void)r, L::forward_packed_partition(x, q, y, k, n));                           \
        });                                                                                     \
  }

CONVGEN_CT_LAYERS(CONVGEN_CT_PARTITION_CASE)

#define CONVGEN_CT_BACKWARD_CASE(layer)                                                         \
  TEST_CASE(#layer "/backward", "[conv_transpose]") {                                           \
    namespace L = CONVGEN_NAMESPACE::layer;                                                     \
    using T = L::value_type;                                                                    \
    using convgen::testing::count;                                                              \
    convgen::testing::checkTransposeBackward<T>(L::info, L::output_padding,                     \
                                                count(L::input_shape), count(L::weight_shape),  \
                                                count(L::output_shape), &L::backward_input,     \
                                                &L::backward_weight, L::backward_bias);         \
    if constexpr (std::is_same_v<T, float> &&                                                   \
                  !std::is_same_v<decltype(L::backward_bias), const std::nullptr_t>)            \
      convgen::testing::checkAgainstTorch<T>(                                                   \
          L::info, L::output_padding, count(L::input_shape), count(L::weight_shape),            \
          count(L::output_shape),                                                               \
          [](const auto* x, const auto* w, const auto* b, auto* y) { L::forward(x, w, b, y); }, \
          &L::backward_input, &L::backward_weight, L::backward_bias);                           \
  }

CONVGEN_CT_BACKWARD(CONVGEN_CT_BACKWARD_CASE)
