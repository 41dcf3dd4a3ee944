// Emission: plans -> the text of every generated file. The header declares
// every layer; each .cpp shard holds a contiguous run of layers, each
// rendered by its plan's strategy inside the shared layer frame.
#include "convgen/emit.h"

#include <algorithm>

#include "convgen/fingerprint.h"
#include "convgen/format.h"
#include "convgen/internal_error.h"
#include "convgen/templates.h"
#include "emit_backward.h"
#include "emit_code.h"

namespace convgen {
namespace {

using namespace detail;

// The targets of `plans`, for banners: "scalar", "avx2 + scalar", ...
std::string targets(const std::vector<KernelPlan>& plans) {
  std::vector<std::string> names;
  for (const KernelPlan& p : plans) {
    const std::string isa(toString(p.isa));
    if (std::find(names.begin(), names.end(), isa) == names.end()) names.push_back(isa);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " + ") + n;
  return out.empty() ? "no layers" : out;
}

std::string banner(const ModelSpec& model, const std::vector<KernelPlan>& plans) {
  std::string b = renderTemplate(
      "banner",
      {{"version", CONVGEN_VERSION}, {"config", model.config_name}, {"target", targets(plans)}});
  b.pop_back();  // the template's final newline; the caller's line adds one
  return b;
}

std::string upperIdentifier(const std::string& s) {
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? std::toupper(ch) : '_';
  return out;
}

// LayerInfo's initializer, each value after its field's name.
std::string layerInfo(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  auto quoted = [](std::string_view v) { return "\"" + std::string(v) + "\""; };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  const std::vector<std::pair<const char*, std::string>> fields = {
      {"name", quoted(l.name)},
      {"batched", flag(l.batched)},
      {"batch", str(l.batch)},
      {"in_channels", str(l.in_channels)},
      {"in_height", str(l.in_height)},
      {"in_width", str(l.in_width)},
      {"out_channels", str(l.out_channels)},
      {"out_height", str(s.out_height)},
      {"out_width", str(s.out_width)},
      {"kernel_h", str(l.kernel.h)},
      {"kernel_w", str(l.kernel.w)},
      {"stride_h", str(l.stride.h)},
      {"stride_w", str(l.stride.w)},
      {"dilation_h", str(l.dilation.h)},
      {"dilation_w", str(l.dilation.w)},
      {"pad_top", str(l.pad.top)},
      {"pad_bottom", str(l.pad.bottom)},
      {"pad_left", str(l.pad.left)},
      {"pad_right", str(l.pad.right)},
      {"groups", str(l.groups)},
      {"bias", flag(l.bias)},
      {"padding_mode", quoted(toString(l.padding_mode))},
      {"dtype", quoted(toString(l.dtype))},
      {"isa", quoted(toString(p.isa))},
      {"strategy", quoted(p.strategyName())},
      {"kernel", quoted(p.kernelName())},
      {"packed_kernel", quoted(p.packedKernelName())},
      {"macs", str(s.macs)}};
  std::string out;
  for (const auto& [field, value] : fields)
    out += (out.empty() ? "" : ", ") + std::string("/*") + field + "=*/" + value;
  return out;
}

// A macro-name spelling of `s` that no other string shares: letters and
// digits stay, '_' becomes "_U", '-' "_D", "::" "_N" (so a-b and a_b, or
// Net and net, get different header guards).
std::string macroPart(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out += ch;
    } else if (ch == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      out += "_N";
      ++i;
    } else {
      CONVGEN_CHECK(ch == '_' || ch == '-', "a namespace or stem with a character names cannot hold");
      out += ch == '_' ? "_U" : "_D";
    }
  }
  return out;
}

// CONVGEN_<namespace>_S<stem>, the prefix of the header's guard and
// fingerprint macros.
std::string macroBase(const ModelSpec& model, const std::string& stem) {
  return "CONVGEN_" + macroPart(model.cpp_namespace) + "_S" + macroPart(stem);
}

std::string header(const ModelSpec& model, const std::string& stem,
                   const std::vector<KernelPlan>& plans) {
  std::string declarations, c_declarations, layer_list;
  for (const KernelPlan& p : plans) {
    const LayerSpec& l = p.layer;
    const std::string type(cppType(l.dtype));
    std::string decl = renderTemplate(
        "layer_decl",
        {{"summary", summary(p)},
         {"name", l.name},
         {"type", type},
         {"rank", str(p.shapes.input.size())},
         {"input_shape", join(p.shapes.input, ", ")},
         {"weight_shape", join(p.shapes.weight, ", ")},
         {"bias_shape", l.bias ? str(l.out_channels) : "0"},
         {"output_shape", join(p.shapes.output, ", ")},
         {"info", layerInfo(p)},
         {"packed_size", str(p.packedWeightSize())},
         {"packed_note", p.packed ? "blocks of output channels, for " + p.packedKernelName()
                                  : "this layer's is PyTorch's: weight, then bias"},
         {"bias_note", l.bias ? "(out_channels) values" : "unused: pass nullptr (bias: false)"},
         {"backward_decl", backwardDeclarations(p)}});
    decl.pop_back();
    declarations += decl;
    std::string c_type = type.rfind("std::", 0) == 0 ? type.substr(5) : type;
    c_declarations += (c_declarations.empty() ? "" : "\n") + std::string("void ") +
                      cName(model, l) + "(const " + c_type + "* input, const " + c_type +
                      "* weight, const " + c_type + "* bias, " + c_type + "* output);\n" +
                      "void " + cName(model, l, "pack_weights") + "(const " + c_type +
                      "* weight, const " + c_type + "* bias, " + c_type + "* packed);\n" +
                      "void " + cName(model, l, "forward_packed") + "(const " + c_type +
                      "* input, const " + c_type + "* packed, " + c_type + "* output);\n" +
                      "void " + cName(model, l, "forward_partition") + "(const " + c_type +
                      "* input, const " + c_type + "* weight, const " + c_type + "* bias, " +
                      c_type + "* output, int part, int parts);\n" + "void " +
                      cName(model, l, "forward_packed_partition") + "(const " + c_type +
                      "* input, const " + c_type + "* packed, " + c_type +
                      "* output, int part, int parts);" + backwardCDeclarations(model, p);
    layer_list += (layer_list.empty() ? "" : " ") + std::string("X(") + l.name + ")";
  }
  return renderTemplate("header", {{"banner", banner(model, plans)},
                                   {"guard", macroBase(model, stem) + "_H"},
                                   {"namespace", model.cpp_namespace},
                                   {"config", model.config_name},
                                   {"declarations", declarations},
                                   {"layer_macro", "CONVGEN_" + upperIdentifier(stem) + "_LAYERS"},
                                   {"full_layer_macro", macroBase(model, stem) + "_LAYERS"},
                                   {"layer_list", layer_list},
                                   {"backward_macro",
                                    backwardLayerMacro(plans, macroBase(model, stem),
                                                       "CONVGEN_" + upperIdentifier(stem))},
                                   {"c_declarations", c_declarations}});
}

// The ISA headers and target macros of one generated .cpp (the fixed text is
// templates/x86_prologue.in), from the ISA table's rows of the ISAs its
// layers use; configs do not mix x86 and Arm layers.
std::string isaPrologue(const std::vector<Isa>& used) {
  std::string targets;
  bool x86 = false;
  for (const IsaInfo& info : isaTable()) {
    if (std::find(used.begin(), used.end(), info.isa) == used.end()) continue;
    if (info.family == IsaFamily::Arm) return "#include <" + std::string(info.intrinsics_include) + ">";
    if (info.target_macro.empty()) continue;
    x86 = true;
    const std::string macro(info.target_macro);
    targets += std::string(targets.empty() ? "" : "\n") + "#ifndef " + macro + "\n#define " +
               macro + " __attribute__((target(\"" + std::string(info.target_features) +
               "\")))\n#endif";
  }
  if (!x86) return "";
  std::string text = renderTemplate("x86_prologue", {{"targets", targets}});
  text.pop_back();  // the template's last newline; the shard's line adds one
  return text;
}

}  // namespace

std::string configStem(const std::string& config_name) {
  std::string stem = config_name;
  for (const char* ext : {".yaml", ".yml"}) {
    const std::string e(ext);
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) {
      stem.resize(stem.size() - e.size());
      break;
    }
  }
  if (stem.empty() || !std::isalnum(static_cast<unsigned char>(stem[0]))) return "";
  for (char ch : stem)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-') return "";
  return stem;
}

std::vector<std::string> outputFileNames(const std::string& stem, int shards) {
  std::vector<std::string> names = {stem + ".h"};
  if (shards <= 1) {
    names.push_back(stem + ".cpp");
  } else {
    for (int k = 0; k < shards; ++k) names.push_back(stem + "_" + std::to_string(k) + ".cpp");
  }
  return names;
}

// The strategy dispatch: one case per Strategy.
std::string renderPlan(const ModelSpec& model, const KernelPlan& plan) {
  switch (plan.strategy()) {
    case Strategy::Direct:
      return renderLayer(model, plan, emitDirect(plan), nullptr);
    case Strategy::DirectVector: {
      if (!plan.packed) return renderLayer(model, plan, emitDirectVector(plan), nullptr);
      const PackedCode packed = emitChannelVector(plan);
      return renderLayer(model, plan, emitDirectVector(plan), &packed);
    }
    case Strategy::ChannelVector:
      break;  // a packed strategy only (KernelPlan::packed)
  }
  CONVGEN_CHECK(false, "unknown strategy");
  return "";
}

GeneratedModel generateModel(const ModelSpec& model, std::vector<KernelPlan> plans,
                             const GenerateOptions& options) {
  const std::string stem = configStem(model.config_name);
  CONVGEN_CHECK(!stem.empty(), "generateModel needs a config name that can name files");
  CONVGEN_CHECK(options.shards >= 1, "shards must be positive");
  CONVGEN_CHECK(plans.size() == model.layers.size(), "one plan per layer");
  GeneratedModel out;
  out.plans = std::move(plans);
  const std::vector<std::string> names = outputFileNames(stem, options.shards);
  out.files.push_back({names[0], header(model, stem, out.plans)});
  // Contiguous runs of layers per shard, in config order.
  const std::size_t count = out.plans.size();
  for (int k = 0; k < options.shards; ++k) {
    std::string layers;
    const std::size_t begin = count * k / options.shards, end = count * (k + 1) / options.shards;
    const std::vector<KernelPlan> shard_plans(out.plans.begin() + begin, out.plans.begin() + end);
    std::vector<Isa> isas;
    for (const KernelPlan& plan : shard_plans) {
      isas.push_back(plan.isa);
      std::string text = renderPlan(model, plan);
      text.pop_back();
      if (plan.layer.backward) text += renderBackward(model, plan);
      out.layer_lines.push_back(std::count(text.begin(), text.end(), '\n') + 1);
      layers += text;
    }
    std::string file = renderTemplate("shard", {{"banner", banner(model, shard_plans)},
                                                {"header", names[0]},
                                                {"includes", isaPrologue(isas)},
                                                {"layers", layers}});
    out.files.push_back({names[1 + k], std::move(file)});
  }
  // Named like the header guard, so two configs' headers never share it.
  // Before formatting: the fingerprint hashes the unformatted text, so
  // --no-format gives the same value (fingerprint.h).
  addFingerprint(out.files, macroBase(model, stem) + "_FINGERPRINT");
  if (options.format)
    for (GeneratedFile& f : out.files) f.content = formatGeneratedCode(f.content, f.name);
  return out;
}

GeneratedModel generateModel(const ModelSpec& model, const GenerateOptions& options) {
  return generateModel(model, planModel(model, options.plan), options);
}

}  // namespace convgen
