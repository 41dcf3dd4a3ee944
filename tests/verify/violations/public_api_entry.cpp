// public-api: forward as declared, but no extern "C" entry point defined.
// expect: 9:6: error: [public-api] layer 'viol::layer': forward is defined here but 'viol_layer_forward' is not
#include "layer.h"

namespace viol::layer {

// The C entry point viol_layer_forward, which C firmware calls, is
// declared in the header but never defined.
void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) output[i] = weight[0] * input[i];
}

}  // namespace viol::layer
