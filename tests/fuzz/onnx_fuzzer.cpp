// onnx_fuzzer: bytes as an ONNX model file, through `convgen import`'s whole
// path (protobuf parsing, onnx::checker, shape inference, constant folding,
// translation, the YAML and safetensors writers), under ASan and UBSan.
// Promises: no crash, no leak, no read out of bounds; an error or a result,
// never both; a result is deterministic (a second import gives the same bytes).
// The replay test runs every model tests/import/hostile.py and
// torch_models.py wrote (FuzzTests.cmake).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "convgen/import.h"
#include "fuzz_checks.h"

namespace {

// One private directory per process: the model is read from a file (its
// external data would be relative to it).
const std::string& modelPath() {
  static const std::string path = [] {
    char dir[] = "/tmp/convgen-onnx-fuzz-XXXXXX";
    if (!::mkdtemp(dir)) std::abort();
    return std::string(dir) + "/m.onnx";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = modelPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  convgen::ImportOptions options;
  options.model_path = path;
  options.name = "m";
  const convgen::ImportResult a = convgen::importOnnxModel(options);
  convgen_fuzz::require(a.errors.empty() != a.yaml.empty(), "an error or a result, not both");
  if (a.errors.empty()) {
    const convgen::ImportResult b = convgen::importOnnxModel(options);
    convgen_fuzz::require(b.yaml == a.yaml && b.weights == a.weights, "a deterministic import");
  }
  return 0;
}
