// The safetensors reader on hostile files, and the weights keys of a config.
// Every corrupt file is built here, byte by byte (no binary blobs checked
// in), and each case pins its exact diagnostic, like tests/errors does for
// configs: first straight through parseSafetensors(), then through a config
// whose `weights:` names the file, where every problem is located at the
// YAML key that asked for the tensor.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/emit.h"
#include "convgen/safetensors.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

namespace {

std::string le64(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A file: the header's length, the header, the data.
std::string file(const std::string& header, const std::string& data = "") {
  return le64(header.size()) + header + data;
}

std::string f32(std::initializer_list<float> values) {
  std::string out;
  for (float v : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    for (int i = 0; i < 4; ++i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return out;
}

std::string tensor(const std::string& name, const std::string& shape, std::uint64_t begin,
                   std::uint64_t end, const std::string& dtype = "F32") {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

std::vector<std::string> parseErrors(std::string bytes) {
  std::vector<std::string> errors;
  const auto parsed = convgen::parseSafetensors(std::move(bytes), "w.safetensors", &errors);
  CHECK(parsed.has_value() == errors.empty());
  return errors;
}

struct Corrupt {
  const char* what;
  std::string bytes;
  std::vector<std::string> expect;  // without the "weights file 'w.safetensors': " prefix
};

}  // namespace

TEST_CASE("corrupt safetensors files: each its exact diagnostic", "[safetensors]") {
  const std::string a = tensor("a", "[2]", 0, 8);
  std::string manyZeros = "[0";  // 2^20 + 1 values: small text, big parse
  for (int i = 0; i < (1 << 20); ++i) manyZeros += ",0";
  manyZeros += "]";
  const std::vector<Corrupt> cases = {
      {"shorter than the length prefix", std::string("\x05\0\0", 3), {"the file holds 3 bytes, fewer than the 8 of the header length: is it a safetensors file?"}},
      {"absurd header length", le64(std::uint64_t{1} << 63) + "{}",
       {"header length 9223372036854775808 exceeds the format's limit of 100000000 bytes: is it a safetensors file?"}},
      {"header length past the end", le64(100) + "{}",
       {"header length 100 runs past the end of the file (2 bytes follow the length): truncated?"}},
      {"not JSON", file("{\"a\":"), {"header is not valid JSON: [1:5, byte=5]: Unexpected EOF"}},
      {"not an object", file("[1, 2]"), {"header must be a JSON object of tensors"}},
      {"nested too deep", file(std::string(17, '[') + std::string(17, ']')),
       {"header nests more than 16 levels deep"}},
      {"too many values", file(manyZeros), {"header holds more than 1048576 JSON values, more than any convgen model has"}},
      {"duplicate tensor", file("{" + a + "," + a + "}", f32({1, 2})),
       {"header gives key 'a' more than once"}},
      {"duplicate field", file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32({1, 2})),
       {"header gives key 'dtype' more than once"}},
      {"duplicate key spelled with an escape", file("{" + a + ",\"\\u0061\":{}}", f32({1, 2})),
       {"header gives key 'a' more than once"}},
      {"entry not an object", file("{\"a\":3}"),
       {"tensor 'a': expected an object with 'dtype', 'shape' and 'data_offsets'"}},
      {"fields missing", file("{\"a\":{}}"),
       {"tensor 'a': missing 'dtype'", "tensor 'a': missing 'shape'", "tensor 'a': missing 'data_offsets'"}},
      {"ill-typed fields", file("{\"a\":{\"dtype\":5,\"shape\":\"2\",\"data_offsets\":[0]}}"),
       {"tensor 'a': 'dtype' must be a string", "tensor 'a': 'shape' must be a list of non-negative integers",
        "tensor 'a': 'data_offsets' must be a list of 2 non-negative integers [begin, end]"}},
      {"unknown dtype", file("{" + tensor("a", "[2]", 0, 8, "F33") + "}", f32({1, 2})),
       {"tensor 'a': unknown dtype 'F33' (the format's are BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)"}},
      {"negative dimension", file("{" + tensor("a", "[-2]", 0, 8) + "}", f32({1, 2})),
       {"tensor 'a': 'shape' must be a list of non-negative integers"}},
      {"fractional dimension", file("{" + tensor("a", "[2.0]", 0, 8) + "}", f32({1, 2})),
       {"tensor 'a': 'shape' must be a list of non-negative integers"}},
      {"rank too high", file("{" + tensor("a", "[1,1,1,1,1,1,1,1,1]", 0, 4) + "}", f32({1})),
       {"tensor 'a': 'shape' has more than 8 dimensions"}},
      {"unknown field", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", f32({1})),
       {"tensor 'a': unknown field 'x'"}},
      {"offsets backwards", file("{" + tensor("a", "[2]", 8, 0) + "}", f32({1, 2})),
       {"tensor 'a': 'data_offsets' [8, 0] ends before it begins"}},
      {"size not shape x dtype", file("{" + tensor("a", "[2]", 0, 4) + "}", f32({1})),
       {"tensor 'a': 'data_offsets' [0, 4] hold 4 bytes, but its shape and dtype F32 need 8"}},
      {"shape product overflows", file("{" + tensor("a", "[1099511627776,1099511627776]", 0, 4) + "}", f32({1})),
       {"tensor 'a': 'data_offsets' [0, 4] hold 4 bytes, but its shape and dtype F32 need more than the file holds"}},
      {"offsets past the data (truncated)", file("{" + tensor("a", "[2]", 0, 8) + "}", f32({1})),
       {"tensor 'a': 'data_offsets' [0, 8] run past the end of the data (4 bytes): truncated file?"}},
      {"offsets far past the file", file("{" + tensor("a", "[2]", 18446744073709551607ull, 18446744073709551615ull) + "}", f32({1})),
       {"tensor 'a': 'data_offsets' lie beyond 1073741824 bytes, past the end of any file convgen reads"}},
      {"overlapping tensors", file("{" + a + "," + tensor("b", "[2]", 4, 12) + "}", f32({1, 2, 3})),
       {"tensor 'b': 'data_offsets' [4, 12] overlap tensor 'a'"}},
      {"a gap between tensors", file("{" + tensor("a", "[1]", 0, 4) + "," + tensor("b", "[1]", 8, 12) + "}", f32({1, 2, 3})),
       {"tensor 'b': 'data_offsets' [8, 12] leave bytes [4, 8) of the data unused"}},
      {"bytes after the last tensor", file("{" + tensor("a", "[1]", 0, 4) + "}", f32({1, 2})),
       {"the data section holds 8 bytes, but its tensors use 4"}},
      {"metadata not strings", file("{\"__metadata__\":{\"n\":1}}"),
       {"'__metadata__' must be an object of string values"}},
      {"several bad tensors, all reported, by name",
       file("{\"z\":1," + tensor("m", "[2]", 0, 4) + ",\"b\":[]}", f32({1})),
       {"tensor 'b': expected an object with 'dtype', 'shape' and 'data_offsets'",
        "tensor 'm': 'data_offsets' [0, 4] hold 4 bytes, but its shape and dtype F32 need 8",
        "tensor 'z': expected an object with 'dtype', 'shape' and 'data_offsets'"}},
  };
  for (const Corrupt& c : cases) {
    DYNAMIC_SECTION(c.what) {
      std::vector<std::string> expect;
      for (const std::string& e : c.expect) expect.push_back("weights file 'w.safetensors': " + e);
      CHECK(parseErrors(c.bytes) == expect);
    }
  }
}

TEST_CASE("every prefix of a valid file is refused, never read past", "[safetensors]") {
  const std::string whole = file("{" + tensor("a", "[3]", 0, 12) + ",\"__metadata__\":{\"format\":\"pt\"}}",
                                 f32({1, 2, 3}));
  std::vector<std::string> errors;
  REQUIRE(convgen::parseSafetensors(whole, "w", &errors));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    INFO("the first " << n << " bytes");
    CHECK_FALSE(parseErrors(whole.substr(0, n)).empty());
  }
}

TEST_CASE("a valid file: tensors by name, values little-endian, __metadata__ skipped",
          "[safetensors]") {
  std::vector<std::string> errors;
  const auto f = convgen::parseSafetensors(
      file("{" + tensor("x.weight", "[2,1]", 8, 16) + "," + tensor("x.bias", "[2]", 0, 8) +
               "," + tensor("n", "[]", 16, 24, "I64") + ",\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[24,24]}" +
               ",\"__metadata__\":{\"format\":\"pt\"}}  ",
           f32({0.5f, -1}) + f32({3, -0.0f}) + le64(7)),
      "w", &errors);
  REQUIRE(errors.empty());
  REQUIRE(f);
  REQUIRE(f->tensors.size() == 4);
  CHECK(f->find("__metadata__") == nullptr);
  const convgen::SafeTensor* w = f->find("x.weight");
  REQUIRE(w);
  CHECK(w->shape == std::vector<std::int64_t>{2, 1});
  CHECK(f->floats(*w) == std::vector<float>{3, -0.0f});
  CHECK(std::signbit(f->floats(*w)[1]));
  CHECK(f->floats(*f->find("x.bias")) == std::vector<float>{0.5f, -1});
  CHECK(f->find("n")->dtype == "I64");
  CHECK(f->find("e")->elements() == 0);
  CHECK(f->sha256.size() == 64);
}

TEST_CASE("a weights path that is not a regular file is refused without reading it",
          "[safetensors]") {
  std::vector<std::string> errors;
  CHECK_FALSE(convgen::readSafetensorsFile("/dev/zero", "zero", &errors));
  CHECK(errors == std::vector<std::string>{"cannot read weights file 'zero': not a regular file"});
  errors.clear();
  CHECK_FALSE(convgen::readSafetensorsFile("/", "root", &errors));
  CHECK(errors == std::vector<std::string>{"cannot read weights file 'root': it is a directory"});
}

namespace {

// A directory with cfg.yaml and w.safetensors; the config's diagnostics.
struct ConfigRun {
  std::vector<std::string> lines;
  std::optional<convgen::ModelSpec> model;
};

ConfigRun runConfig(const std::string& yaml, const std::string& weights) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("convgen-st", dir));
  const std::string cfg = (dir + "/cfg.yaml").str();
  std::ofstream(cfg) << yaml;
  if (!weights.empty()) std::ofstream((dir + "/w.safetensors").str(), std::ios::binary) << weights;
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  ConfigRun run;
  run.model = convgen::loadConfigFile(cfg, sm, diags);
  for (const std::string& line : diags.lines())
    run.lines.push_back(llvm::sys::path::filename(llvm::StringRef(line).split(':').first).str() +
                        ":" + llvm::StringRef(line).split(':').second.str());
  llvm::sys::fs::remove_directories(dir);
  return run;
}

// conv: 2 -> 2 channels, 1x1 kernel; `extra` holds more layer keys.
std::string config(const std::string& extra, const std::string& top = "weights: w.safetensors\n") {
  return "namespace: t\n" + top +
         "layers:\n  - name: conv\n    input_shape: [1, 2, 3, 3]\n    in_channels: 2\n"
         "    out_channels: 2\n    kernel_size: 1\n" + extra;
}

std::string weightsFile(const std::string& prefix = "conv", bool bias = true,
                        const std::string& weight_shape = "[2,2,1,1]",
                        const std::string& dtype = "F32") {
  std::string header = "{" + tensor(prefix + ".weight", weight_shape, 0, 16, dtype);
  std::string data = f32({1, 2, 3, 4});
  if (bias) header += "," + tensor(prefix + ".bias", "[2]", 16, 24), data += f32({5, 6});
  return file(header + "}", data);
}

std::string bnTensors(float var) {
  return file("{" + tensor("conv.weight", "[2,2,1,1]", 0, 16) + "," +
                  tensor("bn.weight", "[2]", 16, 24) + "," + tensor("bn.bias", "[2]", 24, 32) +
                  "," + tensor("bn.running_mean", "[2]", 32, 40) + "," +
                  tensor("bn.running_var", "[2]", 40, 48) + "}",
              f32({1, 2, 3, 4}) + f32({2, 2}) + f32({1, 1}) + f32({0, 1}) + f32({3.75f, var}));
}

}  // namespace

TEST_CASE("weights keys: each problem at the key that asked for the tensor", "[safetensors]") {
  struct Case {
    const char* what;
    std::string yaml, weights;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {"missing file", config(""), "",
       {"cfg.yaml:2:10: error: cannot read weights file 'w.safetensors': No such file or directory"}},
      {"corrupt file, at weights:", config(""), le64(5),
       {"cfg.yaml:2:10: error: weights file 'w.safetensors': header length 5 runs past the end of the file (0 bytes follow the length): truncated?"}},
      {"missing tensor, at the layer's name", config(""), weightsFile("other"),
       {"cfg.yaml:4:11: error: tensor 'conv.weight' (the layer's weight (out, in/groups, kh, kw)) is not in weights file 'w.safetensors'",
        "cfg.yaml:4:11: error: tensor 'conv.bias' (the layer's bias (out)) is not in weights file 'w.safetensors'"}},
      {"missing tensor, at weights_prefix", config("    weights_prefix: features.0\n"), weightsFile(),
       {"cfg.yaml:9:21: error: tensor 'features.0.weight' (the layer's weight (out, in/groups, kh, kw)) is not in weights file 'w.safetensors'",
        "cfg.yaml:9:21: error: tensor 'features.0.bias' (the layer's bias (out)) is not in weights file 'w.safetensors'"}},
      {"wrong shape", config(""), weightsFile("conv", true, "[4,1,1,1]"),
       {"cfg.yaml:4:11: error: tensor 'conv.weight' has shape [4, 1, 1, 1], but the layer's weight (out, in/groups, kh, kw) is [2, 2, 1, 1]"}},
      {"wrong dtype", config(""), file("{" + tensor("conv.weight", "[2,2,1,1]", 0, 32, "F64") + "," + tensor("conv.bias", "[2]", 32, 40) + "}", std::string(32, '\0') + f32({1, 2})),
       {"cfg.yaml:4:11: error: tensor 'conv.weight' has dtype F64, but a float32 layer's weights must be F32 (convert with tensor.float() before saving)"}},
      {"non-float32 layer", config("    dtype: float64\n"), weightsFile(),
       {"cfg.yaml:9:12: error: baked weights ('weights:') are supported for float32 layers only, but this layer is float64"}},
      {"stray bias with bias: false", config("    bias: false\n"), weightsFile(),
       {"cfg.yaml:9:11: error: tensor 'conv.bias' is in the weights file, but the layer has bias: false (nn.Conv2d(bias=False) saves no bias): set bias: true, or check weights_prefix"}},
      {"non-finite weight", config(""), file("{" + tensor("conv.weight", "[2,2,1,1]", 0, 16) + "," + tensor("conv.bias", "[2]", 16, 24) + "}", f32({1, 2, 3, 4}) + f32({5, INFINITY})),
       {"cfg.yaml:4:11: error: tensor 'conv.bias' holds a non-finite value (inf) at flat index 1; baked weights must be finite"}},
      {"weights_prefix without weights:", config("    weights_prefix: x\n", ""), "",
       {"cfg.yaml:8:21: error: weights_prefix names tensors of a weights file: it needs a top-level 'weights:' file"}},
      {"batch_norm without weights:", config("    batch_norm: {prefix: bn}\n", ""), "",
       {"cfg.yaml:8:17: error: batch_norm is folded into baked weights: it needs a top-level 'weights:' file with the conv's weights (inline values only replace BatchNorm's tensors)"}},
      {"batch_norm with neither prefix nor values", config("    bias: false\n    batch_norm: {eps: 0.1}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:17: error: batch_norm needs 'prefix' (tensors in the weights file) or inline weight, bias, running_mean and running_var"}},
      {"batch_norm with both", config("    bias: false\n    batch_norm: {prefix: bn, weight: [1, 1]}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:17: error: batch_norm takes either 'prefix' (tensors in the weights file) or inline weight, bias, running_mean and running_var, not both"}},
      {"batch_norm tensor missing", config("    bias: false\n    batch_norm: {prefix: norm}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:26: error: tensor 'norm.weight' (BatchNorm2d's weight) is not in weights file 'w.safetensors'",
        "cfg.yaml:10:26: error: tensor 'norm.bias' (BatchNorm2d's bias) is not in weights file 'w.safetensors'",
        "cfg.yaml:10:26: error: tensor 'norm.running_mean' (BatchNorm2d's running_mean) is not in weights file 'w.safetensors'",
        "cfg.yaml:10:26: error: tensor 'norm.running_var' (BatchNorm2d's running_var) is not in weights file 'w.safetensors'"}},
      {"eps not positive", config("    bias: false\n    batch_norm: {prefix: bn, eps: 0}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:35: error: batch_norm eps must be positive, but got eps=0"}},
      {"eps not a number", config("    bias: false\n    batch_norm: {prefix: bn, eps: .inf}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:35: error: 'eps' must be a finite decimal number, but got '.inf'"}},
      {"running_var + eps not positive", config("    bias: false\n    batch_norm: {prefix: bn, eps: 0.25}\n"), bnTensors(-0.25f),
       {"cfg.yaml:10:26: error: batch_norm running_var[1] + eps is 0, not positive: the normalization would divide by zero or take the root of a negative number"}},
      {"inline values of the wrong length, and one missing", config("    bias: false\n    batch_norm: {weight: [1, 2, 3], bias: [0, 0], running_mean: [0, 0]}\n"), weightsFile("conv", false),
       {"cfg.yaml:10:17: error: batch_norm's inline values lack 'running_var'",
        "cfg.yaml:10:26: error: batch_norm 'weight' has 3 values, but the layer has 2 output channels"}},
      {"inline value not a number", config("    bias: false\n    batch_norm: {weight: [1, x], bias: [0, 0], running_mean: [0, 0], running_var: [1, 1]}\n"), weightsFile("conv", false),
       {"cfg.yaml:10:30: error: 'weight' must be a finite decimal number, but got 'x'"}},
      {"unknown batch_norm key", config("    bias: false\n    batch_norm: {prefix: bn, momentum: 0.1}\n"), bnTensors(3.75f),
       {"cfg.yaml:10:30: error: unknown key 'momentum'"}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) {
      const ConfigRun run = runConfig(c.yaml, c.weights);
      CHECK(run.lines == c.expect);
      CHECK_FALSE(run.model.has_value());
    }
  }
}

TEST_CASE("batch_norm is folded in double, and gives a bias: false layer a bias",
          "[safetensors]") {
  // gamma 2, var 3.75 + eps 0.25: scale 1; mean (0, 1), beta 1.
  const ConfigRun run =
      runConfig(config("    bias: false\n    batch_norm: {prefix: bn, eps: 0.25}\n"), bnTensors(3.75f));
  INFO(run.lines.size() << " errors");
  REQUIRE(run.model);
  const convgen::LayerSpec& l = run.model->layers[0];
  CHECK(l.bias);
  REQUIRE(l.baked);
  CHECK(l.baked->weight == std::vector<float>{1, 2, 3, 4});
  CHECK(l.baked->bias == std::vector<float>{1, 0});
  CHECK(run.model->weights_file == "w.safetensors");
  // Inline values, and a real scale: 1/sqrt(2 + 1e-5) rounded once.
  const ConfigRun inl = runConfig(
      config("    batch_norm: {weight: [1, 1], bias: [0, 0], running_mean: [0, 0], running_var: [2, 2]}\n"),
      weightsFile());
  REQUIRE(inl.model);
  const double s = 1 / std::sqrt(2 + 1e-5);
  CHECK(inl.model->layers[0].baked->weight[1] == static_cast<float>(2 * s));
  CHECK(inl.model->layers[0].baked->bias[0] == static_cast<float>(5 * s));
}

TEST_CASE("names from the config and the file reach generated comments only made safe",
          "[safetensors]") {
  // A prefix holding a line break and a backslash: either would let the
  // text after it out of its // comment.
  const std::string prefix = "x\\nint y;\\\\";  // YAML: x<newline>int y;<backslash>
  const std::string name = std::string("x\nint y;\\");
  const std::string weights =
      file("{\"" + std::string("x\\nint y;\\\\") + ".weight\":{\"dtype\":\"F32\",\"shape\":[2,2,1,1],"
           "\"data_offsets\":[0,16]},\"" + std::string("x\\nint y;\\\\") +
           ".bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}",
           f32({1, 2, 3, 4}) + f32({5, 6}));
  const ConfigRun run = runConfig(config("    weights_prefix: \"" + prefix + "\"\n"), weights);
  INFO(run.lines.size() << " errors");
  REQUIRE(run.model);
  REQUIRE(run.model->layers[0].baked);
  CHECK(run.model->layers[0].baked->origin.find(name) != std::string::npos);
  convgen::ModelSpec model = *run.model;
  model.config_name = "cfg.yaml";
  convgen::GenerateOptions options;
  options.format = false;
  const convgen::GeneratedModel generated = convgen::generateModel(model, options);
  REQUIRE(generated.files.size() == 3);
  for (const convgen::GeneratedFile& f : generated.files) {
    INFO(f.name);
    CHECK(f.content.find("\nint y;") == std::string::npos);
    CHECK(f.content.find('\\') == std::string::npos);
  }
  CHECK(generated.files[2].name == "cfg_weights_0.cpp");
  CHECK(generated.files[2].content.find("x_int y;_.weight") != std::string::npos);
}

TEST_CASE("network: false keeps baked layers independent, each with its own input_shape",
          "[safetensors]") {
  // Two layers whose shapes do not chain, each with its own tensors.
  const std::string two_layers =
      "layers:\n  - name: conv\n    input_shape: [1, 2, 3, 3]\n    in_channels: 2\n"
      "    out_channels: 2\n    kernel_size: 1\n"
      "  - name: other\n    input_shape: [2, 5, 4]\n    in_channels: 2\n"
      "    out_channels: 2\n    kernel_size: 1\n    bias: false\n";
  const std::string weights =
      file("{" + tensor("conv.weight", "[2,2,1,1]", 0, 16) + "," + tensor("conv.bias", "[2]", 16, 24) +
               "," + tensor("other.weight", "[2,2,1,1]", 24, 40) + "}",
           f32({1, 2, 3, 4}) + f32({5, 6}) + f32({-1, -2, -3, -4}));
  const std::string top = "namespace: t\nweights: w.safetensors\n";
  const ConfigRun independent = runConfig(top + "network: false\n" + two_layers, weights);
  INFO(independent.lines.size() << " errors, the first: "
                                << (independent.lines.empty() ? "" : independent.lines[0]));
  REQUIRE(independent.model);
  CHECK(independent.model->inputs.empty());
  REQUIRE(independent.model->layers.size() == 2);
  REQUIRE(independent.model->layers[1].baked);
  CHECK(independent.model->layers[1].baked->weight == std::vector<float>{-1, -2, -3, -4});
  // Generated as baked layers, without the network's entry point or arena.
  const convgen::GeneratedModel generated = convgen::generateModel(*independent.model, {});
  CHECK(generated.arena_bytes == -1);
  bool baked_forward = false, network_forward = false;
  for (const convgen::GeneratedFile& f : generated.files) {
    baked_forward = baked_forward || f.content.find("t_other_forward_baked") != std::string::npos;
    network_forward = network_forward || f.content.find("arena_bytes") != std::string::npos;
  }
  CHECK(baked_forward);
  CHECK_FALSE(network_forward);
  // The same layers as a network: the second layer reads the first, whose
  // output is not its input_shape.
  const ConfigRun chained = runConfig(top + two_layers, weights);
  CHECK_FALSE(chained.model);
  CHECK(chained.lines == std::vector<std::string>{
                             "cfg.yaml:10:18: error: input_shape [2, 5, 4] is not the shape of its "
                             "input, layer 'conv', which outputs [1, 2, 3, 3]"});
  // network: true is for configs with weights.
  const ConfigRun no_weights = runConfig("namespace: t\nnetwork: true\n" + two_layers, "");
  CHECK_FALSE(no_weights.model);
  CHECK(no_weights.lines == std::vector<std::string>{
                                "cfg.yaml:2:10: error: network: true needs a top-level 'weights' "
                                "file: a network runs its layers on their baked weights"});
}
