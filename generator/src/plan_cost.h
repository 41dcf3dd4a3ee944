// Internal to the planner: the cost model's predictions, comparable across
// strategies (a fraction of the core's FMA peak).
#pragma once

#include "convgen/plan.h"

namespace convgen {

// The DirectVector plan in plan.detail.
double directVectorRate(const KernelPlan& plan);

}  // namespace convgen
