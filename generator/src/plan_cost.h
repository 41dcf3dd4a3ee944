// Internal to the planner: the cost model's predictions, comparable across
// strategies (a fraction of the core's FMA peak).
#pragma once

#include <string>
#include <vector>

#include "convgen/plan.h"
#include "convgen/tuning.h"

namespace convgen {

// The DirectVector plan in plan.detail.
double directVectorRate(const KernelPlan& plan);
// The same for a tile of plan's layer and ISA (plan_tile.cpp).
double forwardTileRate(const KernelPlan& plan, const ForwardTile& t);

// How much faster a split plan must be predicted (see planDirectVector).
inline constexpr double kSplitMargin = 1.02;

// A register tile of the DirectVector strategy and its cost-model score
// (useful FMAs per cycle; comparable between split and plain tiles).
struct ScoredTile {
  ForwardTile tile;
  double score = 0;
};
// Why `t` cannot be plan's forward tile (registers, accumulators, the unroll
// budget, the split's conditions), or "" when it can.
std::string forwardTileProblem(const KernelPlan& plan, const IsaInfo& isa, std::int64_t budget,
                               const ForwardTile& t);
// Every tile that fits (split or not), the cost model's pick first, then by
// score (larger tiles first on ties, then search order). Empty when the
// window alone exceeds the budget.
std::vector<ScoredTile> rankForwardTiles(const KernelPlan& plan, const IsaInfo& isa,
                                         std::int64_t budget, bool split);

// The ChannelVector tiles that fit (plan_channel_vector.cpp), the planner's
// pick first when it has one (predicted faster than forward's plan), then
// the rest by predicted rate (then fewer loads per FMA, then search order).
std::vector<PackedTile> rankPackedTiles(const KernelPlan& plan, std::int64_t budget);

// `compute_rate` (a fraction of peak) slowed by streaming the layer's input
// `passes` times: once per block of output channels a strategy computes
// together. An input beyond L2 comes from L3 or memory at a few bytes per
// cycle per core, where one pass per block can cost more than the FMAs.
double withInputTraffic(const KernelPlan& plan, double compute_rate, std::int64_t passes);

// Stride-2 de-interleaving (plan_deinterleave.cpp). Whether the layer and
// ISA can use it; the distinct input rows a block of `rows` output rows
// reads; whether the buffer for row tiles of `rows` (and of 1) is within its
// bound; the share of a row block's cycles left to the tiles once splitting
// its rows is paid (`tap_cycles`: one tile's cycles per tap and input
// channel); the plan for the given row tiles.
bool deinterleaveApplies(const LayerSpec& l, const IsaInfo& isa);
std::int64_t deinterleaveSlots(const LayerSpec& l, std::int64_t rows);
bool deinterleaveFits(const LayerSpec& l, std::int64_t rows);
double deinterleaveShare(const LayerSpec& l, const IsaInfo& isa, std::int64_t oc_blocks,
                         std::int64_t column_tiles, std::int64_t rows, double tap_cycles);
// The share of a row's vectors in interior tiles of vt vectors (the only
// ones that read split rows).
double splitTileShare(const KernelPlan& plan, const IsaInfo& isa, std::int64_t vt);
DirectVectorPlan::Deinterleave planDeinterleave(const LayerSpec& l,
                                                const std::vector<std::int64_t>& row_tiles);

}  // namespace convgen
