// This machine's single-core fp32 FMA peak, measured in the same run as the
// benchmarks, for the vector ISA the suite's kernels were generated for.
#pragma once

#include <string>

namespace convgen::bench {

// GFLOP/s of independent FMA chains in registers for `isa` ("avx512",
// "avx2"); 0 when this build or CPU cannot run it.
double measurePeakGflops(const std::string& isa);

}  // namespace convgen::bench
