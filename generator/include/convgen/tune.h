// `convgen tune` (tools/convgen_tune.cpp): the timing program for one layer
// shape's candidate plans (tuning.h's tuneCandidates), and choosing from
// its measurements. Process handling (compiling, running) is the tool's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convgen/emit.h"
#include "convgen/tuning.h"

namespace llvm::cl {
class OptionCategory;
class SubCommand;
}  // namespace llvm::cl

namespace convgen {

// "oc8xr1v2", "oc8xr1v2d" (split), "p6v2": how summaries and measured_us
// name tiles (the kernel name's tile spelling, kernel_name.h).
std::string tileName(const ForwardTile& t);
std::string tileName(const PackedTile& t);

// The files of the timing program for `candidates` of `layer`'s shape: the
// candidates as layers c0, c1, ... of one generated header and .cpp (stem
// `stem`), and `stem`_main.cpp (templates/tune_main.cpp.in). Candidate k's
// forward() is timed when its forward tile is not an earlier candidate's,
// its forward_packed() when it has a packed tile. Precondition: every
// candidate fits the layer (tuneCandidates' do).
std::vector<GeneratedFile> tuneProgram(const LayerSpec& layer,
                                       const std::vector<PlanChoice>& candidates,
                                       const PlanOptions& options, const std::string& stem);

// Medians per candidate from the program's output: [k] = {forward us or -1,
// packed us or -1}. nullopt with *error when a line is malformed or a timed
// entry point is missing.
struct CandidateTimes {
  double forward_us = -1, packed_us = -1;
};
std::optional<std::vector<CandidateTimes>> parseTuneOutput(const std::string& text,
                                                           const std::vector<PlanChoice>& candidates,
                                                           std::string* error);

// The winners: the fastest forward tile, and the fastest packed tile only
// when its median beats the best forward median (else none). The entry's
// measured_us names every measurement ("forward oc8xr1v2", "packed p6v2").
TuningEntry chooseEntry(const std::vector<PlanChoice>& candidates,
                        const std::vector<CandidateTimes>& times);

// The `tune` subcommand; --isa and --unroll-budget are shared with generate.
llvm::cl::SubCommand& tuneSubCommand();
llvm::cl::OptionCategory& tuneOptionCategory();
int runTuneCommand(const std::string& isa_override, std::int64_t unroll_budget);

}  // namespace convgen
