// Stage 2 for one layer (private to generator/src): PyTorch 1.13's rules
// (docs/semantics.md section 9), worded like PyTorch's messages, and convgen's own
// bounds. validate_layer.cpp holds the argument rules, validate_padding.cpp
// padding, the kernel's fit, dtype support and the size bounds.
#pragma once

#include <optional>
#include <string>

#include "convgen/config.h"
#include "llvm/ADT/ArrayRef.h"

namespace convgen::detail {

// "[1, 2, 3]"
std::string listText(llvm::ArrayRef<std::int64_t> v);

// An `isa:` word of a config: a row of isa.h's table ("native" is for the
// command line only: a config's output must not depend on the machine).
std::optional<Isa> parseConfigIsa(const Located<std::string>& word, Diagnostics& diags);

class LayerValidator {
 public:
  LayerValidator(const RawLayer& raw, Isa default_isa, Diagnostics& diags)
      : r_(raw), diags_(diags) {
    spec_.isa = default_isa;
  }

  // The layer, when every argument is usable and every rule holds. A rule
  // runs when its own inputs are usable, so that one pass reports every
  // problem; shape arithmetic runs only on a layer that passed them all, so
  // never on defaults standing in for a missing or ill-typed argument
  // (whose problem stage 1 has reported).
  std::optional<LayerSpec> run();

  // Multiply-accumulates and parameters of the layer; valid after run()
  // returned a layer.
  std::int64_t macs() const { return macs_; }
  std::int64_t params() const { return params_; }

 private:
  // validate_layer.cpp
  bool name();
  bool enums();
  bool groups();
  std::string weightShape() const;
  bool channels(bool groups_ok);
  bool kernel();
  bool positivePair(const RawInts& raw, llvm::StringRef key, Hw& out);
  bool input(bool channels_ok, bool groups_ok, bool kernel_ok);
  // validate_padding.cpp
  bool padding(bool stride_ok, bool kernel_ok, bool dilation_ok);
  bool modePadding();
  bool kernelFits();
  bool dilated(bool dilation_ok) const;
  bool dtypeSupport(bool dilation_ok);
  bool sizes();
  // validate_padding_sides.cpp
  bool sidePadding();

  const RawLayer& r_;
  Diagnostics& diags_;
  LayerSpec spec_;
  bool mode_ok_ = true;
  bool dtype_ok_ = true;
  std::int64_t macs_ = 0, params_ = 0;
};

// dtypes PyTorch knows but convgen does not generate: the scalar type name
// PyTorch's messages give, and whether PyTorch can convolve it on CPU.
struct TorchOnlyDType {
  std::string_view name;
  std::string_view torch_name;  // "" when PyTorch's message has none
  bool torch_convolves;
};
const TorchOnlyDType* findTorchOnlyDType(llvm::StringRef word);

// What a validated layer (conv, linear or pool) outputs: what a later
// layer's `input:` or `residual:` reads. One per raw layer, in config order;
// nullopt for a layer that failed validation (already diagnosed).
struct NodeOutput {
  std::string name;
  std::vector<std::int64_t> shape;
  DType dtype = DType::Float32;
};
using NodeOutputs = std::vector<std::optional<NodeOutput>>;

// The fused epilogue (validate_epilogue.cpp), on a layer that passed the
// other rules: `activation:` into spec.epilogue; `residual:` against the
// layers before raw_layers[index] (`outputs`: theirs, as far as validated).
bool validateActivation(const RawLayer& raw, LayerSpec& spec, Diagnostics& diags);
bool validateResidual(const RawLayer& raw, const std::vector<RawLayer>& raw_layers,
                      std::size_t index, const NodeOutputs& outputs, LayerSpec& spec,
                      Diagnostics& diags);

// A network's connections (validate_network.cpp). The earlier layer a layer
// reads: its `input:`, else the previous layer, else (the first layer) the
// network input: nullopt. *ok false when `input:` names no earlier layer
// (diagnosed). `network`: the config has `weights:`.
std::optional<std::size_t> producerOf(const std::vector<RawLayer>& raw_layers, std::size_t index,
                                      bool network, Diagnostics& diags, bool* ok);
// raw_layers[index] with its input_shape: as written, or (a network's layer
// after the first, without one) the producer's output. nullopt when it
// cannot have one: missing and not derivable (diagnosed), or the producer
// failed validation (already diagnosed).
std::optional<RawLayer> withInputShape(const std::vector<RawLayer>& raw_layers, std::size_t index,
                                       std::optional<std::size_t> producer,
                                       const NodeOutputs& outputs, bool network,
                                       Diagnostics& diags);
// The whole network's rules, once every layer is validated: each layer's
// output is read by a later one or is the network's (the last layer's);
// every layer is float32 (baked weights are); no layer name collides with
// the network's own declarations.
bool validateNetwork(const std::vector<RawLayer>& raw_layers, const ModelSpec& model,
                     Diagnostics& diags);

// Pair arguments (stride, dilation, padding): an int, or a list of 1 or 2.
std::optional<Hw> pairArg(const RawInts& raw, llvm::StringRef key, Diagnostics& diags);

}  // namespace convgen::detail
