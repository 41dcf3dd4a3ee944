// The planner, in memory: interiors, the cost model's choices on real
// shapes, the load chosen for each border (tap, vector) on tiny rows, and
// that column tiles and per-pixel columns partition every output row.
#include <catch2/catch.hpp>
#include <algorithm>

#include "convgen/plan.h"
#include "convgen/tuning.h"
#include "tiny_layers.h"

using namespace convgen;

TEST_CASE("interiorRange: output positions whose window reads no padding", "[plan]") {
  CHECK(interiorRange(5, 3, 0, 3, 1, 1) == Interval{0, 3});  // no padding: all interior
  CHECK(interiorRange(5, 5, 1, 3, 1, 1) == Interval{1, 4});  // pad 1: first and last read it
  CHECK(interiorRange(7, 4, 1, 3, 2, 1) == Interval{1, 3});  // stride 2
  CHECK(interiorRange(5, 5, 2, 3, 1, 2) == Interval{2, 3});  // dilation 2, pad 2
  CHECK(interiorRange(1, 3, 1, 3, 1, 1).size() == 0);        // kernel wider than the input
  CHECK(interiorRange(1, 801, 400, 1, 1, 1) == Interval{400, 401});
}

TEST_CASE("the cost model's register tiles on the benchmark shapes", "[plan]") {
  // Pinned: a change here changes the speed of every such layer, and must
  // be a deliberate (benchmarked) one.
  struct Case {
    LayerSpec layer;
    Isa isa;
    const char* kernel;
  };
  const Case cases[] = {
      {conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Avx512, "s05__avx512_direct_w16_oc8xr1v2_full"},
      {conv("s06", {1, 256, 14, 14}, 256, 3, 1, 1), Isa::Avx512, "s06__avx512_direct_w16_oc8xr2v1_full"},
      {conv("s07", {1, 256, 56, 56}, 64, 1, 1, 0), Isa::Avx512, "s07__avx512_direct_w16_oc8xr1v2_full"},
      {conv("s04", {1, 3, 224, 224}, 64, 7, 2, 3), Isa::Avx512, "s04__avx512_direct_w16_oc8xr2v1d_full"},
      {conv("s04", {1, 3, 224, 224}, 64, 7, 2, 3), Isa::Avx2, "s04__avx2_direct_w8_oc11xr1v1_full"},
      {conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Avx2, "s05__avx2_direct_w8_oc5xr2v1_full"},
      {conv("s02", {1, 3, 32, 32}, 16, 3, 1, 1), Isa::Scalar, "s02__scalar_direct_oc4xow4_full"},
  };
  for (const Case& c : cases) {
    LayerSpec l = c.layer;
    l.isa = c.isa;
    CHECK(planLayer(l, PlanOptions()).kernelName() == c.kernel);
  }
}

TEST_CASE("float64 in a SIMD config gets portable code, and says so", "[plan]") {
  LayerSpec l = conv("d", {1, 2, 8, 8}, 2, 3, 1, 1);
  l.dtype = DType::Float64;
  l.isa = Isa::Avx2;
  const KernelPlan p = planLayer(l, PlanOptions());
  CHECK(p.isa == Isa::Scalar);
  CHECK(p.strategy() == Strategy::Direct);
  CHECK(p.kernelName() == "d__scalar_direct_oc2xow4_full");
}

TEST_CASE("a window over the unroll budget loses the vector strategy", "[plan]") {
  LayerSpec l = conv("big", {1, 1, 40, 40}, 2, 31, 1, 0);
  l.isa = Isa::Avx512;
  PlanOptions small;
  small.unroll_budget = 500;  // 31 x 31 taps do not fit even one accumulator
  const KernelPlan p = planLayer(l, small);
  CHECK(p.strategy() == Strategy::Direct);
  CHECK(std::get<DirectPlan>(p.detail).window == WindowUnroll::Row);
}

namespace {
// A copy: the plan is often a temporary.
VectorLoad loadOf(const KernelPlan& p, std::int64_t tile, std::int64_t q, std::int64_t v) {
  return std::get<DirectVectorPlan>(p.detail).tiles.at(tile).loads.at(q).at(v);
}
}  // namespace

TEST_CASE("border loads on a 5-wide zero-padded row follow the ISA's capabilities", "[plan]") {
  LayerSpec l = conv("row5", {1, 1, 4, 5}, 1, 3, 1, 1);
  l.isa = Isa::Avx512;
  const KernelPlan avx512 = planLayer(l, PlanOptions());
  // Tap 0: lane 0 reads padding, lanes 1-4 columns 0-3: the live run, expanded.
  CHECK(loadOf(avx512, 0, 0, 0).kind == VectorLoad::Expand);
  CHECK(loadOf(avx512, 0, 0, 0).base == 0);
  // Tap 1: lanes 0-4 read columns 0-4 (the rest are never stored): masked.
  CHECK(loadOf(avx512, 0, 1, 0).kind == VectorLoad::Masked);
  CHECK(loadOf(avx512, 0, 1, 0).base == 0);
  // Tap 2: lanes 0-3 read columns 1-4, lane 4 padding: masked from column 1.
  CHECK(loadOf(avx512, 0, 2, 0).kind == VectorLoad::Masked);
  CHECK(loadOf(avx512, 0, 2, 0).base == 1);
  // AVX2 has no expanding load and the row is narrower than a vector: a gather.
  l.isa = Isa::Avx2;
  CHECK(loadOf(planLayer(l, PlanOptions()), 0, 0, 0).kind == VectorLoad::Gather);
}

TEST_CASE("reflect padding on a 3-wide row is a lane permutation", "[plan]") {
  LayerSpec l = conv("row3", {1, 1, 3, 3}, 1, 3, 1, 1);
  l.padding_mode = PaddingMode::Reflect;
  l.isa = Isa::Avx512;
  const VectorLoad two = loadOf(planLayer(l, PlanOptions()), 0, 0, 0);
  CHECK(two.kind == VectorLoad::PermuteTwo);  // columns 1, 0, 1: reflected
  CHECK(std::vector<std::int64_t>(two.index.begin(), two.index.begin() + 3) ==
        std::vector<std::int64_t>{1, 0, 1});
  l.isa = Isa::Neon;  // no two-source permute, and the row is narrower than 4 lanes
  CHECK(loadOf(planLayer(l, PlanOptions()), 0, 0, 0).kind == VectorLoad::Gather);
}

TEST_CASE("column tiles and per-pixel columns partition every output row", "[plan]") {
  std::vector<LayerSpec> layers = {
      conv("a", {1, 2, 3, 5}, 3, 3, 1, 1), conv("b", {1, 1, 6, 100}, 2, 5, 2, 2),
      conv("c", {1, 1, 1, 1}, 2, 1, 1, 0), conv("d", {1, 1, 4, 33}, 1, 3, 1, 0)};
  layers[2].pad = {0, 0, 400, 400};  // padding many tiles wide, no interior tile
  for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon})
    for (LayerSpec l : layers) {
      l.isa = isa;
      const KernelPlan p = planLayer(l, PlanOptions());
      const auto& v = std::get<DirectVectorPlan>(p.detail);
      std::vector<int> covered(p.shapes.out_width, 0);
      std::int64_t border_tiles = 0;
      for (const ColumnTile& t : v.tiles) {
        border_tiles += t.interior ? 0 : 1;
        for (std::int64_t r = 0; r < t.repeat; ++r)
          for (std::int64_t x = 0; x < (t.vectors - 1) * v.lanes + t.valid_last; ++x)
            ++covered.at(t.ow0 + r * v.lanes * v.vec_tile + x);
      }
      for (const Interval& c : v.pixel_columns)
        for (std::int64_t x = c.lo; x < c.hi; ++x) ++covered.at(x);
      INFO(p.kernelName());
      CHECK(std::count(covered.begin(), covered.end(), 1) == p.shapes.out_width);
      CHECK(border_tiles <= 16);  // bounded code, whatever the padding
    }
}

TEST_CASE("local-array bytes come from the plan", "[plan]") {
  LayerSpec l = conv("s", {1, 64, 56, 56}, 64, 3, 1, 1);
  l.isa = Isa::Avx512;
  const KernelPlan p = planLayer(l, PlanOptions());
  // forward: 8 channels x 1 row x 2 vectors of 16 floats + 3 row offsets.
  CHECK(p.forwardArrayBytes() == 8 * 2 * 16 * 4 + 3 * 8);
  // forward_packed: 6 pixels x 4 vectors of 16 floats + one vector's lanes,
  // and the partial sums of a row of 56 pixels x 64 channels between blocks
  // of input channels.
  REQUIRE(p.packed);
  REQUIRE(p.packed->ci_blocking);
  CHECK(p.localArrayBytes() == 6 * 4 * 16 * 4 + 16 * 4 + 56 * 64 * 4);
  l.isa = Isa::Scalar;  // 4 x 4 float accumulators
  CHECK(planLayer(l, PlanOptions()).localArrayBytes() == 4 * 4 * 4);
}

TEST_CASE("weights are packed where channel vectors beat column vectors", "[plan]") {
  // Rows narrower than a vector (14 of 16 lanes, 5 of 16) with deep enough
  // reductions: the packed strategy; a 64-wide row fills its vectors:
  // forward's own.
  LayerSpec s06 = conv("s06", {1, 256, 14, 14}, 256, 3, 1, 1);
  LayerSpec wide = conv("wide", {1, 64, 64, 64}, 64, 3, 1, 2);
  wide.dilation = {2, 2};
  LayerSpec s12 = conv("s12", {1, 1, 49, 10}, 64, 1, 2, 0);
  s12.kernel = {10, 4};
  s12.pad = {5, 5, 1, 1};
  for (LayerSpec* l : {&s06, &wide, &s12}) l->isa = Isa::Avx512;
  const KernelPlan p06 = planLayer(s06, PlanOptions());
  REQUIRE(p06.packed);
  CHECK(p06.packedName().strategy == Strategy::ChannelVector);
  // 4 vectors x 6 pixels: the most square tile the registers hold.
  CHECK(p06.packedKernelName() == "s06__avx512_channel_w16_oc64xp6_full");
  // Blocks of 64 channels: each bias[64] + w[256][3][3][64], for one group.
  CHECK(p06.packedWeightSize() == 4 * 64 * (1 + 256 * 9));
  CHECK_FALSE(planLayer(wide, PlanOptions()).packed);
  const KernelPlan p12 = planLayer(s12, PlanOptions());
  REQUIRE(p12.packed);
  CHECK(p12.packed->blocks.size() == 1);
  CHECK(p12.packed->blocks[0].channels == 64);
  // Depthwise: one channel per group fills 1 of 16 lanes; never packed.
  LayerSpec dw = conv("dw", {1, 32, 14, 14}, 32, 3, 1, 1);
  dw.groups = 32;
  dw.isa = Isa::Avx512;
  CHECK_FALSE(planLayer(dw, PlanOptions()).packed);
  // Without a packed strategy, the packed weights are the layer's own.
  CHECK(planLayer(wide, PlanOptions()).packedWeightSize() == 64 * 64 * 9 + 64);
}

namespace {
// A plan of `l` whose forward tile is the model's and whose packed tile is `packed`.
KernelPlan withPackedTile(const LayerSpec& l, PackedTile packed) {
  const auto& v = std::get<DirectVectorPlan>(planLayer(l, PlanOptions()).detail);
  PlanChoice choice;
  choice.forward = {v.oc_tile, v.row_tile, v.vec_tile, v.deinterleave.has_value()};
  choice.packed = packed;
  std::string problem;
  const std::optional<KernelPlan> p = planWithChoice(l, PlanOptions(), choice, &problem);
  INFO(problem);
  REQUIRE(p);
  REQUIRE(p->packed);
  return *p;
}
}  // namespace

TEST_CASE("forward_packed reduces in blocks of input channels where a block's weights outgrow L1",
          "[plan]") {
  // The budget (plan_channel_vector.cpp): 16 KB of packed weights per block
  // of input channels, as few blocks as fit it, as even as they can be.
  LayerSpec s05 = conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1);
  LayerSpec s06 = conv("s06", {1, 256, 14, 14}, 256, 3, 1, 1);
  LayerSpec s07 = conv("s07", {1, 256, 56, 56}, 64, 1, 1, 0);
  LayerSpec s12 = conv("s12", {1, 1, 49, 10}, 64, 1, 2, 0);
  s12.kernel = {10, 4};
  s12.pad = {5, 5, 1, 1};
  for (LayerSpec* l : {&s05, &s06, &s07, &s12}) l->isa = Isa::Avx512;
  struct Case {
    const LayerSpec& layer;
    std::int64_t channels;  // per block; 0: not blocked
    std::int64_t scratch;   // floats of partial sums: a row's pixels x 64 channels
  };
  const Case cases[] = {
      // 3x3 taps x 64 channels x 4 bytes = 2304 bytes a channel: 7 fit, so
      // 64 channels take 10 blocks, of 7 (the last of 1).
      {s05, 7, 56 * 64},
      {s06, 7, 14 * 64},  // 256 in 37 blocks, of 7 (the last of 4)
      {s07, 64, 56 * 64},  // 1x1: 256 bytes a channel, 64 fit: 4 blocks
      {s12, 0, 0},         // one input channel: nothing to block
  };
  for (const Case& c : cases) {
    const KernelPlan p = planLayer(c.layer, PlanOptions());
    INFO(c.layer.name);
    REQUIRE(p.packed);
    CHECK(p.packed->vectors * p.packed->lanes == 64);
    if (c.channels == 0) {
      CHECK_FALSE(p.packed->ci_blocking);
      continue;
    }
    REQUIRE(p.packed->ci_blocking);
    CHECK(p.packed->ci_blocking->channels == c.channels);
    CHECK(p.packed->ci_blocking->scratch_floats == c.scratch);
  }
  // AVX2 blocks of 16 output channels: 576 bytes a channel of S6, 28 fit:
  // 10 blocks of 26 (the last of 22). S7's 256 x 64 bytes are 16 KB: whole.
  s06.isa = s07.isa = Isa::Avx2;
  const KernelPlan a06 = planLayer(s06, PlanOptions());
  REQUIRE(a06.packed);
  CHECK(a06.packed->vectors * a06.packed->lanes == 16);
  REQUIRE(a06.packed->ci_blocking);
  CHECK(a06.packed->ci_blocking->channels == 26);
  CHECK(a06.packed->ci_blocking->scratch_floats == 14 * 16);
  const KernelPlan a07 = planLayer(s07, PlanOptions());
  REQUIRE(a07.packed);
  CHECK(a07.packed->vectors * a07.packed->lanes == 16);
  CHECK_FALSE(a07.packed->ci_blocking);
  // A row of one tile reads each block's weights once in any order: whole.
  LayerSpec narrow = conv("narrow", {1, 64, 4, 3}, 40, 3, 1, 1);
  narrow.isa = Isa::Avx512;
  const KernelPlan pn = planLayer(narrow, PlanOptions());
  REQUIRE(pn.packed);
  CHECK(pn.packed->pixels >= 3);
  CHECK_FALSE(pn.packed->ci_blocking);
}

TEST_CASE("input-channel blocks follow the packed tile, tuned or not, within the stack bound",
          "[plan]") {
  LayerSpec s05 = conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1);
  s05.isa = Isa::Avx512;
  // A tuned tile of 2 vectors: 1152 bytes a channel, 14 fit: 5 blocks of 13.
  const KernelPlan p2 = withPackedTile(s05, {8, 2});
  REQUIRE(p2.packed->ci_blocking);
  CHECK(p2.packed->ci_blocking->channels == 13);
  CHECK(p2.packed->ci_blocking->scratch_floats == 56 * 32);
  CHECK(p2.localArrayBytes() == 8 * 2 * 16 * 4 + 16 * 4 + 56 * 32 * 4);
  // The same tile as the model's: the same blocks as planLayer's.
  const KernelPlan p4 = withPackedTile(s05, {6, 4});
  REQUIRE(p4.packed->ci_blocking);
  CHECK(p4.packed->ci_blocking->channels == 7);
  // 160 pixels x 64 channels of partial sums (40 KB) exceed the 32 KB the
  // stack may hold: not blocked; 160 x 32 (20 KB) fit.
  LayerSpec wide = conv("wide", {1, 64, 4, 160}, 64, 3, 1, 1);
  wide.isa = Isa::Avx512;
  CHECK_FALSE(withPackedTile(wide, {6, 4}).packed->ci_blocking);
  const KernelPlan w2 = withPackedTile(wide, {6, 2});
  REQUIRE(w2.packed->ci_blocking);
  CHECK(w2.packed->ci_blocking->scratch_floats == 160 * 32);
  // Whatever the layer and ISA: blocks within the budget (or of one channel),
  // fewer than the group's channels, partial sums within the stack bound.
  std::vector<LayerSpec> layers = {s05, wide, conv("g", {2, 96, 9, 11}, 48, 3, 2, 1),
                                   conv("p", {1, 300, 3, 30}, 24, 1, 1, 0),
                                   conv("k", {1, 20, 12, 12}, 32, 7, 1, 3)};
  layers[2].groups = 3;
  int blocked = 0, whole = 0;  // plans seen of each kind
  for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon})
    for (LayerSpec l : layers) {
      l.isa = isa;
      for (const PackedTile& t : {PackedTile{4, 1}, PackedTile{5, 2}, PackedTile{3, 3}}) {
        const auto& v = std::get<DirectVectorPlan>(planLayer(l, PlanOptions()).detail);
        PlanChoice choice;
        choice.forward = {v.oc_tile, v.row_tile, v.vec_tile, v.deinterleave.has_value()};
        choice.packed = t;
        std::string problem;
        const std::optional<KernelPlan> p = planWithChoice(l, PlanOptions(), choice, &problem);
        if (!p) continue;  // the tile does not fit this ISA's registers
        REQUIRE(p->packed);
        const ChannelVectorPlan& c = *p->packed;
        const std::int64_t cg = l.in_channels / l.groups;
        const std::int64_t width = c.blocks.front().vectors * c.lanes;
        const std::int64_t channel_bytes = l.kernel.h * l.kernel.w * width * 4;
        INFO(p->packedKernelName());
        if (!c.ci_blocking) {
          const bool one_tile = p->shapes.out_width <= c.pixels;
          CHECK((cg * channel_bytes <= 16 * 1024 || one_tile ||
                 p->shapes.out_width * width * 4 > 32 * 1024));
          ++whole;
          continue;
        }
        ++blocked;
        CHECK(c.ci_blocking->channels < cg);
        CHECK((c.ci_blocking->channels == 1 || c.ci_blocking->channels * channel_bytes <= 16 * 1024));
        // As few blocks as the budget allows, as even as they can be.
        const std::int64_t most = std::max<std::int64_t>(1, 16 * 1024 / channel_bytes);
        const std::int64_t count = (cg + most - 1) / most;
        CHECK((cg + c.ci_blocking->channels - 1) / c.ci_blocking->channels == count);
        CHECK(c.ci_blocking->channels == (cg + count - 1) / count);
        CHECK(c.ci_blocking->scratch_floats == p->shapes.out_width * width);
        CHECK(c.ci_blocking->scratch_floats * 4 <= 32 * 1024);
      }
    }
  CHECK(blocked > 10);
  CHECK(whole > 3);
}

TEST_CASE("stride-2 rows are split where the model predicts it pays, within the stack bound",
          "[plan]") {
  LayerSpec stem = conv("stem", {1, 3, 224, 224}, 64, 7, 2, 3);
  stem.isa = Isa::Avx512;
  const KernelPlan p = planLayer(stem, PlanOptions());
  const auto& v = std::get<DirectVectorPlan>(p.detail);
  REQUIRE(v.deinterleave);
  const auto& d = *v.deinterleave;
  CHECK(d.half == 112);
  REQUIRE(d.slots.size() == v.row_tiles.size());
  for (std::size_t i = 0; i < v.row_tiles.size(); ++i) {
    const std::int64_t rows = v.row_tiles[i];
    REQUIRE(d.slot_of[i].size() == std::size_t(rows * stem.kernel.h));
    // Every (output row, kernel row) reads its slot's input row, and slots
    // hold distinct rows: 2 output rows of a 7-row window read 9 rows.
    auto inputRow = [&](std::int64_t at) { return at / stem.kernel.h * 2 + at % stem.kernel.h; };
    for (std::int64_t at = 0; at < rows * stem.kernel.h; ++at)
      CHECK(inputRow(d.slots[i].at(d.slot_of[i][at])) == inputRow(at));
    CHECK(d.slots[i].size() == std::size_t((rows - 1) * 2 + 7));
  }
  CHECK(d.floats == 3 * 9 * 2 * 112);
  CHECK(p.forwardArrayBytes() == 8 * 2 * 16 * 4 + 2 * 7 * 8 + d.floats * 4);
  // The split rows stay within 32 KB of stack, whatever the layer.
  LayerSpec wide = conv("wide", {1, 256, 56, 56}, 64, 3, 2, 1);
  wide.isa = Isa::Avx512;
  CHECK_FALSE(std::get<DirectVectorPlan>(planLayer(wide, PlanOptions()).detail).deinterleave);
  // NEON's vld2q already de-interleaves in one load.
  stem.isa = Isa::Neon;
  CHECK_FALSE(std::get<DirectVectorPlan>(planLayer(stem, PlanOptions()).detail).deinterleave);
  // A depthwise layer would split as much as it computes.
  LayerSpec dw = conv("dw", {1, 96, 112, 112}, 96, 3, 2, 1);
  dw.groups = 96;
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    dw.isa = isa;
    CHECK_FALSE(std::get<DirectVectorPlan>(planLayer(dw, PlanOptions()).detail).deinterleave);
  }
}
