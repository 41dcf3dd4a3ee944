// The reference network itself against PyTorch: the last layer of a
// NAME_golden.bin (written by convgen golden on tests/network's input)
// against PyTorch's eval-mode output on that input
// (tests/network/golden/NAME_output.bin, float32). The reference network
// must be PyTorch's network, not only consistent with the generated one.
// Not a proven bound: PyTorch computes in float32, unfused; the tolerance is
// tests/network's (1e-6 of the largest output, plus 1e-6), where a wiring,
// BatchNorm or epilogue mistake is of the outputs' own size.
//   vs_torch NAME_golden.bin NAME_output.bin    exit 0 within, 1 beyond, 2 bad files
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

std::vector<unsigned char> readAll(const char* path) {
  std::vector<unsigned char> bytes;
  if (std::FILE* f = std::fopen(path, "rb")) {
    unsigned char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
    std::fclose(f);
  }
  return bytes;
}

struct Cursor {
  const std::vector<unsigned char>& b;
  std::size_t at = 8;  // past the magic
  bool u64(std::uint64_t& v) {
    if (b.size() - at < 8) return false;
    std::memcpy(&v, b.data() + at, 8);  // little-endian hosts
    at += 8;
    return true;
  }
  bool skip(std::uint64_t n) {
    if (b.size() - at < n) return false;
    at += static_cast<std::size_t>(n);
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::vector<unsigned char> g = readAll(argv[1]), t = readAll(argv[2]);
  if (g.size() < 8 || std::memcmp(g.data(), "CVGOLD01", 8) != 0 || t.empty() || t.size() % 4)
    return std::fprintf(stderr, "vs_torch: unreadable inputs\n"), 2;
  Cursor c{g};
  std::uint64_t n = 0, layers = 0, name = 0, elems = 0, depth = 0;
  if (!c.u64(n) || !c.skip(4 * n) || !c.u64(layers) || layers == 0) return 2;
  for (std::uint64_t i = 0; i < layers; ++i) {
    if (!c.u64(name) || !c.skip(name) || !c.u64(elems) || !c.u64(depth)) return 2;
    if (i + 1 < layers && !c.skip(24 * elems)) return 2;
  }
  if (elems != t.size() / 4 || g.size() - c.at != 24 * elems)
    return std::fprintf(stderr, "vs_torch: %llu reference outputs, %zu PyTorch outputs\n",
                        static_cast<unsigned long long>(elems), t.size() / 4), 2;
  double worst = 0, scale = 0;
  for (std::uint64_t i = 0; i < elems; ++i) {
    double ref = 0;
    float torch = 0;
    std::memcpy(&ref, g.data() + c.at + 8 * i, 8);
    std::memcpy(&torch, t.data() + 4 * i, 4);
    scale = std::fmax(scale, std::fabs(double(torch)));
    worst = std::fmax(worst, std::fabs(ref - double(torch)));
  }
  const bool ok = worst <= 1e-6 * (scale + 1);
  std::printf("max |reference network - PyTorch| = %.3g (largest output %.3g): %s\n", worst, scale,
              ok ? "OK" : "BEYOND 1e-6");
  return ok ? 0 : 1;
}
