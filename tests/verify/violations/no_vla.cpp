// no-vla: scratch space sized at run time, on the stack.
// expect: 11:9: error: [no-vla] 'scratch' is a variable-length array: its stack use is unbounded
// expect: 12:37: error: [no-vla] 'alloca' is a variable-size stack allocation: its stack use is unbounded
#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  const int n = input[0] > 0 ? 4 : 8;  // known at run time only
  float scratch[n];
  float* more = static_cast<float*>(__builtin_alloca(n * sizeof(float)));
  for (int i = 0; i < 4; ++i) {
    scratch[i] = more[i] = weight[0] * input[i];
    output[i] = scratch[i] + more[i];
  }
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
