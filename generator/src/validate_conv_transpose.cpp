// conv_transpose2d layers: nn.ConvTranspose2d's arguments and PyTorch
// 1.13's rules, worded like its messages (docs/semantics.md section 17).
// The LayerSpec keeps the layer's own numbers (source_op ConvTranspose2d);
// planning lowers it to the conv whose input gradient it is
// (conv_transpose.h).
#include "convgen/conv_transpose.h"
#include "convgen/shapes.h"
#include "validate_layer.h"
#include "validate_pool.h"

namespace convgen::detail {
namespace {

// in_channels / out_channels: present, >= 1.
bool channelCount(const Located<std::int64_t>& v, const char* key, const RawLayer& r,
                  Diagnostics& d) {
  if (!v.usable()) return false;
  if (v.value < 0) {
    d.error(v.loc, "Trying to create tensor with negative dimension " + llvm::Twine(v.value) +
                       ": [" + llvm::Twine(r.in_channels.value) + ", " +
                       llvm::Twine(r.out_channels.value) + ", ...]");
    return false;
  }
  if (v.value == 0) {
    d.error(v.loc, llvm::Twine(key) + "=0 gives an empty layer; convgen needs at least 1");
    return false;
  }
  return true;
}

// An int-or-pair argument; `dflt` when absent.
std::optional<Hw> pairOr(const RawInts& raw, const char* key, std::int64_t dflt, Diagnostics& d,
                         bool& ok) {
  if (!raw.present) return Hw{dflt, dflt};
  std::optional<Hw> v = pairArg(raw, key, d);
  if (!v) ok = false;
  return v;
}

}  // namespace

std::optional<LayerSpec> validateConvTranspose(const RawLayer& r, Isa default_isa, Diagnostics& d) {
  LayerSpec spec;
  spec.source_op = Op::ConvTranspose2d;
  bool ok = commonArgs(r, default_isa, d, spec.name, spec.isa, spec.dtype);
  if (r.dtype.usable() && ok && spec.dtype != DType::Float32 && spec.dtype != DType::Float64) {
    // nn.ConvTranspose2d(dtype=torch.int64) fails creating its weight.
    d.error(r.dtype.loc, "Only Tensors of floating point and complex dtype can require gradients "
                         "(conv_transpose2d: dtype '" + llvm::Twine(toString(spec.dtype)) +
                             "'; convgen generates float32 and float64)");
    ok = false;
  }
  if (r.bias.usable())
    spec.bias = r.bias.value;
  else if (r.bias.present)
    ok = false;
  if (r.padding_mode.present) {
    if (!r.padding_mode.usable()) {
      ok = false;
    } else if (r.padding_mode.value != "zeros") {
      d.error(r.padding_mode.loc, "Only \"zeros\" padding mode is supported for ConvTranspose2d");
      ok = false;
    }
  }
  const bool in_ok = channelCount(r.in_channels, "in_channels", r, d);
  const bool out_ok = channelCount(r.out_channels, "out_channels", r, d);
  bool groups_ok = true;
  if (r.groups.present) {
    groups_ok = r.groups.usable();
    if (groups_ok && r.groups.value <= 0) {
      d.error(r.groups.loc, "groups must be a positive integer");
      groups_ok = false;
    }
    if (groups_ok) spec.groups = r.groups.value;
  }
  if (groups_ok && in_ok && r.in_channels.value % spec.groups != 0) {
    d.error(r.groups.loc, "in_channels must be divisible by groups");
    groups_ok = false;
  }
  if (groups_ok && out_ok && r.out_channels.value % spec.groups != 0) {
    d.error(r.groups.loc, "out_channels must be divisible by groups");
    groups_ok = false;
  }
  ok = ok && in_ok && out_ok && groups_ok;
  if (in_ok) spec.in_channels = r.in_channels.value;
  if (out_ok) spec.out_channels = r.out_channels.value;

  // kernel_size, stride, dilation, padding, output_padding: ints or pairs.
  bool shape_ok = true;
  std::optional<Hw> kernel = r.kernel_size.usable() ? pairArg(r.kernel_size, "kernel_size", d)
                                                    : std::nullopt;
  if (!kernel) shape_ok = false;
  if (kernel && (kernel->h <= 0 || kernel->w <= 0)) {
    d.error(r.kernel_size.loc, "kernel size should be greater than zero, but got kernel_height: " +
                                   llvm::Twine(kernel->h) + " kernel_width: " + llvm::Twine(kernel->w));
    shape_ok = false;
  }
  std::optional<Hw> stride = pairOr(r.stride, "stride", 1, d, shape_ok);
  if (stride && (stride->h <= 0 || stride->w <= 0)) {
    d.error(r.stride.loc, "non-positive stride is not supported");
    shape_ok = false;
  }
  std::optional<Hw> dilation = pairOr(r.dilation, "dilation", 1, d, shape_ok);
  if (dilation && (dilation->h <= 0 || dilation->w <= 0)) {
    d.error(r.dilation.loc, "dilation should be greater than zero, but got dilation_height: " +
                                llvm::Twine(dilation->h) + ", dilation_width: " +
                                llvm::Twine(dilation->w));
    shape_ok = false;
  }
  std::optional<Hw> pad = Hw{0, 0};
  if (r.padding.is_string) {
    // F.conv_transpose2d's padding is ints only ('same'/'valid' are conv2d's).
    d.error(r.padding.ints.loc, "conv_transpose2d(): argument 'padding' must be tuple of ints, "
                                "not str ('" + excerpt(r.padding.word) + "')");
    pad.reset();
  } else if (r.padding.is_sides) {
    d.error(r.padding.ints.loc, "conv_transpose2d: padding is an int or [ph, pw] "
                                "(nn.ConvTranspose2d crops both sides alike), not per side");
    pad.reset();
  } else if (r.padding.ints.present) {
    pad = pairOr(r.padding.ints, "padding", 0, d, shape_ok);
    if (pad && (pad->h < 0 || pad->w < 0)) {
      d.error(r.padding.ints.loc, "negative padding is not supported");
      pad.reset();
    }
  }
  if (!pad) shape_ok = false;
  std::optional<Hw> out_pad = pairOr(r.output_padding, "output_padding", 0, d, shape_ok);
  if (out_pad && (out_pad->h < 0 || out_pad->w < 0)) {
    d.error(r.output_padding.loc, "negative output_padding is not supported");
    out_pad.reset();
    shape_ok = false;
  }
  if (out_pad && stride && dilation && stride->h > 0 && stride->w > 0 && dilation->h > 0 &&
      dilation->w > 0 &&
      ((out_pad->h >= stride->h && out_pad->h >= dilation->h) ||
       (out_pad->w >= stride->w && out_pad->w >= dilation->w))) {
    d.error(r.output_padding.loc,
            "output padding must be smaller than either stride or dilation, but got "
            "output_padding_height: " + llvm::Twine(out_pad->h) + " output_padding_width: " +
                llvm::Twine(out_pad->w) + " stride_height: " + llvm::Twine(stride->h) +
                " stride_width: " + llvm::Twine(stride->w) + " dilation_height: " +
                llvm::Twine(dilation->h) + " dilation_width: " + llvm::Twine(dilation->w));
    shape_ok = false;
  }

  std::optional<std::vector<std::int64_t>> in = inputShape(r, d);
  if (in && in->size() != 3 && in->size() != 4) {
    d.error(r.input_shape.loc, "Expected 3D (unbatched) or 4D (batched) input to "
                               "conv_transpose2d, but got input of size: " + listText(*in));
    in.reset();
  }
  if (in) {
    for (std::int64_t v : *in)
      if (v == 0) {
        d.error(r.input_shape.loc, "input_shape " + listText(*in) +
                                       " is empty; convgen needs every dimension to be at least 1");
        in.reset();
        break;
      }
  }
  if (in) {
    const std::vector<std::int64_t>& v = *in;
    spec.batched = v.size() == 4;
    spec.batch = spec.batched ? v[0] : 1;
    const std::int64_t c = v[v.size() - 3];
    spec.in_height = v[v.size() - 2];
    spec.in_width = v[v.size() - 1];
    if (in_ok && out_ok && groups_ok && kernel && c != spec.in_channels) {
      d.error(r.input_shape.loc,
              "Given transposed=1, weight of size " +
                  listText({spec.in_channels, spec.out_channels / spec.groups, kernel->h,
                            kernel->w}) +
                  ", expected input" + listText(v) + " to have " +
                  llvm::Twine(spec.in_channels) + " channels, but got " + llvm::Twine(c) +
                  " channels instead");
      in.reset();
    }
  }
  if (!in || !shape_ok || !ok) return std::nullopt;
  spec.kernel = *kernel;
  spec.stride = *stride;
  spec.dilation = *dilation;
  spec.pad = {pad->h, pad->h, pad->w, pad->w};
  spec.output_padding = *out_pad;
  // The output size, in 128 bits (every input is < 2^31, so this cannot
  // overflow), then PyTorch's check and convgen's bounds.
  const std::optional<Hw> out = convTransposeOutput(spec);
  if (!out) {
    const __int128 oh = convTransposeExtent(spec.in_height, spec.stride.h, spec.pad.top,
                                            spec.kernel.h, spec.dilation.h, spec.output_padding.h);
    const __int128 ow = convTransposeExtent(spec.in_width, spec.stride.w, spec.pad.left,
                                            spec.kernel.w, spec.dilation.w, spec.output_padding.w);
    if (oh < 1 || ow < 1) {
      d.error(r.loc, "Given input size per channel: (" + llvm::Twine(spec.in_height) + " x " +
                         llvm::Twine(spec.in_width) + "). Calculated output size per channel: (" +
                         llvm::Twine(static_cast<std::int64_t>(oh)) + " x " +
                         llvm::Twine(static_cast<std::int64_t>(ow)) + "). Output size is too small");
    } else {
      d.error(r.loc, "the output of this conv_transpose2d layer is larger than " +
                         llvm::Twine(kMaxDimension) + " along an axis, more than convgen supports");
    }
    return std::nullopt;
  }
  const std::int64_t cout = spec.out_channels, cin = spec.in_channels;
  for (const std::vector<std::int64_t>& shape :
       {std::vector<std::int64_t>{spec.batch, cin, spec.in_height, spec.in_width},
        std::vector<std::int64_t>{spec.batch, cout, out->h, out->w},
        std::vector<std::int64_t>{cin, cout / spec.groups, spec.kernel.h, spec.kernel.w},
        std::vector<std::int64_t>{out->h + spec.pad.top + spec.pad.bottom,
                                  out->w + spec.pad.left + spec.pad.right}}) {
    const std::optional<std::int64_t> n = checkedElementCount(shape);
    if (n && *n <= kMaxTensorElements) continue;
    d.error(r.loc, "the tensor " + listText(shape) + " of this conv_transpose2d layer has more than " +
                       llvm::Twine(kMaxTensorElements) + " elements, the most convgen supports");
    return std::nullopt;
  }
  return spec;
}

}  // namespace convgen::detail
