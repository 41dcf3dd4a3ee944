// The planner's frame: the interior/border split every strategy shares, the
// dispatch between strategies, and what is computed from a finished plan
// (its name, its local arrays).
#include "convgen/plan.h"

#include <algorithm>

#include "convgen/conv_transpose.h"
#include "convgen/internal_error.h"

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
  // forward_packed's tile: acc[pixels][vectors] vectors + one vector's lanes.
  const std::int64_t packed_bytes =
      packed ? packed->pixels * packed->vectors * packed->lanes * 4 + packed->lanes * 4 : 0;
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

KernelPlan planLayer(const LayerSpec& layer, const PlanOptions& options) {
  if (layer.source_op == Op::ConvTranspose2d) {
    // Lowered to the conv whose input gradient it is (conv_transpose.h).
    auto view = std::make_shared<const KernelPlan>(planLayer(convTransposeView(layer), options));
    KernelPlan plan = *view;
    plan.layer = layer;
    plan.shapes = inferShapes(layer);
    plan.packed.reset();
    plan.view = std::move(view);
    return plan;
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
  if (isaInfo(layer.isa).lanes > 1 && layer.dtype == DType::Float32) {
    plan.isa = layer.isa;
    if (planDirectVector(plan, budget)) {
      planChannelVector(plan, budget);
      planBands(plan, options.band_cache_bytes);
      return plan;
    }
  }
  plan.isa = Isa::Scalar;
  planDirect(plan, budget);
  return plan;
}

std::vector<KernelPlan> planModel(const ModelSpec& model, const PlanOptions& options) {
  std::vector<KernelPlan> plans;
  plans.reserve(model.layers.size());
  for (const LayerSpec& layer : model.layers) plans.push_back(planLayer(layer, options));
  return plans;
}

}  // namespace convgen
