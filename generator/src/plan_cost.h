// Internal to the planner: the cost model's predictions, comparable across
// strategies (a fraction of the core's FMA peak).
#pragma once

#include "convgen/plan.h"

namespace convgen {

// The DirectVector plan in plan.detail.
double directVectorRate(const KernelPlan& plan);

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
