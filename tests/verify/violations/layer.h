// The public API of one small layer, as a generated header declares it. The
// violation sources next to it include this header and define forward, so
// that each breaks only the rule it is named after; this header itself
// passes every rule (no `expect:` lines).
#ifndef CONVGEN_VIOLATIONS_LAYER_H
#define CONVGEN_VIOLATIONS_LAYER_H

#include <array>
#include <cstdint>

namespace convgen::generated {
struct LayerInfo {
  const char* name;
  std::int64_t macs;
};
}  // namespace convgen::generated

namespace viol::layer {
using value_type = float;
inline constexpr std::array<std::int64_t, 4> input_shape = {1, 1, 4, 4};
inline constexpr std::array<std::int64_t, 4> weight_shape = {1, 1, 3, 3};
inline constexpr std::array<std::int64_t, 4> output_shape = {1, 1, 2, 2};
inline constexpr convgen::generated::LayerInfo info = {"layer", 36};
void forward(const float* input, const float* weight, const float* bias, float* output) noexcept;
}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output);

#endif  // CONVGEN_VIOLATIONS_LAYER_H
