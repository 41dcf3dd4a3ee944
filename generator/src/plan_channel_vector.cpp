// Planning the ChannelVector strategy (forward_packed): vectors hold output
// channels, so a row narrower than a vector (14 columns on 16 lanes, 5 on
// 16) no longer leaves lanes idle. It pays where that waste is large and the
// reduction is deep enough to amortize writing each tile back to NCHW with
// per-lane stores; the planner packs weights for a layer only when the cost
// model predicts it faster than the layer's DirectVector plan.
#include <algorithm>

#include "convgen/internal_error.h"
#include "convgen/padding.h"
#include "convgen/tuning.h"
#include "plan_cost.h"

namespace convgen {
namespace {

// As in plan_direct_vector.cpp: border tiles with their own code. A layer
// needing more (padding many tiles wide) does not get this strategy.
constexpr std::int64_t kMaxBorderTiles = 16;
// How much faster the prediction must be: the model is coarse, and packing
// has a cost to the caller. (Measured on a Xeon with AVX-512: the 64x56x56
// 3x3 layer ran 1.095x faster packed, at a predicted 1.08x.)
constexpr double kMargin = 1.05;
// Input-channel blocking (CiBlocking in plan.h): the most bytes of packed
// weights one block of input channels may hold. Every x86 core seen has at
// least 32 KB of L1D (Zen 3 32 KB, the Xeon 48 KB): half of 32 KB leaves room
// for the block's input rows and the partial sums each tile reads and writes.
constexpr std::int64_t kCiBlockL1Bytes = 16 * 1024;
// The most stack the row of partial sums may take (as the de-interleaved
// rows of plan_deinterleave.cpp): a wider row is not blocked.
constexpr std::int64_t kMaxCiScratchBytes = 32 * 1024;

std::vector<ChannelBlock> blocksFor(std::int64_t og, std::int64_t vectors, std::int64_t lanes) {
  const std::int64_t width = vectors * lanes;
  std::vector<ChannelBlock> blocks;
  if (og / width > 0) blocks.push_back({vectors, width, og / width});
  if (const std::int64_t rest = og % width; rest > 0)
    blocks.push_back({(rest + lanes - 1) / lanes, rest, 1});
  return blocks;
}

// The tiles of one output row: `pixels` columns each from column 0; a tile
// all of whose pixels are interior columns runs in a loop.
bool tilesFor(const KernelPlan& plan, std::int64_t pixels, std::vector<PixelTile>& tiles) {
  const LayerSpec& l = plan.layer;
  const std::int64_t out_w = plan.shapes.out_width;
  const std::int64_t count = (out_w + pixels - 1) / pixels;
  const std::int64_t t_lo = (plan.cols.lo + pixels - 1) / pixels;
  const std::int64_t t_hi = std::max(t_lo, plan.cols.hi / pixels);
  if (count - (t_hi - t_lo) > kMaxBorderTiles) return false;
  for (std::int64_t t = 0; t < count; ++t) {
    if (t > t_lo && t < t_hi) continue;  // inside the interior run
    PixelTile tile;
    tile.index = t;
    tile.ow0 = t * pixels;
    tile.pixels = std::min(pixels, out_w - tile.ow0);
    if (t == t_lo && t_lo < t_hi) {
      tile.interior = true;
      tile.repeat = t_hi - t_lo;
    } else {
      tile.source.assign(l.kernel.w, std::vector<std::int64_t>(tile.pixels));
      for (std::int64_t q = 0; q < l.kernel.w; ++q)
        for (std::int64_t p = 0; p < tile.pixels; ++p)
          tile.source[q][p] = sourceIndex(
              l.padding_mode, (tile.ow0 + p) * l.stride.w - l.pad.left + q * l.dilation.w,
              l.in_width);
    }
    tiles.push_back(std::move(tile));
  }
  return true;
}

// Predicted fraction of the FMA peak for a tile of `pixels` x `vectors`.
double rate(const KernelPlan& plan, const IsaInfo& isa, std::int64_t pixels,
            std::int64_t vectors) {
  const LayerSpec& l = plan.layer;
  const std::int64_t og = l.out_channels / l.groups;
  // Per tap of a tile of p pixels x v vectors: v weight loads and p
  // broadcasts; an FMA per accumulator, 2 per cycle, each ready 4 cycles
  // later. A row's last tile may have fewer pixels, a group's last block
  // fewer vectors: each tile shape weighted by the outputs it computes.
  const std::int64_t out_w = plan.shapes.out_width;
  const std::int64_t tail = out_w % pixels;
  const std::pair<std::int64_t, std::int64_t> tiles[] = {{pixels, out_w - tail}, {tail, tail}};
  double fma_use = 0, weight = 0;
  std::int64_t lanes_computed = 0;
  for (const ChannelBlock& b : blocksFor(og, vectors, isa.lanes)) {
    lanes_computed += b.vectors * isa.lanes * b.count;
    for (const auto& [p, columns] : tiles) {
      if (columns == 0) continue;
      const std::int64_t acc = p * b.vectors;
      const double cycles =
          std::max({acc / 2.0, double(b.vectors + p) / isa.loads_per_cycle, 4.0});
      const double w = double(b.vectors * b.count * columns);
      fma_use += std::min(1.0, acc / cycles / 2.0) * w;
      weight += w;
    }
  }
  fma_use /= weight;
  const double oc_use = double(og) / double(lanes_computed);
  // Writing a tile back to NCHW: one vector and `lanes` scalar stores per
  // accumulator, against the reduction's FMAs (2 per cycle).
  const double reduction = double(l.in_channels / l.groups * l.kernel.h * l.kernel.w);
  const double store_use = (reduction / 2) / (reduction / 2 + isa.lanes);
  std::int64_t passes = 0;  // each block streams its group's input once
  for (const ChannelBlock& b : blocksFor(og, vectors, isa.lanes)) passes += b.count;
  return withInputTraffic(plan, fma_use * oc_use * store_use, passes);
}

}  // namespace

namespace {

std::int64_t maxVectors(const KernelPlan& plan, const IsaInfo& isa) {
  const std::int64_t og = plan.layer.out_channels / plan.layer.groups;
  return std::min<std::int64_t>(4, (og + isa.lanes - 1) / isa.lanes);
}
std::int64_t maxPixels(const KernelPlan& plan) {
  return std::min<std::int64_t>(plan.shapes.out_width, 28);
}

// Why a tile of p pixels x m vectors cannot be the layer's (registers, the
// unroll budget), or "".
std::string tileProblem(const KernelPlan& plan, const IsaInfo& isa, std::int64_t budget,
                        std::int64_t p, std::int64_t m) {
  const std::int64_t taps = plan.layer.kernel.h * plan.layer.kernel.w;
  if (m < 1 || m > maxVectors(plan, isa))
    return "vectors " + std::to_string(m) + " is not in [1, " +
           std::to_string(maxVectors(plan, isa)) + "]";
  if (p < 1 || p > maxPixels(plan))
    return "pixels " + std::to_string(p) + " is not in [1, " + std::to_string(maxPixels(plan)) +
           "]";
  // Accumulators, the tap's weight vectors and a broadcast at once, with
  // registers spare (GCC spills when they fill the register file, as
  // in plan_direct_vector.cpp); the window's FMAs within the unroll budget.
  if (p * m + m + 1 > isa.vector_registers - 3)
    return "the tile needs " + std::to_string(p * m + m + 1) + " vector registers, more than " +
           std::to_string(isa.vector_registers - 3) + " (3 kept spare)";
  if (taps * p * m > budget)
    return "the window's " + std::to_string(taps) + " taps x " + std::to_string(p * m) +
           " accumulators exceed the unroll budget " + std::to_string(budget);
  return "";
}

// The planner's pick among the tiles that fit: (0, 0) when none is
// predicted to beat forward's plan by kMargin.
std::pair<std::int64_t, std::int64_t> bestTile(const KernelPlan& plan, const IsaInfo& isa,
                                               std::int64_t budget, std::vector<double>* rates,
                                               std::vector<PackedTile>* fitting) {
  const double floor = kMargin * directVectorRate(plan);  // to beat forward's plan
  double best = floor;
  std::int64_t best_pixels = 0, best_vectors = 0;
  double best_loads = 0;
  for (std::int64_t m = 1; m <= maxVectors(plan, isa); ++m)
    for (std::int64_t p = 1; p <= maxPixels(plan); ++p) {
      if (!tileProblem(plan, isa, budget, p, m).empty()) continue;
      const double r = rate(plan, isa, p, m);
      if (fitting) {
        fitting->push_back({p, m});
        rates->push_back(r);
      }
      // Within 2%, the tile with the fewest loads per FMA ((m + p) / (m * p):
      // weight vectors and broadcasts): measured faster (the 256 -> 64 1x1
      // layer ran 882 us with 4 x 6, 1137 us with 2 x 13, on a Xeon).
      const double loads = double(m + p) / double(m * p);
      const bool better = best_pixels == 0 ? r > best + 1e-9
                                           : r > best * 1.02 ||
                                                 (r > best / 1.02 && r > floor &&
                                                  loads < best_loads - 1e-9);
      if (better) {
        best = std::max(best, r);
        best_pixels = p;
        best_vectors = m;
        best_loads = loads;
      }
    }
  return {best_pixels, best_vectors};
}

// Blocks of input channels whose packed weights fit kCiBlockL1Bytes, when
// the group's do not and blocking can pay: a row of one tile reads each
// slice once in any order, and the row's partial sums must fit the stack
// bound. As few blocks as the budget allows, as even as they can be.
std::optional<CiBlocking> ciBlockingFor(const KernelPlan& plan, const ChannelVectorPlan& c) {
  const LayerSpec& l = plan.layer;
  const std::int64_t cg = l.in_channels / l.groups;
  std::int64_t width = 0;  // of the widest block
  for (const ChannelBlock& b : c.blocks) width = std::max(width, b.vectors * c.lanes);
  const std::int64_t channel_bytes = l.kernel.h * l.kernel.w * width * 4;
  const std::int64_t most = std::max<std::int64_t>(1, kCiBlockL1Bytes / channel_bytes);
  if (cg <= most) return std::nullopt;  // the group's weights fit already
  const std::int64_t out_w = plan.shapes.out_width;
  if ((out_w + c.pixels - 1) / c.pixels < 2) return std::nullopt;  // one tile per row
  const std::int64_t scratch = out_w * width;
  if (scratch * 4 > kMaxCiScratchBytes) return std::nullopt;
  const std::int64_t count = (cg + most - 1) / most;
  return CiBlocking{(cg + count - 1) / count, scratch};
}

// plan.packed with a tile of p pixels x m vectors; false when a row would
// need more border tiles than kMaxBorderTiles.
bool fill(KernelPlan& plan, const IsaInfo& isa, std::int64_t p, std::int64_t m) {
  const LayerSpec& l = plan.layer;
  ChannelVectorPlan c;
  c.lanes = isa.lanes;
  c.vectors = m;
  c.pixels = p;
  c.blocks = blocksFor(l.out_channels / l.groups, c.vectors, c.lanes);
  if (!tilesFor(plan, c.pixels, c.tiles)) return false;
  const std::int64_t reduction = l.in_channels / l.groups * l.kernel.h * l.kernel.w;
  for (const ChannelBlock& b : c.blocks) c.packed_size += c.blockFloats(b, reduction) * b.count;
  c.packed_size *= l.groups;
  c.ci_blocking = ciBlockingFor(plan, c);
  plan.packed = std::move(c);
  return true;
}

}  // namespace

void planChannelVector(KernelPlan& plan, std::int64_t budget) {
  const IsaInfo& isa = isaInfo(plan.isa);
  CONVGEN_CHECK(isa.lanes > 1, "ChannelVector needs a vector ISA");
  const auto [p, m] = bestTile(plan, isa, budget, nullptr, nullptr);
  if (p != 0) fill(plan, isa, p, m);
}

bool planChannelVectorTile(KernelPlan& plan, std::int64_t budget,
                           const std::optional<PackedTile>& choice, std::string* problem) {
  const IsaInfo& isa = isaInfo(plan.isa);
  CONVGEN_CHECK(isa.lanes > 1, "ChannelVector needs a vector ISA");
  plan.packed.reset();
  if (!choice) return true;
  if (std::string why = tileProblem(plan, isa, budget, choice->pixels, choice->vectors);
      !why.empty()) {
    *problem = why;
    return false;
  }
  if (!fill(plan, isa, choice->pixels, choice->vectors)) {
    *problem = "pixels " + std::to_string(choice->pixels) + " leaves a row more than " +
               std::to_string(kMaxBorderTiles) + " border tiles";
    return false;
  }
  return true;
}

std::vector<PackedTile> rankPackedTiles(const KernelPlan& plan, std::int64_t budget) {
  const IsaInfo& isa = isaInfo(plan.isa);
  std::vector<PackedTile> fitting;
  std::vector<double> rates;
  const auto [best_p, best_m] = bestTile(plan, isa, budget, &rates, &fitting);
  std::vector<std::size_t> order(fitting.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // By predicted rate, then fewer loads per FMA, then search order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rates[a] != rates[b]) return rates[a] > rates[b];
    const PackedTile& x = fitting[a];
    const PackedTile& y = fitting[b];
    return (x.pixels + x.vectors) * y.pixels * y.vectors <
           (y.pixels + y.vectors) * x.pixels * x.vectors;
  });
  // Only tiles whose row fits the border-tile bound (as planChannelVector).
  auto rowFits = [&](std::int64_t pixels) {
    std::vector<PixelTile> tiles;
    return tilesFor(plan, pixels, tiles);
  };
  std::vector<PackedTile> ranked;
  const bool picked = best_p != 0 && rowFits(best_p);
  if (picked) ranked.push_back({best_p, best_m});
  for (std::size_t i : order) {
    const PackedTile& t = fitting[i];
    if (picked && t.pixels == best_p && t.vectors == best_m) continue;
    if (rowFits(t.pixels)) ranked.push_back(t);
  }
  return ranked;
}

}  // namespace convgen
