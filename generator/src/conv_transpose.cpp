// conv_transpose.h: output size and the conv view of a conv_transpose2d.
#include "convgen/conv_transpose.h"

#include <algorithm>

#include "convgen/config.h"
#include "convgen/internal_error.h"

namespace convgen {

__int128 convTransposeExtent(std::int64_t in, std::int64_t stride, std::int64_t pad,
                             std::int64_t kernel, std::int64_t dilation, std::int64_t out_pad) {
  return (__int128(in) - 1) * stride - 2 * __int128(pad) + __int128(dilation) * (kernel - 1) +
         out_pad + 1;
}

std::optional<Hw> convTransposeOutput(const LayerSpec& l) {
  const __int128 h = convTransposeExtent(l.in_height, l.stride.h, l.pad.top, l.kernel.h,
                                         l.dilation.h, l.output_padding.h);
  const __int128 w = convTransposeExtent(l.in_width, l.stride.w, l.pad.left, l.kernel.w,
                                         l.dilation.w, l.output_padding.w);
  if (h < 1 || w < 1 || h > kMaxDimension || w > kMaxDimension) return std::nullopt;
  return Hw{static_cast<std::int64_t>(h), static_cast<std::int64_t>(w)};
}

std::int64_t convTransposeAfterPad(std::int64_t pad, std::int64_t out_pad, std::int64_t stride) {
  // The view's output is floor((in-1)*stride + out_pad + after - pad) / stride) + 1
  // positions, `in` exactly when out_pad + after - pad is in [0, stride).
  const std::int64_t least = pad - out_pad;
  return least + stride - 1 >= 0 ? std::max<std::int64_t>(least, 0) : least;
}

LayerShapes convTransposeShapes(const LayerSpec& l) {
  const std::optional<Hw> out = convTransposeOutput(l);
  CONVGEN_CHECK(out.has_value() && l.groups >= 1, "convTransposeShapes on an invalid layer");
  LayerShapes s;
  s.pad = l.pad;
  s.out_height = out->h;
  s.out_width = out->w;
  s.input = {l.in_channels, l.in_height, l.in_width};
  s.output = {l.out_channels, out->h, out->w};
  if (l.batched) {
    s.input.insert(s.input.begin(), l.batch);
    s.output.insert(s.output.begin(), l.batch);
  }
  const std::int64_t og = l.out_channels / l.groups;
  s.weight = {l.in_channels, og, l.kernel.h, l.kernel.w};
  if (l.bias) s.bias = {l.out_channels};
  // Bounded by validation (every tensor <= 2^31 elements): no overflow.
  s.params = elementCount(s.weight) + (l.bias ? l.out_channels : 0);
  s.reduction = l.in_channels / l.groups * l.kernel.h * l.kernel.w;
  s.macs = elementCount(s.input) * og * l.kernel.h * l.kernel.w;
  return s;
}

LayerSpec convTransposeView(const LayerSpec& t) {
  CONVGEN_CHECK(t.source_op == Op::ConvTranspose2d, "a conv view of a layer that is no transpose");
  const std::optional<Hw> out = convTransposeOutput(t);
  CONVGEN_CHECK(out.has_value(), "convTransposeView on an invalid layer");
  LayerSpec v;
  v.name = t.name;
  v.batched = t.batched;
  v.batch = t.batch;
  v.in_channels = t.out_channels;
  v.out_channels = t.in_channels;
  v.in_height = out->h;
  v.in_width = out->w;
  v.kernel = t.kernel;
  v.stride = t.stride;
  v.dilation = t.dilation;
  v.groups = t.groups;
  v.pad = {t.pad.top, convTransposeAfterPad(t.pad.top, t.output_padding.h, t.stride.h), t.pad.left,
           convTransposeAfterPad(t.pad.left, t.output_padding.w, t.stride.w)};
  v.bias = false;
  v.padding_mode = PaddingMode::Zeros;
  v.dtype = t.dtype;
  v.isa = t.isa;
  v.backward = t.backward;
  return v;
}

}  // namespace convgen
