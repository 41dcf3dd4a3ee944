// Linked into a golden check program built for a SIMD ISA: before main()
// runs, exits 77 (CTest's skip) when this CPU cannot execute that ISA, with
// the reason, instead of dying of an illegal instruction.
// Compiled with -DCONVGEN_GOLDEN_ISA="<isa>".
#include <cstdio>
#include <cstdlib>

#include "../conformance/cpu_isa.h"

namespace {

const bool kGate = [] {
  const convgen::testing::CpuVerdict v = convgen::testing::cpuRunsNatively(CONVGEN_GOLDEN_ISA);
  if (!v.known || !v.runs) {
    std::fprintf(stderr, "SKIPPED: the network is %s code: %s\n", CONVGEN_GOLDEN_ISA, v.why);
    std::exit(77);
  }
  return true;
}();

}  // namespace
