// The conformance harness's own decisions: which ISA a layer is (from
// LayerInfo::isa, never from the kernel's name) and whether this CPU runs it.
#include <catch2/catch.hpp>
#include <string>

#include "conformance.h"

namespace {

// A LayerInfo v2 stand-in: the harness reads only these fields here.
struct InfoV2 {
  const char* name;
  const char* isa;
  const char* kernel;
};
struct InfoV1 {  // before v2: no isa field
  const char* name;
  const char* kernel;
};

}  // namespace

TEST_CASE("layerIsa reads LayerInfo::isa, not the kernel name", "[harness]") {
  // The kernel name says avx512; the field, which is the truth, says scalar
  // (as for a float64 layer of an avx512 config).
  const InfoV2 info{"l", "scalar", "l__avx512_direct_w16_oc2xow1_full"};
  CHECK(convgen::testing::layerIsa(info) == "scalar");
  const InfoV2 neon{"l", "neon", "l__scalar_direct"};
  CHECK(convgen::testing::layerIsa(neon) == "neon");
}

TEST_CASE("layersOf counts layers by LayerInfo::isa", "[harness]") {
  const InfoV2 a{"a", "avx2", "a__avx2_direct_w8"}, b{"b", "scalar", "b__avx2_direct_w8"},
      c{"c", "avx2", "c__scalar_direct"};
  CHECK(convgen::testing::layersOf({&a, &b, &c}, "avx2") == 2);
  CHECK(convgen::testing::layersOf({&a, &b, &c}, "scalar") == 1);
  CHECK(convgen::testing::layersOf({&a, &b, &c}, "avx512") == 0);
}

TEST_CASE("layerIsa falls back to the build's --isa for headers without the field",
          "[harness]") {
  // This file is compiled with CONVGEN_CONFORMANCE_ISA="avx2".
  const InfoV1 info{"l", "l__scalar_direct"};
  CHECK(convgen::testing::layerIsa(info) == "avx2");
}

TEST_CASE("cpuRuns knows every ISA convgen generates and no other", "[harness]") {
  using convgen::testing::cpuRuns;
  using convgen::testing::cpuRunsNatively;
  for (const char* isa : {"scalar", "avx2", "avx512", "neon"}) {
    INFO(isa);
    CHECK(cpuRuns(isa).known);
    CHECK(cpuRunsNatively(isa).known);
  }
  CHECK_FALSE(cpuRuns("sse2").known);
  CHECK_FALSE(cpuRuns("").known);
  CHECK_FALSE(cpuRuns("avx512_").known);  // whole names only, no prefixes
  CHECK(cpuRuns("scalar").runs);
}

TEST_CASE("cpuRunsNatively follows the architecture and the CPU's features", "[harness]") {
  using convgen::testing::cpuRunsNatively;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  CHECK_FALSE(cpuRunsNatively("neon").runs);
  CHECK(cpuRunsNatively("avx512").runs == (__builtin_cpu_supports("avx512f") != 0));
  CHECK(cpuRunsNatively("avx2").runs ==
        (__builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0));
#elif defined(__aarch64__)
  CHECK(cpuRunsNatively("neon").runs);
  CHECK_FALSE(cpuRunsNatively("avx2").runs);
  CHECK_FALSE(cpuRunsNatively("avx512").runs);
#endif
  const convgen::testing::CpuVerdict v = cpuRunsNatively("neon");
  if (!v.runs) CHECK(std::string(v.why).size() > 0);  // a skip always says why
}
