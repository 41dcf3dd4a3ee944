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
      {K::Layers, "layers", S::Top, V::LayerList, true, "", "the Conv2d layers, at least one"},
      {K::TopBackward, "backward", S::Top, V::Bool, false, "false",
       "default `backward` of every layer"},
      {K::Name, "name", S::Layer, V::String, true, "",
       "a C++ identifier; also part of the C symbol"},
      {K::InputShape, "input_shape", S::Layer, V::IntList, true, "",
       "`[N, C, H, W]`, or `[C, H, W]` for unbatched input"},
      {K::InChannels, "in_channels", S::Layer, V::Int, true, "", "as nn.Conv2d"},
      {K::OutChannels, "out_channels", S::Layer, V::Int, true, "", "as nn.Conv2d"},
      {K::KernelSize, "kernel_size", S::Layer, V::IntOrPair, true, "", "`k` or `[kh, kw]`"},
      {K::Stride, "stride", S::Layer, V::IntOrPair, false, "1", "`s` or `[sh, sw]`"},
      {K::Padding, "padding", S::Layer, V::Padding, false, "0", "`p`, `[ph, pw]`, or a word"},
      {K::Dilation, "dilation", S::Layer, V::IntOrPair, false, "1", "`d` or `[dh, dw]`"},
      {K::Groups, "groups", S::Layer, V::Int, false, "1", "as nn.Conv2d"},
      {K::Bias, "bias", S::Layer, V::Bool, false, "true", "whether the layer adds a bias"},
      {K::PaddingMode, "padding_mode", S::Layer, V::Word, false, "zeros", "as nn.Conv2d"},
      {K::DType, "dtype", S::Layer, V::Word, false, "float32", "the element type of every tensor"},
      {K::Isa, "isa", S::Layer, V::Word, false, "the top-level `isa`", "this layer's target"},
      {K::Device, "device", S::Layer, V::Word, false, "cpu",
       "accepted for fidelity; only `cpu` exists"},
      {K::Backward, "backward", S::Layer, V::Bool, false, "the top-level `backward`",
       "also emit `backward_input`, `backward_weight`, `backward_bias` (autograd's gradients)"},
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
      return "int, list of 2 ints, " + words(paddingWordList());
    case ValueKind::Bool:
      return "`true`, `false`";
    case ValueKind::LayerList:
      return "list of layer mappings";
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
        default:
          break;
      }
      break;
  }
  internalError("a config key of a kind valueText does not know", __FILE__, __LINE__);
}

std::string configKeyTableMarkdown() {
  std::string out =
      "| key | where | value | default | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const ConfigKey& key : configKeys()) {
    out += "| `" + std::string(key.name) + "` | ";
    out += key.scope == KeyScope::Top ? "top level" : "layer";
    out += " | " + valueText(key) + " | ";
    out += key.required ? std::string("required") : std::string(key.default_value);
    out += " | " + std::string(key.doc) + " |\n";
  }
  return out;
}

}  // namespace convgen
