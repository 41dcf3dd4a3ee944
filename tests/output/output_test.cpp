// The write path's library API (output.h, fingerprint.h): where the
// fingerprint lines go and what they depend on; files unchanged in content
// left untouched; stale temporaries removed for one stem only. The failure
// cases (full disk, kills, races, FIFOs) run the real convgen in
// output_test.sh.
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "convgen/emit.h"
#include "convgen/fingerprint.h"
#include "convgen/output.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using convgen::GeneratedFile;

namespace {

std::vector<GeneratedFile> sampleFiles() {
  return {{"net.h", "// banner\n#ifndef NET_H\n#define NET_H\nint f();\n#endif  // NET_H\n"},
          {"net_0.cpp", "#include \"net.h\"\nint f() { return 0; }\n"},
          {"net_1.cpp", "#include \"net.h\"\n"}};
}

std::string scratchDir(const char* name) {
  llvm::SmallString<256> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory(name, dir));
  return std::string(dir);
}

std::string path(const std::string& dir, llvm::StringRef name) {
  llvm::SmallString<256> p(dir);
  llvm::sys::path::append(p, name);
  return std::string(p);
}

std::string read(const std::string& file) {
  auto buffer = llvm::MemoryBuffer::getFile(file);
  REQUIRE(buffer);
  return (*buffer)->getBuffer().str();
}

void touch(const std::string& file) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec);
  REQUIRE(!ec);
}

struct stat statOf(const std::string& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st;
}

}  // namespace

TEST_CASE("the fingerprint depends on every file's name and content", "[fingerprint]") {
  const std::vector<GeneratedFile> files = sampleFiles();
  const std::uint64_t base = convgen::computeFingerprint(files);
  CHECK(convgen::computeFingerprint(sampleFiles()) == base);
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::vector<GeneratedFile> changed = files;
    changed[i].content += " ";
    CHECK(convgen::computeFingerprint(changed) != base);
    changed = files;
    changed[i].name += "x";
    CHECK(convgen::computeFingerprint(changed) != base);
  }
  // Bytes moved from one file's end to the next file's start.
  std::vector<GeneratedFile> moved = files;
  moved[1].content.pop_back();
  moved[2].content.insert(0, "\n");
  CHECK(convgen::computeFingerprint(moved) != base);
}

TEST_CASE("addFingerprint defines the value in the guard and asserts it in every .cpp",
          "[fingerprint]") {
  std::vector<GeneratedFile> files = sampleFiles();
  const std::uint64_t value = convgen::computeFingerprint(files);
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%016llxULL", static_cast<unsigned long long>(value));
  convgen::addFingerprint(files, "NET_FP");
  const std::string define = std::string("#define NET_FP ") + hex + "\n";
  const std::string& header = files[0].content;
  REQUIRE(header.find(define) != std::string::npos);
  CHECK(header.find(define) > header.find("#define NET_H"));
  CHECK(header.find(define) < header.rfind("#endif  // NET_H"));
  CHECK(llvm::StringRef(header).endswith("#endif  // NET_H\n"));
  for (std::size_t i = 1; i < files.size(); ++i) {
    const std::string assertion = std::string("static_assert(NET_FP == ") + hex + ", \"net.h and " +
                                  files[i].name +
                                  " come from different convgen runs: regenerate both\");\n";
    CHECK(llvm::StringRef(files[i].content).endswith(assertion));
  }
}

TEST_CASE("writeFilesIfChanged leaves files of unchanged content untouched", "[output]") {
  const std::string dir = scratchDir("convgen-output-test");
  std::vector<GeneratedFile> files = sampleFiles();
  REQUIRE(convgen::writeFilesIfChanged(dir, "net", files) == "");
  for (const GeneratedFile& f : files) CHECK(read(path(dir, f.name)) == f.content);
  const struct stat header_before = statOf(path(dir, "net.h"));
  const struct stat cpp_before = statOf(path(dir, "net_0.cpp"));

  files[2].content += "int g();\n";
  REQUIRE(convgen::writeFilesIfChanged(dir, "net", files) == "");
  CHECK(read(path(dir, "net_1.cpp")) == files[2].content);
  // Same inode: not rewritten, not renamed over.
  CHECK(statOf(path(dir, "net.h")).st_ino == header_before.st_ino);
  CHECK(statOf(path(dir, "net_0.cpp")).st_ino == cpp_before.st_ino);
  CHECK(statOf(path(dir, "net.h")).st_mtime == header_before.st_mtime);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("writeFilesIfChanged removes stale temporaries of its stem only", "[output]") {
  const std::string dir = scratchDir("convgen-output-test");
  const std::vector<std::string> stale = {"net.h.tmp-0a1b2c", "net.cpp.tmp-ffffff",
                                          "net_12.cpp.tmp-000000",
                                          // convgen import's files
                                          "net.yaml.tmp-123abc", "net.safetensors.tmp-abcdef"};
  const std::vector<std::string> kept = {"netx.h.tmp-0a1b2c", "net.h.tmp-0a1b2",
                                         "net.h.tmp-0A1B2C", "net_.cpp.tmp-0a1b2c",
                                         "net_1x.cpp.tmp-0a1b2c", "net.hpp.tmp-0a1b2c",
                                         "other.cpp.tmp-0a1b2c", "net.yml.tmp-123abc",
                                         "net_1.yaml.tmp-123abc"};
  for (const std::string& name : stale) touch(path(dir, name));
  for (const std::string& name : kept) touch(path(dir, name));
  REQUIRE(convgen::writeFilesIfChanged(dir, "net", sampleFiles()) == "");
  for (const std::string& name : stale) CHECK_FALSE(llvm::sys::fs::exists(path(dir, name)));
  for (const std::string& name : kept) CHECK(llvm::sys::fs::exists(path(dir, name)));
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("writeFilesIfChanged reports an output that is not a regular file", "[output]") {
  const std::string dir = scratchDir("convgen-output-test");
  REQUIRE(!llvm::sys::fs::create_directory(path(dir, "net_0.cpp")));
  CHECK(convgen::writeFilesIfChanged(dir, "net", sampleFiles()) ==
        path(dir, "net_0.cpp") + ": exists and is not a regular file");
  // Nothing written, no temporary left.
  CHECK_FALSE(llvm::sys::fs::exists(path(dir, "net.h")));
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    ++entries;
  CHECK(entries == 2);  // net_0.cpp/ and .convgen.lock
  llvm::sys::fs::remove_directories(dir);
}
