// isa: avx2
// allowed-calls, avx2: AVX-512 intrinsics (one a function, one a macro over
// a builtin) and an AVX-512VL one in an AVX2 file. The AVX2 and FMA ones
// are fine.
// expect: 23:3: error: [allowed-calls] '_mm512_storeu_ps' (<avx512fintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
// expect: 23:26: error: [allowed-calls] '_mm512_set1_ps' (<avx512fintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
// expect: 24:14: error: [allowed-calls] '_mm256_mask_add_ps' (<avx512vlintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
// expect: 25:14: error: [allowed-calls] '_mm512_shuffle_ps' (<avx512fintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
// expect: 25:32: error: [allowed-calls] '_mm512_setzero_ps' (<avx512fintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
// expect: 25:53: error: [allowed-calls] '_mm512_setzero_ps' (<avx512fintrin.h>) is outside the avx2 intrinsics: avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only
#include <immintrin.h>
#define VIOL_LAYER_ISA "avx2"  // layer.h's info.isa
#include "layer.h"

namespace viol::layer {

void forward(const float* input, const float* weight, const float* bias, float* output) noexcept {
  (void)bias;
  const __m128 x = _mm_loadu_ps(input);
  const __m128 y = _mm_mul_ps(x, _mm_set1_ps(weight[0]));
  _mm_storeu_ps(output, y);
  float wide[16];
  _mm512_storeu_ps(wide, _mm512_set1_ps(weight[1]));
  __m256 v = _mm256_mask_add_ps(_mm256_setzero_ps(), 0x0f, _mm256_loadu_ps(wide), _mm256_loadu_ps(wide));
  __m512 s = _mm512_shuffle_ps(_mm512_setzero_ps(), _mm512_setzero_ps(), 0);
  (void)v;
  (void)s;
}

}  // namespace viol::layer

extern "C" void viol_layer_forward(const float* input, const float* weight, const float* bias,
                                   float* output) {
  viol::layer::forward(input, weight, bias, output);
}
