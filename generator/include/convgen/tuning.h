// Tuning: measured plan choices that override the cost model (issue 10).
//
// `convgen tune CONFIG --out TUNING.json` times the candidate plans the cost
// model ranks closest on this machine and records the winners, keyed by
// layer shape and ISA (tuningKey); `convgen generate --tuning TUNING.json`
// plans every layer whose key is in the file with the recorded choice
// instead of the model's. Without a file, nothing changes.
//
// What a choice may override (everything else stays the planner's):
//   forward():        the DirectVector register tile and the stride-2 split
//   forward_packed(): the ChannelVector tile, or none (forward's code)
// Only float32 layers of a vector ISA have a choice (hasPlanChoice).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "convgen/plan.h"
#include "llvm/Support/SMLoc.h"

namespace llvm {
class SourceMgr;
}

namespace convgen {

class Diagnostics;

struct ForwardTile {
  std::int64_t oc_tile = 1, row_tile = 1, vec_tile = 1;
  bool split = false;  // stride-2 rows de-interleaved (DirectVectorPlan::deinterleave)
  friend bool operator==(const ForwardTile& a, const ForwardTile& b) {
    return a.oc_tile == b.oc_tile && a.row_tile == b.row_tile && a.vec_tile == b.vec_tile &&
           a.split == b.split;
  }
};

struct PackedTile {
  std::int64_t pixels = 1, vectors = 1;
  friend bool operator==(const PackedTile& a, const PackedTile& b) {
    return a.pixels == b.pixels && a.vectors == b.vectors;
  }
};

struct PlanChoice {
  ForwardTile forward;
  std::optional<PackedTile> packed;  // none: forward_packed runs forward's code
  friend bool operator==(const PlanChoice& a, const PlanChoice& b) {
    return a.forward == b.forward && a.packed == b.packed;
  }
};

struct TuningEntry {
  PlanChoice choice;
  // Informational, written by `tune` and kept on reading: the medians of
  // every candidate measured ("forward oc8xr1v2", "packed p6v2", ...).
  std::map<std::string, double> measured_us;
  llvm::SMLoc loc;  // the entry's key in the file (for errors about it)
};

struct Tuning {
  std::string file_name;        // the file's name without directories
  std::uint64_t fingerprint = 0;  // xxHash64 of its bytes
  std::string machine;          // informational
  std::map<std::string, TuningEntry> layers;  // by tuningKey
};

inline constexpr int kTuningVersion = 1;

// Whether the planner has a choice for the layer (float32 on a vector ISA;
// a conv_transpose2d layer is asked through its lowered conv's key).
bool hasPlanChoice(const LayerSpec& layer);

// The layer's key: everything its plan depends on except its name, e.g.
//   avx2 float32 n1 c64x56x56 o64 k3x3 s1x1 p1,1,1,1 d1x1 g1 zeros bias
// (ISA, dtype, batch, input channels x height x width, output channels,
// kernel, stride, padding top,bottom,left,right, dilation, groups, padding
// mode, bias or nobias), then " u<budget>" when the unroll budget is not
// the default. README.md ("Tuning") documents the grammar.
std::string tuningKey(const LayerSpec& layer, const PlanOptions& options);

// The choice `plan` made (the inverse of applying one).
PlanChoice planChoiceOf(const KernelPlan& plan);

// The plan of `layer` with `choice` instead of the model's decisions. On a
// choice that does not fit the layer (too many registers, over the unroll
// budget, a split where it does not apply, ...) returns nullopt and sets
// *problem to why.
std::optional<KernelPlan> planWithChoice(const LayerSpec& layer, const PlanOptions& options,
                                         const PlanChoice& choice, std::string* problem);

// Candidates for `tune`: the model's plan first, then the next-ranked
// distinct choices, up to n. Candidate k pairs the k-th forward tile (the
// model's, then the plain and split rankings in turn where splitting
// applies) with the k-th packed decision (the model's, a tile or none, then
// the ranked tiles; none once they run out); the forward tile repeats the
// last one once forward tiles run out. Empty when the layer has no choice.
std::vector<PlanChoice> tuneCandidates(const LayerSpec& layer, const PlanOptions& options, int n);

// Reads a tuning file into `sm` (so errors print with its lines) and checks
// it; every problem is an error at its place (`FILE:line:col: error: ...`).
// nullopt when it has errors, or cannot be read (then *read_error is set and
// nothing is reported).
std::optional<Tuning> readTuning(const std::string& path, Diagnostics& diags,
                                 std::string* read_error);

// Every entry of `tuning` that a layer of `model` uses must fit that layer:
// an error at the entry for each that does not. False when any was reported.
bool checkTuning(const ModelSpec& model, const PlanOptions& options, Diagnostics& diags);

// The JSON text of `tuning` (file_name and fingerprint are not part of it):
// sorted keys, fixed layout, a final newline; the same Tuning gives the same
// bytes.
std::string writeTuningJson(const Tuning& tuning);

// The line generated files' banner gets for `tuning`.
std::string tuningBannerLine(const Tuning& tuning);

}  // namespace convgen
