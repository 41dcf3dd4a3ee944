// The timing program of `convgen tune` (tune.h) and choosing from what it
// measured. The candidates are ordinary generated layers (the same emitter,
// the same code users get), so what is timed is what `generate --tuning`
// will write.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "convgen/conv_transpose.h"
#include "convgen/internal_error.h"
#include "convgen/templates.h"
#include "convgen/tune.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

namespace convgen {
namespace {

bool timesForward(const std::vector<PlanChoice>& candidates, std::size_t k) {
  for (std::size_t i = 0; i < k; ++i)
    if (candidates[i].forward == candidates[k].forward) return false;
  return true;
}

}  // namespace

std::string tileName(const ForwardTile& t) {
  return "oc" + std::to_string(t.oc_tile) + "xr" + std::to_string(t.row_tile) + "v" +
         std::to_string(t.vec_tile) + (t.split ? "d" : "");
}

std::string tileName(const PackedTile& t) {
  return "p" + std::to_string(t.pixels) + "v" + std::to_string(t.vectors);
}

std::vector<GeneratedFile> tuneProgram(const LayerSpec& layer,
                                       const std::vector<PlanChoice>& candidates,
                                       const PlanOptions& options, const std::string& stem) {
  CONVGEN_CHECK(!candidates.empty(), "a timing program needs candidates");
  // The shape alone: what the key holds. A conv_transpose2d layer is timed
  // as the conv it runs; no weights baked in, no epilogue (its stores are
  // the same for every tile), no gradients.
  LayerSpec shape = layer.source_op == Op::ConvTranspose2d ? convTransposeView(layer) : layer;
  shape.baked.reset();
  shape.epilogue = Epilogue();
  shape.backward = false;
  shape.backward_only = false;
  shape.source_op = Op::Conv2d;
  shape.flat_input = false;
  ModelSpec model;
  model.config_name = stem + ".yaml";
  model.cpp_namespace = "convgen_tune";
  std::vector<KernelPlan> plans;
  std::string table;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    LayerSpec l = shape;
    l.name = "c" + std::to_string(k);
    std::string problem;
    std::optional<KernelPlan> plan = planWithChoice(l, options, candidates[k], &problem);
    CONVGEN_CHECK(plan.has_value(), ("a tune candidate does not fit: " + problem).c_str());
    model.layers.push_back(l);
    plans.push_back(std::move(*plan));
    const std::string ns = "gen::" + l.name + "::";
    table += "    {\"" + l.name + "\", " + ns + "forward, " + ns + "pack_weights, " + ns +
             "forward_packed, " + ns + "packed_weight_size, " +
             (timesForward(candidates, k) ? "true" : "false") + ", " +
             (candidates[k].packed ? "true" : "false") + "},\n";
  }
  table.pop_back();
  GenerateOptions generate;
  generate.plan = options;
  generate.plan.tuning = nullptr;  // the plans are given
  generate.format = false;         // nobody reads it; formatting is slow
  std::vector<GeneratedFile> files = generateModel(model, std::move(plans), generate).files;
  const IsaInfo& isa = isaInfo(shape.isa);
  std::string check;
  for (std::string_view f : isa.cpu_features)
    check += (check.empty() ? "" : " && ") + std::string("__builtin_cpu_supports(\"") +
             std::string(f) + "\")";
  files.push_back({stem + "_main.cpp", renderTemplate("tune_main", {{"header", files[0].name},
                                                                    {"namespace", model.cpp_namespace},
                                                                    {"first", "c0"},
                                                                    {"candidates", table},
                                                                    {"cpu_check", check.empty() ? "true" : check},
                                                                    {"isa", std::string(isa.name)}})});
  return files;
}

std::optional<std::vector<CandidateTimes>> parseTuneOutput(const std::string& text,
                                                           const std::vector<PlanChoice>& candidates,
                                                           std::string* error) {
  std::vector<CandidateTimes> times(candidates.size());
  llvm::SmallVector<llvm::StringRef, 16> lines;
  llvm::StringRef(text).split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef line : lines) {
    llvm::SmallVector<llvm::StringRef, 4> f;
    line.split(f, ' ');
    unsigned k = 0;
    double us = 0;
    if (f.size() != 4 || f[0] != "CONVGEN_TUNE" || !f[1].consume_front("c") ||
        f[1].getAsInteger(10, k) || k >= candidates.size() || f[3].getAsDouble(us) || !(us >= 0) ||
        (f[2] != "forward" && f[2] != "packed")) {
      *error = "unexpected line in the timing program's output: '" + line.str() + "'";
      return std::nullopt;
    }
    (f[2] == "forward" ? times[k].forward_us : times[k].packed_us) = us;
  }
  for (std::size_t k = 0; k < candidates.size(); ++k)
    if ((timesForward(candidates, k) && times[k].forward_us < 0) ||
        (candidates[k].packed && times[k].packed_us < 0)) {
      *error = "the timing program printed no time for candidate c" + std::to_string(k);
      return std::nullopt;
    }
  return times;
}

TuningEntry chooseEntry(const std::vector<PlanChoice>& candidates,
                        const std::vector<CandidateTimes>& times) {
  TuningEntry e;
  double best_forward = -1, best_packed = -1;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const CandidateTimes& t = times[k];
    // Strictly faster: on a tie the earlier (better-ranked) candidate stays.
    if (t.forward_us >= 0) {
      e.measured_us["forward " + tileName(candidates[k].forward)] = t.forward_us;
      if (best_forward < 0 || t.forward_us < best_forward) {
        best_forward = t.forward_us;
        e.choice.forward = candidates[k].forward;
      }
    }
    if (t.packed_us >= 0) {
      e.measured_us["packed " + tileName(*candidates[k].packed)] = t.packed_us;
      if (best_packed < 0 || t.packed_us < best_packed) {
        best_packed = t.packed_us;
        e.choice.packed = candidates[k].packed;
      }
    }
  }
  // forward_packed's own code only where it beats forward's best.
  if (e.choice.packed && !(best_packed < best_forward)) e.choice.packed.reset();
  return e;
}

}  // namespace convgen
