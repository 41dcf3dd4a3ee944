// convgen's verifier: proves, on the generated source itself, what the
// generated-code contract promises (see docs/firmware.md and issue 5). It
// parses a file with Clang as the compiler would for the file's ISA and
// checks it with AST matchers, one class per rule (verifier/src/rules/).
// Clang's headers stay inside the library; this header needs none.
//
//   convgen::VerifyOptions options;
//   options.isa = convgen::Isa::Avx2;  // or leave empty: from the file's layers
//   convgen::VerifyResult r = convgen::verifyFile("out/net.cpp", options);
//   for (const convgen::VerifyFinding& f : r.findings)
//     std::cerr << convgen::formatFinding(f) << "\n";
//
// Rules (the name is printed in brackets in every diagnostic):
//   no-heap            new/delete, malloc and friends, standard containers,
//                      strings, smart pointers, std::function
//   no-exceptions      throw, try
//   no-rtti            typeid, dynamic_cast
//   no-mutable-state   non-const variables of static or thread storage
//                      (namespace scope, static locals, static members) and
//                      uses of mutable globals declared in system headers
//   no-recursion       cycles in the file's call graph, direct or indirect
//   no-vla             variable-length arrays, alloca
//   allowed-calls      calls only to functions defined in the file and to
//                      the intrinsics its ISA allows (isaInfo(isa).
//                      intrinsic_headers; a layer's own ISA, its info.isa,
//                      inside the layer), each with the target features
//                      enabled where it is called (the ISA's flags or the
//                      function's target attribute); no indirect calls, no
//                      inline assembly
//   allowed-includes   <standard headers>, the ISA's intrinsics header, and
//                      the file's own headers: regular files in its
//                      directory (a device, a FIFO or a file elsewhere is a
//                      violation)
//   unrolled-no-loop   no for/while/do/goto inside functions named
//                      unrolled_*, and no call from them to a function
//                      that has a loop
//   public-api         per layer namespace: value_type, constexpr
//                      std::array<std::int64_t, R> input_shape/weight_shape/
//                      output_shape, info, forward(const T*, const T*,
//                      const T*, T*) noexcept, and the extern "C"
//                      <ns>_<layer>_forward with the same parameters
//   stack-frame        a function whose local arrays and aggregates exceed
//                      VerifyOptions::max_stack_bytes (off by default; the
//                      largest frame is always reported)
//   compile            Clang's own errors (the file does not parse)
//
// The verifier never crashes or hangs on hostile input: it opens only
// regular files of at most kVerifyMaxFileBytes, walks call chains with
// worklists, and runs Clang on a large stack inside LLVM's crash recovery;
// what it cannot verify is a VerifyResult::failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "convgen/spec.h"

namespace convgen {

// The largest file (verified or included) the verifier reads: generated
// files are a few MiB at most; a larger one is a failure, not read.
inline constexpr std::uint64_t kVerifyMaxFileBytes = std::uint64_t{64} << 20;

// The rules' names, as printed in brackets ("no-heap", ...), in the order
// of the list above.
std::vector<std::string> verifyRuleNames();

struct VerifyOptions {
  // The ISA the file is compiled for (its isaInfo().clang_parse_flags are
  // used). Empty: the widest of the `isa` fields of its layers' `info`
  // constants, else the ISA of another architecture whose intrinsics header
  // it includes (<arm_neon.h> on x86), else scalar; parsed for the host
  // (x86 generated functions carry target attributes) or that other
  // architecture.
  std::optional<Isa> isa;
  // Clang's resource directory (for <immintrin.h>, <arm_neon.h>, ...).
  // Empty: the one of the Clang convgen was built with.
  std::string resource_dir;
  // More compiler arguments (-I, -D, ...), after the ISA's.
  std::vector<std::string> extra_args;
  // >= 0: a function whose local arrays and aggregates take more bytes is
  // a [stack-frame] error.
  std::int64_t max_stack_bytes = -1;
  // Parse neon files against the host's libstdc++ instead of the aarch64
  // cross headers, as is done anyway when those are not installed.
  bool neon_host_headers = false;
};

struct VerifyFinding {
  std::string file;  // as Clang opened it ("out/net.h" for a header found next to out/net.cpp)
  unsigned line = 0, column = 0;
  std::string rule;  // "no-heap", ...: see the list above
  std::string message;
};

// `file:line:col: error: [rule] message`
std::string formatFinding(const VerifyFinding& finding);

struct StackFrame {
  std::string function;  // qualified, without anonymous namespaces
  std::string file;
  unsigned line = 0;
  std::int64_t bytes = 0;  // sum of the sizes of its local arrays and aggregates
};

struct VerifyResult {
  std::string file;
  Isa isa = Isa::Scalar;
  std::vector<std::string> compiler_args;  // what the file was parsed with
  std::vector<VerifyFinding> findings;     // sorted by file, line, column; no duplicates
  std::vector<StackFrame> frames;          // functions with a non-empty frame, largest first
  std::vector<std::string> layers;         // layer namespaces whose API was checked
  // Non-empty: the file could not be verified (not a regular file, too
  // large, unreadable, or Clang crashed on it); findings are then empty.
  std::string failure;
  bool ok() const { return findings.empty() && failure.empty(); }
};

// Verifies the file at `path` (a generated .cpp, whose header is found in
// its directory, or a generated .h).
VerifyResult verifyFile(const std::string& path, const VerifyOptions& options);

// Verifies `code` as if it were the file `path`; `more_files` are mapped
// in memory next to it (e.g. its header: {"/v/net.h", "..."}). For tests.
VerifyResult verifyCode(std::string_view code, const std::string& path,
                        const VerifyOptions& options,
                        const std::vector<std::pair<std::string, std::string>>& more_files = {});

// `convgen verify FILE... [--isa ISA] [--max-stack N] [--extra-arg A]...`,
// registered as an llvm::cl subcommand by linking this library. After
// cl::ParseCommandLineOptions: if verifyCommandSelected(), return
// runVerifyCommand() from main. Exit status: 0 all files pass, 1 a
// violation, 2 a usage error, 3 a file that could not be verified (I/O or
// tool failure; wins over 1).
bool verifyCommandSelected();
int runVerifyCommand();

}  // namespace convgen
