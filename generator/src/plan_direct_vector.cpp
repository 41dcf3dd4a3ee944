// Planning the DirectVector strategy: vectors hold consecutive output
// columns of one output channel (NCHW's contiguous axis), so input rows are
// read with plain loads and each weight is a broadcast.
//
// Decided here: the register tile (channels x rows x vectors, from the cost
// model below and the ISA table's register file), the column tiles of an
// output row (interior tiles run in a loop; border tiles near the interior
// get their own code with each (tap, vector) load chosen here from the ISA's
// capabilities; columns farther out run the per-pixel border path), the row
// tiles and the output-channel blocks.
#include <algorithm>

#include "convgen/internal_error.h"
#include "convgen/padding.h"
#include "convgen/plan.h"
#include "plan_cost.h"

namespace convgen {
namespace {

// Border tiles with their own code, on each side of the interior. Enough for
// any padding narrower than the tiles (every real network); wider padding is
// computed per pixel beyond these, so the code stays bounded.
constexpr std::int64_t kBorderTilesPerSide = 8;

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
// How much faster a split plan must be predicted (see planDirectVector).
constexpr double kSplitMargin = 1.02;

// Picks the register tile with the most useful FMAs per cycle, from FMA
// (2/cycle) and load pressure, and returns its score; -1 when the window
// alone exceeds the budget. `split`: for de-interleaved stride-2 rows, whose
// splitting each row block pays once.
double chooseTile(const KernelPlan& plan, const IsaInfo& isa, std::int64_t budget, bool split,
                  DirectVectorPlan& v) {
  const LayerSpec& l = plan.layer;
  const std::int64_t og = l.out_channels / l.groups;
  const std::int64_t vectors = (plan.shapes.out_width + isa.lanes - 1) / isa.lanes;
  const std::int64_t max_acc = isa.max_accumulators;
  const std::int64_t taps = l.kernel.h * l.kernel.w;
  double best = -1;
  // Several output rows per tile share each weight broadcast; they are
  // taken from the interior rows only. Strided rows are not row-tiled: each
  // strided input vector costs a cross-lane shuffle, and measured row tiles
  // of the stride-2 ResNet stem ran at half the speed of channel tiles.
  // De-interleaved rows have no shuffle per vector: they are row-tiled.
  const std::int64_t max_rows = l.stride.w > 1 && !split
                                    ? 1
                                    : std::max<std::int64_t>(
                                          1, std::min<std::int64_t>(plan.rows.size(), 8));
  for (std::int64_t oc = 1; oc <= std::min(og, max_acc); ++oc) {
    for (std::int64_t r = 1; r <= max_rows; ++r) {
      for (std::int64_t vt = 1; vt <= std::min(vectors, max_acc); ++vt) {
        const std::int64_t acc = oc * r * vt;
        // Accumulators, the tile's input vectors and a broadcast weight live
        // at once; GCC spills when they fill the register file (measured:
        // 24 + 6 + 1 zmm spilled), so keep a few registers spare.
        if (acc > max_acc || acc + r * vt + 1 > isa.vector_registers - 3 || taps * acc > budget)
          continue;
        if (split && !deinterleaveFits(l, r)) continue;
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
        const std::int64_t current = v.oc_tile * v.row_tile * v.vec_tile;
        if (score > best + 1e-9 || (score > best - 1e-9 && acc > current)) {
          best = score;
          v.oc_tile = oc;
          v.row_tile = r;
          v.vec_tile = vt;
        }
      }
    }
  }
  return best;
}

// The geometry of one output row's vectors, for the load choices.
struct RowGeometry {
  const LayerSpec& l;
  std::int64_t lanes, out_width;

  // Input column of output lane j of the vector starting at column ow0, tap q.
  std::int64_t column(std::int64_t ow0, std::int64_t j, std::int64_t q) const {
    return (ow0 + j) * l.stride.w - l.pad.left + q * l.dilation.w;
  }
  // Vector v reads no column before the row for any tap (monotone in v).
  bool startsInside(std::int64_t v) const { return column(lanes * v, 0, 0) >= 0; }
  // Vector v is whole and reads no column past the row for any tap, with the
  // plain load its stride uses (stride 2 loads 2*lanes floats): monotone.
  bool endsInside(std::int64_t v) const {
    const std::int64_t ow0 = lanes * v, q = l.kernel.w - 1;
    if (ow0 + lanes > out_width) return false;
    if (column(ow0, lanes - 1, q) >= l.in_width) return false;
    return !(l.stride.w == 2 && column(ow0, 0, q) + 2 * lanes - 1 >= l.in_width);
  }
};

VectorLoad borderLoad(const RowGeometry& g, const VectorCaps& caps, std::int64_t ow0,
                      std::int64_t q) {
  const LayerSpec& l = g.l;
  const std::int64_t lanes = g.lanes;
  VectorLoad load;
  std::vector<std::int64_t> src(lanes, -1);
  load.live.assign(lanes, false);
  std::int64_t lo = l.in_width, hi = -1;
  for (std::int64_t j = 0; j < lanes; ++j) {
    if (ow0 + j >= g.out_width) continue;  // past the row's end: never stored
    src[j] = sourceIndex(l.padding_mode, g.column(ow0, j, q), l.in_width);
    if (src[j] < 0) continue;  // zero padding
    load.live[j] = true;
    lo = std::min(lo, src[j]);
    hi = std::max(hi, src[j]);
  }
  if (hi < 0) return load;  // all zero: the tap contributes nothing
  bool contiguous = true;
  for (std::int64_t j = 0; j < lanes; ++j) contiguous &= load.live[j] && src[j] == src[0] + j;
  if (contiguous) {
    load.kind = VectorLoad::Contiguous;
    load.base = src[0];
    return load;
  }
  // Live lanes reading consecutive columns in lane order: one masked load
  // (from the first lane's column when it is not before the row), or an
  // expanding load of the live run.
  std::int64_t first = 0;
  while (!load.live[first]) ++first;
  bool consecutive = true;
  for (std::int64_t j = 0; j < lanes; ++j)
    consecutive &= !load.live[j] || src[j] == src[first] + (j - first);
  if (consecutive && src[first] - first >= 0) {
    // Masked when the ISA has it; otherwise the back-end builds the vector
    // from the live lanes' scalar reads (same values, same reads).
    load.kind = VectorLoad::Masked;
    load.base = src[first] - first;
    return load;
  }
  std::int64_t last = lanes - 1;
  while (!load.live[last]) --last;
  bool run = consecutive;
  for (std::int64_t j = first; j <= last; ++j) run &= load.live[j];
  if (run && caps.expand_load) {
    load.kind = VectorLoad::Expand;
    load.base = src[first];
    return load;
  }
  bool strided2 = src[0] + 2 * lanes - 1 < l.in_width;
  for (std::int64_t j = 0; j < lanes; ++j) strided2 &= load.live[j] && src[j] == src[0] + 2 * j;
  if (strided2) {
    load.kind = VectorLoad::Strided2;
    load.base = src[0];
    return load;
  }
  // Live lanes on every second column from a base inside the row (dead
  // lanes: padding or past the output's end): masked loads, then the same
  // even-element selection.
  bool strided2_masked = src[first] - 2 * first >= 0;
  for (std::int64_t j = 0; j < lanes; ++j)
    strided2_masked &= !load.live[j] || src[j] == src[first] + 2 * (j - first);
  if (strided2_masked && caps.masked_load) {
    load.kind = VectorLoad::Strided2Masked;
    load.base = src[first] - 2 * first;
    return load;
  }
  if (l.in_width >= lanes && hi - lo < lanes) {
    load.kind = VectorLoad::Permute;
    load.base = std::min(lo, l.in_width - lanes);
    for (std::int64_t j = 0; j < lanes; ++j)
      load.index.push_back(load.live[j] ? src[j] - load.base : 0);
    return load;
  }
  if (hi - lo < 2 * lanes && caps.permute_two) {
    load.kind = VectorLoad::PermuteTwo;
    load.base = lo;
    for (std::int64_t j = 0; j < lanes; ++j) load.index.push_back(load.live[j] ? src[j] - lo : 0);
    return load;
  }
  load.kind = VectorLoad::Gather;
  for (std::int64_t j = 0; j < lanes; ++j) load.index.push_back(load.live[j] ? src[j] : 0);
  return load;
}

// The largest v in [lo, hi) with pred(v) true, for pred true then false
// over the range; lo - 1 when pred(lo) is false.
template <typename Pred>
std::int64_t lastTrue(std::int64_t lo, std::int64_t hi, Pred pred) {
  std::int64_t a = lo - 1, b = hi;  // pred(a) true (or a = lo-1), pred(b) false (or b = hi)
  while (b - a > 1) {
    const std::int64_t mid = a + (b - a) / 2;
    (pred(mid) ? a : b) = mid;
  }
  return a;
}

void planColumns(const KernelPlan& plan, const IsaInfo& isa, DirectVectorPlan& v) {
  const RowGeometry g{plan.layer, isa.lanes, plan.shapes.out_width};
  const std::int64_t vectors = (g.out_width + g.lanes - 1) / g.lanes;
  const std::int64_t tile_count = (vectors + v.vec_tile - 1) / v.vec_tile;
  const std::int64_t step = g.lanes * v.vec_tile;  // columns per tile
  // Clean vectors (every lane inside the row for every tap) form the range
  // [first_clean, last_clean]; tiles made only of clean vectors are
  // interior: the tiles [t_lo, t_hi).
  const std::int64_t first_clean =
      lastTrue(0, vectors, [&](std::int64_t x) { return !g.startsInside(x); }) + 1;
  const std::int64_t last_clean = lastTrue(0, vectors, [&](std::int64_t x) { return g.endsInside(x); });
  const std::int64_t t_lo = (first_clean + v.vec_tile - 1) / v.vec_tile;
  const std::int64_t t_hi = std::max(t_lo, (last_clean + 1) / v.vec_tile);
  const bool interior = t_lo < t_hi;
  const std::int64_t k = kBorderTilesPerSide;
  const std::int64_t left_from = interior ? std::max<std::int64_t>(0, t_lo - k) : 0;
  const std::int64_t right_to = interior ? std::min(tile_count, t_hi + k)
                                         : std::min(tile_count, 2 * k);
  auto tileAt = [&](std::int64_t t) {
    ColumnTile c;
    c.index = t;
    c.ow0 = t * step;
    c.vectors = std::min(v.vec_tile, vectors - t * v.vec_tile);
    c.valid_last = std::min(g.lanes, g.out_width - (t * v.vec_tile + c.vectors - 1) * g.lanes);
    return c;
  };
  auto border = [&](std::int64_t t) {
    ColumnTile c = tileAt(t);
    c.loads.resize(plan.layer.kernel.w);
    for (std::int64_t q = 0; q < plan.layer.kernel.w; ++q)
      for (std::int64_t x = 0; x < c.vectors; ++x)
        c.loads[q].push_back(borderLoad(g, isa.caps, c.ow0 + g.lanes * x, q));
    return c;
  };
  if (left_from > 0) v.pixel_columns.push_back({0, left_from * step});
  if (interior) {
    for (std::int64_t t = left_from; t < t_lo; ++t) v.tiles.push_back(border(t));
    ColumnTile run = tileAt(t_lo);
    run.interior = true;
    run.repeat = t_hi - t_lo;
    v.tiles.push_back(run);
    for (std::int64_t t = t_hi; t < right_to; ++t) v.tiles.push_back(border(t));
  } else {
    for (std::int64_t t = 0; t < right_to; ++t) v.tiles.push_back(border(t));
  }
  if (right_to < tile_count) v.pixel_columns.push_back({right_to * step, g.out_width});
}

}  // namespace

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

bool planDirectVector(KernelPlan& plan, std::int64_t budget) {
  const IsaInfo& isa = isaInfo(plan.isa);
  CONVGEN_CHECK(isa.lanes > 1, "DirectVector needs a vector ISA");
  DirectVectorPlan v;
  v.lanes = isa.lanes;
  if (chooseTile(plan, isa, budget, false, v) < 0) return false;
  // Stride 2: split rows when the model predicts the whole layer faster
  // (input traffic included: a layer streaming its input from beyond L2
  // gains nothing), by a margin for what it does not see (the split's
  // stores, a larger stack frame). Measured on a loaded Xeon: the ResNet
  // stem ran 1.36-1.40x faster split on AVX-512 (predicted 1.16x); on AVX2
  // split 8 x 1 x 1 ran 1.06-1.09x faster than plain 11 x 1 x 1, which the
  // model (5-cycle latency floor) does not predict, so AVX2 keeps it plain;
  // the depthwise 96 x 112 x 112 s2 layer ran 1.1x slower split on AVX2
  // (kMinSplitShare keeps it plain).
  bool split = false;
  if (deinterleaveApplies(plan.layer, isa) && plan.cols.size() > 0) {
    DirectVectorPlan s;
    s.lanes = isa.lanes;
    if (chooseTile(plan, isa, budget, true, s) >= 0 &&
        rateOf(plan, s, true) > kSplitMargin * rateOf(plan, v, false)) {
      planColumns(plan, isa, s);
      // Only interior tiles read the split rows: without one, nothing would.
      split = std::any_of(s.tiles.begin(), s.tiles.end(),
                          [](const ColumnTile& t) { return t.interior; });
      if (split) v = s;
    }
  }
  if (!split) planColumns(plan, isa, v);
  // Tiles of row_tile rows cover blocks of interior rows; single-row tiles
  // cover the rest (always present unless row_tile divides an all-interior
  // output).
  v.row_tiles = {v.row_tile};
  if (v.row_tile > 1 && (plan.rows.lo > 0 || plan.rows.hi < plan.shapes.out_height ||
                         plan.rows.size() % v.row_tile != 0))
    v.row_tiles.push_back(1);
  if (split) v.deinterleave = planDeinterleave(plan.layer, v.row_tiles);
  const std::int64_t og = plan.layer.out_channels / plan.layer.groups;
  v.oc_blocks = {v.oc_tile};
  if (og % v.oc_tile) v.oc_blocks.push_back(og % v.oc_tile);
  plan.unrolled_statements =
      plan.layer.kernel.h * plan.layer.kernel.w * v.oc_tile * v.row_tile * v.vec_tile;
  plan.detail = std::move(v);
  return true;
}

}  // namespace convgen
