// The Clang command line a file is parsed with.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "convgen/isa.h"
#include "convgen/verify.h"

namespace convgen::verifier {

// Where parsing for aarch64 finds glibc's stub header when it uses the
// host's headers (mapped in memory: see compiler_args.cpp).
inline constexpr const char* kStubDir = "/convgen-verify-stubs";

struct CompilerArgs {
  std::vector<std::string> args;  // argv, argv[0] first, the file last
  bool host_header_stubs = false;  // kStubDir must be mapped
};

// `parse_isa`: whose clang_parse_flags to add (none: the host target as is).
CompilerArgs compilerArgs(const VerifyOptions& options, std::optional<Isa> parse_isa,
                          const std::string& resource_dir, const std::string& path);

// Whether Clang's default target is of ISA family `family` (the parse then
// needs no --target of its own).
bool isNativeFamily(IsaFamily family);

}  // namespace convgen::verifier
