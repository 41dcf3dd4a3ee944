// `convgen tune CONFIG --out TUNING.json`: for each distinct layer shape of
// the config (tuningKey), compiles the candidate plans the cost model ranks
// closest into one timing program (tune.h), runs it on this machine and
// records the fastest choices in TUNING.json, for `generate --tuning`.
// `--pick-rank K` measures nothing and records each shape's K-th candidate
// (the tests' way to put non-default plans through the conformance matrix).
// Exit status as README.md's table: 1 a config convgen rejects, 2 usage,
// 3 I/O or tool failures (the compiler, the timing program, this CPU).
#include <csignal>
#include <deque>
#include <set>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/output.h"
#include "convgen/tune.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Host.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace convgen {

cl::SubCommand& tuneSubCommand() {
  static cl::SubCommand cmd("tune",
                            "Time the cost model's closest candidate plans of every layer shape "
                            "on this machine and write the fastest to --out (a tuning file)");
  return cmd;
}

cl::OptionCategory& tuneOptionCategory() {
  static cl::OptionCategory category("convgen tune options");
  return category;
}

namespace {

cl::opt<std::string> tune_config(cl::Positional, cl::Required, cl::desc("<config.yaml>"),
                                 cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));
cl::opt<std::string> tune_out("out", cl::Required, cl::desc("The tuning file to write"),
                              cl::value_desc("file.json"), cl::sub(tuneSubCommand()),
                              cl::cat(tuneOptionCategory()));
cl::opt<int> tune_candidates("candidates", cl::desc("Candidate plans per layer shape (default 8)"),
                             cl::init(8), cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));
cl::opt<std::string> tune_cxx("cxx", cl::desc("C++ compiler for the timing programs (default $CXX, else c++)"),
                              cl::value_desc("path"), cl::sub(tuneSubCommand()),
                              cl::cat(tuneOptionCategory()));
cl::opt<std::string> tune_work_dir(
    "work-dir", cl::desc("Keep the timing programs here (default: a temporary directory, removed)"),
    cl::value_desc("dir"), cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));
cl::opt<int> tune_repetitions("repetitions", cl::desc("Interleaved timing rounds (default 9); medians"),
                              cl::init(9), cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));
cl::opt<int> tune_jobs("j", cl::desc("Timing programs compiled at once (default 2)"), cl::init(2), cl::Prefix,
                       cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));
cl::opt<int> tune_pick_rank(
    "pick-rank",
    cl::desc("Measure nothing: record every shape's K-th ranked candidate (0 = the cost model's; "
             "clamped to the last), for testing non-default plans"),
    cl::init(-1), cl::value_desc("K"), cl::sub(tuneSubCommand()), cl::cat(tuneOptionCategory()));

int fail(const llvm::Twine& message, int code) {
  llvm::errs() << "convgen: error: " << message << "\n";
  return code;
}

struct Shape {
  std::string key;
  LayerSpec layer;                  // the first layer of the config with this key
  std::vector<std::string> layers;  // every layer with it
  std::vector<PlanChoice> candidates;
  std::string dir, program;  // the timing program's directory and binary
};

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
  return s;
}

// The last `lines` lines of a file (a compiler's stderr), indented.
std::string tail(const std::string& path, std::size_t lines = 20) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) return "";
  llvm::SmallVector<llvm::StringRef, 64> all;
  (*buffer)->getBuffer().split(all, '\n', -1, false);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "\n  " + all[i].str();
  return out;
}

std::string commandLine(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Writes `text` to `path` through a temporary in the same directory and a
// rename: a failed run leaves no half-written tuning file.
std::string writeAtomically(const std::string& path, const std::string& text) {
  llvm::SmallString<256> temp;
  int fd = -1;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return path + ": " + ec.message();
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(temp);
      return path + ": " + os.error().message();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return path + ": " + ec.message();
  }
  return "";
}

}  // namespace

int runTuneCommand(const std::string& isa_override, std::int64_t unroll_budget) {
  if (tune_candidates < 1 || tune_candidates > 64)
    return fail("--candidates must be between 1 and 64", 2);
  if (tune_repetitions < 1 || tune_repetitions > 1000)
    return fail("--repetitions must be between 1 and 1000", 2);
  if (tune_jobs < 1 || tune_jobs > 64) return fail("-j must be between 1 and 64", 2);
  if (tune_pick_rank.getNumOccurrences() > 0 && (tune_pick_rank < 0 || tune_pick_rank > 63))
    return fail("--pick-rank must be between 0 and 63", 2);
  if (unroll_budget < 1 || unroll_budget > kMaxUnrollBudget)
    return fail("--unroll-budget must be between 1 and " + llvm::Twine(kMaxUnrollBudget), 2);
  llvm::SourceMgr sm;
  Diagnostics diags(sm);
  std::string read_error;
  const std::optional<unsigned> buffer = readConfigFile(tune_config, sm, &read_error);
  if (!buffer) return fail("cannot read config '" + tune_config + "': " + read_error, 3);
  std::optional<ModelSpec> model = loadConfig(sm, *buffer, diags);
  if (!model) {
    diags.print(llvm::errs());
    return 1;
  }
  if (!isa_override.empty()) {
    const std::optional<Isa> isa = parseIsaName(isa_override);
    if (!isa) return fail("unknown --isa '" + isa_override + "' (" + isaNameList() + ", native)", 2);
    for (LayerSpec& layer : model->layers) layer.isa = *isa;
  }
  PlanOptions options;
  options.unroll_budget = unroll_budget;
  const bool picking = tune_pick_rank >= 0;
  const int n = picking ? tune_pick_rank + 1 : tune_candidates;
  std::vector<Shape> shapes;
  for (const LayerSpec& layer : model->layers) {
    if (layer.backward_only) {  // its gradients have no plan choice
      llvm::outs() << layer.name << ": backward: only (no forward to tune), skipped\n";
      continue;
    }
    const std::string key = tuningKey(layer, options);
    auto same = std::find_if(shapes.begin(), shapes.end(), [&](const Shape& s) { return s.key == key; });
    if (same != shapes.end()) {
      same->layers.push_back(layer.name);
      continue;
    }
    std::vector<PlanChoice> candidates = tuneCandidates(layer, options, n);
    if (candidates.empty()) {
      llvm::outs() << layer.name << ": no plan choice (" << key << "), skipped\n";
      continue;
    }
    shapes.push_back({key, layer, {layer.name}, std::move(candidates), "", ""});
  }
  Tuning tuning;
  tuning.machine = llvm::sys::getHostCPUName().str();
  if (picking) {
    for (const Shape& s : shapes)
      tuning.layers[s.key].choice = s.candidates[std::min<std::size_t>(tune_pick_rank, s.candidates.size() - 1)];
    tuning.machine = "none (--pick-rank " + std::to_string(tune_pick_rank) + ": not measured)";
    if (std::string error = writeAtomically(tune_out, writeTuningJson(tuning)); !error.empty())
      return fail(error, 3);
    return 0;
  }
  std::set<Isa> isas;
  for (const Shape& s : shapes) isas.insert(s.layer.isa);
  for (Isa isa : isas)
    if (!cpuSupports(isa))
      return fail("this CPU cannot run " + std::string(toString(isa)) +
                      " code, so it cannot time it: tune on a machine that has it, or choose "
                      "another --isa",
                  3);
  // The compiler: --cxx, else $CXX, else c++.
  std::string cxx_name = tune_cxx;
  if (cxx_name.empty()) {
    const llvm::Optional<std::string> env = llvm::sys::Process::GetEnv("CXX");
    cxx_name = env && !env->empty() ? *env : "c++";
  }
  llvm::ErrorOr<std::string> cxx = llvm::sys::findProgramByName(cxx_name);
  if (!cxx) return fail("cannot find the C++ compiler '" + cxx_name + "' (--cxx)", 2);
  // Work directory: the user's (kept), or a temporary one (removed).
  llvm::SmallString<256> work(tune_work_dir);
  const bool temporary = work.empty();
  if (temporary) {
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("convgen-tune", work))
      return fail("cannot create a temporary directory: " + ec.message(), 3);
  }
  struct RemoveTemporary {  // however this returns (the errors quote what matters)
    const llvm::SmallString<256>& dir;
    bool remove;
    ~RemoveTemporary() {
      if (remove) llvm::sys::fs::remove_directories(dir);
    }
  } remove_work{work, temporary};
  std::signal(SIGXFSZ, SIG_IGN);
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Shape& s = shapes[i];
    const std::string stem = "tune_" + std::to_string(i);
    llvm::SmallString<256> dir(work);
    llvm::sys::path::append(dir, stem);
    s.dir = std::string(dir);
    llvm::SmallString<256> program(dir);
    llvm::sys::path::append(program, stem);
    s.program = std::string(program);
    const std::vector<GeneratedFile> files = tuneProgram(s.layer, s.candidates, options, stem);
    if (std::string error = writeFilesIfChanged(s.dir, stem, files); !error.empty())
      return fail(error, 3);
  }
  // Compile -j at a time, in order; the first failure stops.
  struct Running {
    llvm::sys::ProcessInfo info;
    std::size_t shape;
    std::vector<std::string> argv;
    std::string err;
  };
  std::deque<Running> running;
  std::size_t next = 0;
  while (next < shapes.size() || !running.empty()) {
    while (next < shapes.size() && running.size() < static_cast<std::size_t>(tune_jobs.getValue())) {
      const Shape& s = shapes[next];
      const std::string stem = "tune_" + std::to_string(next);
      Running r;
      r.shape = next++;
      r.argv = {*cxx, "-O2", "-std=c++17", "-I", s.dir, s.dir + "/" + stem + ".cpp",
                s.dir + "/" + stem + "_main.cpp", "-o", s.program};
      r.err = s.program + ".compile.txt";
      std::vector<llvm::StringRef> argv(r.argv.begin(), r.argv.end());
      const llvm::Optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(r.err),
                                                           llvm::StringRef(r.err)};
      std::string error;
      r.info = llvm::sys::ExecuteNoWait(*cxx, argv, llvm::None, redirects, 0, &error);
      if (r.info.Pid == llvm::sys::ProcessInfo::InvalidPid)
        return fail("cannot run " + commandLine(r.argv) + ": " + error, 3);
      running.push_back(std::move(r));
    }
    Running r = std::move(running.front());
    running.pop_front();
    std::string error;
    const llvm::sys::ProcessInfo done = llvm::sys::Wait(r.info, 0, true, &error);
    if (done.ReturnCode != 0) {
      for (Running& other : running) llvm::sys::Wait(other.info, 0, true);
      return fail("compiling the timing program of " + joined(shapes[r.shape].layers) +
                      " failed (exit " + llvm::Twine(done.ReturnCode) + "): " +
                      commandLine(r.argv) + tail(r.err) +
                      (temporary ? "" : "\n(files kept in " + std::string(work) + ")"),
                  3);
    }
  }
  // Run one program at a time: a second one running would share the cores.
  for (Shape& s : shapes) {
    const std::string out = s.program + ".times.txt", err = s.program + ".stderr.txt";
    const std::string rounds = std::to_string(tune_repetitions);
    const llvm::StringRef argv[] = {s.program, rounds};
    const llvm::Optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(out),
                                                         llvm::StringRef(err)};
    std::string error;
    const int rc = llvm::sys::ExecuteAndWait(s.program, argv, llvm::None, redirects, 0, 0, &error);
    auto text = llvm::MemoryBuffer::getFile(out);
    std::string parse_error;
    std::optional<std::vector<CandidateTimes>> times;
    if (rc == 0 && text) times = parseTuneOutput((*text)->getBuffer().str(), s.candidates, &parse_error);
    if (!times)
      return fail("the timing program of " + joined(s.layers) + " failed (exit " +
                      llvm::Twine(rc) + (error.empty() ? "" : ", " + error) + "): " + s.program +
                      " " + rounds + tail(err) + (parse_error.empty() ? "" : "\n  " + parse_error),
                  3);
    TuningEntry entry = chooseEntry(s.candidates, *times);
    const PlanChoice& model_choice = s.candidates[0];
    // Tenths of a microsecond, finer below 10 us (the tiny layers).
    auto us = [](double v) { return llvm::formatv(v < 10 ? "{0:f3}" : "{0:f1}", v).str(); };
    auto packedText = [&](const std::optional<PackedTile>& p, double v) {
      return p ? " + packed " + tileName(*p) + " " + us(v) + " us" : std::string();
    };
    double chosen_forward = 0;
    for (std::size_t k = 0; k < s.candidates.size(); ++k)
      if (s.candidates[k].forward == entry.choice.forward && (*times)[k].forward_us >= 0)
        chosen_forward = (*times)[k].forward_us;
    double chosen_packed = 0;
    for (std::size_t k = 0; k < s.candidates.size(); ++k)
      if (entry.choice.packed && s.candidates[k].packed == entry.choice.packed)
        chosen_packed = (*times)[k].packed_us;
    llvm::outs() << joined(s.layers) << ": default " << tileName(model_choice.forward) << " "
                 << us((*times)[0].forward_us) << " us"
                 << packedText(model_choice.packed, (*times)[0].packed_us) << " -> chosen "
                 << tileName(entry.choice.forward) << " " << us(chosen_forward) << " us" << packedText(entry.choice.packed, chosen_packed) << "\n";
    tuning.layers[s.key] = std::move(entry);
  }
  if (std::string error = writeAtomically(tune_out, writeTuningJson(tuning)); !error.empty())
    return fail(error, 3);
  return 0;
}

}  // namespace convgen
