// A validated network config (`weights:`) as network.h's nodes, and the
// text emit.cpp adds for its entry point.
#include "network_model.h"

#include <map>

#include "convgen/internal_error.h"
#include "convgen/shapes.h"
#include "emit_code.h"

namespace convgen::detail {

std::optional<NetworkModel> networkModel(const ModelSpec& model) {
  // Baked layers without connections (`network: false`) are no network.
  if (model.weights_file.empty() || model.inputs.empty()) return std::nullopt;
  const std::vector<NodeRef> order = modelOrder(model);
  CONVGEN_CHECK(model.inputs.size() == order.size(), "a network's inputs, one per layer");
  NetworkModel net;
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < order.size(); ++i) {
    NetworkNode node;
    std::vector<std::int64_t> first_input;
    if (order[i].kind == NodeRef::Kind::Pool) {
      const PoolSpec& p = model.pools[order[i].index];
      node.name = p.name;
      node.output_shape = {p.channels, p.out_height, p.out_width};
      first_input = {p.channels, p.in_height, p.in_width};
      if (p.batched) {
        node.output_shape.insert(node.output_shape.begin(), p.batch);
        first_input.insert(first_input.begin(), p.batch);
      }
    } else {
      const LayerSpec& l = model.layers[order[i].index];
      const LayerShapes shapes = inferShapes(l);
      node.name = l.name;
      node.output_shape = shapes.output;
      // nn.Linear's output is [N, out_features] (docs/semantics.md section 13).
      if (l.source_op == Op::Linear) node.output_shape = {l.batch, l.out_channels};
      first_input = shapes.input;
      if (l.epilogue.hasResidual()) {
        CONVGEN_CHECK(index_of.count(l.epilogue.residual), "a residual names an earlier layer");
        node.residual = index_of.at(l.epilogue.residual);
      }
    }
    if (!model.inputs[i].empty()) {
      CONVGEN_CHECK(index_of.count(model.inputs[i]), "an input names an earlier layer");
      node.input = index_of.at(model.inputs[i]);
    } else if (i == 0) {
      net.input_shape = first_input;
    }
    index_of[node.name] = i;
    net.nodes.push_back(std::move(node));
  }
  net.output_shape = net.nodes.back().output_shape;
  net.plan = planNetwork(net.nodes);
  return net;
}

NetworkEmission networkEmission(const ModelSpec& model, const NetworkModel& net) {
  const std::string c_name = cPrefix(model) + "_forward";
  NetworkEmission e;
  e.plan = &net.plan;
  for (const NetworkNode& node : net.nodes) e.layers.push_back({node.name});
  e.input_shape = net.input_shape;
  e.output_shape = net.output_shape;
  e.value_type = "float";
  e.cpp_namespace = model.cpp_namespace;
  e.c_name = c_name;
  return e;
}

}  // namespace convgen::detail
