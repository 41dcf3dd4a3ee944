// One Catch2 test case per generated layer, expanded from the generated
// header's X-macro: the layer list comes from the config, never by hand.
// Compiled with -DCONVGEN_HEADER="<name>.h" -DCONVGEN_NAMESPACE=<ns>
// -DCONVGEN_LAYERS=CONVGEN_<NAME>_LAYERS, and -DCONVGEN_CONFORMANCE_EXPECT_ISA="<isa>"
// where the config must get some <isa> code (else it would test scalar code
// only, and pass, under an ISA's name).
#include CONVGEN_HEADER

#include "conformance.h"

// A layer's `epilogue` constant when its header declares one, else this
// (found by unqualified lookup from the layer's namespace: see below).
namespace convgen_conformance_fallback {
inline constexpr convgen::testing::NoEpilogue epilogue{};
}  // namespace convgen_conformance_fallback

// Two cases per layer. One checks forward() on PyTorch's weights and
// pack_weights() then forward_packed() (the packed buffer between guard
// zones: pack_weights must write exactly packed_weight_size values) against
// the same reference run, with the layer's fused epilogue composed after it.
// The other, that forward_partition() in 1 to 7 parts gives forward()'s bits.
#define CONVGEN_CONFORMANCE_CASE(layer)                                                    \
  namespace CONVGEN_NAMESPACE::layer {                                                     \
  using namespace ::convgen_conformance_fallback;                                          \
  inline constexpr const auto& conformance_epilogue = epilogue;                            \
  }                                                                                        \
  TEST_CASE(#layer, "[conformance]") {                                                     \
    using T = CONVGEN_NAMESPACE::layer::value_type;                                        \
    convgen::testing::checkLayer<T>(                                                       \
        CONVGEN_NAMESPACE::layer::info,                                                    \
        convgen::testing::epilogueSpec(CONVGEN_NAMESPACE::layer::conformance_epilogue),    \
        convgen::testing::entry<T>(&CONVGEN_NAMESPACE::layer::forward),                    \
        convgen::testing::packedEntry<T>(CONVGEN_NAMESPACE::layer::packed_weight_size,     \
                                         &CONVGEN_NAMESPACE::layer::pack_weights,          \
                                         &CONVGEN_NAMESPACE::layer::forward_packed));      \
  }                                                                                        \
  TEST_CASE(#layer "/partitions", "[conformance]") {                                       \
    using T = CONVGEN_NAMESPACE::layer::value_type;                                        \
    convgen::testing::checkPartitions<T>(                                                  \
        CONVGEN_NAMESPACE::layer::info,                                                    \
        convgen::testing::entry<T>(&CONVGEN_NAMESPACE::layer::forward),                    \
        convgen::testing::partitionEntry<T>(&CONVGEN_NAMESPACE::layer::forward_partition)); \
  }

CONVGEN_LAYERS(CONVGEN_CONFORMANCE_CASE)

// A config generated with `weights:` (baked_conformance_test.cpp compiles
// this file for it, next to the unbaked config's copy in the same binary):
// a third case per layer, the baked forward (baked_conformance.h), and one
// that every activation is checked exactly in baked code of this ISA.
#if defined(CONVGEN_CONFORMANCE_BAKED)
#include "baked_conformance.h"
#define CONVGEN_BAKED_CASE(layer)                                                          \
  TEST_CASE(#layer "/baked", "[conformance][baked]") {                                     \
    convgen::testing::checkBaked(                                                          \
        CONVGEN_NAMESPACE::layer::info,                                                    \
        convgen::testing::epilogueSpec(CONVGEN_NAMESPACE::layer::conformance_epilogue),    \
        convgen::testing::bakedEntry(&CONVGEN_NAMESPACE::layer::forward),                  \
        &CONVGEN_NAMESPACE::layer::packed_weights,                                         \
        convgen::testing::packedEntry<float>(CONVGEN_NAMESPACE::layer::packed_weight_size, \
                                             &CONVGEN_NAMESPACE::layer::pack_weights,      \
                                             &CONVGEN_NAMESPACE::layer::forward_packed),   \
        convgen::testing::entry<float>(&CONVGEN_NAMESPACE::layer::forward));               \
  }
CONVGEN_LAYERS(CONVGEN_BAKED_CASE)
#define CONVGEN_BAKED_SUMMARY(layer)                                                       \
  {CONVGEN_NAMESPACE::layer::info.name, CONVGEN_NAMESPACE::layer::info.isa,                \
   convgen::testing::epilogueSpec(CONVGEN_NAMESPACE::layer::conformance_epilogue)          \
       .params.activation},
TEST_CASE("every activation is exact in baked " CONVGEN_CONFORMANCE_ISA " code", "[conformance]") {
  convgen::testing::checkEveryActivationBaked({CONVGEN_LAYERS(CONVGEN_BAKED_SUMMARY)},
                                              CONVGEN_CONFORMANCE_ISA);
}
#endif

// In a binary with a baked half (CONVGEN_BAKED_HEADER), the check runs on
// that half: the matrix's float32 layers, which every vector ISA vectorizes,
// are there.
#if defined(CONVGEN_CONFORMANCE_EXPECT_ISA) && \
    (defined(CONVGEN_CONFORMANCE_BAKED) || !defined(CONVGEN_BAKED_HEADER))
#define CONVGEN_CONFORMANCE_INFO(layer) &CONVGEN_NAMESPACE::layer::info,
TEST_CASE("some layer is " CONVGEN_CONFORMANCE_EXPECT_ISA " code", "[conformance]") {
  convgen::testing::checkSomeLayerIs({CONVGEN_LAYERS(CONVGEN_CONFORMANCE_INFO)},
                                     CONVGEN_CONFORMANCE_EXPECT_ISA);
}
#endif

// Pooling layers (configs with any): one case each, expanded from the
// header's pool X-macro (CONVGEN_POOLS, defined by conformance.cmake).
#if defined(CONVGEN_GENERATED_POOL_INFO_V1)
#include "pool_conformance.h"
#define CONVGEN_CONFORMANCE_POOL_CASE(layer)                                   \
  TEST_CASE(#layer, "[conformance][pool]") {                                   \
    using T = CONVGEN_NAMESPACE::layer::value_type;                            \
    convgen::testing::checkPool<T>(CONVGEN_NAMESPACE::layer::info,             \
                                   &CONVGEN_NAMESPACE::layer::forward);        \
  }
CONVGEN_POOLS(CONVGEN_CONFORMANCE_POOL_CASE)
#endif

#if defined(CONVGEN_BACKWARD_LAYERS)
// Layers with backward: true (the header's backward X-macro): their three
// gradients against the reference (backward.h). A layer without bias has
// no backward_bias, so qualified lookup falls back to this null one.
#include "backward.h"

namespace convgen_backward_fallback {
constexpr std::nullptr_t backward_bias = nullptr;
}  // namespace convgen_backward_fallback

#define CONVGEN_BACKWARD_CASE(layer)                                                       \
  namespace CONVGEN_NAMESPACE::layer {                                                     \
  using namespace ::convgen_backward_fallback;                                             \
  }                                                                                        \
  TEST_CASE(#layer "/backward", "[conformance][backward]") {                               \
    using T = CONVGEN_NAMESPACE::layer::value_type;                                        \
    convgen::testing::checkBackward<T>(                                                    \
        CONVGEN_NAMESPACE::layer::info,                                                    \
        convgen::testing::BackwardKernels<T>{&CONVGEN_NAMESPACE::layer::backward_input,    \
                                             &CONVGEN_NAMESPACE::layer::backward_weight,   \
                                             CONVGEN_NAMESPACE::layer::backward_bias},     \
        /* the 4-argument one: a baked layer's forward(input, output) is an overload */    \
        static_cast<void (*)(const T*, const T*, const T*, T*) noexcept>(                  \
            &CONVGEN_NAMESPACE::layer::forward));                                          \
  }

CONVGEN_BACKWARD_LAYERS(CONVGEN_BACKWARD_CASE)
#endif
