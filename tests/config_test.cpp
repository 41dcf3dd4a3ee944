// Reading valid configs (convgen/config.h): the shipped configs, defaults,
// the int-or-pair forms, 'same'/'valid', per-layer overrides, PyTorch's
// accepted edge cases; and robustness: hostile or damaged input never
// crashes and never succeeds silently — it loads, or it is diagnosed as
// `x.yaml:LINE:COL: error: ...`.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "convgen/config.h"
#include "convgen/config_keys.h"
#include "convgen/emit.h"
#include "convgen/validate.h"
#include "convgen/diagnostics.h"
#include "convgen/shapes.h"
#include "convgen/spec.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using convgen::DType;
using convgen::Hw;
using convgen::Isa;
using convgen::LayerSpec;
using convgen::ModelSpec;
using convgen::Padding4;
using convgen::PaddingKind;
using convgen::PaddingMode;

namespace {

struct Loaded {
  std::optional<ModelSpec> model;
  std::vector<std::string> lines;
  std::size_t errors = 0;
};

Loaded load(llvm::StringRef text) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "x.yaml"), llvm::SMLoc());
  Loaded out;
  out.model = convgen::loadConfig(sm, id, diags);
  out.lines = diags.lines();
  out.errors = diags.errorCount();
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// Loads `text`, requiring success and silence.
ModelSpec loadValid(const std::string& text) {
  const Loaded r = load(text);
  INFO(text << "\ndiagnostics:\n" << join(r.lines));
  REQUIRE(r.lines.empty());
  REQUIRE(r.model.has_value());
  return *r.model;
}

LayerSpec loadOneValid(const std::string& text) {
  const ModelSpec m = loadValid(text);
  REQUIRE(m.layers.size() == 1);
  return m.layers[0];
}

// One layer: `extra` holds further `key: value` lines, indented by 4.
std::string oneLayer(const std::string& extra, const std::string& input_shape = "[1, 3, 8, 8]",
                     int in = 3, int out = 4, const std::string& kernel = "3") {
  return "namespace: t\nlayers:\n  - name: conv\n    input_shape: " + input_shape +
         "\n    in_channels: " + std::to_string(in) + "\n    out_channels: " +
         std::to_string(out) + "\n    kernel_size: " + kernel + "\n" + extra;
}

const std::regex& diagnosticLine() {
  static const std::regex re("^x\\.yaml:[0-9]+:[0-9]+: error: ");
  return re;
}

// The robustness contract: a model and no diagnostics, or no model and at
// least one diagnostic, each with a location in x.yaml.
void requireLoadsOrDiagnoses(const Loaded& r, const std::string& what) {
  INFO(what << "\ndiagnostics:\n" << join(r.lines));
  REQUIRE(r.errors == r.lines.size());
  if (r.model) {
    REQUIRE(r.lines.empty());
    return;
  }
  REQUIRE(!r.lines.empty());
  for (const std::string& line : r.lines) {
    INFO(line);
    REQUIRE(std::regex_search(line, diagnosticLine()));
    // One diagnostic, one line: values quoted in messages are escaped.
    REQUIRE(line.find_first_of("\n\r") == std::string::npos);
  }
}

// Only diagnoses (never loads).
void requireDiagnosed(const Loaded& r, const std::string& what) {
  requireLoadsOrDiagnoses(r, what);
  REQUIRE_FALSE(r.model.has_value());
}

// A valid config that uses most keys and both YAML styles; the base for
// truncation and mutation.
const char* const kFullConfig = R"(# a config for robustness tests
namespace: robust::net
isa: avx2
layers:
  - name: stem
    input_shape: [2, 3, 16, 16]
    in_channels: 3
    out_channels: 8
    kernel_size: [3, 5]
    stride: [2, 1]
    padding: [1, 2]
    dilation: 1
    groups: 1
    bias: false
    padding_mode: zeros
    dtype: float32
    isa: scalar
    device: cpu
  - name: dw
    input_shape: [8, 8, 12]
    in_channels: 8
    out_channels: 8
    kernel_size: 3
    padding: same
    padding_mode: reflect
    groups: 8
  - {name: pw, input_shape: [1, 8, 8, 12], in_channels: 8, out_channels: 16, kernel_size: 1, dtype: float64}
  - {name: ring, input_shape: [1, 16, 8, 12], in_channels: 16, out_channels: 4, kernel_size: 3, padding: 'valid', padding_mode: circular, dtype: int64, dilation: [2, 1]}
)";

}  // namespace

// --- The shipped configs ----------------------------------------------------

TEST_CASE("every shipped config loads without a diagnostic", "[config]") {
  const std::map<std::string, std::size_t> expected_layers = {
      {"kws.yaml", 5}, {"mobilenetv2.yaml", 30}, {"resnet18.yaml", 11}, {"seeds.yaml", 5}};
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(CONVGEN_CONFIGS_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    const llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (name.endswith(".yaml")) names.push_back(name.str());
  }
  REQUIRE(!ec);
  std::sort(names.begin(), names.end());
  for (const auto& [name, count] : expected_layers) {
    INFO(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
  for (const std::string& name : names) {
    DYNAMIC_SECTION(name) {
      const std::string path = std::string(CONVGEN_CONFIGS_DIR) + "/" + name;
      llvm::SourceMgr sm;
      convgen::Diagnostics diags(sm);
      const std::optional<ModelSpec> model = convgen::loadConfigFile(path, sm, diags);
      INFO(join(diags.lines()));
      REQUIRE_FALSE(diags.hasErrors());
      REQUIRE(model.has_value());
      CHECK(model->config_name == name);
      CHECK_FALSE(model->layers.empty());
      if (auto it = expected_layers.find(name); it != expected_layers.end()) {
        CHECK(model->layers.size() == it->second);
        CHECK(model->cpp_namespace == llvm::sys::path::stem(name).str());
      }
      for (const LayerSpec& l : model->layers) {
        INFO(l.name);
        std::string why;
        CHECK(convgen::isSafeIdentifier(l.name, &why));
        const convgen::LayerShapes s = convgen::inferShapes(l);
        CHECK(s.out_height >= 1);
        CHECK(s.out_width >= 1);
        if (l.padding_kind == PaddingKind::Same) {
          CHECK(s.out_height == l.in_height);
          CHECK(s.out_width == l.in_width);
        }
      }
    }
  }
}

TEST_CASE("the shipped configs hold what their comments say", "[config]") {
  auto loadFile = [](const char* name) {
    llvm::SourceMgr sm;
    convgen::Diagnostics diags(sm);
    std::optional<ModelSpec> m =
        convgen::loadConfigFile(std::string(CONVGEN_CONFIGS_DIR) + "/" + name, sm, diags);
    REQUIRE(m.has_value());
    return *m;
  };
  const ModelSpec seeds = loadFile("seeds.yaml");
  REQUIRE(seeds.layers.size() == 5);
  const LayerSpec& irregular = seeds.layers[4];
  CHECK(irregular.name == "irregular");
  CHECK(irregular.kernel == Hw{3, 5});
  CHECK(irregular.stride == Hw{2, 1});
  CHECK(irregular.dilation == Hw{3, 1});
  CHECK(irregular.pad == Padding4{4, 4, 2, 2});
  CHECK(convgen::inferShapes(irregular).output == std::vector<std::int64_t>{20, 33, 26, 100});
  CHECK(convgen::inferShapes(seeds.layers[1]).output == std::vector<std::int64_t>{1, 1, 2, 2});
  CHECK_FALSE(seeds.layers[0].bias);

  const ModelSpec kws = loadFile("kws.yaml");
  REQUIRE(kws.layers.size() == 5);
  for (const LayerSpec& l : kws.layers) CHECK_FALSE(l.batched);
  CHECK(kws.layers[1].groups == 64);
  CHECK(kws.layers[1].padding_kind == PaddingKind::Same);
  CHECK(kws.layers[3].padding_mode == PaddingMode::Replicate);
  CHECK(convgen::inferShapes(kws.layers[0]).output == std::vector<std::int64_t>{64, 25, 5});

  const ModelSpec mnv2 = loadFile("mobilenetv2.yaml");
  for (const LayerSpec& l : mnv2.layers) CHECK_FALSE(l.bias);
  CHECK(convgen::inferShapes(mnv2.layers[0]).output == std::vector<std::int64_t>{1, 32, 112, 112});

  const ModelSpec r18 = loadFile("resnet18.yaml");
  CHECK(convgen::inferShapes(r18.layers[0]).output == std::vector<std::int64_t>{1, 64, 112, 112});
}

// --- Defaults and forms -----------------------------------------------------

TEST_CASE("omitted arguments take nn.Conv2d's defaults", "[config]") {
  const ModelSpec m = loadValid(oneLayer(""));
  CHECK(m.config_name == "x.yaml");
  CHECK(m.cpp_namespace == "t");
  REQUIRE(m.layers.size() == 1);
  const LayerSpec& l = m.layers[0];
  CHECK(l.name == "conv");
  CHECK(l.batched);
  CHECK(l.batch == 1);
  CHECK(l.in_channels == 3);
  CHECK(l.in_height == 8);
  CHECK(l.in_width == 8);
  CHECK(l.out_channels == 4);
  CHECK(l.kernel == Hw{3, 3});
  CHECK(l.stride == Hw{1, 1});
  CHECK(l.padding_kind == PaddingKind::Explicit);
  CHECK(l.pad == Padding4{0, 0, 0, 0});
  CHECK(l.dilation == Hw{1, 1});
  CHECK(l.groups == 1);
  CHECK(l.bias);
  CHECK(l.padding_mode == PaddingMode::Zeros);
  CHECK(l.dtype == DType::Float32);
  CHECK(l.isa == Isa::Scalar);  // no isa anywhere
}

TEST_CASE("isa comes from the top level unless a layer overrides it", "[config]") {
  const std::string text = R"(namespace: a::b
isa: avx2
layers:
  - {name: first, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3}
  - {name: second, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, isa: neon}
  - {name: third, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, isa: scalar}
  - {name: fourth, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3}
)";
  const ModelSpec m = loadValid(text);
  CHECK(m.cpp_namespace == "a::b");
  REQUIRE(m.layers.size() == 4);
  CHECK(m.layers[0].isa == Isa::Avx2);
  CHECK(m.layers[1].isa == Isa::Neon);
  CHECK(m.layers[2].isa == Isa::Scalar);
  CHECK(m.layers[3].isa == Isa::Avx2);
  // The layers keep their order and names.
  CHECK(m.layers[0].name == "first");
  CHECK(m.layers[3].name == "fourth");
  // The top-level isa may come after the layers.
  const ModelSpec late = loadValid(
      "namespace: t\nlayers:\n  - {name: c, input_shape: [1, 1, 4, 4], in_channels: 1, "
      "out_channels: 1, kernel_size: 1}\nisa: avx512\n");
  CHECK(late.layers[0].isa == Isa::Avx512);
}

TEST_CASE("backward comes from the top level unless a layer overrides it", "[config]") {
  const std::string layers = R"(layers:
  - {name: first, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3}
  - {name: second, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, backward: false}
  - {name: third, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, backward: true}
  - {name: fourth, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, kernel_size: 3, backward: only}
)";
  const ModelSpec off = loadValid("namespace: t\n" + layers);
  REQUIRE(off.layers.size() == 4);
  CHECK_FALSE(off.layers[0].backward);  // the default default is false
  CHECK_FALSE(off.layers[1].backward);
  CHECK(off.layers[2].backward);
  CHECK(off.layers[3].backward);  // only: the gradients, without the forward
  for (int i = 0; i < 3; ++i) CHECK_FALSE(off.layers[i].backward_only);
  CHECK(off.layers[3].backward_only);
  const ModelSpec on = loadValid("namespace: t\nbackward: true\n" + layers);
  CHECK(on.layers[0].backward);
  CHECK_FALSE(on.layers[1].backward);
  CHECK(on.layers[2].backward);
  CHECK_FALSE(on.layers[0].backward_only);
  CHECK(on.layers[3].backward_only);
  // `only` at the top level (quoted or not), overridden by the layer's own.
  for (const char* word : {"only", "'only'"}) {
    const ModelSpec only = loadValid("namespace: t\nbackward: " + std::string(word) + "\n" + layers);
    CHECK(only.layers[0].backward_only);
    CHECK_FALSE(only.layers[1].backward);
    CHECK_FALSE(only.layers[1].backward_only);
    CHECK(only.layers[2].backward);
    CHECK_FALSE(only.layers[2].backward_only);
    CHECK(only.layers[3].backward_only);
  }
  // Not a bool: diagnosed at the value, top level and layer alike.
  const Loaded bad_top = load("namespace: t\nbackward: yes please\n" + layers);
  requireDiagnosed(bad_top, "backward: yes please");
  CHECK(bad_top.lines.size() == 1);
  const Loaded bad_layer = load(oneLayer("    backward: 1\n"));
  requireDiagnosed(bad_layer, "backward: 1");
  CHECK(bad_layer.lines.size() == 1);
  const Loaded bad_word = load(oneLayer("    backward: Only\n"));  // words are case-sensitive
  requireDiagnosed(bad_word, "backward: Only");
  CHECK(bad_word.lines.size() == 1);
}

TEST_CASE("kernel_size, stride, dilation and padding take an int or a pair", "[config]") {
  struct Row {
    std::string extra, kernel;
    Hw k, s, d;
    Padding4 pad;
  };
  const Row rows[] = {
      {"", "3", {3, 3}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {"", "[3, 5]", {3, 5}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {"", "[1, 1]", {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {"    stride: 2\n", "3", {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}},
      {"    stride: [2, 1]\n", "3", {3, 3}, {2, 1}, {1, 1}, {0, 0, 0, 0}},
      {"    stride: [3]\n", "3", {3, 3}, {3, 3}, {1, 1}, {0, 0, 0, 0}},
      {"    dilation: 2\n", "3", {3, 3}, {1, 1}, {2, 2}, {0, 0, 0, 0}},
      {"    dilation: [1, 2]\n", "3", {3, 3}, {1, 1}, {1, 2}, {0, 0, 0, 0}},
      {"    padding: 1\n", "3", {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}},
      {"    padding: [1, 2]\n", "3", {3, 3}, {1, 1}, {1, 1}, {1, 1, 2, 2}},
      {"    padding: [2]\n", "3", {3, 3}, {1, 1}, {1, 1}, {2, 2, 2, 2}},
      {"    padding: 0\n", "[2, 1]", {2, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
      {"    stride:\n      - 2\n      - 1\n", "\n      - 3\n      - 5", {3, 5}, {2, 1}, {1, 1},
       {0, 0, 0, 0}},
  };
  for (const Row& r : rows) {
    INFO("kernel_size: " << r.kernel << "\n" << r.extra);
    const LayerSpec l = loadOneValid(oneLayer(r.extra, "[1, 3, 8, 8]", 3, 4, r.kernel));
    CHECK(l.kernel == r.k);
    CHECK(l.stride == r.s);
    CHECK(l.dilation == r.d);
    CHECK(l.pad == r.pad);
    CHECK(l.padding_kind == PaddingKind::Explicit);
  }
}

TEST_CASE("padding 'same' and 'valid'", "[config]") {
  const LayerSpec same = loadOneValid(oneLayer("    padding: same\n", "[1, 3, 8, 8]", 3, 4, "[3, 4]"));
  CHECK(same.padding_kind == PaddingKind::Same);
  CHECK(same.pad == Padding4{1, 1, 1, 2});
  const LayerSpec quoted = loadOneValid(oneLayer("    padding: \"same\"\n    dilation: [2, 1]\n"));
  CHECK(quoted.padding_kind == PaddingKind::Same);
  CHECK(quoted.pad == Padding4{2, 2, 1, 1});
  const LayerSpec valid = loadOneValid(oneLayer("    padding: valid\n    stride: 2\n"));
  CHECK(valid.padding_kind == PaddingKind::Valid);
  CHECK(valid.pad == Padding4{0, 0, 0, 0});
  CHECK(valid.stride == Hw{2, 2});
  const LayerSpec single_quoted = loadOneValid(oneLayer("    padding: 'valid'\n"));
  CHECK(single_quoted.padding_kind == PaddingKind::Valid);
}

TEST_CASE("enumerations, bias and device", "[config]") {
  struct Row {
    std::string extra;
    PaddingMode mode;
    DType dtype;
    bool bias;
  };
  const Row rows[] = {
      {"    padding_mode: zeros\n", PaddingMode::Zeros, DType::Float32, true},
      {"    padding: 1\n    padding_mode: reflect\n", PaddingMode::Reflect, DType::Float32, true},
      {"    padding: 1\n    padding_mode: replicate\n", PaddingMode::Replicate, DType::Float32, true},
      {"    padding: 1\n    padding_mode: circular\n", PaddingMode::Circular, DType::Float32, true},
      {"    padding_mode: 'circular'\n", PaddingMode::Circular, DType::Float32, true},
      {"    dtype: float64\n", PaddingMode::Zeros, DType::Float64, true},
      {"    dtype: int32\n", PaddingMode::Zeros, DType::Int32, true},
      {"    dtype: \"int64\"\n", PaddingMode::Zeros, DType::Int64, true},
      {"    bias: false\n", PaddingMode::Zeros, DType::Float32, false},
      {"    bias: False\n", PaddingMode::Zeros, DType::Float32, false},
      {"    bias: FALSE\n", PaddingMode::Zeros, DType::Float32, false},
      {"    bias: true\n", PaddingMode::Zeros, DType::Float32, true},
      {"    bias: True\n", PaddingMode::Zeros, DType::Float32, true},
      {"    device: cpu\n", PaddingMode::Zeros, DType::Float32, true},
  };
  for (const Row& r : rows) {
    INFO(r.extra);
    const LayerSpec l = loadOneValid(oneLayer(r.extra));
    CHECK(l.padding_mode == r.mode);
    CHECK(l.dtype == r.dtype);
    CHECK(l.bias == r.bias);
  }
}

TEST_CASE("PyTorch's accepted edge cases load", "[config]") {
  struct Row {
    const char* what;
    std::string text;
  };
  const Row rows[] = {
      {"circular pad equal to the input size",
       oneLayer("    padding: [4, 6]\n    padding_mode: circular\n", "[1, 3, 4, 6]")},
      {"reflect pad equal to size - 1",
       oneLayer("    padding: [3, 5]\n    padding_mode: reflect\n", "[1, 3, 4, 6]")},
      {"reflect 'same' with pad equal to size - 1",
       oneLayer("    padding: same\n    padding_mode: reflect\n", "[1, 3, 3, 3]", 3, 4, "5")},
      {"replicate pad larger than the input",
       oneLayer("    padding: 9\n    padding_mode: replicate\n", "[1, 3, 2, 2]")},
      {"'same' with a kernel larger than the input (zeros)",
       oneLayer("    padding: same\n", "[1, 3, 2, 2]", 3, 4, "7")},
      {"'valid' with stride", oneLayer("    padding: valid\n    stride: [3, 2]\n")},
      {"stride larger than the input", oneLayer("    stride: 100\n", "[1, 3, 4, 4]")},
      {"kernel equal to the input", oneLayer("", "[1, 3, 4, 4]", 3, 4, "4")},
      {"dilated kernel equal to the padded input",
       oneLayer("    dilation: 3\n    padding: 1\n", "[1, 3, 5, 5]")},
      {"unbatched with reflect", oneLayer("    padding: 1\n    padding_mode: reflect\n", "[3, 8, 8]")},
      {"unbatched with replicate",
       oneLayer("    padding: 2\n    padding_mode: replicate\n", "[3, 8, 8]")},
      {"1-element padding list in zeros mode", oneLayer("    padding: [1]\n")},
      {"int64 with dilation, circular and 'same'",
       oneLayer("    dilation: 2\n    padding: same\n    padding_mode: circular\n    dtype: int64\n")},
      {"int64 with groups", oneLayer("    groups: 2\n    dtype: int64\n", "[1, 4, 8, 8]", 4, 6)},
      {"int32 with stride and circular",
       oneLayer("    stride: 2\n    padding: 1\n    padding_mode: circular\n    dtype: int32\n")},
      {"depthwise", oneLayer("    groups: 3\n", "[1, 3, 8, 8]", 3, 3)},
      {"groups == in_channels with a channel multiplier", oneLayer("    groups: 3\n", "[1, 3, 8, 8]", 3, 9)},
      {"a batch of 7", oneLayer("", "[7, 3, 8, 8]")},
      {"the largest dimension, 2^31-1",
       oneLayer("", "[1, 1, 1, 2147483647]", 1, 1, "1")},
      {"a tensor of exactly 2^31 elements", oneLayer("", "[2, 1, 32768, 32768]", 1, 1, "1")},
      {"zero padding explicitly", oneLayer("    padding: [0, 0]\n")},
      {"keys in any order",
       "namespace: t\nlayers:\n  - kernel_size: 3\n    out_channels: 4\n    in_channels: 3\n"
       "    input_shape: [1, 3, 8, 8]\n    name: conv\n"},
      {"namespace after layers",
       "layers:\n  - {name: c, input_shape: [1, 3, 8, 8], in_channels: 3, out_channels: 4, "
       "kernel_size: 3}\nnamespace: t\n"},
      {"comments, document markers and CRLF",
       "---\r\n# comment\r\nnamespace: t  # trailing\r\nlayers:\r\n  - name: conv\r\n"
       "    input_shape: [1, 3, 8, 8]\r\n    in_channels: 3\r\n    out_channels: 4\r\n"
       "    kernel_size: 3\r\n...\r\n"},
      {"a nested namespace", "namespace: a::b::c\nlayers:\n  - {name: conv, input_shape: [1, 3, 8, 8], "
                             "in_channels: 3, out_channels: 4, kernel_size: 3}\n"},
  };
  for (const Row& r : rows) {
    INFO(r.what);
    const ModelSpec m = loadValid(r.text);
    CHECK_FALSE(m.layers.empty());
  }
}

TEST_CASE("the full robustness base config loads as written", "[config]") {
  const ModelSpec m = loadValid(kFullConfig);
  CHECK(m.cpp_namespace == "robust::net");
  REQUIRE(m.layers.size() == 4);
  const LayerSpec& stem = m.layers[0];
  CHECK(stem.isa == Isa::Scalar);
  CHECK_FALSE(stem.bias);
  CHECK(stem.batch == 2);
  CHECK(stem.pad == Padding4{1, 1, 2, 2});
  CHECK(convgen::inferShapes(stem).output == std::vector<std::int64_t>{2, 8, 8, 16});
  const LayerSpec& dw = m.layers[1];
  CHECK(dw.isa == Isa::Avx2);
  CHECK_FALSE(dw.batched);
  CHECK(dw.padding_mode == PaddingMode::Reflect);
  CHECK(dw.pad == Padding4{1, 1, 1, 1});
  CHECK(m.layers[2].dtype == DType::Float64);
  CHECK(m.layers[3].dtype == DType::Int64);
  CHECK(m.layers[3].padding_kind == PaddingKind::Valid);
  CHECK(convgen::inferShapes(m.layers[3]).output == std::vector<std::int64_t>{1, 4, 4, 10});
}

TEST_CASE("parseConfig then validateConfig is loadConfig", "[config]") {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id = sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(kFullConfig, "x.yaml"), llvm::SMLoc());
  std::optional<convgen::RawConfig> raw = convgen::parseConfig(sm, id, diags);
  REQUIRE(raw.has_value());
  CHECK(raw->config_name == "x.yaml");
  CHECK(raw->layers.size() == 4);
  CHECK(raw->cpp_namespace.usable());
  CHECK(raw->cpp_namespace.value == "robust::net");
  std::optional<ModelSpec> m = convgen::validateConfig(*raw, diags);
  REQUIRE(m.has_value());
  CHECK(m->layers.size() == 4);
  CHECK_FALSE(diags.hasErrors());
}

// --- Robustness ---------------------------------------------------------------

TEST_CASE("an empty or blank file is diagnosed", "[config][robustness]") {
  for (const char* text : {"", "\n", "   \n\n", "# only a comment\n", "---\n", "---\n...\n", "~\n",
                           "null\n"}) {
    const Loaded r = load(text);
    requireDiagnosed(r, std::string("text: '") + text + "'");
  }
  const Loaded empty = load("");
  REQUIRE(empty.lines.size() == 1);
  CHECK(empty.lines[0] ==
        "x.yaml:1:1: error: config is empty: expected a mapping with 'namespace' and 'layers'");
}

TEST_CASE("a file that is not a config mapping is diagnosed", "[config][robustness]") {
  for (const char* text : {"42\n", "just words\n", "[1, 2, 3]\n", "- a\n- b\n", "namespace\n",
                           "{}\n", "namespace: t\n", "layers: []\n", "namespace: t\nlayers:\n",
                           "namespace: t\nlayers: 3\n", "\"quoted\"\n", "&a x\n", "*a\n",
                           "!!map {}\n", "? a\n", ":\n", "- - - -\n", "|\n  block\n"}) {
    requireDiagnosed(load(text), std::string("text: ") + text);
  }
}

TEST_CASE("binary garbage is diagnosed", "[config][robustness]") {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 200; ++i) {
    std::string text(1 + i * 37 % 4096, '\0');
    for (char& c : text) c = static_cast<char>(byte(rng));
    requireDiagnosed(load(text), "random bytes, iteration " + std::to_string(i));
  }
  // Common binary headers, NUL-free.
  for (const char* text : {"\x89PNG\r\n\x1a\n", "\x7f" "ELF\x02\x01\x01", "\xff\xfe\xfd",
                           "\xef\xbb\xbf", "\xc3\x28", "PK\x03\x04\x14"}) {
    requireDiagnosed(load(text), "binary header");
  }
}

TEST_CASE("a NUL byte is diagnosed where it is", "[config][robustness]") {
  std::string text = oneLayer("");
  const std::size_t at = text.find("in_channels");
  text.insert(at, 1, '\0');
  const Loaded r = load(text);
  requireDiagnosed(r, "NUL byte");
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "x.yaml:5:5: error: config file contains a NUL byte; is it a text file?");
  requireDiagnosed(load(std::string(1, '\0')), "a lone NUL");
  requireDiagnosed(load(std::string(kFullConfig) + '\0'), "a trailing NUL");
}

std::string repeat(const std::string& unit, std::size_t n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (std::size_t i = 0; i < n; ++i) s += unit;
  return s;
}

bool isNestingLimit(const std::string& line) {
  static const std::regex re("^x\\.yaml:[0-9]+:[0-9]+: error: config nests more than 64 levels deep$");
  return std::regex_search(line, re);
}

// LLVM's YAML parser recurses once per nesting level (in Node::skip), so
// every construct that opens a level must be stopped at 64, before LLVM is
// asked to skip it: flow '[' and '{', block '- ', explicit '? ' keys,
// ':' values, indentation, and all of these inside keys, inside unknown or
// ill-typed values, and mixed. Each of these crashed (stack overflow) or was
// refused only by a bracket count before.
TEST_CASE("deeply nested YAML is refused, not recursed into", "[config][robustness]") {
  const std::string cases[] = {
      std::string(100000, '['),
      "namespace: t\nlayers: " + std::string(100000, '['),
      "namespace: t\nlayers: " + std::string(100000, '[') + std::string(100000, ']') + "\n",
      repeat("{a: [", 50000),
      repeat("- ", 100000) + "x\n",
      repeat("? ", 400000) + "x",  // 800 KB of explicit keys
      repeat("- ? ", 200000),
      repeat("? - ", 200000),
      repeat("a:\n", 1) + [] {  // ': ' values, one more space per line
        std::string s;
        for (int i = 1; i < 5000; ++i) s += std::string(i, ' ') + "a:\n";
        return s;
      }(),
      [] {  // block indentation, one more space per line
        std::string s = "namespace: t\nlayers:\n";
        for (int i = 0; i < 5000; ++i) s += std::string(i, ' ') + "- \n";
        return s;
      }(),
      // Deep inside a key, an unknown key's value, an ill-typed value, a
      // layer, a list of integers, and behind anchors and tags.
      "? " + std::string(100000, '[') + "\n: 1\n",
      "{? " + std::string(100000, '[') + ": 1}\n",
      "namespace: t\nunknown: " + repeat("{a: ", 100000) + "\n",
      "namespace: t\nlayers:\n  - name: " + repeat("[", 100000) + "\n",
      "namespace: t\nlayers:\n  - kernel_size: [1, " + repeat("[", 100000) + "\n",
      "namespace: t\nlayers:\n  - " + repeat("- ", 100000) + "\n",
      "a: " + repeat("&x [", 10000) + "\n",
      "a: " + repeat("!!seq [", 10000) + "\n",
      "a: [" + repeat("b: [", 10000) + "\n",
  };
  for (const std::string& text : cases) {
    const Loaded r = load(text);
    requireDiagnosed(r, "nested: " + text.substr(0, 40));
    INFO("nested: " << text.substr(0, 40) << "\n" << join(r.lines));
    REQUIRE(r.lines.size() == 1);
    CHECK(isNestingLimit(r.lines[0]));
  }
  // The diagnostic points at the collection that goes one level too far:
  // the top-level mapping is level 1, so the 64th '[' is level 65.
  CHECK(load("a: " + std::string(65, '[')).lines ==
        std::vector<std::string>{"x.yaml:1:67: error: config nests more than 64 levels deep"});
  CHECK(load("a: " + std::string(64, '[')).lines ==
        std::vector<std::string>{"x.yaml:1:67: error: config nests more than 64 levels deep"});
  // 64 levels are fine (and then diagnosed otherwise).
  const Loaded at_limit = load("namespace: t\nlayers: " + std::string(63, '[') +
                               std::string(63, ']') + "\n");
  requireDiagnosed(at_limit, "63 + 1 levels");
  for (const std::string& line : at_limit.lines) CHECK_FALSE(isNestingLimit(line));
  // '{' cannot start a flow mapping's key in LLVM's YAML: a syntax error,
  // found before any depth.
  CHECK(load(std::string(100000, '{')).lines ==
        std::vector<std::string>{
            "x.yaml:1:2: error: unexpected token. Expected Key, Flow Entry, or Flow Mapping End."});
}

// Brackets that are not YAML structure never count: nesting is measured on
// the parsed nodes, not on the text.
TEST_CASE("brackets in comments and strings are not nesting", "[config][robustness]") {
  const std::string brackets = std::string(100, '[') + std::string(100, '{') + std::string(100, ']');
  const ModelSpec m = loadValid("# " + brackets + "\nnamespace: t  # " + brackets +
                                "\nlayers:\n  # " + brackets +
                                "\n  - {name: c, input_shape: [1, 3, 8, 8], in_channels: 3, "
                                "out_channels: 4, kernel_size: 3}  # " +
                                brackets + "\n# " + std::string(200, ',') + "\n");
  CHECK(m.layers.size() == 1);
  for (const std::string& value : {"\"" + brackets + "\"", "'" + brackets + "'"}) {
    const Loaded r = load(oneLayer("    padding_mode: " + value + "\n"));
    requireDiagnosed(r, value);
    REQUIRE(r.lines.size() == 1);
    CHECK(llvm::StringRef(r.lines[0]).startswith("x.yaml:8:19: error: padding_mode must be one of"));
  }
}

// LLVM's parser also recurses once per ',' in a run with no value between
// (flow sequences and mappings: ~400 bytes of stack each, so ~20,000 commas
// overflowed), and once per '...' document-end marker in a row.
TEST_CASE("runs of commas and document-end markers are bounded", "[config][robustness]") {
  const std::string commas = "x.yaml:1:5: error: config has more than 256 ',' in a row with no "
                             "value between them";
  CHECK(load("a: [" + std::string(100000, ',') + "]\n").lines == std::vector<std::string>{commas});
  CHECK(load("a: {" + std::string(100000, ',') + "}\n").lines == std::vector<std::string>{commas});
  CHECK(load("a: [" + repeat(", ", 257) + "]\n").lines == std::vector<std::string>{commas});
  // Comments and line breaks between the commas do not end a run for LLVM.
  CHECK(load("a: [" + repeat(",# c\n", 100000) + "]\n").lines ==
        std::vector<std::string>{commas});
  CHECK(load("a: [" + repeat(",\r\n\t", 100000) + "]\n").lines ==
        std::vector<std::string>{commas});
  // ... nor does a '#' that is inside a string: these commas are real.
  CHECK(load("a: [\",#\"" + repeat(" ,", 100000) + "]\n").lines ==
        std::vector<std::string>{"x.yaml:1:6: error: config has more than 256 ',' in a row "
                                 "with no value between them"});
  // 256 are fine for LLVM, and then diagnosed otherwise.
  const Loaded at_limit = load("a: [" + std::string(256, ',') + "]\n");
  requireDiagnosed(at_limit, "256 commas");
  for (const std::string& line : at_limit.lines) CHECK(line.find("in a row") == std::string::npos);

  const std::string markers = "x.yaml:1:1: error: config has more than 256 '...' document end markers";
  CHECK(load(std::string(kFullConfig) + repeat("...\n", 200000)).lines ==
        std::vector<std::string>{markers});
  CHECK(load("a: 1\n" + repeat("... # end\n\n", 257)).lines == std::vector<std::string>{markers});
  // A few are fine: the first ends the document.
  const ModelSpec m = loadValid(std::string(kFullConfig) + "...\n...\n# done\n...\n");
  CHECK(m.layers.size() == 4);
}

// Random soups of YAML's structural tokens, each repeated up to tens of
// thousands of times in a row: every construct LLVM's parser recurses on,
// mixed and interleaved with comments, strings, anchors, tags and document
// markers. None may crash: each loads or is diagnosed.
TEST_CASE("random runs of YAML structure never crash the reader", "[config][robustness]") {
  const char* const tokens[] = {"[",   "]",    "{",     "}",       ",",     "- ",   "? ",  ": ",
                                "a: ", "a",    "1",     "\n",      "\n  ",  " ",    "\t",  "#[{,\n",
                                "...\n", "---\n", "\"[,\"", "'{,'", "&x ", "*x",   "!t ", "|\n  [\n",
                                "a: [", "- [", "? [", "{a: "};
  std::mt19937 rng(0x5EED);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int nested = 0, commas = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string text, log;
    const std::size_t pieces = 1 + pick(8);
    for (std::size_t p = 0; p < pieces; ++p) {
      const std::size_t t = pick(std::size(tokens));
      const std::size_t count = pick(3) == 0 ? 1 + pick(30000) : 1 + pick(4);
      text += repeat(tokens[t], count);
      log += " " + std::to_string(t) + "x" + std::to_string(count);
    }
    const Loaded r = load(text);
    requireLoadsOrDiagnoses(r, "iteration " + std::to_string(iter) + ":" + log);
    for (const std::string& line : r.lines) {
      nested += isNestingLimit(line);
      commas += line.find("',' in a row") != std::string::npos;
    }
  }
  // The soups do reach both limits.
  CHECK(nested > 10);
  CHECK(commas > 10);
}

// Nodes the walker does not need are read to their end, iteratively. Before,
// a list past 16 elements was skip()ped part-way: an assertion failure in
// LLVM's header with assertions on ("Cannot skip mid parse!"), and a bogus
// "unexpected token" for its remaining entries without.
TEST_CASE("an over-long list is diagnosed once and read to its end", "[config][robustness]") {
  const Loaded r = load(oneLayer("    stride: [" + repeat("1, ", 40) + "1]\n    groups: 1\n"));
  requireDiagnosed(r, "41 strides");
  CHECK(r.lines == std::vector<std::string>{"x.yaml:8:13: error: 'stride' has too many elements"});
  const Loaded block = load(oneLayer("    stride:\n" + repeat("      - 1\n", 40) + "    groups: 1\n"));
  CHECK(block.lines == std::vector<std::string>{"x.yaml:9:7: error: 'stride' has too many elements"});
}

// Validation used to count only its own errors, so a layer whose required
// argument was missing or ill-typed (reported by stage 1) still went through
// shape inference on the defaults standing in for it: an assertion failure
// with assertions on (convOutputSize on an invalid layer), a silent bogus
// shape without. Run the tests in a Debug build to keep this honest.
TEST_CASE("a layer missing a required argument is diagnosed, never shape-inferred",
          "[config][robustness]") {
  CHECK(load("namespace: t\nlayers:\n  - name: conv\n").lines ==
        // input_shape last: validation, not the reader, requires it (a
        // network's later layers may leave it out).
        std::vector<std::string>{"x.yaml:3:5: error: missing required key 'in_channels'",
                                 "x.yaml:3:5: error: missing required key 'out_channels'",
                                 "x.yaml:3:5: error: missing required key 'kernel_size'",
                                 "x.yaml:3:5: error: missing required key 'input_shape'"});
  const std::string full = oneLayer("");
  for (const char* key : {"name", "input_shape", "in_channels", "out_channels", "kernel_size"}) {
    INFO(key);
    // Without the key.
    std::string text = full;
    const std::size_t at = text.find(std::string(key) + ":");
    const std::size_t line_start = text.rfind('\n', at) + 1;
    const std::size_t line_end = text.find('\n', at) + 1;
    const bool first = text.compare(line_start, 4, "  - ") == 0;
    if (first)  // "  - name: conv\n    input_shape:" -> "  - input_shape:"
      text.erase(at, line_end + 4 - at);
    else
      text.erase(line_start, line_end - line_start);
    const Loaded missing = load(text);
    requireDiagnosed(missing, text);
    CHECK(missing.lines ==
          std::vector<std::string>{"x.yaml:3:5: error: missing required key '" + std::string(key) + "'"});
    // Ill-typed: a mapping, a null, a float, a quoted string.
    for (const char* bad : {"{a: 1}", "", "1.5", "\"3\"", "~"}) {
      std::string typed = full;
      const std::size_t value = typed.find(':', at) + 1;
      typed.replace(value, typed.find('\n', value) - value, std::string(" ") + bad);
      const Loaded r = load(typed);
      requireDiagnosed(r, typed);
      // Strings accept "1.5" and "3" (then an invalid name), so allow one.
      CHECK(r.lines.size() == 1);
    }
  }
  // validateConfig() on its own, with nothing usable: no model, and a
  // diagnostic even though no stage 1 ran.
  {
    llvm::SourceMgr sm;
    convgen::Diagnostics diags(sm);
    convgen::RawConfig raw;
    CHECK_FALSE(convgen::validateConfig(raw, diags).has_value());
    CHECK(diags.hasErrors());
  }
  {
    llvm::SourceMgr sm;
    convgen::Diagnostics diags(sm);
    convgen::RawConfig raw;
    raw.cpp_namespace.value = "t";
    raw.cpp_namespace.present = raw.cpp_namespace.ok = true;
    raw.layers.emplace_back();  // every argument absent
    CHECK_FALSE(convgen::validateConfig(raw, diags).has_value());
    CHECK(diags.hasErrors());
  }
}

TEST_CASE("a file over 16 MiB is refused", "[config][robustness]") {
  const std::string base = oneLayer("");
  std::string text = base + "# ";
  text.append(convgen::kMaxConfigBytes + 1 - text.size() - 1, 'x');
  text += '\n';
  REQUIRE(text.size() == convgen::kMaxConfigBytes + 1);
  const Loaded r = load(text);
  requireDiagnosed(r, "16 MiB + 1");
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] == "x.yaml:1:1: error: config file is too large (16777217 bytes; the limit "
                      "is 16777216)");
  // Exactly at the limit is still read.
  text.erase(text.size() - 2, 1);
  REQUIRE(text.size() == convgen::kMaxConfigBytes);
  const Loaded at_limit = load(text);
  requireLoadsOrDiagnoses(at_limit, "exactly 16 MiB");
  CHECK(at_limit.model.has_value());
  // Much larger garbage is refused up front as well.
  const Loaded huge = load(std::string(20u << 20, '['));
  REQUIRE(huge.lines.size() == 1);
  CHECK(llvm::StringRef(huge.lines[0]).startswith("x.yaml:1:1: error: config file is too large"));
}

TEST_CASE("every truncation of a valid config loads or is diagnosed", "[config][robustness]") {
  const std::string full = kFullConfig;
  std::size_t loaded = 0;
  for (std::size_t n = 0; n <= full.size(); ++n) {
    const Loaded r = load(llvm::StringRef(full).take_front(n));
    requireLoadsOrDiagnoses(r, "truncated to " + std::to_string(n) + " bytes:\n" + full.substr(0, n));
    if (r.model) ++loaded;
  }
  // The whole file loads, and so does every cut at a layer boundary after it
  // is complete; most cuts must not.
  CHECK(loaded >= 1);
  CHECK(loaded < full.size() / 2);
  // The shipped configs too.
  for (const char* name : {"seeds.yaml", "kws.yaml"}) {
    auto buffer = llvm::MemoryBuffer::getFile(std::string(CONVGEN_CONFIGS_DIR) + "/" + name);
    REQUIRE(buffer);
    const llvm::StringRef text = (*buffer)->getBuffer();
    for (std::size_t n = 0; n <= text.size(); ++n)
      requireLoadsOrDiagnoses(load(text.take_front(n)),
                              std::string(name) + " truncated to " + std::to_string(n));
  }
}

TEST_CASE("random mutations of a valid config load or are diagnosed", "[config][robustness]") {
  const std::string base = kFullConfig;
  // Bytes that matter to YAML, and digits and letters that matter to us.
  const std::string interesting = "[]{}:,-#&*!|>'\"%@`?~ \t\n\r0123456789._+eE";
  std::mt19937 rng(0xC0FFEE);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int loaded = 0, diagnosed = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(pick(4));
    std::string log;
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = pick(text.size());
      switch (pick(6)) {
        case 0:  // any byte
          text[at] = static_cast<char>(pick(256));
          log += " set[" + std::to_string(at) + "]";
          break;
        case 1:  // a YAML-significant byte
          text[at] = interesting[pick(interesting.size())];
          log += " yaml[" + std::to_string(at) + "]";
          break;
        case 2:
          text.insert(at, 1, interesting[pick(interesting.size())]);
          log += " ins[" + std::to_string(at) + "]";
          break;
        case 3:
          text.erase(at, 1 + pick(8));
          log += " del[" + std::to_string(at) + "]";
          break;
        case 4: {  // duplicate a chunk elsewhere
          const std::string chunk = text.substr(at, 1 + pick(40));
          text.insert(pick(text.size()), chunk);
          log += " dup[" + std::to_string(at) + "]";
          break;
        }
        default:  // swap two bytes
          std::swap(text[at], text[pick(text.size())]);
          log += " swap[" + std::to_string(at) + "]";
          break;
      }
    }
    const Loaded r = load(text);
    requireLoadsOrDiagnoses(r, "iteration " + std::to_string(iter) + ":" + log);
    (r.model ? loaded : diagnosed)++;
  }
  // Both outcomes occur: the mutations neither always break nor never break.
  CHECK(loaded > 0);
  CHECK(diagnosed > 0);
}

TEST_CASE("numbers at the edges of the accepted range", "[config][robustness]") {
  // 2^31-1 is accepted as a value; anything larger, however long, is diagnosed.
  for (const char* big : {"2147483648", "9223372036854775807", "9223372036854775808",
                          "99999999999999999999999999999999999999", "-9223372036854775809"}) {
    const Loaded r = load(oneLayer(std::string("    groups: ") + big + "\n"));
    requireDiagnosed(r, big);
    REQUIRE(r.lines.size() == 1);
    CHECK(r.lines[0] == "x.yaml:8:13: error: 'groups' value " + std::string(big) +
                            " is out of range: convgen accepts magnitudes up to 2147483647");
  }
  // A leading '+' is accepted, as YAML and Python accept it.
  const LayerSpec plus = loadOneValid(oneLayer("    groups: +1\n    stride: [+2, 1]\n    padding: +1\n",
                                               "[+1, 3, 8, 8]", 3, 4, "+3"));
  CHECK(plus.groups == 1);
  CHECK(plus.kernel == Hw{3, 3});
  CHECK(plus.stride == Hw{2, 1});
  CHECK(plus.pad == Padding4{1, 1, 1, 1});
  CHECK(plus.batch == 1);
  CHECK(load(oneLayer("    groups: +2147483648\n")).lines ==
        std::vector<std::string>{"x.yaml:8:13: error: 'groups' value +2147483648 is out of range: "
                                 "convgen accepts magnitudes up to 2147483647"});
  // Leading zeros do not hide the magnitude.
  CHECK(load(oneLayer("    groups: 000000000000000000000000000000000002\n")).lines.size() == 1);
  for (const char* two_signs : {"+-3", "-+3", "++3", "--3"})
    CHECK(load(oneLayer(std::string("    groups: ") + two_signs + "\n")).lines ==
          std::vector<std::string>{"x.yaml:8:13: error: 'groups' must be an integer, but got string '" +
                                   std::string(two_signs) + "'"});
  // Non-decimal and exotic spellings are not integers.
  for (const char* odd : {"0x10", "1e3", "1_000", ".inf", "-.inf", ".nan", "0o7", "3.", "- 3", "3 4"}) {
    requireDiagnosed(load(oneLayer(std::string("    groups: ") + odd + "\n")), odd);
  }
}

// --- One table per fact ------------------------------------------------------

TEST_CASE("README's config-key table is the key table", "[config][keys]") {
  auto readme = llvm::MemoryBuffer::getFile(CONVGEN_README, /*IsText=*/true);
  REQUIRE(readme);
  const llvm::StringRef text = (*readme)->getBuffer();
  const llvm::StringRef begin_marker = "<!-- config-keys:begin -->\n";
  const llvm::StringRef end_marker = "<!-- config-keys:end -->";
  const std::size_t begin = text.find(begin_marker);
  const std::size_t end = text.find(end_marker);
  REQUIRE(begin != llvm::StringRef::npos);
  REQUIRE(end != llvm::StringRef::npos);
  REQUIRE(begin < end);
  const std::string in_readme = text.slice(begin + begin_marker.size(), end).str();
  const std::string expected = convgen::configKeyTableMarkdown();
  if (std::getenv("CONVGEN_UPDATE_GOLDENS") && in_readme != expected) {
    // As the emission goldens: CONVGEN_UPDATE_GOLDENS=1 rewrites the table.
    // The new text first: `text` may be a mapping of the file being rewritten.
    const std::string updated =
        text.take_front(begin + begin_marker.size()).str() + expected + text.drop_front(end).str();
    std::error_code ec;
    llvm::raw_fd_ostream out(CONVGEN_README, ec);
    REQUIRE(!ec);
    out << updated;
    return;
  }
  INFO("README.md between the markers should read:\n" << expected);
  CHECK(in_readme == expected);
  // Every row is there, once: the table is not vacuous.
  for (const convgen::ConfigKey& key : convgen::configKeys()) {
    INFO(key.name);
    CHECK(llvm::StringRef(in_readme).count("| `" + std::string(key.name) + "` |") >=
          1);  // isa appears at both levels
  }
}

TEST_CASE("the reader knows every key of the table and requires exactly its required keys",
          "[config][keys]") {
  // Per op (config_keys.h opKeyTable), one layer with every key the op
  // takes, one per line, and every top-level key.
  const std::map<std::string, std::string> common = {
      {"name", "l"},       {"input_shape", "[1, 4, 8, 8]"}, {"dtype", "float32"},
      {"isa", "scalar"},   {"device", "cpu"},               {"namespace", "t"},
      {"stride", "1"},     {"padding", "1"},                {"dilation", "1"},
      {"bias", "false"},   {"ceil_mode", "true"},           {"return_indices", "false"},
      {"kernel_size", "3"},    {"backward", "false"},           {"network", "false"}};
  const std::map<convgen::Op, std::map<std::string, std::string>> per_op = {
      {convgen::Op::Conv2d,
       {{"in_channels", "4"}, {"out_channels", "4"}, {"groups", "2"}, {"padding_mode", "zeros"},
        {"activation", "{type: leaky_relu, negative_slope: 0.2}"}}},
      {convgen::Op::MaxPool2d, {}},
      {convgen::Op::AvgPool2d, {{"count_include_pad", "false"}, {"divisor_override", "3"}}},
      {convgen::Op::AdaptiveAvgPool2d, {{"output_size", "[2, 3]"}}},
      {convgen::Op::Linear,
       {{"in_features", "256"}, {"out_features", "5"}, {"activation", "relu"}}},
      {convgen::Op::ConvTranspose2d,
       {{"in_channels", "4"}, {"out_channels", "6"}, {"groups", "2"}, {"padding_mode", "zeros"},
        {"stride", "2"}, {"dilation", "2"}, {"output_padding", "1"}, {"activation", "relu"}}}};
  // The weights keys need a weights file (tests/safetensors_test.cpp); the
  // keys of `batch_norm:` and `padding:` mappings have test cases of their own.
  auto skipped = [](const convgen::ConfigKey& k) {
    return k.id == convgen::KeyId::Weights || k.id == convgen::KeyId::WeightsPrefix ||
           k.id == convgen::KeyId::BatchNorm || k.scope == convgen::KeyScope::BatchNorm ||
           k.scope == convgen::KeyScope::Padding ||
           // An earlier layer to read: "an epilogue's keys" and the network tests.
           k.id == convgen::KeyId::Residual || k.id == convgen::KeyId::Input;
  };
  std::vector<std::string> top_keys;
  for (const convgen::ConfigKey& k : convgen::configKeys())
    if (k.scope == convgen::KeyScope::Top && !skipped(k)) top_keys.push_back(std::string(k.name));
  REQUIRE(top_keys.size() == 5);
  REQUIRE(convgen::opKeyTable().size() == convgen::opNameTable().size());
  // Every layer key belongs to some op.
  for (const convgen::ConfigKey& k : convgen::configKeys()) {
    if (k.scope != convgen::KeyScope::Layer) continue;
    bool taken = false;
    for (const convgen::OpKeys& row : convgen::opKeyTable())
      taken = taken || convgen::opTakes(row.op, k.id);
    INFO(k.name);
    CHECK(taken);
    // A layer key's `required` is conv2d's (the default op).
    CHECK(k.required == convgen::opRequires(convgen::Op::Conv2d, k.id));
  }
  for (const convgen::OpKeys& row : convgen::opKeyTable()) {
    const std::string op(convgen::toString(row.op));
    std::vector<std::string> layer_keys;
    for (const convgen::ConfigKey& k : convgen::configKeys())
      if (k.scope == convgen::KeyScope::Layer && convgen::opTakes(row.op, k.id) && !skipped(k))
        layer_keys.push_back(std::string(k.name));
    auto value = [&](const std::string& k) {
      if (k == "op") return op;
      const auto& own = per_op.at(row.op);
      return own.count(k) ? own.at(k) : common.at(k);
    };
    auto config = [&](const std::string& drop_layer_key, const std::string& dup_layer_key,
                      const std::string& drop_top_key) {
      std::string text;
      for (const std::string& k : top_keys) {
        if (k == drop_top_key) continue;
        if (k == "layers") {
          text += "layers:\n";
          bool first = true;
          for (const std::string& lk : layer_keys) {
            if (lk == drop_layer_key) continue;
            text += (first ? "  - " : "    ") + lk + ": " + value(lk) + "\n";
            first = false;
            if (lk == dup_layer_key) text += "    " + lk + ": " + value(lk) + "\n";
          }
        } else {
          text += k + ": " + value(k) + "\n";
        }
      }
      return text;
    };
    INFO("op " << op);
    loadValid(config("", "", ""));
    for (const convgen::ConfigKey& k : convgen::configKeys()) {
      if (skipped(k)) continue;
      const std::string key(k.name);
      const bool layer = k.scope == convgen::KeyScope::Layer;
      if (layer && !convgen::opTakes(row.op, k.id)) continue;
      DYNAMIC_SECTION(op << (layer ? " layer " : " top ") << key) {
        if (layer) {
          // Known: a second one is a duplicate, not an unknown key.
          const Loaded dup = load(config("", key, ""));
          REQUIRE(dup.lines.size() == 1);
          CHECK(llvm::StringRef(dup.lines[0]).contains("duplicate key '" + key + "'"));
        }
        if (!layer && key == "layers") continue;  // without layers there is nothing to load
        // Without `op` the layer is a conv2d: not the same layer.
        if (key == "op" && row.op != convgen::Op::Conv2d) continue;
        const Loaded dropped = load(layer ? config(key, "", "") : config("", "", key));
        const bool required = layer ? convgen::opRequires(row.op, k.id) : k.required;
        if (required) {
          INFO(join(dropped.lines));
          REQUIRE(dropped.lines.size() == 1);
          CHECK(llvm::StringRef(dropped.lines[0]).endswith("missing required key '" + key + "'"));
        } else {
          INFO(join(dropped.lines));
          CHECK(dropped.lines.empty());
          CHECK(dropped.model.has_value());
        }
      }
    }
  }
}

TEST_CASE("each enumeration's words come from its one table", "[config][keys]") {
  for (const convgen::PaddingModeName& row : convgen::paddingModeTable()) {
    CHECK(convgen::parsePaddingMode(row.name) == row.mode);
    CHECK(convgen::toString(row.mode) == row.name);
    const LayerSpec l = loadOneValid(oneLayer("    padding_mode: " + std::string(row.name) + "\n"));
    CHECK(l.padding_mode == row.mode);
  }
  for (const convgen::DTypeName& row : convgen::dtypeTable()) {
    CHECK(convgen::parseDType(row.name) == row.dtype);
    CHECK(convgen::toString(row.dtype) == row.name);
    CHECK(convgen::cppType(row.dtype) == row.cpp_type);
    CHECK(convgen::torchTypeName(row.dtype) == row.torch_name);
  }
  for (const convgen::PaddingWord& row : convgen::paddingWordTable()) {
    CHECK(convgen::toString(row.kind) == row.name);
    CHECK(convgen::parsePaddingWord(row.name).has_value() == row.in_config);
  }
  CHECK(convgen::paddingModeList("'") == "'zeros', 'reflect', 'replicate', 'circular'");
  CHECK(convgen::paddingWordList() == "valid, same");
  // Exact spellings only.
  CHECK_FALSE(convgen::parsePaddingMode("Zeros"));
  CHECK_FALSE(convgen::parseDType("float"));
  CHECK_FALSE(convgen::parsePaddingWord("explicit"));
  // The validator's message lists the table and isa.h's names.
  const Loaded bad = load(oneLayer("    padding_mode: wrap\n    isa: sse\n"));
  REQUIRE(bad.lines.size() == 2);
  CHECK(llvm::StringRef(bad.lines[0]).endswith("padding_mode must be one of {" +
                                               convgen::paddingModeList("'") +
                                               "}, but got padding_mode='wrap'"));
  CHECK(llvm::StringRef(bad.lines[1]).endswith("isa must be one of {" + convgen::isaNameList("'") +
                                               "}, but got isa='sse'"));
  for (const convgen::IsaInfo& info : convgen::isaTable()) {
    INFO(info.name);
    CHECK(loadOneValid(oneLayer("    isa: " + std::string(info.name) + "\n")).isa == info.isa);
  }
}

// --- Names ---------------------------------------------------------------------

TEST_CASE("every reserved name is refused, near misses are accepted", "[config][names]") {
  std::map<std::string, std::size_t> seen;
  for (const convgen::ReservedNames& cls : convgen::reservedNameTable()) {
    INFO(cls.why);
    // Exactly one of: a list, a prefix, a pattern.
    CHECK(!cls.names.empty() + !cls.prefix.empty() + (cls.matches != nullptr) == 1);
    for (std::string_view name : cls.names) {
      INFO(name);
      CHECK(++seen[std::string(name)] == 1);  // one class per name
      std::string why;
      CHECK_FALSE(convgen::isSafeIdentifier(llvm::StringRef(name.data(), name.size()), &why));
      CHECK(why == cls.why);
      CHECK_FALSE(convgen::isSafeNamespace("net::" + std::string(name), &why));
    }
    if (!cls.prefix.empty()) {
      std::string why;
      CHECK_FALSE(convgen::isSafeIdentifier(std::string(cls.prefix) + "X", &why));
      CHECK(why == cls.why);
    }
  }
  // The NEON pattern: intrinsics and types, not their near misses.
  std::string neon_why;
  for (const convgen::ReservedNames& cls : convgen::reservedNameTable())
    if (cls.matches) neon_why = std::string(cls.why);
  REQUIRE(llvm::StringRef(neon_why).contains("arm_neon.h"));
  for (const char* name : {"vaddq_f32", "vld1q_u8", "vld2q_bf16", "vld1_p64_x4", "vmull_p128",
                           "float32x4_t", "int8x16x2_t", "uint64x1_t", "poly128_t", "bfloat16x8_t",
                           "float16_t"}) {
    INFO(name);
    std::string why;
    CHECK_FALSE(convgen::isSafeIdentifier(name, &why));
    CHECK(why == neon_why);
  }
  for (const char* name : {"vgg16", "conv_f32", "v_f32", "vaddq_f33", "vaddq_x32", "vld1_f32_x5",
                           "float32", "int8x16", "float32x_t", "Float32_t", "charx4_t", "vAdd_f32"}) {
    INFO(name);
    std::string why;
    CHECK(convgen::isSafeIdentifier(name, &why));
  }
  for (const char* name : {"Convgen", "conv_gen", "CONVGEN", "convgen2", "linux_1", "Linux",
                           "int32", "int32_t2", "free_layer", "Free", "size", "Std", "mains",
                           "layer_info", "LayerInfos", "unix2", "typeof_", "NULL1"}) {
    INFO(name);
    std::string why;
    const bool trailing_underscore = llvm::StringRef(name).endswith("_");
    CHECK(convgen::isSafeIdentifier(name, &why) == !trailing_underscore);
  }
}

TEST_CASE("the config-name rule is validation's and agrees with the emitter's stem",
          "[config][names]") {
  for (const char* name : {"net.yaml", "net.yml", "net", "my-net_2.yaml", "2net.yaml", "-net.yaml",
                           "_net.yaml", "net.v2.yaml", "n et.yaml", ".yaml", "net.yaml.yaml",
                           "", "ne\xc3\xa9t.yaml"}) {
    INFO(name);
    CHECK(convgen::configFileStem(name) == convgen::configStem(name));
  }
  CHECK(convgen::configFileStem("my-net_2.yaml") == "my-net_2");
  CHECK(convgen::configFileStem("net.v2.yaml").empty());
  // A buffer whose name cannot name files: located at the file's start.
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id = sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy("# c\n" + oneLayer(""), "net.v2.yaml"), llvm::SMLoc());
  CHECK_FALSE(convgen::loadConfig(sm, id, diags).has_value());
  REQUIRE(diags.lines().size() == 1);
  CHECK(llvm::StringRef(diags.lines()[0]).startswith("net.v2.yaml:1:1: error: config file name"));
}

// --- YAML read strictly ---------------------------------------------------------

TEST_CASE("tags, nulls, empty flow entries and non-decimal integers are refused",
          "[config][yaml]") {
  struct Row {
    std::string extra;  // lines added to oneLayer()
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"    groups: !!int 1\n", "x.yaml:8:13: error: YAML tags are not supported, but got '!!int'"},
      {"    device: !cpu cpu\n", "x.yaml:8:13: error: YAML tags are not supported, but got '!cpu'"},
      {"    padding_mode: NULL\n", "x.yaml:8:19: error: 'padding_mode' must be a string, but got null"},
      {"    stride: [1,, 1]\n", "x.yaml:8:16: error: empty entry in a flow list"},
      {"    stride: [1, 1,,]\n", "x.yaml:8:19: error: empty entry in a flow list"},
      {"    groups: 01\n", "x.yaml:8:13: error: 'groups' value 01 has a leading zero"},
      {"    groups: +01\n", "x.yaml:8:13: error: 'groups' value +01 has a leading zero"},
      {"    groups: 0x1\n", "x.yaml:8:13: error: 'groups' must be a decimal integer"},
      {"    groups: *g\n", "x.yaml:8:13: error: 'groups' must be an integer, but got an alias"},
  };
  for (const Row& row : rows) {
    const Loaded r = load(oneLayer(row.extra));
    INFO(row.extra << join(r.lines));
    REQUIRE(r.lines.size() == 1);
    CHECK(llvm::StringRef(r.lines[0]).startswith(row.expected));
    CHECK_FALSE(r.model.has_value());
  }
  // What stays accepted: quoted words, one trailing comma, 0, -0, commas in
  // comments and strings of a flow list.
  const LayerSpec l = loadOneValid(oneLayer(
      "    stride: [1, 1,]\n    padding: [0, -0]\n    padding_mode: 'zeros'\n"
      "    dilation: [1, # a, comment,,\n      1]\n"));
  CHECK(l.stride == Hw{1, 1});
  CHECK(l.dilation == Hw{1, 1});
  const Loaded quoted = load(
      "namespace: t\nlayers:\n  - {name: \"a,,b\", input_shape: [1, 3, 8, 8], in_channels: 3, "
      "out_channels: 4, kernel_size: 3}\n");
  REQUIRE(quoted.lines.size() == 1);
  CHECK(llvm::StringRef(quoted.lines[0]).contains("layer name 'a,,b' is not a C++ identifier"));
}

TEST_CASE("a config of more than kMaxLayers layers is refused at the first one too many",
          "[config][robustness]") {
  auto layers = [](std::size_t n) {
    std::string text = "namespace: t\nlayers: [";
    for (std::size_t i = 0; i < n; ++i)
      text += std::string(i ? ", " : "") + "{name: l" + std::to_string(i) +
              ", input_shape: [1, 1, 1, 1], in_channels: 1, out_channels: 1, kernel_size: 1}";
    return text + "]\n";
  };
  const Loaded at_limit = load(layers(convgen::kMaxLayers));
  INFO(join(std::vector<std::string>(at_limit.lines.begin(),
                                     at_limit.lines.begin() + std::min<std::size_t>(3, at_limit.lines.size()))));
  REQUIRE(at_limit.lines.empty());
  CHECK(at_limit.model->layers.size() == convgen::kMaxLayers);
  const std::string over_text = layers(convgen::kMaxLayers + 3);
  const Loaded over = load(over_text);
  REQUIRE(over.lines.size() == 1);
  const std::size_t col = over_text.find("{name: l" + std::to_string(convgen::kMaxLayers) + ",") -
                          over_text.find('\n') + 0;
  CHECK(over.lines[0] == "x.yaml:2:" + std::to_string(col) +
                             ": error: config has more than 100000 layers, the most convgen "
                             "supports");
}

TEST_CASE("padding per side: {top, bottom, left, right}, each side where it says", "[config][padding]") {
  std::vector<std::string> sides;
  for (const convgen::ConfigKey& k : convgen::configKeys())
    if (k.scope == convgen::KeyScope::Padding) sides.push_back(std::string(k.name));
  REQUIRE(sides == std::vector<std::string>{"top", "bottom", "left", "right"});
  const std::string base =
      "namespace: t\nlayers:\n  - name: conv\n    input_shape: [1, 2, 8, 9]\n"
      "    in_channels: 2\n    out_channels: 2\n    kernel_size: [2, 3]\n";
  const ModelSpec m =
      loadValid(base + "    padding: {left: 3, top: 1, right: 0, bottom: 2}\n");
  CHECK(m.layers[0].pad == convgen::Padding4{1, 2, 3, 0});
  // H: 8 + 1 + 2 - 2 + 1 = 10; W: 9 + 3 + 0 - 3 + 1 = 10.
  CHECK(convgen::inferShapes(m.layers[0]).output == std::vector<std::int64_t>{1, 2, 10, 10});
  // Every side is required; dropping any one is exactly one error.
  for (std::size_t drop = 0; drop < sides.size(); ++drop) {
    std::string map;
    for (std::size_t k = 0; k < sides.size(); ++k)
      if (k != drop) map += (map.empty() ? "" : ", ") + sides[k] + ": 1";
    const Loaded dropped = load(base + "    padding: {" + map + "}\n");
    INFO(join(dropped.lines));
    REQUIRE(dropped.lines.size() == 1);
    CHECK(llvm::StringRef(dropped.lines[0]).endswith("missing required key '" + sides[drop] + "'"));
  }
}

TEST_CASE("an epilogue's keys: every activation word and parameter, and residual", "[config][epilogue]") {
  using convgen::Activation;
  for (const convgen::ActivationName& row : convgen::activationTable()) {
    CHECK(convgen::parseActivation(row.name) == row.activation);
    CHECK(convgen::toString(row.activation) == row.name);
    if (row.bounds) continue;  // clamp needs a bound: below
    const LayerSpec word = loadOneValid(oneLayer("    activation: " + std::string(row.name) + "\n"));
    CHECK(word.epilogue.activation == row.activation);
    const LayerSpec mapped =
        loadOneValid(oneLayer("    activation: {type: " + std::string(row.name) + "}\n"));
    CHECK(mapped.epilogue.activation == row.activation);
  }
  CHECK_FALSE(convgen::parseActivation("ReLU"));
  // Defaults and parameters.
  const LayerSpec plain = loadOneValid(oneLayer(""));
  CHECK(plain.epilogue.activation == Activation::None);
  CHECK_FALSE(plain.epilogue.any());
  const LayerSpec leaky = loadOneValid(oneLayer("    activation: leaky_relu\n"));
  CHECK(leaky.epilogue.negative_slope == 0.01);  // nn.LeakyReLU's default
  const LayerSpec slope =
      loadOneValid(oneLayer("    activation: {type: leaky_relu, negative_slope: -2.5e-1}\n"));
  CHECK(slope.epilogue.negative_slope == -0.25);
  const LayerSpec relu = loadOneValid(oneLayer("    activation: relu\n"));
  CHECK((relu.epilogue.has_min && !relu.epilogue.has_max && relu.epilogue.min == 0));
  const LayerSpec relu6 = loadOneValid(oneLayer("    activation: relu6\n"));
  CHECK((relu6.epilogue.has_min && relu6.epilogue.has_max && relu6.epilogue.max == 6));
  const LayerSpec clamp = loadOneValid(oneLayer("    activation: {type: clamp, max: -1}\n"));
  CHECK((!clamp.epilogue.has_min && clamp.epilogue.has_max && clamp.epilogue.max == -1));
  // min > max is torch.clamp's documented case (every element is max): accepted.
  const LayerSpec inverted =
      loadOneValid(oneLayer("    activation: {type: clamp, min: 2.5, max: -1.5}\n"));
  CHECK((inverted.epilogue.min == 2.5 && inverted.epilogue.max == -1.5));
  // Integer layers: relu, relu6 and clamp with integer bounds.
  const LayerSpec int_clamp =
      loadOneValid(oneLayer("    dtype: int64\n    activation: {type: clamp, min: -3, max: 5}\n"));
  CHECK(int_clamp.epilogue.activation == Activation::Clamp);
  // residual: an earlier layer of the same output shape and dtype.
  const ModelSpec m = loadValid(
      "namespace: t\nlayers:\n"
      "  - {name: a, input_shape: [1, 4, 8, 8], in_channels: 4, out_channels: 4, kernel_size: 3}\n"
      "  - {name: b, input_shape: [1, 4, 8, 8], in_channels: 4, out_channels: 4, kernel_size: 3,\n"
      "     residual: a, activation: relu}\n");
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[1].epilogue.residual == "a");
  CHECK(m.layers[1].epilogue.hasResidual());
  CHECK_FALSE(m.layers[0].epilogue.any());
  // Every problem of an activation mapping at once.
  const Loaded bad = load(oneLayer("    activation: {type: relu, min: 1, negative_slope: x}\n"));
  CHECK(bad.lines.size() == 1);  // the ill-typed slope; the rest waits for a usable mapping
  const Loaded two = load(oneLayer("    activation: {type: relu, min: 1, max: 2}\n"));
  CHECK(two.lines.size() == 2);
}
