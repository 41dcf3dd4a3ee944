// isa: neon
// allowed-calls, neon: an ACLE intrinsic from <arm_acle.h>, which is not
// NEON (and not a header a neon file includes), and a NEON builtin called
// directly. The <arm_neon.h> intrinsics are fine.
// expect: 9:1: error: [allowed-includes] <arm_acle.h> is not an intrinsics header neon files may include: neon files use <arm_neon.h> intrinsics only
// expect: 20:28: error: [allowed-calls] '__ror' (<arm_acle.h>) is outside the neon intrinsics: neon files use <arm_neon.h> intrinsics only
// expect: 21:3: error: [allowed-calls] '__builtin_neon_vst1q_v' is a compiler builtin: call the intrinsic, not its builtin
#include <arm_neon.h>
#include <arm_acle.h>
#define VIOL_LAYER_ISA "neon"  // layer.h's info.isa
#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  const float32x4_t x = vld1q_f32(input);
  const float32x4_t y = vmulq_n_f32(x, weight[0]);
  vst1q_f32(output, y);
  const unsigned rotated = __ror(1u, 3);
  __builtin_neon_vst1q_v(output, (int8x16_t)y, 41);
  (void)rotated;
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
