// Emission of baked weights (baked_weights.h): the weights files, and the
// few lines each baked layer adds to its header block and its .cpp. Values
// are C++17 hexadecimal float literals (printf's %a of the exact float), so
// every weight round-trips bit for bit whatever the compiler's decimal
// conversion, and the text is deterministic. Layers are assigned to files in
// config order, a new file starting when the next layer would take the
// current one past kMaxBakedValuesPerFile; or, with a fixed number of
// files, in contiguous runs balanced by size.
#include <cstdio>

#include "convgen/baked_weights.h"
#include "convgen/internal_error.h"
#include "emit_code.h"

namespace convgen {
namespace {

using detail::cName;
using detail::str;

std::string hexFloat(float v) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%af", static_cast<double>(v));
  CONVGEN_CHECK(n > 0 && n < static_cast<int>(sizeof buf), "a float literal that does not fit");
  return buf;
}

std::string weightsFileName(const ModelSpec& model, std::size_t k) {
  return configStem(model.config_name) + "_weights_" + std::to_string(k) + ".cpp";
}

// The weights file index of each layer (every layer is baked), and the
// number of files.
std::vector<std::size_t> fileOfLayer(const std::vector<KernelPlan>& plans, int shards,
                                     std::size_t* count) {
  std::vector<std::size_t> file;
  if (shards > 0) {  // contiguous runs balanced by size
    std::int64_t total = 0, before = 0;
    for (const KernelPlan& p : plans) total += p.packedWeightSize();
    for (const KernelPlan& p : plans) {
      // By the layer's middle value: a big layer lands in the file around it.
      const std::int64_t middle = before + p.packedWeightSize() / 2;
      file.push_back(total == 0 ? 0 : static_cast<std::size_t>(middle * shards / total));
      before += p.packedWeightSize();
    }
    *count = static_cast<std::size_t>(shards);
    return file;
  }
  std::size_t current = 0;
  std::int64_t used = 0;
  for (const KernelPlan& p : plans) {
    const std::int64_t size = p.packedWeightSize();
    if (used > 0 && used + size > kMaxBakedValuesPerFile) ++current, used = 0;
    used += size;
    file.push_back(current);
  }
  *count = plans.empty() ? 0 : current + 1;
  return file;
}

// Text from the config or the weights file (tensor and file names) as it
// may stand in a // comment: printable ASCII without '\\' (which would
// continue the comment onto the next line); anything else becomes '_'.
std::string commentSafe(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (c < 0x20 || c > 0x7e || c == '\\') c = '_';
  return out;
}

std::string source(const ModelSpec& model) {
  return commentSafe(model.weights_file) + " (SHA-256 " + model.weights_sha256 + ")";
}

}  // namespace

std::vector<BakedLayer> bakedLayers(const ModelSpec& model, const std::vector<KernelPlan>& plans,
                                    int weights_shards) {
  std::vector<BakedLayer> out;
  if (model.weights_file.empty()) return out;
  std::size_t count = 0;
  const std::vector<std::size_t> files = fileOfLayer(plans, weights_shards, &count);
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const LayerSpec& l = plans[i].layer;
    CONVGEN_CHECK(l.baked != nullptr, "a layer without baked weights in a model with weights");
    out.push_back({l.name, model.cpp_namespace + "::" + l.name + "::forward",
                   cName(model, l, "forward_baked"), weightsFileName(model, files[i]),
                   plans[i].packedWeightSize() * static_cast<std::int64_t>(sizeof(float))});
  }
  return out;
}

std::vector<GeneratedFile> emitBakedWeights(const ModelSpec& model,
                                            const std::vector<KernelPlan>& plans,
                                            const std::string& header_name,
                                            const std::string& banner, int weights_shards) {
  std::vector<GeneratedFile> out;
  if (model.weights_file.empty()) return out;
  std::size_t count = 0;
  const std::vector<std::size_t> files = fileOfLayer(plans, weights_shards, &count);
  for (std::size_t k = 0; k < count; ++k)
    out.push_back({weightsFileName(model, k),
                   banner + "\n#include \"" + header_name + "\"\n\n// Baked weights from " +
                       source(model) +
                       ", each layer's in the layout its forward_packed() reads (what "
                       "pack_weights() writes), BatchNorm folded in.\n"});
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const KernelPlan& p = plans[i];
    const std::vector<float> packed = packBakedWeights(p);
    std::string text = "\n// " + p.layer.name + ": " + commentSafe(p.layer.baked->origin) +
                       "\nnamespace " +
                       model.cpp_namespace + "::" + p.layer.name +
                       " {\nalignas(64) extern const float baked_weights[" + str(packed.size()) +
                       "];\nalignas(64) const float baked_weights[" + str(packed.size()) +
                       "] = {\n";
    for (std::size_t j = 0; j < packed.size(); ++j) {
      if (j % 6 == 0) text += "    ";
      text += hexFloat(packed[j]);
      text += j + 1 == packed.size() ? "};\n" : j % 6 == 5 ? ",\n" : ", ";
    }
    text += "}  // namespace " + model.cpp_namespace + "::" + p.layer.name + "\n";
    out[files[i]].content += text;
  }
  return out;
}

// A layer with a fused residual takes it between input and output, as its
// other entry points do after their weights.
static std::string residualParam(const KernelPlan& p) {
  return p.layer.epilogue.hasResidual() ? "const float* residual, " : "";
}

std::string bakedDeclaration(const ModelSpec& model, const KernelPlan& p) {
  if (!p.layer.baked) return "";
  const std::string res = p.layer.epilogue.hasResidual() ? "residual, " : "";
  return "\n// Baked weights: " + commentSafe(p.layer.baked->origin) + " from " + source(model) +
         ".\n// forward(input, " + res + "output) is forward_packed() on them; packed_weights() "
         "points at them\n// (packed_weight_size values, for forward_packed_partition()).\n"
         "void forward(const float* input, " + residualParam(p) + "float* output) noexcept;\n"
         "const float* packed_weights() noexcept;\n";
}

std::string bakedCDeclaration(const ModelSpec& model, const KernelPlan& p) {
  if (!p.layer.baked) return "";
  return "\nvoid " + cName(model, p.layer, "forward_baked") + "(const float* input, " +
         residualParam(p) + "float* output);\nconst float* " +
         cName(model, p.layer, "packed_weights") + "(void);";
}

namespace detail {
// The lines a baked layer adds to its .cpp (after its other entry points).
std::string bakedLayerCode(const ModelSpec& model, const KernelPlan& p) {
  if (!p.layer.baked) return "";
  const std::string ns = model.cpp_namespace + "::" + p.layer.name;
  const std::string size = str(p.packedWeightSize());
  const std::string res = p.layer.epilogue.hasResidual() ? "residual, " : "";
  return "\n\nnamespace " + ns +
         " {\n// Baked weights, packed (in a NAME_weights_<k>.cpp).\nalignas(64) extern const "
         "float baked_weights[" + size +
         "];\n\nvoid forward(const float* input, " + residualParam(p) + "float* output) noexcept {\n"
         "  forward_packed(input, baked_weights, " + res + "output);\n}\n\n"
         "const float* packed_weights() noexcept { return baked_weights; }\n}  // namespace " +
         ns + "\n\nextern \"C\" void " + cName(model, p.layer, "forward_baked") +
         "(const float* input, " + residualParam(p) + "float* output) {\n  " + ns +
         "::forward(input, " + res + "output);\n}\n\nextern \"C\" const float* " +
         cName(model, p.layer, "packed_weights") + "(void) {\n  return " + ns +
         "::packed_weights();\n}";
}
}  // namespace detail

}  // namespace convgen
