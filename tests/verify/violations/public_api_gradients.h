// public-api, in a header: a layer generated with `backward: only` has its
// gradients in place of forward. This one's backward_input is not noexcept,
// backward_weight takes doubles, backward_bias is declared although
// bias_shape says there is no bias, and backward_weight has no C twin.
// expect: 26:16: error: [public-api] layer 'bad::grad': backward_bias is declared, but bias_shape is {0} (no bias)
// expect: 26:16: error: [public-api] layer 'bad::grad': backward_input is not noexcept
// expect: 26:16: error: [public-api] layer 'bad::grad': backward_weight is 'void (const double *, const double *, double *) noexcept', not 'void (const float *, const float *, float *) noexcept'
// expect: 26:16: error: [public-api] layer 'bad::grad': no extern "C" entry point 'bad_grad_backward_weight'
#ifndef CONVGEN_VIOLATIONS_PUBLIC_API_GRADIENTS_H
#define CONVGEN_VIOLATIONS_PUBLIC_API_GRADIENTS_H
#include <array>
#include <cstdint>

#ifndef CONVGEN_GENERATED_LAYER_INFO_V2
#define CONVGEN_GENERATED_LAYER_INFO_V2
namespace convgen::generated {
inline namespace layer_info_v2 {
struct LayerInfo {
  const char* name;
  const char* isa;
};
}  // namespace layer_info_v2
}  // namespace convgen::generated
#endif  // CONVGEN_GENERATED_LAYER_INFO_V2

namespace bad::grad {
using value_type = float;
inline constexpr std::array<std::int64_t, 4> input_shape = {1, 3, 8, 8};
inline constexpr std::array<std::int64_t, 4> weight_shape = {4, 3, 3, 3};
inline constexpr std::array<std::int64_t, 1> bias_shape = {0};
inline constexpr std::array<std::int64_t, 4> output_shape = {1, 4, 6, 6};
inline constexpr convgen::generated::LayerInfo info = {/*name=*/"grad", /*isa=*/"scalar"};
void backward_input(const float* grad_output, const float* weight, float* grad_input);
void backward_weight(const double* input, const double* grad_output, double* grad_weight) noexcept;
void backward_bias(const float* grad_output, float* grad_bias) noexcept;
}  // namespace bad::grad

extern "C" void bad_grad_backward_input(const float* grad_output, const float* weight,
                                        float* grad_input);

#endif  // CONVGEN_VIOLATIONS_PUBLIC_API_GRADIENTS_H
