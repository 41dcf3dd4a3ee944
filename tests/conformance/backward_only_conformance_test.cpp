// The gradients of a config's layers that have none of their own, in the
// same binary as that config's cases (conformance.cmake's GRADIENTS_CONFIG):
// make_configs' matrix_gradients, the epilogue-free twins of the matrix
// layers that have an epilogue (convgen generates gradients only without
// one), each with `backward: only` (no forward code) under its matrix
// layer's name. Compiled with -DCONVGEN_GRADIENTS_HEADER="<name>.h",
// -DCONVGEN_GRADIENTS_NAMESPACE=<ns> and
// -DCONVGEN_GRADIENTS_LAYERS=CONVGEN_<NAME>_BACKWARD_ONLY_LAYERS, next to the
// definitions conformance_test.cpp takes (CONVGEN_HEADER, CONVGEN_LAYERS,
// CONVGEN_BACKWARD_LAYERS and their CONVGEN_BAKED_* twins).
//
// Per twin, its three gradients against the reference (backward.h), the
// float64 finite-difference spot checks taken on the reference's forward
// (the twin has none of its own; those differences share nothing with the
// reference's backward pass). Once per binary, that every layer of the
// config (and of its baked half) has its gradients checked here exactly
// once, and that each twin is the conv of the layer it is named after.
#include CONVGEN_GRADIENTS_HEADER
#include CONVGEN_HEADER
#if defined(CONVGEN_BAKED_HEADER)
#include CONVGEN_BAKED_HEADER
#endif

#include <map>
#include <string>
#include <vector>

#include "backward.h"

namespace convgen_gradients_fallback {
constexpr std::nullptr_t backward_bias = nullptr;  // a layer without bias has none
}  // namespace convgen_gradients_fallback

#define CONVGEN_GRADIENTS_CASE(layer)                                                          \
  namespace CONVGEN_GRADIENTS_NAMESPACE::layer {                                               \
  using namespace ::convgen_gradients_fallback;                                                \
  }                                                                                            \
  TEST_CASE(#layer "/backward", "[conformance][backward][backward_only]") {                    \
    using T = CONVGEN_GRADIENTS_NAMESPACE::layer::value_type;                                  \
    const auto& info = CONVGEN_GRADIENTS_NAMESPACE::layer::info;                               \
    convgen::testing::checkBackward<T>(                                                        \
        info,                                                                                  \
        convgen::testing::BackwardKernels<T>{&CONVGEN_GRADIENTS_NAMESPACE::layer::backward_input, \
                                             &CONVGEN_GRADIENTS_NAMESPACE::layer::backward_weight, \
                                             CONVGEN_GRADIENTS_NAMESPACE::layer::backward_bias},  \
        convgen::testing::referenceForward<T>(info));                                          \
  }

CONVGEN_GRADIENTS_LAYERS(CONVGEN_GRADIENTS_CASE)

namespace {

using Info = convgen::generated::LayerInfo;

// The conv of a layer: every LayerInfo field but its forward's plan
// (strategy, kernel names), which a backward-only layer does not have. The
// ISA is the gradients' code's, and must be what the layer itself gets.
std::string convOf(const Info& i) {
  return std::string(i.name) + (i.batched ? " batched" : " unbatched") + " n" +
         std::to_string(i.batch) + " c" + std::to_string(i.in_channels) + "x" +
         std::to_string(i.in_height) + "x" + std::to_string(i.in_width) + " o" +
         std::to_string(i.out_channels) + "x" + std::to_string(i.out_height) + "x" +
         std::to_string(i.out_width) + " k" + std::to_string(i.kernel_h) + "x" +
         std::to_string(i.kernel_w) + " s" + std::to_string(i.stride_h) + "x" +
         std::to_string(i.stride_w) + " d" + std::to_string(i.dilation_h) + "x" +
         std::to_string(i.dilation_w) + " p" + std::to_string(i.pad_top) + "," +
         std::to_string(i.pad_bottom) + "," + std::to_string(i.pad_left) + "," +
         std::to_string(i.pad_right) + " g" + std::to_string(i.groups) +
         (i.bias ? " bias " : " nobias ") + i.padding_mode + " " + i.dtype + " " + i.isa +
         " macs" + std::to_string(i.macs);
}

}  // namespace

#define CONVGEN_GRADIENTS_INFO(layer) &CONVGEN_GRADIENTS_NAMESPACE::layer::info,
#define CONVGEN_MAIN_INFO(layer) &CONVGEN_NAMESPACE::layer::info,
#if defined(CONVGEN_BAKED_HEADER)
#define CONVGEN_BAKED_INFO(layer) &CONVGEN_BAKED_NAMESPACE::layer::info,
#endif
#define CONVGEN_NAME(ns, layer) ns::layer::info.name,
#define CONVGEN_MAIN_BACKWARD_NAME(layer) CONVGEN_NAME(CONVGEN_NAMESPACE, layer)
#define CONVGEN_BAKED_BACKWARD_NAME(layer) CONVGEN_NAME(CONVGEN_BAKED_NAMESPACE, layer)

TEST_CASE("every layer's gradients are checked exactly once and each twin is its layer's conv",
          "[conformance][backward]") {
  // Every layer of the config and its baked half, by name.
  std::map<std::string, const Info*> layers;
  std::size_t listed = 0;
  for (const Info* info : std::vector<const Info*>{CONVGEN_LAYERS(CONVGEN_MAIN_INFO)
#if defined(CONVGEN_BAKED_HEADER)
                                                       CONVGEN_BAKED_LAYERS(CONVGEN_BAKED_INFO)
#endif
       }) {
    layers[info->name] = info;
    ++listed;
  }
  REQUIRE(layers.size() == listed);  // the halves share no name
  // Every layer whose gradients a case of this binary checks.
  std::vector<const char*> checked = {
#if defined(CONVGEN_BACKWARD_LAYERS)
      CONVGEN_BACKWARD_LAYERS(CONVGEN_MAIN_BACKWARD_NAME)
#endif
#if defined(CONVGEN_BAKED_BACKWARD_LAYERS)
          CONVGEN_BAKED_BACKWARD_LAYERS(CONVGEN_BAKED_BACKWARD_NAME)
#endif
  };
  const std::size_t with_forward = checked.size();
  std::map<std::string, const Info*> twins;
  for (const Info* info : std::vector<const Info*>{CONVGEN_GRADIENTS_LAYERS(CONVGEN_GRADIENTS_INFO)}) {
    checked.push_back(info->name);
    twins[info->name] = info;
  }
  INFO(layers.size() << " layers; " << with_forward << " with backward: true, "
                     << checked.size() - with_forward << " backward-only twins");
  std::map<std::string, int> times;
  for (const char* name : checked) ++times[name];
  for (const auto& [name, n] : times) {
    INFO("layer " << name << ": gradients checked " << n << " times");
    CHECK(n == 1);
    CHECK(layers.count(name) == 1);  // a twin or a case of a layer the config has
  }
  for (const auto& [name, info] : layers) {
    INFO("layer " << name << " has no gradient case");
    CHECK(times.count(name) == 1);
  }
  CHECK(checked.size() == layers.size());
  CHECK(twins.size() > 0);
  for (const auto& [name, twin] : twins) {
    if (!layers.count(name)) continue;  // failed above
    CHECK(convOf(*twin) == convOf(*layers[name]));
    CHECK(std::string(twin->strategy) == "none");
  }
}
