// The generic reference pooling: the oracle generated pooling layers are
// tested against, written from PyTorch 1.13's documentation of
// nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d (docs/semantics.md
// section 13): an explicitly padded copy (-infinity for max, zeros for
// average), then every window over it; windows that ceil_mode lets run off
// the padded input read nothing there. Obviously correct, not fast; shares
// no code with the generator.
#pragma once

#include <cstdint>
#include <string_view>

namespace convgen::ref {

enum class PoolOp { Max, Avg, AdaptiveAvg };

struct Pool2dParams {
  PoolOp op = PoolOp::Max;
  std::int64_t batch = 1, channels = 1, in_height = 1, in_width = 1;
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false, count_include_pad = true;
  std::int64_t divisor_override = 0;  // 0: none
  std::int64_t out_height = 1, out_width = 1;  // adaptive: output_size; else computed
};

// H_out / W_out of max_pool2d and avg_pool2d by the documented formula
// (floor, or ceil with ceil_mode, and a last window starting in the right
// padding dropped); adaptive: output_size.
std::int64_t poolOutputHeight(const Pool2dParams& p);
std::int64_t poolOutputWidth(const Pool2dParams& p);

// y[N, C, H_out, W_out] = pool(x[N, C, H, W]), contiguous NCHW. T is float,
// double or std::int64_t (avg_pool2d only; integer division truncates).
// Floating sums accumulate in double.
template <typename T>
void pool2dForward(const Pool2dParams& p, const T* input, T* output);

// From a generated layer's `info` (convgen::generated::PoolInfo).
template <typename PoolInfo>
Pool2dParams poolParamsOf(const PoolInfo& info) {
  Pool2dParams p;
  const std::string_view op = info.op;
  p.op = op == "max_pool2d" ? PoolOp::Max : op == "avg_pool2d" ? PoolOp::Avg : PoolOp::AdaptiveAvg;
  p.batch = info.batch;
  p.channels = info.channels;
  p.in_height = info.in_height;
  p.in_width = info.in_width;
  p.kernel_h = info.kernel_h;
  p.kernel_w = info.kernel_w;
  p.stride_h = info.stride_h;
  p.stride_w = info.stride_w;
  p.pad_h = info.pad_h;
  p.pad_w = info.pad_w;
  p.dilation_h = info.dilation_h;
  p.dilation_w = info.dilation_w;
  p.ceil_mode = info.ceil_mode;
  p.count_include_pad = info.count_include_pad;
  p.divisor_override = info.divisor_override;
  if (p.op == PoolOp::AdaptiveAvg) {
    p.out_height = info.out_height;
    p.out_width = info.out_width;
  } else {
    p.out_height = poolOutputHeight(p);
    p.out_width = poolOutputWidth(p);
  }
  return p;
}

}  // namespace convgen::ref
