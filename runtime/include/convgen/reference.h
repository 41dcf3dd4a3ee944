// The generic reference convolution: the oracle every generated kernel is
// tested against. It follows PyTorch 1.13's definition literally (see
// docs/semantics.md, section 5): non-zeros padding modes
// first build an explicitly padded copy, exactly like F.pad, and then a plain
// zero-padded cross-correlation runs over it. It is meant to be obviously
// correct, not fast, and shares no code with the generator, so the two cannot
// share a bug.
#pragma once

#include <cstdint>
#include <string_view>

namespace convgen::ref {

enum class PaddingMode { Zeros, Reflect, Replicate, Circular };

// Every parameter of one conv2d call, already resolved to numbers
// ('same'/'valid' become explicit per-side padding).
struct Conv2dParams {
  std::int64_t batch = 1;  // N (an unbatched input is N = 1)
  std::int64_t in_channels = 1, in_height = 1, in_width = 1;
  std::int64_t out_channels = 1;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t groups = 1;
  PaddingMode padding_mode = PaddingMode::Zeros;
};

// H_out and W_out by PyTorch's formula. Precondition: the params are valid
// (the generator's validation guarantees it; the reference only asserts).
std::int64_t outputHeight(const Conv2dParams& p);
std::int64_t outputWidth(const Conv2dParams& p);

// y[N, C_out, H_out, W_out] = conv2d(x[N, C_in, H, W], w[C_out, C_in/groups, kh, kw]) + b.
// `bias` may be nullptr. All tensors are contiguous NCHW.
// T is float, double, std::int32_t or std::int64_t. Floating types accumulate
// in double; integer types wrap modulo 2^bits (as PyTorch's integer conv does),
// computed without signed-overflow UB.
template <typename T>
void conv2dForward(const Conv2dParams& p, const T* input, const T* weight,
                   const T* bias, T* output);

// Gradients of conv2dForward with respect to input, weight and bias, given
// grad_output (shape of the output). Gradient reaching a padded copy flows
// back to the element it was copied from. `grad_bias` may be nullptr.
// Outputs are overwritten (not accumulated into).
template <typename T>
void conv2dBackward(const Conv2dParams& p, const T* input, const T* weight,
                    const T* grad_output, T* grad_input, T* grad_weight,
                    T* grad_bias);

// The parameters of a generated layer, from its `info` constant (a
// convgen::generated::LayerInfo in the generated header), so tests and
// benchmarks run the reference on exactly the generated layer.
template <typename LayerInfo>
Conv2dParams paramsOf(const LayerInfo& info) {
  Conv2dParams p;
  p.batch = info.batch;
  p.in_channels = info.in_channels;
  p.in_height = info.in_height;
  p.in_width = info.in_width;
  p.out_channels = info.out_channels;
  p.kernel_h = info.kernel_h;
  p.kernel_w = info.kernel_w;
  p.stride_h = info.stride_h;
  p.stride_w = info.stride_w;
  p.dilation_h = info.dilation_h;
  p.dilation_w = info.dilation_w;
  p.pad_top = info.pad_top;
  p.pad_bottom = info.pad_bottom;
  p.pad_left = info.pad_left;
  p.pad_right = info.pad_right;
  p.groups = info.groups;
  const std::string_view mode = info.padding_mode;
  p.padding_mode = mode == "reflect"     ? PaddingMode::Reflect
                   : mode == "replicate" ? PaddingMode::Replicate
                   : mode == "circular"  ? PaddingMode::Circular
                                         : PaddingMode::Zeros;
  return p;
}

}  // namespace convgen::ref
