// Stage 2 for baked weights: the `weights:` file, each layer's tensors
// (`<prefix>.weight`, `<prefix>.bias`, BatchNorm's), every problem at the
// YAML key that asked for the tensor. See weights_config.h and
// docs/semantics.md section 11.
#include <cmath>
#include <cstdio>

#include "convgen/internal_error.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"
#include "validate_layer.h"
#include "weights_config.h"

namespace convgen::detail {
namespace {

std::string numberText(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string shapeText(const std::vector<std::int64_t>& shape) { return listText(shape); }

class LayerWeights {
 public:
  LayerWeights(const SafeTensorsFile& file, Diagnostics& diags) : file_(file), diags_(diags) {}

  // An F32 tensor of `shape`, asked for at `loc`; nullopt after diagnosing.
  std::optional<std::vector<float>> tensor(const std::string& name,
                                           const std::vector<std::int64_t>& shape,
                                           const std::string& what, llvm::SMLoc loc) {
    const SafeTensor* t = file_.find(name);
    if (!t) {
      diags_.error(loc, "tensor '" + excerpt(name) + "' (" + what + ") is not in weights file '" +
                            excerpt(file_.display_name) + "'");
      return std::nullopt;
    }
    bool ok = true;
    if (t->dtype != "F32") {
      diags_.error(loc, "tensor '" + excerpt(name) + "' has dtype " + t->dtype +
                            ", but a float32 layer's weights must be F32 (convert with "
                            "tensor.float() before saving)");
      ok = false;
    }
    if (t->shape != shape) {
      diags_.error(loc, "tensor '" + excerpt(name) + "' has shape " + shapeText(t->shape) +
                            ", but " + what + " is " + shapeText(shape));
      ok = false;
    }
    if (!ok) return std::nullopt;
    std::vector<float> values = file_.floats(*t);
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!std::isfinite(values[i])) {
        diags_.error(loc, "tensor '" + excerpt(name) + "' holds a non-finite value (" +
                              (std::isnan(values[i]) ? "nan" : "inf") + ") at flat index " +
                              std::to_string(i) + "; baked weights must be finite");
        return std::nullopt;
      }
    return values;
  }

  const SafeTensorsFile& file_;
  Diagnostics& diags_;
};

llvm::SMLoc locOr(llvm::SMLoc a, llvm::SMLoc b) { return a.isValid() ? a : b; }

// batch_norm's values from the file (prefix) or inline; false after diagnosing.
bool batchNormValues(LayerWeights& lw, const RawBatchNorm& bn, std::int64_t out,
                     BatchNormValues& values, std::string& origin) {
  Diagnostics& diags = lw.diags_;
  const RawFloats* inline_lists[] = {&bn.weight, &bn.bias, &bn.running_mean, &bn.running_var};
  const char* const names[] = {"weight", "bias", "running_mean", "running_var"};
  std::vector<double>* outs[] = {&values.weight, &values.bias, &values.running_mean,
                                 &values.running_var};
  bool any_inline = false;
  for (const RawFloats* f : inline_lists) any_inline = any_inline || f->present;
  bool ok = true;
  if (bn.eps.present) {
    if (!bn.eps.ok) {
      ok = false;
    } else if (!(bn.eps.value > 0)) {
      diags.error(bn.eps.loc, "batch_norm eps must be positive, but got eps=" +
                                  numberText(bn.eps.value));
      ok = false;
    } else {
      values.eps = bn.eps.value;
    }
  }
  if (bn.prefix.present && any_inline) {
    diags.error(bn.loc, "batch_norm takes either 'prefix' (tensors in the weights file) or "
                        "inline weight, bias, running_mean and running_var, not both");
    return false;
  }
  if (!bn.prefix.present && !any_inline) {
    diags.error(bn.loc, "batch_norm needs 'prefix' (tensors in the weights file) or inline "
                        "weight, bias, running_mean and running_var");
    return false;
  }
  llvm::SMLoc var_loc;
  if (bn.prefix.present) {
    if (!bn.prefix.ok) return false;
    const std::string& p = bn.prefix.value;
    for (int i = 0; i < 4; ++i) {
      const std::optional<std::vector<float>> t =
          lw.tensor(p + "." + names[i], {out}, std::string("BatchNorm2d's ") + names[i],
                    bn.prefix.loc);
      if (!t) {
        ok = false;
        continue;
      }
      outs[i]->assign(t->begin(), t->end());
    }
    var_loc = bn.prefix.loc;
    origin = "batch_norm " + p + ".{weight,bias,running_mean,running_var}";
  } else {
    for (int i = 0; i < 4; ++i) {
      const RawFloats& f = *inline_lists[i];
      if (!f.present) {
        diags.error(bn.loc, llvm::Twine("batch_norm's inline values lack '") + names[i] + "'");
        ok = false;
      } else if (!f.ok) {
        ok = false;
      } else if (static_cast<std::int64_t>(f.values.size()) != out) {
        diags.error(f.loc, llvm::Twine("batch_norm '") + names[i] + "' has " +
                               llvm::Twine(f.values.size()) + " values, but the layer has " +
                               llvm::Twine(out) + " output channels");
        ok = false;
      } else {
        *outs[i] = f.values;
      }
    }
    var_loc = bn.running_var.loc;
    origin = "batch_norm inline values";
  }
  if (!ok) return false;
  for (std::int64_t c = 0; c < out; ++c)
    if (!(values.running_var[c] + values.eps > 0)) {
      diags.error(var_loc, "batch_norm running_var[" + llvm::Twine(c) + "] + eps is " +
                               numberText(values.running_var[c] + values.eps) +
                               ", not positive: the normalization would divide by zero or take "
                               "the root of a negative number");
      return false;
    }
  return true;
}

}  // namespace

WeightsSource loadWeights(const RawConfig& raw, Diagnostics& diags) {
  WeightsSource source;
  if (!raw.weights.present) return source;
  source.failed = true;
  if (!raw.weights.usable()) return source;
  const std::string& value = raw.weights.value;
  if (value.empty()) {
    diags.error(raw.weights.loc, "'weights' must name a .safetensors file");
    return source;
  }
  // Relative to the config's directory.
  llvm::SmallString<256> path;
  if (!llvm::sys::path::is_absolute(value)) {
    if (const unsigned id = diags.sourceMgr().FindBufferContainingLoc(raw.weights.loc))
      path = llvm::sys::path::parent_path(
          diags.sourceMgr().getMemoryBuffer(id)->getBufferIdentifier());
  }
  llvm::sys::path::append(path, value);
  std::vector<std::string> errors;
  source.file = readSafetensorsFile(path, value, &errors);
  for (const std::string& e : errors) diags.error(raw.weights.loc, e);
  CONVGEN_CHECK(source.file.has_value() == errors.empty(), "a weights file both read and failed");
  source.failed = !source.file;
  return source;
}

bool bakeLayer(const WeightsSource& source, const RawConfig& raw, const RawLayer& layer,
               LayerSpec& spec, Diagnostics& diags) {
  if (!raw.weights.present) {
    bool ok = true;
    if (layer.weights_prefix.present) {
      diags.error(layer.weights_prefix.loc,
                  "weights_prefix names tensors of a weights file: it needs a top-level "
                  "'weights:' file");
      ok = false;
    }
    if (layer.batch_norm.present && layer.batch_norm.ok) {
      diags.error(layer.batch_norm.loc,
                  "batch_norm is folded into baked weights: it needs a top-level 'weights:' file "
                  "with the conv's weights (inline values only replace BatchNorm's tensors)");
      ok = false;
    }
    return ok && !layer.batch_norm.present;
  }
  if (!source.file) return false;  // diagnosed at `weights:`
  if (spec.dtype != DType::Float32) {
    diags.error(locOr(layer.dtype.loc, layer.loc),
                "baked weights ('weights:') are supported for float32 layers only, but this "
                "layer is " + llvm::Twine(toString(spec.dtype)));
    return false;
  }
  if (layer.weights_prefix.present && !layer.weights_prefix.usable()) return false;
  if (layer.batch_norm.present && !layer.batch_norm.ok) return false;
  LayerWeights lw(*source.file, diags);
  const std::string prefix =
      layer.weights_prefix.present ? layer.weights_prefix.value : spec.name;
  const llvm::SMLoc at = layer.weights_prefix.present ? layer.weights_prefix.loc : layer.name.loc;
  const std::int64_t out = spec.out_channels;
  // nn.Linear stores (out_features, in_features): the same values, in the
  // same order, as the conv it is generated as (docs/semantics.md section 13).
  const bool linear = spec.source_op == Op::Linear;
  // nn.ConvTranspose2d's weight is (in, out/groups, kh, kw).
  const bool transposed = spec.source_op == Op::ConvTranspose2d;
  const std::vector<std::int64_t> weight_shape =
      linear       ? std::vector<std::int64_t>{out, spec.in_channels * spec.kernel.h * spec.kernel.w}
      : transposed ? std::vector<std::int64_t>{spec.in_channels, out / spec.groups, spec.kernel.h,
                                               spec.kernel.w}
                   : std::vector<std::int64_t>{out, spec.in_channels / spec.groups, spec.kernel.h,
                                               spec.kernel.w};
  auto baked = std::make_shared<BakedTensors>();
  bool ok = true;
  if (auto w = lw.tensor(prefix + ".weight", weight_shape,
                         linear       ? "the linear layer's weight (out_features, in_features)"
                         : transposed ? "the conv_transpose2d layer's weight (in, out/groups, kh, kw)"
                                      : "the layer's weight (out, in/groups, kh, kw)",
                         at))
    baked->weight = std::move(*w);
  else
    ok = false;
  baked->origin = prefix + ".weight";
  if (spec.bias) {
    if (auto b = lw.tensor(prefix + ".bias", {out}, "the layer's bias (out)", at))
      baked->bias = std::move(*b);
    else
      ok = false;
    baked->origin += ", " + prefix + ".bias";
  } else if (source.file->find(prefix + ".bias")) {
    // nn.Conv2d(bias=False)'s state_dict has no bias: a stray one means the
    // config and the trained model disagree.
    diags.error(locOr(layer.bias.loc, at),
                "tensor '" + excerpt(prefix) + ".bias' is in the weights file, but the layer has "
                "bias: false (nn.Conv2d(bias=False) saves no bias): set bias: true, or check "
                "weights_prefix");
    ok = false;
  }
  if (layer.batch_norm.present) {
    BatchNormValues bn;
    std::string origin;
    if (!batchNormValues(lw, layer.batch_norm, out, bn, origin)) return false;
    if (!ok) return false;
    baked->unfolded = BakedTensors::Unfolded{baked->weight, baked->bias,    bn.weight,
                                             bn.bias,       bn.running_mean, bn.running_var,
                                             bn.eps};
    foldBatchNorm(bn, out, baked->weight, baked->bias);
    baked->origin += "; " + origin;
    for (float v : baked->weight)
      if (!std::isfinite(v)) ok = false;
    for (float v : baked->bias)
      if (!std::isfinite(v)) ok = false;
    if (!ok) {
      diags.error(layer.batch_norm.loc,
                  "folding batch_norm into the weights overflows float32 (a weight or bias "
                  "beyond 3.4e38)");
      return false;
    }
    spec.bias = true;  // the folded layer has a bias
  }
  if (!ok) return false;
  spec.baked = std::move(baked);
  return true;
}

}  // namespace convgen::detail
