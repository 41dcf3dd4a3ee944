// The generic reference convolution (see reference.h). Written to be
// obviously correct, not fast: it mirrors PyTorch 1.13's Conv2d literally.
//
//   padding_mode != zeros:  xp = F.pad(x, (left, right, top, bottom), mode)
//                           y  = conv2d(xp, w, b, stride, padding=0, dilation, groups)
//   padding_mode == zeros:  y  = conv2d(x,  w, b, stride, padding=(t,b,l,r), dilation, groups)
//
// and the backward pass runs the same two steps in reverse: the gradient of
// the zero-padded cross-correlation with respect to its (possibly explicitly
// padded) input, then every element of the padded copy hands its gradient to
// the source element it was copied from.
#include "convgen/reference.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace convgen::ref {
namespace {

// ---------------------------------------------------------------------------
// Arithmetic: floating types accumulate in double; integer types accumulate
// in the unsigned type of the same width, where +,* wrap modulo 2^bits by
// definition, and convert back at the end.

template <typename T, typename = void>
struct AccumOf;
template <typename T>
struct AccumOf<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  using type = double;
};
template <typename T>
struct AccumOf<T, std::enable_if_t<std::is_integral_v<T>>> {
  using type = std::make_unsigned_t<T>;
};
template <typename T>
using Acc = typename AccumOf<T>::type;

template <typename T>
Acc<T> toAcc(T v) {
  return static_cast<Acc<T>>(v);  // signed -> unsigned is modular: well defined
}

// The signed value congruent to u modulo 2^bits (two's complement), without
// relying on the implementation-defined unsigned -> signed conversion.
template <typename T>
T fromAcc(Acc<T> u) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(u);
  } else {
    using U = Acc<T>;
    if (u <= static_cast<U>(std::numeric_limits<T>::max())) return static_cast<T>(u);
    // u >= 2^(bits-1): the value is u - 2^bits = -(~u) - 1, and ~u fits in T.
    return static_cast<T>(-static_cast<T>(static_cast<U>(~u)) - 1);
  }
}

// Unsigned operands must not be promoted to (signed) int before multiplying;
// for uint32_t/uint64_t that cannot happen on any platform convgen targets.
static_assert(sizeof(int) <= sizeof(std::uint32_t), "uint32 * uint32 must not promote to int");

// ---------------------------------------------------------------------------
// Shapes

struct Shape4 {
  std::int64_t n, c, h, w;
  std::size_t size() const { return static_cast<std::size_t>(n * c * h * w); }
  std::size_t at(std::int64_t a, std::int64_t b, std::int64_t y, std::int64_t x) const {
    return static_cast<std::size_t>(((a * c + b) * h + y) * w + x);
  }
};

void checkParams(const Conv2dParams& p) {
  (void)p;
  assert(p.batch >= 0 && p.in_channels >= 0 && p.out_channels >= 0);
  assert(p.in_height > 0 && p.in_width > 0);
  assert(p.kernel_h > 0 && p.kernel_w > 0);
  assert(p.stride_h > 0 && p.stride_w > 0);
  assert(p.dilation_h > 0 && p.dilation_w > 0);
  assert(p.groups > 0 && p.in_channels % p.groups == 0 && p.out_channels % p.groups == 0);
  assert(p.pad_top >= 0 && p.pad_bottom >= 0 && p.pad_left >= 0 && p.pad_right >= 0);
  if (p.padding_mode == PaddingMode::Reflect) {
    assert(p.pad_top < p.in_height && p.pad_bottom < p.in_height);
    assert(p.pad_left < p.in_width && p.pad_right < p.in_width);
  }
  if (p.padding_mode == PaddingMode::Circular) {
    assert(p.pad_top <= p.in_height && p.pad_bottom <= p.in_height);
    assert(p.pad_left <= p.in_width && p.pad_right <= p.in_width);
  }
  assert(p.in_height + p.pad_top + p.pad_bottom >= p.dilation_h * (p.kernel_h - 1) + 1);
  assert(p.in_width + p.pad_left + p.pad_right >= p.dilation_w * (p.kernel_w - 1) + 1);
}

// ---------------------------------------------------------------------------
// Explicit padding (F.pad with a non-constant mode)

// The source index in [0, size) that padded index i (in [0, before + size +
// after)) is a copy of. `before` is the pad on the low side.
std::int64_t sourceIndex(std::int64_t i, std::int64_t before, std::int64_t size, PaddingMode mode) {
  std::int64_t s = i - before;  // the coordinate in the unpadded input
  switch (mode) {
    case PaddingMode::Reflect:  // numpy 'reflect': x[-1] -> x[1], x[size] -> x[size-2]
      if (s < 0) s = -s;
      if (s >= size) s = 2 * (size - 1) - s;
      break;
    case PaddingMode::Replicate:  // numpy 'edge'
      if (s < 0) s = 0;
      if (s >= size) s = size - 1;
      break;
    case PaddingMode::Circular:  // numpy 'wrap' (pad <= size: wraps at most once)
      if (s < 0) s += size;
      if (s >= size) s -= size;
      break;
    case PaddingMode::Zeros:
      assert(false && "zeros mode is never padded explicitly");
      break;
  }
  assert(s >= 0 && s < size);
  return s;
}

Shape4 paddedShape(const Conv2dParams& p) {
  return {p.batch, p.in_channels, p.in_height + p.pad_top + p.pad_bottom,
          p.in_width + p.pad_left + p.pad_right};
}

Shape4 inputShape(const Conv2dParams& p) {
  return {p.batch, p.in_channels, p.in_height, p.in_width};
}

// xp = F.pad(x, (left, right, top, bottom), mode)
template <typename T>
std::vector<T> padExplicitly(const Conv2dParams& p, const T* x) {
  const Shape4 xs = inputShape(p), ps = paddedShape(p);
  std::vector<T> xp(ps.size());
  for (std::int64_t n = 0; n < ps.n; ++n)
    for (std::int64_t c = 0; c < ps.c; ++c)
      for (std::int64_t i = 0; i < ps.h; ++i)
        for (std::int64_t j = 0; j < ps.w; ++j) {
          const std::int64_t si = sourceIndex(i, p.pad_top, p.in_height, p.padding_mode);
          const std::int64_t sj = sourceIndex(j, p.pad_left, p.in_width, p.padding_mode);
          xp[ps.at(n, c, i, j)] = x[xs.at(n, c, si, sj)];
        }
  return xp;
}

// The adjoint of padExplicitly: every padded element's gradient is added to
// the element it was copied from.
template <typename T>
void unpadGradient(const Conv2dParams& p, const std::vector<Acc<T>>& gxp, std::vector<Acc<T>>& gx) {
  const Shape4 xs = inputShape(p), ps = paddedShape(p);
  gx.assign(xs.size(), Acc<T>(0));
  for (std::int64_t n = 0; n < ps.n; ++n)
    for (std::int64_t c = 0; c < ps.c; ++c)
      for (std::int64_t i = 0; i < ps.h; ++i)
        for (std::int64_t j = 0; j < ps.w; ++j) {
          const std::int64_t si = sourceIndex(i, p.pad_top, p.in_height, p.padding_mode);
          const std::int64_t sj = sourceIndex(j, p.pad_left, p.in_width, p.padding_mode);
          gx[xs.at(n, c, si, sj)] += gxp[ps.at(n, c, i, j)];
        }
}

// ---------------------------------------------------------------------------
// The plain cross-correlation with implicit zero padding (F.conv2d).

struct Geometry {
  Shape4 in;  // the tensor the cross-correlation reads (x, or the padded copy)
  std::int64_t top, left;  // implicit zero padding (bottom/right only affect the output size)
  std::int64_t out_c, out_h, out_w;
  std::int64_t kh, kw, sh, sw, dh, dw, groups;
};

Geometry geometry(const Conv2dParams& p) {
  Geometry g;
  g.out_c = p.out_channels;
  g.out_h = outputHeight(p);
  g.out_w = outputWidth(p);
  g.kh = p.kernel_h;
  g.kw = p.kernel_w;
  g.sh = p.stride_h;
  g.sw = p.stride_w;
  g.dh = p.dilation_h;
  g.dw = p.dilation_w;
  g.groups = p.groups;
  if (p.padding_mode == PaddingMode::Zeros) {
    g.in = inputShape(p);
    g.top = p.pad_top;
    g.left = p.pad_left;
  } else {
    g.in = paddedShape(p);
    g.top = 0;
    g.left = 0;
  }
  return g;
}

// y[n,o,i,j] = b[o] + sum_{c,ki,kj} w[o,c,ki,kj] * x[n, grp*Cg + c, i*sh + ki*dh - top, j*sw + kj*dw - left]
// where x reads as 0 outside its bounds.
// The output columns j whose input column j * stride + offset lies in
// [0, width): [lo, hi), possibly empty.
struct ColumnRange {
  std::int64_t lo, hi;
};
ColumnRange columnsInside(std::int64_t offset, std::int64_t stride, std::int64_t width,
                          std::int64_t out_w) {
  // j * stride + offset >= 0          <=>  j >= ceil(-offset / stride)
  // j * stride + offset <= width - 1  <=>  j <= floor((width - 1 - offset) / stride)
  const std::int64_t lo = std::min(out_w, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
  const std::int64_t last = width - 1 - offset;
  const std::int64_t hi = std::min(out_w, last < 0 ? 0 : last / stride + 1);
  return {lo, std::max(lo, hi)};
}

// y[n,o,i,j] = b[o] + the sum, over (c, ki, kj) in that order, of
//   w[o,c,ki,kj] * x[n, grp*Cg + c, i*sh + ki*dh - top, j*sw + kj*dw - left],
// taps outside x skipped (implicit zero padding). One output row is
// accumulated at a time, tap by tap: each element still receives its
// products in exactly that order (tests/reference_test.cpp compares it with
// the per-element loop bit for bit), but the innermost loop runs along the
// row with no bounds test, and x is widened once rather than per product.
// That made it 3x faster natively and a third faster under qemu, where the
// reference is most of the emulated conformance runs' time.
template <typename T>
void crossCorrelate(const Geometry& g, const T* x, const T* w, const T* b, T* y) {
  const std::int64_t Cg = g.in.c / g.groups, Og = g.out_c / g.groups;
  const Shape4 ys{g.in.n, g.out_c, g.out_h, g.out_w};
  const Shape4 ws{g.out_c, Cg, g.kh, g.kw};
  std::vector<ColumnRange> inside(static_cast<std::size_t>(g.kw));
  for (std::int64_t kj = 0; kj < g.kw; ++kj)
    inside[static_cast<std::size_t>(kj)] =
        columnsInside(kj * g.dw - g.left, g.sw, g.in.w, g.out_w);
  std::vector<Acc<T>> xa(g.in.size()), row(static_cast<std::size_t>(g.out_w));
  for (std::size_t k = 0; k < xa.size(); ++k) xa[k] = toAcc(x[k]);
  for (std::int64_t n = 0; n < g.in.n; ++n)
    for (std::int64_t o = 0; o < g.out_c; ++o) {
      const std::int64_t grp = o / Og;
      for (std::int64_t i = 0; i < g.out_h; ++i) {
        std::fill(row.begin(), row.end(), b ? toAcc(b[o]) : Acc<T>(0));
        for (std::int64_t c = 0; c < Cg; ++c)
          for (std::int64_t ki = 0; ki < g.kh; ++ki) {
            const std::int64_t r = i * g.sh + ki * g.dh - g.top;
            if (r < 0 || r >= g.in.h) continue;  // implicit zero
            const std::int64_t x_row = static_cast<std::int64_t>(g.in.at(n, grp * Cg + c, r, 0));
            for (std::int64_t kj = 0; kj < g.kw; ++kj) {
              const Acc<T> wv = toAcc(w[ws.at(o, c, ki, kj)]);
              const ColumnRange in = inside[static_cast<std::size_t>(kj)];
              const std::int64_t s0 = x_row + kj * g.dw - g.left;  // column j reads s0 + j*sw
              for (std::int64_t j = in.lo; j < in.hi; ++j)
                row[static_cast<std::size_t>(j)] += wv * xa[static_cast<std::size_t>(s0 + j * g.sw)];
            }
          }
        for (std::int64_t j = 0; j < g.out_w; ++j)
          y[ys.at(n, o, i, j)] = fromAcc<T>(row[static_cast<std::size_t>(j)]);
      }
    }
}

// The same loops, with each product's partial derivatives scattered:
//   d/dx[n, grp*Cg+c, r, s] += w[o,c,ki,kj] * gy[n,o,i,j]
//   d/dw[o, c, ki, kj]      += x[n, grp*Cg+c, r, s] * gy[n,o,i,j]
//   d/db[o]                 += gy[n,o,i,j]
template <typename T>
void crossCorrelateBackward(const Geometry& g, const T* x, const T* w, const T* gy,
                            std::vector<Acc<T>>& gx, std::vector<Acc<T>>& gw,
                            std::vector<Acc<T>>& gb) {
  const std::int64_t Cg = g.in.c / g.groups, Og = g.out_c / g.groups;
  const Shape4 ys{g.in.n, g.out_c, g.out_h, g.out_w};
  const Shape4 ws{g.out_c, Cg, g.kh, g.kw};
  gx.assign(g.in.size(), Acc<T>(0));
  gw.assign(ws.size(), Acc<T>(0));
  gb.assign(static_cast<std::size_t>(g.out_c), Acc<T>(0));
  for (std::int64_t n = 0; n < g.in.n; ++n)
    for (std::int64_t o = 0; o < g.out_c; ++o) {
      const std::int64_t grp = o / Og;
      for (std::int64_t i = 0; i < g.out_h; ++i)
        for (std::int64_t j = 0; j < g.out_w; ++j) {
          const Acc<T> go = toAcc(gy[ys.at(n, o, i, j)]);
          gb[static_cast<std::size_t>(o)] += go;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t ki = 0; ki < g.kh; ++ki)
              for (std::int64_t kj = 0; kj < g.kw; ++kj) {
                const std::int64_t r = i * g.sh + ki * g.dh - g.top;
                const std::int64_t s = j * g.sw + kj * g.dw - g.left;
                if (r < 0 || r >= g.in.h || s < 0 || s >= g.in.w) continue;  // implicit zero
                const std::size_t xi = g.in.at(n, grp * Cg + c, r, s);
                const std::size_t wi = ws.at(o, c, ki, kj);
                gx[xi] += toAcc(w[wi]) * go;
                gw[wi] += toAcc(x[xi]) * go;
              }
        }
    }
}

}  // namespace

std::int64_t outputHeight(const Conv2dParams& p) {
  const std::int64_t span = p.in_height + p.pad_top + p.pad_bottom - p.dilation_h * (p.kernel_h - 1) - 1;
  assert(span >= 0 && p.stride_h > 0);
  return span / p.stride_h + 1;  // span >= 0: truncation is floor
}

std::int64_t outputWidth(const Conv2dParams& p) {
  const std::int64_t span = p.in_width + p.pad_left + p.pad_right - p.dilation_w * (p.kernel_w - 1) - 1;
  assert(span >= 0 && p.stride_w > 0);
  return span / p.stride_w + 1;
}

template <typename T>
void conv2dForward(const Conv2dParams& p, const T* input, const T* weight, const T* bias, T* output) {
  checkParams(p);
  const Geometry g = geometry(p);
  if (p.padding_mode == PaddingMode::Zeros) {
    crossCorrelate(g, input, weight, bias, output);
  } else {
    const std::vector<T> xp = padExplicitly(p, input);
    crossCorrelate(g, xp.data(), weight, bias, output);
  }
}

template <typename T>
void conv2dBackward(const Conv2dParams& p, const T* input, const T* weight, const T* grad_output,
                    T* grad_input, T* grad_weight, T* grad_bias) {
  checkParams(p);
  const Geometry g = geometry(p);
  std::vector<Acc<T>> gx, gw, gb;
  if (p.padding_mode == PaddingMode::Zeros) {
    crossCorrelateBackward(g, input, weight, grad_output, gx, gw, gb);
  } else {
    const std::vector<T> xp = padExplicitly(p, input);
    std::vector<Acc<T>> gxp;
    crossCorrelateBackward(g, xp.data(), weight, grad_output, gxp, gw, gb);
    unpadGradient<T>(p, gxp, gx);
  }
  for (std::size_t k = 0; k < gx.size(); ++k) grad_input[k] = fromAcc<T>(gx[k]);
  for (std::size_t k = 0; k < gw.size(); ++k) grad_weight[k] = fromAcc<T>(gw[k]);
  if (grad_bias)
    for (std::size_t k = 0; k < gb.size(); ++k) grad_bias[k] = fromAcc<T>(gb[k]);
}

#define CONVGEN_REF_INSTANTIATE(T)                                                        \
  template void conv2dForward<T>(const Conv2dParams&, const T*, const T*, const T*, T*); \
  template void conv2dBackward<T>(const Conv2dParams&, const T*, const T*, const T*, T*, T*, T*);

CONVGEN_REF_INSTANTIATE(float)
CONVGEN_REF_INSTANTIATE(double)
CONVGEN_REF_INSTANTIATE(std::int32_t)
CONVGEN_REF_INSTANTIATE(std::int64_t)

#undef CONVGEN_REF_INSTANTIATE

}  // namespace convgen::ref
