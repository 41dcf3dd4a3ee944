#include "convgen/plan.h"

#include <algorithm>
#include <cassert>

namespace convgen {

std::string_view toString(WindowUnroll u) {
  switch (u) {
    case WindowUnroll::Full:
      return "full";
    case WindowUnroll::Row:
      return "row";
    case WindowUnroll::None:
      return "none";
  }
  return "?";
}

namespace {
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  assert(b > 0);
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
std::int64_t ceilDiv(std::int64_t a, std::int64_t b) { return -floorDiv(-a, b); }
}  // namespace

Interval interiorRange(std::int64_t in, std::int64_t out, std::int64_t pad_lo, std::int64_t kernel,
                       std::int64_t stride, std::int64_t dilation) {
  // First tap inside: o*stride - pad_lo >= 0.
  const std::int64_t lo = std::clamp<std::int64_t>(ceilDiv(pad_lo, stride), 0, out);
  // Last tap inside: o*stride - pad_lo + (kernel-1)*dilation <= in-1.
  const std::int64_t last = in - 1 + pad_lo - (kernel - 1) * dilation;
  const std::int64_t hi =
      last < 0 ? 0 : std::clamp<std::int64_t>(floorDiv(last, stride) + 1, 0, out);
  return hi > lo ? Interval{lo, hi} : Interval{lo, lo};
}

std::int64_t KernelPlan::localArrayBytes() const {
  if (vec_lanes > 0)  // acc[oc][rows * vectors] vectors of 4-byte floats + roff[rows * kh]
    return oc_tile * row_tile * vec_tile * vec_lanes * 4 + row_tile * layer.kernel.h * 8;
  const std::int64_t acc_bytes =
      layer.dtype == DType::Float32 || layer.dtype == DType::Int32 ? 4 : 8;
  return oc_tile * ow_tile * acc_bytes;
}

std::string KernelPlan::kernelName() const {
  const std::string tile = vec_tile > 0
                               ? "r" + std::to_string(row_tile) + "v" + std::to_string(vec_tile)
                               : "ow" + std::to_string(ow_tile);
  return layer.name + "__" + std::string(toString(layer.isa)) + "_" + strategy + "_oc" +
         std::to_string(oc_tile) + "x" + tile + "_" + std::string(toString(window));
}

namespace {

// A register tile of oc x v accumulators, v input vectors and one broadcast
// weight must fit the register file (16 ymm for AVX2, 32 zmm for AVX-512).
// Picks the tile with the most useful FMAs per cycle, from FMA (2/cycle) and
// load (3/cycle for ymm, 2 for zmm) pressure; stride 2 costs two loads per
// input vector, larger strides a gather.
struct VectorTarget {
  std::int64_t lanes, registers, max_accumulators;
  double loads_per_cycle;
};

bool planDirectSimd(KernelPlan& plan, const VectorTarget& target, std::int64_t budget) {
  const LayerSpec& l = plan.layer;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t vectors = (plan.shapes.out_width + target.lanes - 1) / target.lanes;
  const std::int64_t max_acc = target.max_accumulators;
  // Relative cost of one input vector: stride 1 is a load; stride 2 two
  // loads and a two-source cross-lane permute (calibrated on the stride-2
  // ResNet stem: 16 or 8 channels per tile ran 1.3-1.5x faster than 4);
  // larger strides a gather.
  const double load_cost = l.stride.w == 1 ? 1 : l.stride.w == 2 ? 6 : 16;
  const std::int64_t taps = l.kernel.h * l.kernel.w;
  double best = -1;
  // Several output rows per tile share each weight broadcast; they are
  // taken from the interior rows only. Strided rows are not row-tiled: each
  // strided input vector costs a cross-lane shuffle, and measured row tiles
  // of the stride-2 ResNet stem ran at half the speed of channel tiles.
  const std::int64_t max_rows =
      l.stride.w > 1 ? 1 : std::max<std::int64_t>(1, std::min<std::int64_t>(plan.rows.size(), 8));
  const std::int64_t cin_group = l.in_channels / l.groups;
  for (std::int64_t oc = 1; oc <= std::min(og, max_acc); ++oc) {
    for (std::int64_t r = 1; r <= max_rows; ++r) {
      // The input rows one tile reads across all its channels: when they
      // overflow L1 (32 KB), input vectors come from L2 across planes too far
      // apart to prefetch, so each costs several loads' worth. Calibrated on
      // this suite (measured: 1x1 256->64 at 56x56 ran 175 GFLOP/s with 8
      // channels x 2 vectors and 95 with 4 x 4).
      const std::int64_t band_rows = (r - 1) * l.stride.h + (l.kernel.h - 1) * l.dilation.h + 1;
      const bool band_in_l1 = cin_group * band_rows * l.in_width * 4 <= 32 * 1024;
      const double x_cost = load_cost * (band_in_l1 ? 1 : 4);
      for (std::int64_t v = 1; v <= std::min(vectors, max_acc); ++v) {
        const std::int64_t acc = oc * r * v;
        // Accumulators, the tile's input vectors and a broadcast weight live
        // at once; GCC spills when they fill the register file (measured:
        // 24 + 6 + 1 zmm spilled), so keep a few registers spare.
        if (acc > max_acc || acc + r * v + 1 > target.registers - 3 || taps * acc > budget)
          continue;
        // An accumulator takes one FMA per tap, and an FMA's result is
        // ready 4 cycles later: fewer than 8 accumulators leave pipes idle.
        const double cycles =
            std::max({acc / 2.0, (r * v * x_cost + oc) / target.loads_per_cycle, 4.0});
        const std::int64_t blocks = (og + oc - 1) / oc;
        const double oc_use = double(og) / double(blocks * oc);
        const std::int64_t tiles = (vectors + v - 1) / v;
        const double v_use = double(vectors) / double(tiles * v);
        // Rows outside full row blocks run single-row tiles.
        const double r_use =
            r == 1 ? 1.0 : double(plan.rows.size() / r * r) / double(plan.shapes.out_height);
        const double score = acc / cycles * oc_use * (0.9 + 0.1 * v_use) * (0.8 + 0.2 * r_use);
        // Ties go to the larger tile: fewer reloads of inputs and weights.
        const std::int64_t current = plan.oc_tile * plan.row_tile * plan.vec_tile;
        if (score > best + 1e-9 || (score > best - 1e-9 && acc > current)) {
          best = score;
          plan.oc_tile = oc;
          plan.row_tile = r;
          plan.vec_tile = v;
        }
      }
    }
  }
  if (best < 0) return false;  // the window alone exceeds the budget
  plan.vec_lanes = target.lanes;
  plan.ow_tile = target.lanes * plan.vec_tile;
  plan.window = WindowUnroll::Full;
  plan.unrolled_statements = taps * plan.oc_tile * plan.row_tile * plan.vec_tile;
  return true;
}

}  // namespace

KernelPlan planLayer(const LayerSpec& layer, const PlanOptions& options) {
  KernelPlan plan;
  plan.layer = layer;
  plan.shapes = inferShapes(layer);
  plan.strategy = "direct";
  const LayerShapes& s = plan.shapes;
  plan.rows = interiorRange(layer.in_height, s.out_height, layer.pad.top, layer.kernel.h,
                            layer.stride.h, layer.dilation.h);
  plan.cols = interiorRange(layer.in_width, s.out_width, layer.pad.left, layer.kernel.w,
                            layer.stride.w, layer.dilation.w);
  plan.border_pixels = s.out_height * s.out_width - plan.rows.size() * plan.cols.size();
  if (layer.isa != Isa::Scalar && layer.dtype == DType::Float32) {
    // NEON: 32 q registers, 2 loads per cycle on big cores (Neoverse N1/V1).
    const VectorTarget target = layer.isa == Isa::Avx2     ? VectorTarget{8, 16, 12, 3.0}
                                : layer.isa == Isa::Avx512 ? VectorTarget{16, 32, 16, 2.0}
                                                           : VectorTarget{4, 32, 16, 2.0};
    plan.strategy = "direct_w" + std::to_string(target.lanes);
    if (planDirectSimd(plan, target, std::max<std::int64_t>(options.unroll_budget, 1))) return plan;
    plan.strategy = "direct";  // a window too large for the budget: portable code
    plan.vec_tile = plan.vec_lanes = 0;
    plan.row_tile = 1;
  }

  // Register tile: up to 4 output channels x 4 output columns (16 scalar
  // accumulators, what x86-64 and AArch64 keep in registers), never wider
  // than the group or the interior.
  const std::int64_t out_per_group = layer.out_channels / layer.groups;
  plan.oc_tile = std::min<std::int64_t>(4, out_per_group);
  plan.ow_tile = std::clamp<std::int64_t>(plan.cols.size(), 1, 4);

  // Unroll as much of the window as the budget allows: shrink the tile
  // before giving up unrolled taps, then fall back to a row, then to loops.
  const std::int64_t budget = std::max<std::int64_t>(options.unroll_budget, 1);
  const std::int64_t taps = layer.kernel.h * layer.kernel.w;
  auto cost = [&](std::int64_t taps_unrolled) {
    return taps_unrolled * plan.oc_tile * plan.ow_tile;
  };
  while (cost(taps) > budget && (plan.ow_tile > 1 || plan.oc_tile > 1)) {
    if (plan.ow_tile >= plan.oc_tile && plan.ow_tile > 1)
      --plan.ow_tile;
    else
      --plan.oc_tile;
  }
  if (cost(taps) <= budget) {
    plan.window = WindowUnroll::Full;
    plan.unrolled_statements = cost(taps);
  } else if (cost(layer.kernel.w) <= budget) {
    plan.window = WindowUnroll::Row;
    plan.unrolled_statements = cost(layer.kernel.w);
  } else {
    plan.window = WindowUnroll::None;
    plan.unrolled_statements = 0;
  }
  return plan;
}

}  // namespace convgen
