// The non-conv layers of a model: which operation a config layer is
// (`op:`), and the validated description of a pooling layer (PoolSpec).
// `linear` is no PoolSpec: validation lowers it to a conv LayerSpec whose
// kernel is the whole input (LayerSpec::source_op says so). See
// docs/semantics.md section 13.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convgen/isa.h"

namespace convgen {

enum class DType : int;  // spec.h

// A config layer's `op:`, one row each in opNameTable() (spec.cpp) and, with
// the keys each takes, in opKeyTable() (config_keys.cpp).
enum class Op { Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Linear, ConvTranspose2d };

struct OpName {
  Op op;
  std::string_view name;        // configs' `op:`
  std::string_view torch_name;  // the PyTorch module it matches
};
const std::vector<OpName>& opNameTable();
std::optional<Op> parseOp(std::string_view word);
std::string_view toString(Op op);
std::string opList(std::string_view quote = "");
inline bool isPool(Op op) {
  return op == Op::MaxPool2d || op == Op::AvgPool2d || op == Op::AdaptiveAvgPool2d;
}

// A validated max_pool2d / avg_pool2d / adaptive_avg_pool2d layer. Every
// window is known from these numbers (pool_windows.h); for
// adaptive_avg_pool2d the kernel, stride and padding fields are unused (0).
struct PoolSpec {
  std::string name;  // a C++ identifier, unique within the model
  Op op = Op::MaxPool2d;
  bool batched = true;     // false: input_shape was [C, H, W]
  std::int64_t batch = 1;  // N (1 when unbatched)
  std::int64_t channels = 0, in_height = 0, in_width = 0;
  std::int64_t kernel_h = 0, kernel_w = 0, stride_h = 0, stride_w = 0;
  std::int64_t pad_h = 0, pad_w = 0;  // both sides (PyTorch pools pad symmetrically)
  std::int64_t dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false;
  bool count_include_pad = true;      // avg_pool2d
  std::int64_t divisor_override = 0;  // avg_pool2d; 0: none (PyTorch rejects 0)
  std::int64_t out_height = 0, out_width = 0;
  DType dtype{};  // float32
  Isa isa = Isa::Scalar;
};

// One layer of the model in config order: the index-th of ModelSpec::layers
// (conv2d, and linear lowered to a conv) or of ModelSpec::pools.
struct NodeRef {
  enum class Kind { Conv, Pool } kind = Kind::Conv;
  std::size_t index = 0;
  friend bool operator==(const NodeRef& a, const NodeRef& b) {
    return a.kind == b.kind && a.index == b.index;
  }
};

}  // namespace convgen
