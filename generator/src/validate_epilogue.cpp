// Stage 2 for a layer's fused epilogue: `activation:` (its word, the
// parameters it takes, their ranges, the dtypes PyTorch runs it on) and
// `residual:` (an earlier, valid layer with this layer's output shape and
// dtype). docs/semantics.md section 14 gives PyTorch's rules these follow.
#include <cfloat>
#include <cmath>

#include "convgen/shapes.h"
#include "validate_layer.h"

namespace convgen::detail {
namespace {

bool isFloat(DType t) { return t == DType::Float32 || t == DType::Float64; }

std::string number(double v) {
  char text[40];
  std::snprintf(text, sizeof text, v == std::floor(v) && std::fabs(v) < 1e18 ? "%.0f" : "%.9g", v);
  return text;
}

std::string paramList(const ActivationName& a) {
  if (a.negative_slope) return "negative_slope";
  if (a.bounds) return "min, max";
  return "none";
}

// One parameter: given only where the activation takes it, in range for
// the layer's dtype.
bool parameter(const RawNumber& raw, llvm::StringRef key, bool takes, const ActivationName& a,
               DType dtype, bool bound, Diagnostics& diags) {
  if (!raw.present) return true;
  if (!raw.usable()) return false;  // stage 1 said why
  if (!takes) {
    diags.error(raw.loc, "'" + key + "' is not a parameter of " + std::string(a.name) + " (" +
                             std::string(a.name) + " takes " + paramList(a) + ")");
    return false;
  }
  if (!isFloat(dtype)) {
    if (bound && !raw.integral) {
      diags.error(raw.loc, "clamp's '" + key + "' on an " + std::string(toString(dtype)) +
                               " layer must be an integer: torch.clamp with a float bound "
                               "returns a float tensor");
      return false;
    }
    const double limit = dtype == DType::Int32 ? 2147483647.0 : 9007199254740992.0;  // 2^53
    if (std::fabs(raw.value) > limit) {
      diags.error(raw.loc, "value cannot be converted to type " +
                               std::string(cppType(dtype)).substr(5) + " without overflow: " +
                               key + "=" + number(raw.value) +
                               (dtype == DType::Int64 ? " (convgen: at most 2^53)" : ""));
      return false;
    }
  } else if (dtype == DType::Float32 && std::fabs(raw.value) > FLT_MAX) {
    diags.error(raw.loc, "value cannot be converted to type float without overflow: " + key +
                             "=" + number(raw.value));
    return false;
  }
  return true;
}

}  // namespace

bool validateActivation(const RawLayer& raw, LayerSpec& spec, Diagnostics& diags) {
  const RawActivation& r = raw.activation;
  if (!r.present) return true;
  if (!r.usable()) return false;
  const std::optional<Activation> act = parseActivation(r.type.value);
  if (!act) {
    diags.error(r.type.loc, "activation must be one of {" + activationList("'") +
                                "}, but got activation='" + excerpt(r.type.value) + "'");
    return false;
  }
  const ActivationName& a = activationInfo(*act);
  bool ok = parameter(r.negative_slope, "negative_slope", a.negative_slope, a, spec.dtype, false,
                      diags);
  ok = parameter(r.min, "min", a.bounds, a, spec.dtype, true, diags) && ok;
  ok = parameter(r.max, "max", a.bounds, a, spec.dtype, true, diags) && ok;
  if (!a.integer_ok && !isFloat(spec.dtype)) {
    diags.error(r.type.loc, "\"" + std::string(a.torch_kernel) + "\" not implemented for '" +
                                std::string(torchTypeName(spec.dtype)) + "'");
    ok = false;
  }
  if (a.bounds && !r.min.present && !r.max.present) {
    diags.error(r.type.loc, "torch.clamp: At least one of 'min' or 'max' must not be None");
    ok = false;
  }
  if (!ok) return false;
  Epilogue& e = spec.epilogue;
  e.activation = *act;
  switch (*act) {
    case Activation::Relu:  // torch.relu is clamp_min(x, 0)
      e.has_min = true, e.min = 0;
      break;
    case Activation::Relu6:  // hardtanh(x, 0, 6), which is clamp(x, 0, 6)
      e.has_min = e.has_max = true, e.min = 0, e.max = 6;
      break;
    case Activation::Clamp:
      e.has_min = r.min.present, e.min = r.min.value;
      e.has_max = r.max.present, e.max = r.max.value;
      break;
    case Activation::LeakyRelu:
      if (r.negative_slope.present) e.negative_slope = r.negative_slope.value;
      break;
    case Activation::None:
    case Activation::Hardswish:
      break;
  }
  return true;
}

bool validateResidual(const RawLayer& raw, const std::vector<RawLayer>& raw_layers,
                      std::size_t index, const NodeOutputs& outputs, LayerSpec& spec,
                      Diagnostics& diags) {
  const Located<std::string>& r = raw.residual;
  if (!r.present) return true;
  if (!r.usable()) return false;
  const std::string& name = r.value;
  const std::string quoted = "'" + excerpt(name) + "'";
  if (raw.name.usable() && name == raw.name.value) {
    diags.error(r.loc, "residual " + quoted +
                           " is this layer itself: a residual must be an earlier layer's output");
    return false;
  }
  std::optional<std::size_t> earlier;
  for (std::size_t i = 0; i < index; ++i)
    if (raw_layers[i].name.usable() && raw_layers[i].name.value == name) earlier = i;
  if (!earlier) {
    for (std::size_t i = index + 1; i < raw_layers.size(); ++i)
      if (raw_layers[i].name.usable() && raw_layers[i].name.value == name) {
        diags.error(r.loc, "residual " + quoted +
                               " comes after this layer: a residual must be an earlier layer's "
                               "output");
        return false;
      }
    diags.error(r.loc, "residual " + quoted + " is not a layer of this config");
    return false;
  }
  const std::optional<NodeOutput>& target = outputs[*earlier];
  if (!target) return false;  // that layer is invalid, and diagnosed
  const LayerShapes mine = inferShapes(spec);
  if (mine.output != target->shape || spec.dtype != target->dtype) {
    diags.error(r.loc, "residual layer " + quoted + " outputs " + listText(target->shape) + " " +
                           std::string(toString(target->dtype)) + ", but this layer outputs " +
                           listText(mine.output) + " " + std::string(toString(spec.dtype)) +
                           ": they must match to be added");
    return false;
  }
  spec.epilogue.residual = name;
  return true;
}

}  // namespace convgen::detail
