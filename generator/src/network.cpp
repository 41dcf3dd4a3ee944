#include "convgen/network.h"

#include "convgen/internal_error.h"
#include "convgen/shapes.h"

namespace convgen {

NetworkPlan planNetwork(const std::vector<NetworkNode>& nodes) {
  CONVGEN_CHECK(!nodes.empty(), "a network without layers");
  const std::size_t last = nodes.size() - 1;
  NetworkPlan plan;
  // Tensor k holds node k's output for every node but the last.
  std::vector<std::optional<std::size_t>> tensor_of(nodes.size());
  for (std::size_t i = 0; i < last; ++i) {
    const std::int64_t bytes = elementCount(nodes[i].output_shape) * nodes[i].element_bytes;
    tensor_of[i] = plan.tensors.size();
    plan.tensors.push_back({bytes, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i)});
    plan.tensor_node.push_back(i);
  }
  auto read = [&](std::optional<std::size_t> producer, std::size_t step) {
    if (!producer) return TensorRef{TensorRef::Kind::NetworkInput, 0};
    CONVGEN_CHECK(*producer < step, "a network step reads a later layer's output");
    const std::size_t t = *tensor_of[*producer];
    ArenaTensor& tensor = plan.tensors[t];
    tensor.last = std::max(tensor.last, static_cast<std::int64_t>(step));
    return TensorRef{TensorRef::Kind::Arena, t};
  };
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    NetworkStep step;
    step.node = i;
    step.input = read(nodes[i].input, i);
    if (nodes[i].residual) step.residual = read(nodes[i].residual, i);
    step.output = i == last ? TensorRef{TensorRef::Kind::NetworkOutput, 0}
                            : TensorRef{TensorRef::Kind::Arena, *tensor_of[i]};
    plan.steps.push_back(step);
  }
  for (const ArenaTensor& t : plan.tensors)
    CONVGEN_CHECK(t.last > t.first, "a network layer whose output nothing reads");
  plan.arena = planArena(plan.tensors);
  return plan;
}

}  // namespace convgen
