// Plan choices (tuning.h): a layer's key, the choice a plan made, the
// candidates `convgen tune` measures, and the check that a tuning file's
// choices fit the layers that use them.
#include <algorithm>
#include <set>

#include "convgen/conv_transpose.h"
#include "convgen/diagnostics.h"
#include "convgen/fingerprint.h"
#include "convgen/tuning.h"
#include "llvm/Support/Format.h"
#include "plan_cost.h"

namespace convgen {
namespace {

// conv_transpose2d runs its lowered conv's forward (conv_transpose.h): that
// conv's shape is what its plan depends on.
LayerSpec lowered(const LayerSpec& layer) {
  return layer.source_op == Op::ConvTranspose2d ? convTransposeView(layer) : layer;
}

}  // namespace

std::string tuningKey(const LayerSpec& layer, const PlanOptions& options) {
  const LayerSpec l = lowered(layer);
  auto n = [](std::int64_t v) { return std::to_string(v); };
  std::string key = std::string(toString(l.isa)) + " " + std::string(toString(l.dtype)) + " n" +
                    n(l.batch) + " c" + n(l.in_channels) + "x" + n(l.in_height) + "x" +
                    n(l.in_width) + " o" + n(l.out_channels) + " k" + n(l.kernel.h) + "x" +
                    n(l.kernel.w) + " s" + n(l.stride.h) + "x" + n(l.stride.w) + " p" +
                    n(l.pad.top) + "," + n(l.pad.bottom) + "," + n(l.pad.left) + "," +
                    n(l.pad.right) + " d" + n(l.dilation.h) + "x" + n(l.dilation.w) + " g" +
                    n(l.groups) + " " + std::string(toString(l.padding_mode)) +
                    (l.bias ? " bias" : " nobias");
  // The budget bounds which tiles fit; the default's keys stay short.
  if (options.unroll_budget != PlanOptions().unroll_budget) key += " u" + n(options.unroll_budget);
  return key;
}

PlanChoice planChoiceOf(const KernelPlan& plan) {
  PlanChoice c;
  const KernelPlan& conv = plan.view ? *plan.view : plan;
  if (const auto* v = std::get_if<DirectVectorPlan>(&conv.detail))
    c.forward = {v->oc_tile, v->row_tile, v->vec_tile, v->deinterleave.has_value()};
  if (plan.packed) c.packed = PackedTile{plan.packed->pixels, plan.packed->vectors};
  return c;
}

std::vector<PlanChoice> tuneCandidates(const LayerSpec& layer, const PlanOptions& options, int n) {
  PlanOptions model_options = options;
  model_options.tuning = nullptr;  // the cost model's own ranking
  if (!hasPlanChoice(lowered(layer)) || n < 1) return {};
  const KernelPlan base = planLayer(layer, model_options);
  const KernelPlan& conv = base.view ? *base.view : base;
  if (!std::holds_alternative<DirectVectorPlan>(conv.detail)) return {};  // over the budget
  const PlanChoice model = planChoiceOf(base);
  const IsaInfo& isa = isaInfo(conv.isa);
  const std::int64_t budget =
      std::clamp<std::int64_t>(options.unroll_budget, 1, kMaxUnrollBudget);
  auto fits = [&](const PlanChoice& c) {
    std::string problem;
    return planWithChoice(layer, model_options, c, &problem).has_value();
  };
  // Forward tiles: the model's, then the plain and the split ranking taken
  // in turn (so that both are measured where splitting applies), each tile
  // once, only those that fit.
  const std::vector<ScoredTile> plain = rankForwardTiles(conv, isa, budget, false);
  std::vector<ScoredTile> split_tiles;
  if (deinterleaveApplies(conv.layer, isa) && conv.cols.size() > 0)
    split_tiles = rankForwardTiles(conv, isa, budget, true);
  const std::vector<ScoredTile>* rankings[] = {&plain, &split_tiles};
  std::vector<ForwardTile> forward = {model.forward};
  for (std::size_t i = 0; i < std::max(plain.size(), split_tiles.size()); ++i)
    for (const std::vector<ScoredTile>* list : rankings) {
      if (i >= list->size() || static_cast<int>(forward.size()) >= n) continue;
      const ForwardTile& t = (*list)[i].tile;
      if (std::find(forward.begin(), forward.end(), t) == forward.end() && fits({t, std::nullopt}))
        forward.push_back(t);
    }
  // Packed tiles: the model's decision (a tile, or none), then the ranked
  // tiles; a conv_transpose2d layer has no forward_packed strategy.
  std::vector<std::optional<PackedTile>> packed = {model.packed};
  if (!base.view)
    for (const PackedTile& t : rankPackedTiles(conv, budget)) {
      if (static_cast<int>(packed.size()) >= n) break;
      if (model.packed && t == *model.packed) continue;
      packed.push_back(t);
    }
  const std::size_t count =
      std::min<std::size_t>(static_cast<std::size_t>(n), std::max(forward.size(), packed.size()));
  std::vector<PlanChoice> out;
  for (std::size_t k = 0; k < count; ++k)
    out.push_back({forward[std::min(k, forward.size() - 1)],
                   k < packed.size() ? packed[k] : std::nullopt});
  return out;
}

bool checkTuning(const ModelSpec& model, const PlanOptions& options, Diagnostics& diags) {
  if (!options.tuning) return true;
  bool ok = true;
  std::set<std::string> checked;
  for (const LayerSpec& layer : model.layers) {
    const std::string key = tuningKey(layer, options);
    const auto entry = options.tuning->layers.find(key);
    if (entry == options.tuning->layers.end() || !checked.insert(key).second) continue;
    std::string problem;
    if (!planWithChoice(layer, options, entry->second.choice, &problem)) {
      diags.error(entry->second.loc,
                  "tuning entry '" + key + "' does not fit layer '" + layer.name + "': " + problem);
      ok = false;
    }
  }
  return ok;
}

std::string tuningBannerLine(const Tuning& tuning) {
  std::string hex;
  llvm::raw_string_ostream os(hex);
  os << llvm::format_hex_no_prefix(tuning.fingerprint, 16);
  return "// Plans tuned by " + tuning.file_name + " (content " + os.str() +
         "): `convgen generate --tuning`.";
}

}  // namespace convgen
