// The errors suite: tests/errors/*.yaml, one small bad config per rule. Each
// file states the exact diagnostics it must produce in `# expect:` comment
// lines at its top, in order, without the file name, e.g.
//
//   # expect: 9:13: error: in_channels must be divisible by groups
//
// The test loads each file with convgen::loadConfigFile and requires that the
// load fails and that Diagnostics::lines() equals that list exactly, each
// line prefixed with the file name.
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
