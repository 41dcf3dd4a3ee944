// The kernel-name codec: every plan's name decodes back to the plan's
// KernelName, and text outside the grammar is rejected.
#include <catch2/catch.hpp>

#include "convgen/kernel_name.h"
#include "convgen/plan.h"
#include "tiny_layers.h"

using namespace convgen;

TEST_CASE("kernel names round-trip through encode and decode", "[kernel_name]") {
  std::vector<LayerSpec> layers = {conv("conv1", {1, 3, 32, 32}, 16, 3, 1, 1),
                                   conv("deep", {1, 256, 14, 14}, 256, 3, 1, 1),  // packed
                                   conv("x_2", {2, 4, 9, 13}, 6, 5, 2, 2),
                                   conv("huge_window", {1, 1, 70, 70}, 3, 60, 1, 0),
                                   conv("stem", {1, 3, 224, 224}, 64, 7, 2, 3)};  // split rows
  layers[2].dtype = DType::Int64;
  std::int64_t checked = 0;
  for (const IsaInfo& isa : isaTable())
    for (LayerSpec l : layers) {
      l.isa = isa.isa;
      for (std::int64_t budget : {16, 2048}) {
        PlanOptions options;
        options.unroll_budget = budget;
        const KernelPlan p = planLayer(l, options);
        const std::string text = p.kernelName();
        const std::optional<KernelName> back = decode(text);
        INFO(text);
        REQUIRE(back);
        CHECK(*back == p.name());
        CHECK(encode(*back) == text);
        const std::optional<KernelName> packed = decode(p.packedKernelName());
        REQUIRE(packed);
        CHECK(*packed == p.packedName());
        ++checked;
      }
    }
  CHECK(checked == std::int64_t(isaTable().size() * layers.size() * 2));
}

TEST_CASE("decode rejects text outside the grammar", "[kernel_name]") {
  REQUIRE(decode("a__avx2_direct_w8_oc4xr1v2_full"));
  REQUIRE(decode("a__avx512_channel_w16_oc32xp13_full"));
  REQUIRE(decode("a__avx512_direct_w16_oc8xr2v1d_full")->deinterleaved);
  CHECK_FALSE(decode("a__avx512_direct_w16_oc8xr2v1_full")->deinterleaved);
  for (const char* bad : {
           "", "a", "__scalar_direct_oc1xow1_full",  // no layer
           "a__avx3_direct_oc1xow1_full",            // unknown ISA
           "a__scalar_direkt_oc1xow1_full",          // unknown strategy
           "a__scalar_direct_oc01xow1_full",         // leading zero
           "a__scalar_direct_oc0xow1_full",          // zero
           "a__scalar_direct_oc1xow1_full_",         // trailing text
           "a__scalar_direct_oc1xow1_most",          // unknown window
           "a__avx2_direct_w8_oc4xow4_full",         // a vector strategy's tile is rows x vectors
           "a__scalar_direct_oc4xr1v2_full",         // and the scalar one's is columns
           "a__scalar_direct_oc1xow1d_full",         // only vector tiles split rows
           "a__avx512_channel_w16_oc32xp4d_full",
           "a__avx2_direct_w8_oc4xr1v2dd_full",
           "a__avx512_channel_w16_oc20xp4_full",     // channels not a multiple of the lanes
           "a__avx512_channel_w16_oc32xow4_full",    // a channel tile is pixels
           "a__scalar_direct_oc99999999999999999999xow1_full",
       }) {
    INFO(bad);
    CHECK_FALSE(decode(bad));
  }
}
