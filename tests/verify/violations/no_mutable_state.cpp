// no-mutable-state: a call counter, a cached pointer, and the C library's
// stdout: state shared by every call, so the kernel is not re-entrant.
// expect: 15:6: error: [no-mutable-state] namespace-scope variable 'calls' is mutable state shared by every call: the kernel would not be re-entrant (make it constexpr, or a local)
// expect: 20:17: error: [no-mutable-state] static local variable 'last_output' is mutable state shared by every call: the kernel would not be re-entrant (make it constexpr, or a local)
// expect: 22:9: error: [no-mutable-state] uses the mutable global 'stdout' (declared in <stdio.h>)
#include <cstdio>

#include "layer.h"

namespace viol::layer {
namespace {
// Constant tables are fine.
constexpr float kScale[2] = {1.0f, 0.5f};
static const int kLimit = 4;
long calls = 0;
}  // namespace

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  static float* last_output = nullptr;
  last_output = output;
  (void)stdout;
  ++calls;
  for (int i = 0; i < kLimit; ++i) output[i] = kScale[i % 2] * weight[0] * input[i];
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
