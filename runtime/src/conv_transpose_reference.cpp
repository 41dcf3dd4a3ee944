// conv_transpose_reference.h: the direct scatter loop of PyTorch's definition.
#include "convgen/conv_transpose_reference.h"

#include <cstdlib>
#include <vector>

namespace convgen::ref {
namespace {

void check(bool ok) {
  if (!ok) std::abort();  // a test passed invalid params: not a layer PyTorch accepts
}

// Calls f(input index, output index, weight index) for every (input element, tap) pair
// whose output element lies inside: the definition's index map, shared by
// the forward and every gradient.
template <typename F>
void forEachTap(const ConvTranspose2dParams& p, F&& f) {
  const std::int64_t oh = transposeOutputHeight(p), ow = transposeOutputWidth(p);
  const std::int64_t cg = p.in_channels / p.groups, og = p.out_channels / p.groups;
  for (std::int64_t n = 0; n < p.batch; ++n)
    for (std::int64_t c = 0; c < p.in_channels; ++c)
      for (std::int64_t i = 0; i < p.in_height; ++i)
        for (std::int64_t j = 0; j < p.in_width; ++j)
          for (std::int64_t oc = 0; oc < og; ++oc)
            for (std::int64_t ki = 0; ki < p.kernel_h; ++ki) {
              const std::int64_t y = i * p.stride_h - p.pad_h + ki * p.dilation_h;
              if (y < 0 || y >= oh) continue;
              for (std::int64_t kj = 0; kj < p.kernel_w; ++kj) {
                const std::int64_t x = j * p.stride_w - p.pad_w + kj * p.dilation_w;
                if (x < 0 || x >= ow) continue;
                const std::int64_t o = c / cg * og + oc;
                const std::int64_t in_at = ((n * p.in_channels + c) * p.in_height + i) * p.in_width + j;
                const std::int64_t out_at = ((n * p.out_channels + o) * oh + y) * ow + x;
                const std::int64_t w_at = ((c * og + oc) * p.kernel_h + ki) * p.kernel_w + kj;
                f(in_at, out_at, w_at);
              }
            }
}

void checkParams(const ConvTranspose2dParams& p) {
  check(p.batch >= 1 && p.in_channels >= 1 && p.out_channels >= 1 && p.groups >= 1);
  check(p.in_channels % p.groups == 0 && p.out_channels % p.groups == 0);
  check(p.stride_h >= 1 && p.stride_w >= 1 && p.dilation_h >= 1 && p.dilation_w >= 1);
  check(p.pad_h >= 0 && p.pad_w >= 0 && p.output_padding_h >= 0 && p.output_padding_w >= 0);
  check(p.output_padding_h < p.stride_h || p.output_padding_h < p.dilation_h);
  check(p.output_padding_w < p.stride_w || p.output_padding_w < p.dilation_w);
  check(transposeOutputHeight(p) >= 1 && transposeOutputWidth(p) >= 1);
}

}  // namespace

std::int64_t transposeOutputHeight(const ConvTranspose2dParams& p) {
  return (p.in_height - 1) * p.stride_h - 2 * p.pad_h + p.dilation_h * (p.kernel_h - 1) +
         p.output_padding_h + 1;
}
std::int64_t transposeOutputWidth(const ConvTranspose2dParams& p) {
  return (p.in_width - 1) * p.stride_w - 2 * p.pad_w + p.dilation_w * (p.kernel_w - 1) +
         p.output_padding_w + 1;
}

template <typename T>
void convTranspose2dForward(const ConvTranspose2dParams& p, const T* input, const T* weight,
                            const T* bias, T* output) {
  checkParams(p);
  const std::int64_t plane = transposeOutputHeight(p) * transposeOutputWidth(p);
  std::vector<double> y(static_cast<std::size_t>(p.batch * p.out_channels * plane), 0.0);
  forEachTap(p, [&](std::int64_t in, std::int64_t out, std::int64_t w) {
    y[out] += double(input[in]) * double(weight[w]);
  });
  for (std::size_t e = 0; e < y.size(); ++e) {
    const std::int64_t o = static_cast<std::int64_t>(e) / plane % p.out_channels;
    output[e] = T(bias ? y[e] + double(bias[o]) : y[e]);
  }
}

template <typename T>
void convTranspose2dBackward(const ConvTranspose2dParams& p, const T* input, const T* weight,
                             const T* grad_output, T* grad_input, T* grad_weight, T* grad_bias) {
  checkParams(p);
  const std::int64_t plane = transposeOutputHeight(p) * transposeOutputWidth(p);
  const std::int64_t inputs = p.batch * p.in_channels * p.in_height * p.in_width;
  const std::int64_t weights = p.in_channels * (p.out_channels / p.groups) * p.kernel_h * p.kernel_w;
  std::vector<double> gx(static_cast<std::size_t>(inputs), 0.0), gw(static_cast<std::size_t>(weights), 0.0);
  // y[out] += x[in] * w[w]: d/dx[in] += gy[out] * w, d/dw += gy[out] * x[in].
  forEachTap(p, [&](std::int64_t in, std::int64_t out, std::int64_t w) {
    gx[in] += double(grad_output[out]) * double(weight[w]);
    gw[w] += double(grad_output[out]) * double(input[in]);
  });
  for (std::int64_t e = 0; e < inputs; ++e) grad_input[e] = T(gx[e]);
  for (std::int64_t e = 0; e < weights; ++e) grad_weight[e] = T(gw[e]);
  if (!grad_bias) return;
  for (std::int64_t o = 0; o < p.out_channels; ++o) {
    double s = 0;
    for (std::int64_t n = 0; n < p.batch; ++n)
      for (std::int64_t e = 0; e < plane; ++e) s += double(grad_output[(n * p.out_channels + o) * plane + e]);
    grad_bias[o] = T(s);
  }
}

template void convTranspose2dForward<float>(const ConvTranspose2dParams&, const float*, const float*,
                                            const float*, float*);
template void convTranspose2dForward<double>(const ConvTranspose2dParams&, const double*,
                                             const double*, const double*, double*);
template void convTranspose2dBackward<float>(const ConvTranspose2dParams&, const float*,
                                             const float*, const float*, float*, float*, float*);
template void convTranspose2dBackward<double>(const ConvTranspose2dParams&, const double*,
                                              const double*, const double*, double*, double*,
                                              double*);

}  // namespace convgen::ref
