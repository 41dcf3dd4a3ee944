// The windows of a pooling layer, one axis at a time, by PyTorch 1.13's
// rules (docs/semantics.md section 13): shared by validation (the output
// size), the planner (the interior) and the emitter (border windows
// resolved at generation time).
#pragma once

#include <cstdint>
#include <optional>

#include "convgen/plan.h"
#include "convgen/pool_spec.h"

namespace convgen {

// PyTorch's pooling_output_shape for one axis:
//   floor_or_ceil((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1,
// and in ceil mode one less when the last window would start at or past
// in + pad (it must start inside the input or the left padding). nullopt
// when a step overflows int64. Preconditions: stride, kernel, dilation > 0.
std::optional<std::int64_t> poolOutputSize(std::int64_t in, std::int64_t kernel, std::int64_t pad,
                                           std::int64_t stride, std::int64_t dilation,
                                           bool ceil_mode);

// adaptive_avg_pool2d's window of output o of `out` over `in` (PyTorch
// 1.13's start_index/end_index, computed in float as PyTorch does).
std::int64_t adaptiveStart(std::int64_t o, std::int64_t out, std::int64_t in);
std::int64_t adaptiveEnd(std::int64_t o, std::int64_t out, std::int64_t in);

// One axis of one output's window: the input positions it reads are
// first, first + step, ..., `count` of them (padding already removed);
// `extent` is the window's length clipped to input + padding, the factor of
// avg_pool2d's divisor with count_include_pad.
struct AxisWindow {
  std::int64_t first = 0, count = 0, extent = 0;
  friend bool operator==(const AxisWindow& a, const AxisWindow& b) {
    return a.first == b.first && a.count == b.count && a.extent == b.extent;
  }
};
struct PoolAxis {
  std::int64_t in = 0, out = 0, kernel = 0, stride = 0, pad = 0, dilation = 1;
  bool adaptive = false;
};
PoolAxis poolAxis(const PoolSpec& pool, bool rows);
AxisWindow axisWindow(const PoolAxis& axis, std::int64_t o);
// The outputs whose window is `kernel` taps inside the input with no
// padding, at o*stride - pad: all of them for an adaptive axis whose input
// is a multiple of its output (then kernel = stride = in/out), none for
// other adaptive axes.
Interval poolInterior(const PoolAxis& axis);
// The interior window's taps and step (kernel, dilation; adaptive:
// in/out and 1).
std::int64_t interiorTaps(const PoolAxis& axis);
std::int64_t interiorStride(const PoolAxis& axis);

}  // namespace convgen
