// Internal to the planner: the cost model's predictions, comparable across
// strategies (a fraction of the core's FMA peak).
#pragma once

#include "convgen/plan.h"

namespace convgen {

// The DirectVector plan in plan.detail.
double directVectorRate(const KernelPlan& plan);

// `compute_rate` (a fraction of peak) slowed by streaming the layer's input
// `passes` times: once per block of output channels a strategy computes
// together. An input beyond L2 comes from L3 or memory at a few bytes per
// cycle per core, where one pass per block can cost more than the FMAs.
double withInputTraffic(const KernelPlan& plan, double compute_rate, std::int64_t passes);

}  // namespace convgen
