// The planner's frame: the interior/border split every strategy shares, the
// dispatch between strategies, and what is computed from a finished plan
// (its name, its local arrays).
#include "convgen/plan.h"

#include <algorithm>

#include "convgen/conv_transpose.h"
#include "convgen/internal_error.h"
#include "convgen/tuning.h"

namespace convgen {

bool ColumnTile::readsTapColumn(std::int64_t q) const {
  if (interior) return true;
  for (const VectorLoad& load : loads[q])
    if (load.kind != VectorLoad::Zero) return true;
  return false;
}

Strategy KernelPlan::strategy() const {
  return std::holds_alternative<DirectVectorPlan>(detail) ? Strategy::DirectVector
                                                          : Strategy::Direct;
}

std::string KernelPlan::strategyName() const { return convgen::strategyName(strategy(), isa); }

KernelName KernelPlan::name() const {
  KernelName n;
  n.layer = layer.name;
  n.isa = isa;
  n.strategy = strategy();
  if (const auto* v = std::get_if<DirectVectorPlan>(&detail)) {
    n.lanes = v->lanes;
    n.oc_tile = v->oc_tile;
    n.row_tile = v->row_tile;
    n.vec_tile = v->vec_tile;
    n.deinterleaved = v->deinterleave.has_value();
    n.window = WindowUnroll::Full;
  } else {
    const DirectPlan& d = std::get<DirectPlan>(detail);
    n.oc_tile = d.oc_tile;
    n.ow_tile = d.ow_tile;
    n.window = d.window;
  }
  return n;
}

KernelName KernelPlan::packedName() const {
  if (!packed) return name();
  KernelName n;
  n.layer = layer.name;
  n.isa = isa;
  n.strategy = Strategy::ChannelVector;
  n.lanes = packed->lanes;
  n.oc_tile = packed->vectors * packed->lanes;
  n.pixel_tile = packed->pixels;
  n.window = WindowUnroll::Full;
  return n;
}

std::int64_t KernelPlan::packedWeightSize() const {
  if (packed) return packed->packed_size;
  return shapes.params;
}

std::int64_t KernelPlan::localArrayBytes() const {
  // forward_packed's tile: acc[pixels][vectors] vectors + one vector's lanes,
  // and with input-channel blocks the row of partial sums (in the function
  // that calls the tiles).
  const std::int64_t packed_bytes =
      packed ? packed->pixels * packed->vectors * packed->lanes * 4 + packed->lanes * 4 +
                   (packed->ci_blocking ? packed->ci_blocking->scratch_floats * 4 : 0)
             : 0;
  return std::max(packed_bytes, forwardArrayBytes());
}

std::int64_t KernelPlan::forwardArrayBytes() const {
  if (const auto* v = std::get_if<DirectVectorPlan>(&detail))
    // acc[oc][rows * vectors] vectors of 4-byte floats + roff[rows * kh],
    // and the de-interleaved rows (in the function that calls the tiles).
    return v->oc_tile * v->row_tile * v->vec_tile * v->lanes * 4 +
           v->row_tile * layer.kernel.h * 8 + (v->deinterleave ? v->deinterleave->floats * 4 : 0);
  const DirectPlan& d = std::get<DirectPlan>(detail);
  const std::int64_t acc_bytes =
      layer.dtype == DType::Float32 || layer.dtype == DType::Int32 ? 4 : 8;
  return d.oc_tile * d.ow_tile * acc_bytes;
}

namespace {

// The plan of `layer`, with `forced` instead of the cost model's decisions
// when given; otherwise with options.tuning's entry for the layer's key if
// it has one. nullopt (and *problem) only for a choice that does not fit.
std::optional<KernelPlan> planLayerImpl(const LayerSpec& layer, const PlanOptions& options,
                                        const PlanChoice* forced, std::string* problem) {
  if (layer.source_op == Op::ConvTranspose2d) {
    // Lowered to the conv whose input gradient it is (conv_transpose.h).
    std::optional<KernelPlan> lowered =
        planLayerImpl(convTransposeView(layer), options, forced, problem);
    if (!lowered) return std::nullopt;
    auto view = std::make_shared<const KernelPlan>(std::move(*lowered));
    KernelPlan plan = *view;
    plan.layer = layer;
    plan.shapes = inferShapes(layer);
    plan.packed.reset();
    plan.view = std::move(view);
    return plan;
  }
  if (!forced && options.tuning) {
    const auto entry = options.tuning->layers.find(tuningKey(layer, options));
    if (entry != options.tuning->layers.end()) forced = &entry->second.choice;
  }
  KernelPlan plan;
  plan.layer = layer;
  plan.shapes = inferShapes(layer);
  const LayerShapes& s = plan.shapes;
  plan.rows = interiorRange(layer.in_height, s.out_height, layer.pad.top, layer.kernel.h,
                            layer.stride.h, layer.dilation.h);
  plan.cols = interiorRange(layer.in_width, s.out_width, layer.pad.left, layer.kernel.w,
                            layer.stride.w, layer.dilation.w);
  plan.border_pixels = s.out_height * s.out_width - plan.rows.size() * plan.cols.size();
  const std::int64_t budget = std::clamp<std::int64_t>(options.unroll_budget, 1, kMaxUnrollBudget);
  // Vector code exists for float32; other dtypes of a SIMD config, and
  // windows too large for the budget, get the portable strategy.
  if (hasPlanChoice(layer)) {
    plan.isa = layer.isa;
    bool vector = true;
    if (forced) {
      if (!planDirectVector(plan, budget, &forced->forward, problem) ||
          !planChannelVectorTile(plan, budget, forced->packed, problem))
        return std::nullopt;
    } else if (planDirectVector(plan, budget)) {
      planChannelVector(plan, budget);
    } else {
      vector = false;
    }
    if (vector) {
      planBands(plan, options.band_cache_bytes);
      return plan;
    }
  } else if (forced) {
    *problem = "the layer has no plan choice: only float32 layers of a vector ISA have one";
    return std::nullopt;
  }
  plan.isa = Isa::Scalar;
  planDirect(plan, budget);
  return plan;
}

}  // namespace

bool hasPlanChoice(const LayerSpec& layer) {
  return isaInfo(layer.isa).lanes > 1 && layer.dtype == DType::Float32;
}

std::optional<KernelPlan> planWithChoice(const LayerSpec& layer, const PlanOptions& options,
                                         const PlanChoice& choice, std::string* problem) {
  return planLayerImpl(layer, options, &choice, problem);
}

KernelPlan planLayer(const LayerSpec& layer, const PlanOptions& options) {
  std::string problem;
  std::optional<KernelPlan> plan = planLayerImpl(layer, options, nullptr, &problem);
  // checkTuning (the caller's precondition) reports a choice that does not fit.
  CONVGEN_CHECK(plan.has_value(), ("a tuning choice does not fit layer " + layer.name +
                                   " (checkTuning was not called?): " + problem)
                                      .c_str());
  return std::move(*plan);
}

std::vector<KernelPlan> planModel(const ModelSpec& model, const PlanOptions& options) {
  std::vector<KernelPlan> plans;
  plans.reserve(model.layers.size());
  for (const LayerSpec& layer : model.layers) plans.push_back(planLayer(layer, options));
  return plans;
}

}  // namespace convgen
