// no-recursion: a recursive sum, and two functions that call each other.
// expect: 11:37: error: [no-recursion] 'sum' is recursive (sum -> sum): generated code's stack use must be bounded
// expect: 16:10: error: [no-recursion] 'even' is recursive (even -> odd -> even): generated code's stack use must be bounded
#include "layer.h"

namespace viol::layer {
namespace {
bool odd(int n) noexcept;

float sum(const float* x, int n) noexcept {
  return n == 0 ? 0.0f : x[n - 1] + sum(x, n - 1);
}

bool even(int n) noexcept {
  if (n == 0) return true;
  return odd(n - 1);
}
bool odd(int n) noexcept { return n == 0 ? false : even(n - 1); }
}  // namespace

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) output[i] = (even(i) ? sum(weight, 9) : 1.0f) * input[i];
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
