// A network's connections: which earlier layer each layer reads (`input:`,
// default the previous layer), the input shape that follows from it, and
// the rules that only the whole network can break. A config is a network
// when it has `weights:` (its weights are baked, so one entry point can run
// every layer); without it, layers stay independent and `input:` is an error.
#include "convgen/shapes.h"
#include "validate_layer.h"

namespace convgen::detail {
namespace {

// The names a network declares in the config's namespace beside the layers'.
constexpr const char* kNetworkNames[] = {"forward", "input_shape", "output_shape", "arena_bytes",
                                         "arena_lower_bound"};

}  // namespace

std::optional<std::size_t> producerOf(const std::vector<RawLayer>& raw_layers, std::size_t index,
                                      bool network, Diagnostics& diags, bool* ok) {
  const RawLayer& layer = raw_layers[index];
  const Located<std::string>& in = layer.input;
  if (!in.present) return index == 0 ? std::nullopt : std::optional<std::size_t>(index - 1);
  if (!in.usable()) {
    *ok = false;
    return std::nullopt;
  }
  const std::string quoted = "'" + excerpt(in.value) + "'";
  if (!network) {
    diags.error(in.loc, "'input' connects the layers of a network, which needs a top-level "
                        "'weights' file; without it each layer has its own input_shape");
    *ok = false;
    return std::nullopt;
  }
  if (layer.name.usable() && in.value == layer.name.value) {
    diags.error(in.loc, "input " + quoted + " is this layer itself: a layer reads an earlier "
                                            "layer's output");
    *ok = false;
    return std::nullopt;
  }
  for (std::size_t i = index; i-- > 0;)
    if (raw_layers[i].name.usable() && raw_layers[i].name.value == in.value) return i;
  for (std::size_t i = index + 1; i < raw_layers.size(); ++i)
    if (raw_layers[i].name.usable() && raw_layers[i].name.value == in.value) {
      diags.error(in.loc, "input " + quoted + " comes after this layer: layers run in config "
                                              "order, so a layer reads an earlier one");
      *ok = false;
      return std::nullopt;
    }
  diags.error(in.loc, "input " + quoted + " is not a layer of this config");
  *ok = false;
  return std::nullopt;
}

std::optional<RawLayer> withInputShape(const std::vector<RawLayer>& raw_layers, std::size_t index,
                                       std::optional<std::size_t> producer,
                                       const NodeOutputs& outputs, bool network,
                                       Diagnostics& diags) {
  RawLayer layer = raw_layers[index];
  const bool derived = network && producer.has_value();
  if (!derived) {
    if (!layer.input_shape.present) {
      diags.error(layer.loc, network ? "missing required key 'input_shape' (the network's first "
                                       "layer, or one reading the network input, needs it)"
                                     : "missing required key 'input_shape'");
      return std::nullopt;
    }
    return layer;
  }
  const std::optional<NodeOutput>& from = outputs[*producer];
  if (!from) return std::nullopt;  // the producer is invalid, and diagnosed
  if (layer.input_shape.present) {
    if (layer.input_shape.usable() && layer.input_shape.values != from->shape) {
      diags.error(layer.input_shape.loc,
                  "input_shape " + listText(layer.input_shape.values) + " is not the shape of its " +
                      "input, layer '" + excerpt(from->name) + "', which outputs " +
                      listText(from->shape));
      return std::nullopt;
    }
    return layer;
  }
  layer.input_shape.values = from->shape;
  layer.input_shape.is_list = true;
  layer.input_shape.loc = layer.input.present ? layer.input.loc : layer.loc;
  layer.input_shape.present = layer.input_shape.ok = true;
  return layer;
}

bool validateNetwork(const std::vector<RawLayer>& raw_layers, const ModelSpec& model,
                     Diagnostics& diags) {
  bool ok = true;
  const std::size_t n = raw_layers.size();
  std::vector<bool> read(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const RawLayer& l = raw_layers[i];
    if (!l.input.present && i > 0) read[i - 1] = true;
    for (const Located<std::string>* ref : {&l.input, &l.residual})
      if (ref->usable())
        for (std::size_t j = 0; j < i; ++j)
          if (raw_layers[j].name.usable() && raw_layers[j].name.value == ref->value) read[j] = true;
  }
  for (std::size_t i = 0; i + 1 < n; ++i)
    if (!read[i] && raw_layers[i].name.usable()) {
      diags.error(raw_layers[i].loc,
                  "layer '" + excerpt(raw_layers[i].name.value) +
                      "' is read by no later layer ('input' or 'residual') and is not the "
                      "network's output (its last layer)");
      ok = false;
    }
  for (const RawLayer& l : raw_layers) {
    if (!l.name.usable()) continue;
    for (const char* reserved : kNetworkNames)
      if (l.name.value == reserved) {
        diags.error(l.name.loc, "layer name '" + l.name.value + "' is the network's own '" +
                                    reserved + "' in namespace " + model.cpp_namespace +
                                    ": rename the layer");
        ok = false;
      }
  }
  auto float32 = [&](DType t, const std::string& name, llvm::SMLoc loc) {
    if (t == DType::Float32) return;
    diags.error(loc, "layer '" + excerpt(name) + "' is " + std::string(toString(t)) +
                         ": a network's layers are float32, as its baked weights are");
    ok = false;
  };
  for (std::size_t i = 0; i < model.pools.size(); ++i)
    for (const RawLayer& l : raw_layers)
      if (l.name.usable() && l.name.value == model.pools[i].name)
        float32(model.pools[i].dtype, l.name.value, l.dtype.present ? l.dtype.loc : l.loc);
  return ok;
}

}  // namespace convgen::detail
