// Pooling windows by PyTorch 1.13's rules (see pool_windows.h).
#include "convgen/pool_windows.h"

#include <algorithm>

#include "convgen/internal_error.h"

namespace convgen {
namespace {
std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  CONVGEN_CHECK(b > 0, "floorDiv by a non-positive number");
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
}  // namespace

std::optional<std::int64_t> poolOutputSize(std::int64_t in, std::int64_t kernel, std::int64_t pad,
                                           std::int64_t stride, std::int64_t dilation,
                                           bool ceil_mode) {
  CONVGEN_CHECK(stride > 0 && kernel > 0 && dilation > 0, "pool axis arguments not positive");
  std::int64_t padded = 0, reach = 0, num = 0;
  if (__builtin_mul_overflow(pad, 2, &padded) || __builtin_add_overflow(in, padded, &padded) ||
      __builtin_mul_overflow(dilation, kernel - 1, &reach) ||
      __builtin_sub_overflow(padded, reach + 1, &num) ||
      __builtin_add_overflow(num, ceil_mode ? stride - 1 : 0, &num))
    return std::nullopt;
  std::int64_t out = floorDiv(num, stride) + 1;
  // The last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// PyTorch 1.13 (aten/src/ATen/native/AdaptivePooling.h):
//   start_index(a, b, c) = (int)floor((float)(a * c) / b)
//   end_index(a, b, c)   = (int)ceil((float)((a + 1) * c) / b)
// with a the output index, b the output size, c the input size. Every value
// is >= 0, so truncation is floor.
std::int64_t adaptiveStart(std::int64_t o, std::int64_t out, std::int64_t in) {
  const float q = static_cast<float>(o * in) / static_cast<float>(out);
  return static_cast<std::int64_t>(q);
}
std::int64_t adaptiveEnd(std::int64_t o, std::int64_t out, std::int64_t in) {
  const float q = static_cast<float>((o + 1) * in) / static_cast<float>(out);
  const std::int64_t t = static_cast<std::int64_t>(q);
  return static_cast<float>(t) < q ? t + 1 : t;
}

PoolAxis poolAxis(const PoolSpec& p, bool rows) {
  PoolAxis a;
  a.in = rows ? p.in_height : p.in_width;
  a.out = rows ? p.out_height : p.out_width;
  a.adaptive = p.op == Op::AdaptiveAvgPool2d;
  if (a.adaptive) return a;
  a.kernel = rows ? p.kernel_h : p.kernel_w;
  a.stride = rows ? p.stride_h : p.stride_w;
  a.pad = rows ? p.pad_h : p.pad_w;
  a.dilation = rows ? p.dilation_h : p.dilation_w;
  return a;
}

AxisWindow axisWindow(const PoolAxis& a, std::int64_t o) {
  AxisWindow w;
  if (a.adaptive) {
    w.first = adaptiveStart(o, a.out, a.in);
    w.count = adaptiveEnd(o, a.out, a.in) - w.first;
    w.extent = w.count;
    return w;
  }
  const std::int64_t start = o * a.stride - a.pad;
  // Taps j in [0, kernel) at start + j*dilation inside [0, in).
  const std::int64_t j_lo = start < 0 ? -floorDiv(start, a.dilation) : 0;
  const std::int64_t j_hi = std::min(a.kernel - 1, floorDiv(a.in - 1 - start, a.dilation));
  w.count = std::max<std::int64_t>(0, j_hi - j_lo + 1);
  w.first = start + j_lo * a.dilation;
  // avg_pool2d (no dilation): min(start + kernel, in + pad) - start.
  w.extent = std::min(start + a.kernel, a.in + a.pad) - start;
  return w;
}

Interval poolInterior(const PoolAxis& a) {
  if (a.adaptive) return a.in % a.out == 0 ? Interval{0, a.out} : Interval{0, 0};
  return interiorRange(a.in, a.out, a.pad, a.kernel, a.stride, a.dilation);
}

std::int64_t interiorTaps(const PoolAxis& a) { return a.adaptive ? a.in / a.out : a.kernel; }
std::int64_t interiorStride(const PoolAxis& a) { return a.adaptive ? a.in / a.out : a.stride; }

}  // namespace convgen
