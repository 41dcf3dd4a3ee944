// Baked weights: every layer of tests/baked/baked.yaml, generated with
// `weights:` (make_weights' values), for one ISA. Per layer:
//  - packed_weights() equals the emitted pack_weights() on the folded
//    weights, bit for bit (the generator packs at generation time);
//  - forward(input, output), between guard zones, against the reference
//    with BatchNorm applied unfused in double: bit for bit on small-integer
//    input where the fold is exact, and within the bound of
//    docs/semantics.md section 11 otherwise and on random reals.
#include "baked.h"
#include "baked_expect.h"
#include "conformance.h"

namespace {

using convgen::testing::guardValue;
using convgen::testing::isGuard;
using convgen::testing::kGuard;

const baked_expect::Layer& expectation(const char* name) {
  for (const baked_expect::Layer& l : baked_expect::kLayers)
    if (std::string(l.name) == name) return l;
  FAIL("no expectation for layer " << name);
  std::abort();
}

// The documented fold, in double, each result rounded once to float.
void fold(const baked_expect::Layer& e, std::int64_t out, std::vector<float>& w,
          std::vector<float>& b) {
  const std::size_t per = e.weight.size() / out;
  w.assign(e.weight.begin(), e.weight.end());
  b.assign(e.bias.begin(), e.bias.end());
  if (!e.batch_norm) return;
  b.assign(out, 0.0f);
  for (std::int64_t o = 0; o < out; ++o) {
    const double s = e.gamma[o] / std::sqrt(e.var[o] + e.eps);
    for (std::size_t k = 0; k < per; ++k)
      w[o * per + k] = static_cast<float>(e.weight[o * per + k] * s);
    b[o] = static_cast<float>(((e.bias.empty() ? 0.0 : e.bias[o]) - e.mean[o]) * s + e.beta[o]);
  }
}

template <typename Info, typename Forward>
void checkBaked(const Info& info, std::size_t packed_size,
                void (*pack)(const float*, const float*, float*) noexcept,
                const float* (*packed_weights)() noexcept, Forward forward) {
  convgen::testing::skipUnlessCpuRuns(info);
  const baked_expect::Layer& e = expectation(info.name);
  const std::int64_t out = info.out_channels;
  std::vector<float> w, b;
  fold(e, out, w, b);
  REQUIRE(info.bias == !b.empty());  // a folded BatchNorm gives the layer a bias
  {
    std::vector<float> packed(packed_size + 2 * kGuard, guardValue<float>());
    pack(w.data(), b.empty() ? nullptr : b.data(), packed.data() + kGuard);
    CHECK(std::memcmp(packed.data() + kGuard, packed_weights(), packed_size * sizeof(float)) == 0);
  }
  const convgen::ref::Conv2dParams p = convgen::ref::paramsOf(info);
  const std::size_t x_size = info.batch * info.in_channels * info.in_height * info.in_width;
  const std::size_t y_size = info.batch * out * info.out_height * info.out_width;
  const std::size_t plane = info.out_height * info.out_width;
  std::mt19937_64 rng(convgen::testing::baseSeed() ^ std::hash<std::string>()(info.name));
  // The unfused reference in double: conv with the file's weights, then
  // (y - mean) / sqrt(var + eps) * gamma + beta.
  auto reference = [&](const std::vector<double>& x, const std::vector<double>& weight,
                       const std::vector<double>& bias, bool batch_norm) {
    std::vector<double> y(y_size);
    convgen::ref::conv2dForward<double>(p, x.data(), weight.data(),
                                        bias.empty() ? nullptr : bias.data(), y.data());
    if (batch_norm)
      for (std::size_t i = 0; i < y_size; ++i) {
        const std::size_t o = i / plane % out;
        y[i] = (y[i] - e.mean[o]) / std::sqrt(e.var[o] + e.eps) * e.gamma[o] + e.beta[o];
      }
    return y;
  };
  for (const bool integers : {true, false}) {
    const std::vector<float> x = integers ? convgen::testing::smallIntegers<float>(x_size, rng)
                                          : convgen::testing::uniformReals<float>(x_size, rng);
    const std::vector<float> x_copy = x;
    std::vector<float> y(y_size + 2 * kGuard, guardValue<float>());
    forward(x.data(), y.data() + kGuard);
    for (std::size_t i = 0; i < kGuard; ++i) {
      REQUIRE(isGuard(y[i]));
      REQUIRE(isGuard(y[kGuard + y_size + i]));
    }
    REQUIRE(x == x_copy);
    const std::vector<double> xd(x.begin(), x.end());
    const std::vector<double> expected = reference(xd, e.weight, e.bias, e.batch_norm);
    // L = sum |x * w'| + |b'| on the folded weights.
    std::vector<double> ax(xd), aw(w.begin(), w.end()), ab(b.begin(), b.end());
    for (std::vector<double>* v : {&ax, &aw, &ab})
      for (double& d : *v) d = std::abs(d);
    const std::vector<double> magnitude = reference(ax, aw, ab, false);
    const double u = std::numeric_limits<float>::epsilon() / 2;
    // One more rounding per term than the conformance bound: the fold's.
    const double k = double(e.weight.size() / out) + 2;
    const double gamma = k * u / (1 - k * u);
    std::size_t bad = 0, first = 0;
    for (std::size_t i = 0; i < y_size; ++i) {
      const double got = y[kGuard + i];
      const bool ok = integers && e.exact
                          ? got == expected[i]
                          : std::abs(got - expected[i]) <=
                                2 * gamma * magnitude[i] + 2 * u * std::abs(expected[i]);
      if (!ok && bad++ == 0) first = i;
    }
    INFO("layer " << info.name << ", " << (integers ? "small-integer" : "random real")
                  << " input, " << (integers && e.exact ? "exact" : "within the bound")
                  << ": first mismatch at " << first << ": got " << y[kGuard + first]
                  << ", expected " << expected[first]);
    CHECK(bad == 0);
  }
}

}  // namespace

#define BAKED_CASE(layer)                                                                    \
  TEST_CASE(#layer, "[baked]") {                                                             \
    checkBaked(baked::layer::info, baked::layer::packed_weight_size,                         \
               &baked::layer::pack_weights, &baked::layer::packed_weights,                   \
               [](const float* x, float* y) { baked::layer::forward(x, y); });               \
  }
CONVGEN_BAKED_LAYERS(BAKED_CASE)

TEST_CASE("some layer of this ISA packs, so the packed layout is tested", "[baked]") {
#define BAKED_PACKS(layer) +(std::string(baked::layer::info.kernel) != baked::layer::info.packed_kernel)
  const int packing = 0 CONVGEN_BAKED_LAYERS(BAKED_PACKS);
  // The deep layer packs on every vector ISA (and nothing packs on scalar).
  const std::string isa = baked::deep::info.isa;
  INFO("generated for " << BAKED_ISA << ", ISA " << isa << ": " << packing << " layers pack");
  CHECK((isa == "scalar" ? packing == 0 : packing > 0));
}
