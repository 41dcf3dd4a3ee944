// The pooling planner (pool_plan.h).
#include "convgen/pool_plan.h"

#include <algorithm>

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
  return p;
}

std::vector<PoolPlan> planPools(const ModelSpec& model, const PlanOptions& options) {
  std::vector<PoolPlan> plans;
  plans.reserve(model.pools.size());
  for (const PoolSpec& pool : model.pools) plans.push_back(planPool(pool, options));
  return plans;
}

}  // namespace convgen
