// libFuzzer target: a config, read from memory through the public API
// (convgen/config.h), validated, and every accepted layer's shapes inferred.
// Besides the sanitizers (address, undefined) and convgen's own
// CONVGEN_CHECKs, it checks the reader's documented promises:
//  - a config is accepted exactly when no error was diagnosed, and a
//    rejected one has at least one error (never a silent rejection);
//  - every diagnostic is one `fuzz.yaml:LINE:COL: error: ...` line;
//  - an accepted layer has a name that is a safe, unique C++ identifier, and
//    shapes within the limits of config.h: every output dimension >= 1,
//    every dimension <= kMaxDimension, every tensor <= kMaxTensorElements
//    elements, MACs below 2^62.
// A broken promise aborts with a message, which libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  convgen_fuzz::loadAndCheck(llvm::StringRef(reinterpret_cast<const char*>(data), size));
  return 0;
}
