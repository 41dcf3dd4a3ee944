// isa: avx512
// allowed-calls, avx512: an AVX-512BW intrinsic where the ISA's flags
// (-mavx512f) enable AVX-512F only. The AVX-512F ones and the mask
// intrinsics are fine.
// expect: 19:21: error: [allowed-calls] '_mm512_add_epi16' needs target feature 'avx512bw', which avx512 files are not compiled with (-mavx512f)
#include <immintrin.h>
#define VIOL_LAYER_ISA "avx512"  // layer.h's info.isa
#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  const __mmask16 first4 = _cvtu32_mask16(0x000f);
  const __m512 x = _mm512_maskz_loadu_ps(first4, input);
  const __m512 y = _mm512_mul_ps(x, _mm512_set1_ps(weight[0]));
  _mm512_mask_storeu_ps(output, first4, y);
  const __m512i a = _mm512_set1_epi16(1);
  const __m512i b = _mm512_add_epi16(a, a);
  (void)b;
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
