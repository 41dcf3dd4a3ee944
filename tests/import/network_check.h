// Runs one imported network's generated code on NAME.input.bin and compares
// it with NAME.expected.bin (float32, written by testdata_sweep.py from
// ONNX's output_0.pb, or by torch_models.py from PyTorch's eval output).
// Used by network_check.cpp (one network per program) and by the program
// run_networks.py writes (every imported network of one ISA in one program).
//
// The arena is exactly arena_bytes, 64-byte aligned, between guard zones
// that must stay intact; the input must stay untouched. The tolerance is
// provisional (relative 1e-4 of the largest expected magnitude, plus 1e-5):
// ONNX's and PyTorch's outputs are a different summation, and the sound
// per-layer bound needs the reference-composed network test (issue 11).
// Prints one line with the max error; returns 0 within tolerance, 1
// otherwise, 3 on I/O.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace convgen_import_check {

inline bool readFloats(const char* path, std::vector<float>& out, std::size_t want) {
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

struct Network {
  const char* name;
  void (*forward)(const float*, float*, void*) noexcept;
  std::size_t input_elements, output_elements, arena_bytes;
};

inline int checkNetwork(const Network& net, const char* input_path, const char* expected_path) {
  std::vector<float> input, expected;
  const std::size_t in_n = net.input_elements, out_n = net.output_elements;
  if (!readFloats(input_path, input, in_n) || !readFloats(expected_path, expected, out_n)) {
    std::printf("FAIL %s: %s or %s does not hold %zu / %zu float32 values\n", net.name,
                input_path, expected_path, in_n, out_n);
    return 3;
  }
  const std::vector<float> input_copy = input;
  constexpr std::size_t kGuard = 256;
  constexpr unsigned char kFill = 0xA5;
  std::vector<unsigned char> block(net.arena_bytes + 2 * kGuard + 64, kFill);
  unsigned char* base = block.data() + kGuard;
  base += (64 - reinterpret_cast<std::uintptr_t>(base) % 64) % 64;
  std::vector<float> output(out_n, std::nanf(""));
  net.forward(input.data(), output.data(), base);
  bool guards = true;
  for (unsigned char* p = block.data(); p < base; ++p) guards = guards && *p == kFill;
  for (unsigned char* p = base + net.arena_bytes; p < block.data() + block.size(); ++p)
    guards = guards && *p == kFill;
  if (!guards) std::printf("FAIL %s: a write outside the arena's %zu bytes\n", net.name, net.arena_bytes);
  if (std::memcmp(input.data(), input_copy.data(), in_n * sizeof(float)) != 0) {
    std::printf("FAIL %s: the input was modified\n", net.name);
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
  const bool ok = max_err <= tolerance && guards;
  std::printf("%s %s: max error %.3g at %zu (tolerance %.3g), arena %zu bytes\n",
              ok ? "ok  " : "FAIL", net.name, max_err, worst, tolerance, net.arena_bytes);
  return ok ? 0 : 1;
}

}  // namespace convgen_import_check
