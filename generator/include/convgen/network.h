// A network: the layers of a config with baked weights, run in config order
// by one generated entry point, `forward(input, output, arena)`. This stage
// turns the layers' connections (each layer's `input:` and `residual:`) into
// steps over tensors, and places every intermediate tensor in one arena
// (arena.h). The network's input and output are the caller's buffers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convgen/arena.h"

namespace convgen {

// One layer as the network sees it, in config order.
struct NetworkNode {
  std::string name;                  // the layer's name (its namespace)
  std::optional<std::size_t> input;  // the node whose output it reads; nullopt: the network input
  std::optional<std::size_t> residual;  // the node whose output its epilogue adds
  std::vector<std::int64_t> output_shape;
  std::int64_t element_bytes = 4;
};

// Where a step reads or writes.
struct TensorRef {
  enum class Kind { NetworkInput, NetworkOutput, Arena };
  Kind kind = Kind::Arena;
  std::size_t tensor = 0;  // index into NetworkPlan::tensors (Arena only)
  friend bool operator==(const TensorRef& a, const TensorRef& b) {
    return a.kind == b.kind && (a.kind != Kind::Arena || a.tensor == b.tensor);
  }
};

struct NetworkStep {
  std::size_t node = 0;  // index into the nodes planNetwork was given
  TensorRef input, output;
  std::optional<TensorRef> residual;
};

struct NetworkPlan {
  std::vector<NetworkStep> steps;    // one per node, in order
  std::vector<ArenaTensor> tensors;  // every node's output but the last's
  std::vector<std::size_t> tensor_node;  // the node that writes each tensor
  ArenaPlan arena;
};

// Preconditions (what validation guarantees): `nodes` is non-empty; every
// input/residual names an earlier node; every node's output but the last's
// is read by some later node. The last node's output is the network's.
NetworkPlan planNetwork(const std::vector<NetworkNode>& nodes);

}  // namespace convgen
