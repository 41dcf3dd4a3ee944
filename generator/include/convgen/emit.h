// Emission: validated model + plans -> the text of every generated file.
// Nothing is written here (see output.h): a caller gets all files or, on an
// error, none.
#pragma once

#include <string>
#include <vector>

#include "convgen/plan.h"
#include "convgen/pool_plan.h"
#include "convgen/spec.h"

namespace convgen {

struct GeneratedFile {
  std::string name;  // file name, no directories
  std::string content;
};

struct GenerateOptions {
  PlanOptions plan;
  int shards = 1;  // how many .cpp files the layers are spread over
  bool format = true;  // through libFormat with templates/clang-format.yaml
  // Baked weights (`weights:`): exactly this many NAME_weights_<k>.cpp, or
  // 0 for as many as kMaxBakedValuesPerFile needs (baked_weights.h).
  int weights_shards = 0;
};

// Output file names for config file stem `stem` (NAME of NAME.yaml): NAME.h,
// then NAME.cpp for one shard or NAME_0.cpp ... NAME_<k-1>.cpp.
std::vector<std::string> outputFileNames(const std::string& stem, int shards);

// The stem of a config file name ("net.yaml" -> "net"), or "" when it cannot
// name files: only [A-Za-z0-9_-], starting with a letter or digit.
std::string configStem(const std::string& config_name);

struct GeneratedModel {
  std::vector<GeneratedFile> files;
  std::vector<KernelPlan> plans;  // one per layer, in config order
  std::vector<std::int64_t> layer_lines;  // lines of each layer's kernel, before formatting
  std::vector<PoolPlan> pool_plans;       // one per ModelSpec::pools entry
  std::vector<std::int64_t> pool_lines;   // the same for each pooling layer
  // A network's (a config with `weights:`; network.h): its arena's bytes and
  // the most bytes live at once. -1 for any other config.
  std::int64_t arena_bytes = -1, arena_lower_bound = -1;
};

// Precondition: `model` passed validation and configStem(model.config_name)
// is non-empty; `plans` are planModel(model, ...)'s, one per layer.
GeneratedModel generateModel(const ModelSpec& model, std::vector<KernelPlan> plans,
                             const GenerateOptions& options);
// The same with the plans of planModel(model, options.plan).
GeneratedModel generateModel(const ModelSpec& model, const GenerateOptions& options);

}  // namespace convgen
