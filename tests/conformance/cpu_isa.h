// Whether this CPU runs code of an ISA, keyed by the ISA name convgen writes
// into each layer's LayerInfo::isa ("scalar", "avx2", "avx512", "neon").
//
// The tests cannot link the generator, whose isa.h holds the ISA table, so
// this is the harness's own small copy of one column of it: the CPU features
// each ISA needs (IsaInfo::cpu_features). It is used by the conformance
// harness (conformance.h: a layer whose ISA the CPU lacks exits 77, which
// CTest reports as skipped) and by require.cpp (an emulated build of an ISA
// the CPU runs natively is skipped: the native conformance tests cover it).
#pragma once

#include <string_view>

namespace convgen::testing {

struct CpuVerdict {
  bool known;       // a name convgen writes
  bool runs;        // this CPU (or, in a SIMDe build, SIMDe) executes it
  const char* why;  // when it does not: what the CPU lacks
};

// What the CPU itself runs, ignoring SIMDe.
inline CpuVerdict cpuRunsNatively(std::string_view isa) {
  if (isa == "scalar") return {true, true, ""};
  if (isa == "avx2" || isa == "avx512") {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (isa == "avx512")
      return __builtin_cpu_supports("avx512f") ? CpuVerdict{true, true, ""}
                                               : CpuVerdict{true, false, "this CPU has no AVX-512F"};
    if (!__builtin_cpu_supports("avx2")) return {true, false, "this CPU has no AVX2"};
    if (!__builtin_cpu_supports("fma")) return {true, false, "this CPU has no FMA"};
    return {true, true, ""};
#else
    return {true, false, "this is not an x86 CPU"};
#endif
  }
  if (isa == "neon") {
#if defined(__aarch64__)
    return {true, true, ""};  // Advanced SIMD is part of every AArch64 core
#else
    return {true, false, "this is not an AArch64 CPU"};
#endif
  }
  return {false, false, "not an ISA convgen generates"};
}

// What this build of the harness runs: a CONVGEN_USE_SIMDE build runs the
// x86 ISAs through SIMDe's portable code on any CPU.
inline CpuVerdict cpuRuns(std::string_view isa) {
#if defined(CONVGEN_USE_SIMDE)
  if (isa == "avx2" || isa == "avx512") return {true, true, ""};
#endif
  return cpuRunsNatively(isa);
}

}  // namespace convgen::testing
