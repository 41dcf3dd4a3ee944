#include "convgen/shapes.h"

#include <cassert>

namespace convgen {

std::int64_t dilatedKernelSize(std::int64_t kernel, std::int64_t dilation) {
  return dilation * (kernel - 1) + 1;
}

std::int64_t convOutputSize(std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                            std::int64_t kernel, std::int64_t stride, std::int64_t dilation) {
  const std::int64_t span = in + pad_lo + pad_hi - dilatedKernelSize(kernel, dilation);
  assert(span >= 0 && stride >= 1 && "convOutputSize on an invalid layer");
  return span / stride + 1;
}

SidePadding samePadding(std::int64_t kernel, std::int64_t dilation) {
  const std::int64_t total = dilation * (kernel - 1);
  return {total / 2, total - total / 2};
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

LayerShapes inferShapes(const LayerSpec& l) {
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
  const std::int64_t cin_per_group = l.in_channels / l.groups;
  s.weight = {l.out_channels, cin_per_group, l.kernel.h, l.kernel.w};
  if (l.bias) s.bias = {l.out_channels};
  s.params = elementCount(s.weight) + (l.bias ? l.out_channels : 0);
  s.reduction = cin_per_group * l.kernel.h * l.kernel.w;
  s.macs = elementCount(s.output) * s.reduction;
  return s;
}

}  // namespace convgen
