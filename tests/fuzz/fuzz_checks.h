// The promises both fuzz targets check after loading a config (see
// config_fuzzer.cpp): a broken one aborts with a message, which libFuzzer
// reports as a crash.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>

#include "convgen/config.h"
#include "convgen/diagnostics.h"
#include "convgen/shapes.h"
#include "convgen/spec.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace convgen_fuzz {

inline void require(bool ok, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "convgen fuzz target: broken promise: %s\n", what.c_str());
  std::abort();
}

inline void checkShapes(const convgen::LayerSpec& layer) {
  const convgen::LayerShapes s = convgen::inferShapes(layer);
  require(s.out_height >= 1 && s.out_width >= 1, "layer " + layer.name + ": empty output");
  for (const auto* shape : {&s.input, &s.output, &s.weight, &s.bias}) {
    for (std::int64_t d : *shape)
      require(d >= 1 && d <= convgen::kMaxDimension,
              "layer " + layer.name + ": dimension " + std::to_string(d) + " out of range");
    require(convgen::elementCount(*shape) <= convgen::kMaxTensorElements,
            "layer " + layer.name + ": tensor beyond kMaxTensorElements");
  }
  require(s.input.size() == (layer.batched ? 4u : 3u) && s.output.size() == s.input.size(),
          "layer " + layer.name + ": rank");
  require(s.macs >= 0 && s.macs < (std::int64_t{1} << 62), "layer " + layer.name + ": MACs");
}

inline void checkModel(const convgen::ModelSpec& model) {
  require(model.config_name == "fuzz.yaml", "config name is '" + model.config_name + "'");
  // Conv layers or pools (a pool-only config is a model too), each once in
  // config order.
  require(!model.layers.empty() || !model.pools.empty(), "a model without layers was accepted");
  require(model.order.size() == model.layers.size() + model.pools.size(),
          "ModelSpec::order does not list every layer once");
  llvm::StringRef ns(model.cpp_namespace);
  do {
    auto [part, rest] = ns.split("::");
    require(convgen::isSafeIdentifier(part, nullptr), "namespace part '" + part.str() + "'");
    ns = rest;
  } while (!ns.empty());
  std::set<std::string> names;
  for (const convgen::LayerSpec& layer : model.layers) {
    require(convgen::isSafeIdentifier(layer.name, nullptr), "layer name '" + layer.name + "'");
    require(names.insert(layer.name).second, "duplicate layer name '" + layer.name + "'");
    require(layer.groups >= 1 && layer.in_channels % layer.groups == 0 &&
                layer.out_channels % layer.groups == 0,
            "layer " + layer.name + ": groups");
    checkShapes(layer);
  }
  for (const convgen::PoolSpec& pool : model.pools) {
    require(convgen::isSafeIdentifier(pool.name, nullptr), "layer name '" + pool.name + "'");
    require(names.insert(pool.name).second, "duplicate layer name '" + pool.name + "'");
    require(pool.out_height >= 1 && pool.out_width >= 1, "pool " + pool.name + ": output size");
  }
}

// Loads `text` as config `fuzz.yaml` through the public API and checks
// every promise on the result.
inline void loadAndCheck(llvm::StringRef text) {
  llvm::SourceMgr sm;
  convgen::Diagnostics diags(sm);
  const unsigned id =
      sm.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(text, "fuzz.yaml"), llvm::SMLoc());
  const std::optional<convgen::ModelSpec> model = convgen::loadConfig(sm, id, diags);
  if (model) {
    require(!diags.hasErrors(), "a config with errors was accepted");
    checkModel(*model);
  } else {
    require(diags.hasErrors(), "a config was rejected without an error");
  }
  for (const std::string& line : diags.lines())
    require(llvm::StringRef(line).startswith("fuzz.yaml:") &&
                line.find('\n') == std::string::npos && line.find(": error: ") != std::string::npos,
            "diagnostic not one 'fuzz.yaml:L:C: error: ...' line: " + line);
  // The printer too (source line and caret).
  std::string printed;
  llvm::raw_string_ostream os(printed);
  diags.print(os, /*show_source=*/true);
}

}  // namespace convgen_fuzz
