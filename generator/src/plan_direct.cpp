// Planning the portable Direct strategy: a register tile of output channels
// x output columns, and how much of the window its code unrolls.
#include <algorithm>

#include "convgen/plan.h"

namespace convgen {

void planDirect(KernelPlan& plan, std::int64_t budget) {
  const LayerSpec& layer = plan.layer;
  DirectPlan d;
  // Register tile: up to 4 output channels x 4 output columns (16 scalar
  // accumulators, what x86-64 and AArch64 keep in registers), never wider
  // than the group or the interior.
  const std::int64_t out_per_group = layer.out_channels / layer.groups;
  d.oc_tile = std::min<std::int64_t>(4, out_per_group);
  d.ow_tile = std::clamp<std::int64_t>(plan.cols.size(), 1, 4);

  // Unroll as much of the window as the budget allows: shrink the tile
  // before giving up unrolled taps, then fall back to a row, then to loops.
  const std::int64_t taps = layer.kernel.h * layer.kernel.w;
  auto cost = [&](std::int64_t taps_unrolled) { return taps_unrolled * d.oc_tile * d.ow_tile; };
  while (cost(taps) > budget && (d.ow_tile > 1 || d.oc_tile > 1)) {
    if (d.ow_tile >= d.oc_tile && d.ow_tile > 1)
      --d.ow_tile;
    else
      --d.oc_tile;
  }
  if (cost(taps) <= budget) {
    d.window = WindowUnroll::Full;
    plan.unrolled_statements = cost(taps);
  } else if (cost(layer.kernel.w) <= budget) {
    d.window = WindowUnroll::Row;
    plan.unrolled_statements = cost(layer.kernel.w);
  } else {
    d.window = WindowUnroll::None;
    plan.unrolled_statements = 0;
  }
  d.oc_blocks = {d.oc_tile};
  if (out_per_group % d.oc_tile) d.oc_blocks.push_back(out_per_group % d.oc_tile);
  d.ow_blocks = {d.ow_tile};
  if (plan.cols.size() % d.ow_tile) d.ow_blocks.push_back(plan.cols.size() % d.ow_tile);
  plan.detail = std::move(d);
}

}  // namespace convgen
