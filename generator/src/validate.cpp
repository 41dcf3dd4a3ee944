// Stage 2 of reading a config: PyTorch 1.13's rules (docs/semantics.md section 9),
// worded like PyTorch's messages, and the generator's own rules for values
// that are spliced into C++ code and file names. Every rule whose inputs are
// usable runs, so one pass reports every problem.
#include <array>
#include <limits>
#include <optional>

#include "convgen/config.h"
#include "convgen/shapes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

namespace convgen {
namespace {

std::string list(llvm::ArrayRef<std::int64_t> v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<llvm::StringRef, E>, N>& table,
                        llvm::StringRef word) {
  for (const auto& [name, value] : table)
    if (name == word) return value;
  return std::nullopt;
}

constexpr std::array<std::pair<llvm::StringRef, PaddingMode>, 4> kPaddingModes = {{
    {"zeros", PaddingMode::Zeros},
    {"reflect", PaddingMode::Reflect},
    {"replicate", PaddingMode::Replicate},
    {"circular", PaddingMode::Circular},
}};
constexpr std::array<std::pair<llvm::StringRef, DType>, 4> kDTypes = {{
    {"float32", DType::Float32},
    {"float64", DType::Float64},
    {"int32", DType::Int32},
    {"int64", DType::Int64},
}};
constexpr std::array<std::pair<llvm::StringRef, Isa>, 4> kIsas = {{
    {"scalar", Isa::Scalar},
    {"avx2", Isa::Avx2},
    {"avx512", Isa::Avx512},
    {"neon", Isa::Neon},
}};

// dtypes PyTorch has but cannot convolve on CPU (docs/semantics.md section 6),
// with the scalar type name its error message gives.
constexpr std::array<std::pair<llvm::StringRef, llvm::StringRef>, 3> kTorchCannotConvolve = {
    {{"float16", "Half"}, {"half", "Half"}, {"bool", "Bool"}}};
// dtypes PyTorch convolves on CPU (integers: only undilated) but convgen does
// not generate, with PyTorch's scalar type name.
constexpr std::array<std::pair<llvm::StringRef, llvm::StringRef>, 9> kTorchOnly = {
    {{"int8", "Char"},
     {"int16", "Short"},
     {"short", "Short"},
     {"uint8", "Byte"},
     {"bfloat16", ""},
     {"complex64", ""},
     {"cfloat", ""},
     {"complex128", ""},
     {"cdouble", ""}}};

// a*b, or nullopt when it does not fit in int64.
std::optional<std::int64_t> mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<std::int64_t> add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// The number of elements of `shape`, or nullopt when it does not fit in int64.
std::optional<std::int64_t> elements(llvm::ArrayRef<std::int64_t> shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    std::optional<std::int64_t> next = mul(n, d);
    if (!next) return std::nullopt;
    n = *next;
  }
  return n;
}

std::optional<Isa> parseIsa(const Located<std::string>& word, Diagnostics& diags) {
  if (auto isa = lookup(kIsas, word.value)) return isa;
  diags.error(word.loc, "isa must be one of {'scalar', 'avx2', 'avx512', 'neon'}, but got isa='" +
                            excerpt(word.value) + "'");
  return std::nullopt;
}

// A pair argument (stride, dilation, padding): an int, or a list of 1 or 2
// ints. Returns nullopt after diagnosing any other length.
std::optional<Hw> pairArg(const RawInts& raw, llvm::StringRef key, Diagnostics& diags) {
  if (!raw.usable()) return std::nullopt;
  if (raw.values.size() == 1) return Hw{raw.values[0], raw.values[0]};
  if (raw.values.size() == 2) return Hw{raw.values[0], raw.values[1]};
  diags.error(raw.loc, "expected " + key +
                           " to be a single integer value or a list of 2 values to match the "
                           "convolution dimensions, but got " +
                           key + "=" + list(raw.values));
  return std::nullopt;
}

class LayerValidator {
 public:
  LayerValidator(const RawLayer& raw, Isa default_isa, Diagnostics& diags)
      : r_(raw), diags_(diags) {
    spec_.isa = default_isa;
  }

  // The layer, when every argument is usable and every rule holds. A rule
  // runs when its own inputs are usable, so that one pass reports every
  // problem; shape arithmetic runs only on a layer that passed them all, so
  // never on defaults standing in for a missing or ill-typed argument
  // (whose problem stage 1 has reported).
  std::optional<LayerSpec> run() {
    const bool name_ok = name();
    const bool enums_ok = enums();
    const bool groups_ok = groups();
    const bool channels_ok = channels(groups_ok);
    const bool kernel_ok = kernel(groups_ok);
    const bool stride_ok = positivePair(r_.stride, "stride", spec_.stride);
    const bool dilation_ok = positivePair(r_.dilation, "dilation", spec_.dilation);
    const bool input_ok = input(channels_ok, groups_ok, kernel_ok);
    const bool padding_ok = padding(stride_ok, kernel_ok, dilation_ok);
    const bool mode_padding_ok = input_ok && padding_ok && modePadding();
    const bool fits = input_ok && padding_ok && kernel_ok && dilation_ok && kernelFits();
    const bool dtype_ok = dtypeSupport(dilation_ok);
    if (!(name_ok && enums_ok && groups_ok && channels_ok && kernel_ok && stride_ok &&
          dilation_ok && input_ok && padding_ok && mode_padding_ok && fits && dtype_ok))
      return std::nullopt;
    if (!sizes()) return std::nullopt;
    return spec_;
  }

  // Multiply-accumulates and parameters of the layer; valid after run()
  // returned a layer.
  std::int64_t macs() const { return macs_; }
  std::int64_t params() const { return params_; }

 private:
  bool name() {
    if (!r_.name.usable()) return false;
    spec_.name = r_.name.value;
    std::string why;
    if (isSafeIdentifier(r_.name.value, &why)) return true;
    diags_.error(r_.name.loc, "layer name '" + excerpt(r_.name.value) + "' " + why);
    return false;
  }

  // padding_mode, dtype, isa and bias. A dtype PyTorch knows but convgen
  // does not support is diagnosed by dtypeSupport(), which knows the
  // dilation.
  bool enums() {
    bool ok = true;
    if (r_.padding_mode.usable()) {
      if (auto m = lookup(kPaddingModes, r_.padding_mode.value)) {
        spec_.padding_mode = *m;
      } else {
        mode_ok_ = false;
        diags_.error(r_.padding_mode.loc,
                     "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, "
                     "but got padding_mode='" +
                         excerpt(r_.padding_mode.value) + "'");
      }
    } else if (r_.padding_mode.present) {
      mode_ok_ = false;
    }
    if (r_.dtype.usable()) {
      if (auto t = lookup(kDTypes, r_.dtype.value)) {
        spec_.dtype = *t;
      } else if (lookup(kTorchCannotConvolve, r_.dtype.value) ||
                 lookup(kTorchOnly, r_.dtype.value)) {
        dtype_ok_ = false;  // diagnosed by dtypeSupport()
      } else {
        dtype_ok_ = false;
        diags_.error(r_.dtype.loc,
                     "dtype must be one of {'float32', 'float64', 'int32', 'int64'}, "
                     "but got dtype='" +
                         excerpt(r_.dtype.value) + "'");
      }
    } else if (r_.dtype.present) {
      dtype_ok_ = false;
    }
    if (r_.isa.usable()) {
      if (auto isa = parseIsa(r_.isa, diags_))
        spec_.isa = *isa;
      else
        ok = false;
    } else if (r_.isa.present) {
      ok = false;
    }
    if (r_.bias.usable())
      spec_.bias = r_.bias.value;
    else if (r_.bias.present)
      ok = false;
    return ok && mode_ok_ && dtype_ok_;
  }

  bool groups() {
    if (!r_.groups.present) return true;
    if (!r_.groups.ok) return false;
    if (r_.groups.value <= 0) {
      diags_.error(r_.groups.loc, "groups must be a positive integer");
      return false;
    }
    spec_.groups = r_.groups.value;
    return true;
  }

  // PyTorch's weight shape as it would try to create it (floor division).
  std::string weightShape() const {
    const std::int64_t in = r_.in_channels.usable() ? r_.in_channels.value : 0;
    const std::int64_t g = spec_.groups > 0 ? spec_.groups : 1;
    const std::int64_t in_per_group = in >= 0 ? in / g : -((-in + g - 1) / g);
    std::vector<std::int64_t> shape = {r_.out_channels.usable() ? r_.out_channels.value : 0,
                                       in_per_group};
    if (r_.kernel_size.usable())
      for (std::int64_t k : r_.kernel_size.values) shape.push_back(k);
    if (r_.kernel_size.usable() && r_.kernel_size.values.size() == 1 && !r_.kernel_size.is_list)
      shape.push_back(r_.kernel_size.values[0]);
    return list(shape);
  }

  bool channels(bool groups_ok) {
    if (!r_.in_channels.usable() || !r_.out_channels.usable()) return false;
    bool ok = true;
    for (const Located<std::int64_t>* c : {&r_.in_channels, &r_.out_channels}) {
      if (c->value < 0) {
        diags_.error(c->loc, "Trying to create tensor with negative dimension " +
                                 llvm::Twine(c->value) + ": " + weightShape());
        ok = false;
      }
    }
    if (r_.in_channels.value == 0) {
      diags_.error(r_.in_channels.loc,
                   "in_channels=0 gives an empty convolution (PyTorch returns 0 channels); "
                   "convgen needs at least 1 input channel");
      ok = false;
    }
    if (r_.out_channels.value == 0) {
      diags_.error(r_.out_channels.loc, "Given groups=" + llvm::Twine(spec_.groups) +
                                            ", expected weight to be at least 1 at dimension 0, "
                                            "but got weight of size " +
                                            weightShape() + " instead");
      ok = false;
    }
    if (!ok || !groups_ok) return false;
    spec_.in_channels = r_.in_channels.value;
    spec_.out_channels = r_.out_channels.value;
    if (spec_.in_channels % spec_.groups != 0) {
      diags_.error(r_.groups.loc, "in_channels must be divisible by groups");
      ok = false;
    }
    if (spec_.out_channels % spec_.groups != 0) {
      diags_.error(r_.groups.loc, "out_channels must be divisible by groups");
      ok = false;
    }
    return ok;
  }

  bool kernel(bool /*groups_ok*/) {
    const RawInts& k = r_.kernel_size;
    if (!k.usable()) return false;
    if (k.is_list && k.values.size() != 2) {
      // nn.Conv2d keeps the list as given: the weight gets rank 2 + len, and
      // F.conv2d then treats it as a conv of another dimension.
      const std::size_t dims = k.values.size();
      if (dims == 0) {
        diags_.error(k.loc, "weight should have at least three dimensions");
      } else {
        std::vector<std::int64_t> stride = {1, 1};
        if (r_.stride.usable()) {
          stride = r_.stride.values;
          if (!r_.stride.is_list) stride.push_back(stride[0]);
        }
        diags_.error(
            k.loc,
            "expected stride to be a single integer value or a list of " + llvm::Twine(dims) +
                " values to match the convolution dimensions, but got stride=" + list(stride));
      }
      return false;
    }
    const Hw kernel =
        k.values.size() == 2 ? Hw{k.values[0], k.values[1]} : Hw{k.values[0], k.values[0]};
    if (kernel.h < 0 || kernel.w < 0) {
      diags_.error(k.loc, "Trying to create tensor with negative dimension " +
                              llvm::Twine(kernel.h < 0 ? kernel.h : kernel.w) + ": " +
                              weightShape());
      return false;
    }
    if (kernel.h == 0 || kernel.w == 0) {
      diags_.error(k.loc, "kernel size should be greater than zero, but got kernel_height: " +
                              llvm::Twine(kernel.h) + " kernel_width: " + llvm::Twine(kernel.w));
      return false;
    }
    spec_.kernel = kernel;
    return true;
  }

  bool positivePair(const RawInts& raw, llvm::StringRef key, Hw& out) {
    if (!raw.present) return true;  // the default (1, 1) stays
    std::optional<Hw> v = pairArg(raw, key, diags_);
    if (!v) return false;
    if (v->h <= 0 || v->w <= 0) {
      if (key == "stride")
        diags_.error(raw.loc, "non-positive stride is not supported");
      else
        diags_.error(raw.loc, "dilation should be greater than zero, but got [" +
                                  llvm::Twine(v->h) + ", " + llvm::Twine(v->w) + "]");
      return false;
    }
    out = *v;
    return true;
  }

  bool input(bool channels_ok, bool groups_ok, bool kernel_ok) {
    const RawInts& in = r_.input_shape;
    if (!in.usable()) return false;
    if (in.values.size() != 3 && in.values.size() != 4) {
      diags_.error(in.loc,
                   "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                   "input of size: " +
                       list(in.values));
      return false;
    }
    for (std::int64_t d : in.values) {
      if (d < 0) {
        diags_.error(in.loc, "Trying to create tensor with negative dimension " + llvm::Twine(d) +
                                 ": " + list(in.values));
        return false;
      }
    }
    spec_.batched = in.values.size() == 4;
    const std::size_t c_at = spec_.batched ? 1 : 0;
    spec_.batch = spec_.batched ? in.values[0] : 1;
    const std::int64_t c = in.values[c_at];
    spec_.in_height = in.values[c_at + 1];
    spec_.in_width = in.values[c_at + 2];
    bool ok = true;
    if (spec_.batch == 0) {
      diags_.error(in.loc,
                   "batch size 0 gives an empty output (PyTorch returns a (0, C, H, W) "
                   "tensor); convgen needs a batch of at least 1");
      ok = false;
    }
    if (channels_ok && groups_ok && c != spec_.in_channels) {
      diags_.error(in.loc, "Given groups=" + llvm::Twine(spec_.groups) + ", weight of size " +
                               (kernel_ok ? weightShape() : std::string("?")) + ", expected input" +
                               list(in.values) + " to have " + llvm::Twine(spec_.in_channels) +
                               " channels, but got " + llvm::Twine(c) + " channels instead");
      ok = false;
    }
    return ok;
  }

  bool padding(bool stride_ok, bool kernel_ok, bool dilation_ok) {
    const RawPadding& p = r_.padding;
    if (!p.ints.present) return true;  // default 0
    if (p.is_string) {
      if (p.word == "valid") {
        spec_.padding_kind = PaddingKind::Valid;
        return true;
      }
      if (p.word != "same") {
        diags_.error(p.ints.loc,
                     "Invalid padding string '" + p.word + "', should be one of {'valid', 'same'}");
        return false;
      }
      spec_.padding_kind = PaddingKind::Same;
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

  std::string inputShape() const { return list(r_.input_shape.values); }

  // What padding_mode demands of the pad and of the input (F.pad's rules).
  bool modePadding() {
    if (!mode_ok_) return false;
    const std::size_t errors_before = diags_.errorCount();
    const Padding4& pad = spec_.pad;
    const std::int64_t rank = spec_.batched ? 4 : 3;
    const llvm::SMLoc at = r_.padding.ints.present ? r_.padding.ints.loc : r_.padding_mode.loc;
    const bool empty = spec_.in_height == 0 || spec_.in_width == 0;
    switch (spec_.padding_mode) {
      case PaddingMode::Zeros:
        if (empty && (pad.top || pad.bottom || pad.left || pad.right))
          diags_.error(r_.input_shape.loc,
                       "Only zero batch or zero channel inputs are supported, but got input "
                       "shape: " +
                           inputShape());
        break;
      case PaddingMode::Reflect:
        if (empty) {
          diags_.error(r_.input_shape.loc,
                       "3D or 4D (batch mode) tensor expected for input, but got: " + inputShape());
          break;
        }
        if (pad.left >= spec_.in_width || pad.right >= spec_.in_width)
          diags_.error(at,
                       "Argument #4: Padding size should be less than the corresponding input "
                       "dimension, but got: padding (" +
                           llvm::Twine(pad.left) + ", " + llvm::Twine(pad.right) +
                           ") at dimension " + llvm::Twine(rank - 1) + " of input " +
                           llvm::Twine(rank));
        if (pad.top >= spec_.in_height || pad.bottom >= spec_.in_height)
          diags_.error(at,
                       "Argument #6: Padding size should be less than the corresponding input "
                       "dimension, but got: padding (" +
                           llvm::Twine(pad.top) + ", " + llvm::Twine(pad.bottom) +
                           ") at dimension " + llvm::Twine(rank - 2) + " of input " +
                           llvm::Twine(rank));
        break;
      case PaddingMode::Replicate:
        if (empty)
          diags_.error(r_.input_shape.loc,
                       "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                       "non-zero dimensions for input, but got: " +
                           inputShape());
        break;
      case PaddingMode::Circular:
        if (!spec_.batched) {
          diags_.error(r_.padding_mode.loc, "Invalid padding size, expected 2 but got 4");
          break;
        }
        if (pad.top > spec_.in_height || pad.bottom > spec_.in_height ||
            pad.left > spec_.in_width || pad.right > spec_.in_width)
          diags_.error(at, "Padding value causes wrapping around more than once.");
        break;
    }
    return diags_.errorCount() == errors_before;
  }

  // Needs a usable input, padding, kernel and dilation. No overflow: values
  // are below 2^31 and a 'same' pad is d*(k-1) < 2^62, so every sum here is
  // below 2^63.
  bool kernelFits() {
    const std::int64_t ph = spec_.in_height + spec_.pad.top + spec_.pad.bottom;
    const std::int64_t pw = spec_.in_width + spec_.pad.left + spec_.pad.right;
    const std::int64_t kh = dilatedKernelSize(spec_.kernel.h, spec_.dilation.h);
    const std::int64_t kw = dilatedKernelSize(spec_.kernel.w, spec_.dilation.w);
    if (ph >= kh && pw >= kw) return true;
    diags_.error(r_.kernel_size.loc,
                 "Calculated padded input size per channel: (" + llvm::Twine(ph) + " x " +
                     llvm::Twine(pw) + "). Kernel size: (" + llvm::Twine(kh) + " x " +
                     llvm::Twine(kw) + "). Kernel size can't be greater than actual input size");
    return false;
  }

  bool dilated(bool dilation_ok) const {
    return dilation_ok && (spec_.dilation.h > 1 || spec_.dilation.w > 1);
  }

  // dtypes that PyTorch 1.13 cannot convolve on CPU, or only partly
  // (docs/semantics.md section 6), and those convgen does not generate.
  bool dtypeSupport(bool dilation_ok) {
    if (r_.dtype.usable() && !lookup(kDTypes, r_.dtype.value)) {
      const llvm::StringRef word = r_.dtype.value;
      const llvm::SMLoc at = r_.dtype.loc;
      if (auto type = lookup(kTorchCannotConvolve, word)) {
        diags_.error(at, dilated(dilation_ok)
                             ? "\"slow_conv_dilated<>\" not implemented for '" + *type + "'"
                             : "\"slow_conv2d_cpu\" not implemented for '" + *type + "'");
      } else if (auto type = lookup(kTorchOnly, word)) {
        if (!type->empty() && dilated(dilation_ok))  // PyTorch fails first
          diags_.error(r_.dilation.loc,
                       "\"slow_conv_dilated<>\" not implemented for '" + *type + "'");
        else
          diags_.error(at, "dtype '" + word +
                               "' is not supported by convgen (supported: float32, float64, "
                               "int32, int64)");
      }
      return false;
    }
    if (!dtype_ok_ || !mode_ok_) return false;
    const bool is_int = spec_.dtype == DType::Int32 || spec_.dtype == DType::Int64;
    if (!is_int) return true;
    const llvm::StringRef type = torchTypeName(spec_.dtype);
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
  // padded sizes, tensor sizes and MACs, all computed here with overflow
  // checks before anything (inferShapes included) may multiply them.
  bool sizes() {
    const LayerSpec& l = spec_;
    bool ok = true;
    // Padded height and width: below 2^63 (see kernelFits).
    const std::int64_t ph = l.in_height + l.pad.top + l.pad.bottom;
    const std::int64_t pw = l.in_width + l.pad.left + l.pad.right;
    if (ph > kMaxDimension || pw > kMaxDimension) {
      const llvm::SMLoc at = r_.padding.ints.present ? r_.padding.ints.loc : r_.input_shape.loc;
      diags_.error(at, "the padded input is " + llvm::Twine(ph) + " x " + llvm::Twine(pw) +
                           "; convgen supports padded sizes up to " + llvm::Twine(kMaxDimension));
      return false;
    }
    // Both are now < 2^31, and stride >= 1, so this is PyTorch's output size
    // without any overflow.
    const std::int64_t oh = (ph - dilatedKernelSize(l.kernel.h, l.dilation.h)) / l.stride.h + 1;
    const std::int64_t ow = (pw - dilatedKernelSize(l.kernel.w, l.dilation.w)) / l.stride.w + 1;
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
    for (std::size_t i = 0; i < 3; ++i) {
      const std::optional<std::int64_t> n = elements(tensors[i].shape);
      if (n && *n <= kMaxTensorElements) {
        counts[i] = *n;
        continue;
      }
      diags_.error(tensors[i].loc, llvm::Twine("the ") + tensors[i].what + " tensor " +
                                       list(tensors[i].shape) + " has more than " +
                                       llvm::Twine(kMaxTensorElements) +
                                       " elements, the most convgen supports");
      ok = false;
    }
    if (!ok) return false;
    // Each term of an output is a product over (in/groups)*kh*kw: the
    // weight's elements per output channel. Below 2^62 with the bounds above;
    // checked all the same.
    const std::int64_t reduction = counts[2] / l.out_channels;
    const std::optional<std::int64_t> macs = mul(counts[1], reduction);
    const std::optional<std::int64_t> params = add(counts[2], l.bias ? l.out_channels : 0);
    if (!macs || !params) {
      diags_.error(r_.loc, "the layer needs more than " +
                               llvm::Twine(std::numeric_limits<std::int64_t>::max()) +
                               " multiply-accumulates (output elements x in_channels/groups x "
                               "kh x kw), more than convgen supports");
      return false;
    }
    macs_ = *macs;
    params_ = *params;
    return true;
  }

  const RawLayer& r_;
  Diagnostics& diags_;
  LayerSpec spec_;
  bool mode_ok_ = true;
  bool dtype_ok_ = true;
  std::int64_t macs_ = 0, params_ = 0;
};

bool isSafeNamespace(llvm::StringRef ns, std::string* why) {
  if (ns.empty()) {
    *why = "is empty";
    return false;
  }
  llvm::SmallVector<llvm::StringRef, 4> parts;
  ns.split(parts, "::", -1, /*KeepEmpty=*/true);
  for (llvm::StringRef part : parts) {
    std::string part_why;
    if (!isSafeIdentifier(part, &part_why)) {
      *why = ("has a part '" + part + "' that " + part_why).str();
      return false;
    }
  }
  return true;
}

}  // namespace

bool isSafeIdentifier(llvm::StringRef s, std::string* why) {
  static const llvm::StringSet<> kKeywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
      "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
      "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
      "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
      "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
      "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
      // C keywords and names the generated C entry points would clash with.
      "restrict", "_Bool", "std", "main"};
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (s.empty()) return fail("is empty");
  if (s.size() > kMaxIdentifierLength)
    return fail("is longer than " + std::to_string(kMaxIdentifierLength) + " characters");
  if (!(llvm::isAlpha(s.front()) || s.front() == '_') ||
      !llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return fail("is not a C++ identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (kKeywords.contains(s)) return fail("is a C++ keyword or reserved name");
  // Leading/trailing '_' would make the C entry point <ns>_<name>_forward
  // contain "__", which C and C++ reserve; so would "__" anywhere.
  if (s.contains("__") || s.front() == '_' || s.back() == '_')
    return fail(
        "is reserved or would form a reserved C symbol (no leading, trailing or double "
        "'_')");
  return true;
}

std::optional<ModelSpec> validateConfig(const RawConfig& raw, Diagnostics& diags) {
  ModelSpec model;
  model.config_name = raw.config_name;
  // Whether everything is usable and valid; not the same as "no errors in
  // `diags`": stage 1 reports a missing or ill-typed value, not stage 2.
  bool ok = raw.cpp_namespace.usable() && !raw.layers.empty();
  if (raw.cpp_namespace.usable()) {
    std::string why;
    if (!isSafeNamespace(raw.cpp_namespace.value, &why)) {
      diags.error(raw.cpp_namespace.loc,
                  "namespace '" + excerpt(raw.cpp_namespace.value) + "' " + why);
      ok = false;
    }
    model.cpp_namespace = raw.cpp_namespace.value;
  }
  Isa default_isa = Isa::Scalar;
  if (raw.isa.usable()) {
    if (auto isa = parseIsa(raw.isa, diags))
      default_isa = *isa;
    else
      ok = false;
  } else if (raw.isa.present) {
    ok = false;
  }

  llvm::StringMap<llvm::SMLoc> names;
  std::int64_t total_macs = 0, total_params = 0;
  for (const RawLayer& layer : raw.layers) {
    if (layer.name.usable()) {
      auto [it, inserted] = names.try_emplace(layer.name.value, layer.name.loc);
      if (!inserted) {
        auto [line, col] = diags.sourceMgr().getLineAndColumn(it->second);
        diags.error(layer.name.loc, "duplicate layer name '" + excerpt(layer.name.value) +
                                        "' (first used at line " + llvm::Twine(line) + ", column " +
                                        llvm::Twine(col) + ")");
        ok = false;
      }
    }
    LayerValidator validator(layer, default_isa, diags);
    std::optional<LayerSpec> spec = validator.run();
    if (!spec) {
      ok = false;
      continue;
    }
    // The whole model's totals (`convgen shapes` prints them) fit as well.
    std::optional<std::int64_t> macs = add(total_macs, validator.macs());
    std::optional<std::int64_t> params = add(total_params, validator.params());
    if (!macs || !params) {
      diags.error(layer.loc, "the model's total multiply-accumulates or parameters exceed " +
                                 llvm::Twine(std::numeric_limits<std::int64_t>::max()) +
                                 " with this layer, more than convgen supports");
      ok = false;
      continue;
    }
    total_macs = *macs;
    total_params = *params;
    model.layers.push_back(std::move(*spec));
  }
  if (!ok && !diags.hasErrors()) {
    // Only when `raw` did not come from parseConfig with these diagnostics:
    // never hand out a model without the layers or namespace it lacks.
    diags.error(raw.loc, "config is incomplete: it needs a valid 'namespace' and 'layers'");
  }
  if (!ok || diags.hasErrors()) return std::nullopt;
  return model;
}

}  // namespace convgen
