// Tests of the reference convolution (runtime/src/reference.cpp), the oracle
// every generated kernel is checked against. The forward pass is pinned by
// hand-worked examples (padded matrices written out in the comments); the
// backward pass by the adjoint identity
//   <grad_out, conv(x, w)> = <grad_in, x> = <grad_w, w>
// (a bias-free conv is linear in x and in w) plus small hand-computed cases.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "convgen/reference.h"
#include "convgen/reference_epilogue.h"

using convgen::ref::Conv2dParams;
using convgen::ref::PaddingMode;

namespace {

constexpr std::uint32_t kSeed = 20240611u;

const char* modeName(PaddingMode m) {
  switch (m) {
    case PaddingMode::Zeros: return "zeros";
    case PaddingMode::Reflect: return "reflect";
    case PaddingMode::Replicate: return "replicate";
    case PaddingMode::Circular: return "circular";
  }
  return "?";
}

std::string describe(const Conv2dParams& p) {
  return std::string("N=") + std::to_string(p.batch) + " Cin=" + std::to_string(p.in_channels) +
         " H=" + std::to_string(p.in_height) + " W=" + std::to_string(p.in_width) +
         " Cout=" + std::to_string(p.out_channels) + " k=" + std::to_string(p.kernel_h) + "x" +
         std::to_string(p.kernel_w) + " s=" + std::to_string(p.stride_h) + "," +
         std::to_string(p.stride_w) + " d=" + std::to_string(p.dilation_h) + "," +
         std::to_string(p.dilation_w) + " pad(t,b,l,r)=" + std::to_string(p.pad_top) + "," +
         std::to_string(p.pad_bottom) + "," + std::to_string(p.pad_left) + "," +
         std::to_string(p.pad_right) + " g=" + std::to_string(p.groups) + " mode=" +
         modeName(p.padding_mode);
}

std::size_t inputSize(const Conv2dParams& p) {
  return static_cast<std::size_t>(p.batch * p.in_channels * p.in_height * p.in_width);
}
std::size_t weightSize(const Conv2dParams& p) {
  return static_cast<std::size_t>(p.out_channels * (p.in_channels / p.groups) * p.kernel_h *
                                  p.kernel_w);
}
std::size_t outputSize(const Conv2dParams& p) {
  return static_cast<std::size_t>(p.batch * p.out_channels * convgen::ref::outputHeight(p) *
                                  convgen::ref::outputWidth(p));
}

template <typename T>
std::vector<T> forward(const Conv2dParams& p, const std::vector<T>& x, const std::vector<T>& w,
                       const std::vector<T>* b = nullptr) {
  REQUIRE(x.size() == inputSize(p));
  REQUIRE(w.size() == weightSize(p));
  if (b) REQUIRE(b->size() == static_cast<std::size_t>(p.out_channels));
  std::vector<T> y(outputSize(p), T(-77));  // garbage: every element must be written
  convgen::ref::conv2dForward<T>(p, x.data(), w.data(), b ? b->data() : nullptr, y.data());
  return y;
}

template <typename T>
struct Grads {
  std::vector<T> input, weight, bias;
};

template <typename T>
Grads<T> backward(const Conv2dParams& p, const std::vector<T>& x, const std::vector<T>& w,
                  const std::vector<T>& gy) {
  REQUIRE(gy.size() == outputSize(p));
  // Pre-filled with garbage: the outputs are overwritten, not accumulated into.
  Grads<T> g{std::vector<T>(inputSize(p), T(55)), std::vector<T>(weightSize(p), T(55)),
             std::vector<T>(static_cast<std::size_t>(p.out_channels), T(55))};
  convgen::ref::conv2dBackward<T>(p, x.data(), w.data(), gy.data(), g.input.data(),
                                  g.weight.data(), g.bias.data());
  return g;
}

// Concatenate rows into a flat NCHW-ordered vector.
template <typename T>
std::vector<T> flat(std::initializer_list<std::initializer_list<T>> rows) {
  std::vector<T> v;
  for (const auto& r : rows) v.insert(v.end(), r.begin(), r.end());
  return v;
}
template <typename T>
std::vector<T> cat(std::initializer_list<std::vector<T>> parts) {
  std::vector<T> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

Conv2dParams single(std::int64_t h, std::int64_t w, std::int64_t kh, std::int64_t kw) {
  Conv2dParams p;
  p.in_height = h;
  p.in_width = w;
  p.kernel_h = kh;
  p.kernel_w = kw;
  return p;
}

// The 5x5 worked example.
template <typename T>
std::vector<T> example5x5() {
  return flat<T>({{1, 2, 0, 3, 1}, {0, 1, 2, 3, 1}, {1, 2, 1, 0, 0}, {5, 2, 3, 1, 1}, {2, 1, 0, 1, 1}});
}
template <typename T>
std::vector<T> kernel3x3() {
  return flat<T>({{1, 2, 1}, {0, 1, 0}, {2, 1, 0}});
}

// x = [[1,2,3,4],[5,6,7,8],[9,10,11,12]] (3x4), used by the padding-mode tests.
template <typename T>
std::vector<T> x3x4() {
  return flat<T>({{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
}
template <typename T>
std::vector<T> x3x3() {
  return flat<T>({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
}

Conv2dParams identityPad(PaddingMode mode, std::int64_t t, std::int64_t b, std::int64_t l,
                         std::int64_t r) {
  Conv2dParams p = single(3, 4, 1, 1);  // 1x1 kernel of weight 1: the output is the padded input
  p.padding_mode = mode;
  p.pad_top = t;
  p.pad_bottom = b;
  p.pad_left = l;
  p.pad_right = r;
  return p;
}

}  // namespace

// ---------------------------------------------------------------------------
// Output sizes

TEST_CASE("output size follows floor((H + t + b - d(k-1) - 1)/s) + 1", "[reference][shape]") {
  Conv2dParams p = single(5, 5, 3, 3);
  CHECK(convgen::ref::outputHeight(p) == 3);
  CHECK(convgen::ref::outputWidth(p) == 3);
  p.stride_h = 2;
  p.stride_w = 3;  // (5-3)/3 = 0 -> 1
  CHECK(convgen::ref::outputHeight(p) == 2);
  CHECK(convgen::ref::outputWidth(p) == 1);
  p = single(8, 9, 3, 2);
  p.dilation_h = 3;  // 8 + 1 + 2 - 6 - 1 = 4 -> /2 -> 2 + 1 = 3
  p.pad_top = 1;
  p.pad_bottom = 2;
  p.stride_h = 2;
  p.pad_left = 0;  // 9 + 1 - 2 - 1 = 7 -> /1 + 1 = 8
  p.pad_right = 1;
  p.dilation_w = 2;
  CHECK(convgen::ref::outputHeight(p) == 3);
  CHECK(convgen::ref::outputWidth(p) == 8);
  p = single(4, 4, 1, 1);
  p.stride_h = p.stride_w = 10;  // stride larger than the input: 1x1
  CHECK(convgen::ref::outputHeight(p) == 1);
  CHECK(convgen::ref::outputWidth(p) == 1);
}

// ---------------------------------------------------------------------------
// The 5x5 worked example

TEMPLATE_TEST_CASE("5x5 worked example", "[reference][forward]", std::int64_t, float) {
  const auto x = example5x5<TestType>();
  const auto w = kernel3x3<TestType>();
  Conv2dParams p = single(5, 5, 3, 3);

  SECTION("stride 1") {
    CHECK(forward(p, x, w) == flat<TestType>({{10, 12, 12}, {18, 16, 16}, {13, 9, 3}}));
  }
  SECTION("stride 2") {
    p.stride_h = p.stride_w = 2;
    CHECK(forward(p, x, w) == flat<TestType>({{10, 12}, {13, 3}}));
  }
  SECTION("padding 1") {
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    CHECK(forward(p, x, w) == flat<TestType>({{1, 3, 4, 10, 8},
                                              {5, 10, 12, 12, 6},
                                              {7, 18, 16, 16, 8},
                                              {11, 13, 9, 3, 4},
                                              {14, 13, 9, 7, 4}}));
  }
  SECTION("bias is added once per output") {
    const std::vector<TestType> b{TestType(100)};
    CHECK(forward(p, x, w, &b) == flat<TestType>({{110, 112, 112}, {118, 116, 116}, {113, 109, 103}}));
  }
}

TEMPLATE_TEST_CASE("int32 and double agree with the worked example", "[reference][forward]",
                   std::int32_t, double) {
  Conv2dParams p = single(5, 5, 3, 3);
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.stride_h = 2;  // rows 0, 2, 4 of the padding-1 result
  CHECK(forward(p, example5x5<TestType>(), kernel3x3<TestType>()) ==
        flat<TestType>({{1, 3, 4, 10, 8}, {7, 18, 16, 16, 8}, {14, 13, 9, 7, 4}}));
}

// ---------------------------------------------------------------------------
// Padding modes. A 1x1 kernel of weight 1 makes the output equal to the
// explicitly padded input, so these tests show F.pad's result directly.
// x = [[ 1,  2,  3,  4],
//      [ 5,  6,  7,  8],
//      [ 9, 10, 11, 12]]

TEMPLATE_TEST_CASE("reflect padding mirrors without repeating the edge", "[reference][forward][pad]",
                   std::int64_t, double) {
  // top=2 (= H-1, the largest legal), bottom=1, left=1, right=3 (= W-1).
  // Padded rows come from x rows [2,1 | 0,1,2 | 1]; columns from [1 | 0,1,2,3 | 2,1,0].
  const auto p = identityPad(PaddingMode::Reflect, 2, 1, 1, 3);
  CHECK(forward(p, x3x4<TestType>(), std::vector<TestType>{1}) ==
        flat<TestType>({{10, 9, 10, 11, 12, 11, 10, 9},
                        {6, 5, 6, 7, 8, 7, 6, 5},
                        {2, 1, 2, 3, 4, 3, 2, 1},
                        {6, 5, 6, 7, 8, 7, 6, 5},
                        {10, 9, 10, 11, 12, 11, 10, 9},
                        {6, 5, 6, 7, 8, 7, 6, 5}}));
}

TEMPLATE_TEST_CASE("replicate padding repeats the edge", "[reference][forward][pad]", std::int64_t,
                   double) {
  // top=1, bottom=4 (more than H: allowed), left=2, right=1.
  // Rows from [0 | 0,1,2 | 2,2,2,2]; columns from [0,0 | 0,1,2,3 | 3].
  const auto p = identityPad(PaddingMode::Replicate, 1, 4, 2, 1);
  CHECK(forward(p, x3x4<TestType>(), std::vector<TestType>{1}) ==
        flat<TestType>({{1, 1, 1, 2, 3, 4, 4},
                        {1, 1, 1, 2, 3, 4, 4},
                        {5, 5, 5, 6, 7, 8, 8},
                        {9, 9, 9, 10, 11, 12, 12},
                        {9, 9, 9, 10, 11, 12, 12},
                        {9, 9, 9, 10, 11, 12, 12},
                        {9, 9, 9, 10, 11, 12, 12},
                        {9, 9, 9, 10, 11, 12, 12}}));
}

TEMPLATE_TEST_CASE("circular padding wraps around", "[reference][forward][pad]", std::int64_t, double) {
  // top=3 (= H, the largest legal), bottom=1, left=1, right=4 (= W).
  // Rows from [0,1,2 | 0,1,2 | 0]; columns from [3 | 0,1,2,3 | 0,1,2,3].
  const auto p = identityPad(PaddingMode::Circular, 3, 1, 1, 4);
  const auto r0 = flat<TestType>({{4, 1, 2, 3, 4, 1, 2, 3, 4}});
  const auto r1 = flat<TestType>({{8, 5, 6, 7, 8, 5, 6, 7, 8}});
  const auto r2 = flat<TestType>({{12, 9, 10, 11, 12, 9, 10, 11, 12}});
  CHECK(forward(p, x3x4<TestType>(), std::vector<TestType>{1}) == cat({r0, r1, r2, r0, r1, r2, r0}));
}

TEMPLATE_TEST_CASE("zeros padding is implicit zeros, asymmetric sides respected",
                   "[reference][forward][pad]", std::int64_t, double) {
  const auto p = identityPad(PaddingMode::Zeros, 0, 2, 1, 0);
  CHECK(forward(p, x3x4<TestType>(), std::vector<TestType>{1}) ==
        flat<TestType>({{0, 1, 2, 3, 4},
                        {0, 5, 6, 7, 8},
                        {0, 9, 10, 11, 12},
                        {0, 0, 0, 0, 0},
                        {0, 0, 0, 0, 0}}));
}

TEMPLATE_TEST_CASE("a 2x2 kernel over a reflect-padded input", "[reference][forward][pad]",
                   std::int64_t, float) {
  // x = [[1,2,3],[4,5,6],[7,8,9]], reflect pad 1:
  //   P = [[5,4,5,6,5],
  //        [2,1,2,3,2],
  //        [5,4,5,6,5],
  //        [8,7,8,9,8],
  //        [5,4,5,6,5]]
  // w = [[1,2],[3,4]]: y[i][j] = P[i][j] + 2P[i][j+1] + 3P[i+1][j] + 4P[i+1][j+1].
  Conv2dParams p = single(3, 3, 2, 2);
  p.padding_mode = PaddingMode::Reflect;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  CHECK(forward(p, x3x3<TestType>(), flat<TestType>({{1, 2}, {3, 4}})) ==
        flat<TestType>({{23, 25, 35, 33}, {35, 37, 47, 45}, {65, 67, 77, 75}, {53, 55, 65, 63}}));
}

TEMPLATE_TEST_CASE("asymmetric 'same' padding of an even kernel puts the extra row/column at the end",
                   "[reference][forward][pad]", std::int64_t, float) {
  // 'same' with k=2, d=1: total 1 -> top/left 0, bottom/right 1. w = [[1,2],[3,4]].
  Conv2dParams p = single(3, 3, 2, 2);
  p.pad_bottom = p.pad_right = 1;
  const auto w = flat<TestType>({{1, 2}, {3, 4}});

  SECTION("zeros") {
    // Padded: [[1,2,3,0],[4,5,6,0],[7,8,9,0],[0,0,0,0]]
    CHECK(forward(p, x3x3<TestType>(), w) ==
          flat<TestType>({{37, 47, 21}, {67, 77, 33}, {23, 26, 9}}));
  }
  SECTION("reflect") {
    // Padded: [[1,2,3,2],[4,5,6,5],[7,8,9,8],[4,5,6,5]]
    p.padding_mode = PaddingMode::Reflect;
    CHECK(forward(p, x3x3<TestType>(), w) ==
          flat<TestType>({{37, 47, 45}, {67, 77, 75}, {55, 65, 63}}));
  }
  SECTION("replicate") {
    // Padded: [[1,2,3,3],[4,5,6,6],[7,8,9,9],[7,8,9,9]]
    p.padding_mode = PaddingMode::Replicate;
    CHECK(forward(p, x3x3<TestType>(), w) ==
          flat<TestType>({{37, 47, 51}, {67, 77, 81}, {76, 86, 90}}));
  }
  SECTION("circular") {
    // Padded: [[1,2,3,1],[4,5,6,4],[7,8,9,7],[1,2,3,1]]
    p.padding_mode = PaddingMode::Circular;
    CHECK(forward(p, x3x3<TestType>(), w) ==
          flat<TestType>({{37, 47, 39}, {67, 77, 69}, {34, 44, 36}}));
  }
}

// ---------------------------------------------------------------------------
// Groups, dilation, bias, batch

TEMPLATE_TEST_CASE("groups are contiguous channel blocks", "[reference][forward][groups]",
                   std::int64_t, double) {
  // C_in = 4, C_out = 4, groups = 2, 1x1 kernel: o = 0,1 read channels 0,1; o = 2,3 read 2,3.
  // Input channel c = (c+1) * M with M = [[1,2],[3,4]].
  Conv2dParams p = single(2, 2, 1, 1);
  p.in_channels = 4;
  p.out_channels = 4;
  p.groups = 2;
  std::vector<TestType> x;
  for (int c = 0; c < 4; ++c)
    for (int v = 1; v <= 4; ++v) x.push_back(TestType((c + 1) * v));
  const std::vector<TestType> w{1, 10, 2, 20, 100, 1000, 200, 2000};  // (4, 2, 1, 1)
  // o0 = 1*1M + 10*2M = 21M; o1 = 42M; o2 = 100*3M + 1000*4M = 4300M; o3 = 8600M.
  std::vector<TestType> expected;
  for (int k : {21, 42, 4300, 8600})
    for (int v = 1; v <= 4; ++v) expected.push_back(TestType(k * v));
  CHECK(forward(p, x, w) == expected);
}

TEMPLATE_TEST_CASE("depthwise convolution", "[reference][forward][groups]", std::int64_t, float) {
  // Two channels, groups = 2, one 2x2 filter each; channel multiplier 2 in the second section.
  Conv2dParams p = single(3, 3, 2, 2);
  p.in_channels = 2;
  p.groups = 2;
  const auto ch0 = x3x3<TestType>();
  const auto ch1 = flat<TestType>({{9, 8, 7}, {6, 5, 4}, {3, 2, 1}});
  const auto x = cat({ch0, ch1});
  const auto topLeft = flat<TestType>({{1, 0}, {0, 0}});
  const auto bottomRight = flat<TestType>({{0, 0}, {0, 1}});

  SECTION("multiplier 1") {
    p.out_channels = 2;
    // y0 = top-left 2x2 window corner of ch0; y1 = bottom-right corner of ch1.
    CHECK(forward(p, x, cat({topLeft, bottomRight})) ==
          flat<TestType>({{1, 2}, {4, 5}, {5, 4}, {2, 1}}));
  }
  SECTION("multiplier 2") {
    p.out_channels = 4;  // outputs 0,1 read ch0; 2,3 read ch1
    CHECK(forward(p, x, cat({topLeft, bottomRight, topLeft, bottomRight})) ==
          flat<TestType>({{1, 2}, {4, 5}, {5, 6}, {8, 9}, {9, 8}, {6, 5}, {5, 4}, {2, 1}}));
  }
}

TEMPLATE_TEST_CASE("dilation spaces the kernel taps", "[reference][forward][dilation]", std::int64_t,
                   double) {
  // On the 5x5 example, w = [[1,2],[3,4]]:
  const auto x = example5x5<TestType>();
  const auto w = flat<TestType>({{1, 2}, {3, 4}});
  SECTION("dilation 2: y[i][j] = x[i][j] + 2x[i][j+2] + 3x[i+2][j] + 4x[i+2][j+2]") {
    Conv2dParams p = single(5, 5, 2, 2);
    p.dilation_h = p.dilation_w = 2;
    CHECK(forward(p, x, w) == flat<TestType>({{8, 14, 5}, {31, 17, 17}, {9, 9, 5}}));
  }
  SECTION("dilation (3,1), stride (1,2): y[i][j] = x[i][2j] + 2x[i][2j+1] + 3x[i+3][2j] + 4x[i+3][2j+1]") {
    Conv2dParams p = single(5, 5, 2, 2);
    p.dilation_h = 3;
    p.stride_w = 2;
    // i=0: rows 0,3: j0: 1+4+15+8=28, j1: 0+6+9+4=19
    // i=1: rows 1,4: j0: 0+2+6+4=12,  j1: 2+6+0+4=12
    CHECK(forward(p, x, w) == flat<TestType>({{28, 19}, {12, 12}}));
  }
}

TEMPLATE_TEST_CASE("bias per output channel", "[reference][forward][bias]", std::int64_t, float) {
  // 2 input channels, 3 output channels, 1x1 kernels, 1x2 image.
  Conv2dParams p = single(1, 2, 1, 1);
  p.in_channels = 2;
  p.out_channels = 3;
  const auto x = flat<TestType>({{1, 2}, {3, 4}});
  const std::vector<TestType> w{1, 1, 1, -1, 0, 0};  // o0 = c0+c1, o1 = c0-c1, o2 = 0
  const std::vector<TestType> b{10, -20, 7};
  CHECK(forward(p, x, w, &b) == flat<TestType>({{14, 16}, {-22, -22}, {7, 7}}));
  CHECK(forward(p, x, w) == flat<TestType>({{4, 6}, {-2, -2}, {0, 0}}));
}

TEMPLATE_TEST_CASE("batch elements are independent", "[reference][forward][batch]", std::int64_t,
                   float) {
  // Batch of 3: the example, twice the example, and the example minus 1, circular pad 1.
  Conv2dParams p = single(5, 5, 3, 3);
  p.batch = 3;
  p.padding_mode = PaddingMode::Circular;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  const auto x0 = example5x5<TestType>();
  auto x1 = x0, x2 = x0;
  for (auto& v : x1) v *= 2;
  for (auto& v : x2) v -= 1;
  const auto w = kernel3x3<TestType>();
  const std::vector<TestType> b{3};

  Conv2dParams one = p;
  one.batch = 1;
  const auto y0 = forward(one, x0, w, &b), y1 = forward(one, x1, w, &b),
             y2 = forward(one, x2, w, &b);
  CHECK(forward(p, cat({x0, x1, x2}), w, &b) == cat({y0, y1, y2}));
  // conv(2x) + b = 2(conv(x) + b) - b; conv(x - 1) + b = conv(x) + b - sum(w) (circular: every
  // window sees 9 real elements, sum(w) = 8).
  for (std::size_t k = 0; k < y0.size(); ++k) {
    CAPTURE(k);
    CHECK(y1[k] == 2 * y0[k] - 3);
    CHECK(y2[k] == y0[k] - 8);
  }
  // Spot value: top-left of the circularly padded example: window rows [4,0,1], cols [4,0,1]:
  // [[1,2,1],[1,1,2],[1,0,1]] . w = 1+4+1 + 0+1+0 + 2+0+0 = 9, plus bias 3.
  CHECK(y0[0] == 12);
}

// ---------------------------------------------------------------------------
// Integer wraparound

TEST_CASE("int32 arithmetic wraps modulo 2^32", "[reference][forward][int]") {
  constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
  constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
  Conv2dParams p = single(1, 2, 1, 2);  // 1x2 kernel over a 1x2 image: one output, x0*w0 + x1*w1

  CHECK(forward(p, std::vector<std::int32_t>{kMax, 1}, std::vector<std::int32_t>{1, 1}) ==
        std::vector<std::int32_t>{kMin});  // 2^31 - 1 + 1
  CHECK(forward(p, std::vector<std::int32_t>{65536, 0}, std::vector<std::int32_t>{65536, 0}) ==
        std::vector<std::int32_t>{0});  // 2^32
  CHECK(forward(p, std::vector<std::int32_t>{kMax, 0}, std::vector<std::int32_t>{2, 0}) ==
        std::vector<std::int32_t>{-2});  // 2^32 - 2
  CHECK(forward(p, std::vector<std::int32_t>{kMin, kMin}, std::vector<std::int32_t>{-1, 1}) ==
        std::vector<std::int32_t>{0});  // -kMin wraps to kMin, then kMin + kMin = 0
  const std::vector<std::int32_t> b{-1};
  CHECK(forward(p, std::vector<std::int32_t>{kMin, 0}, std::vector<std::int32_t>{1, 0}, &b) ==
        std::vector<std::int32_t>{kMax});  // bias -1 wraps below kMin
  // Backward wraps too: grad_bias = sum of grad_out, grad_w = x * grad_out.
  const auto g = backward(p, std::vector<std::int32_t>{kMax, 3}, std::vector<std::int32_t>{4, 0},
                          std::vector<std::int32_t>{2});
  CHECK(g.weight == std::vector<std::int32_t>{-2, 6});
  CHECK(g.input == std::vector<std::int32_t>{8, 0});
  CHECK(g.bias == std::vector<std::int32_t>{2});
}

TEST_CASE("int64 arithmetic wraps modulo 2^64", "[reference][forward][int]") {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  Conv2dParams p = single(1, 2, 1, 2);
  CHECK(forward(p, std::vector<std::int64_t>{kMax, 1}, std::vector<std::int64_t>{1, 1}) ==
        std::vector<std::int64_t>{kMin});
  CHECK(forward(p, std::vector<std::int64_t>{std::int64_t(1) << 32, 0},
                std::vector<std::int64_t>{std::int64_t(1) << 32, 0}) == std::vector<std::int64_t>{0});
  CHECK(forward(p, std::vector<std::int64_t>{kMax, 0}, std::vector<std::int64_t>{kMax, 0}) ==
        std::vector<std::int64_t>{1});  // (2^63-1)^2 = 2^126 - 2^64 + 1 = 1 mod 2^64
}

TEST_CASE("float accumulates in double and rounds once", "[reference][forward][backward][float]") {
  // 1 + 2^-24 + 2^-24 = 1 + 2^-23 exactly (representable in float). Summed in float from the
  // left, each 1 + 2^-24 rounds (ties to even) back to 1.
  const float tiny = std::ldexp(1.0f, -24);
  const float expected = 1.0f + std::ldexp(1.0f, -23);
  Conv2dParams p = single(1, 3, 1, 3);
  CHECK(forward(p, std::vector<float>{1, tiny, tiny}, std::vector<float>{1, 1, 1}) ==
        std::vector<float>{expected});
  const std::vector<float> b{1};
  CHECK(forward(p, std::vector<float>{tiny, tiny, 0}, std::vector<float>{1, 1, 1}, &b) ==
        std::vector<float>{expected});
  // Backward: grad_bias and grad_weight sum over the three outputs of a 1x1 conv.
  p = single(1, 3, 1, 1);
  const auto g = backward(p, std::vector<float>{1, 1, 1}, std::vector<float>{1},
                          std::vector<float>{1, tiny, tiny});
  CHECK(g.bias == std::vector<float>{expected});
  CHECK(g.weight == std::vector<float>{expected});
  // grad_input sums over kernel taps and padded copies: 1x3 kernel (1, tiny, tiny) over [a b c]
  // padded circularly to [c | a b c | a], grad_out = ones. The padded copy's gradients are
  // [1, 1+tiny, 1+2tiny, 2tiny, tiny]; folded back: a = (1+tiny) + tiny, b = 1+2tiny,
  // c = 1 + 2tiny, each 1 + 2^-23 when rounded once.
  p = single(1, 3, 1, 3);
  p.padding_mode = PaddingMode::Circular;
  p.pad_left = p.pad_right = 1;
  const auto gc = backward(p, std::vector<float>{1, 2, 3}, std::vector<float>{1, tiny, tiny},
                           std::vector<float>{1, 1, 1});
  CHECK(gc.input == std::vector<float>{expected, expected, expected});
}

// ---------------------------------------------------------------------------
// Backward: hand-computed gradients

TEMPLATE_TEST_CASE("backward of the 5x5 example with grad_out = ones", "[reference][backward]",
                   std::int64_t, double) {
  // gw[p][q] = sum over the 3x3 window at (p,q) of x; gx[r][c] = sum of the kernel taps that
  // land on (r,c) = sum_{p: 0<=r-p<3} sum_{q: 0<=c-q<3} w[p][q].
  const Conv2dParams p = single(5, 5, 3, 3);
  const std::vector<TestType> ones(9, TestType(1));
  const auto g = backward(p, example5x5<TestType>(), kernel3x3<TestType>(), ones);
  CHECK(g.weight == flat<TestType>({{10, 14, 11}, {17, 15, 12}, {17, 11, 8}}));
  CHECK(g.input == flat<TestType>({{1, 3, 4, 3, 1},
                                   {1, 4, 5, 4, 1},
                                   {3, 7, 8, 5, 1},
                                   {2, 4, 4, 2, 0},
                                   {2, 3, 3, 1, 0}}));
  CHECK(g.bias == std::vector<TestType>{9});
}

TEMPLATE_TEST_CASE("gradient through a padded copy goes back to the source element",
                   "[reference][backward][pad]", std::int64_t, double) {
  // x = [a, b, c] (1x3), 1x1 kernel of weight 1, grad_out = ones: grad_in[k] = how many
  // padded elements are copies of x[k].
  Conv2dParams p = single(1, 3, 1, 1);
  const std::vector<TestType> x{1, 2, 3}, w{1};
  auto gradIn = [&](PaddingMode m, std::int64_t l, std::int64_t r) {
    p.padding_mode = m;
    p.pad_left = l;
    p.pad_right = r;
    return backward(p, x, w, std::vector<TestType>(outputSize(p), TestType(1))).input;
  };
  // reflect (1,2): [b | a b c | b a]  -> a:2, b:3, c:1
  CHECK(gradIn(PaddingMode::Reflect, 1, 2) == std::vector<TestType>{2, 3, 1});
  // replicate (2,1): [a a | a b c | c] -> a:3, b:1, c:2
  CHECK(gradIn(PaddingMode::Replicate, 2, 1) == std::vector<TestType>{3, 1, 2});
  // circular (3,1): [a b c | a b c | a] -> a:3, b:2, c:2
  CHECK(gradIn(PaddingMode::Circular, 3, 1) == std::vector<TestType>{3, 2, 2});
  // zeros (2,2): padding has no source -> 1 each
  CHECK(gradIn(PaddingMode::Zeros, 2, 2) == std::vector<TestType>{1, 1, 1});
}

TEST_CASE("finite differences agree with the gradients", "[reference][backward]") {
  std::mt19937 rng(kSeed);
  INFO("seed " << kSeed);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  Conv2dParams p;
  p.batch = 2;
  p.in_channels = 4;
  p.out_channels = 2;
  p.groups = 2;
  p.in_height = 5;
  p.in_width = 6;
  p.kernel_h = 3;
  p.kernel_w = 2;
  p.stride_h = 2;
  p.dilation_w = 2;
  p.pad_top = 2;
  p.pad_bottom = 1;
  p.pad_left = 0;
  p.pad_right = 3;
  p.padding_mode = PaddingMode::Reflect;
  std::vector<double> x(inputSize(p)), w(weightSize(p)), b(2), gy(outputSize(p));
  for (auto* v : {&x, &w, &b, &gy})
    for (double& e : *v) e = U(rng);
  // L(x, w, b) = <gy, conv(x, w) + b>
  auto loss = [&](const std::vector<double>& xx, const std::vector<double>& ww,
                  const std::vector<double>& bb) {
    const auto y = forward(p, xx, ww, &bb);
    double s = 0;
    for (std::size_t k = 0; k < y.size(); ++k) s += gy[k] * y[k];
    return s;
  };
  const auto g = backward(p, x, w, gy);
  const double h = 1e-3;
  auto check = [&](std::vector<double>& v, const std::vector<double>& grad, const char* what) {
    for (std::size_t k = 0; k < v.size(); ++k) {
      INFO(what << "[" << k << "]");
      const double saved = v[k];
      v[k] = saved + h;
      const double up = loss(x, w, b);
      v[k] = saved - h;
      const double down = loss(x, w, b);
      v[k] = saved;
      CHECK((up - down) / (2 * h) == Approx(grad[k]).margin(1e-9));
    }
  };
  check(x, g.input, "grad_input");
  check(w, g.weight, "grad_weight");
  check(b, g.bias, "grad_bias");
}

// ---------------------------------------------------------------------------
// Backward: the adjoint identity over a matrix of cases

namespace {

struct Case {
  std::int64_t n, cin, cout, groups, h, w, kh, kw, sh, sw, dh, dw, t, b, l, r;
};

// Random cases plus fixed corner cases, all legal for the given mode.
std::vector<Conv2dParams> adjointCases(std::mt19937& rng) {
  std::vector<Case> fixed{
      // n cin cout g  h  w kh kw sh sw dh dw  t  b  l  r
      {1, 1, 1, 1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
      {2, 2, 3, 1, 6, 7, 3, 2, 2, 1, 1, 2, 0, 1, 2, 0},
      {1, 4, 6, 2, 7, 5, 2, 3, 1, 2, 2, 1, 1, 2, 0, 1},
      {2, 3, 3, 3, 5, 6, 3, 3, 2, 2, 2, 2, 2, 1, 1, 2},  // depthwise
      {1, 2, 4, 2, 4, 4, 2, 2, 3, 3, 1, 1, 0, 1, 0, 1},  // 'same'-like asymmetric + stride
      {1, 1, 2, 1, 3, 4, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},  // kernel larger than the input
      {2, 2, 2, 1, 4, 3, 2, 2, 1, 1, 3, 2, 3, 3, 2, 2},  // large pads with dilation
      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},  // 1x1
  };
  std::vector<Conv2dParams> out;
  for (PaddingMode mode :
       {PaddingMode::Zeros, PaddingMode::Reflect, PaddingMode::Replicate, PaddingMode::Circular}) {
    auto legalize = [&](Conv2dParams& p) {
      // Clamp the pads to the mode's limits, then make sure the dilated kernel fits.
      const std::int64_t maxH = mode == PaddingMode::Reflect    ? p.in_height - 1
                                : mode == PaddingMode::Circular ? p.in_height
                                                                : 1 << 20;
      const std::int64_t maxW = mode == PaddingMode::Reflect    ? p.in_width - 1
                                : mode == PaddingMode::Circular ? p.in_width
                                                                : 1 << 20;
      p.pad_top = std::min(p.pad_top, maxH);
      p.pad_bottom = std::min(p.pad_bottom, maxH);
      p.pad_left = std::min(p.pad_left, maxW);
      p.pad_right = std::min(p.pad_right, maxW);
      while (p.in_height + p.pad_top + p.pad_bottom < p.dilation_h * (p.kernel_h - 1) + 1) ++p.in_height;
      while (p.in_width + p.pad_left + p.pad_right < p.dilation_w * (p.kernel_w - 1) + 1) ++p.in_width;
    };
    for (const Case& c : fixed) {
      Conv2dParams p;
      p.batch = c.n;
      p.in_channels = c.cin;
      p.out_channels = c.cout;
      p.groups = c.groups;
      p.in_height = c.h;
      p.in_width = c.w;
      p.kernel_h = c.kh;
      p.kernel_w = c.kw;
      p.stride_h = c.sh;
      p.stride_w = c.sw;
      p.dilation_h = c.dh;
      p.dilation_w = c.dw;
      p.pad_top = c.t;
      p.pad_bottom = c.b;
      p.pad_left = c.l;
      p.pad_right = c.r;
      p.padding_mode = mode;
      legalize(p);
      out.push_back(p);
    }
    // The largest legal pads for the mode, on every side.
    if (mode == PaddingMode::Reflect || mode == PaddingMode::Circular) {
      for (std::int64_t hw : {1, 2, 4}) {
        Conv2dParams p;
        p.in_channels = 2;
        p.out_channels = 2;
        p.in_height = hw + (mode == PaddingMode::Reflect ? 1 : 0);  // reflect needs size >= 2
        p.in_width = hw + 1;
        p.kernel_h = 3;
        p.kernel_w = 2;
        p.padding_mode = mode;
        const std::int64_t extra = mode == PaddingMode::Reflect ? -1 : 0;
        p.pad_top = p.pad_bottom = p.in_height + extra;
        p.pad_left = p.pad_right = p.in_width + extra;
        legalize(p);
        out.push_back(p);
      }
    }
    // Random cases.
    std::uniform_int_distribution<int> small(1, 3), pad(0, 4), size(1, 7);
    for (int k = 0; k < 40; ++k) {
      Conv2dParams p;
      p.groups = small(rng);
      p.in_channels = p.groups * small(rng);
      p.out_channels = p.groups * small(rng);
      p.batch = small(rng);
      p.in_height = size(rng) + (mode == PaddingMode::Reflect ? 1 : 0);
      p.in_width = size(rng) + (mode == PaddingMode::Reflect ? 1 : 0);
      p.kernel_h = small(rng);
      p.kernel_w = small(rng);
      p.stride_h = small(rng);
      p.stride_w = small(rng);
      p.dilation_h = small(rng);
      p.dilation_w = small(rng);
      p.pad_top = pad(rng);
      p.pad_bottom = pad(rng);
      p.pad_left = pad(rng);
      p.pad_right = pad(rng);
      p.padding_mode = mode;
      legalize(p);
      out.push_back(p);
    }
  }
  return out;
}

template <typename T>
T dot(const std::vector<T>& a, const std::vector<T>& b) {
  REQUIRE(a.size() == b.size());
  T s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

double absDot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t k = 0; k < a.size(); ++k) s += std::abs(a[k] * b[k]);
  return s;
}

std::vector<double> gradBiasBySum(const Conv2dParams& p, const std::vector<double>& gy) {
  const std::int64_t hw = convgen::ref::outputHeight(p) * convgen::ref::outputWidth(p);
  std::vector<double> s(static_cast<std::size_t>(p.out_channels), 0.0);
  for (std::int64_t n = 0; n < p.batch; ++n)
    for (std::int64_t o = 0; o < p.out_channels; ++o)
      for (std::int64_t k = 0; k < hw; ++k)
        s[static_cast<std::size_t>(o)] += gy[static_cast<std::size_t>((n * p.out_channels + o) * hw + k)];
  return s;
}

}  // namespace

TEST_CASE("adjoint identity <gy, conv(x,w)> = <gx, x> = <gw, w> (double)", "[reference][backward]") {
  std::mt19937 rng(kSeed);
  const auto cases = adjointCases(rng);
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  int index = 0;
  for (const Conv2dParams& p : cases) {
    INFO("seed " << kSeed << ", case #" << index++ << ": " << describe(p));
    std::vector<double> x(inputSize(p)), w(weightSize(p)), gy(outputSize(p));
    for (auto* v : {&x, &w, &gy})
      for (double& e : *v) e = U(rng);
    const auto y = forward(p, x, w);
    const auto g = backward(p, x, w, gy);
    const double lhs = dot(gy, y);
    // Scale of the rounding error: sum of |terms| of the forward pass.
    const double scale = absDot(gy, y) + absDot(g.input, x) + 1.0;
    CHECK(dot(g.input, x) == Approx(lhs).margin(1e-12 * scale));
    CHECK(dot(g.weight, w) == Approx(lhs).margin(1e-12 * scale));
    const auto gb = gradBiasBySum(p, gy);
    for (std::size_t o = 0; o < gb.size(); ++o) {
      CAPTURE(o);
      CHECK(g.bias[o] == Approx(gb[o]).margin(1e-12));
    }
  }
  CHECK(index > 150);
}

TEST_CASE("adjoint identity holds exactly for small integers (int64)", "[reference][backward]") {
  std::mt19937 rng(kSeed + 1);
  const auto cases = adjointCases(rng);
  std::uniform_int_distribution<int> U(-8, 8);
  int index = 0;
  for (const Conv2dParams& p : cases) {
    // int64 covers dilation and circular; reflect/replicate are float-only in PyTorch, but
    // the reference is generic and the identity is exact in integer arithmetic.
    INFO("seed " << kSeed + 1 << ", case #" << index++ << ": " << describe(p));
    std::vector<std::int64_t> x(inputSize(p)), w(weightSize(p)), gy(outputSize(p));
    for (auto* v : {&x, &w, &gy})
      for (std::int64_t& e : *v) e = U(rng);
    const auto y = forward(p, x, w);
    const auto g = backward(p, x, w, gy);
    const std::int64_t lhs = dot(gy, y);
    CHECK(dot(g.input, x) == lhs);
    CHECK(dot(g.weight, w) == lhs);
  }
}

TEST_CASE("float gradients match double gradients up to float rounding", "[reference][backward]") {
  // Floats accumulate in double: with small-integer data every float result is exact.
  std::mt19937 rng(kSeed + 2);
  const auto cases = adjointCases(rng);
  std::uniform_int_distribution<int> U(-8, 8);
  int index = 0;
  for (const Conv2dParams& p : cases) {
    INFO("seed " << kSeed + 2 << ", case #" << index++ << ": " << describe(p));
    std::vector<double> x(inputSize(p)), w(weightSize(p)), gy(outputSize(p));
    for (auto* v : {&x, &w, &gy})
      for (double& e : *v) e = U(rng);
    auto toF = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
    auto toD = [](const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); };
    CHECK(toD(forward(p, toF(x), toF(w))) == forward(p, x, w));
    const auto gd = backward(p, x, w, gy);
    const auto gf = backward(p, toF(x), toF(w), toF(gy));
    CHECK(toD(gf.input) == gd.input);
    CHECK(toD(gf.weight) == gd.weight);
    CHECK(toD(gf.bias) == gd.bias);
  }
}

// The reference epilogue against values computed by hand from PyTorch's
// documented formulas (docs/semantics.md section 14).
TEST_CASE("reference epilogue: PyTorch's activation formulas, NaN and signed zero", "[reference][epilogue]") {
  using convgen::ref::Activation;
  using convgen::ref::EpilogueParams;
  using convgen::ref::activate;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EpilogueParams relu;
  relu.activation = Activation::Relu;
  CHECK(activate(relu, 2.5f) == 2.5f);
  CHECK(activate(relu, -2.5f) == 0.0f);
  CHECK(std::isnan(activate(relu, nan)));          // clamp_min keeps NaN
  CHECK(std::signbit(activate(relu, -0.0f)));      // and -0
  CHECK(activate(relu, std::int32_t{-7}) == 0);
  EpilogueParams relu6;
  relu6.activation = Activation::Relu6;
  CHECK(activate(relu6, 7.0) == 6.0);
  CHECK(activate(relu6, -1.0) == 0.0);
  CHECK(activate(relu6, std::int64_t{5}) == 5);
  EpilogueParams leaky;
  leaky.activation = Activation::LeakyRelu;
  leaky.negative_slope = 0.25;
  CHECK(activate(leaky, -8.0f) == -2.0f);
  CHECK(activate(leaky, 3.0f) == 3.0f);
  CHECK(std::isnan(activate(leaky, nan)));
  EpilogueParams clamp;
  clamp.activation = Activation::Clamp;
  clamp.has_min = clamp.has_max = true;
  clamp.min = 2, clamp.max = -1;  // min > max: every element is max
  for (float x : {-5.0f, 0.0f, 1.5f, 9.0f}) CHECK(activate(clamp, x) == -1.0f);
  clamp.has_max = false;  // only a lower bound
  CHECK(activate(clamp, 9.0f) == 9.0f);
  CHECK(activate(clamp, -9.0f) == 2.0f);
  EpilogueParams hs;
  hs.activation = Activation::Hardswish;
  CHECK(activate(hs, -4.0) == 0.0);
  CHECK(activate(hs, 4.0) == 4.0);
  CHECK(activate(hs, 1.0) == 1.0 * 4.0 / 6.0);   // x * relu6(x + 3) / 6
  CHECK(activate(hs, -1.5f) == (-1.5f * 1.5f) / 6.0f);
  // The residual is added before the activation; integers wrap.
  std::vector<float> y = {-1.0f, 2.0f};
  const std::vector<float> r = {3.0f, -5.0f};
  convgen::ref::epilogueForward(relu, r.data(), y.data(), y.size());
  CHECK(y == std::vector<float>{2.0f, 0.0f});
  std::vector<std::int32_t> yi = {std::numeric_limits<std::int32_t>::max()};
  const std::vector<std::int32_t> ri = {1};
  convgen::ref::epilogueForward(EpilogueParams{}, ri.data(), yi.data(), yi.size());
  CHECK(yi[0] == std::numeric_limits<std::int32_t>::min());
}

namespace {

// The forward pass as the definition reads, one output element at a time:
// what reference.cpp's row-at-a-time loops must reproduce bit for bit (they
// add each element's products in the same order). Zeros padding only: the
// other modes run the same loops over an explicitly padded copy.
template <typename T, typename A>
std::vector<T> perElementForward(const Conv2dParams& p, const std::vector<T>& x,
                                 const std::vector<T>& w, const std::vector<T>& b) {
  const std::int64_t Ho = convgen::ref::outputHeight(p), Wo = convgen::ref::outputWidth(p);
  const std::int64_t Cg = p.in_channels / p.groups, Og = p.out_channels / p.groups;
  std::vector<T> y(static_cast<std::size_t>(p.batch * p.out_channels * Ho * Wo));
  for (std::int64_t n = 0; n < p.batch; ++n)
    for (std::int64_t o = 0; o < p.out_channels; ++o)
      for (std::int64_t i = 0; i < Ho; ++i)
        for (std::int64_t j = 0; j < Wo; ++j) {
          A acc = static_cast<A>(b[static_cast<std::size_t>(o)]);
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t ki = 0; ki < p.kernel_h; ++ki)
              for (std::int64_t kj = 0; kj < p.kernel_w; ++kj) {
                const std::int64_t r = i * p.stride_h + ki * p.dilation_h - p.pad_top;
                const std::int64_t s = j * p.stride_w + kj * p.dilation_w - p.pad_left;
                if (r < 0 || r >= p.in_height || s < 0 || s >= p.in_width) continue;
                const std::int64_t xc = (o / Og) * Cg + c;
                acc += static_cast<A>(w[static_cast<std::size_t>(
                           ((o * Cg + c) * p.kernel_h + ki) * p.kernel_w + kj)]) *
                       static_cast<A>(x[static_cast<std::size_t>(
                           ((n * p.in_channels + xc) * p.in_height + r) * p.in_width + s)]);
              }
          y[static_cast<std::size_t>(((n * p.out_channels + o) * Ho + i) * Wo + j)] =
              static_cast<T>(acc);
        }
  return y;
}

}  // namespace

TEST_CASE("the row-at-a-time forward equals the per-element definition bit for bit",
          "[reference][forward]") {
  std::mt19937 rng(kSeed + 99);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Conv2dParams p;
    p.groups = pick(1, 3);
    p.batch = pick(1, 2);
    p.in_channels = p.groups * pick(1, 3);
    p.out_channels = p.groups * pick(1, 3);
    p.in_height = pick(1, 9);
    p.in_width = pick(1, 9);
    p.kernel_h = pick(1, 4);
    p.kernel_w = pick(1, 4);
    p.stride_h = pick(1, 4);
    p.stride_w = pick(1, 4);
    p.dilation_h = pick(1, 3);
    p.dilation_w = pick(1, 3);
    p.pad_top = pick(0, 5);
    p.pad_bottom = pick(0, 5);
    p.pad_left = pick(0, 5);
    p.pad_right = pick(0, 5);
    if (p.in_height + p.pad_top + p.pad_bottom < p.dilation_h * (p.kernel_h - 1) + 1 ||
        p.in_width + p.pad_left + p.pad_right < p.dilation_w * (p.kernel_w - 1) + 1)
      continue;  // no output: not a valid layer
    INFO(describe(p));
    const std::size_t xs = static_cast<std::size_t>(p.batch * p.in_channels * p.in_height * p.in_width);
    const std::size_t wsz = static_cast<std::size_t>(p.out_channels * (p.in_channels / p.groups) *
                                                     p.kernel_h * p.kernel_w);
    const std::size_t ys = static_cast<std::size_t>(p.batch * p.out_channels *
                                                    convgen::ref::outputHeight(p) *
                                                    convgen::ref::outputWidth(p));
    std::uniform_real_distribution<float> real(-1, 1);
    std::vector<float> xf(xs), wf(wsz), bf(static_cast<std::size_t>(p.out_channels));
    for (auto* v : {&xf, &wf, &bf})
      for (float& e : *v) e = real(rng);
    std::vector<float> yf(ys);
    convgen::ref::conv2dForward<float>(p, xf.data(), wf.data(), bf.data(), yf.data());
    const std::vector<float> ef = perElementForward<float, double>(p, xf, wf, bf);
    CHECK(std::memcmp(yf.data(), ef.data(), ys * sizeof(float)) == 0);
    // int32 wraps modulo 2^32: large values make every product wrap.
    std::uniform_int_distribution<std::int32_t> big(std::numeric_limits<std::int32_t>::min(),
                                                    std::numeric_limits<std::int32_t>::max());
    std::vector<std::int32_t> xi(xs), wi(wsz), bi(static_cast<std::size_t>(p.out_channels));
    for (auto* v : {&xi, &wi, &bi})
      for (std::int32_t& e : *v) e = big(rng);
    std::vector<std::int32_t> yi(ys);
    convgen::ref::conv2dForward<std::int32_t>(p, xi.data(), wi.data(), bi.data(), yi.data());
    std::vector<std::int32_t> ei(ys);
    {
      std::vector<std::uint32_t> xu(xi.begin(), xi.end()), wu(wi.begin(), wi.end()),
          bu(bi.begin(), bi.end());
      const std::vector<std::uint32_t> eu = perElementForward<std::uint32_t, std::uint32_t>(p, xu, wu, bu);
      for (std::size_t k = 0; k < ys; ++k) ei[k] = static_cast<std::int32_t>(eu[k]);
    }
    CHECK(yi == ei);
    ++checked;
  }
  CHECK(checked > 200);  // most draws are valid layers
}
