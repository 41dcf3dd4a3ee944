// Internal to generator/src: the config side of baked weights. Reading
// (yaml_weights.cpp): numbers and `batch_norm:`'s mapping. Validation
// (validate_weights.cpp): the weights file, each layer's tensors, BatchNorm
// folding (batch_norm.cpp), all reported at the YAML key that asked.
#pragma once

#include <optional>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/safetensors.h"
#include "yaml_walker.h"

namespace convgen::detail {

// `batch_norm:`'s mapping, every value read to its end.
void readBatchNorm(YamlWalker& w, const Value& v, RawBatchNorm& out);

// The config's weights file, read once (nullopt: no `weights:`, or it
// failed, which is diagnosed and makes `failed` true).
struct WeightsSource {
  std::optional<SafeTensorsFile> file;
  bool failed = false;
};
WeightsSource loadWeights(const RawConfig& raw, Diagnostics& diags);

// One validated layer's weights: looks up, checks and folds its tensors
// into spec.baked (and sets spec.bias when BatchNorm adds one). Returns
// false after diagnosing. With no `weights:` only diagnoses the weights
// keys that need one.
bool bakeLayer(const WeightsSource& source, const RawConfig& raw, const RawLayer& layer,
               LayerSpec& spec, Diagnostics& diags);

// BatchNorm2d in eval mode folded into a conv's weights and bias, in
// double (docs/semantics.md section 11). `bias` empty: the conv has none.
struct BatchNormValues {
  std::vector<double> weight, bias, running_mean, running_var;
  double eps = 1e-5;
};
void foldBatchNorm(const BatchNormValues& bn, std::int64_t out_channels, std::vector<float>& weight,
                   std::vector<float>& bias);

}  // namespace convgen::detail
