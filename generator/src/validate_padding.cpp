// One layer's padding rules, the kernel's fit in the padded input, dtype
// support, and convgen's size bounds. See validate_layer.h.
#include <limits>

#include "convgen/internal_error.h"
#include "convgen/shapes.h"
#include "validate_layer.h"

namespace convgen::detail {

const TorchOnlyDType* findTorchOnlyDType(llvm::StringRef word) {
  // docs/semantics.md section 6: PyTorch cannot convolve the first three on CPU;
  // it convolves the rest (integers only undilated), which convgen does not
  // generate.
  static const TorchOnlyDType kTable[] = {
      {"float16", "Half", false}, {"half", "Half", false},  {"bool", "Bool", false},
      {"int8", "Char", true},     {"int16", "Short", true}, {"short", "Short", true},
      {"uint8", "Byte", true},    {"bfloat16", "", true},   {"complex64", "", true},
      {"cfloat", "", true},       {"complex128", "", true}, {"cdouble", "", true}};
  for (const TorchOnlyDType& row : kTable)
    if (word == llvm::StringRef(row.name.data(), row.name.size())) return &row;
  return nullptr;
}

bool LayerValidator::padding(bool stride_ok, bool kernel_ok, bool dilation_ok) {
  const RawPadding& p = r_.padding;
  if (!p.ints.present) return true;  // default 0
  if (p.is_string) {
    const std::optional<PaddingKind> kind = parsePaddingWord(p.word);
    if (!kind) {
      diags_.error(p.ints.loc, "Invalid padding string '" + p.word + "', should be one of {" +
                                   paddingWordList("'") + "}");
      return false;
    }
    spec_.padding_kind = *kind;
    if (*kind == PaddingKind::Valid) return true;
    if (stride_ok && (spec_.stride.h != 1 || spec_.stride.w != 1)) {
      diags_.error(p.ints.loc, "padding='same' is not supported for strided convolutions");
      return false;
    }
    if (!kernel_ok || !dilation_ok) return false;
    const SidePadding h = samePadding(spec_.kernel.h, spec_.dilation.h);
    const SidePadding w = samePadding(spec_.kernel.w, spec_.dilation.w);
    spec_.pad = {h.front, h.back, w.front, w.back};
    return true;
  }
  if (p.is_sides) return sidePadding();
  if (!p.ints.usable()) return false;
  if (p.ints.is_list && p.ints.values.size() == 1 && mode_ok_ &&
      spec_.padding_mode != PaddingMode::Zeros) {
    diags_.error(p.ints.loc,
                 "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
    return false;
  }
  std::optional<Hw> v = pairArg(p.ints, "padding", diags_);
  if (!v) return false;
  if (v->h < 0 || v->w < 0) {
    if (spec_.padding_mode == PaddingMode::Zeros)
      diags_.error(p.ints.loc, "negative padding is not supported");
    else
      diags_.error(p.ints.loc,
                   llvm::Twine("negative padding (which crops the input) with padding_mode='") +
                       llvm::StringRef(toString(spec_.padding_mode)) +
                       "' is accepted by PyTorch but not supported by convgen");
    return false;
  }
  spec_.pad = {v->h, v->h, v->w, v->w};
  return true;
}

// What padding_mode demands of the pad and of the input (F.pad's rules).
bool LayerValidator::modePadding() {
  if (!mode_ok_) return false;
  const std::size_t errors_before = diags_.errorCount();
  const Padding4& pad = spec_.pad;
  const std::int64_t rank = spec_.batched ? 4 : 3;
  const llvm::SMLoc at = r_.padding.ints.present ? r_.padding.ints.loc : r_.padding_mode.loc;
  const bool empty = spec_.in_height == 0 || spec_.in_width == 0;
  const std::string input = listText(r_.input_shape.values);
  switch (spec_.padding_mode) {
    case PaddingMode::Zeros:
      if (empty && (pad.top || pad.bottom || pad.left || pad.right))
        diags_.error(
            r_.input_shape.loc,
            "Only zero batch or zero channel inputs are supported, but got input shape: " + input);
      break;
    case PaddingMode::Reflect:
      if (empty) {
        diags_.error(r_.input_shape.loc,
                     "3D or 4D (batch mode) tensor expected for input, but got: " + input);
        break;
      }
      if (pad.left >= spec_.in_width || pad.right >= spec_.in_width)
        diags_.error(at,
                     "Argument #4: Padding size should be less than the corresponding input "
                     "dimension, but got: padding (" +
                         llvm::Twine(pad.left) + ", " + llvm::Twine(pad.right) + ") at dimension " +
                         llvm::Twine(rank - 1) + " of input " + llvm::Twine(rank));
      if (pad.top >= spec_.in_height || pad.bottom >= spec_.in_height)
        diags_.error(at,
                     "Argument #6: Padding size should be less than the corresponding input "
                     "dimension, but got: padding (" +
                         llvm::Twine(pad.top) + ", " + llvm::Twine(pad.bottom) + ") at dimension " +
                         llvm::Twine(rank - 2) + " of input " + llvm::Twine(rank));
      break;
    case PaddingMode::Replicate:
      if (empty)
        diags_.error(r_.input_shape.loc,
                     "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                     "non-zero dimensions for input, but got: " +
                         input);
      break;
    case PaddingMode::Circular:
      if (!spec_.batched) {
        diags_.error(r_.padding_mode.loc, "Invalid padding size, expected 2 but got 4");
        break;
      }
      if (pad.top > spec_.in_height || pad.bottom > spec_.in_height || pad.left > spec_.in_width ||
          pad.right > spec_.in_width)
        diags_.error(at, "Padding value causes wrapping around more than once.");
      break;
  }
  return diags_.errorCount() == errors_before;
}

namespace {

ConvExtent heightExtent(const LayerSpec& l) {
  return convExtent(l.in_height, l.pad.top, l.pad.bottom, l.kernel.h, l.stride.h, l.dilation.h);
}
ConvExtent widthExtent(const LayerSpec& l) {
  return convExtent(l.in_width, l.pad.left, l.pad.right, l.kernel.w, l.stride.w, l.dilation.w);
}

std::string text(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v)
           : "more than " + std::to_string(std::numeric_limits<std::int64_t>::max());
}

}  // namespace

// Needs a usable input, padding, kernel and dilation. A size that overflows
// is left to sizes(), which bounds it.
bool LayerValidator::kernelFits() {
  const ConvExtent h = heightExtent(spec_), w = widthExtent(spec_);
  if (!h.padded || !w.padded || !h.dilated_kernel || !w.dilated_kernel) return true;
  if (*h.padded >= *h.dilated_kernel && *w.padded >= *w.dilated_kernel) return true;
  diags_.error(r_.kernel_size.loc, "Calculated padded input size per channel: (" + text(h.padded) +
                                       " x " + text(w.padded) + "). Kernel size: (" +
                                       text(h.dilated_kernel) + " x " + text(w.dilated_kernel) +
                                       "). Kernel size can't be greater than actual input size");
  return false;
}

bool LayerValidator::dilated(bool dilation_ok) const {
  return dilation_ok && (spec_.dilation.h > 1 || spec_.dilation.w > 1);
}

// dtypes that PyTorch 1.13 cannot convolve on CPU, or only partly
// (docs/semantics.md section 6), and those convgen does not generate.
bool LayerValidator::dtypeSupport(bool dilation_ok) {
  if (r_.dtype.usable() && !parseDType(r_.dtype.value)) {
    const llvm::StringRef word = r_.dtype.value;
    if (const TorchOnlyDType* t = findTorchOnlyDType(word)) {
      const llvm::StringRef type(t->torch_name.data(), t->torch_name.size());
      if (!t->torch_convolves)
        diags_.error(r_.dtype.loc,
                     dilated(dilation_ok)
                         ? "\"slow_conv_dilated<>\" not implemented for '" + type + "'"
                         : "\"slow_conv2d_cpu\" not implemented for '" + type + "'");
      else if (!type.empty() && dilated(dilation_ok))  // PyTorch fails first
        diags_.error(r_.dilation.loc, "\"slow_conv_dilated<>\" not implemented for '" + type + "'");
      else
        diags_.error(r_.dtype.loc, "dtype '" + word + "' is not supported by convgen (supported: " +
                                       dtypeList() + ")");
    }
    return false;
  }
  if (!dtype_ok_ || !mode_ok_) return false;
  const bool is_int = spec_.dtype == DType::Int32 || spec_.dtype == DType::Int64;
  if (!is_int) return true;
  const llvm::StringRef type(torchTypeName(spec_.dtype).data(), torchTypeName(spec_.dtype).size());
  bool ok = true;
  if (spec_.padding_mode == PaddingMode::Reflect) {
    diags_.error(r_.padding_mode.loc, "\"reflection_pad2d\" not implemented for '" + type + "'");
    ok = false;
  }
  if (spec_.padding_mode == PaddingMode::Replicate) {
    diags_.error(r_.padding_mode.loc,
                 "\"replication_pad2d_cpu\" not implemented for '" + type + "'");
    ok = false;
  }
  if (spec_.dtype == DType::Int32 && dilated(dilation_ok)) {
    diags_.error(r_.dilation.loc, "\"slow_conv_dilated<>\" not implemented for '" + type + "'");
    ok = false;
  }
  return ok;
}

// convgen's own bounds (config.h), on a layer that passed every other rule:
// padded sizes, tensor sizes and MACs, all with overflow checks before
// anything (inferShapes included) may multiply them.
bool LayerValidator::sizes() {
  const LayerSpec& l = spec_;
  const ConvExtent eh = heightExtent(l), ew = widthExtent(l);
  if (!eh.padded || !ew.padded || *eh.padded > kMaxDimension || *ew.padded > kMaxDimension) {
    const llvm::SMLoc at = r_.padding.ints.present ? r_.padding.ints.loc : r_.input_shape.loc;
    diags_.error(at, "the padded input is " + text(eh.padded) + " x " + text(ew.padded) +
                         "; convgen supports padded sizes up to " + llvm::Twine(kMaxDimension));
    return false;
  }
  // kernelFits() held, and stride >= 1.
  CONVGEN_CHECK(eh.output && ew.output, "a layer past kernelFits() without an output size");
  const std::int64_t oh = *eh.output, ow = *ew.output;
  std::vector<std::int64_t> input, output;
  if (l.batched) {
    input = {l.batch, l.in_channels, l.in_height, l.in_width};
    output = {l.batch, l.out_channels, oh, ow};
  } else {
    input = {l.in_channels, l.in_height, l.in_width};
    output = {l.out_channels, oh, ow};
  }
  const std::vector<std::int64_t> weight = {l.out_channels, l.in_channels / l.groups, l.kernel.h,
                                            l.kernel.w};
  const struct {
    const char* what;
    const std::vector<std::int64_t>& shape;
    llvm::SMLoc loc;
  } tensors[] = {{"input", input, r_.input_shape.loc},
                 {"output", output, r_.input_shape.loc},
                 {"weight", weight, r_.kernel_size.loc}};
  std::int64_t counts[3] = {};
  bool ok = true;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::optional<std::int64_t> n = checkedElementCount(tensors[i].shape);
    if (n && *n <= kMaxTensorElements) {
      counts[i] = *n;
      continue;
    }
    diags_.error(tensors[i].loc, llvm::Twine("the ") + tensors[i].what + " tensor " +
                                     listText(tensors[i].shape) + " has more than " +
                                     llvm::Twine(kMaxTensorElements) +
                                     " elements, the most convgen supports");
    ok = false;
  }
  if (!ok) return false;
  // Each term of an output is a product over (in/groups)*kh*kw: the weight's
  // elements per output channel. Below 2^62 with the bounds above; checked
  // all the same.
  const std::int64_t reduction = counts[2] / l.out_channels;
  std::int64_t macs = 0, params = 0;
  if (__builtin_mul_overflow(counts[1], reduction, &macs) ||
      __builtin_add_overflow(counts[2], l.bias ? l.out_channels : 0, &params)) {
    diags_.error(r_.loc, "the layer needs more than " +
                             llvm::Twine(std::numeric_limits<std::int64_t>::max()) +
                             " multiply-accumulates (output elements x in_channels/groups x "
                             "kh x kw), more than convgen supports");
    return false;
  }
  macs_ = macs;
  params_ = params;
  return true;
}

}  // namespace convgen::detail
