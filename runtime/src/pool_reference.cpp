// The reference pooling (see pool_reference.h). Each rule is a sentence of
// PyTorch 1.13's documentation, quoted where it is used.
#include "convgen/pool_reference.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <vector>

namespace convgen::ref {
namespace {

void require(bool ok) {
  if (!ok) std::abort();  // the caller broke a precondition
}

// "H_out = floor((H_in + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1)
//  / stride[0] + 1)", ceil with ceil_mode; "Sliding windows that would start
// in the right padded region are ignored."
std::int64_t outputSize(std::int64_t in, std::int64_t k, std::int64_t pad, std::int64_t stride,
                        std::int64_t dilation, bool ceil_mode) {
  const double q = double(in + 2 * pad - dilation * (k - 1) - 1) / double(stride);
  std::int64_t out = static_cast<std::int64_t>(ceil_mode ? std::ceil(q) : std::floor(q)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// adaptive_avg_pool2d's windows: the documentation gives none; PyTorch
// 1.13's AdaptivePooling.h computes start = floor(o*in/out) and
// end = ceil((o+1)*in/out) in float.
std::int64_t adaptiveStart(std::int64_t o, std::int64_t out, std::int64_t in) {
  return static_cast<std::int64_t>(std::floor(static_cast<float>(o * in) / out));
}
std::int64_t adaptiveEnd(std::int64_t o, std::int64_t out, std::int64_t in) {
  return static_cast<std::int64_t>(std::ceil(static_cast<float>((o + 1) * in) / out));
}

template <typename T>
void pool(const Pool2dParams& p, const T* input, T* output) {
  const std::int64_t H = p.in_height, W = p.in_width, OH = p.out_height, OW = p.out_width;
  // The padded copy: "implicit negative infinity padding" (max), "implicit
  // zero paddings" (avg).
  const std::int64_t PH = H + 2 * p.pad_h, PW = W + 2 * p.pad_w;
  const bool max = p.op == PoolOp::Max;
  std::vector<double> padded(PH * PW);
  std::vector<bool> inside(PH * PW);
  for (std::int64_t plane = 0; plane < p.batch * p.channels; ++plane) {
    const T* x = input + plane * H * W;
    T* y = output + plane * OH * OW;
    for (std::int64_t i = 0; i < PH; ++i)
      for (std::int64_t j = 0; j < PW; ++j) {
        const std::int64_t h = i - p.pad_h, w = j - p.pad_w;
        const bool in = h >= 0 && h < H && w >= 0 && w < W;
        inside[i * PW + j] = in;
        padded[i * PW + j] = in ? double(x[h * W + w])
                                : max ? -std::numeric_limits<double>::infinity() : 0.0;
      }
    for (std::int64_t oh = 0; oh < OH; ++oh)
      for (std::int64_t ow = 0; ow < OW; ++ow) {
        if (p.op == PoolOp::AdaptiveAvg) {
          const std::int64_t h0 = adaptiveStart(oh, OH, H), h1 = adaptiveEnd(oh, OH, H);
          const std::int64_t w0 = adaptiveStart(ow, OW, W), w1 = adaptiveEnd(ow, OW, W);
          double sum = 0;
          for (std::int64_t h = h0; h < h1; ++h)
            for (std::int64_t w = w0; w < w1; ++w) sum += double(x[h * W + w]);
          // PyTorch 1.13's CPU kernel divides by the height, then the width.
          y[oh * OW + ow] = static_cast<T>(static_cast<T>(static_cast<T>(sum) / T(h1 - h0)) /
                                           T(w1 - w0));
          continue;
        }
        // "out(N_i, C_j, h, w) = max / (1/(kH*kW)) sum over m < kH, n < kW of
        // input(N_i, C_j, stride[0]*h + dilation[0]*m, stride[1]*w + dilation[1]*n)"
        // (on the padded input); taps past the padded input read nothing.
        double m = -std::numeric_limits<double>::infinity(), sum = 0;
        std::uint64_t isum = 0;
        std::int64_t taps = 0, real = 0;
        bool any = false;
        for (std::int64_t a = 0; a < p.kernel_h; ++a)
          for (std::int64_t b = 0; b < p.kernel_w; ++b) {
            const std::int64_t i = oh * p.stride_h + a * p.dilation_h;
            const std::int64_t j = ow * p.stride_w + b * p.dilation_w;
            if (i >= PH || j >= PW) continue;
            const double v = padded[i * PW + j];
            ++taps;
            real += inside[i * PW + j];
            if (max) {
              // NaN propagates (PyTorch's kernel; the documentation is silent).
              if (!any || v > m || std::isnan(v)) m = v;
              any = true;
            } else if constexpr (std::is_integral_v<T>) {
              if (inside[i * PW + j]) isum += static_cast<std::uint64_t>(x[(i - p.pad_h) * W + j - p.pad_w]);
            } else {
              sum += v;
            }
          }
        if (max) {
          y[oh * OW + ow] = static_cast<T>(m);
          continue;
        }
        // "divisor_override: if specified, it will be used as divisor,
        // otherwise size of the pooling region will be used";
        // "count_include_pad: when True, will include the zero-padding in
        // the averaging calculation".
        const std::int64_t divisor =
            p.divisor_override ? p.divisor_override : p.count_include_pad ? taps : real;
        if (real == 0) {
          y[oh * OW + ow] = T(0);
        } else if constexpr (std::is_integral_v<T>) {
          y[oh * OW + ow] = divisor == -1 ? static_cast<T>(std::uint64_t{0} - isum)
                                          : static_cast<T>(static_cast<std::int64_t>(isum) / divisor);
        } else {
          y[oh * OW + ow] = static_cast<T>(sum / double(divisor));
        }
      }
  }
}

}  // namespace

std::int64_t poolOutputHeight(const Pool2dParams& p) {
  if (p.op == PoolOp::AdaptiveAvg) return p.out_height;
  return outputSize(p.in_height, p.kernel_h, p.pad_h, p.stride_h, p.dilation_h, p.ceil_mode);
}
std::int64_t poolOutputWidth(const Pool2dParams& p) {
  if (p.op == PoolOp::AdaptiveAvg) return p.out_width;
  return outputSize(p.in_width, p.kernel_w, p.pad_w, p.stride_w, p.dilation_w, p.ceil_mode);
}

template <typename T>
void pool2dForward(const Pool2dParams& p, const T* input, T* output) {
  require(p.out_height == poolOutputHeight(p) && p.out_width == poolOutputWidth(p));
  require(p.out_height > 0 && p.out_width > 0);
  pool(p, input, output);
}

template void pool2dForward<float>(const Pool2dParams&, const float*, float*);
template void pool2dForward<double>(const Pool2dParams&, const double*, double*);
template void pool2dForward<std::int64_t>(const Pool2dParams&, const std::int64_t*, std::int64_t*);

}  // namespace convgen::ref
