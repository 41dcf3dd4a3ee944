// Internal to emission: a network config's nodes, arena plan and entry
// point text (network_model.cpp, emit_network.cpp).
#pragma once

#include <optional>
#include <string>

#include "convgen/network.h"
#include "convgen/spec.h"
#include "emit_network.h"

namespace convgen::detail {

struct NetworkModel {
  std::vector<NetworkNode> nodes;  // modelOrder(model)'s layers
  NetworkPlan plan;
  std::vector<std::int64_t> input_shape, output_shape;
};

// The network of a config with `weights:`; nullopt for any other.
std::optional<NetworkModel> networkModel(const ModelSpec& model);

// What emit_network.cpp renders; `net` must outlive it.
// Its C twin is `<namespace, '::' as '_'>_forward`.
NetworkEmission networkEmission(const ModelSpec& model, const NetworkModel& net);

}  // namespace convgen::detail
