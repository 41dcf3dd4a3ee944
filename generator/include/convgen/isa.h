// The ISA table: every fact convgen knows about a target instruction set, in
// one row per ISA. The validator (isa: spellings), the CLI (--isa help), the
// planner (lanes, registers, load ports), the emitters (vector back-end
// capabilities, target attributes, intrinsic header), the verifier (which
// intrinsics headers a file of that ISA may use, Clang parse flags) and the
// tests (how to compile and where to run) all read this table; nobody else
// spells an ISA's facts. Adding an ISA is one row here plus its vector
// back-end (docs/design.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace convgen {

enum class Isa { Scalar, Avx2, Avx512, Neon };

enum class IsaFamily { Portable, X86, Arm };

// What a vector back-end can do in one instruction (or a short fixed
// sequence); strategies consult these instead of probing the back-end.
struct VectorCaps {
  bool masked_load = false;        // load only chosen lanes, no fault on the others
  bool masked_store = false;       // store only chosen lanes
  bool expand_load = false;        // a contiguous run of elements into chosen lanes
  bool permute_two = false;        // any lane from either of two registers
  bool gather = false;             // lanes from independent addresses
  bool deinterleave_load = false;  // even elements of 2*lanes in one load (NEON vld2)
  // max(a, b) / min(a, b) in one instruction that is exactly a > b ? a : b /
  // a < b ? a : b, NaN and signed zeros included (x86 maxps/minps: the
  // second operand when unordered or equal). The epilogue's clamps then are
  // one instruction; without it (NEON's fmax returns +0 for (-0, +0)), a
  // compare and a select.
  bool ordered_max_min = false;
};

struct IsaInfo {
  Isa isa;
  std::string_view name;         // configs' `isa:`, --isa, banners, kernel names
  std::string_view description;  // CLI help
  IsaFamily family;
  // float32 lanes of one vector register; 1 for portable scalar code.
  std::int64_t lanes;
  std::int64_t vector_registers;  // architectural vector registers
  // The cost model's view of the core: most accumulators a register tile
  // keeps, and vector loads issued per cycle (Zen 3/4: 3 ymm or 2 zmm;
  // Neoverse N1/V1: 2 q registers).
  std::int64_t max_accumulators;
  double loads_per_cycle;
  VectorCaps caps;
  // Generated x86 functions carry __attribute__((target(...))) through this
  // macro, so no -m flag is needed to compile them; empty when none.
  std::string_view target_macro;
  std::string_view target_features;  // the attribute's feature list
  std::string_view intrinsics_include;  // "immintrin.h", "arm_neon.h", or ""
  // The verifier's policy: the intrinsics headers (basenames in Clang's
  // resource directory) whose functions code of this ISA may call.
  std::vector<std::string_view> intrinsic_headers;
  std::string_view intrinsics_summary;  // how the verifier states that policy
  std::vector<std::string_view> clang_parse_flags;  // to parse its files as the compiler would
  // __builtin_cpu_supports features a CPU needs to run it (x86 only).
  std::vector<std::string_view> cpu_features;
};

// Every ISA, in a fixed order (the enum's).
const std::vector<IsaInfo>& isaTable();
const IsaInfo& isaInfo(Isa isa);
std::string_view toString(Isa isa);
// "scalar", "avx2", ... as in the table, or "native": the best ISA of the
// machine running convgen (its output then depends on that machine).
std::optional<Isa> parseIsaName(std::string_view name);
// Whether the CPU running this process can execute code of `isa` (false for
// another family's ISA).
bool cpuSupports(Isa isa);
Isa hostIsa();
// "scalar, avx2, avx512, neon": for help texts and diagnostics.
std::string isaNameList(std::string_view quote = "");

}  // namespace convgen
