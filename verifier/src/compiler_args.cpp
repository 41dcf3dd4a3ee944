#include "compiler_args.h"

#include "llvm/ADT/Triple.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Host.h"
#include "llvm/Support/Path.h"

namespace convgen::verifier {
namespace {

// Parsing for another architecture (aarch64 on an x86 host) finds its C++
// headers in the cross libstdc++ when installed (g++-aarch64-linux-gnu),
// else in the host's libstdc++ and glibc headers, whose only
// architecture-specific gap is a stub header mapped in memory.
bool haveAarch64CrossHeaders() {
  return llvm::sys::fs::is_directory("/usr/lib/gcc-cross/aarch64-linux-gnu") &&
         llvm::sys::fs::is_directory("/usr/aarch64-linux-gnu/include");
}

std::vector<std::string> hostHeaderArgs() {
  // The newest /usr/include/c++/<version> with its multiarch config.
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it("/usr/include/c++", ec), end; it != end && !ec;
       it.increment(ec)) {
    const std::string version = llvm::sys::path::filename(it->path()).str();
    int major = 0;
    if (llvm::StringRef(version).getAsInteger(10, major)) continue;
    if (major > best_version) {
      best_version = major;
      best = version;
    }
  }
  if (best.empty()) return {};
  return {"--gcc-toolchain=/nonexistent",
          "-nostdinc++",
          "-isystem",
          "/usr/include/c++/" + best,
          "-isystem",
          "/usr/include/x86_64-linux-gnu/c++/" + best,
          "-isystem",
          "/usr/include/x86_64-linux-gnu",
          "-isystem",
          kStubDir};
}

}  // namespace

bool isNativeFamily(IsaFamily family) {
  const llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  switch (family) {
    case IsaFamily::Portable:
      return true;
    case IsaFamily::X86:
      return triple.isX86();
    case IsaFamily::Arm:
      return triple.isAArch64();
  }
  return false;
}

CompilerArgs compilerArgs(const VerifyOptions& options, std::optional<Isa> parse_isa,
                          const std::string& resource_dir, const std::string& path) {
  CompilerArgs out;
  // -w and -fno-caret-diagnostics: only errors matter, and Clang then
  // prints no "N warnings generated" of its own.
  out.args = {"convgen-verify",         "-fsyntax-only", "-std=c++17", "-xc++", "-w",
              "-fno-caret-diagnostics", "-resource-dir", resource_dir};
  if (parse_isa) {
    const IsaInfo& info = isaInfo(*parse_isa);
    for (std::string_view flag : info.clang_parse_flags) out.args.emplace_back(flag);
    if (info.family == IsaFamily::Arm && !isNativeFamily(IsaFamily::Arm) &&
        (options.neon_host_headers || !haveAarch64CrossHeaders())) {
      for (const std::string& a : hostHeaderArgs()) out.args.push_back(a);
      out.host_header_stubs = true;
    }
  }
  const llvm::StringRef dir = llvm::sys::path::parent_path(path);
  out.args.push_back("-I" + (dir.empty() ? std::string(".") : dir.str()));
  for (const std::string& a : options.extra_args) out.args.push_back(a);
  out.args.push_back(path);
  return out;
}

}  // namespace convgen::verifier
