// Emission: plans -> the text of every generated file. The header declares
// every layer; each .cpp shard holds a contiguous run of layers, each
// rendered by its plan's strategy inside the shared layer frame.
#include "convgen/emit.h"

#include <algorithm>

#include "convgen/baked_weights.h"
#include "convgen/fingerprint.h"
#include "convgen/format.h"
#include "convgen/internal_error.h"
#include "convgen/templates.h"
#include "convgen/tuning.h"
#include "emit_backward.h"
#include "emit_code.h"
#include "emit_epilogue.h"
#include "emit_pool.h"
#include "network_model.h"

namespace convgen {
namespace {

using namespace detail;

// The targets of `plans`, for banners: "scalar", "avx2 + scalar", ...
std::string targets(const std::vector<KernelPlan>& plans, const std::vector<Isa>& pool_isas) {
  std::vector<std::string> names;
  for (Isa isa : pool_isas)
    if (std::find(names.begin(), names.end(), toString(isa)) == names.end())
      names.push_back(std::string(toString(isa)));
  for (const KernelPlan& p : plans) {
    const std::string isa(toString(p.isa));
    if (std::find(names.begin(), names.end(), isa) == names.end()) names.push_back(isa);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " + ") + n;
  return out.empty() ? "no layers" : out;
}

// `tuning`: the file `generate --tuning` read; every banner names it.
std::string banner(const ModelSpec& model, const Tuning* tuning,
                   const std::vector<KernelPlan>& plans, const std::vector<Isa>& pool_isas = {}) {
  std::string b = renderTemplate(
      "banner",
      {{"version", CONVGEN_VERSION}, {"config", model.config_name}, {"target", targets(plans, pool_isas)}});
  b.pop_back();  // the template's final newline; the caller's line adds one
  if (tuning) b += "\n" + tuningBannerLine(*tuning);
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
      // backward: only: no forward kernel, so no strategy or kernel name
      // (isa is the gradients').
      {"strategy", quoted(l.backward_only ? "none" : p.strategyName())},
      {"kernel", quoted(l.backward_only ? "" : p.kernelName())},
      {"packed_kernel", quoted(l.backward_only ? "" : p.packedKernelName())},
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

// A linear layer's shapes as nn.Linear has them: input [N, in_features]
// when given so, output [N, out_features]; a conv's as inferred.
std::vector<std::int64_t> linearInput(const KernelPlan& p) {
  if (p.layer.flat_input) return {p.layer.batch, p.layer.in_channels};
  return p.shapes.input;
}
std::vector<std::int64_t> linearOutput(const KernelPlan& p) {
  if (p.layer.source_op == Op::Linear) return {p.layer.batch, p.layer.out_channels};
  return p.shapes.output;
}

// The pooling layers' X-macro, beside the conv layers'.
std::string poolMacro(const ModelSpec& model, const std::string& stem, const std::string& list) {
  const std::string full = macroBase(model, stem) + "_POOLS";
  const std::string short_name = "CONVGEN_" + upperIdentifier(stem) + "_POOLS";
  return "\n\n// X-macro over the pooling layers of " + model.config_name +
         " (max_pool2d, avg_pool2d,\n// adaptive_avg_pool2d), in config order; their forward is "
         "forward(input, output).\n#define " + full + "(X) " + list + "\n#ifndef " + short_name +
         "\n#define " + short_name + "(X) " + full + "(X)\n#endif";
}

// A layer with backward: only: the shapes, info and the gradients' declarations.
std::string backwardOnlyDeclaration(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  Code c;
  c.line();
  c.line("// " + summary(p));
  c.line("// backward: only: the gradients, without forward, forward_packed or the partitions.");
  c.line("namespace " + l.name + " {");
  c.line("using value_type = " + std::string(cppType(l.dtype)) + ";");
  c.line("inline constexpr std::array<std::int64_t, " + str(linearInput(p).size()) +
         "> input_shape = {" + join(linearInput(p), ", ") + "};");
  c.line("inline constexpr std::array<std::int64_t, 4> weight_shape = {" +
         join(p.shapes.weight, ", ") + "};");
  c.line("inline constexpr std::array<std::int64_t, 1> bias_shape = {" +
         (l.bias ? str(l.out_channels) : std::string("0")) + "};  // {0} without bias");
  c.line("inline constexpr std::array<std::int64_t, " + str(linearOutput(p).size()) +
         "> output_shape = {" + join(linearOutput(p), ", ") + "};");
  c.line("inline constexpr ::convgen::generated::LayerInfo info = {" + layerInfo(p) + "};" +
         backwardDeclarations(p));
  c.line("}  // namespace " + l.name);
  return c.text();
}

std::string header(const ModelSpec& model, const Tuning* tuning, const std::string& stem,
                   const std::vector<KernelPlan>& plans, const std::vector<PoolPlan>& pools,
                   const detail::NetworkEmission* network) {
  std::string declarations, c_declarations, layer_list, pool_list, transpose_list;
  for (const NodeRef& node : modelOrder(model)) {
    if (node.kind == NodeRef::Kind::Pool) {  // emit_pool.cpp
      const PoolPlan& pool = pools[node.index];
      declarations += poolDeclaration(pool);
      c_declarations += (c_declarations.empty() ? "" : "\n") + poolCDeclaration(model, pool);
      pool_list += (pool_list.empty() ? "" : " ") + std::string("X(") + pool.pool.name + ")";
      continue;
    }
    const KernelPlan& p = plans[node.index];
    const LayerSpec& l = p.layer;
    if (p.view) {  // conv_transpose2d (emit_conv_transpose.cpp)
      declarations += convTransposeDeclaration(model, p, layerInfo(p));
      c_declarations += (c_declarations.empty() ? "" : "\n") + convTransposeCDeclarations(model, p);
      transpose_list += (transpose_list.empty() ? "" : " ") + std::string("X(") + l.name + ")";
      continue;
    }
    if (l.backward_only) {  // not in the layer X-macro, which promises a forward
      declarations += backwardOnlyDeclaration(p);
      c_declarations += (c_declarations.empty() ? "" : "\n") + backwardCDeclarations(model, p).substr(1);
      continue;
    }
    const std::string type(cppType(l.dtype));
    std::string decl = renderTemplate(
        "layer_decl",
        {{"summary", summary(p)},
         {"name", l.name},
         {"type", type},
         {"in_rank", str(linearInput(p).size())},
         {"input_shape", join(linearInput(p), ", ")},
         {"weight_shape", join(p.shapes.weight, ", ")},
         {"bias_shape", l.bias ? str(l.out_channels) : "0"},
         {"out_rank", str(linearOutput(p).size())},
         {"output_shape", join(linearOutput(p), ", ")},
         {"info", layerInfo(p)},
         {"packed_size", str(p.packedWeightSize())},
         {"packed_note", p.packed ? "blocks of output channels, for " + p.packedKernelName()
                                  : "this layer's is PyTorch's: weight, then bias"},
         {"bias_note", l.bias ? "(out_channels) values" : "unused: pass nullptr (bias: false)"},
         {"baked", bakedDeclaration(model, p)},
         {"epilogue_decl", epilogueDeclaration(l)},
         {"epilogue_note", epilogueNote(l)},
         {"res_param", l.epilogue.hasResidual() ? "const " + type + "* residual, " : ""},
         {"backward_decl", backwardDeclarations(p)}});
    decl.pop_back();
    declarations += decl;
    std::string c_type = type.rfind("std::", 0) == 0 ? type.substr(5) : type;
    const std::string c_res = l.epilogue.hasResidual() ? "const " + c_type + "* residual, " : "";
    c_declarations += (c_declarations.empty() ? "" : "\n") + std::string("void ") +
                      cName(model, l) + "(const " + c_type + "* input, const " + c_type +
                      "* weight, const " + c_type + "* bias, " + c_res + c_type + "* output);\n" +
                      "void " + cName(model, l, "pack_weights") + "(const " + c_type +
                      "* weight, const " + c_type + "* bias, " + c_type + "* packed);\n" +
                      "void " + cName(model, l, "forward_packed") + "(const " + c_type +
                      "* input, const " + c_type + "* packed, " + c_res + c_type + "* output);\n" +
                      "void " + cName(model, l, "forward_partition") + "(const " + c_type +
                      "* input, const " + c_type + "* weight, const " + c_type + "* bias, " +
                      c_res + c_type + "* output, int part, int parts);\n" + "void " +
                      cName(model, l, "forward_packed_partition") + "(const " + c_type +
                      "* input, const " + c_type + "* packed, " + c_res + c_type +
                      "* output, int part, int parts);" + bakedCDeclaration(model, p) +
                      backwardCDeclarations(model, p);
    layer_list += (layer_list.empty() ? "" : " ") + std::string("X(") + l.name + ")";
  }
  std::vector<Isa> pool_isas;
  for (const PoolPlan& pool : pools) pool_isas.push_back(pool.isa);
  const bool epilogues = std::any_of(plans.begin(), plans.end(),
                                     [](const KernelPlan& p) { return p.layer.epilogue.any(); });
  if (network) {  // emit_network.cpp: after the layers it calls
    declarations += "\n" + detail::renderNetworkDeclarations(*network) + "\n";
    c_declarations += "\n" + detail::renderNetworkCDeclaration(*network);
  }
  return renderTemplate("header", {{"banner", banner(model, tuning, plans, pool_isas)},
                                   {"epilogue_struct", epilogues ? epilogueStruct() : ""},
                                   {"guard", macroBase(model, stem) + "_H"},
                                   {"namespace", model.cpp_namespace},
                                   {"config", model.config_name},
                                   {"declarations", declarations},
                                   {"layer_macro", "CONVGEN_" + upperIdentifier(stem) + "_LAYERS"},
                                   {"full_layer_macro", macroBase(model, stem) + "_LAYERS"},
                                   {"layer_list", layer_list},
                                   {"backward_macro",
                                    backwardLayerMacro(plans, macroBase(model, stem),
                                                       "CONVGEN_" + upperIdentifier(stem)) +
                                        convTransposeMacro(transpose_list, macroBase(model, stem),
                                                           "CONVGEN_" + upperIdentifier(stem))},
                                   {"c_declarations", c_declarations},
                                   {"pool_info", pools.empty() ? "" : poolInfoStruct()},
                                   {"pool_macro", pools.empty() ? "" : poolMacro(model, stem, pool_list)}});
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
  if (plan.view) return renderConvTranspose(model, plan);  // conv_transpose2d
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
  const Tuning* tuning = options.plan.tuning;
  out.pool_plans = planPools(model, options.plan);
  out.layer_lines.resize(out.plans.size());
  out.pool_lines.resize(out.pool_plans.size());
  const std::vector<std::string> names = outputFileNames(stem, options.shards);
  // A config with baked weights is a network: one more entry point.
  const std::optional<detail::NetworkModel> network = detail::networkModel(model);
  std::optional<detail::NetworkEmission> network_text;
  if (network) {
    network_text = detail::networkEmission(model, *network);
    network_text->steps_macro = macroBase(model, stem) + "_NETWORK_STEPS";
    out.arena_bytes = network->plan.arena.bytes;
    out.arena_lower_bound = network->plan.arena.lower_bound;
  }
  out.files.push_back({names[0], header(model, tuning, stem, out.plans, out.pool_plans,
                                        network_text ? &*network_text : nullptr)});
  // Shards hold contiguous runs of nodes, in config order.
  const std::vector<NodeRef> order = modelOrder(model);
  std::size_t convs = 0, pools = 0;
  for (const NodeRef& node : order) {
    const bool pool = node.kind == NodeRef::Kind::Pool;
    CONVGEN_CHECK(node.index < (pool ? model.pools.size() : model.layers.size()),
                  "ModelSpec::order names a layer the model lacks");
    ++(pool ? pools : convs);
  }
  CONVGEN_CHECK(convs == model.layers.size() && pools == model.pools.size(),
                "ModelSpec::order lists every layer once");
  // Each node's code first, then contiguous runs of about equal size (in
  // lines): a shard's compile time grows with its code, and the layers of
  // a config differ in size by 100x (the matrix's extremes, baked weights'
  // unrolled taps), so runs of equal layer count left one shard with over
  // half the code and the build waiting on it (seen: the baked matrix's
  // shard 3 at 59k lines, the other three about 27k each).
  struct NodeCode {
    std::string text;
    std::int64_t lines = 0;
  };
  std::vector<NodeCode> codes;
  for (const NodeRef& node : order) {
    NodeCode code;
    if (node.kind == NodeRef::Kind::Pool) {
      code.text = renderPool(model, out.pool_plans[node.index]);
    } else {
      const KernelPlan& plan = out.plans[node.index];
      // backward: only: the gradients alone (emit_backward.cpp)
      code.text = plan.layer.backward_only ? renderBackward(model, plan) + "\n" : renderPlan(model, plan);
    }
    code.text.pop_back();
    if (node.kind == NodeRef::Kind::Conv && out.plans[node.index].layer.backward &&
        !out.plans[node.index].layer.backward_only && !out.plans[node.index].view)
      code.text += renderBackward(model, out.plans[node.index]);
    code.lines = std::count(code.text.begin(), code.text.end(), '\n') + 1;
    (node.kind == NodeRef::Kind::Pool ? out.pool_lines : out.layer_lines)[node.index] = code.lines;
    codes.push_back(std::move(code));
  }
  std::int64_t total_lines = 0;
  for (const NodeCode& code : codes) total_lines += code.lines;
  const std::size_t count = order.size();
  std::size_t begin = 0;
  std::int64_t done_lines = 0;  // lines of nodes [0, begin)
  for (int k = 0; k < options.shards; ++k) {
    // The boundary nearest this shard's share of the lines.
    std::size_t end = begin;
    if (k + 1 == options.shards) {
      end = count;
    } else {
      const std::int64_t target = total_lines * (k + 1) / options.shards;
      while (end < count && done_lines + codes[end].lines / 2 < target) done_lines += codes[end++].lines;
    }
    std::string layers;
    std::vector<KernelPlan> shard_plans;
    std::vector<Isa> isas;
    bool max_pool = false;
    std::vector<Isa> pool_isas;
    for (std::size_t i = begin; i < end; ++i) {
      const NodeRef node = order[i];
      if (node.kind == NodeRef::Kind::Pool) {
        const PoolPlan& pool = out.pool_plans[node.index];
        max_pool = max_pool || pool.pool.op == Op::MaxPool2d;
        pool_isas.push_back(pool.isa);
        if (pool.lanes) isas.push_back(pool.isa);  // vector code: its ISA's prologue
      } else {
        const KernelPlan& plan = out.plans[node.index];
        shard_plans.push_back(plan);
        isas.push_back(plan.isa);
      }
      layers += codes[i].text;
    }
    begin = end;
    if (k == 0 && network_text) layers += "\n\n" + detail::renderNetworkDefinition(*network_text) + "\n";
    std::string includes = isaPrologue(isas);
    // -infinity, the value of a max pool's window with no tap in the input.
    if (max_pool) includes += (includes.empty() ? "" : "\n") + std::string("#include <limits>");
    std::string file = renderTemplate("shard", {{"banner", banner(model, tuning, shard_plans, pool_isas)},
                                                {"header", names[0]},
                                                {"includes", includes},
                                                {"layers", layers}});
    out.files.push_back({names[1 + k], std::move(file)});
  }
  // Baked weights (only with `weights:`): files of their own, not formatted
  // (already in the format's layout; formatting big arrays is slow).
  std::vector<GeneratedFile> weights = emitBakedWeights(
      model, out.plans, names[0], banner(model, tuning, out.plans), options.weights_shards);
  const std::size_t formatted = out.files.size();
  for (GeneratedFile& f : weights) out.files.push_back(std::move(f));
  // Named like the header guard, so two configs' headers never share it.
  // Before formatting: the fingerprint hashes the unformatted text, so
  // --no-format gives the same value (fingerprint.h).
  addFingerprint(out.files, macroBase(model, stem) + "_FINGERPRINT");
  if (options.format)
    for (std::size_t i = 0; i < formatted; ++i)
      out.files[i].content = formatGeneratedCode(out.files[i].content, out.files[i].name);
  return out;
}

GeneratedModel generateModel(const ModelSpec& model, const GenerateOptions& options) {
  return generateModel(model, planModel(model, options.plan), options);
}

}  // namespace convgen
