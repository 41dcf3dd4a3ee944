// `convgen import MODEL.onnx`: an ONNX model in, a convgen config (NAME.yaml)
// and its weights (NAME.safetensors) out. This header names no ONNX or
// protobuf type: only the importer's own translation units
// (generator/src/import/) include those slow headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace llvm::cl {
class OptionCategory;
class SubCommand;
}

namespace convgen {

// The `import` subcommand and its own options (tools/convgen_import.cpp);
// --out-dir and --isa are shared with `generate` and passed in. Returns the
// exit status.
llvm::cl::SubCommand& importSubCommand();
llvm::cl::OptionCategory& importOptionCategory();  // its options, for --help
int runImportCommand(const std::string& out_dir, const std::string& isa);

struct ImportOptions {
  std::string model_path;
  std::string name;                         // NAME: file stem and namespace; default from the model's file name
  std::vector<std::int64_t> input_shape;    // --input-shape N,C,H,W (empty: from the model)
  std::string isa;                          // --isa, written as the config's `isa:` (empty: none)
};

struct ImportResult {
  // Non-empty on failure: every problem found, one per line, each naming the
  // node (name, op type, index in the graph) where there is one. Nothing is
  // written then.
  std::vector<std::string> errors;
  bool io_error = false;  // the model file itself could not be read
  std::string yaml_name, yaml;                // NAME.yaml and its text
  std::string weights_name, weights;          // NAME.safetensors and its bytes
  std::size_t layers = 0;
  std::vector<std::int64_t> input_shape;     // the network input's, as the config gives it
};

// Reads, checks (onnx::checker), infers shapes (onnx::shape_inference) and
// translates the model; writes nothing.
ImportResult importOnnxModel(const ImportOptions& options);

// An ONNX TensorProto file (.pb) holding the network input, for `import
// --golden` (tensor_file.cpp): float32, dims exactly `shape`, finite.
// nullopt after setting *error (naming the file).
std::optional<std::vector<float>> readOnnxTensorFile(const std::string& path,
                                                     const std::vector<std::int64_t>& shape,
                                                     std::string* error);

}  // namespace convgen
