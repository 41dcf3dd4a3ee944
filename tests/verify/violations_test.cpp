// The violations suite: every source in tests/verify/violations/ breaks one
// rule of the generated-code contract and names, in `// expect:` lines, the
// exact diagnostics `convgen verify` must print for it (no more, no fewer).
// Optional lines: `// isa: avx2` (the ISA to verify it for) and
// `// max-stack: N`. A file without `expect:` lines must pass.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "convgen/verify.h"

namespace {

namespace fs = std::filesystem;

struct Expectation {
  convgen::VerifyOptions options;
  std::vector<std::string> diagnostics;  // "line:col: error: [rule] message"
};

Expectation readExpectation(const fs::path& path) {
  Expectation e;
  e.options.isa = convgen::Isa::Scalar;
  std::ifstream in(path);
  std::string line;
  auto value = [&](const std::string& key) -> std::optional<std::string> {
    if (line.rfind(key, 0) != 0) return std::nullopt;
    return line.substr(key.size());
  };
  while (std::getline(in, line)) {
    if (auto v = value("// expect: ")) e.diagnostics.push_back(*v);
    if (auto v = value("// isa: ")) {
      e.options.isa = convgen::parseIsaName(*v);
      REQUIRE(e.options.isa);
    }
    if (auto v = value("// max-stack: ")) e.options.max_stack_bytes = std::stoll(*v);
  }
  return e;
}

std::vector<fs::path> violationFiles() {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(CONVGEN_VIOLATIONS_DIR)) {
    const std::string ext = entry.path().extension().string();
    if (ext == ".cpp" || ext == ".h") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A finding in `file` without the file name; one elsewhere in full.
std::string relative(const convgen::VerifyFinding& f, const fs::path& file) {
  const std::string text = convgen::formatFinding(f);
  if (fs::path(f.file).filename() != file.filename()) return text;
  return text.substr(f.file.size() + 1);
}

}  // namespace

TEST_CASE("each violation source produces exactly the diagnostics it expects") {
  const std::vector<fs::path> files = violationFiles();
  REQUIRE(files.size() >= 12);
  for (const fs::path& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      const Expectation expected = readExpectation(file);
      const convgen::VerifyResult result = convgen::verifyFile(file.string(), expected.options);
      CHECK(result.failure == "");
      std::vector<std::string> got;
      for (const convgen::VerifyFinding& f : result.findings) got.push_back(relative(f, file));
      CHECK(got == expected.diagnostics);
    }
  }
}

TEST_CASE("the violations suite covers every rule") {
  std::set<std::string> covered;
  for (const fs::path& file : violationFiles())
    for (const std::string& d : readExpectation(file).diagnostics) {
      const std::size_t open = d.find('['), close = d.find(']');
      REQUIRE(open != std::string::npos);
      covered.insert(d.substr(open + 1, close - open - 1));
    }
  // The verifier's own list of rules: a new rule needs a violation source.
  const std::vector<std::string> rules = convgen::verifyRuleNames();
  CHECK(rules.size() == 11);
  for (const std::string& rule : rules) {
    INFO("rule " << rule);
    CHECK(covered.count(rule) == 1);
  }
}
