// allowed-includes: a POSIX header, and an intrinsics header in a scalar
// file. Generated code includes only standard headers, its ISA's intrinsics
// header and its own header.
// expect: 7:1: error: [allowed-includes] <unistd.h> is not a standard header: generated code includes only standard headers, its ISA's intrinsics header and its own header
// expect: 8:1: error: [allowed-includes] <immintrin.h> is not an intrinsics header scalar files may include: a scalar file uses no intrinsics
#include <cstdint>
#include <unistd.h>
#include <immintrin.h>

#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) output[i] = weight[0] * input[i];
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
