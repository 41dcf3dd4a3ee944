// convgen: a thin command line over the generator library.
//   convgen check CONFIG     validate; silent and exit 0 when valid
//   convgen shapes CONFIG    print every layer's shapes
//   convgen generate CONFIG --out-dir DIR [--isa ISA] [--shards K]
//                    [--report [--report-compiler CXX --report-flag F...]] [--tuning FILE]
//                            write NAME.h and NAME.cpp (or NAME_<k>.cpp)
//   convgen import MODEL.onnx --out-dir DIR [--name NAME] [--input-shape N,C,H,W] [--isa ISA]
//                            write NAME.yaml and NAME.safetensors (convgen_import.cpp)
//   convgen golden CONFIG --input INPUT.bin --out-dir DIR
//                            write NAME_golden.cpp and NAME_golden.bin (convgen_golden.cpp)
//   convgen tune CONFIG --out TUNING.json [--isa ISA] [--candidates N] [--cxx CXX]
//                    [--work-dir DIR] [--repetitions R] [-j N] [--pick-rank K]
//                            time candidate plans, write the fastest (convgen_tune.cpp)
//   convgen verify FILE... [--isa ISA]
//                            check generated code's promises with Clang
// Exit status (README.md's exit-status table): 0 success, 1 errors in the config,
// 2 usage errors, 3 I/O or tool failures (a config that cannot be read, an
// output that cannot be written, a --report-compiler run that fails).
#include "convgen/config.h"
#include "convgen/emit.h"
#include "convgen/golden.h"
#include "convgen/import.h"
#include "convgen/output.h"
#include "convgen/report.h"
#include "convgen/tune.h"
#include "convgen/tuning.h"
#ifdef CONVGEN_HAS_VERIFIER
#include "convgen/verify.h"
#endif

#include <csignal>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {

cl::OptionCategory convgen_options("convgen options");
cl::SubCommand check_cmd("check", "Validate a config: silent, exit 0 when valid");
cl::SubCommand shapes_cmd("shapes", "Print each layer's shapes, padding, parameters and MACs");

cl::SubCommand generate_cmd("generate", "Generate the kernels of every layer into --out-dir");
cl::SubCommand& import_cmd = convgen::importSubCommand();
cl::SubCommand& golden_cmd = convgen::goldenSubCommand();
cl::SubCommand& tune_cmd = convgen::tuneSubCommand();

cl::opt<std::string> config_path(cl::Positional, cl::Required, cl::desc("<config.yaml>"),
                                 cl::sub(check_cmd), cl::sub(shapes_cmd), cl::sub(generate_cmd),
                                 cl::cat(convgen_options));
cl::opt<std::string> out_dir("out-dir", cl::Required, cl::desc("Directory to write into"),
                             cl::value_desc("dir"), cl::sub(generate_cmd), cl::sub(import_cmd),
                             cl::sub(golden_cmd),
                             cl::cat(convgen_options));
// The ISA names come from isa.h's table.
const std::string isa_help =
    "Target of every layer, overriding the config: " + convgen::isaNameList() + " or native";
cl::opt<std::string> isa_override("isa", cl::desc(isa_help), cl::value_desc("isa"),
                                  cl::sub(generate_cmd), cl::sub(import_cmd), cl::sub(tune_cmd),
                                  cl::cat(convgen_options));
cl::opt<int> shards("shards", cl::desc("Spread the layers over this many .cpp files"), cl::init(1),
                    cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<int> weights_shards(
    "weights-shards",
    cl::desc("With weights: in the config, exactly this many NAME_weights_<k>.cpp (default: "
             "as many as bound each file's size)"),
    cl::init(0), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::int64_t> unroll_budget(
    "unroll-budget",
    cl::desc("Most multiply-accumulates in one straight-line function (default 2048)"),
    cl::init(convgen::PlanOptions().unroll_budget), cl::sub(generate_cmd), cl::sub(tune_cmd),
    cl::cat(convgen_options));
cl::opt<std::int64_t> band_cache(
    "band-cache",
    cl::desc("Bytes of cache a layer's row band may fill (default 262144: half of a 512 KB L2); "
             "0 turns row bands off"),
    cl::init(convgen::PlanOptions().band_cache_bytes), cl::sub(generate_cmd),
    cl::cat(convgen_options));
cl::opt<std::string> tuning_path(
    "tuning",
    cl::desc("Plan the layers this tuning file (convgen tune) has choices for with them"),
    cl::value_desc("file.json"), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<bool> no_format(
    "no-format",
    cl::desc(
        "Skip libFormat (about 4 s per MB of output); the code is still valid and deterministic"),
    cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::string> report_compiler(
    "report-compiler",
    cl::desc("With --report: compile each generated .cpp with this C++ compiler (e.g. "
             "arm-none-eabi-g++) and report the object code bytes of every layer"),
    cl::value_desc("cxx"), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::list<std::string> report_flags(
    "report-flag", cl::desc("A flag for --report-compiler (repeatable), e.g. -mcpu=cortex-m4"),
    cl::value_desc("flag"), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::int64_t> flash_budget(
    "flash-budget",
    cl::desc("Fail, writing nothing, when a network's baked weights (and, with "
             "--report-compiler, its code) exceed this many bytes"),
    cl::init(-1), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::int64_t> ram_budget(
    "ram-budget", cl::desc("Fail, writing nothing, when a network's arena exceeds this many bytes"),
    cl::init(-1), cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::string> report("report", cl::ValueOptional,
                            cl::desc("Print what was generated for each layer: --report (text) or "
                                     "--report=json"),
                            cl::value_desc("text|json"), cl::sub(generate_cmd),
                            cl::cat(convgen_options));
cl::opt<bool> no_source(
    "no-source-lines",
    cl::desc("Print only the file:line:col: error: lines, without source and caret"),
    cl::sub(check_cmd), cl::sub(shapes_cmd), cl::sub(generate_cmd), cl::cat(convgen_options));

constexpr int kExitConfigError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIo = 3;

void printVersion(llvm::raw_ostream& os) { os << "convgen " << CONVGEN_VERSION << "\n"; }

int fail(const llvm::Twine& message, int code) {
  llvm::errs() << "convgen: error: " << message << "\n";
  return code;
}

int generate(convgen::ModelSpec& model, convgen::Diagnostics& diags) {
  if (shards < 1 || shards > 1024) return fail("--shards must be between 1 and 1024", kExitUsage);
  if (weights_shards.getNumOccurrences() > 0 && (weights_shards < 1 || weights_shards > 1024))
    return fail("--weights-shards must be between 1 and 1024", kExitUsage);
  if (weights_shards.getNumOccurrences() > 0 && model.weights_file.empty())
    return fail("--weights-shards needs a config with 'weights:'", kExitUsage);
  if (unroll_budget < 1 || unroll_budget > convgen::kMaxUnrollBudget)
    return fail("--unroll-budget must be between 1 and " + llvm::Twine(convgen::kMaxUnrollBudget),
                kExitUsage);
  if (band_cache < 0 || band_cache > (std::int64_t(1) << 40))
    return fail("--band-cache must be between 0 and 2^40 bytes", kExitUsage);
  const bool reporting = report.getNumOccurrences() > 0;
  if (reporting && report != "" && report != "text" && report != "json")
    return fail("--report takes 'text' or 'json', not '" + report + "'", kExitUsage);
  // The config's file name was validated with the rest (configFileStem).
  if (!isa_override.empty()) {
    const std::optional<convgen::Isa> isa = convgen::parseIsaName(isa_override);
    if (!isa)
      return fail("unknown --isa '" + isa_override + "' (" + convgen::isaNameList() + ", native)",
                  kExitUsage);
    for (convgen::LayerSpec& layer : model.layers) layer.isa = *isa;
    for (convgen::PoolSpec& pool : model.pools) pool.isa = *isa;
  }
  convgen::GenerateOptions options;
  options.shards = shards;
  options.weights_shards = weights_shards;
  options.plan.unroll_budget = unroll_budget;
  options.plan.band_cache_bytes = band_cache;
  // A tuning file is read and checked against every layer using it before
  // anything is generated: a bad one writes nothing.
  std::optional<convgen::Tuning> tuning;
  if (!tuning_path.empty()) {
    std::string read_error;
    tuning = convgen::readTuning(tuning_path, diags, &read_error);
    if (!read_error.empty())
      return fail("cannot read tuning file '" + tuning_path + "': " + read_error, kExitIo);
    if (tuning) options.plan.tuning = &*tuning;
    if (!tuning || !convgen::checkTuning(model, options.plan, diags)) {
      diags.print(llvm::errs(), /*show_source=*/!no_source);
      return kExitConfigError;
    }
  }
  options.format = !no_format;
  // Everything is rendered before anything is written: an error leaves
  // the output directory as it was.
  const convgen::GeneratedModel generated = convgen::generateModel(model, options);
  // The budgets the weights and the arena alone decide: before writing.
  if (std::string over = convgen::checkBudgets(model, generated, nullptr, flash_budget, ram_budget);
      !over.empty())
    return fail(over, kExitConfigError);
  // A full file-size limit (ulimit -f) then fails write() with EFBIG, reported
  // like a full disk, instead of killing convgen half-way.
  std::signal(SIGXFSZ, SIG_IGN);
  if (std::string error =
          convgen::writeFilesIfChanged(out_dir, convgen::configStem(model.config_name), generated.files);
      !error.empty())
    return fail(error, kExitIo);
  if (!reporting) return 0;
  std::optional<convgen::ObjectSizes> sizes;
  const convgen::ObjectSizeRequest request{report_compiler, report_flags, out_dir};
  if (!report_compiler.empty()) {
    sizes = convgen::measureObjectSizes(model, generated, request);
    // A compiler that cannot be found is a usage error; one that fails, a tool failure.
    if (!sizes->error.empty()) return fail(sizes->error, sizes->usage_error ? kExitUsage : kExitIo);
    // With code bytes measured the flash budget counts them too (the files
    // are written by now: a compiler needs them).
    if (std::string over = convgen::checkBudgets(model, generated, &*sizes, flash_budget, -1);
        !over.empty())
      return fail(over, kExitConfigError);
  }
  if (report == "json") {
    convgen::printGenerationReportJson(model, generated, sizes ? &*sizes : nullptr, llvm::outs());
    return 0;
  }
  convgen::printGenerationReport(generated, llvm::outs());
  if (sizes) convgen::printObjectSizes(model, *sizes, request, llvm::outs());
  convgen::printNetworkReport(model, generated, sizes ? &*sizes : nullptr, llvm::outs());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions({&convgen_options, &convgen::importOptionCategory(),
                            &convgen::goldenOptionCategory(), &convgen::tuneOptionCategory()});
  std::string usage_errors;
  llvm::raw_string_ostream usage_os(usage_errors);
  if (!cl::ParseCommandLineOptions(argc, argv, "convgen: fixed-shape Conv2d kernel generator\n",
                                   &usage_os)) {
    llvm::errs() << usage_os.str();
    cl::PrintHelpMessage(/*Hidden=*/false, /*Categorized=*/false);  // exits 0 by itself
    return kExitUsage;
  }
#ifdef CONVGEN_HAS_VERIFIER
  if (convgen::verifyCommandSelected()) return convgen::runVerifyCommand();
#endif
  if (import_cmd) return convgen::runImportCommand(out_dir, isa_override);
  if (golden_cmd) return convgen::runGoldenCommand(out_dir);
  if (tune_cmd) return convgen::runTuneCommand(isa_override, unroll_budget);
  if (!check_cmd && !shapes_cmd && !generate_cmd) {
    llvm::errs() << "convgen: error: no command given (check, shapes, generate, import, golden, tune, verify)\n"
                 << "Run 'convgen --help' for usage.\n";
    return kExitUsage;
  }

  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  std::string read_error;
  const std::optional<unsigned> buffer = convgen::readConfigFile(config_path, sm, &read_error);
  if (!buffer) return fail("cannot read config '" + config_path + "': " + read_error, kExitIo);
  std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, *buffer, diags);
  if (!model) {
    diags.print(llvm::errs(), /*show_source=*/!no_source);
    return kExitConfigError;
  }
  if (shapes_cmd) convgen::printShapesTable(*model, llvm::outs());
  if (generate_cmd) return generate(*model, diags);
  return 0;
}
