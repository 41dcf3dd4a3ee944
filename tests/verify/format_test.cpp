// formatGeneratedCode: the checked-in style is the one used, formatting is
// deterministic and idempotent, changes whitespace and comment breaks only,
// and formatted generated code still passes the verifier.
#include "convgen/format.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "convgen/config.h"
#include "convgen/emit.h"
#include "convgen/verify.h"
#include "llvm/Support/MemoryBuffer.h"

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The code without whitespace or comment markers: what formatting must keep.
std::string tokensOnly(const std::string& code) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (code.compare(i, 2, "//") == 0) {
      ++i;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(code[i]))) out += code[i];
  }
  return out;
}

convgen::GeneratedModel generateSeeds(convgen::Isa isa) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  std::optional<convgen::ModelSpec> model =
      convgen::loadConfigFile(std::string(CONVGEN_CONFIGS_DIR) + "/seeds.yaml", sm, diags);
  REQUIRE(model);
  for (convgen::LayerSpec& layer : model->layers) layer.isa = isa;
  return convgen::generateModel(*model, {});
}

}  // namespace

TEST_CASE("the style is templates/clang-format.yaml") {
  CHECK(std::string(convgen::generatedCodeStyle()) == readFile(CONVGEN_FORMAT_STYLE_FILE));
}

TEST_CASE("formatting follows the style and is idempotent") {
  const std::string messy =
      "namespace a{int f(int x){return x*2;}\n"
      "float*  g(float *p) noexcept {return p;}}\n";
  const std::string once = convgen::formatGeneratedCode(messy, "x.cpp");
  CHECK(once ==
        "namespace a {\n"
        "int f(int x) { return x * 2; }\n"
        "float* g(float* p) noexcept { return p; }\n"
        "}  // namespace a\n");
  CHECK(convgen::formatGeneratedCode(once, "x.cpp") == once);
  // Another style changes the result: the style argument is used.
  CHECK(convgen::formatGeneratedCode(messy, "x.cpp", "BasedOnStyle: LLVM\nColumnLimit: 40\n") !=
        once);
}

TEST_CASE("formatted generated code is deterministic, keeps its tokens, and verifies") {
  for (convgen::Isa isa : {convgen::Isa::Scalar, convgen::Isa::Avx2}) {
    DYNAMIC_SECTION(convgen::toString(isa)) {
      const convgen::GeneratedModel generated = generateSeeds(isa);
      std::vector<std::pair<std::string, std::string>> formatted;
      for (const convgen::GeneratedFile& f : generated.files) {
        const std::string once = convgen::formatGeneratedCode(f.content, f.name);
        CHECK(convgen::formatGeneratedCode(f.content, f.name) == once);
        CHECK(convgen::formatGeneratedCode(once, f.name) == once);
        CHECK(tokensOnly(once) == tokensOnly(f.content));
        formatted.emplace_back("/v/" + f.name, once);
      }
      for (const auto& [path, content] : formatted) {
        INFO(path);
        convgen::VerifyOptions options;
        options.isa = isa;
        const convgen::VerifyResult r = convgen::verifyCode(content, path, options, formatted);
        for (const convgen::VerifyFinding& finding : r.findings)
          UNSCOPED_INFO(convgen::formatFinding(finding));
        CHECK(r.ok());
      }
    }
  }
}
