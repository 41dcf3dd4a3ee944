// no-exceptions: a kernel that reports bad input by throwing.
// expect: 13:15: error: [no-exceptions] 'throw': generated code throws nothing and builds with -fno-exceptions
// expect: 14:3: error: [no-exceptions] 'try' block: generated code throws nothing and builds with -fno-exceptions
#include "layer.h"

namespace viol::layer {
namespace {
struct BadInput {};
}  // namespace

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  if (!input) throw BadInput{};
  try {
    for (int i = 0; i < 4; ++i) output[i] = weight[0] * input[i];
  } catch (...) {
    output[0] = 0;
  }
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
