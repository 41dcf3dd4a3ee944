// convgen verify's driver: reads nothing it should not (guarded_fs.h),
// chooses the target a file is parsed for, and runs Clang with the rules
// (frontend.h, rules/) on a thread with a large stack inside LLVM's crash
// recovery, so that hostile input ends in a finding or a reported failure,
// never in a crash of convgen.
//
// The parse target: --isa's clang_parse_flags when given (isa.h). Without
// --isa, the host target with no ISA flags -- generated x86 functions carry
// target attributes, so they parse without -m flags, and their intrinsics'
// features are checked against those attributes -- unless the file
// includes the intrinsics header of an ISA of another architecture
// (<arm_neon.h> on x86: a Clang include callback sees it), in which case it
// is parsed again with that ISA's flags. The file's ISA, what code outside
// a layer may use, is then the widest of its layers' typed `info.isa`
// fields, else that other architecture's ISA, else scalar (session.cpp).
#include <algorithm>
#include <csignal>
#include <mutex>
#include <tuple>

#include "compiler_args.h"
#include "convgen/verify.h"
#include "frontend.h"
#include "guarded_fs.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "session.h"

namespace convgen {
namespace {

using namespace convgen::verifier;

// The stack Clang runs on: deep enough for a 200,000-term expression (the
// default 8 MiB overflows on ~100,000), small next to the memory a parse
// of such a file takes anyway.
constexpr unsigned kClangStackBytes = 64u << 20;

// Runs `fn` on a thread with a kClangStackBytes stack; false when it
// crashed. LLVM's crash recovery turns the crash signal into a longjmp out
// of `fn`; for a stack overflow its handler needs a stack of its own
// (sigaltstack, per thread) and SA_ONSTACK, which LLVM 14 does not set.
bool runSafely(llvm::function_ref<void()> fn) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::CrashRecoveryContext::Enable();
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP}) {
      struct sigaction action {};
      if (sigaction(sig, nullptr, &action) != 0 || action.sa_handler == SIG_DFL ||
          action.sa_handler == SIG_IGN)
        continue;
      action.sa_flags |= SA_ONSTACK;
      sigaction(sig, &action, nullptr);
    }
  });
  std::vector<char> signal_stack(std::max<std::size_t>(SIGSTKSZ, 1u << 16));
  llvm::CrashRecoveryContext crc;
  return crc.RunSafelyOnThread(
      [&] {
        stack_t ss{};
        ss.ss_sp = signal_stack.data();
        ss.ss_size = signal_stack.size();
        sigaltstack(&ss, nullptr);
        fn();
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, nullptr);
      },
      kClangStackBytes);
}

std::string realPath(const std::string& path) {
  llvm::SmallString<256> real;
  if (llvm::sys::fs::real_path(path, real)) return path;
  return std::string(real.str());
}

std::string resourceDir(const VerifyOptions& options) {
  return options.resource_dir.empty() ? std::string(CONVGEN_CLANG_RESOURCE_DIR)
                                      : options.resource_dir;
}

std::string absolute(const std::string& path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  return std::string(p.str());
}

void sortFindings(std::vector<VerifyFinding>& findings) {
  auto key = [](const VerifyFinding& f) {
    return std::tie(f.file, f.line, f.column, f.rule, f.message);
  };
  std::sort(findings.begin(), findings.end(),
            [&](const VerifyFinding& a, const VerifyFinding& b) { return key(a) < key(b); });
  findings.erase(std::unique(findings.begin(), findings.end(),
                             [&](const VerifyFinding& a, const VerifyFinding& b) {
                               return key(a) == key(b);
                             }),
                 findings.end());
}

VerifyResult run(std::string_view code, const std::string& path_as_given,
                 const VerifyOptions& options,
                 const std::vector<std::pair<std::string, std::string>>& more_files,
                 bool in_memory) {
  // In-memory files need absolute paths; Clang still reports them as given.
  const std::string path = in_memory ? absolute(path_as_given) : path_as_given;
  const std::string resource = resourceDir(options);
  std::optional<Isa> parse_isa = options.isa;
  for (int attempt = 0;; ++attempt) {
    VerifyResult result;
    result.file = cleanPath(path_as_given);
    result.isa = options.isa.value_or(parse_isa.value_or(Isa::Scalar));
    if (!llvm::sys::fs::is_directory(resource + "/include")) {
      // A broken installation, not a property of the file: a tool failure.
      result.failure =
          "Clang's resource directory '" + resource + "' has no include/ (pass --resource-dir)";
      return result;
    }
    const CompilerArgs args = compilerArgs(options, parse_isa, resource, path);
    result.compiler_args.assign(args.args.begin() + 1, args.args.end() - 1);

    Session session(options, path, realPath(resource + "/include"), result);
    session.parse_isa = parse_isa;
    auto overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
        llvm::makeIntrusiveRefCnt<GuardedFileSystem>(llvm::vfs::getRealFileSystem(),
                                                     session.refused_files));
    auto memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
    overlay->pushOverlay(memory);
    if (in_memory) memory->addFile(path, 0, llvm::MemoryBuffer::getMemBufferCopy(code));
    for (const auto& [name, text] : more_files)
      memory->addFile(absolute(name), 0, llvm::MemoryBuffer::getMemBufferCopy(text));
    if (args.host_header_stubs)
      memory->addFile(std::string(kStubDir) + "/gnu/stubs-32.h", 0,
                      llvm::MemoryBuffer::getMemBufferCopy("/* glibc stubs: none */\n"));

    if (!runSafely([&] { parseAndCheck(session, args.args, overlay); })) {
      // What the crashed parse left is incomplete: only the failure counts.
      VerifyResult failed;
      failed.file = result.file;
      failed.isa = result.isa;
      failed.compiler_args = result.compiler_args;
      failed.failure =
          "Clang crashed while parsing the file (input nested too deeply for the verifier's " +
          std::to_string(kClangStackBytes >> 20) + " MiB stack?)";
      return failed;
    }
    if (session.retarget && attempt == 0) {
      parse_isa = session.retarget;
      continue;
    }
    sortFindings(result.findings);
    return result;
  }
}

}  // namespace

std::string formatFinding(const VerifyFinding& f) {
  std::string out = f.file + ":";
  if (f.line) out += std::to_string(f.line) + ":" + std::to_string(f.column) + ":";
  return out + " error: [" + f.rule + "] " + f.message;
}

VerifyResult verifyCode(std::string_view code, const std::string& path,
                        const VerifyOptions& options,
                        const std::vector<std::pair<std::string, std::string>>& more_files) {
  return run(code, path, options, more_files, /*in_memory=*/true);
}

VerifyResult verifyFile(const std::string& path, const VerifyOptions& options) {
  // Only a regular file of bounded size is read (stat first: opening a
  // FIFO blocks, /dev/zero never ends).
  llvm::sys::fs::file_status status;
  std::string failure;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    failure = "cannot read the file: " + ec.message();
  else
    failure = refusalReason(status.type(), status.getSize());
  if (!failure.empty()) {
    VerifyResult result;
    result.file = cleanPath(path);
    result.isa = options.isa.value_or(Isa::Scalar);
    result.failure = failure;
    return result;
  }
  return run({}, path, options, {}, /*in_memory=*/false);
}

}  // namespace convgen
