// Baked weights (`weights:` in a config): each layer's trained tensors,
// BatchNorm folded in, emitted as `alignas(64) static const` data already in
// the layout its forward_packed() reads, in translation units of their own
// (NAME_weights_<k>.cpp), with a `forward(input, output)` per layer that
// runs the packed path on them. See docs/design.md "Baked weights".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/emit.h"
#include "convgen/plan.h"
#include "convgen/spec.h"

namespace convgen {

// Values per weights file: a layer is never split, so a file holds whole
// layers up to this many values (more only for one layer larger alone).
// With a fixed number of files (--weights-shards K, CMake's WEIGHTS_SHARDS:
// names known before generating), layers are dealt out in contiguous runs
// balanced by size instead; a file may then be empty.
inline constexpr std::int64_t kMaxBakedValuesPerFile = std::int64_t{1} << 18;

// plan.layer.baked packed exactly as the emitted pack_weights() packs it
// (bake_pack.cpp): packedWeightSize() values. Precondition: baked is set.
std::vector<float> packBakedWeights(const KernelPlan& plan);

// What the network emitter needs of one baked layer.
struct BakedLayer {
  std::string layer;         // the layer's name
  std::string cpp_function;  // "ns::layer::forward" (the (input, output) overload)
  std::string c_function;    // "ns_layer_forward_baked"
  std::string file;          // the NAME_weights_<k>.cpp that holds its data
  std::int64_t weight_bytes = 0;  // flash: its packed weights
};
// One per layer of a model whose config has `weights:`; empty otherwise.
// `weights_shards` as GenerateOptions'.
std::vector<BakedLayer> bakedLayers(const ModelSpec& model, const std::vector<KernelPlan>& plans,
                                    int weights_shards = 0);

// The weights files of a model with `weights:` (none otherwise), unformatted.
std::vector<GeneratedFile> emitBakedWeights(const ModelSpec& model,
                                            const std::vector<KernelPlan>& plans,
                                            const std::string& header_name,
                                            const std::string& banner, int weights_shards = 0);
// The header's declarations for one baked layer (inside its namespace), and
// its extern "C" prototypes; "" for a layer without baked weights.
std::string bakedDeclaration(const ModelSpec& model, const KernelPlan& plan);
std::string bakedCDeclaration(const ModelSpec& model, const KernelPlan& plan);

}  // namespace convgen
