// no-heap: scratch space from the free store, three ways.
// expect: 16:16: error: [no-heap] 'new' allocates on the heap
// expect: 17:22: error: [no-heap] variable 'rows' has type 'std::vector<float>': std::vector allocates on the heap
// expect: 18:36: error: [no-heap] call to 'malloc' allocates on the heap
// expect: 24:3: error: [no-heap] 'delete' frees heap memory
// expect: 25:3: error: [no-heap] call to 'free' frees heap memory
#include <cstdlib>
#include <vector>

#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  float* acc = new float[4];
  std::vector<float> rows(4);
  float* tmp = static_cast<float*>(std::malloc(4 * sizeof(float)));
  (void)rows;
  for (int i = 0; i < 4; ++i) acc[i] = tmp[i] = 0;
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 9; ++k) acc[i] += weight[k] * input[i + k % 3 + 4 * (k / 3)];
  for (int i = 0; i < 4; ++i) output[i] = acc[i];
  delete[] acc;
  std::free(tmp);
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
