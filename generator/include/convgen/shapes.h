// Shape inference: pure functions of a validated LayerSpec, by PyTorch's
// formulas (docs/semantics.md sections 3-4).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "convgen/spec.h"

namespace convgen {

// One spatial dimension of a convolution, every step checked for int64
// overflow: the one output-size computation, shared by validation (which
// diagnoses what is missing here) and shape inference.
struct ConvExtent {
  std::optional<std::int64_t> padded;          // in + pad_lo + pad_hi
  std::optional<std::int64_t> dilated_kernel;  // dilation*(kernel-1) + 1
  // floor((padded - dilated_kernel) / stride) + 1; nullopt when either of
  // the above is, when padded < dilated_kernel, or when stride < 1.
  std::optional<std::int64_t> output;
};
ConvExtent convExtent(std::int64_t in, std::int64_t pad_lo, std::int64_t pad_hi,
                      std::int64_t kernel, std::int64_t stride, std::int64_t dilation);

// convExtent's output of a dimension that must have one (a validated layer's).
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

// The product of the dimensions, or nullopt when it overflows int64.
std::optional<std::int64_t> checkedElementCount(const std::vector<std::int64_t>& shape);
// The same for a shape known to fit (a validated layer's).
std::int64_t elementCount(const std::vector<std::int64_t>& shape);

}  // namespace convgen
