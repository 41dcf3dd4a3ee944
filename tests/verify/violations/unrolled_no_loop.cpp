// unrolled-no-loop: functions named unrolled_* are declared straight-line
// by the generator; one loops itself, one calls a function that loops.
// expect: 20:3: error: [unrolled-no-loop] 'for' loop inside 'unrolled_window', which the generator declares fully unrolled (straight-line code)
// expect: 25:3: error: [unrolled-no-loop] 'unrolled_row' calls 'accumulate', which loops: functions named unrolled_* must be straight-line code
#include "layer.h"

namespace viol::layer {
namespace {
void accumulate(float& acc, const float* w, const float* x) noexcept {
  int k = 0;
  while (k < 3) {
    acc += w[k] * x[k];
    ++k;
  }
}

// One output: the 3x3 window, "unrolled".
void unrolled_window(float& acc, const float* w, const float* x) noexcept {
  acc += w[0] * x[0];
  for (int k = 1; k < 9; ++k) acc += w[k] * x[k % 3 + 4 * (k / 3)];
}

// One kernel row.
void unrolled_row(float& acc, const float* w, const float* x) noexcept {
  accumulate(acc, w, x);
}
}  // namespace

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) {
    float acc = 0;
    unrolled_window(acc, weight, input + i % 2 + 4 * (i / 2));
    unrolled_row(acc, weight, input);
    output[i] = acc;
  }
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
