#include "peak.h"

#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace convgen::bench {
namespace {

using Clock = std::chrono::steady_clock;

// 16 independent accumulators cover FMA latency x pipes on current cores
// (4 cycles x 2 pipes = 8) with room to spare. Lambdas would not inherit the
// target attribute, so each ISA spells its loop out.
// AVX2 has 16 ymm registers: 16 chains and the multiplier spill (measured:
// a 64 GFLOP/s "peak" that kernels then beat by 40%), so 12 there.
constexpr int kChains = 16;
constexpr int kChainsYmm = 12;
constexpr double kSeconds = 0.2;

double rate(int lanes, int chains, long iterations, double seconds) {
  return 2.0 * lanes * chains * double(iterations) / seconds / 1e9;
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) double avx512() {
  __m512 acc[kChains];
  for (__m512& a : acc) a = _mm512_set1_ps(1e-9f);
  const __m512 x = _mm512_set1_ps(1e-9f);
  long iterations = 0;
  const auto start = Clock::now();
  double seconds = 0;
  do {
    for (int k = 0; k < 1000; ++k)
#pragma GCC unroll 16
      for (__m512& a : acc) a = _mm512_fmadd_ps(x, x, a);
    iterations += 1000;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < kSeconds);
  volatile float sink = 0;
  for (__m512& a : acc) sink = sink + _mm512_reduce_add_ps(a);
  return rate(16, kChains, iterations, seconds);
}

__attribute__((target("avx2,fma"))) double avx2() {
  __m256 acc[kChainsYmm];
  for (__m256& a : acc) a = _mm256_set1_ps(1e-9f);
  const __m256 x = _mm256_set1_ps(1e-9f);
  long iterations = 0;
  const auto start = Clock::now();
  double seconds = 0;
  do {
    for (int k = 0; k < 1000; ++k)
#pragma GCC unroll 12
      for (__m256& a : acc) a = _mm256_fmadd_ps(x, x, a);
    iterations += 1000;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < kSeconds);
  volatile float sink = 0;
  for (__m256& a : acc) sink = sink + _mm_cvtss_f32(_mm256_castps256_ps128(a));
  return rate(8, kChainsYmm, iterations, seconds);
}
#endif

}  // namespace

double measurePeakGflops(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx512" && __builtin_cpu_supports("avx512f")) return avx512();
  if (isa == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return avx2();
#endif
  (void)isa;
  return 0;
}

}  // namespace convgen::bench
