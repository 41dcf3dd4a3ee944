#include "convgen/config_keys.h"

#include "convgen/internal_error.h"
#include "convgen/isa.h"
#include "convgen/spec.h"

namespace convgen {

const std::vector<ConfigKey>& configKeys() {
  using K = KeyId;
  using S = KeyScope;
  using V = ValueKind;
  static const std::vector<ConfigKey> kKeys = {
      {K::Namespace, "namespace", S::Top, V::String, true, "",
       "C++ namespace of the generated code; `a::b` allowed"},
      {K::TopIsa, "isa", S::Top, V::Word, false, "scalar", "default target of every layer"},
      {K::Weights, "weights", S::Top, V::String, false, "none",
       "a `.safetensors` file (relative to the config) whose tensors are baked into the code"},
      {K::Layers, "layers", S::Top, V::LayerList, true, "", "the Conv2d layers, at least one"},
      {K::TopBackward, "backward", S::Top, V::Backward, false, "false",
       "default `backward` of every layer"},
      {K::Network, "network", S::Top, V::Bool, false, "true with `weights`",
       "`false`: baked layers stay independent (each its own `input_shape`, no network `forward`)"},
      {K::Name, "name", S::Layer, V::String, true, "",
       "a C++ identifier; also part of the C symbol"},
      {K::InputShape, "input_shape", S::Layer, V::IntList, true, "",
       "`[N, C, H, W]`, or `[C, H, W]` unbatched; in a network (`weights`) only where no earlier layer is the input"},
      {K::InChannels, "in_channels", S::Layer, V::Int, true, "", "as nn.Conv2d"},
      {K::OutChannels, "out_channels", S::Layer, V::Int, true, "", "as nn.Conv2d"},
      {K::KernelSize, "kernel_size", S::Layer, V::IntOrPair, true, "", "`k` or `[kh, kw]`"},
      {K::Stride, "stride", S::Layer, V::IntOrPair, false, "1; pools: `kernel_size`",
       "`s` or `[sh, sw]`"},
      {K::Padding, "padding", S::Layer, V::Padding, false, "0",
       "`p`, `[ph, pw]`, a word, or per side"},
      {K::Dilation, "dilation", S::Layer, V::IntOrPair, false, "1", "`d` or `[dh, dw]`"},
      {K::Groups, "groups", S::Layer, V::Int, false, "1", "as nn.Conv2d"},
      {K::Bias, "bias", S::Layer, V::Bool, false, "true", "whether the layer adds a bias"},
      {K::PaddingMode, "padding_mode", S::Layer, V::Word, false, "zeros", "as nn.Conv2d"},
      {K::DType, "dtype", S::Layer, V::Word, false, "float32", "the element type of every tensor"},
      {K::Isa, "isa", S::Layer, V::Word, false, "the top-level `isa`", "this layer's target"},
      {K::Device, "device", S::Layer, V::Word, false, "cpu",
       "accepted for fidelity; only `cpu` exists"},
      {K::WeightsPrefix, "weights_prefix", S::Layer, V::String, false, "the layer's `name`",
       "its tensors are `<prefix>.weight`, `<prefix>.bias` in `weights`"},
      {K::BatchNorm, "batch_norm", S::Layer, V::BatchNormMap, false, "none",
       "a BatchNorm2d (eval) after the conv, folded into its weights and bias"},
      {K::BnPrefix, "prefix", S::BatchNorm, V::String, false, "none",
       "tensors `<prefix>.weight/.bias/.running_mean/.running_var` in `weights`"},
      {K::BnEps, "eps", S::BatchNorm, V::Float, false, "1e-5", "as nn.BatchNorm2d; > 0"},
      {K::BnWeight, "weight", S::BatchNorm, V::FloatList, false, "none",
       "inline gamma, `out_channels` values (instead of `prefix`)"},
      {K::BnBias, "bias", S::BatchNorm, V::FloatList, false, "none", "inline beta"},
      {K::BnRunningMean, "running_mean", S::BatchNorm, V::FloatList, false, "none",
       "inline running mean"},
      {K::BnRunningVar, "running_var", S::BatchNorm, V::FloatList, false, "none",
       "inline running variance"},
      // padding: {top: 1, bottom: 0, left: 1, right: 0}, convgen's per-side form
      {K::PadTop, "top", S::Padding, V::Int, true, "", "rows of padding above the input"},
      {K::PadBottom, "bottom", S::Padding, V::Int, true, "", "rows of padding below the input"},
      {K::PadLeft, "left", S::Padding, V::Int, true, "", "columns of padding left of the input"},
      {K::PadRight, "right", S::Padding, V::Int, true, "", "columns of padding right of the input"},
      {K::Op, "op", S::Layer, V::Word, false, "conv2d",
       "the layer's operation; its keys: the table below"},
      {K::CeilMode, "ceil_mode", S::Layer, V::Bool, false, "false",
       "`ceil` instead of `floor` in the output size (as nn.MaxPool2d)"},
      {K::ReturnIndices, "return_indices", S::Layer, V::Bool, false, "false",
       "as nn.MaxPool2d; only `false` (no indices are generated)"},
      {K::CountIncludePad, "count_include_pad", S::Layer, V::Bool, false, "true",
       "whether the average counts padding (as nn.AvgPool2d)"},
      {K::DivisorOverride, "divisor_override", S::Layer, V::Int, false, "none",
       "every window's divisor (as nn.AvgPool2d)"},
      {K::OutputSize, "output_size", S::Layer, V::IntOrPair, false, "",
       "`s` or `[oh, ow]` (as nn.AdaptiveAvgPool2d)"},
      {K::InFeatures, "in_features", S::Layer, V::Int, false, "",
       "as nn.Linear: C*H*W of the input, flattened as torch.flatten(x, 1)"},
      {K::OutFeatures, "out_features", S::Layer, V::Int, false, "", "as nn.Linear"},
      {K::Activation, "activation", S::Layer, V::Activation, false, "none",
       "fused after bias (and residual); `{type: leaky_relu, negative_slope: 0.01}`, "
       "`{type: clamp, min: -1.0, max: 1.0}`"},
      {K::Residual, "residual", S::Layer, V::String, false, "none",
       "an earlier layer whose output (same shape and dtype) is added before the activation"},
      {K::Input, "input", S::Layer, V::String, false, "the previous layer",
       "the earlier layer whose output this one reads, in a network (`weights`); its "
       "`input_shape` then follows"},
      {K::Backward, "backward", S::Layer, V::Backward, false, "the top-level `backward`",
       "`true`: also emit `backward_input`, `backward_weight`, `backward_bias` (autograd's "
       "gradients); `only`: emit them without the forward (no epilogue, `weights` or "
       "conv_transpose2d)"},
      {K::OutputPadding, "output_padding", S::Layer, V::IntOrPair, false, "0",
       "`p` or `[ph, pw]`: rows/columns added at the end of the output (as nn.ConvTranspose2d)"},
  };
  return kKeys;
}

const ConfigKey* findConfigKey(KeyScope scope, std::string_view name) {
  for (const ConfigKey& key : configKeys())
    if (key.scope == scope && key.name == name) return &key;
  return nullptr;
}

std::string valueText(const ConfigKey& key) {
  // "`a`, `b`, `c`" from a list "a, b, c" (no '|': it would split a
  // Markdown table's cell).
  auto words = [](const std::string& list) {
    std::string out = "`";
    for (char c : list) out += c == ',' ? std::string("`,") : std::string(1, c);
    std::string fixed;
    for (std::size_t i = 0; i < out.size(); ++i) {
      fixed += out[i];
      if (out[i] == ',' && i + 1 < out.size() && out[i + 1] == ' ') fixed += " `", ++i;
    }
    return fixed + "`";
  };
  switch (key.kind) {
    case ValueKind::String:
      return "string";
    case ValueKind::Int:
      return "int";
    case ValueKind::IntList:
      return "list of ints";
    case ValueKind::IntOrPair:
      return "int or list of 2 ints";
    case ValueKind::Padding:
      return "int, list of 2 ints, " + words(paddingWordList()) +
             ", or a `{top, bottom, left, right}` mapping";
    case ValueKind::Bool:
      return "`true`, `false`";
    case ValueKind::Backward:
      return "`true`, `false`, `only`";
    case ValueKind::LayerList:
      return "list of layer mappings";
    case ValueKind::Float:
      return "number";
    case ValueKind::FloatList:
      return "list of numbers";
    case ValueKind::BatchNormMap:
      return "mapping of the `batch_norm` keys";
    case ValueKind::Activation:
      return words(activationList()) + ", or a mapping with `type`";
    case ValueKind::Word:
      switch (key.id) {
        case KeyId::PaddingMode:
          return words(paddingModeList());
        case KeyId::DType:
          return words(dtypeList());
        case KeyId::TopIsa:
        case KeyId::Isa:
          return words(isaNameList());
        case KeyId::Device:
          return "`cpu`";
        case KeyId::Op:
          return words(opList());
        default:
          break;
      }
      break;
  }
  internalError("a config key of a kind valueText does not know", __FILE__, __LINE__);
}

const std::vector<OpKeys>& opKeyTable() {
  using K = KeyId;
  // Every op's layer mapping has these.
  const std::vector<K> required = {K::Name, K::InputShape};
  const std::vector<K> common = {K::Op, K::DType, K::Isa, K::Device, K::Input};
  auto with = [](std::vector<K> a, const std::vector<K>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  static const std::vector<OpKeys> kTable = {
      {Op::Conv2d, with(required, {K::InChannels, K::OutChannels, K::KernelSize}),
       with(common, {K::Stride, K::Padding, K::Dilation, K::Groups, K::Bias, K::PaddingMode,
                     K::WeightsPrefix, K::BatchNorm, K::Activation, K::Residual, K::Backward})},
      {Op::MaxPool2d, with(required, {K::KernelSize}),
       with(common, {K::Stride, K::Padding, K::Dilation, K::CeilMode, K::ReturnIndices})},
      {Op::AvgPool2d, with(required, {K::KernelSize}),
       with(common, {K::Stride, K::Padding, K::CeilMode, K::CountIncludePad, K::DivisorOverride})},
      {Op::AdaptiveAvgPool2d, with(required, {K::OutputSize}), common},
      {Op::Linear, with(required, {K::InFeatures, K::OutFeatures}),
       with(common, {K::Bias, K::WeightsPrefix, K::Activation, K::Backward})},
      {Op::ConvTranspose2d, with(required, {K::InChannels, K::OutChannels, K::KernelSize}),
       with(common, {K::Stride, K::Padding, K::OutputPadding, K::Dilation, K::Groups, K::Bias,
                     K::PaddingMode, K::WeightsPrefix, K::Activation, K::Residual, K::Backward})},
  };
  return kTable;
}

const OpKeys& opKeys(Op op) {
  for (const OpKeys& row : opKeyTable())
    if (row.op == op) return row;
  internalError("an op without a row in opKeyTable", __FILE__, __LINE__);
}

bool opRequires(Op op, KeyId key) {
  for (KeyId k : opKeys(op).required)
    if (k == key) return true;
  return false;
}

bool opTakes(Op op, KeyId key) {
  if (opRequires(op, key)) return true;
  for (KeyId k : opKeys(op).optional)
    if (k == key) return true;
  return false;
}

std::string configKeyTableMarkdown() {
  std::string out =
      "| key | where | value | default | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const ConfigKey& key : configKeys()) {
    out += "| `" + std::string(key.name) + "` | ";
    // A layer key: the ops that take it, unless every op does; "required"
    // when each of them requires it.
    std::string ops;
    bool all = true, every_requires = key.scope == KeyScope::Layer;
    if (key.scope == KeyScope::Layer) {
      for (const OpKeys& row : opKeyTable()) {
        if (!opTakes(row.op, key.id)) {
          all = false;
          continue;
        }
        ops += (ops.empty() ? "" : ", ") + std::string(toString(row.op));
        every_requires = every_requires && opRequires(row.op, key.id);
      }
    }
    out += key.scope == KeyScope::Top         ? std::string("top level")
           : key.scope == KeyScope::BatchNorm ? std::string("in `batch_norm`")
           : key.scope == KeyScope::Padding   ? std::string("`padding` mapping")
           : all                              ? std::string("layer")
                                              : "layer: " + ops;
    out += " | " + valueText(key) + " | ";
    const bool required = key.scope == KeyScope::Layer ? every_requires : key.required;
    out += required ? std::string("required") : std::string(key.default_value);
    out += " | " + std::string(key.doc) + " |\n";
  }
  return out;
}

}  // namespace convgen
