// Shape inference (convgen/shapes.h) against PyTorch's formulas in
// docs/semantics.md sections 3-4: table-driven over LayerSpec values built
// directly, then through loadConfig to check how 'same' and 'valid' resolve.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/shapes.h"
#include "convgen/spec.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using convgen::Hw;
using convgen::LayerShapes;
using convgen::LayerSpec;
using convgen::Padding4;
using Shape = std::vector<std::int64_t>;

namespace {

// A batched (N, C, H, W) layer; pad is top/bottom/left/right.
LayerSpec layer(Shape input, std::int64_t out_channels, Hw kernel, Hw stride = {1, 1},
                Padding4 pad = {}, Hw dilation = {1, 1}, std::int64_t groups = 1,
                bool bias = true) {
  LayerSpec l;
  l.name = "l";
  if (input.size() == 4) {
    l.batched = true;
    l.batch = input[0];
    input.erase(input.begin());
  } else {
    l.batched = false;
    l.batch = 1;
  }
  l.in_channels = input[0];
  l.in_height = input[1];
  l.in_width = input[2];
  l.out_channels = out_channels;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = pad;
  l.dilation = dilation;
  l.groups = groups;
  l.bias = bias;
  return l;
}

Padding4 same(Hw kernel, Hw dilation = {1, 1}) {
  const convgen::SidePadding h = convgen::samePadding(kernel.h, dilation.h);
  const convgen::SidePadding w = convgen::samePadding(kernel.w, dilation.w);
  return {h.front, h.back, w.front, w.back};
}

std::string str(const Shape& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

struct ShapeCase {
  const char* what;
  LayerSpec spec;
  Shape output, weight, bias;
  std::int64_t params, macs, reduction;
};

}  // namespace

TEST_CASE("convOutputSize follows floor((in + pads - d*(k-1) - 1) / s) + 1", "[shapes]") {
  struct Row {
    std::int64_t in, lo, hi, k, s, d, out;
  };
  const Row rows[] = {
      {32, 1, 1, 3, 1, 1, 32},   // S2: k3 p1 keeps the size
      {50, 4, 4, 3, 2, 3, 26},   // S3's H: (50+8-7)/2+1
      {100, 2, 2, 5, 1, 1, 100}, // S3's W
      {5, 0, 0, 3, 2, 1, 2},     // S1 with stride 2
      {5, 0, 0, 3, 1, 1, 3},     // S1
      {6, 0, 0, 3, 2, 1, 2},     // the trailing row that does not fit is dropped
      {3, 0, 0, 1, 5, 1, 1},     // stride larger than the input: 1
      {5, 0, 0, 3, 10, 1, 1},    // stride larger than the span: 1
      {4, 0, 0, 4, 1, 1, 1},     // kernel == input
      {7, 1, 2, 4, 1, 1, 7},     // 'same' with k=4: 1 + 2
      {7, 1, 2, 2, 1, 3, 7},     // 'same' with k=2 d=3: total 3
      {2, 2, 2, 5, 1, 1, 2},     // 'same', kernel larger than the input
      {8, 0, 0, 3, 1, 2, 4},     // dilation 2: extent 5
      {1, 0, 0, 1, 1, 1, 1},     // the smallest layer
      {2147483647, 0, 0, 1, 1, 1, 2147483647},
  };
  for (const Row& r : rows) {
    INFO("in=" << r.in << " pad=" << r.lo << "/" << r.hi << " k=" << r.k << " s=" << r.s
               << " d=" << r.d);
    CHECK(convgen::convOutputSize(r.in, r.lo, r.hi, r.k, r.s, r.d) == r.out);
  }
}

TEST_CASE("dilatedKernelSize is d*(k-1)+1", "[shapes]") {
  CHECK(convgen::dilatedKernelSize(1, 1) == 1);
  CHECK(convgen::dilatedKernelSize(1, 7) == 1);
  CHECK(convgen::dilatedKernelSize(3, 1) == 3);
  CHECK(convgen::dilatedKernelSize(3, 3) == 7);
  CHECK(convgen::dilatedKernelSize(2, 3) == 4);
  CHECK(convgen::dilatedKernelSize(5, 2) == 9);
}

TEST_CASE("samePadding puts an odd extra at the end", "[shapes]") {
  struct Row {
    std::int64_t k, d, front, back;
  };
  const Row rows[] = {
      {1, 1, 0, 0},  // total 0
      {1, 5, 0, 0},  // k=1: no padding whatever the dilation
      {3, 1, 1, 1},  // total 2
      {5, 1, 2, 2},  // total 4
      {4, 1, 1, 2},  // even kernel: total 3, top 1, bottom 2
      {2, 1, 0, 1},  // total 1: all of it at the end
      {2, 3, 1, 2},  // k=2 d=3: total 3 -> 1/2
      {3, 2, 2, 2},  // k=3 d=2: total 4
      {4, 3, 4, 5},  // total 9
      {6, 1, 2, 3},  // total 5
  };
  for (const Row& r : rows) {
    INFO("k=" << r.k << " d=" << r.d);
    const convgen::SidePadding p = convgen::samePadding(r.k, r.d);
    CHECK(p.front == r.front);
    CHECK(p.back == r.back);
    CHECK(p.front + p.back == r.d * (r.k - 1));
  }
}

TEST_CASE("inferShapes: outputs, weights, params and MACs", "[shapes]") {
  const ShapeCase cases[] = {
      {"S2: 1x3x32x32 -> 16, k3, p1", layer({1, 3, 32, 32}, 16, {3, 3}, {1, 1}, {1, 1, 1, 1}),
       {1, 16, 32, 32}, {16, 3, 3, 3}, {16},
       /*params=*/16 * 27 + 16, /*macs=*/16 * 32 * 32 * 27, /*reduction=*/27},
      {"S3: 20x16x50x100 -> 33, k(3,5), s(2,1), p(4,2), d(3,1)",
       layer({20, 16, 50, 100}, 33, {3, 5}, {2, 1}, {4, 4, 2, 2}, {3, 1}),
       {20, 33, 26, 100}, {33, 16, 3, 5}, {33},
       33 * 16 * 15 + 33, std::int64_t{20} * 33 * 26 * 100 * 240, 240},
      {"S1 with stride 2: 1x1x5x5 k3 s2", layer({1, 1, 5, 5}, 1, {3, 3}, {2, 2}, {}, {1, 1}, 1, false),
       {1, 1, 2, 2}, {1, 1, 3, 3}, {}, 9, 4 * 9, 9},
      {"S1: 1x1x5x5 k3", layer({1, 1, 5, 5}, 1, {3, 3}, {1, 1}, {}, {1, 1}, 1, false),
       {1, 1, 3, 3}, {1, 1, 3, 3}, {}, 9, 9 * 9, 9},
      {"'same', even kernel k=4: top/left 1, bottom/right 2",
       layer({1, 2, 7, 9}, 3, {4, 4}, {1, 1}, same({4, 4})),
       {1, 3, 7, 9}, {3, 2, 4, 4}, {3}, 3 * 32 + 3, 3 * 63 * 32, 32},
      {"'same', k=2 d=3: total 3 -> 1/2", layer({1, 1, 6, 6}, 1, {2, 2}, {1, 1}, same({2, 2}, {3, 3}), {3, 3}),
       {1, 1, 6, 6}, {1, 1, 2, 2}, {1}, 5, 36 * 4, 4},
      {"'same', kernel larger than the input", layer({1, 1, 2, 2}, 1, {5, 5}, {1, 1}, same({5, 5})),
       {1, 1, 2, 2}, {1, 1, 5, 5}, {1}, 26, 4 * 25, 25},
      {"stride larger than the input: 1x1", layer({2, 3, 4, 4}, 5, {1, 1}, {7, 9}),
       {2, 5, 1, 1}, {5, 3, 1, 1}, {5}, 20, 2 * 5 * 3, 3},
      {"stride larger than the span: 1x1", layer({1, 1, 5, 5}, 1, {3, 3}, {10, 10}),
       {1, 1, 1, 1}, {1, 1, 3, 3}, {1}, 10, 9, 9},
      {"floor drops the trailing row and column", layer({1, 1, 6, 7}, 1, {3, 3}, {2, 2}),
       {1, 1, 2, 3}, {1, 1, 3, 3}, {1}, 10, 6 * 9, 9},
      {"unbatched 3x8x8 -> 4, k3", layer({3, 8, 8}, 4, {3, 3}),
       {4, 6, 6}, {4, 3, 3, 3}, {4}, 4 * 27 + 4, 4 * 36 * 27, 27},
      {"unbatched with 'same' and dilation", layer({2, 10, 10}, 2, {3, 3}, {1, 1}, same({3, 3}, {2, 2}), {2, 2}),
       {2, 10, 10}, {2, 2, 3, 3}, {2}, 38, 2 * 100 * 18, 18},
      {"groups=2: weight (out, in/groups, kh, kw)", layer({1, 4, 8, 8}, 8, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2),
       {1, 8, 8, 8}, {8, 2, 3, 3}, {8}, 8 * 18 + 8, 8 * 64 * 18, 18},
      {"groups=4, kernel (3,5)", layer({1, 16, 10, 10}, 8, {3, 5}, {1, 1}, {}, {1, 1}, 4),
       {1, 8, 8, 6}, {8, 4, 3, 5}, {8}, 8 * 60 + 8, 8 * 48 * 60, 60},
      {"depthwise 32 channels", layer({1, 32, 112, 112}, 32, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 32, false),
       {1, 32, 112, 112}, {32, 1, 3, 3}, {}, 32 * 9, std::int64_t{32} * 112 * 112 * 9, 9},
      {"depthwise with multiplier 2", layer({1, 8, 5, 5}, 16, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 8),
       {1, 16, 3, 3}, {16, 1, 3, 3}, {16}, 16 * 9 + 16, 16 * 9 * 9, 9},
      {"pointwise 1x1", layer({2, 64, 7, 7}, 128, {1, 1}, {1, 1}, {}, {1, 1}, 1, false),
       {2, 128, 7, 7}, {128, 64, 1, 1}, {}, 128 * 64, 2 * 128 * 49 * 64, 64},
      {"asymmetric explicit padding", layer({1, 1, 4, 4}, 1, {3, 3}, {1, 1}, {0, 2, 1, 0}),
       {1, 1, 4, 3}, {1, 1, 3, 3}, {1}, 10, 12 * 9, 9},
  };
  for (const ShapeCase& c : cases) {
    INFO(c.what);
    const LayerShapes s = convgen::inferShapes(c.spec);
    CHECK(str(s.output) == str(c.output));
    CHECK(str(s.weight) == str(c.weight));
    CHECK(s.bias == c.bias);
    CHECK(s.params == c.params);
    CHECK(s.macs == c.macs);
    CHECK(s.reduction == c.reduction);
    CHECK(s.pad == c.spec.pad);
    // The input as given, and out_height/out_width consistent with output.
    CHECK(s.input.size() == s.output.size());
    CHECK(s.input.size() == (c.spec.batched ? 4u : 3u));
    CHECK(s.out_height == s.output[s.output.size() - 2]);
    CHECK(s.out_width == s.output.back());
    CHECK(convgen::elementCount(s.weight) + (c.spec.bias ? c.spec.out_channels : 0) == s.params);
    CHECK(convgen::elementCount(s.output) * s.reduction == s.macs);
  }
}

TEST_CASE("inferShapes reports the input exactly as given", "[shapes]") {
  CHECK(convgen::inferShapes(layer({3, 5, 7, 9}, 2, {1, 1})).input == Shape{3, 5, 7, 9});
  CHECK(convgen::inferShapes(layer({5, 7, 9}, 2, {1, 1})).input == Shape{5, 7, 9});
}

TEST_CASE("elementCount multiplies the dimensions", "[shapes]") {
  CHECK(convgen::elementCount({}) == 1);
  CHECK(convgen::elementCount({7}) == 7);
  CHECK(convgen::elementCount({2, 3, 4}) == 24);
  CHECK(convgen::elementCount({1, 0, 5}) == 0);
  CHECK(convgen::elementCount({32768, 32768, 2}) == (std::int64_t{1} << 31));
}

// --- Through the config reader: how 'same' and 'valid' resolve -------------

namespace {

std::optional<convgen::ModelSpec> loadText(const std::string& text,
                                           std::vector<std::string>* lines = nullptr) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "x.yaml"), llvm::SMLoc());
  std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
  if (lines) *lines = diags.lines();
  return model;
}

// One layer: `extra` holds further `key: value` lines, indented by 4.
std::string oneLayer(const std::string& input_shape, int in, int out,
                     const std::string& kernel, const std::string& extra = "") {
  return "namespace: t\nlayers:\n  - name: l\n    input_shape: " + input_shape +
         "\n    in_channels: " + std::to_string(in) + "\n    out_channels: " +
         std::to_string(out) + "\n    kernel_size: " + kernel + "\n" + extra;
}

convgen::LayerSpec loadOne(const std::string& text) {
  std::vector<std::string> lines;
  std::optional<convgen::ModelSpec> model = loadText(text, &lines);
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  INFO(text << "\ndiagnostics:\n" << all);
  REQUIRE(model.has_value());
  REQUIRE(lines.empty());
  REQUIRE(model->layers.size() == 1);
  return model->layers[0];
}

}  // namespace

TEST_CASE("'same' resolves through the config reader", "[shapes][config]") {
  struct Row {
    const char* what;
    std::string input, kernel, extra;
    Padding4 pad;
  };
  const Row rows[] = {
      {"k3", "[1, 3, 8, 8]", "3", "", {1, 1, 1, 1}},
      {"k5", "[1, 3, 8, 8]", "5", "", {2, 2, 2, 2}},
      {"even k=4: top 1, bottom 2", "[1, 3, 8, 8]", "4", "", {1, 2, 1, 2}},
      {"k=2 d=3: total 3 -> 1/2", "[1, 3, 8, 8]", "2", "    dilation: 3\n", {1, 2, 1, 2}},
      {"k(1,4)", "[1, 3, 8, 8]", "[1, 4]", "", {0, 0, 1, 2}},
      {"k(3,2) d(2,1)", "[1, 3, 8, 8]", "[3, 2]", "    dilation: [2, 1]\n", {2, 2, 0, 1}},
      {"k1: no padding", "[1, 3, 8, 8]", "1", "", {0, 0, 0, 0}},
      {"kernel larger than the input (zeros)", "[1, 3, 2, 3]", "[5, 7]", "", {2, 2, 3, 3}},
      {"the same split in reflect mode", "[1, 3, 8, 8]", "4",
       "    padding_mode: reflect\n", {1, 2, 1, 2}},
      {"the same split in circular mode", "[1, 3, 8, 8]", "[2, 4]", "    padding_mode: circular\n",
       {0, 1, 1, 2}},
      {"unbatched", "[3, 6, 5]", "[2, 6]", "    padding_mode: replicate\n", {0, 1, 2, 3}},
      {"explicit stride 1 is allowed", "[1, 3, 8, 8]", "3", "    stride: [1, 1]\n", {1, 1, 1, 1}},
  };
  for (const char* spelling : {"same", "'same'", "\"same\""}) {
    for (const Row& r : rows) {
      INFO(r.what << ", padding: " << spelling);
      const LayerSpec l = loadOne(oneLayer(r.input, 3, 6, r.kernel,
                                           r.extra + "    padding: " + spelling + "\n"));
      CHECK(l.padding_kind == convgen::PaddingKind::Same);
      CHECK(l.pad == r.pad);
      const LayerShapes s = convgen::inferShapes(l);
      // 'same' keeps the spatial size.
      CHECK(s.out_height == l.in_height);
      CHECK(s.out_width == l.in_width);
      CHECK(s.pad == r.pad);
    }
  }
}

TEST_CASE("'valid' resolves to no padding, with any stride", "[shapes][config]") {
  const LayerSpec l = loadOne(oneLayer("[1, 3, 9, 9]", 3, 4, "3", "    padding: valid\n"));
  CHECK(l.padding_kind == convgen::PaddingKind::Valid);
  CHECK(l.pad == Padding4{0, 0, 0, 0});
  CHECK(convgen::inferShapes(l).output == Shape{1, 4, 7, 7});

  const LayerSpec strided =
      loadOne(oneLayer("[1, 3, 9, 9]", 3, 4, "3", "    padding: valid\n    stride: [2, 3]\n"));
  CHECK(strided.padding_kind == convgen::PaddingKind::Valid);
  CHECK(strided.pad == Padding4{0, 0, 0, 0});
  CHECK(convgen::inferShapes(strided).output == Shape{1, 4, 4, 3});

  const LayerSpec circular =
      loadOne(oneLayer("[1, 3, 9, 9]", 3, 4, "3", "    padding: valid\n    padding_mode: circular\n"));
  CHECK(circular.pad == Padding4{0, 0, 0, 0});
}

TEST_CASE("explicit padding resolves per side", "[shapes][config]") {
  const LayerSpec one = loadOne(oneLayer("[1, 3, 8, 8]", 3, 4, "3", "    padding: 2\n"));
  CHECK(one.padding_kind == convgen::PaddingKind::Explicit);
  CHECK(one.pad == Padding4{2, 2, 2, 2});
  const LayerSpec pair = loadOne(oneLayer("[1, 3, 8, 8]", 3, 4, "3", "    padding: [1, 2]\n"));
  CHECK(pair.pad == Padding4{1, 1, 2, 2});
  CHECK(convgen::inferShapes(pair).output == Shape{1, 4, 8, 10});
  // A 1-element list is broadcast in zeros mode.
  const LayerSpec single = loadOne(oneLayer("[1, 3, 8, 8]", 3, 4, "3", "    padding: [1]\n"));
  CHECK(single.pad == Padding4{1, 1, 1, 1});
  const LayerSpec none = loadOne(oneLayer("[1, 3, 8, 8]", 3, 4, "3"));
  CHECK(none.padding_kind == convgen::PaddingKind::Explicit);
  CHECK(none.pad == Padding4{0, 0, 0, 0});
}

TEST_CASE("the seed configs' shapes through the reader", "[shapes][config]") {
  // S3, as written in configs/seeds.yaml.
  const LayerSpec s3 = loadOne(oneLayer("[20, 16, 50, 100]", 16, 33, "[3, 5]",
                                        "    stride: [2, 1]\n    padding: [4, 2]\n"
                                        "    dilation: [3, 1]\n"));
  const LayerShapes s = convgen::inferShapes(s3);
  CHECK(s.output == Shape{20, 33, 26, 100});
  CHECK(s.weight == Shape{33, 16, 3, 5});
  CHECK(s.pad == Padding4{4, 4, 2, 2});
  CHECK(s.params == 33 * 16 * 15 + 33);
  CHECK(s.macs == std::int64_t{20} * 33 * 26 * 100 * 16 * 15);

  const LayerSpec dw = loadOne(oneLayer("[64, 25, 5]", 64, 64, "3", "    padding: same\n    groups: 64\n"));
  const LayerShapes d = convgen::inferShapes(dw);
  CHECK_FALSE(dw.batched);
  CHECK(d.output == Shape{64, 25, 5});
  CHECK(d.weight == Shape{64, 1, 3, 3});
  CHECK(d.reduction == 9);
}

// What validation accepts, inferShapes computes without overflow: at the
// bounds (config.h) every tensor has at most 2^31 elements, so one layer's
// MACs stay below 2^62 and the model's totals are checked as well. This
// layer maximises both factors: an output of 2^31 - 65534 elements, each
// summing 2^31 products (padding makes the output large for a tiny input).
TEST_CASE("the largest layers validation accepts have exact shapes and MACs", "[shapes][config]") {
  const std::string big = "[1, 1, 1, 2]";
  const std::string extra = "    padding: [1073725440, 32767]\n";
  const LayerSpec l = loadOne(oneLayer(big, 1, 1, "[32768, 65536]", extra));
  const LayerShapes s = convgen::inferShapes(l);
  const std::int64_t out_h = 2147418114;  // 1 + 2 * 1073725440 - 32768 + 1
  CHECK(s.output == Shape{1, 1, out_h, 1});
  CHECK(s.weight == Shape{1, 1, 32768, 65536});
  CHECK(s.reduction == (std::int64_t{1} << 31));
  CHECK(s.params == (std::int64_t{1} << 31) + 1);
  CHECK(s.macs == out_h * (std::int64_t{1} << 31));
  CHECK(s.macs > (std::int64_t{1} << 61));  // close to the 2^62 bound

  // Two such layers still fit the model's int64 totals; a third does not.
  auto model = [&](int layers) {
    std::string text = "namespace: t\nlayers:\n";
    for (int i = 0; i < layers; ++i)
      text += "  - {name: l" + std::to_string(i) + ", input_shape: " + big +
              ", in_channels: 1, out_channels: 1, kernel_size: [32768, 65536], padding: "
              "[1073725440, 32767], bias: false}\n";
    return text;
  };
  std::vector<std::string> lines;
  CHECK(loadText(model(2), &lines).has_value());
  CHECK(lines.empty());
  CHECK_FALSE(loadText(model(3), &lines).has_value());
  CHECK(lines == std::vector<std::string>{
                     "x.yaml:5:5: error: the model's total multiply-accumulates or parameters "
                     "exceed 9223372036854775807 with this layer, more than convgen supports"});

  // One more row of padding and the padded height passes 2^31-1.
  CHECK_FALSE(loadText(oneLayer(big, 1, 1, "[32768, 65536]", "    padding: [1073741824, 32767]\n"),
                       &lines)
                  .has_value());
  CHECK(lines == std::vector<std::string>{
                     "x.yaml:8:14: error: the padded input is 2147483649 x 65536; convgen supports "
                     "padded sizes up to 2147483647"});
}

TEST_CASE("convExtent checks every step for overflow and for a kernel that does not fit",
          "[shapes]") {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // The ordinary case agrees with convOutputSize.
  const convgen::ConvExtent e = convgen::convExtent(10, 1, 2, 3, 2, 2);
  REQUIRE(e.padded.has_value());
  REQUIRE(e.dilated_kernel.has_value());
  REQUIRE(e.output.has_value());
  CHECK(*e.padded == 13);
  CHECK(*e.dilated_kernel == 5);
  CHECK(*e.output == 5);  // floor((13 - 5) / 2) + 1
  CHECK(*e.output == convgen::convOutputSize(10, 1, 2, 3, 2, 2));
  // The kernel exactly as large as the padded input: one output.
  CHECK(convgen::convExtent(5, 0, 0, 5, 1, 1).output == std::optional<std::int64_t>(1));
  // One larger: none.
  const convgen::ConvExtent too_big = convgen::convExtent(4, 0, 0, 5, 1, 1);
  CHECK(too_big.padded == std::optional<std::int64_t>(4));
  CHECK(too_big.dilated_kernel == std::optional<std::int64_t>(5));
  CHECK_FALSE(too_big.output.has_value());
  // Stride 0 has no output size.
  CHECK_FALSE(convgen::convExtent(8, 0, 0, 3, 0, 1).output.has_value());
  // Overflow in the padded size, and in the dilated kernel.
  const convgen::ConvExtent pad_overflow = convgen::convExtent(kMax, 1, 0, 1, 1, 1);
  CHECK_FALSE(pad_overflow.padded.has_value());
  CHECK_FALSE(pad_overflow.output.has_value());
  CHECK_FALSE(convgen::convExtent(kMax - 1, 1, 1, 1, 1, 1).padded.has_value());
  const convgen::ConvExtent dil_overflow = convgen::convExtent(8, 0, 0, kMax / 2, 1, 3);
  CHECK_FALSE(dil_overflow.dilated_kernel.has_value());
  CHECK_FALSE(dil_overflow.output.has_value());
  CHECK_FALSE(convgen::convExtent(8, 0, 0, 2, 1, kMax).dilated_kernel.has_value());
  // The largest sums that fit still give exact results.
  const convgen::ConvExtent edge = convgen::convExtent(kMax - 2, 1, 1, 1, 1, 1);
  CHECK(edge.padded == std::optional<std::int64_t>(kMax));
  CHECK(edge.output == std::optional<std::int64_t>(kMax));
}

TEST_CASE("checkedElementCount refuses a product that overflows", "[shapes]") {
  CHECK(convgen::checkedElementCount({}) == std::optional<std::int64_t>(1));
  CHECK(convgen::checkedElementCount({3037000499, 3037000499}) ==
        std::optional<std::int64_t>(std::int64_t{3037000499} * 3037000499));
  CHECK_FALSE(convgen::checkedElementCount({3037000500, 3037000500}).has_value());
  CHECK_FALSE(convgen::checkedElementCount({std::int64_t{1} << 32, std::int64_t{1} << 31}).has_value());
  // A zero after an overflowing prefix does not hide it.
  CHECK_FALSE(convgen::checkedElementCount({std::int64_t{1} << 40, std::int64_t{1} << 40, 0}).has_value());
}
