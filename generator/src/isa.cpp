#include "convgen/isa.h"

#include "convgen/internal_error.h"

namespace convgen {

const std::vector<IsaInfo>& isaTable() {
  // x86 intrinsics headers below AVX-512, as Clang 14 lays them out.
  static const std::vector<std::string_view> kAvx2Headers = {
      "immintrin.h", "xmmintrin.h", "emmintrin.h",  "pmmintrin.h", "tmmintrin.h",
      "smmintrin.h", "nmmintrin.h", "avxintrin.h", "avx2intrin.h", "fmaintrin.h"};
  static const std::vector<std::string_view> kAvx512Headers = [] {
    std::vector<std::string_view> h = kAvx2Headers;
    // Every avx512*intrin.h; the verifier matches this entry as a prefix.
    h.push_back("avx512*");
    return h;
  }();
  static const std::vector<IsaInfo> kTable = {
      {Isa::Scalar, "scalar", "portable C++17, any compiler (Cortex-M included)",
       IsaFamily::Portable, 1, 0, 16, 2.0, VectorCaps{}, "", "", "", {},
       "a scalar file uses no intrinsics", {}, {}},
      {Isa::Avx2, "avx2", "AVX2 + FMA intrinsics, 8 floats per register", IsaFamily::X86, 8, 16,
       12, 3.0,
       VectorCaps{/*masked_load=*/true, /*masked_store=*/true, /*expand_load=*/false,
                  /*permute_two=*/false, /*gather=*/true, /*deinterleave_load=*/false,
                  /*ordered_max_min=*/true},
       "CONVGEN_TARGET_AVX2", "avx2,fma", "immintrin.h", kAvx2Headers,
       "avx2 files use SSE to SSE4.2, AVX, AVX2 and FMA intrinsics only", {"-mavx2", "-mfma"},
       {"avx2", "fma"}},
      {Isa::Avx512, "avx512", "AVX-512F intrinsics, 16 floats per register", IsaFamily::X86, 16,
       32, 16, 2.0,
       VectorCaps{/*masked_load=*/true, /*masked_store=*/true, /*expand_load=*/true,
                  /*permute_two=*/true, /*gather=*/true, /*deinterleave_load=*/false,
                  /*ordered_max_min=*/true},
       "CONVGEN_TARGET_AVX512", "avx512f,avx2,fma", "immintrin.h", kAvx512Headers,
       "avx512 files use SSE to SSE4.2, AVX, AVX2, FMA and AVX-512 intrinsics only",
       {"-mavx512f"}, {"avx512f"}},
      {Isa::Neon, "neon", "AArch64 Advanced SIMD, 4 floats per register", IsaFamily::Arm, 4, 32,
       16, 2.0,
       VectorCaps{/*masked_load=*/false, /*masked_store=*/false, /*expand_load=*/false,
                  /*permute_two=*/false, /*gather=*/false, /*deinterleave_load=*/true,
                  /*ordered_max_min=*/false},
       "", "", "arm_neon.h", {"arm_neon.h", "arm_fp16.h"},
       "neon files use <arm_neon.h> intrinsics only", {"--target=aarch64-linux-gnu"}, {}},
  };
  return kTable;
}

const IsaInfo& isaInfo(Isa isa) {
  const std::vector<IsaInfo>& table = isaTable();
  const auto index = static_cast<std::size_t>(isa);
  CONVGEN_CHECK(index < table.size() && table[index].isa == isa, "ISA table out of order");
  return table[index];
}

std::string_view toString(Isa isa) { return isaInfo(isa).name; }

bool cpuSupports(Isa isa) {
  const IsaInfo& info = isaInfo(isa);
  if (info.family == IsaFamily::Portable) return true;
#if defined(__x86_64__) || defined(__i386__)
  if (info.family != IsaFamily::X86) return false;
  // __builtin_cpu_supports takes string literals only.
  for (std::string_view f : info.cpu_features) {
    if (f == "avx2" && !__builtin_cpu_supports("avx2")) return false;
    if (f == "fma" && !__builtin_cpu_supports("fma")) return false;
    if (f == "avx512f" && !__builtin_cpu_supports("avx512f")) return false;
  }
  return true;
#elif defined(__aarch64__)
  return info.family == IsaFamily::Arm;  // Advanced SIMD is part of every AArch64 core
#else
  return false;
#endif
}

Isa hostIsa() {
  // The widest row this CPU runs: later rows of a family are wider.
  Isa best = Isa::Scalar;
  for (const IsaInfo& info : isaTable())
    if (cpuSupports(info.isa) && info.lanes > isaInfo(best).lanes) best = info.isa;
  return best;
}

std::optional<Isa> parseIsaName(std::string_view name) {
  if (name == "native") return hostIsa();
  for (const IsaInfo& info : isaTable())
    if (info.name == name) return info.isa;
  return std::nullopt;
}

std::string isaNameList(std::string_view quote) {
  std::string out;
  for (const IsaInfo& info : isaTable()) {
    if (!out.empty()) out += ", ";
    out += std::string(quote) + std::string(info.name) + std::string(quote);
  }
  return out;
}

}  // namespace convgen
