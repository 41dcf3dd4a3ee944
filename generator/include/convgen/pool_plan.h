// Planning a pooling layer's code (plan_pool.cpp): the interior (outputs
// whose window is `kernel` taps inside the input, reached by constant
// offsets without any check) and the border windows, resolved here at
// generation time into constant tables, or computed by the layer's own
// formula where a table would exceed kMaxPoolTable entries (so code stays
// bounded whatever the layer). float32 pools on a SIMD ISA compute interior
// columns in vectors along the width (stride 1 or 2); the rest is scalar.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/plan.h"
#include "convgen/pool_spec.h"
#include "convgen/pool_windows.h"

namespace convgen {

inline constexpr std::int64_t kMaxPoolTable = 256;

struct PoolAxisPlan {
  PoolAxis axis;
  Interval interior;
  std::int64_t taps = 0;       // of an interior window
  std::int64_t tap_step = 1;   // between its taps (the dilation)
  std::int64_t stride = 0;     // between interior windows
  bool table = false;          // border windows as constants (front and back)
  std::vector<AxisWindow> front, back;  // windows of [0, interior.lo), [interior.hi, out)
};

struct PoolPlan {
  PoolSpec pool;
  Isa isa = Isa::Scalar;  // the code's instructions
  PoolAxisPlan rows, cols;
  // The interior window is straight-line code (taps_h * taps_w within the
  // unroll budget); else loops with constant bounds.
  bool unrolled = true;
  std::int64_t border_pixels = 0;  // per plane
  // Vectors along the output width (float32 on a SIMD ISA, an unrolled
  // window, column stride 1 or 2): interior columns [vector_cols.lo,
  // vector_cols.hi) of interior rows, `lanes` at a time, with loads that
  // stay inside the row; the rest is scalar. lanes == 0: all scalar.
  std::int64_t lanes = 0;
  Interval vector_cols;
  std::string windowName() const { return unrolled ? "full" : "none"; }
};

PoolPlan planPool(const PoolSpec& pool, const PlanOptions& options);
std::vector<PoolPlan> planPools(const ModelSpec& model, const PlanOptions& options);

}  // namespace convgen
