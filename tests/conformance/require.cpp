// convgen_test_require: runs a test command only when what it needs is here,
// and otherwise exits 77, which every convgen test that can be skipped
// declares as its SKIP_RETURN_CODE, printing what is missing.
//
//   convgen_test_require [--program NAME=PACKAGE]... [--file PATH=PACKAGE]...
//                        [--unless-native ISA]... -- COMMAND [ARG]...
//
//   --program  NAME must be on PATH (or be an existing path)
//   --file     PATH must exist (a header found at configure time, say)
//   --unless-native  skip when this CPU runs ISA natively: the test is an
//              emulated run (qemu, SIMDe) of what the native conformance
//              tests already cover here. CONVGEN_RUN_EMULATED=1 in the
//              environment runs it anyway.
//
// Otherwise it replaces itself with COMMAND (its exit status is the test's).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "cpu_isa.h"

namespace {

constexpr int kSkip = 77;

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool onPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

int usage(const char* why) {
  std::fprintf(stderr,
               "convgen_test_require: %s\nusage: convgen_test_require [--program NAME=PACKAGE]... "
               "[--file PATH=PACKAGE]... [--unless-native ISA]... -- COMMAND [ARG]...\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> missing;
  std::vector<std::string> native;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (i + 1 >= argc) return usage(("missing value after " + arg).c_str());
    const std::string value = argv[++i];
    if (arg == "--unless-native") {
      const convgen::testing::CpuVerdict v = convgen::testing::cpuRunsNatively(value);
      if (!v.known) return usage(("unknown ISA '" + value + "'").c_str());
      if (v.runs) native.push_back(value);
      continue;
    }
    const std::size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == value.size())
      return usage(("expected WHAT=PACKAGE after " + arg + ", got '" + value + "'").c_str());
    const std::string what = value.substr(0, eq), package = value.substr(eq + 1);
    if (arg == "--program") {
      if (!onPath(what)) missing.push_back("the program " + what + " (package " + package + ")");
    } else if (arg == "--file") {
      if (!exists(what)) missing.push_back(what + " (package " + package + ")");
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }
  if (i >= argc || i + 1 >= argc) return usage("no command after --");

  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    std::printf("SKIPPED: this test needs %s, not found on this machine\n", list.c_str());
    return kSkip;
  }
  const char* force = std::getenv("CONVGEN_RUN_EMULATED");
  if (!native.empty() && !(force && std::strcmp(force, "1") == 0)) {
    std::string list;
    for (const std::string& n : native) list += (list.empty() ? "" : ", ") + n;
    std::printf("SKIPPED: this CPU runs %s natively, and the native conformance tests cover it "
                "(CONVGEN_RUN_EMULATED=1 runs the emulated build anyway)\n",
                list.c_str());
    return kSkip;
  }
  std::fflush(stdout);
  ::execvp(argv[i + 1], argv + i + 1);
  std::fprintf(stderr, "convgen_test_require: cannot run %s: %s\n", argv[i + 1],
               std::strerror(errno));
  return 1;
}
