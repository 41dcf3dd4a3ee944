// Planning row bands: the loop order across a layer's output-channel blocks.
//
// Every strategy computes a block of output channels (a register tile's
// worth) over all of its rows, then the next block: each block reads the
// whole input of its group once. When that input does not fit in L2 (S5's
// 64 x 56 x 56 input is 800 KB; Zen 3 has 512 KB of L2), every block
// streams it from L3 again. Cutting the rows into bands and computing every
// block of a band before the next band reads each input row from L3 once;
// the blocks of a band find the band's rows, and all the weights, in L2.
// Measured on a Zen 3 (AVX2, interleaved medians, docs/benchmarks.md):
// with the machine shared with two compile jobs, S5 forward 38.9 -> 16.8
// ms, S7 62.6 -> 13.8 ms, S11 19.3 -> 15.9 ms; on the quiet machine within
// its noise (0.96-1.19x): the hardware prefetcher hides one core's L3
// streams, not a contended L3. The same bits either way (each output is
// computed by the same tile code, in the same order; only the order of
// independent tiles changes).
#include <algorithm>

#include "convgen/internal_error.h"
#include "convgen/plan.h"

namespace convgen {

std::vector<std::int64_t> rowUnitBoundaries(const KernelPlan& plan) {
  const std::int64_t out_h = plan.shapes.out_height;
  std::int64_t rt = 1;
  if (const auto* v = std::get_if<DirectVectorPlan>(&plan.detail)) rt = v->row_tile;
  std::vector<std::int64_t> b{0};
  if (rt == 1) {
    for (std::int64_t r = 1; r <= out_h; ++r) b.push_back(r);
    return b;
  }
  // As forward_rows() walks them: single rows before the interior, blocks
  // of rt interior rows, single rows after.
  const std::int64_t lo = plan.rows.lo, end = lo + plan.rows.size() / rt * rt;
  for (std::int64_t r = 1; r <= lo; ++r) b.push_back(r);
  for (std::int64_t r = lo + rt; r <= end; r += rt) b.push_back(r);
  for (std::int64_t r = end + 1; r <= out_h; ++r) b.push_back(r);
  return b;
}

void planBands(KernelPlan& plan, std::int64_t cache_bytes) {
  plan.bands.clear();
  const LayerSpec& l = plan.layer;
  if (cache_bytes <= 0 || l.groups < 1) return;
  const std::int64_t elem = 4;  // vector plans are float32
  const std::int64_t cg = l.in_channels / l.groups;
  const std::int64_t row_bytes = l.in_channels * l.in_width * elem;  // one input row, all groups
  const std::int64_t weight_bytes = l.out_channels * cg * l.kernel.h * l.kernel.w * elem;
  // One group's blocks already find its input in L2 when input and weights
  // fit: the order does not matter then (depthwise and grouped layers).
  const std::int64_t group_bytes = (row_bytes / l.groups) * l.in_height + weight_bytes / l.groups;
  if (group_bytes <= cache_bytes) return;
  const std::int64_t reach = (l.kernel.h - 1) * l.dilation.h + 1;
  auto inputRows = [&](std::int64_t out_rows) {
    return std::min(l.in_height, (out_rows - 1) * l.stride.h + reach);
  };
  // A band's blocks read all the weights (each block its own), so the band's
  // input rows get the room the weights leave. Without room for one row
  // unit, weights would stream per band instead of the input per block.
  const std::int64_t room = cache_bytes - weight_bytes;
  const std::vector<std::int64_t> units = rowUnitBoundaries(plan);
  std::int64_t widest_unit = 0;
  for (std::size_t k = 1; k < units.size(); ++k)
    widest_unit = std::max(widest_unit, units[k] - units[k - 1]);
  if (inputRows(widest_unit) * row_bytes > room) return;
  // Bands of at least one row unit, growing a unit at a time while the
  // band's input rows fit the room.
  std::vector<std::int64_t> bands{0};
  std::size_t u = 0;
  while (u + 1 < units.size()) {
    std::size_t next = u + 1;
    while (next + 1 < units.size() &&
           inputRows(units[next + 1] - units[u]) * row_bytes <= room)
      ++next;
    bands.push_back(units[next]);
    u = next;
  }
  CONVGEN_CHECK(bands.back() == plan.shapes.out_height, "row bands must cover every row");
  if (bands.size() > 2) plan.bands = std::move(bands);
}

}  // namespace convgen
