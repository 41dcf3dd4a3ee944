// Planning the backward kernels (plan_backward.h): stride phases and their
// taps, the bounds-check-free runs of each phase, and the tile widths.
#include "plan_backward.h"

#include <algorithm>

#include "convgen/internal_error.h"

namespace convgen::detail {
namespace {

std::int64_t ceilDivPos(std::int64_t a, std::int64_t b) {
  CONVGEN_CHECK(b > 0, "ceilDivPos by a non-positive number");
  return a <= 0 ? -((-a) / b) : (a + b - 1) / b;
}

// One axis: input size `in`, output size `out`, padding before/after,
// kernel, stride, dilation; `keep_padding` for modes whose padding copies
// input values (their gradients fold back), false for zeros.
BackwardAxis axis(std::int64_t in, std::int64_t out, std::int64_t pad_lo, std::int64_t pad_hi,
                  std::int64_t kernel, std::int64_t stride, std::int64_t dilation,
                  bool keep_padding) {
  BackwardAxis a;
  a.padded = in + pad_lo + pad_hi;
  // A phase p < stride; taps are grouped by (k * dilation) mod stride.
  std::vector<std::int64_t> phases;
  for (std::int64_t k = 0; k < kernel; ++k) {
    const std::int64_t p = (k * dilation) % stride;
    if (std::find(phases.begin(), phases.end(), p) == phases.end()) phases.push_back(p);
  }
  std::sort(phases.begin(), phases.end());
  for (std::int64_t p : phases) {
    TapPhase t;
    t.phase = p;
    for (std::int64_t k = 0; k < kernel; ++k) {
      if ((k * dilation) % stride != p) continue;
      t.taps.push_back(k);
      t.shifts.push_back((k * dilation - p) / stride);  // exact: k*d = p (mod s)
    }
    // Padded position phase + stride*u < padded.
    t.u_end = a.padded > p ? ceilDivPos(a.padded - p, stride) : 0;
    if (keep_padding) {
      t.u_lo = 0;
      t.u_hi = t.u_end;
    } else {  // pad_lo <= phase + stride*u < pad_lo + in
      t.u_lo = std::clamp<std::int64_t>(ceilDivPos(pad_lo - p, stride), 0, t.u_end);
      t.u_hi = std::clamp<std::int64_t>(ceilDivPos(pad_lo + in - p, stride), t.u_lo, t.u_end);
    }
    // Inside the input, and for every tap 0 <= u - shift < out.
    const std::int64_t max_shift = *std::max_element(t.shifts.begin(), t.shifts.end());
    const std::int64_t min_shift = *std::min_element(t.shifts.begin(), t.shifts.end());
    const std::int64_t in_lo = std::max(ceilDivPos(pad_lo - p, stride), max_shift);
    const std::int64_t in_hi = std::min(ceilDivPos(pad_lo + in - p, stride), out + min_shift);
    t.in_lo = std::clamp<std::int64_t>(in_lo, t.u_lo, t.u_hi);
    t.in_hi = std::clamp<std::int64_t>(in_hi, t.in_lo, t.u_hi);
    t.j_lo = std::clamp<std::int64_t>(ceilDivPos(pad_lo - p, stride), t.u_lo, t.u_hi);
    t.j_hi = std::clamp<std::int64_t>(ceilDivPos(pad_lo + in - p, stride), t.j_lo, t.u_hi);
    CONVGEN_CHECK(t.j_lo <= t.in_lo && t.in_hi <= t.j_hi, "interior outside the input");
    a.phases.push_back(std::move(t));
  }
  CONVGEN_CHECK(!a.phases.empty(), "a kernel axis with no tap");
  return a;
}

}  // namespace

BackwardPlan planBackward(const KernelPlan& plan) {
  const LayerSpec& l = plan.layer;
  const LayerShapes& s = plan.shapes;
  const bool keep = l.padding_mode != PaddingMode::Zeros;
  BackwardPlan b;
  b.rows = axis(l.in_height, s.out_height, l.pad.top, l.pad.bottom, l.kernel.h, l.stride.h,
                l.dilation.h, keep);
  b.cols = axis(l.in_width, s.out_width, l.pad.left, l.pad.right, l.kernel.w, l.stride.w,
                l.dilation.w, keep);
  // Tiles as wide as two vectors of the layer's ISA (its float32 lanes),
  // so the compiler's vectorizer maps each tile onto whole registers; four
  // columns on portable code.
  const std::int64_t lanes = isaInfo(plan.isa).lanes;
  const std::int64_t width = lanes > 1 ? 2 * lanes : 4;
  b.input_tile = width;
  b.weight_lanes = width;
  b.bias_lanes = lanes > 1 ? 2 * lanes : 8;
  // Column taps per grad_output load: all of them for small kernels (a
  // register block of taps x lanes partial sums), else blocks of 4.
  b.weight_taps = std::min<std::int64_t>(l.kernel.w, l.kernel.w <= 5 ? l.kernel.w : 4);
  if (lanes > 1 && l.dtype == DType::Float32) {
    b.lanes = lanes;
    // Rows narrower than 4 vectors get 1-vector tiles (a 2-vector tile
    // would mostly hold masked lanes) over twice the input channels, so
    // the tile keeps 8 independent accumulators; up to 4 (or 8) input
    // channels share each grad_output load (depthwise: 1).
    b.input_vectors = l.in_width >= 4 * lanes ? 2 : 1;
    b.input_channels = std::min<std::int64_t>(b.input_vectors == 2 ? 4 : 8, l.in_channels / l.groups);
    b.input_tile = b.input_vectors * lanes;
    b.weight_vectors = 2;
    b.weight_lanes = b.weight_vectors * lanes;
    b.weight_vector = l.stride.w <= 2;
    // Most output channels per tile whose partial sums, grad_output vectors
    // and one input vector fit the registers (and the accumulator budget).
    const IsaInfo& info = isaInfo(plan.isa);
    const std::int64_t kb = std::min<std::int64_t>(l.kernel.w, l.kernel.w <= 5 ? l.kernel.w : 4);
    for (std::int64_t ob : {4, 2, 1}) {
      const std::int64_t acc = ob * kb * b.weight_vectors;
      if (ob <= l.out_channels / l.groups && acc <= info.max_accumulators &&
          acc + ob * b.weight_vectors + 1 <= info.vector_registers) {
        b.weight_channels = ob;
        break;
      }
    }
    if (isaInfo(plan.isa).caps.masked_load) {
      const std::int64_t L = b.input_tile;
      for (const TapPhase& t : b.cols.phases) {
        std::vector<EdgeTile> e;
        // The interior tiles cover [in_lo, done): all of the run when it
        // holds a full tile (its last one moved back), else nothing.
        const std::int64_t done = t.in_hi - t.in_lo >= L ? t.in_hi : t.in_lo;
        std::int64_t left_end = t.j_lo, right_begin = t.j_hi;
        if (t.in_lo > t.j_lo) {
          e.push_back({t.j_lo, t.j_lo, std::min(t.in_lo, t.j_lo + L), true});
          left_end = e.back().store_hi;
        }
        if (t.j_hi > done) {
          e.push_back({t.j_hi - L, std::max(done, t.j_hi - L), t.j_hi, false});
          right_begin = e.back().store_lo;
        }
        std::vector<Interval> runs;
        for (Interval r : {Interval{t.u_lo, t.j_lo}, Interval{left_end, t.in_lo},
                           Interval{done, right_begin}, Interval{t.j_hi, t.u_hi}})
          if (r.hi > r.lo) runs.push_back(r);
        b.edges.push_back(std::move(e));
        b.pixel_runs.push_back(std::move(runs));
        b.interior_end.push_back(done);
      }
    }
  }
  b.weight_cols = interiorRange(l.in_width, s.out_width, l.pad.left, l.kernel.w, l.stride.w,
                                l.dilation.w);
  b.weight_vec_hi = b.weight_cols.hi;
  if (b.weight_vector && l.stride.w == 2) {
    // The tile ending at column e reads up to 2e - 1 + (kw-1)*dw - pad_left.
    const std::int64_t limit = l.in_width + l.pad.left - (l.kernel.w - 1) * l.dilation.w;
    const std::int64_t e = limit >= 0 ? limit / 2 : -((-limit + 1) / 2);
    b.weight_vec_hi = std::clamp<std::int64_t>(e, b.weight_cols.lo, b.weight_cols.hi);
  }
  return b;
}

}  // namespace convgen::detail
