// One layer's argument rules: name, enumerations, groups, channels, kernel,
// stride and dilation, input. See validate_layer.h.
#include "validate_layer.h"

#include "convgen/validate.h"

namespace convgen::detail {

std::string listText(llvm::ArrayRef<std::int64_t> v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::optional<Isa> parseConfigIsa(const Located<std::string>& word, Diagnostics& diags) {
  const bool native = word.value == "native";
  if (!native)
    if (std::optional<Isa> isa = parseIsaName(word.value)) return isa;
  diags.error(word.loc, "isa must be one of {" + isaNameList("'") + "}, but got isa='" +
                            excerpt(word.value) + "'" +
                            (native ? " ('native' is for --isa only: a config's code must not "
                                      "depend on the machine that generates it)"
                                    : ""));
  return std::nullopt;
}

std::optional<Hw> pairArg(const RawInts& raw, llvm::StringRef key, Diagnostics& diags) {
  if (!raw.usable()) return std::nullopt;
  if (raw.values.size() == 1) return Hw{raw.values[0], raw.values[0]};
  if (raw.values.size() == 2) return Hw{raw.values[0], raw.values[1]};
  diags.error(raw.loc, "expected " + key +
                           " to be a single integer value or a list of 2 values to match the "
                           "convolution dimensions, but got " +
                           key + "=" + listText(raw.values));
  return std::nullopt;
}

std::optional<LayerSpec> LayerValidator::run() {
  const bool name_ok = name();
  const bool enums_ok = enums();
  const bool groups_ok = groups();
  const bool channels_ok = channels(groups_ok);
  const bool kernel_ok = kernel();
  const bool stride_ok = positivePair(r_.stride, "stride", spec_.stride);
  const bool dilation_ok = positivePair(r_.dilation, "dilation", spec_.dilation);
  const bool input_ok = input(channels_ok, groups_ok, kernel_ok);
  const bool padding_ok = padding(stride_ok, kernel_ok, dilation_ok);
  const bool mode_padding_ok = input_ok && padding_ok && modePadding();
  const bool fits = input_ok && padding_ok && kernel_ok && dilation_ok && kernelFits();
  const bool dtype_ok = dtypeSupport(dilation_ok);
  if (!(name_ok && enums_ok && groups_ok && channels_ok && kernel_ok && stride_ok && dilation_ok &&
        input_ok && padding_ok && mode_padding_ok && fits && dtype_ok))
    return std::nullopt;
  if (!sizes()) return std::nullopt;
  return spec_;
}

bool LayerValidator::name() {
  if (!r_.name.usable()) return false;
  spec_.name = r_.name.value;
  std::string why;
  if (isSafeIdentifier(r_.name.value, &why)) return true;
  diags_.error(r_.name.loc, "layer name '" + excerpt(r_.name.value) + "' " + why);
  return false;
}

// padding_mode, dtype, isa and bias. A dtype PyTorch knows but convgen does
// not support is diagnosed by dtypeSupport(), which knows the dilation.
bool LayerValidator::enums() {
  bool ok = true;
  if (r_.padding_mode.usable()) {
    if (auto m = parsePaddingMode(r_.padding_mode.value)) {
      spec_.padding_mode = *m;
    } else {
      mode_ok_ = false;
      diags_.error(r_.padding_mode.loc, "padding_mode must be one of {" + paddingModeList("'") +
                                            "}, but got padding_mode='" +
                                            excerpt(r_.padding_mode.value) + "'");
    }
  } else if (r_.padding_mode.present) {
    mode_ok_ = false;
  }
  if (r_.dtype.usable()) {
    if (auto t = parseDType(r_.dtype.value)) {
      spec_.dtype = *t;
    } else {
      dtype_ok_ = false;
      if (!findTorchOnlyDType(r_.dtype.value))  // else diagnosed by dtypeSupport()
        diags_.error(r_.dtype.loc, "dtype must be one of {" + dtypeList("'") +
                                       "}, but got dtype='" + excerpt(r_.dtype.value) + "'");
    }
  } else if (r_.dtype.present) {
    dtype_ok_ = false;
  }
  if (r_.isa.usable()) {
    if (auto isa = parseConfigIsa(r_.isa, diags_))
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

bool LayerValidator::groups() {
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
std::string LayerValidator::weightShape() const {
  const std::int64_t in = r_.in_channels.usable() ? r_.in_channels.value : 0;
  const std::int64_t g = spec_.groups > 0 ? spec_.groups : 1;
  const std::int64_t in_per_group = in >= 0 ? in / g : -((-in + g - 1) / g);
  std::vector<std::int64_t> shape = {r_.out_channels.usable() ? r_.out_channels.value : 0,
                                     in_per_group};
  if (r_.kernel_size.usable())
    for (std::int64_t k : r_.kernel_size.values) shape.push_back(k);
  if (r_.kernel_size.usable() && r_.kernel_size.values.size() == 1 && !r_.kernel_size.is_list)
    shape.push_back(r_.kernel_size.values[0]);
  return listText(shape);
}

bool LayerValidator::channels(bool groups_ok) {
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

bool LayerValidator::kernel() {
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
              " values to match the convolution dimensions, but got stride=" + listText(stride));
    }
    return false;
  }
  const Hw kernel =
      k.values.size() == 2 ? Hw{k.values[0], k.values[1]} : Hw{k.values[0], k.values[0]};
  if (kernel.h < 0 || kernel.w < 0) {
    diags_.error(k.loc, "Trying to create tensor with negative dimension " +
                            llvm::Twine(kernel.h < 0 ? kernel.h : kernel.w) + ": " + weightShape());
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

bool LayerValidator::positivePair(const RawInts& raw, llvm::StringRef key, Hw& out) {
  if (!raw.present) return true;  // the default (1, 1) stays
  std::optional<Hw> v = pairArg(raw, key, diags_);
  if (!v) return false;
  if (v->h <= 0 || v->w <= 0) {
    if (key == "stride")
      diags_.error(raw.loc, "non-positive stride is not supported");
    else
      diags_.error(raw.loc, "dilation should be greater than zero, but got [" + llvm::Twine(v->h) +
                                ", " + llvm::Twine(v->w) + "]");
    return false;
  }
  out = *v;
  return true;
}

bool LayerValidator::input(bool channels_ok, bool groups_ok, bool kernel_ok) {
  const RawInts& in = r_.input_shape;
  if (!in.usable()) return false;
  if (in.values.size() != 3 && in.values.size() != 4) {
    diags_.error(in.loc,
                 "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of "
                 "size: " +
                     listText(in.values));
    return false;
  }
  for (std::int64_t d : in.values) {
    if (d < 0) {
      diags_.error(in.loc, "Trying to create tensor with negative dimension " + llvm::Twine(d) +
                               ": " + listText(in.values));
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
                 "batch size 0 gives an empty output (PyTorch returns a (0, C, H, W) tensor); "
                 "convgen needs a batch of at least 1");
    ok = false;
  }
  if (channels_ok && groups_ok && c != spec_.in_channels) {
    diags_.error(in.loc, "Given groups=" + llvm::Twine(spec_.groups) + ", weight of size " +
                             (kernel_ok ? weightShape() : std::string("?")) + ", expected input" +
                             listText(in.values) + " to have " + llvm::Twine(spec_.in_channels) +
                             " channels, but got " + llvm::Twine(c) + " channels instead");
    ok = false;
  }
  return ok;
}

}  // namespace convgen::detail
