// Row bands (plan_bands.cpp): which layers get them, and that bands are
// row-unit boundaries covering every row, each within the cache budget.
#include <catch2/catch.hpp>

#include <algorithm>

#include "convgen/plan.h"
#include "tiny_layers.h"

using namespace convgen;

namespace {

KernelPlan plan(LayerSpec l, Isa isa, std::int64_t cache = PlanOptions().band_cache_bytes) {
  l.isa = isa;
  PlanOptions o;
  o.band_cache_bytes = cache;
  return planLayer(l, o);
}

// Bands start at 0, end at out_height, increase, and every boundary is a
// row-unit boundary; each band's input rows plus all weights fit `cache`
// unless the band is one unit.
void checkBands(const KernelPlan& p, std::int64_t cache) {
  INFO(p.kernelName());
  REQUIRE(p.bands.size() >= 3);
  CHECK(p.bands.front() == 0);
  CHECK(p.bands.back() == p.shapes.out_height);
  const std::vector<std::int64_t> units = rowUnitBoundaries(p);
  const LayerSpec& l = p.layer;
  const std::int64_t row_bytes = l.in_channels * l.in_width * 4;
  const std::int64_t weights = l.out_channels * (l.in_channels / l.groups) * l.kernel.h * l.kernel.w * 4;
  for (std::size_t b = 1; b < p.bands.size(); ++b) {
    CHECK(p.bands[b] > p.bands[b - 1]);
    CHECK(std::binary_search(units.begin(), units.end(), p.bands[b]));
    const std::int64_t rows = p.bands[b] - p.bands[b - 1];
    const std::int64_t in_rows =
        std::min(l.in_height, (rows - 1) * l.stride.h + (l.kernel.h - 1) * l.dilation.h + 1);
    const bool one_unit = std::find(units.begin(), units.end(), p.bands[b - 1])[1] == p.bands[b];
    if (!one_unit) CHECK(in_rows * row_bytes + weights <= cache);
  }
}

}  // namespace

TEST_CASE("row units: single rows outside the interior, row tiles inside", "[plan][bands]") {
  // S5 at avx2 is oc5 x r2 x v1: interior rows [1, 55) in blocks of 2.
  const KernelPlan p = plan(conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Avx2);
  const std::vector<std::int64_t> u = rowUnitBoundaries(p);
  REQUIRE(u.size() == 30);  // kRowUnits = 29 in the generated code
  CHECK(u[0] == 0);
  CHECK(u[1] == 1);
  CHECK(u[2] == 3);
  CHECK(u[28] == 55);
  CHECK(u[29] == 56);
}

TEST_CASE("row bands: layers whose input outgrows L2 get them", "[plan][bands]") {
  const std::int64_t cache = PlanOptions().band_cache_bytes;
  for (Isa isa : {Isa::Avx2, Isa::Avx512, Isa::Neon}) {
    checkBands(plan(conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), isa), cache);
    checkBands(plan(conv("s07", {1, 256, 56, 56}, 64, 1, 1, 0), isa), cache);
    checkBands(plan(conv("s04", {1, 3, 224, 224}, 64, 7, 2, 3), isa), cache);
  }
  // A tiny budget: one unit per band whatever fits.
  checkBands(plan(conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Avx2, 200 * 1024), 200 * 1024);
}

TEST_CASE("row bands: none where the order cannot matter", "[plan][bands]") {
  // Input and weights fit: one band.
  CHECK(plan(conv("small", {1, 16, 32, 32}, 16, 3, 1, 1), Isa::Avx2).bands.empty());
  // Weights fill the budget (S6: 2.4 MB of weights, a 200 KB input).
  CHECK(plan(conv("s06", {1, 256, 14, 14}, 256, 3, 1, 1), Isa::Avx2).bands.empty());
  // Depthwise: each group's input is one plane, already in cache.
  LayerSpec dw = conv("s08", {1, 144, 56, 56}, 144, 3, 1, 1);
  dw.groups = 144;
  CHECK(plan(dw, Isa::Avx2).bands.empty());
  // Turned off.
  CHECK(plan(conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Avx2, 0).bands.empty());
  // Portable code keeps its order.
  CHECK(plan(conv("s05", {1, 64, 56, 56}, 64, 3, 1, 1), Isa::Scalar).bands.empty());
}
