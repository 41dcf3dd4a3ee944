// Stage 2 of reading a config: every rule `convgen generate` depends on, so
// that `convgen check` applies them all. The model's rules are here (the
// config's file name, namespace, isa, unique layer names, totals); one
// layer's are LayerValidator's (validate_layer.h); names' are
// reserved_names.cpp's. Every rule whose inputs are usable runs, so one pass
// reports every problem.
#include "convgen/validate.h"

#include <limits>

#include "convgen/config.h"
#include "llvm/ADT/StringMap.h"
#include "convgen/shapes.h"
#include "llvm/Support/Path.h"
#include "validate_layer.h"
#include "validate_pool.h"
#include "weights_config.h"

namespace convgen {

std::optional<ModelSpec> validateConfig(const RawConfig& raw, Diagnostics& diags) {
  ModelSpec model;
  model.config_name = raw.config_name;
  // Whether everything is usable and valid; not the same as "no errors in
  // `diags`": stage 1 reports a missing or ill-typed value, not stage 2.
  bool ok = raw.cpp_namespace.usable() && !raw.layers.empty();
  // Generated files are named after the config's: a located rule, at the
  // file's start, so that `check` refuses what `generate` would.
  if (configFileStem(raw.config_name).empty()) {
    llvm::SMLoc file_start;
    if (const unsigned id =
            raw.loc.isValid() ? diags.sourceMgr().FindBufferContainingLoc(raw.loc) : 0)
      file_start =
          llvm::SMLoc::getFromPointer(diags.sourceMgr().getMemoryBuffer(id)->getBufferStart());
    diags.error(file_start, "config file name '" + excerpt(raw.config_name) +
                                "' cannot name generated files: use letters, digits, '_' and '-' "
                                "(starting with a letter or digit) before .yaml");
    ok = false;
  }
  if (raw.cpp_namespace.usable()) {
    std::string why;
    if (!isSafeNamespace(raw.cpp_namespace.value, &why)) {
      diags.error(raw.cpp_namespace.loc,
                  "namespace '" + excerpt(raw.cpp_namespace.value) + "' " + why);
      ok = false;
    }
    model.cpp_namespace = raw.cpp_namespace.value;
  }
  Isa default_isa = Isa::Scalar;
  if (raw.isa.usable()) {
    if (auto isa = detail::parseConfigIsa(raw.isa, diags))
      default_isa = *isa;
    else
      ok = false;
  } else if (raw.isa.present) {
    ok = false;
  }

  const detail::WeightsSource weights = detail::loadWeights(raw, diags);
  if (weights.failed) ok = false;
  if (weights.file) {
    model.weights_file = llvm::sys::path::filename(raw.weights.value).str();
    model.weights_sha256 = weights.file->sha256;
  }

  llvm::StringMap<llvm::SMLoc> names;
  std::int64_t total_macs = 0, total_params = 0;
  // A network (validate_network.cpp): a config whose weights are baked,
  // unless it says `network: false` (independent baked layers: the
  // conformance matrix, a library of kernels driven by the user's runtime).
  if (raw.network.usable() && raw.network.value && !raw.weights.present) {
    diags.error(raw.network.loc, "network: true needs a top-level 'weights' file: a network runs "
                                 "its layers on their baked weights");
    ok = false;
  }
  const bool network = raw.weights.present && !(raw.network.usable() && !raw.network.value);
  detail::NodeOutputs outputs(raw.layers.size());
  for (std::size_t index = 0; index < raw.layers.size(); ++index) {
    const RawLayer& written = raw.layers[index];
    if (written.name.usable()) {
      auto [it, inserted] = names.try_emplace(written.name.value, written.name.loc);
      if (!inserted) {
        auto [line, col] = diags.sourceMgr().getLineAndColumn(it->second);
        diags.error(written.name.loc, "duplicate layer name '" + excerpt(written.name.value) +
                                          "' (first used at line " + llvm::Twine(line) +
                                          ", column " + llvm::Twine(col) + ")");
        ok = false;
      }
    }
    if (!written.op_ok) {  // an unknown `op:`, diagnosed by the reader
      ok = false;
      continue;
    }
    bool connected = true;
    const std::optional<std::size_t> producer =
        detail::producerOf(raw.layers, index, network, diags, &connected);
    std::optional<RawLayer> with_shape =
        connected ? detail::withInputShape(raw.layers, index, producer, outputs, network, diags)
                  : std::nullopt;
    if (!with_shape) {
      ok = false;
      continue;
    }
    const RawLayer& layer = *with_shape;
    const std::string input_name =
        network && producer && raw.layers[*producer].name.usable() ? raw.layers[*producer].name.value
                                                                   : std::string();
    if (isPool(layer.op)) {  // validate_pool.cpp
      std::optional<PoolSpec> pool = detail::validatePool(layer, default_isa, diags);
      if (!pool) {
        ok = false;
        continue;
      }
      std::vector<std::int64_t> shape = {pool->channels, pool->out_height, pool->out_width};
      if (pool->batched) shape.insert(shape.begin(), pool->batch);
      outputs[index] = detail::NodeOutput{pool->name, shape, pool->dtype};
      model.order.push_back({NodeRef::Kind::Pool, model.pools.size()});
      if (network) model.inputs.push_back(input_name);
      model.pools.push_back(std::move(*pool));
      continue;
    }
    std::optional<LayerSpec> spec;
    std::int64_t layer_macs = 0, layer_params = 0;
    if (layer.op == Op::Linear || layer.op == Op::ConvTranspose2d) {
      // validate_linear.cpp: a conv over the whole input; validate_conv_transpose.cpp
      spec = layer.op == Op::Linear ? detail::validateLinear(layer, default_isa, diags)
                                    : detail::validateConvTranspose(layer, default_isa, diags);
      if (spec) {
        const LayerShapes shapes = inferShapes(*spec);
        layer_macs = shapes.macs;
        layer_params = shapes.params;
      }
    } else {
      detail::LayerValidator validator(layer, default_isa, diags);
      spec = validator.run();
      layer_macs = validator.macs();
      layer_params = validator.params();
    }
    if (!spec) {
      // The activation's own rules still run, so that one pass reports them
      // too (they need only the dtype).
      LayerSpec probe;
      const std::optional<DType> dtype =
          layer.dtype.present ? (layer.dtype.usable() ? parseDType(layer.dtype.value) : std::nullopt)
                              : std::optional<DType>(DType::Float32);
      if (dtype) {
        probe.dtype = *dtype;
        detail::validateActivation(layer, probe, diags);
      }
      ok = false;
      continue;
    }
    const bool activation_ok = detail::validateActivation(layer, *spec, diags);
    const bool residual_ok =
        detail::validateResidual(layer, raw.layers, index, outputs, *spec, diags);
    if (!activation_ok || !residual_ok || !detail::bakeLayer(weights, raw, layer, *spec, diags)) {
      ok = false;
      continue;
    }
    const Located<BackwardMode>& backward = layer.backward.present ? layer.backward : raw.backward;
    const BackwardMode mode = backward.usable() ? backward.value : BackwardMode::Off;
    spec->backward = mode != BackwardMode::Off;
    spec->backward_only = mode == BackwardMode::Only;
    const llvm::SMLoc backward_loc = layer.backward.present ? layer.backward.loc : layer.loc;
    const char* const backward_word = spec->backward_only ? "only" : "true";
    // The gradient kernels are the convolution's own (dL/dx, dL/dW, dL/db of
    // conv2d): not of a fused activation, residual add or folded BatchNorm.
    if (spec->backward && (spec->epilogue.any() || layer.batch_norm.present)) {
      diags.error(backward_loc,
                  "backward: " + std::string(backward_word) +
                      " generates the convolution's own gradients; layer '" +
                      excerpt(spec->name) + "' also has " +
                      (layer.batch_norm.present ? "'batch_norm'"
                       : spec->epilogue.hasResidual() ? "'residual'"
                                                      : "'activation'") +
                      ", whose gradient convgen does not generate: drop one of them");
      ok = false;
      continue;
    }
    // backward: only leaves out every forward entry point. A conv_transpose2d
    // layer's gradients are built from its forward's own code (backward_input
    // is the view conv's forward, forward that conv's backward_input), and
    // baked weights exist for forward(input, output) and the network's
    // forward, which a layer without a forward cannot have.
    if (spec->backward_only && spec->source_op == Op::ConvTranspose2d) {
      diags.error(backward_loc,
                  "backward: only is not available for conv_transpose2d (layer '" +
                      excerpt(spec->name) +
                      "'): its gradients share its forward's code (backward_input is the "
                      "forward of the conv it transposes): use backward: true");
      ok = false;
      continue;
    }
    if (spec->backward_only && raw.weights.present) {
      diags.error(backward_loc,
                  "backward: only generates no forward, but this config bakes weights "
                  "('weights'), which only a forward reads: layer '" +
                      excerpt(spec->name) + "' needs backward: true, or a config without 'weights'");
      ok = false;
      continue;
    }
    // The whole model's totals (`convgen shapes` prints them) fit as well.
    std::int64_t macs = 0, params = 0;
    if (__builtin_add_overflow(total_macs, layer_macs, &macs) ||
        __builtin_add_overflow(total_params, layer_params, &params)) {
      diags.error(layer.loc, "the model's total multiply-accumulates or parameters exceed " +
                                 llvm::Twine(std::numeric_limits<std::int64_t>::max()) +
                                 " with this layer, more than convgen supports");
      ok = false;
      continue;
    }
    total_macs = macs;
    total_params = params;
    outputs[index] = detail::NodeOutput{spec->name, inferShapes(*spec).output, spec->dtype};
    model.order.push_back({NodeRef::Kind::Conv, model.layers.size()});
    if (network) model.inputs.push_back(input_name);
    model.layers.push_back(std::move(*spec));
  }
  if (network && ok && !detail::validateNetwork(raw.layers, model, diags)) ok = false;
  if (!ok && !diags.hasErrors()) {
    // Only when `raw` did not come from parseConfig with these diagnostics:
    // never hand out a model without the layers or namespace it lacks.
    diags.error(raw.loc, "config is incomplete: it needs a valid 'namespace' and 'layers'");
  }
  if (!ok || diags.hasErrors()) return std::nullopt;
  return model;
}

}  // namespace convgen
