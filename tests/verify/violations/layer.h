// The public API of one small layer, as a generated header declares it. The
// violation sources next to it include this header and define forward, so
// that each breaks only the rule it is named after; this header itself
// passes every rule (no `expect:` lines).
#ifndef CONVGEN_VIOLATIONS_LAYER_H
#define CONVGEN_VIOLATIONS_LAYER_H

#include <array>
#include <cstdint>

#ifndef CONVGEN_GENERATED_LAYER_INFO_V2
#define CONVGEN_GENERATED_LAYER_INFO_V2
namespace convgen::generated {
inline namespace layer_info_v2 {
// LayerInfo v2's layout, cut down: the verifier reads `isa` by field name.
struct LayerInfo {
  const char* name;
  const char* isa;
  const char* strategy;
  const char* kernel;
  std::int64_t macs;
};
}  // namespace layer_info_v2
}  // namespace convgen::generated
#endif  // CONVGEN_GENERATED_LAYER_INFO_V2

// The ISA of the layer's code: a source of another ISA defines it first.
#ifndef VIOL_LAYER_ISA
#define VIOL_LAYER_ISA "scalar"
#endif

namespace viol::layer {
using value_type = float;
inline constexpr std::array<std::int64_t, 4> input_shape = {1, 1, 4, 4};
inline constexpr std::array<std::int64_t, 4> weight_shape = {1, 1, 3, 3};
inline constexpr std::array<std::int64_t, 4> output_shape = {1, 1, 2, 2};
inline constexpr convgen::generated::LayerInfo info = {
    /*name=*/"layer", /*isa=*/VIOL_LAYER_ISA, /*strategy=*/"direct", /*kernel=*/"layer_3x3",
    /*macs=*/36};
void forward(const float* input, const float* weight, const float* bias, float* output) noexcept;
}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output);

#endif  // CONVGEN_VIOLATIONS_LAYER_H
