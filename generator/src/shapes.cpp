#include "convgen/shapes.h"

#include "convgen/conv_transpose.h"
#include "convgen/internal_error.h"

namespace convgen {
namespace {

std::optional<std::int64_t> checkedMul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

}  // namespace

ConvExtent convExtent(std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                      std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  ConvExtent e;
  if (const auto lo = checkedAdd(in, pad_lo)) e.padded = checkedAdd(*lo, pad_hi);
  if (const auto span = checkedMul(dilation, kernel - 1)) e.dilated_kernel = checkedAdd(*span, 1);
  if (e.padded && e.dilated_kernel && *e.padded >= *e.dilated_kernel && stride >= 1)
    e.output = (*e.padded - *e.dilated_kernel) / stride + 1;  // no overflow: the difference >= 0
  return e;
}

std::int64_t convOutputSize(std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                            std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  const ConvExtent e = convExtent(in, pad_lo, pad_hi, kernel, stride, dilation);
  CONVGEN_CHECK(e.output.has_value(), "convOutputSize on an invalid layer");
  return *e.output;
}

std::int64_t dilatedKernelSize(std::int64_t kernel, std::int64_t dilation) {
  const ConvExtent e = convExtent(0, 0, 0, kernel, 1, dilation);
  CONVGEN_CHECK(e.dilated_kernel.has_value(), "dilatedKernelSize overflows");
  return *e.dilated_kernel;
}

SidePadding samePadding(std::int64_t kernel, std::int64_t dilation) {
  const std::optional<std::int64_t> total = checkedMul(dilation, kernel - 1);
  CONVGEN_CHECK(total.has_value(), "samePadding overflows");
  return {*total / 2, *total - *total / 2};
}

std::optional<std::int64_t> checkedElementCount(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    const std::optional<std::int64_t> next = checkedMul(n, d);
    if (!next) return std::nullopt;
    n = *next;
  }
  return n;
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
  const std::optional<std::int64_t> n = checkedElementCount(shape);
  CONVGEN_CHECK(n.has_value(), "elementCount overflows");
  return *n;
}

LayerShapes inferShapes(const LayerSpec& l) {
  if (l.source_op == Op::ConvTranspose2d) return convTransposeShapes(l);  // conv_transpose.cpp
  LayerShapes s;
  s.pad = l.pad;
  s.out_height =
      convOutputSize(l.in_height, l.pad.top, l.pad.bottom, l.kernel.h, l.stride.h, l.dilation.h);
  s.out_width =
      convOutputSize(l.in_width, l.pad.left, l.pad.right, l.kernel.w, l.stride.w, l.dilation.w);
  if (l.batched) {
    s.input = {l.batch, l.in_channels, l.in_height, l.in_width};
    s.output = {l.batch, l.out_channels, s.out_height, s.out_width};
  } else {
    s.input = {l.in_channels, l.in_height, l.in_width};
    s.output = {l.out_channels, s.out_height, s.out_width};
  }
  CONVGEN_CHECK(l.groups >= 1, "inferShapes on a layer without groups");
  const std::int64_t cin_per_group = l.in_channels / l.groups;
  s.weight = {l.out_channels, cin_per_group, l.kernel.h, l.kernel.w};
  if (l.bias) s.bias = {l.out_channels};
  const std::optional<std::int64_t> reduction =
      checkedElementCount({cin_per_group, l.kernel.h, l.kernel.w});
  const std::optional<std::int64_t> params =
      checkedAdd(elementCount(s.weight), l.bias ? l.out_channels : 0);
  CONVGEN_CHECK(reduction && params, "inferShapes: parameters overflow");
  const std::optional<std::int64_t> macs = checkedMul(elementCount(s.output), *reduction);
  CONVGEN_CHECK(macs.has_value(), "inferShapes: MACs overflow");
  s.params = *params;
  s.reduction = *reduction;
  s.macs = *macs;
  return s;
}

}  // namespace convgen
