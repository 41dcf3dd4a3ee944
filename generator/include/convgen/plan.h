// Kernel planning: the deterministic choices made for one layer before any
// code is emitted: which output region needs no padding logic, the register
// tile, and how much of the kernel window is unrolled within the code-size
// budget. A plan is a pure function of (LayerSpec, PlanOptions).
#pragma once

#include <cstdint>
#include <string>

#include "convgen/shapes.h"
#include "convgen/spec.h"

namespace convgen {

struct PlanOptions {
  // Most multiply-accumulate statements one straight-line (unrolled) function
  // may hold. Measured on Zen 3: straight-line code beyond ~32 KB runs
  // 1.5-1.9x slower than a loop; a scalar statement is ~8-12 bytes of x86.
  std::int64_t unroll_budget = 2048;
};

// How much of the kh x kw window one unrolled function covers.
enum class WindowUnroll {
  Full,  // all kh*kw taps straight-line
  Row,   // one kernel row (kw taps) straight-line; a loop over kh
  None,  // loops over both (windows too large for the budget)
};
std::string_view toString(WindowUnroll u);

// [lo, hi): the output rows (or columns) whose whole window lies inside the
// input, so they need neither padding nor bounds checks. Empty when lo == hi.
struct Interval {
  std::int64_t lo = 0, hi = 0;
  std::int64_t size() const { return hi - lo; }
};

// The output positions [lo, hi) along one axis whose taps all read inside the
// input: out*stride - pad_lo + tap*dilation in [0, in) for every tap.
Interval interiorRange(std::int64_t in, std::int64_t out, std::int64_t pad_lo, std::int64_t kernel,
                       std::int64_t stride, std::int64_t dilation);

struct KernelPlan {
  LayerSpec layer;
  LayerShapes shapes;
  // "direct": portable scalar code. "direct_w8" (AVX2) / "direct_w16"
  // (AVX-512): each vector register holds 8/16 consecutive output columns of
  // one channel (NCHW's contiguous axis).
  std::string strategy;
  Interval rows, cols;        // the interior region
  std::int64_t oc_tile = 1;   // output channels per register tile
  std::int64_t ow_tile = 1;   // output columns per register tile (scalar strategy)
  std::int64_t vec_lanes = 0;  // floats per vector register (8 avx2, 16 avx512); 0: scalar code
  std::int64_t vec_tile = 0;   // vectors per register tile (direct_w<lanes>), else 0
  std::int64_t row_tile = 1;   // output rows per register tile (interior rows; direct_w*)
  WindowUnroll window = WindowUnroll::Full;
  std::int64_t border_pixels = 0;        // output pixels per plane outside the interior
  std::int64_t unrolled_statements = 0;  // in the largest straight-line function

  // Bytes of the local arrays the largest kernel function declares (its
  // accumulators and row offsets): what its stack frame holds beyond spills.
  std::int64_t localArrayBytes() const;

  // The kernel's name, its spec: <layer>__<isa>_<strategy>_oc<N>x<tile>_<window>
  // where <tile> is ow<M> (M output columns) or r<R>v<M> (R rows of M vectors).
  std::string kernelName() const;
};

KernelPlan planLayer(const LayerSpec& layer, const PlanOptions& options);

}  // namespace convgen
