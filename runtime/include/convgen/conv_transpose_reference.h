// The generic reference conv_transpose2d: PyTorch 1.13's documented
// definition of nn.ConvTranspose2d as a direct scatter loop -- every input
// element adds x * w into the output element each kernel tap maps it to,
// o = i * stride - padding + k * dilation, kept when 0 <= o < H_out -- and its
// gradients by the same index map. It shares no code with the generator
// (which computes the transpose as a conv's input gradient, a gather), so
// the two cannot share a bug.
#pragma once

#include <cstdint>

namespace convgen::ref {

struct ConvTranspose2dParams {
  std::int64_t batch = 1;  // N (an unbatched input is N = 1)
  std::int64_t in_channels = 1, in_height = 1, in_width = 1;
  std::int64_t out_channels = 1;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;                    // both sides alike
  std::int64_t output_padding_h = 0, output_padding_w = 0;
  std::int64_t groups = 1;
};

// H_out = (H_in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1.
std::int64_t transposeOutputHeight(const ConvTranspose2dParams& p);
std::int64_t transposeOutputWidth(const ConvTranspose2dParams& p);

// y[N, Cout, H_out, W_out] = conv_transpose2d(x[N, Cin, H, W], w[Cin, Cout/groups, kh, kw]) + b.
// `bias` may be nullptr. T is float or double; sums are in double.
template <typename T>
void convTranspose2dForward(const ConvTranspose2dParams& p, const T* input, const T* weight,
                            const T* bias, T* output);

// dL/dx, dL/dw, dL/db given grad_output (the output's shape); `grad_bias` may
// be nullptr. Outputs are overwritten.
template <typename T>
void convTranspose2dBackward(const ConvTranspose2dParams& p, const T* input, const T* weight,
                             const T* grad_output, T* grad_input, T* grad_weight, T* grad_bias);

}  // namespace convgen::ref
