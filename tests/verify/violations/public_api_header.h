// public-api, in a header: shapes of the wrong rank and element type, a
// value_type that no dtype maps to, no info constant, a forward without
// noexcept, and an extern "C" entry with other parameters.
// expect: 16:16: error: [public-api] layer 'bad::layer': 'bad_layer_forward' is 'void (const char *, const char *, char *)', not forward's parameters returning void
// expect: 16:16: error: [public-api] layer 'bad::layer': 'weight_shape' is 'const std::array<int, 4>', not constexpr std::array<std::int64_t, R>
// expect: 16:16: error: [public-api] layer 'bad::layer': forward is not noexcept
// expect: 16:16: error: [public-api] layer 'bad::layer': input_shape and output_shape have different ranks
// expect: 16:16: error: [public-api] layer 'bad::layer': input_shape has rank 2, not 4 (NCHW) or 3 (CHW)
// expect: 16:16: error: [public-api] layer 'bad::layer': no 'info' constant (convgen::generated::LayerInfo)
// expect: 16:16: error: [public-api] layer 'bad::layer': value_type is 'char', not float, double, std::int32_t or std::int64_t
#ifndef CONVGEN_VIOLATIONS_PUBLIC_API_HEADER_H
#define CONVGEN_VIOLATIONS_PUBLIC_API_HEADER_H
#include <array>
#include <cstdint>

namespace bad::layer {
using value_type = char;
inline constexpr std::array<std::int64_t, 2> input_shape = {4, 4};
inline constexpr std::array<int, 4> weight_shape = {1, 1, 3, 3};
inline constexpr std::array<std::int64_t, 4> output_shape = {1, 1, 2, 2};
void forward(const char* input, const char* weight, const char* bias, char* output);
}  // namespace bad::layer

extern "C" void bad_layer_forward(const char* input, const char* weight, char* output);

#endif  // CONVGEN_VIOLATIONS_PUBLIC_API_HEADER_H
