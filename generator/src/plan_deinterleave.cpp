// Planning stride-2 de-interleaving for the DirectVector strategy. Without
// it, every interior input vector of a column-stride-2 layer is two loads
// and a cross-lane permute (evenColumns), once per (tap, vector, input
// channel) and again for every block of output channels: on AVX-512 the
// permute runs on one of the two FMA ports. With it, the input rows a row
// block reads are split once into their even and odd columns (on the stack,
// bounded), and tap q of output column ow reads column ow + floor(e / 2) of
// the half of e's parity (e = q * dilation - pad_left): a plain load. The
// planner takes it only where the cost model predicts it faster, and only on
// ISAs without a de-interleaving load of their own (NEON's vld2q).
#include <algorithm>

#include "plan_cost.h"

namespace convgen {
namespace {

// The split rows live in one stack array: at most what an L1 data cache
// holds (32 KB on the cores seen), so the tiles read them from L1 and no
// layer's stack grows with its size.
constexpr std::int64_t kMaxDeinterleaveBytes = 32 * 1024;

// Cycles to split one input row: per 2 * lanes floats, two loads, two
// permutes and two stores (stores and permutes one per cycle each).
double splitCycles(const LayerSpec& l, const IsaInfo& isa) {
  const std::int64_t chunks = (l.in_width + 2 * isa.lanes - 1) / (2 * isa.lanes);
  return 2.5 * double(chunks);
}

}  // namespace

bool deinterleaveApplies(const LayerSpec& l, const IsaInfo& isa) {
  return l.stride.w == 2 && !isa.caps.deinterleave_load;
}

std::int64_t deinterleaveSlots(const LayerSpec& l, std::int64_t rows) {
  std::vector<std::int64_t> seen;
  for (std::int64_t rr = 0; rr < rows; ++rr)
    for (std::int64_t kr = 0; kr < l.kernel.h; ++kr) {
      const std::int64_t row = rr * l.stride.h + kr * l.dilation.h;
      if (std::find(seen.begin(), seen.end(), row) == seen.end()) seen.push_back(row);
    }
  return static_cast<std::int64_t>(seen.size());
}

bool deinterleaveFits(const LayerSpec& l, std::int64_t rows) {
  const std::int64_t cg = l.in_channels / l.groups;
  const std::int64_t most = std::max(deinterleaveSlots(l, rows), deinterleaveSlots(l, 1));
  return cg * most * 2 * ((l.in_width + 1) / 2) * 4 <= kMaxDeinterleaveBytes;
}

double deinterleaveShare(const LayerSpec& l, const IsaInfo& isa, std::int64_t oc_blocks,
                         std::int64_t column_tiles, std::int64_t rows, double tap_cycles) {
  const std::int64_t cg = l.in_channels / l.groups;
  const double compute = double(oc_blocks * column_tiles * cg * l.kernel.h * l.kernel.w) * tap_cycles;
  const double split = double(cg * deinterleaveSlots(l, rows)) * splitCycles(l, isa);
  return compute / (compute + split);
}

// The share of a row's vectors in interior tiles of vt vectors (tiles start
// at column 0; a tile is interior when its columns are).
double splitTileShare(const KernelPlan& plan, const IsaInfo& isa, std::int64_t vt) {
  const std::int64_t step = vt * isa.lanes;
  const std::int64_t vectors = (plan.shapes.out_width + isa.lanes - 1) / isa.lanes;
  const std::int64_t t_lo = (plan.cols.lo + step - 1) / step;
  const std::int64_t t_hi = std::max(t_lo, plan.cols.hi / step);
  return double((t_hi - t_lo) * vt) / double(vectors);
}

DirectVectorPlan::Deinterleave planDeinterleave(const LayerSpec& l,
                                                const std::vector<std::int64_t>& row_tiles) {
  DirectVectorPlan::Deinterleave d;
  d.half = (l.in_width + 1) / 2;
  std::int64_t most = 0;
  for (std::int64_t rows : row_tiles) {
    std::vector<std::int64_t> slots, slot_rows, slot_of;
    for (std::int64_t rr = 0; rr < rows; ++rr)
      for (std::int64_t kr = 0; kr < l.kernel.h; ++kr) {
        const std::int64_t row = rr * l.stride.h + kr * l.dilation.h;
        const auto at = std::find(slot_rows.begin(), slot_rows.end(), row);
        slot_of.push_back(at - slot_rows.begin());
        if (at == slot_rows.end()) {
          slot_rows.push_back(row);
          slots.push_back(rr * l.kernel.h + kr);
        }
      }
    most = std::max<std::int64_t>(most, static_cast<std::int64_t>(slots.size()));
    d.slots.push_back(std::move(slots));
    d.slot_of.push_back(std::move(slot_of));
  }
  d.floats = l.in_channels / l.groups * most * 2 * d.half;
  return d;
}

}  // namespace convgen
