// The pooling planner (pool_plan.h).
#include "convgen/pool_plan.h"

#include <algorithm>

#include "convgen/isa.h"
#include "convgen/spec.h"

namespace convgen {
namespace {

PoolAxisPlan planAxis(const PoolSpec& pool, bool rows) {
  PoolAxisPlan a;
  a.axis = poolAxis(pool, rows);
  a.interior = poolInterior(a.axis);
  // adaptive_avg_pool2d's windows are uniform only when the input is a
  // multiple of the output and PyTorch's float start/end are exact
  // (o * in < 2^24, so every quotient is within 1/out of its true value).
  if (a.axis.adaptive && a.interior.size() > 0 && a.axis.out * a.axis.in >= (1 << 24))
    a.interior = {0, 0};
  a.taps = interiorTaps(a.axis);
  a.tap_step = a.axis.adaptive ? 1 : a.axis.dilation;
  a.stride = interiorStride(a.axis);
  const std::int64_t border = a.axis.out - a.interior.size();
  a.table = border <= kMaxPoolTable;
  if (a.table) {
    for (std::int64_t o = 0; o < a.interior.lo; ++o) a.front.push_back(axisWindow(a.axis, o));
    if (a.interior.size() == 0) return a;  // front holds every output
    for (std::int64_t o = a.interior.hi; o < a.axis.out; ++o)
      a.back.push_back(axisWindow(a.axis, o));
  }
  return a;
}

// Vectors of output columns: each tap of a vector is one load (stride 1) or
// one de-interleaving load of 2*lanes values (stride 2) from the row, and
// every value a load reads must lie inside its input row.
void planVectors(PoolPlan& p) {
  const std::int64_t lanes = isaInfo(p.pool.isa).lanes;
  const PoolAxisPlan& c = p.cols;
  const std::int64_t s = c.stride;
  if (lanes <= 1 || p.pool.dtype != DType::Float32 || !p.unrolled || (s != 1 && s != 2) ||
      p.rows.interior.size() == 0 || c.interior.size() < lanes)
    return;
  // A vector at ow reads columns ow*s - pad + (taps-1)*step + [0, s*lanes).
  const std::int64_t reach = (c.taps - 1) * c.tap_step + s * lanes;
  const std::int64_t room = c.axis.in + c.axis.pad - reach - c.interior.lo * s;
  if (room < 0) return;
  const std::int64_t n = std::min(c.interior.size() / lanes, room / (lanes * s) + 1);
  if (n <= 0) return;
  p.lanes = lanes;
  p.isa = p.pool.isa;
  p.vector_cols = {c.interior.lo, c.interior.lo + n * lanes};
}

}  // namespace

PoolPlan planPool(const PoolSpec& pool, const PlanOptions& options) {
  PoolPlan p;
  p.pool = pool;
  p.rows = planAxis(pool, true);
  p.cols = planAxis(pool, false);
  // With no interior the whole axis is border: front covers [0, out).
  for (PoolAxisPlan* a : {&p.rows, &p.cols})
    if (a->interior.size() == 0) {
      a->interior = {a->axis.out, a->axis.out};
      if (a->table) {
        a->front.clear();
        for (std::int64_t o = 0; o < a->axis.out; ++o) a->front.push_back(axisWindow(a->axis, o));
        a->back.clear();
      }
    }
  const std::int64_t budget = std::clamp<std::int64_t>(options.unroll_budget, 1, kMaxUnrollBudget);
  p.unrolled = p.rows.taps * p.cols.taps <= budget;
  p.border_pixels = pool.out_height * pool.out_width - p.rows.interior.size() * p.cols.interior.size();
  planVectors(p);
  return p;
}

std::vector<PoolPlan> planPools(const ModelSpec& model, const PlanOptions& options) {
  std::vector<PoolPlan> plans;
  plans.reserve(model.pools.size());
  for (const PoolSpec& pool : model.pools) plans.push_back(planPool(pool, options));
  return plans;
}

}  // namespace convgen
