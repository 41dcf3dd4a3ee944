// near_miss_names LIST OUT_DIR: every name of LIST (near misses of reserved
// names) is accepted as a layer name, and the code generated from them
// compiles for every ISA of isa.h with GNU C++ (-std=gnu++17 -fsyntax-only:
// GNU mode predefines `linux` and `unix`), the header also as GNU C.
// x86 ISAs compile with the host's g++ on an x86 host; NEON with
// aarch64-linux-gnu-g++ (the host's on AArch64).
// Exit 0: all compiled; 1: a name was refused or a file did not compile;
// 77: nothing failed but some ISA had no compiler (skipped).
#include <cstdio>
#include <string>
#include <vector>

#include "convgen/config.h"
#include "convgen/emit.h"
#include "convgen/isa.h"
#include "convgen/output.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace {

std::vector<std::string> readNames(const char* path) {
  std::vector<std::string> names;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) return names;
  llvm::SmallVector<llvm::StringRef, 64> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef line : lines) {
    line = line.trim();
    if (!line.empty() && !line.startswith("#")) names.push_back(line.str());
  }
  return names;
}

// A program to compile code of `family` with, or "" when this machine has none.
std::string compilerFor(convgen::IsaFamily family, bool c) {
  std::vector<std::string> candidates;
#if defined(__x86_64__)
  const bool host_x86 = true, host_arm = false;
#elif defined(__aarch64__)
  const bool host_x86 = false, host_arm = true;
#else
  const bool host_x86 = false, host_arm = false;
#endif
  const std::string native = c ? "gcc" : "g++";
  if (family == convgen::IsaFamily::Portable || (family == convgen::IsaFamily::X86 && host_x86) ||
      (family == convgen::IsaFamily::Arm && host_arm))
    candidates.push_back(native);
  if (family == convgen::IsaFamily::Arm && !host_arm)
    candidates.push_back(c ? "aarch64-linux-gnu-gcc" : "aarch64-linux-gnu-g++");
  for (const std::string& name : candidates)
    if (auto path = llvm::sys::findProgramByName(name)) return *path;
  return "";
}

// Runs `argv`; "" when it exits 0, else what it printed.
std::string compile(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  const llvm::Optional<llvm::StringRef> redirects[] = {llvm::None, llvm::StringRef(log),
                                                       llvm::StringRef(log)};
  std::string error;
  const int rc = llvm::sys::ExecuteAndWait(argv[0], args, llvm::None, redirects, 0, 0, &error);
  if (rc == 0) return "";
  auto text = llvm::MemoryBuffer::getFile(log);
  return "exit " + std::to_string(rc) + " " + error + "\n" +
         (text ? (*text)->getBuffer().take_front(4000).str() : std::string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: near_miss_names LIST OUT_DIR\n");
    return 2;
  }
  const std::vector<std::string> names = readNames(argv[1]);
  if (names.size() < 10) {
    std::fprintf(stderr, "near_miss_names: fewer than 10 names in %s\n", argv[1]);
    return 1;
  }
  const std::string out_root = argv[2];
  int failures = 0, skipped = 0;
  for (const convgen::IsaInfo& info : convgen::isaTable()) {
    const std::string isa(info.name);
    std::string config =
        "namespace: " + names[0] + "::" + names[1] + "\nisa: " + isa + "\nlayers:\n";
    for (const std::string& name : names)
      config += "  - {name: " + name +
                ", input_shape: [1, 2, 6, 7], in_channels: 2, out_channels: 4, kernel_size: 3, "
                "padding: 1}\n";
    llvm::SourceMgr sm;
    convgen::Diagnostics diags(sm);
    const unsigned id = sm.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(config, "near_miss.yaml"), llvm::SMLoc());
    const std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
    if (!model) {
      std::string text;
      llvm::raw_string_ostream os(text);
      diags.print(os);
      std::printf("FAIL %s: the near-miss names are refused:\n%s", isa.c_str(), os.str().c_str());
      ++failures;
      continue;
    }
    const std::string cxx = compilerFor(info.family, false);
    const std::string cc = compilerFor(info.family, true);
    if (cxx.empty()) {
      std::printf("SKIP %s: no compiler for it on this machine\n", isa.c_str());
      ++skipped;
      continue;
    }
    convgen::GenerateOptions options;
    options.format = false;
    const convgen::GeneratedModel generated = convgen::generateModel(*model, options);
    const std::string dir = out_root + "/" + isa;
    if (std::string error = convgen::writeFilesIfChanged(
            dir, convgen::configStem(model->config_name), generated.files);
        !error.empty()) {
      std::printf("FAIL %s: %s\n", isa.c_str(), error.c_str());
      ++failures;
      continue;
    }
    const std::string log = dir + "/compile.log";
    for (const convgen::GeneratedFile& file : generated.files) {
      const std::string path = dir + "/" + file.name;
      std::vector<std::string> runs;
      std::vector<std::vector<std::string>> commands;
      if (llvm::StringRef(file.name).endswith(".cpp") || llvm::StringRef(file.name).endswith(".h"))
        commands.push_back({cxx, "-std=gnu++17", "-fsyntax-only", "-Wall", "-Werror", "-I", dir,
                            "-x", "c++", path});
      if (llvm::StringRef(file.name).endswith(".h") && !cc.empty())
        commands.push_back(
            {cc, "-std=gnu11", "-fsyntax-only", "-Wall", "-Werror", "-x", "c", path});
      for (const std::vector<std::string>& command : commands) {
        const std::string error = compile(command, log);
        std::printf("%s %s: %s %s\n", error.empty() ? "PASS" : "FAIL", isa.c_str(),
                    llvm::sys::path::filename(command[0]).str().c_str(), file.name.c_str());
        if (!error.empty()) {
          std::printf("%s\n", error.c_str());
          ++failures;
        }
      }
    }
  }
  std::fflush(stdout);
  if (failures) return 1;
  return skipped ? 77 : 0;
}
