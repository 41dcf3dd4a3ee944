// Checks one layer's baked forward(input, [residual,] output) — generated
// with `weights:` (make_configs' matrix_baked config, baked_values.h's
// values) — against the reference on the same weights:
//  - packed_weights() is pack_weights() of the file's values, bit for bit
//    (the generator packs at generation time, into the layout the plan reads);
//  - on small-integer input and on random reals, between guard zones, the
//    baked forward gives forward_packed()'s bits on the same weights (it is
//    that plan, with the weights as constants), and forward()'s bits when
//    the plan packs nothing (LayerInfo::kernel == packed_kernel: the same
//    kernel);
//  - against the reference composed with the fused epilogue: bit for bit
//    when weights and input are small integers (every sum exact), else
//    within conformance.h's bound.
// Every layer, also under an emulator: the whole baked check adds under a
// second to the matrix's NEON run under qemu (measured: 6.5 s before, 6.0 to
// 7.2 s after, on a loaded 2-core machine).
#pragma once

#include "baked_values.h"
#include "conformance.h"

namespace convgen::testing {

// A baked entry point in runKernel's form; the weights and bias arguments
// are ignored (they are in the code).
struct BakedEntry {
  void (*plain)(const float*, float*) noexcept = nullptr;
  void (*with_residual)(const float*, const float*, float*) noexcept = nullptr;
  bool takes_residual = false;
  void operator()(const float* x, const float*, const float*, const float* r, float* y) const {
    if (with_residual)
      with_residual(x, r, y);
    else
      plain(x, y);
  }
};
inline BakedEntry bakedEntry(void (*f)(const float*, float*) noexcept) { return {f, nullptr, false}; }
inline BakedEntry bakedEntry(void (*f)(const float*, const float*, float*) noexcept) {
  return {nullptr, f, true};
}

// The values make_configs wrote for the layer's weight (0) or bias (1).
inline std::vector<float> bakedTensor(const char* layer, int tensor, std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = baked_values::value(layer, tensor, i);
  return v;
}

template <typename Info>
void checkBaked(const Info& info, const EpilogueSpec& epilogue, const BakedEntry& baked,
                const float* (*packed_weights)() noexcept, const Packed<float>& packed,
                const Entry<float>& forward) {
  skipUnlessCpuRuns(info);
  REQUIRE(baked.takes_residual == epilogue.residual);
  REQUIRE(std::string(info.dtype) == "float32");
  const ref::EpilogueParams epi = epilogue.params;
  const bool residual = epilogue.residual;
  const ref::Conv2dParams p = ref::paramsOf(info);
  const std::size_t x_size = info.batch * info.in_channels * info.in_height * info.in_width;
  const std::size_t w_size =
      info.out_channels * (info.in_channels / info.groups) * info.kernel_h * info.kernel_w;
  const std::size_t y_size = info.batch * info.out_channels * info.out_height * info.out_width;
  const std::vector<float> w = bakedTensor(info.name, 0, w_size);
  // A layer without bias: runKernel passes null for it.
  const std::vector<float> b = info.bias ? bakedTensor(info.name, 1, info.out_channels)
                                         : std::vector<float>(info.out_channels, 0.0f);
  const bool integer_weights = baked_values::smallIntegers(info.name);
  const std::uint64_t seed = baseSeed() ^ std::hash<std::string>()(std::string(info.name) + "/baked");
  INFO("layer " << info.name << " (kernel " << info.kernel << ", packed " << info.packed_kernel
                << "), baked " << (integer_weights ? "small-integer" : "real") << " weights, seed "
                << seed << " (set CONVGEN_TEST_SEED to vary)");
  {
    std::vector<float> buffer(packed.size + 2 * kGuard, guardValue<float>());
    packed.pack(w.data(), info.bias ? b.data() : nullptr, buffer.data() + kGuard);
    INFO("packed_weights() against pack_weights() on the file's values");
    REQUIRE(std::memcmp(buffer.data() + kGuard, packed_weights(), packed.size * sizeof(float)) == 0);
  }
  const bool same_kernel = std::string(info.kernel) == info.packed_kernel;
  std::mt19937_64 rng(seed);
  for (const bool integer_input : {true, false}) {
    const std::vector<float> x = integer_input ? smallIntegers<float>(x_size, rng)
                                               : uniformReals<float>(x_size, rng);
    const std::vector<float> r = integer_input ? smallIntegers<float>(y_size, rng)
                                               : uniformReals<float>(y_size, rng);
    INFO((integer_input ? "small-integer" : "random real") << " input");
    const std::vector<float> got = runKernel<float>(baked, x, w, b, info.bias, r, y_size);
    {
      INFO("the baked forward against forward_packed() on pack_weights() of the same values");
      const std::vector<float> unbaked = runKernel<float>(packed, x, w, b, info.bias, r, y_size);
      CHECK(std::memcmp(got.data(), unbaked.data(), y_size * sizeof(float)) == 0);
    }
    if (same_kernel) {
      INFO("the baked forward against forward() (nothing packed: the same kernel)");
      const std::vector<float> unbaked = runKernel<float>(forward, x, w, b, info.bias, r, y_size);
      CHECK(std::memcmp(got.data(), unbaked.data(), y_size * sizeof(float)) == 0);
    }
    std::vector<float> expected(y_size);
    ref::conv2dForward<float>(p, x.data(), w.data(), info.bias ? b.data() : nullptr,
                              expected.data());
    const std::vector<float> conv = expected;
    std::vector<float> sum = expected;
    ref::epilogueForward<float>(ref::EpilogueParams{}, residual ? r.data() : nullptr, sum.data(),
                                y_size);
    ref::epilogueForward<float>(epi, residual ? r.data() : nullptr, expected.data(), y_size);
    const bool exact = integer_input && integer_weights;
    std::size_t bad = 0, first = 0;
    if (exact) {
      for (std::size_t i = 0; i < y_size; ++i)
        if (got[i] != expected[i] && bad++ == 0) first = i;
    } else {  // conformance.h's bound: 2 gamma_K L, through the epilogue
      std::vector<float> ax(x), aw(w), ab(b), magnitude(y_size);
      for (std::vector<float>* v : {&ax, &aw, &ab})
        for (float& e : *v) e = std::abs(e);
      ref::conv2dForward<float>(p, ax.data(), aw.data(), info.bias ? ab.data() : nullptr,
                                magnitude.data());
      const double u = std::numeric_limits<float>::epsilon() / 2;
      const double k = static_cast<double>(
          (info.in_channels / info.groups) * info.kernel_h * info.kernel_w + (info.bias ? 1 : 0));
      const double gamma = k * u / (1 - k * u);
      for (std::size_t i = 0; i < y_size; ++i) {
        const double conv_tol = 2 * gamma * magnitude[i] + 2 * u * std::abs(double(conv[i]));
        const double tol = epilogueTolerance(epi, conv_tol, u, conv[i], residual ? r[i] : 0,
                                             sum[i], expected[i]);
        if (!(std::abs(double(got[i]) - double(expected[i])) <= tol) && bad++ == 0) first = i;
      }
    }
    INFO((exact ? "exact" : "within the bound") << ": first mismatch at flat index " << first
                                                 << ": got " << got[first] << ", expected "
                                                 << expected[first]);
    CHECK(bad == 0);
  }
}

// That every activation convgen fuses runs, exactly checked, in baked code
// of the ISA: some layer with small-integer weights (exact on small-integer
// input) has each activation and is `isa` code ("scalar" for scalar and
// native builds, whose ISA is the CPU's).
struct BakedLayerSummary {
  std::string name, isa;
  ref::Activation activation;
};
inline void checkEveryActivationBaked(const std::vector<BakedLayerSummary>& layers,
                                      const std::string& isa) {
  const std::pair<ref::Activation, const char*> all[] = {
      {ref::Activation::None, "none"},           {ref::Activation::Relu, "relu"},
      {ref::Activation::Relu6, "relu6"},         {ref::Activation::LeakyRelu, "leaky_relu"},
      {ref::Activation::Clamp, "clamp"},         {ref::Activation::Hardswish, "hardswish"}};
  for (const auto& [activation, name] : all) {
    std::size_t n = 0;
    for (const BakedLayerSummary& l : layers)
      n += l.activation == activation && baked_values::smallIntegers(l.name.c_str()) &&
           (isa == "scalar" || isa == "native" || l.isa == isa);
    INFO("activation " << name << ": " << n << " baked layers of " << isa
                       << " code with small-integer weights");
    CHECK(n > 0);
  }
}

}  // namespace convgen::testing
