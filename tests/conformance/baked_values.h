// The conformance matrix's baked weights, from a layer's name alone:
// make_configs writes them into matrix_baked.safetensors, and
// baked_conformance.h computes them again to check the generated code
// against the reference. Integer arithmetic only (no <random>
// distribution, whose results differ between standard libraries), so a
// cross-compiled test computes the same values as the host generator.
//
// Two layers in three get small integers in [-4, 4] (with small-integer
// input every sum is exact, so the baked kernel must match the reference
// bit for bit); the others reals in [-1, 1) on a 2^-23 grid (every bit of
// the mantissa used, so the generated hexadecimal literals are tested too).
#pragma once

#include <cstdint>

namespace convgen::testing::baked_values {

inline std::uint64_t fnv1a(const char* s) {
  std::uint64_t h = 14695981039346656037ull;
  for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 1099511628211ull;
  return h;
}

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline bool smallIntegers(const char* layer) { return fnv1a(layer) % 3 != 2; }

// Element `i` of the layer's weight (tensor 0) or bias (tensor 1).
inline float value(const char* layer, int tensor, std::uint64_t i) {
  const std::uint64_t h =
      splitmix64(fnv1a(layer) ^ (static_cast<std::uint64_t>(tensor) << 60) ^ (i * 0x2545F4914F6CDD1Dull));
  if (smallIntegers(layer)) return static_cast<float>(static_cast<int>((h >> 32) % 9) - 4);
  const std::int64_t grid = static_cast<std::int64_t>(h >> 40) - (std::int64_t{1} << 23);
  return static_cast<float>(grid) / static_cast<float>(std::int64_t{1} << 23);
}

}  // namespace convgen::testing::baked_values
