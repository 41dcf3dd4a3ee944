// The reference network: a validated network config (`weights:`) run layer
// by layer with convgen's generic references (runtime/: the reference
// conv2d, pools and epilogue), in double, on the tensors as the user gave
// them: BatchNorm applied unfused in eval form after the conv, then the
// residual add, then the activation, as PyTorch's modules run. It shares
// no code with the generated network's arithmetic (BatchNorm folding,
// packing, kernels), so the two cannot share a mistake there.
//
// Each layer's output comes with two elementwise bounds on how far a
// correct float32 network can be from it (docs/semantics.md section 16):
//   * isolated: the layer alone, fed the reference outputs of its
//     producers rounded to float32 -- what names the layer that is wrong;
//   * chained: the layer fed the float32 network's own outputs, the error
//     of every layer before it carried forward -- what the whole network's
//     output is held to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convgen/spec.h"

namespace convgen {

struct LayerReference {
  std::string name;                // the layer's name (its namespace)
  std::vector<std::int64_t> shape;  // its output shape, as the header's output_shape
  int input = -1, residual = -1;    // the producing layers' indices; -1: network input / none
  std::int64_t depth = 0;  // the reduction depth: terms summed per output (convs: Cg*kh*kw + bias)
  std::vector<double> output;
  std::vector<double> bound_isolated, bound_chained;
};

struct NetworkReference {
  std::vector<std::int64_t> input_shape;
  std::vector<float> input;
  std::vector<LayerReference> layers;  // config order: the generated network's steps
};

// Precondition: `model` passed validation and has `weights:` (every layer
// baked); `input` holds elementCount(the network's input shape) values.
NetworkReference referenceNetwork(const ModelSpec& model, const std::vector<float>& input);

// The network input's shape of a validated network config.
std::vector<std::int64_t> networkInputShape(const ModelSpec& model);

// u = 2^-24 for float32: the unit roundoff the bounds are built on.
inline constexpr double kFloatRoundoff = 1.0 / 16777216.0;

}  // namespace convgen
