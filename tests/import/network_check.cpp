// Runs one imported network's generated code on NAME.input.bin and compares
// it with NAME.expected.bin (float32, written by testdata_sweep.py from
// ONNX's output_0.pb, or by torch_models.py from PyTorch's eval output).
// Compiled per network against issue 11's network entry point:
//
//   c++ -std=c++17 -O1 -I GEN -DCONVGEN_NET_HEADER='"NAME.h"'
//       -DCONVGEN_NET_NS=NAME network_check.cpp GEN/*.cpp
//   ./a.out NAME.input.bin NAME.expected.bin
//
// The arena is exactly arena_bytes, 64-byte aligned, between guard zones
// that must stay intact; the input must stay untouched. The tolerance is
// provisional (relative 1e-4 of the largest expected magnitude, plus 1e-5):
// ONNX's and PyTorch's outputs are a different summation, and the sound
// per-layer bound needs the reference-composed network test (issue 11).
// Prints the max error; exit 0 within tolerance, 1 otherwise, 3 on I/O.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include CONVGEN_NET_HEADER

namespace {

bool readFloats(const char* path, std::vector<float>& out, std::size_t want) {
  std::FILE* f = std::fopen(path, "rb");
  if (!f) return false;
  out.assign(want + 1, 0.0f);
  const std::size_t got = std::fread(out.data(), sizeof(float), want + 1, f);
  std::fclose(f);
  out.resize(want);
  return got == want;  // exactly `want` values, none more
}

template <typename Shape>
std::size_t elements(const Shape& s) {
  std::size_t n = 1;
  for (auto d : s) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  namespace net = CONVGEN_NET_NS;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s INPUT.bin EXPECTED.bin\n", argv[0]);
    return 3;
  }
  std::vector<float> input, expected;
  const std::size_t in_n = elements(net::input_shape), out_n = elements(net::output_shape);
  if (!readFloats(argv[1], input, in_n) || !readFloats(argv[2], expected, out_n)) {
    std::fprintf(stderr, "network_check: %s or %s does not hold %zu / %zu float32 values\n",
                 argv[1], argv[2], in_n, out_n);
    return 3;
  }
  const std::vector<float> input_copy = input;
  constexpr std::size_t kGuard = 256;
  constexpr unsigned char kFill = 0xA5;
  std::vector<unsigned char> block(net::arena_bytes + 2 * kGuard + 64, kFill);
  unsigned char* base = block.data() + kGuard;
  base += (64 - reinterpret_cast<std::uintptr_t>(base) % 64) % 64;
  std::vector<float> output(out_n, std::nanf(""));
  net::forward(input.data(), output.data(), base);
  bool guards = true;
  for (unsigned char* p = block.data(); p < base; ++p) guards = guards && *p == kFill;
  for (unsigned char* p = base + net::arena_bytes; p < block.data() + block.size(); ++p)
    guards = guards && *p == kFill;
  if (!guards) std::printf("FAIL: a write outside the arena's %zu bytes\n", net::arena_bytes);
  if (std::memcmp(input.data(), input_copy.data(), in_n * sizeof(float)) != 0) {
    std::printf("FAIL: the input was modified\n");
    guards = false;
  }
  double max_ref = 0, max_err = 0;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < out_n; ++i) max_ref = std::fmax(max_ref, std::fabs(expected[i]));
  for (std::size_t i = 0; i < out_n; ++i) {
    const double e = std::isnan(output[i]) ? INFINITY : std::fabs(double(output[i]) - expected[i]);
    if (e > max_err) max_err = e, worst = i;
  }
  const double tolerance = 1e-4 * max_ref + 1e-5;
  std::printf("%s: max error %.3g at %zu (tolerance %.3g), arena %zu bytes\n",
              max_err <= tolerance && guards ? "ok" : "FAIL", max_err, worst, tolerance,
              net::arena_bytes);
  return max_err <= tolerance && guards ? 0 : 1;
}
