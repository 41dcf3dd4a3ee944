// max_pool2d, avg_pool2d and adaptive_avg_pool2d layers: PyTorch 1.13's
// argument checks (aten/src/ATen/native/Pool.h pool2d_shape_check and
// pooling_output_shape, DilatedMaxPool2d.cpp, AveragePool2d.cpp,
// AdaptiveAveragePooling.cpp) and convgen's bounds. See validate_pool.h.
#include "validate_pool.h"

#include "convgen/pool_windows.h"
#include "convgen/validate.h"
#include "validate_layer.h"

namespace convgen::detail {

bool commonArgs(const RawLayer& raw, Isa default_isa, Diagnostics& diags, std::string& name,
                Isa& isa, DType& dtype) {
  bool ok = raw.name.usable();
  if (ok) {
    name = raw.name.value;
    std::string why;
    if (!isSafeIdentifier(raw.name.value, &why)) {
      diags.error(raw.name.loc, "layer name '" + excerpt(raw.name.value) + "' " + why);
      ok = false;
    }
  }
  isa = default_isa;
  if (raw.isa.usable()) {
    if (auto parsed = parseConfigIsa(raw.isa, diags))
      isa = *parsed;
    else
      ok = false;
  } else if (raw.isa.present) {
    ok = false;
  }
  dtype = DType::Float32;
  if (raw.dtype.usable()) {
    if (auto t = parseDType(raw.dtype.value)) {
      dtype = *t;
    } else {
      diags.error(raw.dtype.loc, "dtype must be one of {" + dtypeList("'") + "}, but got dtype='" +
                                     excerpt(raw.dtype.value) + "'");
      ok = false;
    }
  } else if (raw.dtype.present) {
    ok = false;
  }
  return ok;
}

std::optional<std::vector<std::int64_t>> inputShape(const RawLayer& raw, Diagnostics& diags) {
  if (!raw.input_shape.usable()) return std::nullopt;
  for (std::int64_t d : raw.input_shape.values)
    if (d < 0) {
      diags.error(raw.input_shape.loc, "Trying to create tensor with negative dimension " +
                                           llvm::Twine(d) + ": " +
                                           listText(raw.input_shape.values));
      return std::nullopt;
    }
  return raw.input_shape.values;
}

namespace {

class PoolValidator {
 public:
  PoolValidator(const RawLayer& raw, Diagnostics& diags) : r_(raw), d_(diags) {
    spec_.op = raw.op;
    op_ = std::string(toString(raw.op));
  }

  std::optional<PoolSpec> run(Isa default_isa) {
    bool ok = commonArgs(r_, default_isa, d_, spec_.name, spec_.isa, spec_.dtype);
    ok = dtype() && ok;
    ok = input() && ok;
    if (spec_.op == Op::AdaptiveAvgPool2d) {
      ok = outputSize() && ok;
    } else {
      const bool window = windowArgs();
      ok = window && ok;
      ok = flags() && ok;
      if (ok) ok = outputShape();
    }
    if (!ok) return std::nullopt;
    if (!bounds()) return std::nullopt;
    return spec_;
  }

 private:
  // PyTorch 1.13's CPU kernels: max_pool2d and adaptive_avg_pool2d are
  // floating-point only; avg_pool2d also takes int64 (integer division).
  bool dtype() {
    if (!r_.dtype.usable()) return true;  // default float32, or diagnosed
    const std::optional<DType> t = parseDType(r_.dtype.value);
    if (!t) return true;  // diagnosed by commonArgs
    const bool supported = *t == DType::Float32 || *t == DType::Float64 ||
                           (spec_.op == Op::AvgPool2d && *t == DType::Int64);
    if (supported) return true;
    d_.error(r_.dtype.loc, "\"" + op_ + "\" not implemented for '" + std::string(torchTypeName(*t)) +
                               "'");
    return false;
  }

  bool input() {
    std::optional<std::vector<std::int64_t>> in = inputShape(r_, d_);
    if (!in) return false;
    const std::vector<std::int64_t>& v = *in;
    const bool rank_ok = v.size() == 3 || v.size() == 4;
    bool nonzero = rank_ok;
    for (std::size_t i = v.size() == 4 ? 1 : 0; rank_ok && i < v.size(); ++i)
      nonzero = nonzero && v[i] != 0;
    if (!rank_ok || !nonzero) {
      if (spec_.op == Op::AdaptiveAvgPool2d && rank_ok)
        d_.error(r_.input_shape.loc,
                 "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                 "dimensions, but input has sizes " +
                     listText(v));
      else if (spec_.op == Op::AdaptiveAvgPool2d)
        d_.error(r_.input_shape.loc,
                 "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got " + listText(v));
      else
        d_.error(r_.input_shape.loc,
                 "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                 "input, but got:" +
                     listText(v));
      return false;
    }
    spec_.batched = v.size() == 4;
    const std::size_t c = spec_.batched ? 1 : 0;
    spec_.batch = spec_.batched ? v[0] : 1;
    spec_.channels = v[c];
    spec_.in_height = v[c + 1];
    spec_.in_width = v[c + 2];
    if (spec_.batch == 0) {
      d_.error(r_.input_shape.loc,
               "batch size 0 gives an empty output (PyTorch returns a (0, C, H, W) tensor); "
               "convgen needs a batch of at least 1");
      return false;
    }
    return true;
  }

  // An int or a list of 1 or 2 ints, as PyTorch's pools take them.
  std::optional<std::pair<std::int64_t, std::int64_t>> pair(const RawInts& raw, const char* what,
                                                            const char* rule) {
    if (!raw.usable()) return std::nullopt;
    if (raw.values.size() == 1) return std::make_pair(raw.values[0], raw.values[0]);
    if (raw.values.size() == 2) return std::make_pair(raw.values[0], raw.values[1]);
    d_.error(raw.loc, op_ + ": " + what + " " + rule);
    return std::nullopt;
  }

  bool windowArgs() {
    bool ok = true;
    auto k = pair(r_.kernel_size, "kernel_size", "must either be a single int, or a tuple of two ints");
    if (k && (k->first <= 0 || k->second <= 0)) {
      d_.error(r_.kernel_size.loc, "kernel size should be greater than zero, but got kH: " +
                                       llvm::Twine(k->first) + " kW: " + llvm::Twine(k->second));
      k.reset();
    }
    ok = k.has_value();
    if (k) spec_.kernel_h = k->first, spec_.kernel_w = k->second;
    // stride: omitted (or []) means kernel_size.
    if (r_.stride.present && !(r_.stride.ok && r_.stride.values.empty())) {
      auto s = pair(r_.stride, "stride", "must either be omitted, a single int, or a tuple of two ints");
      if (s && (s->first == 0 || s->second == 0)) {
        d_.error(r_.stride.loc, "stride should not be zero");
        s.reset();
      } else if (s && (s->first < 0 || s->second < 0)) {
        d_.error(r_.stride.loc, "stride should be greater than zero, but got dH: " +
                                    llvm::Twine(s->first) + " dW: " + llvm::Twine(s->second));
        s.reset();
      }
      if (!s) ok = false;
      else spec_.stride_h = s->first, spec_.stride_w = s->second;
    } else if (k) {
      spec_.stride_h = k->first, spec_.stride_w = k->second;
    }
    if (r_.padding.ints.present) {
      std::optional<std::pair<std::int64_t, std::int64_t>> p;
      if (r_.padding.is_string)
        d_.error(r_.padding.ints.loc,
                 op_ + ": padding must " + (spec_.op == Op::MaxPool2d ? "be " : "") +
                     "either be a single int, or a tuple of two ints (no padding words)");
      else
        p = pair(r_.padding.ints, "padding",
                 spec_.op == Op::MaxPool2d ? "must be either be a single int, or a tuple of two ints"
                                           : "must either be a single int, or a tuple of two ints");
      if (p && (p->first < 0 || p->second < 0)) {
        d_.error(r_.padding.ints.loc, "pad must be non-negative, but got pad: " +
                                          llvm::Twine(p->first < 0 ? p->first : p->second));
        p.reset();
      } else if (p && k && (p->first > k->first / 2 || p->second > k->second / 2)) {
        d_.error(r_.padding.ints.loc,
                 "pad should be smaller than or equal to half of kernel size, but got padW = " +
                     llvm::Twine(p->second) + ", padH = " + llvm::Twine(p->first) +
                     ", kW = " + llvm::Twine(k->second) + ", kH = " + llvm::Twine(k->first));
        p.reset();
      }
      if (!p) ok = false;
      else spec_.pad_h = p->first, spec_.pad_w = p->second;
    }
    if (r_.dilation.present) {
      auto dl = pair(r_.dilation, "dilation", "must be either a single int, or a tuple of two ints");
      if (dl && (dl->first <= 0 || dl->second <= 0)) {
        d_.error(r_.dilation.loc, "dilation should be greater than zero, but got dilationH: " +
                                      llvm::Twine(dl->first) + " dilationW: " +
                                      llvm::Twine(dl->second));
        dl.reset();
      }
      if (!dl) ok = false;
      else spec_.dilation_h = dl->first, spec_.dilation_w = dl->second;
    }
    return ok;
  }

  bool flags() {
    bool ok = true;
    auto flag = [&](const Located<bool>& f, bool& out) {
      if (f.usable()) out = f.value;
      else if (f.present) ok = false;
    };
    flag(r_.ceil_mode, spec_.ceil_mode);
    flag(r_.count_include_pad, spec_.count_include_pad);
    bool indices = false;
    flag(r_.return_indices, indices);
    if (indices) {
      d_.error(r_.return_indices.loc,
               "return_indices: true is not supported: convgen generates the pooled values only");
      ok = false;
    }
    if (r_.divisor_override.usable()) {
      if (r_.divisor_override.value == 0) {
        d_.error(r_.divisor_override.loc, "divisor must be not zero");
        ok = false;
      }
      spec_.divisor_override = r_.divisor_override.value;
    } else if (r_.divisor_override.present) {
      ok = false;
    }
    return ok;
  }

  bool outputShape() {
    const auto oh = poolOutputSize(spec_.in_height, spec_.kernel_h, spec_.pad_h, spec_.stride_h,
                                   spec_.dilation_h, spec_.ceil_mode);
    const auto ow = poolOutputSize(spec_.in_width, spec_.kernel_w, spec_.pad_w, spec_.stride_w,
                                   spec_.dilation_w, spec_.ceil_mode);
    if (!oh || !ow) {
      d_.error(r_.kernel_size.loc, "the window's extent overflows int64, more than convgen supports");
      return false;
    }
    if (*oh < 1 || *ow < 1) {
      d_.error(r_.kernel_size.loc,
               "Given input size: (" + llvm::Twine(spec_.channels) + "x" +
                   llvm::Twine(spec_.in_height) + "x" + llvm::Twine(spec_.in_width) +
                   "). Calculated output size: (" + llvm::Twine(spec_.channels) + "x" +
                   llvm::Twine(*oh) + "x" + llvm::Twine(*ow) + "). Output size is too small");
      return false;
    }
    spec_.out_height = *oh;
    spec_.out_width = *ow;
    return true;
  }

  bool outputSize() {
    if (!r_.output_size.usable()) return false;
    const std::vector<std::int64_t>& v = r_.output_size.values;
    if (v.size() != 1 && v.size() != 2) {
      d_.error(r_.output_size.loc, "adaptive_avg_pool2d: output_size must be 2");
      return false;
    }
    const std::int64_t oh = v[0], ow = v.size() == 2 ? v[1] : v[0];
    if (oh < 0 || ow < 0) {
      d_.error(r_.output_size.loc, "Trying to create tensor with negative dimension " +
                                       llvm::Twine(oh < 0 ? oh : ow) + ": " +
                                       listText({spec_.channels, oh, ow}));
      return false;
    }
    if (oh == 0 || ow == 0) {
      d_.error(r_.output_size.loc,
               "output_size 0 gives an empty output (PyTorch returns an empty tensor); convgen "
               "needs at least 1");
      return false;
    }
    spec_.out_height = oh;
    spec_.out_width = ow;
    return true;
  }

  // Every tensor within kMaxTensorElements, every size within kMaxDimension.
  bool bounds() {
    for (const std::int64_t* n :
         {&spec_.in_height, &spec_.in_width, &spec_.out_height, &spec_.out_width})
      if (*n > kMaxDimension) {
        d_.error(r_.input_shape.loc, "a size of " + llvm::Twine(*n) +
                                         " is more than convgen supports (" +
                                         llvm::Twine(kMaxDimension) + ")");
        return false;
      }
    for (const bool output : {false, true}) {
      const std::vector<std::int64_t> shape = {
          spec_.batch, spec_.channels, output ? spec_.out_height : spec_.in_height,
          output ? spec_.out_width : spec_.in_width};
      const std::optional<std::int64_t> n = checkedElementCount(shape);
      if (n && *n <= kMaxTensorElements) continue;
      d_.error(r_.input_shape.loc, llvm::Twine("the ") + (output ? "output" : "input") +
                                       " tensor " + listText(shape) + " has more than " +
                                       llvm::Twine(kMaxTensorElements) +
                                       " elements, the most convgen supports");
      return false;
    }
    return true;
  }

  const RawLayer& r_;
  Diagnostics& d_;
  PoolSpec spec_;
  std::string op_;
};

}  // namespace

std::optional<PoolSpec> validatePool(const RawLayer& raw, Isa default_isa, Diagnostics& diags) {
  return PoolValidator(raw, diags).run(default_isa);
}

}  // namespace convgen::detail
