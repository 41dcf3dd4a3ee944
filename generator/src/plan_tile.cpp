// The DirectVector strategy's cost model: the register tile (output
// channels x rows x vectors, with or without the stride-2 split) scored by
// predicted FMAs per cycle. Returns every tile that fits, ranked, so that
// the planner takes the first and `convgen tune` (tuning.h) measures the
// next ones; and says why a given tile does not fit, for tuning choices.
#include <algorithm>

#include "convgen/tuning.h"
#include "plan_cost.h"

namespace convgen {
namespace {

// Cycles per tap of a tile of oc channels x r rows x vt vectors: the FMAs
// (2 per cycle), the loads, and FMA latency. An input vector costs one load
// at stride 1; at stride 2 two loads and a two-source cross-lane permute
// (calibrated on the stride-2 ResNet stem: 16 or 8 channels per tile ran
// 1.3-1.5x faster than 4); larger strides a gather. When the input rows one
// tile reads across all its channels overflow L1 (32 KB), input vectors come
// from L2 across planes too far apart to prefetch, so each costs several
// loads' worth (calibrated on this suite: 1x1 256->64 at 56x56 ran 175
// GFLOP/s with 8 channels x 2 vectors and 95 with 4 x 4). An accumulator
// takes one FMA per tap, ready 4 cycles later, so 8 keep both pipes busy
// only if no load is ever late. With 16 registers (AVX2, where tiles are
// small) the floor is 5 cycles (10 accumulators): 10-accumulator tiles ran
// 1.03-1.4x faster there than the 8-accumulator ones a 4-cycle floor chose
// (S2, S5-S7, S11, S13, MobileNetV2's 1x1 layers; a Xeon, thread CPU time,
// interleaved medians). With 32 (AVX-512, NEON) tiles hold 12-16 anyway;
// their floor stays 4 (not measured otherwise).
// With `split` (stride 2, rows de-interleaved into a buffer within L1) an
// input vector is one plain load from L1.
double tileCycles(const LayerSpec& l, const IsaInfo& isa, std::int64_t oc, std::int64_t r,
                  std::int64_t vt, bool split) {
  const double load_cost = l.stride.w == 1 || split ? 1 : l.stride.w == 2 ? 6 : 16;
  const std::int64_t band_rows = (r - 1) * l.stride.h + (l.kernel.h - 1) * l.dilation.h + 1;
  const bool band_in_l1 =
      split || l.in_channels / l.groups * band_rows * l.in_width * 4 <= 32 * 1024;
  const double x_cost = load_cost * (band_in_l1 ? 1 : 4);
  const std::int64_t acc = oc * r * vt;
  const double latency_floor = isa.vector_registers <= 16 ? 5.0 : 4.0;
  return std::max({acc / 2.0, (r * vt * x_cost + oc) / isa.loads_per_cycle, latency_floor});
}

// Of a row block's predicted cycles, the least share left to its tiles
// once its rows are split.
constexpr double kMinSplitShare = 0.8;

std::int64_t maxRows(const KernelPlan& plan, bool split) {
  // Several output rows per tile share each weight broadcast; they are
  // taken from the interior rows only. Strided rows are not row-tiled: each
  // strided input vector costs a cross-lane shuffle, and measured row tiles
  // of the stride-2 ResNet stem ran at half the speed of channel tiles.
  // De-interleaved rows have no shuffle per vector: they are row-tiled.
  return plan.layer.stride.w > 1 && !split
             ? 1
             : std::max<std::int64_t>(1, std::min<std::int64_t>(plan.rows.size(), 8));
}

std::string str(std::int64_t v) { return std::to_string(v); }

}  // namespace


std::string forwardTileProblem(const KernelPlan& plan, const IsaInfo& isa, std::int64_t budget,
                               const ForwardTile& t) {
  const LayerSpec& l = plan.layer;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t vectors = (plan.shapes.out_width + isa.lanes - 1) / isa.lanes;
  const std::int64_t max_acc = isa.max_accumulators;
  const std::int64_t taps = l.kernel.h * l.kernel.w;
  if (t.oc_tile < 1 || t.oc_tile > std::min(og, max_acc))
    return "oc_tile " + str(t.oc_tile) + " is not in [1, " + str(std::min(og, max_acc)) +
           "] (the layer's " + str(og) + " output channels per group, " + str(max_acc) +
           " accumulators on " + std::string(isa.name) + ")";
  if (t.vec_tile < 1 || t.vec_tile > std::min(vectors, max_acc))
    return "vec_tile " + str(t.vec_tile) + " is not in [1, " + str(std::min(vectors, max_acc)) +
           "] (the output row's " + str(vectors) + " vectors)";
  if (t.split && !deinterleaveApplies(l, isa))
    return "split applies to column stride 2 on ISAs without a de-interleaving load, not to "
           "this layer on " + std::string(isa.name);
  if (t.split && plan.cols.size() == 0) return "split needs interior columns; this layer has none";
  const std::int64_t rows = maxRows(plan, t.split);
  if (t.row_tile < 1 || t.row_tile > rows)
    return "row_tile " + str(t.row_tile) + " is not in [1, " + str(rows) + "]" +
           (l.stride.w > 1 && !t.split ? " (column-strided rows are not row-tiled unless split)"
                                       : " (the layer's interior rows, at most 8)");
  const std::int64_t acc = t.oc_tile * t.row_tile * t.vec_tile;
  if (acc > max_acc)
    return "the tile's " + str(acc) + " accumulators exceed " + std::string(isa.name) + "'s " +
           str(max_acc);
  // Accumulators, the tile's input vectors and a broadcast weight live
  // at once; GCC spills when they fill the register file (measured:
  // 24 + 6 + 1 zmm spilled), so keep a few registers spare.
  if (acc + t.row_tile * t.vec_tile + 1 > isa.vector_registers - 3)
    return "the tile needs " + str(acc + t.row_tile * t.vec_tile + 1) + " vector registers, more than " +
           str(isa.vector_registers - 3) + " of " + std::string(isa.name) + "'s " +
           str(isa.vector_registers) + " (3 kept spare)";
  if (taps * acc > budget)
    return "the window's " + str(taps) + " taps x " + str(acc) + " accumulators exceed the unroll budget " +
           str(budget);
  if (t.split && !deinterleaveFits(l, t.row_tile))
    return "the split rows of a " + str(t.row_tile) + "-row tile exceed the 32 KB buffer";
  return "";
}

std::vector<ScoredTile> rankForwardTiles(const KernelPlan& plan, const IsaInfo& isa,
                                         std::int64_t budget, bool split) {
  const LayerSpec& l = plan.layer;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t vectors = (plan.shapes.out_width + isa.lanes - 1) / isa.lanes;
  const std::int64_t max_acc = isa.max_accumulators;
  std::vector<ScoredTile> all;
  double best = -1;
  std::size_t best_at = 0;
  std::int64_t current = 1;  // the best tile's accumulators
  for (std::int64_t oc = 1; oc <= std::min(og, max_acc); ++oc) {
    for (std::int64_t r = 1; r <= maxRows(plan, split); ++r) {
      for (std::int64_t vt = 1; vt <= std::min(vectors, max_acc); ++vt) {
        const ForwardTile t{oc, r, vt, split};
        if (!forwardTileProblem(plan, isa, budget, t).empty()) continue;
        const std::int64_t acc = oc * r * vt;
        double cycles = tileCycles(l, isa, oc, r, vt, split);
        if (split) {
          // Only interior tiles read split rows; border tiles load as before.
          const double inside = splitTileShare(plan, isa, vt);
          cycles = inside * cycles + (1 - inside) * tileCycles(l, isa, oc, r, vt, false);
        }
        const std::int64_t blocks = (og + oc - 1) / oc;
        const double oc_use = double(og) / double(blocks * oc);
        const std::int64_t tiles = (vectors + vt - 1) / vt;
        const double v_use = double(vectors) / double(tiles * vt);
        // Rows outside full row blocks run single-row tiles.
        const double r_use =
            r == 1 ? 1.0 : double(plan.rows.size() / r * r) / double(plan.shapes.out_height);
        const double split_share =
            split ? deinterleaveShare(l, isa, blocks, tiles, r, cycles) : 1.0;
        // The split's cost is the model's least certain term: only where it
        // is small (a depthwise layer splits as much as it computes, and
        // measured no faster for it).
        if (split_share < kMinSplitShare) continue;
        const double score =
            acc / cycles * oc_use * (0.9 + 0.1 * v_use) * (0.8 + 0.2 * r_use) * split_share;
        // Ties go to the larger tile: fewer reloads of inputs and weights.
        if (score > best + 1e-9 || (score > best - 1e-9 && acc > current)) {
          best = score;
          best_at = all.size();
          current = acc;
        }
        all.push_back({t, score});
      }
    }
  }
  if (all.empty()) return all;
  // The pick first; then by score, larger tiles first on ties, then in the
  // order searched (oc, rows, vectors): deterministic.
  std::rotate(all.begin(), all.begin() + best_at, all.begin() + best_at + 1);
  auto acc = [](const ScoredTile& s) { return s.tile.oc_tile * s.tile.row_tile * s.tile.vec_tile; };
  std::stable_sort(all.begin() + 1, all.end(), [&](const ScoredTile& a, const ScoredTile& b) {
    if (a.score != b.score) return a.score > b.score;  // exact: a strict weak order
    return acc(a) > acc(b);
  });
  return all;
}

namespace {

// The predicted fraction of peak of tile `v` (its rows split when `split`).
double rateOf(const KernelPlan& plan, const DirectVectorPlan& v, bool split) {
  const IsaInfo& isa = isaInfo(plan.isa);
  const LayerSpec& l = plan.layer;
  // The cost model's own terms (tileCycles) for the chosen tile, as a
  // fraction of the FMA peak, with the lanes a row narrower than its vectors
  // leaves idle and partial channel blocks.
  const std::int64_t acc = v.oc_tile * v.row_tile * v.vec_tile;
  double cycles = tileCycles(l, isa, v.oc_tile, v.row_tile, v.vec_tile, split);
  if (split) {
    const double inside = splitTileShare(plan, isa, v.vec_tile);
    cycles = inside * cycles +
             (1 - inside) * tileCycles(l, isa, v.oc_tile, v.row_tile, v.vec_tile, false);
  }
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t vectors = (plan.shapes.out_width + v.lanes - 1) / v.lanes;
  const double lane_use = double(plan.shapes.out_width) / double(vectors * v.lanes);
  const double oc_use = double(og) / double((og + v.oc_tile - 1) / v.oc_tile * v.oc_tile);
  const double split_share =
      split ? deinterleaveShare(l, isa, (og + v.oc_tile - 1) / v.oc_tile,
                                (vectors + v.vec_tile - 1) / v.vec_tile, v.row_tile, cycles)
            : 1.0;
  const double rate = std::min(1.0, acc / cycles / 2.0) * lane_use * oc_use * split_share;
  return withInputTraffic(plan, rate, (og + v.oc_tile - 1) / v.oc_tile);
}

}  // namespace

double forwardTileRate(const KernelPlan& plan, const ForwardTile& t) {
  DirectVectorPlan v;
  v.lanes = isaInfo(plan.isa).lanes;
  v.oc_tile = t.oc_tile;
  v.row_tile = t.row_tile;
  v.vec_tile = t.vec_tile;
  return rateOf(plan, v, t.split);
}

double directVectorRate(const KernelPlan& plan) {
  const auto& v = std::get<DirectVectorPlan>(plan.detail);
  return rateOf(plan, v, v.deinterleave.has_value());
}

double withInputTraffic(const KernelPlan& plan, double compute_rate, std::int64_t passes) {
  const LayerSpec& l = plan.layer;
  // What one core keeps close (Zen 4 has 1 MB of L2, Sapphire Rapids 2 MB),
  // and what it streams from beyond: measured here on the 256 x 56 x 56
  // pointwise layer, whose 3.2 MB input its 8 channel blocks re-read ran at
  // 23-40% of peak while its FMAs alone allow 87%.
  constexpr double kCloseBytes = 1 << 20, kFarBytesPerCycle = 8;
  const double input_bytes = double(l.batch * l.in_channels * l.in_height * l.in_width) * 4;
  if (input_bytes <= kCloseBytes || compute_rate <= 0) return compute_rate;
  const double lanes = isaInfo(plan.isa).lanes;
  const double compute_cycles = double(plan.shapes.macs) / (lanes * 2 * compute_rate);
  const double memory_cycles = double(passes) * input_bytes / kFarBytesPerCycle;
  return compute_rate * compute_cycles / std::max(compute_cycles, memory_cycles);
}

}  // namespace convgen
