// convgen: a thin command line over the generator library.
//   convgen check CONFIG     validate; silent and exit 0 when valid
//   convgen shapes CONFIG    print every layer's shapes
// Exit status: 0 success, 1 errors in the config, 2 usage errors.
#include "convgen/config.h"
#include "convgen/report.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {

cl::OptionCategory convgen_options("convgen options");
cl::SubCommand check_cmd("check", "Validate a config: silent, exit 0 when valid");
cl::SubCommand shapes_cmd("shapes", "Print each layer's shapes, padding, parameters and MACs");

cl::opt<std::string> config_path(cl::Positional, cl::Required, cl::desc("<config.yaml>"),
                                 cl::sub(check_cmd), cl::sub(shapes_cmd), cl::cat(convgen_options));
cl::opt<bool> no_source(
    "no-source-lines",
    cl::desc("Print only the file:line:col: error: lines, without source and caret"),
    cl::sub(check_cmd), cl::sub(shapes_cmd), cl::cat(convgen_options));

constexpr int kExitConfigError = 1;
constexpr int kExitUsage = 2;

void printVersion(llvm::raw_ostream& os) { os << "convgen " << CONVGEN_VERSION << "\n"; }

}  // namespace

int main(int argc, char** argv) {
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(convgen_options);
  std::string usage_errors;
  llvm::raw_string_ostream usage_os(usage_errors);
  if (!cl::ParseCommandLineOptions(argc, argv, "convgen: fixed-shape Conv2d kernel generator\n",
                                   &usage_os)) {
    llvm::errs() << usage_os.str();
    cl::PrintHelpMessage(/*Hidden=*/false, /*Categorized=*/false);  // exits 0 by itself
    return kExitUsage;
  }
  if (!check_cmd && !shapes_cmd) {
    llvm::errs() << "convgen: error: no command given (check, shapes)\n"
                 << "Run 'convgen --help' for usage.\n";
    return kExitUsage;
  }

  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  std::optional<convgen::ModelSpec> model = convgen::loadConfigFile(config_path, sm, diags);
  if (!model) {
    diags.print(llvm::errs(), /*show_source=*/!no_source);
    return kExitConfigError;
  }
  if (shapes_cmd) convgen::printShapesTable(*model, llvm::outs());
  return 0;
}
