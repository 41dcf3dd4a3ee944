// max-stack: 64
// stack-frame: a tile buffer of 256 bytes, with the limit set to 64 bytes
// (a verifier option: convgen verify --max-stack 64).
// expect: 9:6: error: [stack-frame] 'viol::layer::forward' keeps 256 bytes of local arrays and aggregates on the stack, more than --max-stack 64
#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  float tile[64] = {};
  for (int i = 0; i < 4; ++i) tile[i] = weight[0] * input[i];
  for (int i = 0; i < 4; ++i) output[i] = tile[i];
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
