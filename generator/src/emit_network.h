// Internal to emission: the network entry point's text (emit_network.cpp).
#pragma once

#include <string>
#include <vector>

#include "convgen/network.h"

namespace convgen::detail {

struct NetworkLayer {
  std::string ns;  // the layer's namespace within the config's
};

struct NetworkEmission {
  const NetworkPlan* plan = nullptr;
  std::vector<NetworkLayer> layers;  // per plan step's node
  std::vector<std::int64_t> input_shape, output_shape;
  std::string value_type;     // "float"
  std::string cpp_namespace;  // the config's
  std::string c_name;         // "<namespace with _>_forward"
  std::string steps_macro;    // the X-macro of the steps, for tests and tools
};

// Inside the config's namespace in the header.
std::string renderNetworkDeclarations(const NetworkEmission& net);
// In the header's extern "C" block.
std::string renderNetworkCDeclaration(const NetworkEmission& net);
// At file scope in a generated .cpp: the namespace, forward() and its C twin.
std::string renderNetworkDefinition(const NetworkEmission& net);

}  // namespace convgen::detail
