// A layer of another architecture's ISA, through the harness's first step:
// the process must exit 77 (CTest's skip) and say why, never pass silently.
// Checked by the harness/skips_foreign_isa test (exit 77 expected).
#include <catch2/catch.hpp>

#include "conformance.h"

namespace {
struct Info {
  const char* name;
  const char* isa;
  const char* kernel;
};
}  // namespace

TEST_CASE("a layer of another architecture's ISA is skipped", "[harness]") {
#if defined(__aarch64__)
  const Info info{"probe", "avx2", "probe__avx2_direct_w8"};
#else
  const Info info{"probe", "neon", "probe__neon_direct_w4"};
#endif
  convgen::testing::skipUnlessCpuRuns(info);
  FAIL("the harness went on with a layer of " << info.isa << ", which this CPU cannot run");
}
