// The scalar direct-convolution emitter.
//
// Each layer's output plane is split at generation time into an interior,
// where every tap of the window lies inside the input, and a border, where
// some tap reads padding. The interior is covered by register tiles of
// oc_tile output channels x ow_tile output columns whose window is
// straight-line code with constant offsets (functions named unrolled_*,
// which contain no loop). The border is a per-pixel path whose taps go
// through padding index maps computed here (reflect, replicate, circular) or
// a range test (zeros): no padded copy of the input is ever built.
#include "convgen/emit.h"

#include <algorithm>
#include <cassert>
#include <sstream>

#include "convgen/fingerprint.h"
#include "convgen/format.h"
#include "convgen/templates.h"
#include "layer_emitter.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

namespace convgen {
namespace {

using namespace detail;

// The targets of `plans`, for banners: "scalar", "avx2 + scalar", ...
std::string targets(const std::vector<KernelPlan>& plans) {
  std::vector<std::string> names;
  for (const KernelPlan& p : plans) {
    const std::string isa(toString(p.layer.isa));
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

std::string layerInfo(const KernelPlan& p) {
  const LayerSpec& l = p.layer;
  const LayerShapes& s = p.shapes;
  const std::vector<std::int64_t> v = {
      l.batch,      l.in_channels, l.in_height,  l.in_width, l.out_channels, s.out_height,
      s.out_width,  l.kernel.h,    l.kernel.w,   l.stride.h, l.stride.w,     l.dilation.h,
      l.dilation.w, l.pad.top,     l.pad.bottom, l.pad.left, l.pad.right,    l.groups};
  return "\"" + l.name + "\", " + (l.batched ? "true" : "false") + ", " + join(v, ", ") + ", " +
         (l.bias ? "true" : "false") + ", \"" + std::string(toString(l.padding_mode)) + "\", \"" +
         std::string(toString(l.dtype)) + "\", \"" + p.kernelName() + "\", " + str(s.macs);
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
         {"bias_note", l.bias ? "(out_channels) values" : "unused: pass nullptr (bias: false)"}});
    decl.pop_back();
    declarations += decl;
    std::string c_type = type.rfind("std::", 0) == 0 ? type.substr(5) : type;
    c_declarations += (c_declarations.empty() ? "" : "\n") + std::string("void ") +
                      cName(model, l) + "(const " + c_type + "* input, const " + c_type +
                      "* weight, const " + c_type + "* bias, " + c_type + "* output);";
    layer_list += (layer_list.empty() ? "" : " ") + std::string("X(") + l.name + ")";
  }
  return renderTemplate("header", {{"banner", banner(model, plans)},
                                   {"guard", "CONVGEN_GENERATED_" + upperIdentifier(stem) + "_H"},
                                   {"namespace", model.cpp_namespace},
                                   {"config", model.config_name},
                                   {"declarations", declarations},
                                   {"layer_macro", "CONVGEN_" + upperIdentifier(stem) + "_LAYERS"},
                                   {"layer_list", layer_list},
                                   {"c_declarations", c_declarations}});
}

// The ISA headers and target macros of one generated .cpp (the fixed text is
// templates/x86_prologue.in); configs do not mix x86 and Arm layers.
std::string simdPrologue(bool avx2, bool avx512, bool neon) {
  if (neon) return "#include <arm_neon.h>";
  if (!avx2 && !avx512) return "";
  std::string targets;
  if (avx2)
    targets += "#ifndef CONVGEN_TARGET_AVX2\n#define CONVGEN_TARGET_AVX2 "
               "__attribute__((target(\"avx2,fma\")))\n#endif";
  if (avx512)
    targets += std::string(avx2 ? "\n" : "") +
               "#ifndef CONVGEN_TARGET_AVX512\n#define CONVGEN_TARGET_AVX512 "
               "__attribute__((target(\"avx512f,avx2,fma\")))\n#endif";
  std::string text = renderTemplate("x86_prologue", {{"targets", targets}});
  text.pop_back();  // the template's last newline; the shard's line adds one
  return text;
}

}  // namespace

bool isIsaImplemented(Isa isa) {
  return isa == Isa::Scalar || isa == Isa::Avx2 || isa == Isa::Avx512 || isa == Isa::Neon;
}

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

GeneratedModel generateModel(const ModelSpec& model, const GenerateOptions& options) {
  const std::string stem = configStem(model.config_name);
  require(!stem.empty(), "generateModel needs a config name that can name files");
  require(options.shards >= 1, "shards must be positive");
  GeneratedModel out;
  for (const LayerSpec& layer : model.layers) {
    require(isIsaImplemented(layer.isa), "generateModel called with an unimplemented ISA");
    out.plans.push_back(planLayer(layer, options.plan));
  }
  const std::vector<std::string> names = outputFileNames(stem, options.shards);
  out.files.push_back({names[0], header(model, stem, out.plans)});
  // Contiguous runs of layers per shard, in config order.
  const std::size_t count = out.plans.size();
  for (int k = 0; k < options.shards; ++k) {
    std::string layers;
    const std::size_t begin = count * k / options.shards, end = count * (k + 1) / options.shards;
    const std::vector<KernelPlan> shard_plans(out.plans.begin() + begin, out.plans.begin() + end);
    bool avx2 = false, avx512 = false, neon = false;
    for (const KernelPlan& plan : shard_plans) {
      std::unique_ptr<LayerEmitter> emitter;
      if (plan.vec_lanes > 0) {
        emitter = makeSimdEmitter(model, plan);
        avx2 |= plan.layer.isa == Isa::Avx2;
        avx512 |= plan.layer.isa == Isa::Avx512;
        neon |= plan.layer.isa == Isa::Neon;
      } else {
        emitter = std::make_unique<LayerEmitter>(model, plan);
      }
      std::string text = emitter->render();
      text.pop_back();
      out.layer_lines.push_back(std::count(text.begin(), text.end(), '\n') + 1);
      layers += text;
    }
    std::string file = renderTemplate("shard", {{"banner", banner(model, shard_plans)},
                                                {"header", names[0]},
                                                {"includes", simdPrologue(avx2, avx512, neon)},
                                                {"layers", layers}});
    out.files.push_back({names[1 + k], std::move(file)});
  }
  addFingerprint(out.files, "CONVGEN_" + upperIdentifier(stem) + "_FINGERPRINT");
  if (options.format)
    for (GeneratedFile& f : out.files) f.content = formatGeneratedCode(f.content, f.name);
  return out;
}

}  // namespace convgen
