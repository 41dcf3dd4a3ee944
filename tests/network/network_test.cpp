// A generated network (a config with `weights:`) run end to end:
//   * against PyTorch itself: the same module (examples/networks/
//     make_networks.py) in eval mode on the same input, written to
//     tests/network/golden/ when the config's weights were;
//   * against its own layers called one by one, each into a buffer of its
//     own: the arena plan must not change a bit;
//   * with the arena exactly arena_bytes between guard zones, 64-byte
//     aligned, so that any write outside the plan fails; the input untouched
//     and the output's guards intact.
// Compiled with -DCONVGEN_HEADER="<name>.h" -DCONVGEN_NAMESPACE=<ns>
// -DCONVGEN_GOLDEN_DIR="<dir>" -DCONVGEN_NETWORK=<name> -DCONVGEN_STEPS=<the
// header's CONVGEN_..._NETWORK_STEPS> -DCONVGEN_NETWORK_ISA="<isa>".
#include CONVGEN_HEADER

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cpu_isa.h"

#define CONVGEN_STR2(x) #x
#define CONVGEN_STR(x) CONVGEN_STR2(x)

namespace net = CONVGEN_NAMESPACE;

namespace {

constexpr std::size_t kGuardBytes = 256;
constexpr unsigned char kGuardByte = 0xA5;

template <typename Shape>
std::size_t elements(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<float> readFloats(const std::string& path, std::size_t n) {
  std::vector<float> v(n);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  const std::size_t got = std::fread(v.data(), sizeof(float), n, f);
  char extra = 0;
  const bool more = std::fread(&extra, 1, 1, f) == 1;
  std::fclose(f);
  REQUIRE(got == n);  // little-endian float32, as make_networks.py writes
  REQUIRE_FALSE(more);
  return v;
}

// An arena of exactly arena_bytes at a 64-byte boundary, guards both sides.
struct GuardedArena {
  std::vector<unsigned char> storage;
  unsigned char* arena = nullptr;
  GuardedArena() : storage(net::arena_bytes + 2 * kGuardBytes + 64, kGuardByte) {
    std::uintptr_t p = reinterpret_cast<std::uintptr_t>(storage.data()) + kGuardBytes;
    p = (p + 63) / 64 * 64;
    arena = reinterpret_cast<unsigned char*>(p);
  }
  bool guardsIntact() const {
    for (const unsigned char* q = storage.data(); q < arena; ++q)
      if (*q != kGuardByte) return false;
    for (const unsigned char* q = arena + net::arena_bytes; q < storage.data() + storage.size(); ++q)
      if (*q != kGuardByte) return false;
    return true;
  }
};

std::vector<float> runNetwork(const std::vector<float>& input) {
  const std::vector<float> input_copy = input;
  GuardedArena arena;
  const std::size_t out_n = elements(net::output_shape);
  std::vector<float> out(out_n + 32, std::nanf(""));
  net::forward(input.data(), out.data() + 16, arena.arena);
  CHECK(arena.guardsIntact());
  CHECK(std::memcmp(input.data(), input_copy.data(), input.size() * sizeof(float)) == 0);
  for (std::size_t i = 0; i < 16; ++i) {
    CHECK(std::isnan(out[i]));
    CHECK(std::isnan(out[16 + out_n + i]));
  }
  return std::vector<float>(out.begin() + 16, out.begin() + 16 + out_n);
}

// The layers one by one, each into a buffer of its own, from the header's
// X-macro of the network's steps.
std::vector<float> byLayers(const std::vector<float>& input) {
  std::vector<std::vector<float>> outs;
  auto at = [&](int i) { return i < 0 ? input.data() : outs[static_cast<std::size_t>(i)].data(); };
#define CONVGEN_X(layer, in)                                         \
  {                                                                  \
    std::vector<float> y(elements(net::layer::output_shape));        \
    net::layer::forward(at(in), y.data());                           \
    outs.push_back(std::move(y));                                    \
  }
#define CONVGEN_R(layer, in, res)                                    \
  {                                                                  \
    std::vector<float> y(elements(net::layer::output_shape));        \
    net::layer::forward(at(in), at(res), y.data());                  \
    outs.push_back(std::move(y));                                    \
  }
  CONVGEN_STEPS(CONVGEN_X, CONVGEN_R)
#undef CONVGEN_X
#undef CONVGEN_R
  return outs.back();
}

// Code of an ISA this CPU lacks would die of SIGILL: exit 77 (skipped).
void requireCpu() {
  const convgen::testing::CpuVerdict v = convgen::testing::cpuRunsNatively(CONVGEN_NETWORK_ISA);
  if (v.runs) return;
  std::fprintf(stderr, "SKIPPED: the network is %s code: %s\n", CONVGEN_NETWORK_ISA, v.why);
  std::exit(77);
}

}  // namespace

TEST_CASE(CONVGEN_STR(CONVGEN_NETWORK) ": the network matches PyTorch's eval-mode output", "[network]") {
  requireCpu();
  const std::string dir = CONVGEN_GOLDEN_DIR "/" CONVGEN_STR(CONVGEN_NETWORK);
  const std::vector<float> input = readFloats(dir + "_input.bin", elements(net::input_shape));
  const std::vector<float> expected = readFloats(dir + "_output.bin", elements(net::output_shape));
  const std::vector<float> got = runNetwork(input);
  // Not a proven bound: PyTorch applies BatchNorm unfused in float32 and
  // sums in its own order. Measured (printed below): 3e-8 against outputs of
  // 0.2-0.5 on scalar and AVX-512, so 1e-6 leaves a 30x margin for other
  // summation orders; a wiring, folding or epilogue mistake is of the
  // outputs' own size.
  double scale = 0, worst = 0;
  for (float e : expected) scale = std::max(scale, std::fabs(double(e)));
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::fabs(double(got[i]) - double(expected[i])));
  std::printf("%s: max |convgen - PyTorch| = %.3g (largest output %.3g)\n",
              CONVGEN_STR(CONVGEN_NETWORK), worst, scale);
  CHECK(worst <= 1e-6 * (scale + 1));
}

TEST_CASE(CONVGEN_STR(CONVGEN_NETWORK) ": the arena plan changes no bit of any layer", "[network]") {
  requireCpu();
  // The same input through the generated network and through its layers,
  // each into a fresh buffer: the network's X-macro of steps.
  const std::size_t in_n = elements(net::input_shape);
  std::vector<float> input(in_n);
  for (std::size_t i = 0; i < in_n; ++i) input[i] = float((i * 7919) % 2001) / 1000.0f - 1.0f;
  const std::vector<float> via_arena = runNetwork(input);
  const std::vector<float> one_by_one = byLayers(input);
  REQUIRE(one_by_one.size() == via_arena.size());
  CHECK(std::memcmp(one_by_one.data(), via_arena.data(), via_arena.size() * sizeof(float)) == 0);
}

TEST_CASE(CONVGEN_STR(CONVGEN_NETWORK) ": the arena is the plan's and no smaller than the live bytes",
          "[network]") {
  CHECK(net::arena_bytes % 64 == 0);
  CHECK(net::arena_bytes >= net::arena_lower_bound);
}
