// Pooling layers in memory: the output size by PyTorch's rule, one axis's
// windows, the planner's interior and tables, and that the JSON report
// shows a pool's own fields (and a linear layer as linear) without a conv's.
#include <catch2/catch.hpp>

#include "convgen/config.h"
#include "convgen/emit.h"
#include "convgen/pool_plan.h"
#include "convgen/report.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace convgen;

TEST_CASE("poolOutputSize: PyTorch's formula, and ceil mode's last window", "[pool]") {
  CHECK(poolOutputSize(8, 2, 0, 2, 1, false) == 4);
  CHECK(poolOutputSize(7, 3, 1, 2, 1, false) == 4);   // floor((7+2-3)/2)+1
  CHECK(poolOutputSize(6, 3, 0, 2, 1, false) == 2);   // floor(3/2)+1
  CHECK(poolOutputSize(6, 3, 0, 2, 1, true) == 3);    // ceil(3/2)+1: starts at 4 < 6
  CHECK(poolOutputSize(6, 2, 1, 4, 1, true) == 2);    // the third would start at 8-1=7: dropped
  CHECK(poolOutputSize(9, 3, 1, 1, 2, false) == 7);   // dilated extent 5: 9+2-5+1
  CHECK(poolOutputSize(4, 3, 0, 3, 2, false) == 0);   // too small (validation rejects it)
}

TEST_CASE("axisWindow: the taps inside the input and the clipped extent", "[pool]") {
  PoolAxis a;
  a.in = 7, a.out = 4, a.kernel = 3, a.stride = 2, a.pad = 1, a.dilation = 1;
  CHECK(axisWindow(a, 0) == AxisWindow{0, 2, 3});  // start -1: taps 0, 1
  CHECK(axisWindow(a, 1) == AxisWindow{1, 3, 3});
  CHECK(axisWindow(a, 3) == AxisWindow{5, 2, 3});  // start 5: taps 5, 6; extent to 8
  a.in = 6, a.out = 2, a.kernel = 2, a.stride = 4, a.pad = 1;
  CHECK(axisWindow(a, 1) == AxisWindow{3, 2, 2});
  // Dilation: a window whose every tap is padding.
  a.in = 1, a.out = 1, a.kernel = 2, a.stride = 2, a.pad = 1, a.dilation = 2;
  CHECK(axisWindow(a, 0).count == 0);
  // adaptive: [floor(o*7/3), ceil((o+1)*7/3))
  PoolAxis ad;
  ad.in = 7, ad.out = 3, ad.adaptive = true;
  CHECK(axisWindow(ad, 0) == AxisWindow{0, 3, 3});
  CHECK(axisWindow(ad, 1) == AxisWindow{2, 3, 3});
  CHECK(axisWindow(ad, 2) == AxisWindow{4, 3, 3});
}

TEST_CASE("planPool: interior, tables up to kMaxPoolTable, the unroll budget", "[pool]") {
  PoolSpec p;
  p.name = "p";
  p.op = Op::MaxPool2d;
  p.channels = 1, p.in_height = 7, p.in_width = 7;
  p.kernel_h = p.kernel_w = 3, p.stride_h = p.stride_w = 2, p.pad_h = p.pad_w = 1;
  p.out_height = p.out_width = 4;
  PoolPlan plan = planPool(p, PlanOptions());
  CHECK(plan.rows.interior == Interval{1, 3});
  CHECK(plan.rows.table);
  CHECK(plan.rows.front == std::vector<AxisWindow>{{0, 2, 3}});
  CHECK(plan.rows.back == std::vector<AxisWindow>{{5, 2, 3}});
  CHECK(plan.border_pixels == 16 - 4);
  CHECK(plan.unrolled);
  PlanOptions small;
  small.unroll_budget = 8;  // 9 taps
  CHECK(!planPool(p, small).unrolled);
  // More border outputs than a table holds: computed.
  p.in_width = 400, p.kernel_w = 301, p.stride_w = 1, p.pad_w = 150, p.out_width = 400;
  plan = planPool(p, PlanOptions());
  CHECK(plan.cols.interior == Interval{150, 250});
  CHECK(!plan.cols.table);
  CHECK(plan.cols.front.empty());
  // adaptive, input not a multiple of the output: no interior, every window tabled.
  PoolSpec a;
  a.name = "a";
  a.op = Op::AdaptiveAvgPool2d;
  a.channels = 1, a.in_height = 8, a.in_width = 7, a.out_height = 2, a.out_width = 3;
  plan = planPool(a, PlanOptions());
  CHECK(plan.rows.interior == Interval{0, 2});  // 8 = 2 x 4: uniform
  CHECK(plan.rows.taps == 4);
  CHECK(plan.cols.interior.size() == 0);
  CHECK(plan.cols.front.size() == 3);
}

TEST_CASE("planPool: vectors along the width where every load stays in its row", "[pool]") {
  PoolSpec p;
  p.name = "p";
  p.op = Op::MaxPool2d;
  p.channels = 1, p.in_height = 4, p.in_width = 40;
  p.kernel_h = p.kernel_w = 2, p.stride_h = p.stride_w = 2;
  p.out_height = 2, p.out_width = 20;
  p.isa = Isa::Avx2;
  PoolPlan plan = planPool(p, PlanOptions());
  CHECK(plan.isa == Isa::Avx2);
  CHECK(plan.lanes == 8);
  // A vector at ow reads 2*8 columns from 2*ow (+1 for the second tap):
  // at ow = 16 it would read column 40.
  CHECK(plan.vector_cols == Interval{0, 16});
  p.isa = Isa::Scalar;
  CHECK(planPool(p, PlanOptions()).lanes == 0);
  p.isa = Isa::Avx512;  // 16 lanes: one vector of 16 columns reads 2*16 + 1 of 40
  CHECK(planPool(p, PlanOptions()).vector_cols == Interval{0, 16});
  p.stride_w = 3, p.out_width = 13;  // no strided vector loads
  CHECK(planPool(p, PlanOptions()).lanes == 0);
  p.stride_w = 2, p.out_width = 20, p.dtype = DType::Float64;  // float32 only
  CHECK(planPool(p, PlanOptions()).isa == Isa::Scalar);
}

namespace {
ModelSpec load(const std::string& text) {
  llvm::SourceMgr sm;
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "net.yaml"), llvm::SMLoc());
  Diagnostics diags(sm);
  std::optional<ModelSpec> model = loadConfig(sm, id, diags);
  REQUIRE(model);
  return *model;
}
}  // namespace

TEST_CASE("reports show pools and linear layers by their own fields", "[pool]") {
  const ModelSpec model = load(
      "namespace: t\n"
      "layers:\n"
      "  - {name: mp, op: max_pool2d, input_shape: [1, 2, 6, 6], kernel_size: 2}\n"
      "  - {name: fc, op: linear, input_shape: [1, 2, 3, 3], in_features: 18, out_features: 4}\n"
      "  - {name: gap, op: adaptive_avg_pool2d, input_shape: [2, 5, 5], output_size: 1}\n");
  REQUIRE(model.pools.size() == 2);
  REQUIRE(model.layers.size() == 1);
  CHECK(model.layers[0].source_op == Op::Linear);
  CHECK(model.layers[0].kernel == Hw{3, 3});
  CHECK(model.order == std::vector<NodeRef>{{NodeRef::Kind::Pool, 0}, {NodeRef::Kind::Conv, 0},
                                            {NodeRef::Kind::Pool, 1}});
  GenerateOptions options;
  options.format = false;
  const GeneratedModel generated = generateModel(model, options);
  std::string json_text;
  llvm::raw_string_ostream json_os(json_text);
  printGenerationReportJson(model, generated, nullptr, json_os);
  json_os.flush();
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(json_text);
  REQUIRE(bool(json));
  const llvm::json::Object& top = *json->getAsObject();
  const llvm::json::Array& layers = *top.getArray("layers");
  REQUIRE(layers.size() == 1);
  CHECK(layers[0].getAsObject()->getString("op") == llvm::StringRef("linear"));
  const llvm::json::Array& pools = *top.getArray("pools");
  REQUIRE(pools.size() == 2);
  const llvm::json::Object& mp = *pools[0].getAsObject();
  CHECK(mp.getString("name") == llvm::StringRef("mp"));
  CHECK(mp.getString("op") == llvm::StringRef("max_pool2d"));
  CHECK(mp.getString("isa") == llvm::StringRef("scalar"));
  CHECK(!mp.get("tile"));
  CHECK(!mp.get("strategy"));
  CHECK(pools[1].getAsObject()->getString("op") == llvm::StringRef("adaptive_avg_pool2d"));

  std::string text;
  llvm::raw_string_ostream os(text);
  printGenerationReport(generated, os);
  printShapesTable(model, os);
  os.flush();
  // The text reports are for people (tests read the JSON): they must run.
  CHECK(!text.empty());
  // The header: PoolInfo, the pool X-macro, linear's [N, out] output.
  const std::string& header = generated.files[0].content;
  CHECK(llvm::StringRef(header).contains("struct PoolInfo"));
  CHECK(llvm::StringRef(header).contains("_POOLS(X) X(mp) X(gap)"));
  CHECK(llvm::StringRef(header).contains("std::array<std::int64_t, 2> output_shape = {1, 4};"));
}
