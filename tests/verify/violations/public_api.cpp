// public-api: forward defined with other parameters than the header
// declares (an overload, so the declared one is never defined), and the
// extern "C" entry point missing.
// expect: 10:6: error: [public-api] 'viol::layer::forward' is defined here but not declared in the header (different parameters or return type?)
#include "layer.h"

namespace viol::layer {

// double instead of float: C++ makes this a new overload, not the kernel.
void forward(const double* input, const double* weight, const double* bias,
             double* output) noexcept {
  (void)bias;
  for (int i = 0; i < 4; ++i) output[i] = weight[0] * input[i];
}

}  // namespace viol::layer
