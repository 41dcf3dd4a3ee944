// convgen: a thin command line over the generator library.
//   convgen check CONFIG     validate; silent and exit 0 when valid
//   convgen shapes CONFIG    print every layer's shapes
//   convgen generate CONFIG --out-dir DIR [--isa ISA] [--shards K]
//                    [--report [--report-compiler CXX --report-flag F...]]
//                            write NAME.h and NAME.cpp (or NAME_<k>.cpp)
//   convgen verify FILE... [--isa ISA]
//                            check generated code's promises with Clang
// Exit status: 0 success, 1 errors in the config, 2 usage errors.
#include "convgen/config.h"
#include "convgen/emit.h"
#include "convgen/output.h"
#include "convgen/report.h"
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

cl::opt<std::string> config_path(cl::Positional, cl::Required, cl::desc("<config.yaml>"),
                                 cl::sub(check_cmd), cl::sub(shapes_cmd), cl::sub(generate_cmd),
                                 cl::cat(convgen_options));
cl::opt<std::string> out_dir("out-dir", cl::Required, cl::desc("Directory to write into"),
                             cl::value_desc("dir"), cl::sub(generate_cmd),
                             cl::cat(convgen_options));
cl::opt<std::string> isa_override("isa",
                                  cl::desc("Target of every layer, overriding the config: scalar"),
                                  cl::value_desc("isa"), cl::sub(generate_cmd),
                                  cl::cat(convgen_options));
cl::opt<int> shards("shards", cl::desc("Spread the layers over this many .cpp files"), cl::init(1),
                    cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<std::int64_t> unroll_budget(
    "unroll-budget",
    cl::desc("Most multiply-accumulates in one straight-line function (default 2048)"),
    cl::init(convgen::PlanOptions().unroll_budget), cl::sub(generate_cmd),
    cl::cat(convgen_options));
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
cl::opt<bool> report("report", cl::desc("Print what was generated for each layer"),
                     cl::sub(generate_cmd), cl::cat(convgen_options));
cl::opt<bool> no_source(
    "no-source-lines",
    cl::desc("Print only the file:line:col: error: lines, without source and caret"),
    cl::sub(check_cmd), cl::sub(shapes_cmd), cl::sub(generate_cmd), cl::cat(convgen_options));

constexpr int kExitConfigError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitIoError = 3;

void printVersion(llvm::raw_ostream& os) { os << "convgen " << CONVGEN_VERSION << "\n"; }

int fail(const llvm::Twine& message, int code = kExitConfigError) {
  llvm::errs() << "convgen: error: " << message << "\n";
  return code;
}

// Runs `program args...`, its standard output into `out`; "" or what failed.
std::string run(llvm::StringRef program, const std::vector<std::string>& args, std::string* out) {
  llvm::SmallString<128> out_path;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("convgen-report", "txt", out_path))
    return "cannot create a temporary file: " + ec.message();
  llvm::FileRemover remove_out(out_path);
  std::vector<llvm::StringRef> argv = {program};
  for (const std::string& a : args) argv.push_back(a);
  const llvm::Optional<llvm::StringRef> redirects[] = {llvm::None, llvm::StringRef(out_path),
                                                       llvm::None};
  std::string error;
  const int rc = llvm::sys::ExecuteAndWait(program, argv, llvm::None, redirects, 0, 0, &error);
  if (rc != 0) return (program + " failed (exit " + llvm::Twine(rc) + ") " + error).str();
  if (out) {
    auto text = llvm::MemoryBuffer::getFile(out_path);
    if (!text) return "cannot read the output of " + program.str();
    *out = (*text)->getBuffer().str();
  }
  return "";
}

// --report-compiler: each generated .cpp compiled, its defined code symbols
// (llvm-nm, any target) attributed to layers by their namespace
// <ns>::<layer>:: or C entry point; code GCC merged across layers counts once.
int reportObjectSizes(const convgen::ModelSpec& model, const convgen::GeneratedModel& generated) {
  auto cxx = llvm::sys::findProgramByName(report_compiler);
  if (!cxx) return fail("--report-compiler: cannot find '" + report_compiler + "'", kExitUsage);
  auto nm = llvm::sys::findProgramByName("llvm-nm-14");
  if (!nm) nm = llvm::sys::findProgramByName("llvm-nm");
  if (!nm) return fail("--report-compiler needs llvm-nm (Debian package llvm-14)");
  std::string ns_c = model.cpp_namespace;
  for (std::size_t at; (at = ns_c.find("::")) != std::string::npos;) ns_c.replace(at, 2, "_");
  std::vector<std::int64_t> bytes(model.layers.size(), 0);
  for (const convgen::GeneratedFile& file : generated.files) {
    if (!llvm::StringRef(file.name).endswith(".cpp")) continue;
    llvm::SmallString<256> source(out_dir);
    llvm::sys::path::append(source, file.name);
    llvm::SmallString<128> object;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("convgen-report", "o", object))
      return fail("cannot create a temporary file: " + ec.message());
    llvm::FileRemover remove_object(object);
    std::vector<std::string> args = {"-std=c++17",        "-O2", "-c",   std::string(source), "-o",
                                     std::string(object), "-I",  out_dir};
    args.insert(args.end(), report_flags.begin(), report_flags.end());
    if (std::string error = run(*cxx, args, nullptr); !error.empty()) return fail(error);
    std::string symbols;
    if (std::string error = run(
            *nm, {"--print-size", "--defined-only", "--demangle", std::string(object)}, &symbols);
        !error.empty())
      return fail(error);
    llvm::SmallVector<llvm::StringRef, 64> lines;
    llvm::StringRef(symbols).split(lines, '\n', -1, false);
    for (llvm::StringRef line : lines) {
      // "<address> <size> <type> <name>"
      llvm::SmallVector<llvm::StringRef, 4> f;
      line.split(f, ' ', 3, false);
      std::uint64_t size = 0;
      if (f.size() < 4 || f[1].getAsInteger(16, size) || !llvm::StringRef("Tt").contains(f[2]))
        continue;
      for (std::size_t i = 0; i < model.layers.size(); ++i) {
        const std::string& name = model.layers[i].name;
        if (f[3].startswith(model.cpp_namespace + "::" + name + "::") ||
            f[3] == ns_c + "_" + name + "_forward")
          bytes[i] += static_cast<std::int64_t>(size);
      }
    }
  }
  llvm::outs() << "object code (" << report_compiler;
  for (const std::string& flag : report_flags) llvm::outs() << " " << flag;
  llvm::outs() << " -O2):\n";
  std::int64_t total = 0;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    llvm::outs() << "  " << model.layers[i].name << ": " << bytes[i] << " bytes\n";
    total += bytes[i];
  }
  llvm::outs() << "  total: " << total << " bytes\n";
  return 0;
}

int generate(convgen::ModelSpec& model) {
  if (shards < 1 || shards > 1024) return fail("--shards must be between 1 and 1024", kExitUsage);
  if (unroll_budget < 1) return fail("--unroll-budget must be positive", kExitUsage);
  const std::string stem = convgen::configStem(model.config_name);
  if (stem.empty())
    return fail("config file name '" + model.config_name +
                "' cannot name generated files: use letters, digits, '_' and '-' before .yaml");
  if (!isa_override.empty()) {
    const std::optional<convgen::Isa> isa = convgen::parseIsaName(isa_override);
    if (!isa)
      return fail("unknown --isa '" + isa_override + "' (scalar, avx2, avx512, neon, native)",
                  kExitUsage);
    for (convgen::LayerSpec& layer : model.layers) layer.isa = *isa;
  }
  for (const convgen::LayerSpec& layer : model.layers)
    if (!convgen::isIsaImplemented(layer.isa))
      return fail("layer '" + layer.name + "': isa '" +
                  llvm::StringRef(convgen::toString(layer.isa)) +
                  "' is not implemented by convgen " CONVGEN_VERSION " (available: scalar)");
  convgen::GenerateOptions options;
  options.shards = shards;
  options.plan.unroll_budget = unroll_budget;
  options.format = !no_format;
  // Everything is rendered before anything is written: an error leaves
  // the output directory as it was.
  const convgen::GeneratedModel generated = convgen::generateModel(model, options);
  // A full file-size limit (ulimit -f) then fails write() with EFBIG, reported
  // like a full disk, instead of killing convgen half-way.
  std::signal(SIGXFSZ, SIG_IGN);
  if (std::string error = convgen::writeFilesIfChanged(out_dir, stem, generated.files);
      !error.empty())
    return fail(error, kExitIoError);
  if (report) convgen::printGenerationReport(generated, llvm::outs());
  if (report && !report_compiler.empty()) return reportObjectSizes(model, generated);
  return 0;
}

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
#ifdef CONVGEN_HAS_VERIFIER
  if (convgen::verifyCommandSelected()) return convgen::runVerifyCommand();
#endif
  if (!check_cmd && !shapes_cmd && !generate_cmd) {
    llvm::errs() << "convgen: error: no command given (check, shapes, generate, verify)\n"
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
  if (generate_cmd) return generate(*model);
  return 0;
}
