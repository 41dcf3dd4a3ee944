// `convgen golden CONFIG --input INPUT.bin --out-dir DIR`: writes
// DIR/NAME_golden.cpp and DIR/NAME_golden.bin, the layer-by-layer check of
// the network (golden.h). Exit status as README.md's table: 1 a config or
// input convgen rejects, 2 usage, 3 I/O.
#include <csignal>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/golden.h"
#include "convgen/output.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace convgen {

cl::SubCommand& goldenSubCommand() {
  static cl::SubCommand cmd(
      "golden",
      "Run the reference network on --input and write NAME_golden.cpp and NAME_golden.bin, "
      "a program that checks the generated network layer by layer");
  return cmd;
}

cl::OptionCategory& goldenOptionCategory() {
  static cl::OptionCategory category("convgen golden options");
  return category;
}

namespace {

cl::opt<std::string> golden_config(cl::Positional, cl::Required, cl::desc("<config.yaml>"),
                                   cl::sub(goldenSubCommand()), cl::cat(goldenOptionCategory()));
cl::opt<std::string> golden_input(
    "input", cl::Required,
    cl::desc("The network input: raw little-endian float32 values of the input shape (.bin)"),
    cl::value_desc("file"), cl::sub(goldenSubCommand()), cl::cat(goldenOptionCategory()));

}  // namespace

int writeGolden(const std::string& config_path, const std::string& out_dir,
                const std::string& input_path, const InputReader& read) {
  llvm::SourceMgr sm;
  Diagnostics diags(sm);
  std::string read_error;
  const std::optional<unsigned> buffer = readConfigFile(config_path, sm, &read_error);
  if (!buffer) {
    llvm::errs() << "convgen: error: cannot read config '" << config_path << "': " << read_error
                 << "\n";
    return 3;
  }
  const std::optional<ModelSpec> model = loadConfig(sm, *buffer, diags);
  if (!model) {
    diags.print(llvm::errs(), /*show_source=*/true);
    return 1;
  }
  if (model->weights_file.empty()) {
    llvm::errs() << "convgen: error: " << config_path
                 << ": golden needs a network config (one with 'weights:'): the check runs the "
                    "network's baked layers\n";
    return 1;
  }
  const std::vector<std::int64_t> shape = networkInputShape(*model);
  std::string input_error;
  const std::optional<std::vector<float>> input = read(input_path, shape, &input_error);
  if (!input) {
    llvm::errs() << "convgen: error: " << input_error << "\n";
    return 1;
  }
  const NetworkReference reference = referenceNetwork(*model, *input);
  const std::vector<GeneratedFile> files = goldenFiles(*model, reference);
  std::signal(SIGXFSZ, SIG_IGN);
  if (std::string error =
          writeFilesIfChanged(out_dir, configStem(model->config_name) + "_golden", files);
      !error.empty()) {
    llvm::errs() << "convgen: error: " << error << "\n";
    return 3;
  }
  return 0;
}

int runGoldenCommand(const std::string& out_dir) {
  auto raw_only = [](const std::string& path, const std::vector<std::int64_t>& shape,
                     std::string* error) -> std::optional<std::vector<float>> {
    if (llvm::StringRef(path).endswith(".pb")) {
      *error = "input '" + path +
               "': ONNX TensorProto inputs are read by 'convgen import MODEL --golden INPUT.pb' "
               "(the core generator reads raw float32 .bin files only)";
      return std::nullopt;
    }
    return readRawInput(path, shape, error);
  };
  return writeGolden(golden_config, out_dir, golden_input, raw_only);
}

}  // namespace convgen
