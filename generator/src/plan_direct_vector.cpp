// Planning the DirectVector strategy: vectors hold consecutive output
// columns of one output channel (NCHW's contiguous axis), so input rows are
// read with plain loads and each weight is a broadcast.
//
// Decided here: the register tile (channels x rows x vectors, from the cost
// model of plan_tile.cpp and the ISA table's register file), the column tiles of an
// output row (interior tiles run in a loop; border tiles near the interior
// get their own code with each (tap, vector) load chosen here from the ISA's
// capabilities; columns farther out run the per-pixel border path), the row
// tiles and the output-channel blocks.
#include <algorithm>

#include "convgen/internal_error.h"
#include "convgen/padding.h"
#include "convgen/plan.h"
#include "convgen/tuning.h"
#include "plan_cost.h"

namespace convgen {
namespace {

// Border tiles with their own code, on each side of the interior. Enough for
// any padding narrower than the tiles (every real network); wider padding is
// computed per pixel beyond these, so the code stays bounded.
constexpr std::int64_t kBorderTilesPerSide = 8;

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

DirectVectorPlan withTile(const IsaInfo& isa, const ForwardTile& t) {
  DirectVectorPlan v;
  v.lanes = isa.lanes;
  v.oc_tile = t.oc_tile;
  v.row_tile = t.row_tile;
  v.vec_tile = t.vec_tile;
  return v;
}

bool hasInteriorTile(const DirectVectorPlan& v) {
  return std::any_of(v.tiles.begin(), v.tiles.end(), [](const ColumnTile& t) { return t.interior; });
}

}  // namespace

bool planDirectVector(KernelPlan& plan, std::int64_t budget, const ForwardTile* tile,
                      std::string* problem) {
  const IsaInfo& isa = isaInfo(plan.isa);
  CONVGEN_CHECK(isa.lanes > 1, "DirectVector needs a vector ISA");
  DirectVectorPlan v;
  bool split = false;
  if (tile) {
    // A tuning's choice: it must fit as the model's own tiles do.
    CONVGEN_CHECK(problem, "a forced tile needs somewhere to say why it does not fit");
    if (std::string why = forwardTileProblem(plan, isa, budget, *tile); !why.empty()) {
      *problem = why;
      return false;
    }
    v = withTile(isa, *tile);
    planColumns(plan, isa, v);
    split = tile->split;
    if (split && !hasInteriorTile(v)) {
      *problem = "split needs an interior column tile of vec_tile " +
                 std::to_string(tile->vec_tile) + " vectors; this row has none";
      return false;
    }
  } else {
    const std::vector<ScoredTile> plain = rankForwardTiles(plan, isa, budget, false);
    if (plain.empty()) return false;
    v = withTile(isa, plain.front().tile);
    // Stride 2: split rows when the model predicts the whole layer faster
    // (input traffic included: a layer streaming its input from beyond L2
    // gains nothing), by a margin for what it does not see (the split's
    // stores, a larger stack frame). Measured on a loaded Xeon: the ResNet
    // stem ran 1.36-1.40x faster split on AVX-512 (predicted 1.16x); on AVX2
    // split 8 x 1 x 1 ran 1.06-1.09x faster than plain 11 x 1 x 1, which the
    // model (5-cycle latency floor) does not predict, so AVX2 keeps it plain;
    // the depthwise 96 x 112 x 112 s2 layer ran 1.1x slower split on AVX2
    // (kMinSplitShare keeps it plain).
    if (deinterleaveApplies(plan.layer, isa) && plan.cols.size() > 0) {
      const std::vector<ScoredTile> split_tiles = rankForwardTiles(plan, isa, budget, true);
      if (!split_tiles.empty() && forwardTileRate(plan, split_tiles.front().tile) >
                                      kSplitMargin * forwardTileRate(plan, plain.front().tile)) {
        DirectVectorPlan s = withTile(isa, split_tiles.front().tile);
        planColumns(plan, isa, s);
        // Only interior tiles read the split rows: without one, nothing would.
        split = hasInteriorTile(s);
        if (split) v = std::move(s);
      }
    }
    if (!split) planColumns(plan, isa, v);
  }
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
