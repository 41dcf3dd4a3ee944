// The errors suite: tests/errors/*.yaml, one small bad config per rule. Each
// file states the exact diagnostics it must produce in `# expect:` comment
// lines at its top, in order, without the file name, e.g.
//
//   # expect: 9:13: error: in_channels must be divisible by groups
//
// The test loads each file with convgen::loadConfigFile and requires that the
// load fails and that Diagnostics::lines() equals that list exactly, each
// line prefixed with the file name.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace {

// The suite holds one file per rule; fewer than this means a glob or path
// mishap, which must not let the suite pass vacuously.
constexpr std::size_t kMinErrorConfigs = 50;

const char* const kErrorsDir = CONVGEN_ERRORS_DIR;

// The *.yaml files of the errors directory, by name, sorted.
std::vector<std::string> errorConfigNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(kErrorsDir, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.endswith(".yaml")) names.push_back(name.str());
  }
  INFO("listing " << kErrorsDir << ": " << ec.message());
  REQUIRE(!ec);
  std::sort(names.begin(), names.end());
  return names;
}

struct Expectations {
  std::vector<std::string> lines;        // `# expect:` payloads, in order
  bool expect_after_content = false;     // an `# expect:` below the leading comments
  bool read_ok = false;
};

// The `# expect: ` lines of the leading comment block.
Expectations readExpectations(const std::string& path) {
  Expectations out;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) return out;
  out.read_ok = true;
  llvm::StringRef text = (*buffer)->getBuffer();
  bool in_header = true;
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    line = line.rtrim("\r");
    const bool is_comment = line.startswith("#");
    if (!is_comment) in_header = false;
    if (line.startswith("# expect: ")) {
      if (in_header)
        out.lines.push_back(line.drop_front(llvm::StringRef("# expect: ").size()).str());
      else
        out.expect_after_content = true;
    }
  }
  return out;
}

// Makes `dir` the working directory for its lifetime, so that configs can be
// loaded by bare name and diagnostics read `name.yaml:LINE:COL: ...`.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const llvm::Twine& dir) {
    llvm::sys::fs::current_path(saved_);
    ok_ = !llvm::sys::fs::set_current_path(dir);
  }
  ~WorkingDirectory() { llvm::sys::fs::set_current_path(saved_); }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;
  bool ok() const { return ok_; }

 private:
  llvm::SmallString<256> saved_;
  bool ok_ = false;
};

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

}  // namespace

TEST_CASE("the errors suite is not vacuous", "[errors]") {
  const std::vector<std::string> names = errorConfigNames();
  INFO("found " << names.size() << " configs in " << kErrorsDir);
  CHECK(names.size() >= kMinErrorConfigs);
  // The CLI contract test (cli/check_invalid_exits_1) runs this one.
  CHECK(std::find(names.begin(), names.end(), "groups_in_channels.yaml") != names.end());
}

TEST_CASE("every error config states its expected diagnostics at its top", "[errors]") {
  for (const std::string& name : errorConfigNames()) {
    const std::string path = (llvm::Twine(kErrorsDir) + "/" + name).str();
    const Expectations e = readExpectations(path);
    INFO(name);
    REQUIRE(e.read_ok);
    CHECK(!e.lines.empty());
    CHECK(!e.expect_after_content);
    for (const std::string& line : e.lines) {
      INFO(line);
      // LINE:COL: error: MESSAGE
      const auto [line_no, rest1] = llvm::StringRef(line).split(':');
      const auto [col_no, rest2] = rest1.split(':');
      unsigned ignored = 0;
      CHECK(!line_no.getAsInteger(10, ignored));
      CHECK(!col_no.getAsInteger(10, ignored));
      CHECK(rest2.startswith(" error: "));
    }
  }
}

TEST_CASE("every error config fails with exactly its expected diagnostics", "[errors]") {
  const std::vector<std::string> names = errorConfigNames();
  REQUIRE(names.size() >= kMinErrorConfigs);
  for (const std::string& name : names) {
    DYNAMIC_SECTION(name) {
      const Expectations e = readExpectations((llvm::Twine(kErrorsDir) + "/" + name).str());
      REQUIRE(e.read_ok);
      REQUIRE(!e.lines.empty());
      std::vector<std::string> expected;
      for (const std::string& line : e.lines) expected.push_back(name + ":" + line);

      WorkingDirectory cwd(kErrorsDir);
      REQUIRE(cwd.ok());
      llvm::SourceMgr sm;
      convgen::Diagnostics diags(sm);
      const std::optional<convgen::ModelSpec> model = convgen::loadConfigFile(name, sm, diags);
      const std::vector<std::string> actual = diags.lines();

      INFO("expected:\n" << join(expected) << "actual:\n" << join(actual));
      REQUIRE_FALSE(model.has_value());
      REQUIRE(diags.hasErrors());
      REQUIRE(diags.errorCount() == actual.size());
      REQUIRE(actual == expected);
    }
  }
}

TEST_CASE("an unreadable config is reported, not crashed on", "[errors]") {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const std::string path = (llvm::Twine(kErrorsDir) + "/no_such_config.yaml").str();
  const std::optional<convgen::ModelSpec> model = convgen::loadConfigFile(path, sm, diags);
  REQUIRE_FALSE(model.has_value());
  const std::vector<std::string> lines = diags.lines();
  REQUIRE(lines.size() == 1);
  CHECK(llvm::StringRef(lines[0]).startswith("error: cannot read config '" + path + "': "));
}

// --- Printing is bounded ------------------------------------------------------

namespace {

// Loads `text` as `name` and returns what print() writes.
std::string printed(const std::string& text, bool show_source = true,
                    std::size_t* errors = nullptr) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "x.yaml"), llvm::SMLoc());
  CHECK_FALSE(convgen::loadConfig(sm, id, diags).has_value());
  if (errors) *errors = diags.errorCount();
  std::string out;
  llvm::raw_string_ostream os(out);
  diags.print(os, show_source);
  return os.str();
}

std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  llvm::SmallVector<llvm::StringRef, 16> parts;
  llvm::StringRef(text).split(parts, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef p : parts) out.push_back(p.str());
  return out;
}

// One flow-style line holding `n` layers, each with a bad groups value.
std::string manyBadLayers(std::size_t n) {
  std::string text = "namespace: t\nlayers: [";
  for (std::size_t i = 0; i < n; ++i)
    text += (i ? ", " : "") + std::string("{name: l") + std::to_string(i) +
            ", input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, "
            "groups: 0}";
  return text + "]\n";
}

}  // namespace

TEST_CASE("a long source line is clipped around the caret", "[errors][print]") {
  // The error is at column 205 of a 400-column line.
  const std::string pad(190, ' ');
  const std::string text = "namespace: t\nlayers: [{name: c, " + pad +
                           "input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, "
                           "kernel_size: 3, groups: -1" + std::string(150, ' ') + "}]\n";
  const std::vector<std::string> lines = splitLines(printed(text));
  REQUIRE(lines.size() == 3);
  CHECK(llvm::StringRef(lines[0]).startswith("x.yaml:2:"));
  CHECK(llvm::StringRef(lines[0]).endswith("error: groups must be a positive integer"));
  const std::string& source = lines[1];
  const std::string& caret = lines[2];
  INFO(source << "\n" << caret);
  CHECK(llvm::StringRef(source).startswith("..."));
  CHECK(llvm::StringRef(source).endswith("..."));
  CHECK(source.size() == convgen::kSourceWindow + 6);
  REQUIRE(caret.size() <= source.size());
  CHECK(caret.back() == '^');
  // The caret sits under the value it points at.
  CHECK(source.substr(caret.size() - 1, 2) == "-1");
  CHECK(caret.find_first_not_of(' ') == caret.size() - 1);
  // A short line is printed whole, with the caret under the column.
  const std::vector<std::string> short_lines =
      splitLines(printed("namespace: t\nlayers:\n  - {name: c, input_shape: [1, 3, 8, 8],\n"
                         "     in_channels: 3, out_channels: 4, kernel_size: 3, groups: 0}\n"));
  REQUIRE(short_lines.size() == 3);
  CHECK(short_lines[1] == "     in_channels: 3, out_channels: 4, kernel_size: 3, groups: 0}");
  CHECK(short_lines[2] == std::string(short_lines[1].find("0}"), ' ') + "^");
}

TEST_CASE("multi-byte characters and tabs keep the caret aligned", "[errors][print]") {
  const std::string text =
      "namespace: t\nlayers:\n  - {name: \"\xc3\xa9\xc3\xa9\",\tgroups: 0,\n"
      "     input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3}\n";
  const std::vector<std::string> lines = splitLines(printed(text));
  REQUIRE(lines.size() == 6);  // two errors on one line: the name, the groups
  // Under 'groups: 0': columns count characters, "\xc3\xa9\xc3\xa9" is two.
  const std::string& source = lines[4];
  const std::string& caret = lines[5];
  INFO(source << "\n" << caret);
  const std::size_t zero_byte = source.find("0,");
  REQUIRE(zero_byte != std::string::npos);
  CHECK(caret.size() - 1 == zero_byte - 2);  // two continuation bytes before it
  CHECK(source.find('\t') == std::string::npos);
}

TEST_CASE("at most kMaxShownDiagnostics are printed, then a count of the rest",
          "[errors][print]") {
  std::size_t errors = 0;
  const std::string text = manyBadLayers(2000);
  REQUIRE(text.size() > 170000);
  const std::string out = printed(text, true, &errors);
  CHECK(errors == 2000);
  const std::vector<std::string> lines = splitLines(out);
  REQUIRE(lines.size() == 3 * convgen::kMaxShownDiagnostics + 1);
  CHECK(lines.back() == "1900 more errors not shown (100 of 2000 printed)");
  // Bounded: each line at most the window plus the "..." marks, or one
  // diagnostic's header.
  for (const std::string& line : lines) CHECK(line.size() <= 200);
  CHECK(out.size() < 40000);
  // Without source lines: the same count.
  const std::vector<std::string> bare = splitLines(printed(text, false));
  REQUIRE(bare.size() == convgen::kMaxShownDiagnostics + 1);
  CHECK(bare.back() == lines.back());
  // lines() still lists every one, for tests and tools.
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "x.yaml"), llvm::SMLoc());
  CHECK_FALSE(convgen::loadConfig(sm, id, diags).has_value());
  CHECK(diags.lines().size() == 2000);
}

// --- Only regular files are read ------------------------------------------

namespace {

struct ReadResult {
  bool ok = false;
  std::string error;
};

ReadResult readConfig(const std::string& path) {
  llvm::SourceMgr sm;
  ReadResult r;
  r.ok = convgen::readConfigFile(path, sm, &r.error).has_value();
  return r;
}

// A fresh directory under the system temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() { ok_ = !llvm::sys::fs::createUniqueDirectory("convgen-errors-test", path_); }
  ~TempDir() { llvm::sys::fs::remove_directories(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  bool ok() const { return ok_; }
  std::string file(const char* name) const { return (llvm::Twine(path_) + "/" + name).str(); }

 private:
  llvm::SmallString<128> path_;
  bool ok_ = false;
};

}  // namespace

TEST_CASE("a device, a FIFO or a directory is refused without reading it", "[errors][files]") {
  const ReadResult zero = readConfig("/dev/zero");
  CHECK_FALSE(zero.ok);
  CHECK(zero.error == "not a regular file");
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string fifo = dir.file("fifo.yaml");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // With no writer, opening it for reading would block: it must not.
  const ReadResult from_fifo = readConfig(fifo);
  CHECK_FALSE(from_fifo.ok);
  CHECK(from_fifo.error == "not a regular file");
  const ReadResult from_dir = readConfig(dir.file("."));
  CHECK_FALSE(from_dir.ok);
  CHECK(from_dir.error == "it is a directory");
  const ReadResult missing = readConfig(dir.file("missing.yaml"));
  CHECK_FALSE(missing.ok);
  CHECK(missing.error == "No such file or directory");
  // loadConfigFile reports the same, unlocated.
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  CHECK_FALSE(convgen::loadConfigFile("/dev/zero", sm, diags).has_value());
  REQUIRE(diags.lines().size() == 1);
  CHECK(diags.lines()[0] == "error: cannot read config '/dev/zero': not a regular file");
}

TEST_CASE("a regular file over the size limit is refused before it is read", "[errors][files]") {
  TempDir dir;
  REQUIRE(dir.ok());
  const std::string big = dir.file("big.yaml");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(big, ec);
    REQUIRE(!ec);
  }
  // Sparse: the size is what counts, not the bytes on disk.
  REQUIRE(::truncate(big.c_str(), static_cast<off_t>(convgen::kMaxConfigBytes) + 1) == 0);
  const ReadResult r = readConfig(big);
  CHECK_FALSE(r.ok);
  CHECK(r.error == "config file is too large (16777217 bytes; the limit is 16777216)");
  // At the limit, it is read (and then parsed as usual).
  REQUIRE(::truncate(big.c_str(), static_cast<off_t>(convgen::kMaxConfigBytes)) == 0);
  CHECK(readConfig(big).ok);
}

TEST_CASE("only the earliest kMaxStoredDiagnostics are stored; the rest are counted",
          "[errors][print]") {
  const std::size_t n = convgen::kMaxStoredDiagnostics + 2000;
  const std::string text(n, 'x');
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "x.yaml"), llvm::SMLoc());
  const char* start = sm.getMemoryBuffer(id)->getBufferStart();
  // Reported from the last column to the first: the earliest must win.
  for (std::size_t i = n; i-- > 0;)
    diags.error(llvm::SMLoc::getFromPointer(start + i), "e" + llvm::Twine(i));
  CHECK(diags.errorCount() == n);
  const std::vector<std::string> lines = diags.lines();
  REQUIRE(lines.size() == convgen::kMaxStoredDiagnostics);
  CHECK(lines.front() == "x.yaml:1:1: error: e0");
  CHECK(lines.back() == "x.yaml:1:" + std::to_string(convgen::kMaxStoredDiagnostics) +
                            ": error: e" + std::to_string(convgen::kMaxStoredDiagnostics - 1));
  std::string out;
  llvm::raw_string_ostream os(out);
  diags.print(os, /*show_source=*/false);
  const std::vector<std::string> printed_lines = splitLines(os.str());
  REQUIRE(printed_lines.size() == convgen::kMaxShownDiagnostics + 1);
  CHECK(printed_lines.back() == std::to_string(n - convgen::kMaxShownDiagnostics) +
                                    " more errors not shown (100 of " + std::to_string(n) +
                                    " printed)");
  // A reader's own unstored count adds to the total.
  diags.countUnstored(5);
  CHECK(diags.errorCount() == n + 5);
}
