// `convgen import MODEL.onnx --out-dir DIR [--name NAME] [--input-shape
// N,C,H,W] [--isa ISA] [--golden INPUT]`: the subcommand's own options and
// its run; --golden then runs `convgen golden` on the imported config. Exit
// status as README.md's table: 1 for a model convgen cannot import (each
// problem printed as `MODEL: error: ...`), 2 usage, 3 I/O.
#include <csignal>

#include "convgen/golden.h"
#include "convgen/import.h"
#include "convgen/isa.h"
#include "convgen/output.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace convgen {

cl::SubCommand& importSubCommand() {
  static cl::SubCommand cmd("import",
                            "Import an ONNX model: write NAME.yaml and NAME.safetensors into --out-dir");
  return cmd;
}

cl::OptionCategory& importOptionCategory() {
  static cl::OptionCategory category("convgen import options");
  return category;
}

namespace {

cl::opt<std::string> model_path(cl::Positional, cl::Required, cl::desc("<model.onnx>"),
                                cl::sub(importSubCommand()), cl::cat(importOptionCategory()));
cl::opt<std::string> import_name(
    "name", cl::desc("Namespace and file stem of the config (default: the model's file stem)"),
    cl::value_desc("name"), cl::sub(importSubCommand()), cl::cat(importOptionCategory()));
cl::list<std::int64_t> input_shape(
    "input-shape", cl::desc("The network input's shape, for dynamic dimensions: N,C,H,W"),
    cl::value_desc("N,C,H,W"), cl::CommaSeparated, cl::sub(importSubCommand()), cl::cat(importOptionCategory()));
cl::opt<std::string> golden_input(
    "golden",
    cl::desc("Also write NAME_golden.cpp and NAME_golden.bin for this network input (an ONNX "
             "TensorProto .pb, or raw float32 .bin): the layer-by-layer check of convgen golden"),
    cl::value_desc("input"), cl::sub(importSubCommand()), cl::cat(importOptionCategory()));

}  // namespace

int runImportCommand(const std::string& out_dir, const std::string& isa) {
  if (!isa.empty() && (isa == "native" || !parseIsaName(isa))) {
    llvm::errs() << "convgen: error: unknown --isa '" << isa << "' (" << isaNameList() << ")\n";
    return 2;
  }
  for (std::int64_t d : input_shape)
    if (d < 1) {
      llvm::errs() << "convgen: error: --input-shape dimensions must be positive\n";
      return 2;
    }
  ImportOptions options;
  options.model_path = model_path;
  options.name = import_name;
  options.input_shape.assign(input_shape.begin(), input_shape.end());
  options.isa = isa;
  const ImportResult r = importOnnxModel(options);
  if (!r.errors.empty()) {
    if (r.io_error) {
      llvm::errs() << "convgen: error: " << model_path << ": " << r.errors.front() << "\n";
      return 3;
    }
    for (const std::string& e : r.errors) llvm::errs() << model_path << ": error: " << e << "\n";
    return 1;
  }
  auto read = [](const std::string& path, const std::vector<std::int64_t>& shape,
                 std::string* error) {
    return llvm::StringRef(path).endswith(".pb") ? readOnnxTensorFile(path, shape, error)
                                                 : readRawInput(path, shape, error);
  };
  // A golden input convgen rejects rejects the whole import: nothing written.
  if (!golden_input.empty()) {
    std::string error;
    if (!read(golden_input, r.input_shape, &error)) {
      llvm::errs() << "convgen: error: " << error << "\n";
      return 1;
    }
  }
  std::signal(SIGXFSZ, SIG_IGN);
  // The config last: it names the weights file.
  const std::vector<GeneratedFile> files = {{r.yaml_name, r.yaml}, {r.weights_name, r.weights}};
  const std::string stem = r.yaml_name.substr(0, r.yaml_name.size() - 5);
  if (std::string error = writeFilesIfChanged(out_dir, stem, files); !error.empty()) {
    llvm::errs() << "convgen: error: " << error << "\n";
    return 3;
  }
  if (golden_input.empty()) return 0;
  return writeGolden(out_dir + "/" + r.yaml_name, out_dir, golden_input, read);
}

}  // namespace convgen
