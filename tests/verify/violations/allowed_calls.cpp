// allowed-calls, scalar: library functions, a function declared but not
// defined here, a call through a pointer, a compiler builtin, and inline
// assembly. Scalar code calls only its own functions.
// expect: 21:3: error: [allowed-calls] call to 'memcpy' (declared in <string.h>): generated code calls only its own functions
// expect: 23:15: error: [allowed-calls] call to 'std::sqrt' (declared in <cmath>): generated code calls only its own functions
// expect: 24:15: error: [allowed-calls] call to 'viol::layer::tuned_scale', which this file declares but does not define: generated code calls only its own functions
// expect: 25:15: error: [allowed-calls] indirect call (through a pointer or reference): only direct calls to the file's own functions can be verified
// expect: 26:15: error: [allowed-calls] '__builtin_fmaf' is a compiler builtin: a scalar file uses no intrinsics
// expect: 27:3: error: [allowed-calls] inline assembly: generated code uses only intrinsics, which the verifier can check
#include <cmath>
#include <cstring>

#include "layer.h"

namespace viol::layer {
float tuned_scale(float x) noexcept;

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  float (*op)(float) noexcept = tuned_scale;
  (void)bias;
  std::memcpy(output, input, 4 * sizeof(float));
  for (int i = 0; i < 4; ++i) output[i] *= weight[0];
  output[0] = std::sqrt(output[0]);
  output[1] = tuned_scale(output[1]);
  output[2] = op(output[2]);
  output[3] = __builtin_fmaf(output[3], 2.0f, 1.0f);
  asm volatile("" ::: "memory");
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
