// Unit tests of the verifier over in-memory code: what the generator emits
// passes for every ISA it implements, each rule's decision on small
// snippets, ISA selection (option, the layers' info.isa, the target
// attributes, <arm_neon.h>), stack frames, compile errors and failures,
// and parsing for aarch64 without the cross headers.
#include "convgen/verify.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "convgen/config.h"
#include "convgen/emit.h"
#include "llvm/Support/MemoryBuffer.h"

namespace {

// Snippets are raw strings delimited by "src", not "cpp": clang-format
// would reformat the latter as C++ and move the lines the tests name.
using convgen::Isa;
using convgen::VerifyOptions;
using convgen::VerifyResult;

std::vector<std::string> lines(const VerifyResult& r) {
  std::vector<std::string> out;
  for (const convgen::VerifyFinding& f : r.findings) out.push_back(convgen::formatFinding(f));
  return out;
}

std::vector<std::string> rules(const VerifyResult& r) {
  std::vector<std::string> out;
  for (const convgen::VerifyFinding& f : r.findings) out.push_back(f.rule);
  return out;
}

VerifyResult verifyAs(const std::string& code, std::optional<Isa> isa,
                      const std::string& path = "/v/snippet.cpp") {
  VerifyOptions options;
  options.isa = isa;
  return convgen::verifyCode(code, path, options);
}

// A config covering the emitter's paths: every padding mode, groups and
// depthwise, dilation, stride, unbatched input, no bias, every dtype.
constexpr const char* kConfig = R"yaml(namespace: unit::net
isa: scalar
layers:
  - name: zeros
    input_shape: [2, 3, 9, 11]
    in_channels: 3
    out_channels: 5
    kernel_size: [3, 5]
    stride: [2, 1]
    padding: [1, 2]
    dilation: [2, 1]
  - name: reflect
    input_shape: [1, 4, 8, 8]
    in_channels: 4
    out_channels: 4
    kernel_size: 3
    padding: 2
    padding_mode: reflect
    groups: 2
    dtype: float64
  - name: replicate_dw
    input_shape: [6, 7, 7]
    in_channels: 6
    out_channels: 12
    kernel_size: 3
    padding: same
    padding_mode: replicate
    groups: 6
    bias: false
  - name: circular
    input_shape: [1, 2, 6, 6]
    in_channels: 2
    out_channels: 3
    kernel_size: 3
    padding: 1
    padding_mode: circular
    dtype: int64
  - name: pointwise
    input_shape: [1, 8, 5, 5]
    in_channels: 8
    out_channels: 16
    kernel_size: 1
    dtype: int32
)yaml";

convgen::GeneratedModel generate(Isa isa) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(kConfig, "unit.yaml"), {});
  std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
  REQUIRE(model);
  for (convgen::LayerSpec& layer : model->layers) layer.isa = isa;
  return convgen::generateModel(*model, {});
}

}  // namespace

TEST_CASE("every file the generator emits passes, for every ISA it implements") {
  for (const convgen::IsaInfo& row : convgen::isaTable()) {
    const Isa isa = row.isa;
    DYNAMIC_SECTION(convgen::toString(isa)) {
      const convgen::GeneratedModel generated = generate(isa);
      std::vector<std::pair<std::string, std::string>> files;
      for (const convgen::GeneratedFile& f : generated.files)
        files.emplace_back("/v/" + f.name, f.content);
      for (const auto& [path, content] : files) {
        INFO(path);
        // With --isa as verify_generated.cmake passes it, and without:
        // then the verifier finds the ISA from the layers' info.isa.
        for (bool given : {true, false}) {
          INFO((given ? "--isa given" : "ISA detected from info.isa"));
          VerifyOptions options;
          if (given) options.isa = isa;
          const VerifyResult r = convgen::verifyCode(content, path, options, files);
          CHECK(lines(r) == std::vector<std::string>{});
          CHECK(r.isa == isa);
          CHECK(r.layers.size() == generated.plans.size());
        }
      }
    }
  }
}

TEST_CASE("findings are printed as file:line:col: error: [rule] message") {
  CHECK(convgen::formatFinding({"a/b.cpp", 3, 7, "no-heap", "'new' allocates on the heap"}) ==
        "a/b.cpp:3:7: error: [no-heap] 'new' allocates on the heap");
  CHECK(convgen::formatFinding({"b.cpp", 0, 0, "compile", "cannot read the file"}) ==
        "b.cpp: error: [compile] cannot read the file");
}

TEST_CASE("the parse flags are isa.h's for the given ISA, and none without one") {
  const std::string code = "int f() noexcept { return 0; }\n";
  for (const convgen::IsaInfo& row : convgen::isaTable()) {
    INFO(row.name);
    const VerifyResult r = verifyAs(code, row.isa);
    CHECK(lines(r) == std::vector<std::string>{});
    for (std::string_view flag : row.clang_parse_flags)
      CHECK(std::count(r.compiler_args.begin(), r.compiler_args.end(), std::string(flag)) == 1);
  }
  const VerifyResult plain = verifyAs(code, std::nullopt);
  CHECK(plain.isa == Isa::Scalar);
  for (const convgen::IsaInfo& row : convgen::isaTable())
    for (std::string_view flag : row.clang_parse_flags)
      CHECK(std::count(plain.compiler_args.begin(), plain.compiler_args.end(),
                       std::string(flag)) == 0);
}

TEST_CASE("the same intrinsics pass or fail by ISA") {
  const std::string code = R"src(// No banner: nothing is read from comments.
#include <immintrin.h>
void unrolled_axpy(float* y, const float* x, float a) noexcept {
  _mm256_storeu_ps(y, _mm256_fmadd_ps(_mm256_set1_ps(a), _mm256_loadu_ps(x), _mm256_loadu_ps(y)));
}
)src";
  CHECK(lines(verifyAs(code, Isa::Avx2)) == std::vector<std::string>{});
  CHECK(lines(verifyAs(code, Isa::Avx512)) == std::vector<std::string>{});
  const VerifyResult scalar = verifyAs(code, Isa::Scalar);
  CHECK(rules(scalar) == std::vector<std::string>{"allowed-includes", "allowed-calls",
                                                  "allowed-calls", "allowed-calls", "allowed-calls",
                                                  "allowed-calls"});
  CHECK(lines(scalar)[1] ==
        "/v/snippet.cpp:4:3: error: [allowed-calls] '_mm256_storeu_ps' is an intrinsic "
        "(<avxintrin.h>): a scalar file uses no intrinsics");
}

// A header of LayerInfo v2 layers, each with its ISA: LAYER(name, "isa").
constexpr const char* kLayersHeader = R"src(#include <array>
#include <cstdint>
namespace convgen::generated {
inline namespace layer_info_v2 {
struct LayerInfo { const char* name; const char* isa; const char* strategy; const char* kernel; };
}
}
#define LAYER(NAME, ISA)                                                                   \
  namespace m::NAME {                                                                      \
  using value_type = float;                                                                \
  inline constexpr std::array<std::int64_t, 4> input_shape = {1, 1, 8, 8};                 \
  inline constexpr std::array<std::int64_t, 4> weight_shape = {1, 1, 1, 1};                \
  inline constexpr std::array<std::int64_t, 4> output_shape = {1, 1, 8, 8};                \
  inline constexpr convgen::generated::LayerInfo info = {                                  \
      /*name=*/#NAME, /*isa=*/ISA, /*strategy=*/"direct", /*kernel=*/#NAME "_k"};           \
  void forward(const float* input, const float* weight, const float* bias,                 \
               float* output) noexcept;                                                    \
  }                                                                                        \
  extern "C" void m_##NAME##_forward(const float* input, const float* weight,              \
                                     const float* bias, float* output);
LAYER(fast, "avx2")
LAYER(slow, "scalar")
)src";

TEST_CASE("a scalar layer in an avx2 file uses no intrinsics") {
  // Layer ISAs come from the `isa` fields of the layers' info constants.
  const std::string header = kLayersHeader;
  const std::string source =
      R"src(#include "m.h"
#include <immintrin.h>
#define DEFINE(NAME)                                                                       \
  extern "C" void m_##NAME##_forward(const float* input, const float* weight,              \
                                     const float* bias, float* output) {                   \
    m::NAME::forward(input, weight, bias, output);                                         \
  }
namespace m::fast {
void forward(const float* input, const float* weight, const float*, float* output) noexcept {
  _mm256_storeu_ps(output, _mm256_mul_ps(_mm256_loadu_ps(input), _mm256_set1_ps(*weight)));
}
}
namespace m::slow {
void forward(const float* input, const float* weight, const float*, float* output) noexcept {
  _mm256_storeu_ps(output, _mm256_loadu_ps(input));
  output[0] *= *weight;
}
}
DEFINE(fast)
DEFINE(slow)
)src";
  const std::vector<std::string> expected = {
      "/v/m.cpp:15:3: error: [allowed-calls] '_mm256_storeu_ps' is an "
      "intrinsic (<avxintrin.h>): a scalar file uses no intrinsics (layer "
      "'m::slow' is scalar)",
      "/v/m.cpp:15:28: error: [allowed-calls] '_mm256_loadu_ps' is an "
      "intrinsic (<avxintrin.h>): a scalar file uses no intrinsics (layer "
      "'m::slow' is scalar)"};
  VerifyOptions options;
  options.isa = Isa::Avx2;
  const VerifyResult r = convgen::verifyCode(source, "/v/m.cpp", options, {{"/v/m.h", header}});
  CHECK(lines(r) == expected);
  CHECK(r.layers == std::vector<std::string>{"m::fast", "m::slow"});

  // Without --isa the file's ISA is its widest layer's; with no ISA flags,
  // the features come from the functions' target attributes.
  std::string with_targets = source;
  const std::string plain = "void forward(";
  const std::string targeted = "__attribute__((target(\"avx2,fma\"))) void forward(";
  for (std::size_t at = with_targets.find(plain); at != std::string::npos;
       at = with_targets.find(plain, at + targeted.size()))
    with_targets.replace(at, plain.size(), targeted);
  const VerifyResult found = convgen::verifyCode(with_targets, "/v/m.cpp", {}, {{"/v/m.h", header}});
  CHECK(found.isa == Isa::Avx2);
  CHECK(lines(found) == expected);

  // No flags and no attribute: the intrinsics' features are missing.
  const VerifyResult bare = convgen::verifyCode(source, "/v/m.cpp", {}, {{"/v/m.h", header}});
  CHECK(bare.isa == Isa::Avx2);
  REQUIRE(bare.findings.size() >= 3);
  CHECK(lines(bare)[0] ==
        "/v/m.cpp:10:3: error: [allowed-calls] '_mm256_storeu_ps' needs target feature 'avx', "
        "which avx2 files are not compiled with (no ISA flags)");
}

TEST_CASE("a layer's info.isa must name an ISA") {
  std::string header = kLayersHeader;
  header.replace(header.find("LAYER(slow, \"scalar\")"), 21, "LAYER(slow, \"sse9\")");
  const VerifyResult r = verifyAs(header, Isa::Scalar, "/v/m.h");
  CHECK(lines(r) == std::vector<std::string>{
                        "/v/m.h:22:7: error: [public-api] layer 'm::slow': info.isa is \"sse9\", "
                        "not one of \"scalar\", \"avx2\", \"avx512\", \"neon\""});
}

TEST_CASE("quoted includes name regular files next to the verified file") {
  const std::string code = "#include \"/w/elsewhere/x.h\"\nint f() noexcept { return X; }\n";
  VerifyOptions options;
  options.isa = Isa::Scalar;
  const VerifyResult r =
      convgen::verifyCode(code, "/v/a.cpp", options, {{"/w/elsewhere/x.h", "#define X 1\n"}});
  CHECK(lines(r) == std::vector<std::string>{
                        "/v/a.cpp:1:1: error: [allowed-includes] \"/w/elsewhere/x.h\" resolves "
                        "to '/w/elsewhere/x.h', outside the directory of the file being "
                        "verified: generated code includes only its own header, next to it"});
  CHECK(lines(convgen::verifyCode("#include \"x.h\"\nint f() noexcept { return X; }\n",
                                  "/w/elsewhere/a.cpp", options,
                                  {{"/w/elsewhere/x.h", "#define X 1\n"}})) ==
        std::vector<std::string>{});
}

TEST_CASE("constant tables and compile-time calls are allowed") {
  const std::string code = R"src(#include <array>
#include <cstdint>
namespace {
constexpr std::int32_t kRowBefore[2] = {2, 1};
constexpr std::array<std::int64_t, 2> kDims = {3, 4};
constexpr std::int64_t sourceRow(std::int64_t i) noexcept { return i < 0 ? kRowBefore[i + 2] : i; }
static_assert(kDims.size() == 2, "");
constexpr std::int64_t kCount = kDims[0] * kDims[1];
}  // namespace
float unrolled_sum(const float* x) noexcept {
  float acc[kCount] = {};
  acc[0] = x[sourceRow(-1)] + x[sizeof(kDims)];
  return acc[0];
}
)src";
  const VerifyResult r = verifyAs(code, Isa::Scalar);
  CHECK(lines(r) == std::vector<std::string>{});
  REQUIRE(r.frames.size() == 1);
  CHECK(r.frames[0].function == "unrolled_sum");
  CHECK(r.frames[0].bytes == 12 * 4);
}

TEST_CASE("stack frames: local arrays and aggregates, largest first, with a limit") {
  const std::string code = R"src(struct Tile { double v[4]; };
void small() noexcept { float a[4] = {}; (void)a; }
void big() noexcept {
  float a[16] = {};
  Tile t = {};
  int scalar = 0;
  (void)a; (void)t; (void)scalar;
  { char inner[3] = {}; (void)inner; }
}
)src";
  VerifyOptions options;
  options.isa = Isa::Scalar;
  VerifyResult r = convgen::verifyCode(code, "/v/s.cpp", options);
  CHECK(lines(r) == std::vector<std::string>{});
  REQUIRE(r.frames.size() == 2);
  CHECK(r.frames[0].function == "big");
  CHECK(r.frames[0].bytes == 16 * 4 + 32 + 3);
  CHECK(r.frames[0].line == 3);
  CHECK(r.frames[1].bytes == 16);
  options.max_stack_bytes = 64;
  r = convgen::verifyCode(code, "/v/s.cpp", options);
  CHECK(lines(r) ==
        std::vector<std::string>{"/v/s.cpp:3:6: error: [stack-frame] 'big' keeps 99 bytes of local "
                                 "arrays and aggregates on the stack, more than --max-stack 64"});
}

TEST_CASE("recursion is found through the call graph") {
  const std::string code = R"src(void c(int n) noexcept;
void a(int n) noexcept { if (n) c(n - 1); }
void b(int n) noexcept { if (n) a(n - 1); }
void c(int n) noexcept { if (n) b(n - 1); }
void leaf() noexcept {}
void caller() noexcept { leaf(); leaf(); }
)src";
  CHECK(lines(verifyAs(code, Isa::Scalar)) ==
        std::vector<std::string>{"/v/snippet.cpp:2:33: error: [no-recursion] 'a' is recursive "
                                 "(a -> c -> b -> a): generated code's stack use must be bounded"});
}

TEST_CASE("code that does not compile is reported as [compile]") {
  const VerifyResult r = verifyAs("void f() noexcept { undeclared(); }\n", Isa::Scalar);
  REQUIRE_FALSE(r.ok());
  CHECK(lines(r)[0] ==
        "/v/snippet.cpp:1:21: error: [compile] use of undeclared identifier 'undeclared'");
}

TEST_CASE("a file that cannot be read is a failure, not a finding") {
  VerifyOptions options;
  const VerifyResult missing = convgen::verifyFile("/nonexistent/x.cpp", options);
  CHECK(missing.findings.empty());
  CHECK(missing.failure == "cannot read the file: No such file or directory");
  CHECK_FALSE(missing.ok());
  CHECK(convgen::verifyFile("/dev/null", options).failure == "not a regular file");
  CHECK(convgen::verifyFile("/", options).failure == "not a regular file");
}

TEST_CASE("a header with no layer API is reported") {
  CHECK(lines(verifyAs("#include <cstdint>\n", Isa::Scalar, "/v/empty.h")) ==
        std::vector<std::string>{"/v/empty.h:1:1: error: [public-api] no layer API: a generated "
                                 "header declares, per layer, value_type, the shape constants and "
                                 "forward in namespace <namespace>::<layer>"});
}

TEST_CASE("neon files parse for aarch64, with or without the cross headers") {
  const std::string code = R"src(#include <arm_neon.h>
#include <array>
#include <cstdint>
void unrolled_scale(float* y, const float* x, float a) noexcept {
  vst1q_f32(y, vmulq_n_f32(vld1q_f32(x), a));
}
)src";
  for (bool host_headers : {false, true}) {
    DYNAMIC_SECTION("host headers " << host_headers) {
      VerifyOptions options;
      options.isa = Isa::Neon;
      options.neon_host_headers = host_headers;
      const VerifyResult r = convgen::verifyCode(code, "/v/n.cpp", options);
      CHECK(lines(r) == std::vector<std::string>{});
      const bool nostdinc = std::find(r.compiler_args.begin(), r.compiler_args.end(),
                                      "-nostdinc++") != r.compiler_args.end();
      if (host_headers) CHECK(nostdinc);
    }
  }
  // The same code is no scalar code.
  CHECK_FALSE(verifyAs(code, Isa::Scalar).ok());
  // Without --isa, including <arm_neon.h> makes the file parse for aarch64.
  const VerifyResult found = verifyAs(code, std::nullopt);
  CHECK(lines(found) == std::vector<std::string>{});
  CHECK(found.isa == Isa::Neon);
  for (std::string_view flag : convgen::isaInfo(Isa::Neon).clang_parse_flags)
    CHECK(std::count(found.compiler_args.begin(), found.compiler_args.end(), std::string(flag)) ==
          1);
}
