// What a network costs on the device: flash (baked weights, and code when a
// compiler measured it) and RAM (the arena), per layer and in total, and the
// --flash-budget / --ram-budget checks that make generation fail.
#include <algorithm>

#include "convgen/baked_weights.h"
#include "convgen/report.h"
#include "llvm/ADT/Twine.h"

namespace convgen {
namespace {

struct Contributor {
  std::string layer;
  std::int64_t bytes = 0;
};

// Per conv layer: weights, plus code when measured (layer_bytes is per conv
// layer in config order, as plans are).
std::vector<Contributor> flashByLayer(const ModelSpec& model, const GeneratedModel& generated,
                                      const ObjectSizes* sizes) {
  std::vector<Contributor> out;
  const std::vector<BakedLayer> baked = bakedLayers(model, generated.plans);
  for (std::size_t i = 0; i < generated.plans.size(); ++i) {
    Contributor c{generated.plans[i].layer.name, 0};
    if (i < baked.size()) c.bytes += baked[i].weight_bytes;
    if (sizes && i < sizes->layer_bytes.size()) c.bytes += sizes->layer_bytes[i];
    out.push_back(c);
  }
  return out;
}

std::string biggest(std::vector<Contributor> cs) {
  std::stable_sort(cs.begin(), cs.end(),
                   [](const Contributor& a, const Contributor& b) { return a.bytes > b.bytes; });
  std::string s;
  for (std::size_t i = 0; i < cs.size() && i < 3; ++i)
    s += (i ? ", " : "") + cs[i].layer + " " + std::to_string(cs[i].bytes) + " B";
  return s;
}

}  // namespace

void printNetworkReport(const ModelSpec& model, const GeneratedModel& generated,
                        const ObjectSizes* sizes, llvm::raw_ostream& os) {
  if (generated.arena_bytes < 0) return;
  const std::vector<BakedLayer> baked = bakedLayers(model, generated.plans);
  std::int64_t weights = 0, code = 0;
  os << "network " << model.cpp_namespace << "::forward:\n";
  for (std::size_t i = 0; i < baked.size(); ++i) {
    os << "  " << baked[i].layer << ": " << baked[i].weight_bytes << " weight bytes";
    if (sizes && i < sizes->layer_bytes.size()) {
      os << ", " << sizes->layer_bytes[i] << " code bytes";
      code += sizes->layer_bytes[i];
    }
    os << "\n";
    weights += baked[i].weight_bytes;
  }
  os << "  flash: " << weights << " weight bytes"
     << (sizes ? " + " + std::to_string(code) + " code bytes of the conv layers"
               : std::string(" (code bytes: --report-compiler)"))
     << "\n  arena: " << generated.arena_bytes << " bytes (lower bound, the most live at once: "
     << generated.arena_lower_bound << ")\n";
}

std::string checkBudgets(const ModelSpec& model, const GeneratedModel& generated,
                         const ObjectSizes* sizes, std::int64_t flash_budget,
                         std::int64_t ram_budget) {
  if (ram_budget >= 0) {
    if (generated.arena_bytes < 0)
      return "--ram-budget needs a network (a config with 'weights:'): its arena is the RAM";
    if (generated.arena_bytes > ram_budget)
      return "the network's arena needs " + std::to_string(generated.arena_bytes) +
             " bytes, over --ram-budget " + std::to_string(ram_budget) +
             " (no smaller arena exists below " + std::to_string(generated.arena_lower_bound) +
             " bytes)";
  }
  if (flash_budget >= 0) {
    const std::vector<Contributor> cs = flashByLayer(model, generated, sizes);
    std::int64_t total = 0;
    for (const Contributor& c : cs) total += c.bytes;
    if (total > flash_budget)
      return std::string(sizes ? "weights and code" : "the baked weights") + " need " +
             std::to_string(total) + " bytes of flash, over --flash-budget " +
             std::to_string(flash_budget) + "; the biggest: " + biggest(cs);
  }
  return "";
}

}  // namespace convgen
