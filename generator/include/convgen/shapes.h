// Shape inference: pure functions of a validated LayerSpec, by PyTorch's
// formulas (docs/semantics.md sections 3-4).
#pragma once

#include <cstdint>
#include <vector>

#include "convgen/spec.h"

namespace convgen {

// floor((in + pad_lo + pad_hi - dilation*(kernel-1) - 1) / stride) + 1.
// Precondition: the padded size is at least the dilated kernel, stride >= 1.
std::int64_t convOutputSize(std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                            std::int64_t kernel, std::int64_t stride, std::int64_t dilation);

// dilation*(kernel-1) + 1: the extent one output element reads.
std::int64_t dilatedKernelSize(std::int64_t kernel, std::int64_t dilation);

// padding='same': total = d*(k-1); the front gets total/2, the end the rest.
struct SidePadding {
  std::int64_t front = 0, back = 0;
};
SidePadding samePadding(std::int64_t kernel, std::int64_t dilation);

struct LayerShapes {
  std::vector<std::int64_t> input;   // as the user gave it (rank 3 or 4)
  std::vector<std::int64_t> output;  // same rank as input
  std::vector<std::int64_t> weight;  // (out, in/groups, kh, kw)
  std::vector<std::int64_t> bias;    // (out) or empty when bias is off
  std::int64_t out_height = 0, out_width = 0;
  Padding4 pad;
  std::int64_t params = 0;     // weight + bias elements
  std::int64_t macs = 0;       // multiply-accumulates of one forward call
  std::int64_t reduction = 0;  // terms per output: (in/groups)*kh*kw
};

LayerShapes inferShapes(const LayerSpec& layer);

std::int64_t elementCount(const std::vector<std::int64_t>& shape);

}  // namespace convgen
