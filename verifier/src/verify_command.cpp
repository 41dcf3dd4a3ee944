// `convgen verify FILE... [--isa ISA]`: the command line over verifyFile().
// Its options live in their own llvm::cl subcommand, registered by linking
// this library; convgen's main dispatches here when it is selected.
#include <chrono>

#include "convgen/verify.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen {
namespace {

namespace cl = llvm::cl;

cl::SubCommand verify_cmd("verify",
                          "Check generated files against the generated-code contract (the "
                          "rules: convgen/verify.h)");
cl::OptionCategory verify_options("convgen verify options");

cl::list<std::string> files(cl::Positional, cl::OneOrMore, cl::desc("<generated .cpp or .h>..."),
                            cl::sub(verify_cmd), cl::cat(verify_options));
cl::opt<std::string> isa("isa",
                         cl::desc("The files' ISA: scalar, avx2, avx512, neon (default: the "
                                  "widest of each file's layers' info.isa; else neon for a "
                                  "file including <arm_neon.h>; else scalar)"),
                         cl::value_desc("isa"), cl::sub(verify_cmd), cl::cat(verify_options));
cl::opt<std::int64_t> max_stack(
    "max-stack",
    cl::desc("Fail when a function's local arrays and aggregates exceed this many bytes"),
    cl::value_desc("bytes"), cl::init(-1), cl::sub(verify_cmd), cl::cat(verify_options));
cl::list<std::string> extra_args("extra-arg",
                                 cl::desc("One more compiler argument (repeatable), e.g. -DX=1"),
                                 cl::value_desc("arg"), cl::sub(verify_cmd),
                                 cl::cat(verify_options));
cl::opt<std::string> resource_dir(
    "resource-dir",
    cl::desc("Clang's resource directory (default: the one convgen was built with)"),
    cl::value_desc("dir"), cl::sub(verify_cmd), cl::cat(verify_options));
cl::opt<bool> quiet("quiet", cl::desc("Print only the errors"), cl::sub(verify_cmd),
                    cl::cat(verify_options));

constexpr int kExitViolation = 1;
constexpr int kExitUsage = 2;
constexpr int kExitFailure = 3;  // I/O or tool failure

}  // namespace

bool verifyCommandSelected() { return static_cast<bool>(verify_cmd); }

int runVerifyCommand() {
  VerifyOptions options;
  if (!isa.empty()) {
    options.isa = parseIsaName(isa.getValue());
    if (!options.isa) {
      llvm::errs() << "convgen: error: unknown --isa '" << isa << "' (" << isaNameList()
                   << ")\n";
      return kExitUsage;
    }
  }
  options.max_stack_bytes = max_stack;
  options.resource_dir = resource_dir;
  options.extra_args.assign(extra_args.begin(), extra_args.end());

  int failed = 0, broken = 0;
  for (const std::string& file : files) {
    const auto start = std::chrono::steady_clock::now();
    const VerifyResult result = verifyFile(file, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.failure.empty()) {
      llvm::errs() << "convgen: error: " << result.file << ": " << result.failure << "\n";
      ++broken;
      continue;
    }
    for (const VerifyFinding& f : result.findings) llvm::errs() << formatFinding(f) << "\n";
    if (!result.ok()) ++failed;
    if (quiet) continue;
    llvm::outs() << result.file << ": "
                 << (result.ok() ? "ok" : std::to_string(result.findings.size()) + " errors")
                 << " (" << toString(result.isa) << ", " << result.layers.size() << " layers";
    if (!result.frames.empty())
      llvm::outs() << ", largest stack frame " << result.frames.front().bytes << " bytes in "
                   << result.frames.front().function;
    llvm::outs() << ", " << llvm::format("%.2f", seconds) << " s)\n";
  }
  return broken ? kExitFailure : failed ? kExitViolation : 0;
}

}  // namespace convgen
